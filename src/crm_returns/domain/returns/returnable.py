"""Choosing what to return: returnable quantities and priced, checked lines.

Returnable quantity (可退数量) = delivered − units already claimed by every
other return of the line that is not cancelled or rejected.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain.money import Money, within_places
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.policies.eligibility import EligibilityContext, EligibilityRule, refusals
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns.lines import RequestedLine, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import NotEligible, OverReturn

__all__ = [
    "ReturnableLine",
    "already_returned",
    "plan_line",
    "refunded_before",
    "refunded_units",
    "returned_serials",
]


@attrs.frozen
class ReturnableLine:
    """A delivered line as the clerk sees it when choosing what to return.

    Attributes:
        line: The delivered line.
        already_returned: Units in returns that are not cancelled or rejected.
    """

    line: DeliveredLine
    already_returned: Decimal

    @property
    def returnable_quantity(self) -> Decimal:
        """Units that may still be returned."""
        return self.line.quantity_delivered - self.already_returned


def already_returned(
    orders: Iterable[ReturnOrder], ref: LineRef, excluding: str | None = None
) -> Decimal:
    """Units of ``ref`` claimed by ``orders``, leaving out the return with id ``excluding``."""
    return sum((order.claimed(ref) for order in orders if order.id != excluding), start=Decimal(0))


def refunded_units(
    orders: Iterable[ReturnOrder], ref: LineRef, excluding: str | None = None
) -> Decimal:
    """Units of ``ref`` already refunded by the granted refunds of ``orders``."""
    return sum(
        (
            line.units
            for order in orders
            if order.grant is not None and order.id != excluding
            for line in order.grant.lines
            if line.ref == ref
        ),
        start=Decimal(0),
    )


def refunded_before(
    orders: Iterable[ReturnOrder], refs: Iterable[LineRef], excluding: str | None = None
) -> dict[LineRef, Decimal]:
    """:func:`refunded_units` for each of ``refs``."""
    history = tuple(orders)
    return {ref: refunded_units(history, ref, excluding) for ref in refs}


def returned_serials(
    orders: Iterable[ReturnOrder], ref: LineRef, excluding: str | None = None
) -> frozenset[str]:
    """Serial numbers of ``ref`` that came back on ``orders`` other than ``excluding``."""
    return frozenset(
        serial
        for order in orders
        if order.id != excluding
        for line in order.lines
        if line.ref == ref
        for serial in line.serial_numbers
    )


def plan_line(
    request: RequestedLine,
    delivered: DeliveredLine,
    catalog: ReasonCatalog,
    returned: Decimal,
    rules: Iterable[EligibilityRule],
    at: datetime,
) -> ReturnLine:
    """Check one requested line and price it.

    Args:
        request: What the clerk picked.
        delivered: The order line it refers to.
        catalog: The tenant's reasons.
        returned: Units of the line claimed by other live returns.
        rules: Eligibility rules to apply.
        at: When the return is being requested.

    Raises:
        ReasonNotSelectable: The reason is a category or retired.
        NotFound: The reason does not exist.
        InvalidQuantity: The quantity is finer than the line's unit allows.
        OverReturn: More than the returnable quantity.
        NotEligible: An eligibility rule refuses the line.
    """
    reason = catalog.choose(request.reason_code)
    places = delivered.unit_places
    within_places(request.quantity, places, f"line {request.ref}: quantity to return")
    if request.quantity > delivered.quantity_delivered - returned:
        raise OverReturn(str(request.ref), request.quantity, delivered.quantity_delivered, returned)
    refused = refusals(rules, EligibilityContext(delivered, reason, at, returned))
    if refused:
        raise NotEligible(str(request.ref), refused)
    pricing = delivered.pricing()
    return ReturnLine(
        ref=request.ref,
        sku=delivered.sku,
        product_name=delivered.product_name,
        product_category=delivered.category,
        reason_code=reason.code,
        reason_category=reason.category,
        inspection_required=reason.requires_inspection,
        unit_price=delivered.unit_price,
        refund=Money.zero(delivered.currency),  # priced by estimate()
        requested=request.quantity,
        pricing=pricing,
        fault=reason.fault,
        note=request.note,
        delivered_serials=delivered.serial_numbers,
        unit_places=places,
        ordered_at=delivered.ordered_at,
        delivered_at=delivered.delivered_at,
    )
