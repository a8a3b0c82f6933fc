"""What every use case shares: the wiring, input checks, and the command template."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import AuditEntry, audit_entry
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.ownership import Assignment, followed
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import refunding
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.returnable import refunded_before
from crm_returns.domain.returns.states import Action
from crm_returns.domain.shipments.records import Shipment
from crm_returns.domain.summary import summarize
from crm_returns.errors import (
    IdempotencyConflict,
    InvalidInput,
    NotAuthorised,
    NotFound,
    RecordArchived,
    SeparationOfDuties,
)
from crm_returns.ports import (
    IdempotentResult,
    OrderSource,
    OutboxMessage,
    UnitOfWork,
)
from crm_returns.service.checks import (
    KEY_LIMIT,
    checked_actor,
    checked_id,
    fingerprint,
)
from crm_returns.service.settings import ServiceSettings
from crm_returns.service.sql_types import Connection

__all__ = ["ServiceCore"]


class ServiceCore:
    """The wiring of :class:`~crm_returns.ReturnsService` and the steps every command shares.

    Args:
        orders: The host's delivered order lines.
        unit_of_work: Makes a new unit of work for each command.
        settings: Every optional part (clock, ids, policies, formats, ...);
            the defaults of :class:`ServiceSettings` when not given.
        on_close: Called once by :meth:`~crm_returns.ReturnsService.close`, to
            release what the wiring opened (a database's connection pool).
        join_transaction: Given the host's connection, in a transaction, a
            context manager that yields a factory of units of work inside that
            transaction, for :meth:`~crm_returns.ReturnsService.in_transaction`
            (:func:`~crm_returns.sql_service` passes the database's
            ``in_transaction``); without it, the service joins none.
    """

    def __init__(
        self,
        orders: OrderSource,
        unit_of_work: Callable[[], UnitOfWork],
        settings: ServiceSettings | None = None,
        *,
        on_close: Callable[[], None] | None = None,
        join_transaction: Callable[[Connection], AbstractContextManager[Callable[[], UnitOfWork]]]
        | None = None,
    ) -> None:
        settings = ServiceSettings() if settings is None else settings
        if not isinstance(settings, ServiceSettings):
            raise InvalidInput(f"settings must be ServiceSettings, got {type(settings).__name__}")
        if not callable(unit_of_work):
            raise InvalidInput("unit_of_work must make a new unit of work when called")
        self.settings = settings
        self._orders = orders
        self._uow = unit_of_work
        self._on_close = on_close
        self._join_transaction = join_transaction
        # The parts every command reads, under short names.
        self._clock = settings.clock
        self._ids = settings.ids
        self._policy = settings.approval_policy
        self._rules = settings.eligibility_rules
        self._refunds = settings.refund_policy
        self._access = settings.access_policy

    def _catalog(self, uow: UnitOfWork, tenant_id: str) -> ReasonCatalog:
        return uow.reasons.get(tenant_id) or self.settings.default_reasons

    @staticmethod
    def _delivered(
        lines: Mapping[LineRef, DeliveredLine], ref: LineRef, actor: Actor
    ) -> DeliveredLine:
        """The delivered line ``ref``, if ``actor`` may know of it.

        Someone acting for a customer is told that another customer's line
        does not exist, as they are of another customer's return: an
        over-return or a price would say what it holds.
        """
        line = lines.get(ref)
        if line is None or not actor.acts_for(line.customer_id):
            raise NotFound("order line", str(ref))
        return line

    def _number(self, uow: UnitOfWork, tenant_id: str, numbers: NumberFormat) -> str:
        on = self._clock.now().astimezone(self.settings.time_zone).date()
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
            order = self._own(actor, uow.returns.get(actor.tenant_id, return_id), return_id)
            if uow.retention.archived(actor.tenant_id, return_id):
                raise RecordArchived(f"return {order.number} is archived: restore it to change it")
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
        final = transitions[-1].order
        if final is not order:  # a command on the case file alone leaves the order as it was
            uow.returns.update(final, expected_version=order.version)
        for transition in transitions:
            self._record(uow, transition)
        self._keep_deadline(uow, final, self._clock.now())
        self._remember(uow, actor, key, command, digest, final)
        uow.commit()
        return final

    def _keep_deadline(self, uow: UnitOfWork, order: ReturnOrder, at: datetime) -> None:
        """Move the stage and deadline of ``order``'s owner along with it, in ``uow``.

        A return without an owner has no deadline to keep.  ``at`` is when a
        stage the assignment does not know yet began (see
        :func:`~crm_returns.domain.ownership.followed`).
        """
        assignment = uow.casefile.find(order.tenant_id, Assignment, order.id)
        if assignment is None:
            return
        shipments = uow.casefile.for_return(order.tenant_id, order.id, Shipment)
        moved = followed(assignment, order, self.settings.service_level, shipments=shipments, at=at)
        if moved != assignment:
            version = assignment.version
            uow.casefile.update(attrs.evolve(moved, version=version + 1), expected_version=version)

    @staticmethod
    def _own(actor: Actor, order: ReturnOrder, asked: str) -> ReturnOrder:
        """``order``, asked for by id or number ``asked``, if ``actor`` may know of it at all.

        A customer acting for themselves is told that another customer's
        return does not exist, as another tenant's is: a refusal would say it does.

        Raises:
            NotFound: ``actor`` acts for another customer.
        """
        if not actor.acts_for(order.customer_id):
            raise NotFound("return", asked)
        return order

    def _allows(self, actor: Actor, permission: Permission, order: ReturnOrder | None) -> bool:
        return self._access.allows(actor, permission, order)

    def _listed(self, actor: Actor, permission: Permission, order: ReturnOrder) -> bool:
        """Whether ``order`` belongs in a list ``actor`` asked for, needing ``permission``.

        Another customer's return is never listed for someone acting for a
        customer, whatever the access policy says (as :meth:`_own` refuses it).
        """
        return actor.acts_for(order.customer_id) and self._allows(actor, permission, order)

    def _authorise(self, actor: Actor, permission: Permission) -> Actor:
        """``actor`` if it may use ``permission`` at all (for commands without a return).

        Raises:
            NotAuthorised: It may not; the denial is written to the tenant's audit trail.
        """
        actor = checked_actor(actor)
        if not self._allows(actor, permission, None):
            raise self._denied(actor, permission, None)
        return actor

    def _authorise_any(self, actor: Actor, permission: Permission, *others: Permission) -> Actor:
        """``actor`` if it may use ``permission`` or one of ``others`` (a read several duties need).

        Raises:
            NotAuthorised: It may use none; the error names ``permission`` and
                every role granting one of them, and the denial is written to
                the tenant's audit trail.
        """
        actor = checked_actor(actor)
        if not any(self._allows(actor, asked, None) for asked in (permission, *others)):
            raise self._denied(actor, permission, None, also=others)
        return actor

    def _readable(self, actor: Actor, order: ReturnOrder, asked: str | None = None) -> ReturnOrder:
        """``order`` if ``actor`` may see it (a host policy may look at the return).

        Call it after the unit of work that loaded ``order`` has ended.

        Args:
            actor: Who asks.
            order: The return.
            asked: The id or number it was asked for by (its id when not given).
        """
        self._own(actor, order, order.id if asked is None else asked)
        if not self._allows(actor, Permission.VIEW_RETURNS, order):
            raise self._denied(actor, Permission.VIEW_RETURNS, order)
        return order

    def _denied(
        self,
        actor: Actor,
        permission: Permission,
        order: ReturnOrder | None,
        also: Iterable[Permission] = (),
    ) -> NotAuthorised:
        """Write the denial to the audit trail and build the error to raise.

        ``also``: other permissions that would have been enough; the roles
        granting them are named too.
        """
        self._audit_denial(actor, permission, order)
        subject = f"return {order.number}" if order is not None else "returns"
        needed = {role for each in (permission, *also) for role in self._access.granted_by(each)}
        return NotAuthorised(actor.id, permission.value, needed, subject)

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
        summary = summarize(transition.order)
        for event in transition.events:
            uow.audit.append(audit_entry(event, self._ids.new_id()))
            uow.outbox.add(OutboxMessage(self._ids.new_id(), event, summary))
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
            credit_note = self._number(uow, actor.tenant_id, self.settings.credit_note_format)
        return refunding.grant_refund(
            order,
            actor,
            self._clock.now(),
            method=method,
            policy=self._refunds,
            refunded_before=refunded_before(history, refs, excluding=order.id),
            credit_note=credit_note,
            chart=self.settings.chart,
            comment=comment,
        )
