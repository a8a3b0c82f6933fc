"""Choosing what to return: returnable quantities and priced, checked lines.

Returnable quantity (可退数量) = delivered − units already claimed by every
other return of the line that is not cancelled or rejected.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain.eligibility import EligibilityContext, EligibilityRule, refusals
from crm_returns.domain.lines import RequestedLine, ReturnLine
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.refunds import refund_for_units
from crm_returns.domain.returns import ReturnOrder
from crm_returns.domain.states import ReturnStatus
from crm_returns.errors import NotEligible, OverReturn

__all__ = [
    "ReturnableLine",
    "already_returned",
    "completion_refund",
    "plan_line",
    "refunded_units",
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
    """Units of ``ref`` already refunded by completed returns among ``orders``."""
    return sum(
        (
            line.accepted
            for order in orders
            if order.status is ReturnStatus.COMPLETED and order.id != excluding
            for line in order.lines
            if line.ref == ref
        ),
        start=Decimal(0),
    )


def completion_refund(
    delivered: DeliveredLine, line: ReturnLine, refunded_before: Decimal
) -> Money:
    """The refund for ``line``'s accepted units, after ``refunded_before`` units."""
    return refund_for_units(delivered, refunded_before, line.accepted)


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
        OverReturn: More than the returnable quantity.
        NotEligible: An eligibility rule refuses the line.
    """
    reason = catalog.choose(request.reason_code)
    if request.quantity > delivered.quantity_delivered - returned:
        raise OverReturn(str(request.ref), request.quantity, delivered.quantity_delivered, returned)
    refused = refusals(rules, EligibilityContext(delivered, reason, at, returned))
    if refused:
        raise NotEligible(str(request.ref), refused)
    return ReturnLine(
        ref=request.ref,
        sku=delivered.sku,
        product_name=delivered.product_name,
        product_category=delivered.category,
        reason_code=reason.code,
        reason_category=reason.category,
        inspection_required=reason.requires_inspection,
        unit_price=delivered.unit_price,
        refund=refund_for_units(delivered, returned, request.quantity),
        requested=request.quantity,
        note=request.note,
    )
