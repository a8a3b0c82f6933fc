"""What every use case shares: the wiring, input checks, and the command template."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from crm_returns.domain._checks import usable
from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import AuditEntry, audit_entry
from crm_returns.domain.books.accounts import DEFAULT_CHART, ChartOfAccounts
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.policies.access import AccessPolicy, Permission, RoleBasedAccess
from crm_returns.domain.policies.approval import ApprovalPolicy
from crm_returns.domain.policies.eligibility import DEFAULT_RULES, EligibilityRule
from crm_returns.domain.reasons import DEFAULT_CATALOG, ReasonCatalog
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.pricing import RefundLine, estimate
from crm_returns.domain.returns import drafting, refunding
from crm_returns.domain.returns.lines import RequestedLine, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.returnable import already_returned, plan_line, refunded_before
from crm_returns.domain.returns.states import Action
from crm_returns.errors import (
    IdempotencyConflict,
    InvalidInput,
    NotAuthorised,
    NotFound,
    SeparationOfDuties,
)
from crm_returns.ports import (
    Clock,
    IdempotentResult,
    IdGenerator,
    OrderSource,
    OutboxMessage,
    UnitOfWork,
)

__all__ = ["CREDIT_NOTE_FORMAT", "KEY_LIMIT", "ServiceCore", "fingerprint"]

#: Longest idempotency key accepted, in characters.
KEY_LIMIT = 200

_V = TypeVar("_V")

#: How credit note (红字凭证) numbers read.
CREDIT_NOTE_FORMAT = NumberFormat("CN-{date:%Y%m%d}-{seq:06d}", series="credit_note")


def _canonical(value: object) -> object:
    if isinstance(value, Mapping):
        return tuple(sorted((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    return repr(value)


def fingerprint(command: str, payload: tuple[object, ...]) -> str:
    """A digest of a command and its payload; mappings count regardless of order."""
    return hashlib.sha256(repr((command, _canonical(payload))).encode()).hexdigest()


def checked_actor(actor: object) -> Actor:
    """``actor`` if it is an :class:`Actor`, else a typed error."""
    if not isinstance(actor, Actor):
        raise InvalidInput(f"every command needs an Actor, got {type(actor).__name__}")
    return actor


def checked_text(value: object, what: str) -> str:
    """``value`` if it is a string every store can keep, else a typed error."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, got {type(value).__name__}")
    return usable(value, what)


def checked_id(value: object, what: str) -> str:
    """``value`` if it can be an id or number: a string without NUL (see :func:`identifier`)."""
    text = checked_text(value, what)
    if "\x00" in text:
        raise InvalidInput(f"{what} must not contain the NUL character")
    return text


def checked_value(value: object, kind: type[_V], what: str) -> _V:
    """``value`` if it is a ``kind``, else a typed error."""
    if not isinstance(value, kind):
        raise InvalidInput(f"{what} must be a {kind.__name__}, got {type(value).__name__}")
    return value


def checked_mapping(value: object, kind: type[_V], what: str) -> dict[LineRef, _V]:
    """``value`` as a dict from :class:`LineRef` to ``kind``, else a typed error."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{what} must map LineRef to {kind.__name__}")
    checked: dict[LineRef, _V] = {}
    for ref, item in value.items():
        if not isinstance(ref, LineRef) or not isinstance(item, kind):
            raise InvalidInput(f"{what} must map LineRef to {kind.__name__}, got {ref!r}: {item!r}")
        checked[ref] = item
    return checked


class ServiceCore:
    """The wiring of :class:`~crm_returns.ReturnsService` and the steps every command shares.

    Args:
        orders: The host's delivered order lines.
        unit_of_work: Makes a new unit of work for each command.
        clock: Tells the time of every change.
        ids: Makes ids for returns, audit entries, messages and payments.
        approval_policy: Decides the approval steps at submission.
        eligibility_rules: Checks each requested line; see
            :mod:`crm_returns.domain.policies.eligibility`.
        number_format: How return numbers read.
        default_reasons: The catalog of tenants that have not customised theirs.
        refund_policy: Restocking fees, shipping refunds, lost parcels.
        chart: The accounts journal entries post to.
        access_policy: Who may do what; :class:`RoleBasedAccess` over
            :data:`~crm_returns.domain.policies.access.DEFAULT_ROLES` when not given.
    """

    def __init__(
        self,
        *,
        orders: OrderSource,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        ids: IdGenerator,
        approval_policy: ApprovalPolicy | None = None,
        eligibility_rules: Sequence[EligibilityRule] = DEFAULT_RULES,
        number_format: NumberFormat | None = None,
        default_reasons: ReasonCatalog = DEFAULT_CATALOG,
        refund_policy: RefundPolicy | None = None,
        chart: ChartOfAccounts = DEFAULT_CHART,
        access_policy: AccessPolicy | None = None,
    ) -> None:
        self._orders = orders
        self._uow = unit_of_work
        self._clock = clock
        self._ids = ids
        self._policy = approval_policy or ApprovalPolicy()
        self._rules = tuple(eligibility_rules)
        self._numbers = number_format or NumberFormat()
        self._default_reasons = default_reasons
        self._refunds = refund_policy or RefundPolicy()
        self._chart = chart
        self._access = access_policy or RoleBasedAccess()

    def _catalog(self, uow: UnitOfWork, tenant_id: str) -> ReasonCatalog:
        return uow.reasons.get(tenant_id) or self._default_reasons

    @staticmethod
    def _delivered(lines: Mapping[LineRef, DeliveredLine], ref: LineRef) -> DeliveredLine:
        try:
            return lines[ref]
        except KeyError:
            raise NotFound("order line", str(ref)) from None

    def _plan(
        self,
        uow: UnitOfWork,
        actor: Actor,
        requested: Iterable[RequestedLine],
        excluding: str | None,
    ) -> tuple[DeliveredLine, tuple[ReturnLine, ...], tuple[RefundLine, ...]]:
        """Check and price requested lines.

        Returns the customer's first line, the priced lines and the itemised
        estimated refund.
        """
        requested = tuple(requested)
        refs = [line.ref for line in requested]
        drafting.refuse_repeated(refs)
        delivered = self._orders.get_lines(actor.tenant_id, refs)
        sources = [self._delivered(delivered, ref) for ref in refs]
        first = sources[0]
        for source in sources[1:]:
            if source.customer_id != first.customer_id:
                raise InvalidInput(
                    f"lines {first.ref} and {source.ref} belong to different customers"
                )
            if source.currency != first.currency:
                raise InvalidInput(
                    f"lines {first.ref} ({first.currency}) and {source.ref} "
                    f"({source.currency}) are in different currencies"
                )
        catalog = self._catalog(uow, actor.tenant_id)
        uow.returns.lock_lines(actor.tenant_id, refs)
        history = uow.returns.for_lines(actor.tenant_id, refs)
        at = self._clock.now()
        lines = tuple(
            plan_line(
                request,
                source,
                catalog,
                already_returned(history, request.ref, excluding=excluding),
                self._rules,
                at,
            )
            for request, source in zip(requested, sources, strict=True)
        )
        priced, itemised = estimate(lines, self._refunds, refunded_before(history, refs, excluding))
        return first, priced, itemised

    def _number(self, uow: UnitOfWork, tenant_id: str, numbers: NumberFormat) -> str:
        on = self._clock.now().date()
        return numbers.render(
            tenant_id, on, uow.sequences.next(numbers.sequence_key(tenant_id, on))
        )

    def _change(
        self,
        actor: Actor,
        return_id: str,
        decide: Callable[[UnitOfWork, ReturnOrder, Actor], Transition | Sequence[Transition]],
        *,
        needs: Permission | Callable[[ReturnOrder], Iterable[Permission]],
        command: str,
        payload: tuple[object, ...] = (),
        key: str | None = None,
    ) -> ReturnOrder:
        """Load a return, let ``decide`` move it on, save everything in one transaction.

        The actor must hold the permission(s) the return ``needs``; a denial is
        written to the audit trail (in a transaction of its own, since the
        command's is rolled back) and raised as :class:`NotAuthorised`.  With an
        idempotency ``key``, a retry of the same ``command`` and ``payload``
        returns the first result and changes nothing more.
        """
        actor = checked_actor(actor)
        return_id = checked_id(return_id, "return id")
        # Only a keyed command is ever compared with a retry.
        digest = "" if key is None else fingerprint(command, (return_id, *payload))
        with self._uow() as uow:
            order = uow.returns.get(actor.tenant_id, return_id)
            required = (needs,) if isinstance(needs, Permission) else tuple(needs(order))
            refused = next((p for p in required if not self._allows(actor, p, order)), None)
            if refused is None:
                # A retry is answered only for someone who may run the command at all.
                replayed = self._replayed(uow, actor, key, command, digest)
                if replayed is not None:
                    return replayed
                try:
                    return self._apply(uow, actor, order, decide, key, command, digest)
                except (NotAuthorised, SeparationOfDuties) as error:
                    # The approval rules refused this person: a denial like any other.
                    refusal: NotAuthorised | SeparationOfDuties = error
        if refused is None:
            self._audit_denial(actor, required[0], order)
            raise refusal
        raise self._denied(actor, refused, order)

    def _apply(
        self,
        uow: UnitOfWork,
        actor: Actor,
        order: ReturnOrder,
        decide: Callable[[UnitOfWork, ReturnOrder, Actor], Transition | Sequence[Transition]],
        key: str | None,
        command: str,
        digest: str,
    ) -> ReturnOrder:
        decided = decide(uow, order, actor)
        transitions = (decided,) if isinstance(decided, Transition) else tuple(decided)
        uow.returns.update(transitions[-1].order, expected_version=order.version)
        for transition in transitions:
            self._record(uow, transition)
        self._remember(uow, actor, key, command, digest, transitions[-1].order)
        uow.commit()
        return transitions[-1].order

    def _allows(self, actor: Actor, permission: Permission, order: ReturnOrder | None) -> bool:
        return self._access.allows(actor, permission, order)

    def _authorise(self, actor: Actor, permission: Permission) -> Actor:
        """``actor`` if it may use ``permission`` at all (for commands without a return).

        Raises:
            NotAuthorised: It may not; the denial is written to the tenant's audit trail.
        """
        actor = checked_actor(actor)
        if not self._allows(actor, permission, None):
            raise self._denied(actor, permission, None)
        return actor

    def _readable(self, actor: Actor, order: ReturnOrder) -> ReturnOrder:
        """``order`` if ``actor`` may see it (a host policy may look at the return).

        Call it after the unit of work that loaded ``order`` has ended.
        """
        if not self._allows(actor, Permission.VIEW_RETURNS, order):
            raise self._denied(actor, Permission.VIEW_RETURNS, order)
        return order

    def _denied(
        self, actor: Actor, permission: Permission, order: ReturnOrder | None
    ) -> NotAuthorised:
        """Write the denial to the audit trail and build the error to raise."""
        self._audit_denial(actor, permission, order)
        subject = f"return {order.number}" if order is not None else "returns"
        return NotAuthorised(
            actor.id, permission.value, self._access.granted_by(permission), subject
        )

    def _audit_denial(
        self, actor: Actor, permission: Permission, order: ReturnOrder | None
    ) -> None:
        """Write a refused attempt to the audit trail, in a transaction of its own."""
        status = order.status if order is not None else None
        entry = AuditEntry(
            id=self._ids.new_id(),
            tenant_id=actor.tenant_id,
            return_id=order.id if order is not None else "",
            number=order.number if order is not None else "",
            at=self._clock.now(),
            actor_id=actor.id,
            actor_name=actor.name,
            action=Action.DENIED,
            from_status=status,
            to_status=status,
            comment="",
            detail=(("permission", permission.value),),
        )
        with self._uow() as uow:
            uow.audit.append(entry)
            uow.commit()

    @staticmethod
    def _replayed(
        uow: UnitOfWork, actor: Actor, key: str | None, command: str, digest: str
    ) -> ReturnOrder | None:
        """The first result of a retried command, or ``None`` for a new one."""
        if key is None:
            return None
        if not isinstance(key, str) or not key.strip() or len(key) > KEY_LIMIT:
            raise InvalidInput(
                f"an idempotency key is a non-blank string of at most {KEY_LIMIT} characters"
            )
        checked_id(key, "idempotency key")
        found = uow.idempotency.get(actor.tenant_id, key)
        if found is None:
            return None
        if (found.command, found.fingerprint) != (command, digest):
            raise IdempotencyConflict(key)
        return found.order

    @staticmethod
    def _remember(
        uow: UnitOfWork,
        actor: Actor,
        key: str | None,
        command: str,
        digest: str,
        order: ReturnOrder,
    ) -> None:
        if key is not None:
            uow.idempotency.put(actor.tenant_id, key, IdempotentResult(command, digest, order))

    def _record(self, uow: UnitOfWork, transition: Transition) -> None:
        """Save a transition's audit entries, outbox messages, stock moves and postings."""
        for event in transition.events:
            uow.audit.append(audit_entry(event, self._ids.new_id()))
            uow.outbox.add(OutboxMessage(self._ids.new_id(), event))
        if transition.moves:
            uow.stock.add(transition.moves)
        if transition.entries:
            uow.journal.add(transition.entries)

    def _grant(
        self,
        uow: UnitOfWork,
        order: ReturnOrder,
        actor: Actor,
        method: RefundMethod,
        comment: str,
    ) -> Transition:
        """Grant the refund of ``order``, drawing a credit note number when money moves."""
        refs = [line.ref for line in order.lines]
        uow.returns.lock_lines(actor.tenant_id, refs)
        history = uow.returns.for_lines(actor.tenant_id, refs)
        credit_note = None
        if method is not RefundMethod.REPLACEMENT:
            credit_note = self._number(uow, actor.tenant_id, CREDIT_NOTE_FORMAT)
        return refunding.grant_refund(
            order,
            actor,
            self._clock.now(),
            method=method,
            policy=self._refunds,
            refunded_before=refunded_before(history, refs, excluding=order.id),
            credit_note=credit_note,
            chart=self._chart,
            comment=comment,
        )

    def _sketch(
        self, actor: Actor, customer: DeliveredLine, lines: tuple[ReturnLine, ...]
    ) -> ReturnOrder:
        """A draft that is never saved, for previewing approval steps."""
        return drafting.draft(
            return_id="preview",
            number="preview",
            actor=actor,
            at=self._clock.now(),
            customer_id=customer.customer_id,
            customer_name=customer.customer_name,
            lines=lines,
        ).order
