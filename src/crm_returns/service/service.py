"""``ReturnsService``: one method per use case of the return workflow.

Each command opens a unit of work, loads what it needs, lets the domain
decide, and saves the new state, its audit entries and its outbox messages in
one transaction.  A command that raises has changed nothing.  Queries return
immutable values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from crm_returns.domain import returns as lifecycle
from crm_returns.domain.actors import Actor
from crm_returns.domain.approval import ApprovalPolicy
from crm_returns.domain.audit import AuditEntry, audit_entry
from crm_returns.domain.eligibility import DEFAULT_RULES, EligibilityRule
from crm_returns.domain.lines import Inspection, Receipt, RequestedLine, ReturnLine
from crm_returns.domain.money import quantity
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.planning import (
    ReturnableLine,
    already_returned,
    completion_refund,
    plan_line,
    refunded_units,
)
from crm_returns.domain.queries import LineQuery, Page, ReturnQuery
from crm_returns.domain.reasons import DEFAULT_CATALOG, Reason, ReasonCatalog, ReasonCategory
from crm_returns.domain.returns import ReturnOrder, Transition
from crm_returns.errors import InvalidInput, NotFound
from crm_returns.ports import Clock, EventSink, IdGenerator, OrderSource, OutboxMessage, UnitOfWork
from crm_returns.service.commands import ReturnPreview, ReturnRequest

__all__ = ["ReturnsService"]

_V = TypeVar("_V")


def _actor(actor: object) -> Actor:
    if not isinstance(actor, Actor):
        raise InvalidInput(f"every command needs an Actor, got {type(actor).__name__}")
    return actor


def _text_arg(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, got {type(value).__name__}")
    return value


def _mapping(value: object, kind: type[_V], what: str) -> dict[LineRef, _V]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{what} must map LineRef to {kind.__name__}")
    checked: dict[LineRef, _V] = {}
    for ref, item in value.items():
        if not isinstance(ref, LineRef) or not isinstance(item, kind):
            raise InvalidInput(f"{what} must map LineRef to {kind.__name__}, got {ref!r}: {item!r}")
        checked[ref] = item
    return checked


class ReturnsService:
    """The return workflow (退库 / 退货), wired to ports.

    Args:
        orders: The host's delivered order lines.
        unit_of_work: Makes a new unit of work for each command.
        clock: Tells the time of every change.
        ids: Makes ids for returns, audit entries and messages.
        approval_policy: Decides the approval steps at submission.
        eligibility_rules: Checks each requested line; see
            :mod:`crm_returns.domain.eligibility`.
        number_format: How return numbers read.
        default_reasons: The catalog of tenants that have not customised theirs.
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
    ) -> None:
        self._orders = orders
        self._uow = unit_of_work
        self._clock = clock
        self._ids = ids
        self._policy = approval_policy or ApprovalPolicy()
        self._rules = tuple(eligibility_rules)
        self._numbers = number_format or NumberFormat()
        self._default_reasons = default_reasons

    # -- choosing what to return -------------------------------------------------

    def search_returnable_lines(self, actor: Actor, query: LineQuery) -> Page[ReturnableLine]:
        """Delivered lines matching ``query``, each with what is still returnable."""
        actor = _actor(actor)
        page = self._orders.search(actor.tenant_id, query)
        refs = [line.ref for line in page.items]
        with self._uow() as uow:
            orders = uow.returns.for_lines(actor.tenant_id, refs)
        items = tuple(
            ReturnableLine(line, already_returned(orders, line.ref)) for line in page.items
        )
        return Page(items, page.total, page.offset, page.limit)

    def reason_catalog(self, actor: Actor) -> ReasonCatalog:
        """The actor's tenant's reasons (the defaults until customised)."""
        actor = _actor(actor)
        with self._uow() as uow:
            return self._catalog(uow, actor.tenant_id)

    def preview_return(self, actor: Actor, request: ReturnRequest) -> ReturnPreview:
        """Price and check a request without saving anything: the confirmation view."""
        actor = _actor(actor)
        with self._uow() as uow:
            customer, lines = self._plan(uow, actor, request.lines, excluding=None)
        facts_order = self._sketch(actor, customer, lines)
        return ReturnPreview(
            customer_id=customer.customer_id,
            customer_name=customer.customer_name,
            lines=lines,
            refund=facts_order.refund,
            steps=self._policy.steps_for(lifecycle.approval_facts(facts_order)),
        )

    # -- reasons -------------------------------------------------------------------

    def add_reason_category(self, actor: Actor, category: ReasonCategory) -> ReasonCatalog:
        """Add a reason category to the tenant's catalog."""
        return self._change_catalog(actor, lambda catalog: catalog.with_category(category))

    def add_reason(self, actor: Actor, reason: Reason) -> ReasonCatalog:
        """Add a custom reason to the tenant's catalog."""
        return self._change_catalog(actor, lambda catalog: catalog.with_reason(reason))

    def relabel_reason(self, actor: Actor, code: str, labels: Mapping[str, str]) -> ReasonCatalog:
        """Give reason ``code`` new labels; returns that used it show the new labels."""
        return self._change_catalog(actor, lambda catalog: catalog.relabelled(code, labels))

    def retire_reason(self, actor: Actor, code: str) -> ReasonCatalog:
        """Stop reason ``code`` from being chosen; old returns keep it."""
        return self._change_catalog(actor, lambda catalog: catalog.retired(code))

    def remove_reason(self, actor: Actor, code: str) -> ReasonCatalog:
        """Remove reason ``code``, which no return may refer to.

        Raises:
            ReasonInUse: A return refers to it; retire it instead.
        """
        actor = _actor(actor)
        with self._uow() as uow:
            in_use = uow.returns.uses_reason(actor.tenant_id, code)
            catalog = self._catalog(uow, actor.tenant_id).without(code, in_use=in_use)
            uow.reasons.put(actor.tenant_id, catalog)
            uow.commit()
        return catalog

    # -- the return's life ---------------------------------------------------------

    def create_return(self, actor: Actor, request: ReturnRequest) -> ReturnOrder:
        """Create a draft return from a batch of lines.

        Raises:
            NotFound: A line or reason does not exist for the tenant.
            OverReturn: A quantity is above what is still returnable.
            NotEligible: An eligibility rule refuses a line.
            ReasonNotSelectable: A reason is a category or retired.
            InvalidInput: Lines of several customers or currencies, or a line twice.
        """
        actor = _actor(actor)
        if not isinstance(request, ReturnRequest):
            raise InvalidInput(f"request must be a ReturnRequest, got {type(request).__name__}")
        with self._uow() as uow:
            customer, lines = self._plan(uow, actor, request.lines, excluding=None)
            at = self._clock.now()
            sequence = uow.sequences.next(self._numbers.sequence_key(actor.tenant_id, at.date()))
            transition = lifecycle.draft(
                return_id=self._ids.new_id(),
                number=self._numbers.render(actor.tenant_id, at.date(), sequence),
                actor=actor,
                at=at,
                customer_id=customer.customer_id,
                customer_name=customer.customer_name,
                lines=lines,
                note=request.note,
            )
            uow.returns.add(transition.order)
            self._record(uow, transition)
            uow.commit()
        return transition.order

    def edit_return(
        self, actor: Actor, return_id: str, lines: Sequence[RequestedLine]
    ) -> ReturnOrder:
        """Replace the lines of a draft with ``lines`` (checked and priced afresh)."""
        request = ReturnRequest(lines=lines)

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            customer, planned = self._plan(uow, actor, request.lines, excluding=order.id)
            if customer.customer_id != order.customer_id:
                raise InvalidInput(
                    f"return {order.number} is for customer {order.customer_id!r}, "
                    f"not {customer.customer_id!r}"
                )
            return lifecycle.edit_lines(order, actor, self._clock.now(), planned)

        return self._change(actor, return_id, decide)

    def submit_return(self, actor: Actor, return_id: str) -> ReturnOrder:
        """Submit a draft; it is approved at once when no approval step applies."""
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: lifecycle.submit(
                order, actor, self._clock.now(), self._policy
            ),
        )

    def approve_return(
        self,
        actor: Actor,
        return_id: str,
        comment: str = "",
        quantities: Mapping[LineRef, Decimal] | None = None,
    ) -> ReturnOrder:
        """Take the waiting approval step, optionally approving fewer units per line."""
        comment = _text_arg(comment, "comment")
        lowered = None
        if quantities is not None:
            lowered = {
                ref: quantity(units, f"approved quantity of {ref}")
                for ref, units in _mapping(quantities, object, "quantities").items()
            }
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: lifecycle.approve(
                order, actor, self._clock.now(), comment, lowered
            ),
        )

    def reject_return(self, actor: Actor, return_id: str, comment: str) -> ReturnOrder:
        """Reject a submitted return, saying why."""
        comment = _text_arg(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: lifecycle.reject(order, actor, self._clock.now(), comment),
        )

    def cancel_return(self, actor: Actor, return_id: str, comment: str) -> ReturnOrder:
        """Cancel a return before goods arrive, saying why."""
        comment = _text_arg(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: lifecycle.cancel(order, actor, self._clock.now(), comment),
        )

    def receive_goods(
        self,
        actor: Actor,
        return_id: str,
        receipts: Mapping[LineRef, Receipt],
        comment: str = "",
    ) -> ReturnOrder:
        """Record goods arriving for some lines (partial receipts allowed)."""
        checked = _mapping(receipts, Receipt, "receipts")
        comment = _text_arg(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: lifecycle.receive(
                order, actor, self._clock.now(), checked, comment
            ),
        )

    def inspect_goods(
        self,
        actor: Actor,
        return_id: str,
        inspections: Mapping[LineRef, Inspection],
        comment: str = "",
    ) -> ReturnOrder:
        """Record inspection decisions (accept, reject, or flag for review)."""
        checked = _mapping(inspections, Inspection, "inspections")
        comment = _text_arg(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: lifecycle.inspect(
                order, actor, self._clock.now(), checked, comment
            ),
        )

    def complete_return(self, actor: Actor, return_id: str, comment: str = "") -> ReturnOrder:
        """Close the return, pricing the refund for each line's accepted units."""
        comment = _text_arg(comment, "comment")

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            refs = [line.ref for line in order.lines]
            delivered = self._orders.get_lines(actor.tenant_id, refs)
            history = uow.returns.for_lines(actor.tenant_id, refs)
            refunds = {
                line.ref: completion_refund(
                    self._delivered(delivered, line.ref),
                    line,
                    refunded_units(history, line.ref, excluding=order.id),
                )
                for line in order.lines
            }
            return lifecycle.complete(order, actor, self._clock.now(), refunds, comment)

        return self._change(actor, return_id, decide)

    # -- reading -------------------------------------------------------------------

    def get_return(self, actor: Actor, return_id: str) -> ReturnOrder:
        """The return with ``return_id``.

        Raises:
            NotFound: The actor's tenant has no such return.
        """
        actor = _actor(actor)
        return_id = _text_arg(return_id, "return id")
        with self._uow() as uow:
            return uow.returns.get(actor.tenant_id, return_id)

    def find_return(self, actor: Actor, number: str) -> ReturnOrder:
        """The return with readable ``number``, such as ``RT-20261127-000042``.

        Raises:
            NotFound: The actor's tenant has no such return.
        """
        actor = _actor(actor)
        number = _text_arg(number, "return number")
        with self._uow() as uow:
            return uow.returns.get_by_number(actor.tenant_id, number)

    def list_returns(self, actor: Actor, query: ReturnQuery) -> Page[ReturnOrder]:
        """Returns matching ``query`` (status, customer, dates), newest first."""
        actor = _actor(actor)
        with self._uow() as uow:
            return uow.returns.search(actor.tenant_id, query)

    def audit_trail(self, actor: Actor, return_id: str) -> tuple[AuditEntry, ...]:
        """Who did what to a return, when and why, oldest first.

        Raises:
            NotFound: The actor's tenant has no such return.
        """
        actor = _actor(actor)
        return_id = _text_arg(return_id, "return id")
        with self._uow() as uow:
            uow.returns.get(actor.tenant_id, return_id)
            return tuple(uow.audit.for_return(actor.tenant_id, return_id))

    # -- delivering events ---------------------------------------------------------

    def relay_events(self, sink: EventSink, limit: int = 100) -> int:
        """Hand committed events to ``sink``, oldest first; returns how many went.

        A message the sink refuses stays in the outbox for the next call, and
        so does every message after it, so that order is kept.
        """
        delivered = 0
        with self._uow() as uow:
            for message in uow.outbox.pending(limit):
                try:
                    sink.publish(message)
                except Exception:  # noqa: BLE001 - any sink failure means "try later"
                    break
                uow.outbox.mark_delivered(message.id, self._clock.now())
                delivered += 1
            uow.commit()
        return delivered

    # -- internals -----------------------------------------------------------------

    def _catalog(self, uow: UnitOfWork, tenant_id: str) -> ReasonCatalog:
        return uow.reasons.get(tenant_id) or self._default_reasons

    def _change_catalog(
        self, actor: Actor, change: Callable[[ReasonCatalog], ReasonCatalog]
    ) -> ReasonCatalog:
        actor = _actor(actor)
        with self._uow() as uow:
            catalog = change(self._catalog(uow, actor.tenant_id))
            uow.reasons.put(actor.tenant_id, catalog)
            uow.commit()
        return catalog

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
    ) -> tuple[DeliveredLine, tuple[ReturnLine, ...]]:
        """Check and price requested lines; returns the customer's first line and the lines."""
        requested = tuple(requested)
        refs = [line.ref for line in requested]
        repeated = sorted({str(ref) for ref in refs if refs.count(ref) > 1})
        if repeated:
            raise InvalidInput(f"order line(s) {', '.join(repeated)} appear more than once")
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
        return first, lines

    def _sketch(
        self, actor: Actor, customer: DeliveredLine, lines: tuple[ReturnLine, ...]
    ) -> ReturnOrder:
        """A draft that is never saved, for previewing approval steps."""
        return lifecycle.draft(
            return_id="preview",
            number="preview",
            actor=actor,
            at=self._clock.now(),
            customer_id=customer.customer_id,
            customer_name=customer.customer_name,
            lines=lines,
        ).order

    def _change(
        self,
        actor: Actor,
        return_id: str,
        decide: Callable[[UnitOfWork, ReturnOrder, Actor], Transition],
    ) -> ReturnOrder:
        actor = _actor(actor)
        return_id = _text_arg(return_id, "return id")
        with self._uow() as uow:
            order = uow.returns.get(actor.tenant_id, return_id)
            transition = decide(uow, order, actor)
            uow.returns.update(transition.order, expected_version=order.version)
            self._record(uow, transition)
            uow.commit()
        return transition.order

    def _record(self, uow: UnitOfWork, transition: Transition) -> None:
        for event in transition.events:
            uow.audit.append(audit_entry(event, self._ids.new_id()))
            uow.outbox.add(OutboxMessage(self._ids.new_id(), event))
