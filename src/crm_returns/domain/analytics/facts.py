"""The line fact: one returned line as analytics sees it, and how it is built.

:class:`LineFact` is the line-level schema of every report and export: one
row per line of a return, flat, with amounts as ``Decimal`` in the return's
currency (``currency`` column) and moments as timezone-aware datetimes.
:func:`line_facts` builds the rows of one return from the order, what its
case file holds (feedback, assignment, shipments), the host's delivered lines
and the audit trail, for the dates the order itself does not keep.  A column
that cannot be derived from what is given is ``None``, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.ownership.records import Assignment
from crm_returns.domain.refunds.grants import RefundGrant, RefundMethod
from crm_returns.domain.refunds.paid import allocate
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.refunds.pricing import RefundLine
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments.fees import return_shipping_fee
from crm_returns.domain.shipments.records import Shipment
from crm_returns.domain.stock.dispositions import Disposition, Location, destination_of

__all__ = ["LineFact", "line_facts"]

S = ReturnStatus
_ZERO = Decimal(0)
#: Statuses a return has been approved in, or passed through approval to reach.
_APPROVED_ONWARDS = frozenset(
    {S.APPROVED, S.PARTIALLY_RECEIVED, S.RECEIVED, S.INSPECTED, S.COMPLETED}
)


@attrs.frozen(kw_only=True)
class LineFact:
    """One line of a return, flat: the row of the line-level export.

    Amounts are ``Decimal`` at the minor unit of ``currency``; ``None`` means
    "not known (yet)", never zero.

    Attributes:
        tenant_id: The tenant.
        return_id: The return's internal id.
        return_number: The return's readable number (``RT-…``).
        order_number: The host's order number.
        line_id: The order line's id within its order.
        sku: Product code (snapshot at the time of the return).
        product_name: Product name (snapshot).
        product_category: Product category code (snapshot).
        customer_id: The host's customer id.
        reason_code: The reason chosen for the line.
        reason_category: The reason's category when it was chosen.
        status: The return's status.
        quantity_requested: Units asked for.
        quantity_approved: Units agreed to take back.
        quantity_received: Units of the item that arrived.
        quantity_accepted: Received units accepted at inspection.
        quantity_returned: Units the return takes out of the order line's
            returnable quantity (:meth:`ReturnOrder.claimed_on`): requested
            for a draft, approved while live, received plus refunded missing
            units once completed, zero when rejected or cancelled.  The
            numerator of the unit return rate.
        currency: ISO 4217 code of every amount of the row.
        merchandise_value: What the customer paid (tax included, after
            discounts) for ``quantity_returned``: the granted refund line's
            ``total`` once the refund is granted, else the line's paid total
            pro rata, rounded half-up to the minor unit.  Excludes shipping.
        refund_granted: What the customer is owed for the line (original
            payment or store credit: total + refunded shipping − fee); zero
            for a replacement; ``None`` before the refund is granted.
        refund_paid: What was paid out for the line: all of ``refund_granted``
            once the return's refund is fully paid (store credit counts as
            paid when granted), zero while nothing is paid; ``None`` before
            the grant and while a refund is partly paid (payments are made
            per return, not per line).
        store_credit: ``refund_granted`` when the method is store credit, else
            zero; ``None`` before the grant.
        replacement_value: The line's granted ``total`` when the method is a
            replacement, else zero; ``None`` before the grant.
        restocking_fee: Fee kept on the line; ``None`` before the grant.
        return_shipping_fee: The line's share of the return-shipping fee,
            what the return's shipments cost the merchant (the costs of those
            it pays; customer-paid shipments and hand-overs in store without a
            cost count nothing), split over the return's lines in proportion
            to ``merchandise_value`` (equally when no line has any); the
            shares add up to the fee to the minor unit.  Zero without
            shipments; ``None`` when a shipment the merchant pays has no cost
            yet or one in another currency, or the shipments are not given.
        write_off: Scrapped units (disposition scrap at inspection) × the
            order line's unit cost, rounded half-up; zero when nothing was
            scrapped; ``None`` when units were scrapped at an unknown cost.
            Units scrapped after a repair are not counted yet.
        owner_user: The owning user, from the return's assignment.
        owner_team: The owning team, from the return's assignment.
        stock_location: Where the accepted units went, when they all went to
            one location; ``None`` before inspection or when split.
        ordered_at: When the order was placed (the return line's snapshot, else
            the delivered line given).
        delivered_at: When the order line was delivered (idem).
        returned_at: When the return was created.
        submitted_at: When the return was submitted.
        approved_at: When the return was approved (its last step, or its
            submission when no step was needed).
        goods_back_at: When every approved unit was settled at the dock (the
            return entered ``received``), from the audit trail.
        inspected_at: When inspection ended (the return entered
            ``inspected``), from the audit trail; ``None`` for returns
            settled on arrival.
        refund_paid_at: When the refund was paid in full: the last succeeded
            payment's settlement, or the grant for store credit; ``None`` for
            a replacement.
        completed_at: When the return was completed, from the audit trail.
        satisfaction: The customer's score (1–5), if they gave feedback.
        decline_reason: The decline reason's code, when staff declined the
            customer's request for this return.
    """

    tenant_id: str
    return_id: str
    return_number: str
    order_number: str
    line_id: str
    sku: str
    product_name: str
    product_category: str
    customer_id: str
    reason_code: str
    reason_category: str
    status: ReturnStatus
    quantity_requested: Decimal
    quantity_approved: Decimal
    quantity_received: Decimal
    quantity_accepted: Decimal
    quantity_returned: Decimal
    currency: str
    merchandise_value: Decimal
    refund_granted: Decimal | None = None
    refund_paid: Decimal | None = None
    store_credit: Decimal | None = None
    replacement_value: Decimal | None = None
    restocking_fee: Decimal | None = None
    return_shipping_fee: Decimal | None = None
    write_off: Decimal | None = None
    owner_user: str | None = None
    owner_team: str | None = None
    stock_location: Location | None = None
    ordered_at: datetime | None = None
    delivered_at: datetime | None = None
    returned_at: datetime
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    goods_back_at: datetime | None = None
    inspected_at: datetime | None = None
    refund_paid_at: datetime | None = None
    completed_at: datetime | None = None
    satisfaction: int | None = None
    decline_reason: str | None = None

    @property
    def ref(self) -> LineRef:
        """The order line."""
        return LineRef(self.order_number, self.line_id)


def _entered(
    order: ReturnOrder, trail: Iterable[AuditEntry], status: ReturnStatus
) -> datetime | None:
    """When the return first entered ``status``: as it records it, else by its audit trail."""
    recorded = order.first_entered(status)
    if recorded is not None:
        return recorded
    moments = [e.at for e in trail if e.to_status is status and e.from_status is not status]
    return min(moments) if moments else None


def _approved_at(order: ReturnOrder, trail: tuple[AuditEntry, ...]) -> datetime | None:
    from_trail = _entered(order, trail, S.APPROVED)
    if from_trail is not None or order.status not in _APPROVED_ONWARDS:
        return from_trail
    if order.steps and len(order.approvals) >= len(order.steps):
        return order.approvals[-1].at
    return order.submitted_at if not order.steps else None


def _refund_paid_at(grant: RefundGrant | None) -> datetime | None:
    if grant is None or grant.method is RefundMethod.REPLACEMENT:
        return None
    if grant.method is RefundMethod.STORE_CREDIT or grant.amount.is_zero:
        return grant.granted_at
    if not grant.fully_paid:
        return None
    settled = [
        p.settled_at or p.created_at for p in grant.payments if p.status is PaymentStatus.SUCCEEDED
    ]
    return max(settled) if settled else grant.granted_at


def _location(line: ReturnLine) -> Location | None:
    places = {destination_of(d) for d, units in line.dispositions if units}
    return places.pop() if len(places) == 1 else None


def _write_off(line: ReturnLine) -> Decimal | None:
    scrapped = line.disposed(Disposition.SCRAP)
    if not scrapped:
        return Money.zero(line.unit_price.currency).amount
    cost = line.pricing.unit_cost
    return None if cost is None else cost.times(scrapped).amount


def _value(line: ReturnLine, units: Decimal, granted: RefundLine | None) -> Decimal:
    if granted is not None:
        return granted.total.amount
    paid = line.pricing.total
    if not line.pricing.quantity:
        return Money.zero(paid.currency).amount
    return Money.rounded(paid.amount * units / line.pricing.quantity, paid.currency).amount


def _shipping_shares(
    order: ReturnOrder, values: list[Decimal], shipments: Iterable[Shipment] | None
) -> list[Decimal | None]:
    """The return's shipping fee split over its lines, weighted by ``values``."""
    if shipments is None:
        return [None] * len(values)
    mine = (s for s in shipments if (s.tenant_id, s.return_id) == (order.tenant_id, order.id))
    fee = return_shipping_fee(mine, order.currency)
    if fee is None:
        return [None] * len(values)
    weights = [Money(value, order.currency) for value in values]
    if not any(values):  # nothing of value comes back: the lines share it equally
        weights = [Money(Decimal(1), order.currency)] * len(values)
    return [share.amount for share in allocate(fee, weights)]


@attrs.frozen
class _Granted:
    """The money columns of one line once the refund is granted."""

    refund_granted: Decimal | None = None
    refund_paid: Decimal | None = None
    store_credit: Decimal | None = None
    replacement_value: Decimal | None = None
    restocking_fee: Decimal | None = None


def _granted(grant: RefundGrant | None, granted: RefundLine | None) -> _Granted:
    if grant is None or granted is None:
        return _Granted()
    zero = Money.zero(grant.currency).amount
    replacement = grant.method is RefundMethod.REPLACEMENT
    owed = zero if replacement else granted.payable.amount
    if grant.method is RefundMethod.STORE_CREDIT or grant.fully_paid:
        paid: Decimal | None = owed
    else:
        paid = zero if grant.paid.is_zero else None
    return _Granted(
        refund_granted=owed,
        refund_paid=paid,
        store_credit=owed if grant.method is RefundMethod.STORE_CREDIT else zero,
        replacement_value=granted.total.amount if replacement else zero,
        restocking_fee=granted.fee.amount,
    )


def line_facts(
    order: ReturnOrder,
    *,
    delivered: Mapping[LineRef, DeliveredLine] | None = None,
    trail: Iterable[AuditEntry] = (),
    feedback: Feedback | None = None,
    assignment: Assignment | None = None,
    request: RequestRecord | None = None,
    shipments: Iterable[Shipment] | None = None,
) -> tuple[LineFact, ...]:
    """The facts of every line of ``order``, in the order's line order.

    Args:
        order: The return.
        delivered: The host's delivered lines by ref, for the order and
            delivery dates of lines returned before the return line kept them
            (missing lines leave them ``None``).
        trail: The return's audit trail, for the dates a return stored
            before it kept them (``ReturnOrder.entered``) does not hold: goods
            back, inspected, completed, approved.
        feedback: The customer's feedback on the return, if any.
        assignment: The return's owner, if any.
        request: The customer's request the return was made from, if any.
        shipments: The return's shipments (those of other returns are left
            out); ``None`` when they are not known, which leaves
            ``return_shipping_fee`` unknown.
    """
    entries = tuple(e for e in trail if e.return_id == order.id)
    delivered = delivered or {}
    grant = order.grant
    granted = {line.ref: line for line in grant.lines} if grant is not None else {}
    approved_at = _approved_at(order, entries)
    goods_back_at = _entered(order, entries, S.RECEIVED)
    inspected_at = _entered(order, entries, S.INSPECTED)
    completed_at = _entered(order, entries, S.COMPLETED)
    refund_paid_at = _refund_paid_at(grant)
    units = [order.claimed_on(line) for line in order.lines]
    values = [
        _value(line, claimed, granted.get(line.ref))
        for line, claimed in zip(order.lines, units, strict=True)
    ]
    shipping = _shipping_shares(order, values, shipments)
    facts = []
    for i, line in enumerate(order.lines):
        source = delivered.get(line.ref)
        money = _granted(grant, granted.get(line.ref))
        facts.append(
            LineFact(
                tenant_id=order.tenant_id,
                return_id=order.id,
                return_number=order.number,
                order_number=line.ref.order_number,
                line_id=line.ref.line_id,
                sku=line.sku,
                product_name=line.product_name,
                product_category=line.product_category,
                customer_id=order.customer_id,
                reason_code=line.reason_code,
                reason_category=line.reason_category,
                status=order.status,
                quantity_requested=line.requested,
                quantity_approved=line.approved,
                quantity_received=line.received,
                quantity_accepted=line.accepted,
                quantity_returned=units[i],
                currency=order.currency,
                merchandise_value=values[i],
                refund_granted=money.refund_granted,
                refund_paid=money.refund_paid,
                store_credit=money.store_credit,
                replacement_value=money.replacement_value,
                restocking_fee=money.restocking_fee,
                return_shipping_fee=shipping[i],
                write_off=_write_off(line),
                owner_user=assignment.user_id if assignment is not None else None,
                owner_team=assignment.team if assignment is not None else None,
                stock_location=_location(line),
                ordered_at=line.ordered_at or (source.ordered_at if source else None),
                delivered_at=line.delivered_at or (source.delivered_at if source else None),
                returned_at=order.created_at,
                submitted_at=order.submitted_at,
                approved_at=approved_at,
                goods_back_at=goods_back_at,
                inspected_at=inspected_at,
                refund_paid_at=refund_paid_at,
                completed_at=completed_at,
                satisfaction=feedback.score if feedback is not None else None,
                decline_reason=request.decline_reason if request is not None else None,
            )
        )
    return tuple(facts)
