"""Choosing what to return, and the return's life up to completion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from crm_returns.domain.actors import Actor
from crm_returns.domain.money import quantity
from crm_returns.domain.orders import LineRef
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import LineQuery, Page
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import approving, drafting, goods
from crm_returns.domain.returns.lines import Inspection, Receipt, RequestedLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.returnable import ReturnableLine, already_returned, returned_serials
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.errors import InvalidInput
from crm_returns.ports import UnitOfWork
from crm_returns.service.commands import ReturnPreview, ReturnRequest
from crm_returns.service.core import (
    ServiceCore,
    checked_mapping,
    checked_text,
    checked_value,
    fingerprint,
)

__all__ = ["Lifecycle"]


def _completion_needs(order: ReturnOrder) -> tuple[Permission, ...]:
    """Completing needs the right to complete, and to grant the refund if not granted yet."""
    if order.grant is None:
        return (Permission.COMPLETE_RETURN, Permission.GRANT_REFUND)
    return (Permission.COMPLETE_RETURN,)


class Lifecycle(ServiceCore):
    """Search, preview, draft, submit, approve, receive, inspect and complete."""

    def search_returnable_lines(self, actor: Actor, query: LineQuery) -> Page[ReturnableLine]:
        """Delivered lines matching ``query``, each with what is still returnable."""
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        query = checked_value(query, LineQuery, "query")
        page = self._orders.search(actor.tenant_id, query)
        refs = [line.ref for line in page.items]
        with self._uow() as uow:
            orders = uow.returns.for_lines(actor.tenant_id, refs)
        items = tuple(
            ReturnableLine(line, already_returned(orders, line.ref)) for line in page.items
        )
        return Page(items, page.total, page.offset, page.limit)

    def preview_return(self, actor: Actor, request: ReturnRequest) -> ReturnPreview:
        """Price and check a request without saving anything: the confirmation view.

        The itemised refund is what :meth:`grant_refund` books when every
        requested unit is accepted and nothing else is refunded in between.
        """
        actor = self._authorise(actor, Permission.CREATE_RETURN)
        request = checked_value(request, ReturnRequest, "request")
        with self._uow() as uow:
            customer, lines, itemised = self._plan(uow, actor, request.lines, excluding=None)
        sketch = self._sketch(actor, customer, lines)
        return ReturnPreview(
            customer_id=customer.customer_id,
            customer_name=customer.customer_name,
            lines=lines,
            refund=sketch.refund,
            steps=self._policy.steps_for(approving.approval_facts(sketch)),
            refund_lines=itemised,
        )

    def create_return(
        self, actor: Actor, request: ReturnRequest, *, idempotency_key: str | None = None
    ) -> ReturnOrder:
        """Create a draft return from a batch of lines.

        With ``idempotency_key``, a retry with the same request returns the
        return created first and creates nothing more.

        Raises:
            NotFound: A line or reason does not exist for the tenant.
            OverReturn: A quantity is above what is still returnable.
            NotEligible: An eligibility rule refuses a line.
            ReasonNotSelectable: A reason is a category or retired.
            InvalidInput: Lines of several customers or currencies, or a line twice.
            NotAuthorised: The actor may not create returns.
        """
        actor = self._authorise(actor, Permission.CREATE_RETURN)
        if not isinstance(request, ReturnRequest):
            raise InvalidInput(f"request must be a ReturnRequest, got {type(request).__name__}")
        # Only a keyed command is ever compared with a retry.
        digest = "" if idempotency_key is None else fingerprint("create_return", (request,))
        with self._uow() as uow:
            replayed = self._replayed(uow, actor, idempotency_key, "create_return", digest)
            if replayed is not None:
                return replayed
            customer, lines, _ = self._plan(uow, actor, request.lines, excluding=None)
            transition = drafting.draft(
                return_id=self._ids.new_id(),
                number=self._number(uow, actor.tenant_id, self._numbers),
                actor=actor,
                at=self._clock.now(),
                customer_id=customer.customer_id,
                customer_name=customer.customer_name,
                lines=lines,
                note=request.note,
            )
            uow.returns.add(transition.order)
            self._record(uow, transition)
            self._remember(uow, actor, idempotency_key, "create_return", digest, transition.order)
            uow.commit()
        return transition.order

    def edit_return(
        self,
        actor: Actor,
        return_id: str,
        lines: Sequence[RequestedLine],
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Replace the lines of a draft with ``lines`` (checked and priced afresh)."""
        request = ReturnRequest(lines=lines)

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            customer, planned, _ = self._plan(uow, actor, request.lines, excluding=order.id)
            if customer.customer_id != order.customer_id:
                raise InvalidInput(
                    f"return {order.number} is for customer {order.customer_id!r}, "
                    f"not {customer.customer_id!r}"
                )
            return drafting.edit_lines(order, actor, self._clock.now(), planned)

        return self._change(
            actor,
            return_id,
            decide,
            needs=Permission.EDIT_RETURN,
            command="edit_return",
            payload=(request,),
            key=idempotency_key,
        )

    def submit_return(
        self, actor: Actor, return_id: str, *, idempotency_key: str | None = None
    ) -> ReturnOrder:
        """Submit a draft; it is approved at once when no approval step applies."""
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: approving.submit(
                order, actor, self._clock.now(), self._policy
            ),
            needs=Permission.SUBMIT_RETURN,
            command="submit_return",
            key=idempotency_key,
        )

    def approve_return(
        self,
        actor: Actor,
        return_id: str,
        comment: str = "",
        quantities: Mapping[LineRef, Decimal] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Take the waiting approval step, optionally approving fewer units per line."""
        comment = checked_text(comment, "comment")
        lowered = None
        if quantities is not None:
            lowered = {
                ref: quantity(units, f"approved quantity of {ref}")
                for ref, units in checked_mapping(quantities, object, "quantities").items()
            }
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: approving.approve(
                order, actor, self._clock.now(), comment, lowered
            ),
            needs=Permission.APPROVE_RETURN,
            command="approve_return",
            payload=(comment, lowered),
            key=idempotency_key,
        )

    def reject_return(
        self, actor: Actor, return_id: str, comment: str, *, idempotency_key: str | None = None
    ) -> ReturnOrder:
        """Reject a submitted return, saying why."""
        comment = checked_text(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: approving.reject(order, actor, self._clock.now(), comment),
            needs=Permission.APPROVE_RETURN,
            command="reject_return",
            payload=(comment,),
            key=idempotency_key,
        )

    def cancel_return(
        self, actor: Actor, return_id: str, comment: str, *, idempotency_key: str | None = None
    ) -> ReturnOrder:
        """Cancel a return before goods arrive, saying why."""
        comment = checked_text(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: approving.cancel(order, actor, self._clock.now(), comment),
            needs=Permission.CANCEL_RETURN,
            command="cancel_return",
            payload=(comment,),
            key=idempotency_key,
        )

    def receive_goods(
        self,
        actor: Actor,
        return_id: str,
        receipts: Mapping[LineRef, Receipt],
        comment: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Record goods arriving (partial receipts allowed) and move them into receiving.

        Serial numbers, where the line tracks them, must have been delivered on
        the line and not have come back already.
        """
        checked = checked_mapping(receipts, Receipt, "receipts")
        comment = checked_text(comment, "comment")

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            # Only lines that track serial numbers need what came back before.
            tracked = {line.ref for line in order.lines if line.delivered_serials}
            refs = [
                ref for ref, receipt in checked.items() if ref in tracked or receipt.serial_numbers
            ]
            history: Sequence[ReturnOrder] = ()
            if refs:
                uow.returns.lock_lines(actor.tenant_id, refs)
                history = uow.returns.for_lines(actor.tenant_id, refs)
            serials = {ref: returned_serials(history, ref, excluding=order.id) for ref in refs}
            return goods.receive(
                order, actor, self._clock.now(), checked, self._chart, serials, comment
            )

        return self._change(
            actor,
            return_id,
            decide,
            needs=Permission.RECEIVE_GOODS,
            command="receive_goods",
            payload=(checked, comment),
            key=idempotency_key,
        )

    def inspect_goods(
        self,
        actor: Actor,
        return_id: str,
        inspections: Mapping[LineRef, Inspection],
        comment: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Record inspection decisions (accept with dispositions, reject, or flag for review)."""
        checked = checked_mapping(inspections, Inspection, "inspections")
        comment = checked_text(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: goods.inspect(
                order, actor, self._clock.now(), checked, self._chart, comment
            ),
            needs=Permission.INSPECT_GOODS,
            command="inspect_goods",
            payload=(checked, comment),
            key=idempotency_key,
        )

    def finish_repair(
        self,
        actor: Actor,
        return_id: str,
        ref: LineRef,
        units: Decimal,
        outcome: Disposition = Disposition.RESTOCK,
        comment: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Bring repaired units back to sellable stock (or scrap them)."""
        comment = checked_text(comment, "comment")
        if not isinstance(ref, LineRef):
            raise InvalidInput(f"ref must be a LineRef, got {ref!r}")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: goods.finish_repair(
                order, actor, self._clock.now(), ref, units, outcome, self._chart, comment
            ),
            needs=Permission.FINISH_REPAIR,
            command="finish_repair",
            payload=(ref, units, outcome, comment),
            key=idempotency_key,
        )

    def complete_return(
        self,
        actor: Actor,
        return_id: str,
        comment: str = "",
        method: RefundMethod = RefundMethod.ORIGINAL_PAYMENT,
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Close the return; grants the refund first (by ``method``) if not granted yet."""
        comment = checked_text(comment, "comment")

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> list[Transition]:
            steps = []
            if order.grant is None:
                steps.append(self._grant(uow, order, actor, method, ""))
                order = steps[-1].order
            steps.append(goods.complete(order, actor, self._clock.now(), comment))
            return steps

        return self._change(
            actor,
            return_id,
            decide,
            needs=_completion_needs,
            command="complete_return",
            payload=(comment, method),
            key=idempotency_key,
        )
