"""Goods coming back: receive, inspect, finish repairs, complete; and the stock they moved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from crm_returns.domain.actors import Actor
from crm_returns.domain.orders import LineRef
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import goods
from crm_returns.domain.returns.lines import Inspection, Receipt
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.returnable import (
    returned_serials,
)
from crm_returns.domain.stock.dispositions import Disposition, Location
from crm_returns.domain.stock.moves import StockMove, balances
from crm_returns.errors import (
    InvalidInput,
)
from crm_returns.ports import (
    UnitOfWork,
)
from crm_returns.service.checks import (
    checked_mapping,
    checked_optional_id,
    checked_text,
)
from crm_returns.service.template import ServiceCore

__all__ = ["Goods"]


def _completion_needs(order: ReturnOrder) -> tuple[Permission, ...]:
    """Completing needs the right to complete, and to grant the refund if not granted yet."""
    if order.grant is None:
        return (Permission.COMPLETE_RETURN, Permission.GRANT_REFUND)
    return (Permission.COMPLETE_RETURN,)


class Goods(ServiceCore):
    """Receive and inspect goods, finish repairs, complete returns; read stock moves."""

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
                order, actor, self._clock.now(), checked, self.settings.chart, serials, comment
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
                order, actor, self._clock.now(), checked, self.settings.chart, comment
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
                order, actor, self._clock.now(), ref, units, outcome, self.settings.chart, comment
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

    def stock_moves(
        self, actor: Actor, *, return_id: str | None = None, sku: str | None = None
    ) -> tuple[StockMove, ...]:
        """Stock moves of the tenant, oldest first, optionally of one return or SKU."""
        actor = self._authorise(actor, Permission.VIEW_BOOKS)
        return_id = checked_optional_id(return_id, "return id")
        sku = checked_optional_id(sku, "sku")
        with self._uow() as uow:
            return tuple(uow.stock.moves(actor.tenant_id, return_id=return_id, sku=sku))

    def stock_balances(
        self, actor: Actor, *, sku: str | None = None
    ) -> dict[tuple[str, Location], Decimal]:
        """Units by (SKU, location) moved by returns; virtual locations show what left them."""
        return balances(self.stock_moves(actor, sku=sku))
