"""What a notifier needs to know about a return, without reading it back.

Every outbox message carries a :class:`ReturnSummary` of the return as the
command left it: the customer, the status, each line's product, reason,
quantities and amounts, and the refund.  An e-mail to the customer, a webhook
to the ERP or a message on the broker is built from the event and this
summary alone, so that a receiver never has to call back into the service
(and never needs an actor to do so).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus

__all__ = ["ReturnSummary", "SummaryLine", "summarize"]


@attrs.frozen(kw_only=True)
class SummaryLine:
    """One line of a return, as a notification shows it.

    Attributes:
        ref: The order line.
        sku: Product code.
        product_name: Product name.
        product_category: Product category code.
        reason_code: The reason chosen.
        reason_category: The reason's category.
        requested: Units asked for.
        approved: Units agreed to take back.
        received: Units that arrived.
        accepted: Units accepted at inspection.
        rejected: Units rejected at inspection.
        unit_price: Unit price as invoiced.
        refund: Refund estimated for the line; once the refund is granted,
            what the grant gives the line.
    """

    ref: LineRef
    sku: str
    product_name: str
    product_category: str
    reason_code: str
    reason_category: str
    requested: Decimal
    approved: Decimal
    received: Decimal
    accepted: Decimal
    rejected: Decimal
    unit_price: Money
    refund: Money


@attrs.frozen(kw_only=True)
class ReturnSummary:
    """A return as a command left it, for the people and systems told about it.

    Attributes:
        number: The return's readable number.
        status: Where it stands.
        customer_id: The customer.
        customer_name: Their display name.
        currency: Currency of every amount.
        lines: Its lines.
        refund: What the customer gets: the granted amount, or the estimate.
        created_at: When it was drafted.
        submitted_at: When it was submitted, if it was.
    """

    number: str
    status: ReturnStatus
    customer_id: str
    customer_name: str
    currency: str
    lines: tuple[SummaryLine, ...]
    refund: Money
    created_at: datetime
    submitted_at: datetime | None


def summarize(order: ReturnOrder) -> ReturnSummary:
    """The summary of ``order`` that goes out with its events."""
    if order.grant is None:
        refunds = {line.ref: line.refund for line in order.lines}
    else:
        # Once granted, a line gets what the grant gives it, and nothing if it gives none.
        nothing = Money.zero(order.currency)
        paid = {line.ref: line.payable for line in order.grant.lines}
        refunds = {line.ref: paid.get(line.ref, nothing) for line in order.lines}
    return ReturnSummary(
        number=order.number,
        status=order.status,
        customer_id=order.customer_id,
        customer_name=order.customer_name,
        currency=order.currency,
        lines=tuple(
            SummaryLine(
                ref=line.ref,
                sku=line.sku,
                product_name=line.product_name,
                product_category=line.product_category,
                reason_code=line.reason_code,
                reason_category=line.reason_category,
                requested=line.requested,
                approved=line.approved,
                received=line.received,
                accepted=line.accepted,
                rejected=line.rejected,
                unit_price=line.unit_price,
                refund=refunds[line.ref],
            )
            for line in order.lines
        ),
        refund=order.refund,
        created_at=order.created_at,
        submitted_at=order.submitted_at,
    )
