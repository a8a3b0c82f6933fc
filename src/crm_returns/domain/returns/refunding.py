"""Refund transitions: grant the refund (with its credit note), record and settle payments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain._evolve import evolved
from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import ChartOfAccounts
from crm_returns.domain.books.journal import EntryKind, JournalEntry, Side, entry
from crm_returns.domain.events import RefundGranted, RefundPaymentRecorded, RefundPaymentSettled
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.refunds.grants import RefundGrant, RefundMethod
from crm_returns.domain.refunds.payments import Payment, PaymentStatus
from crm_returns.domain.refunds.pricing import price_refund
from crm_returns.domain.returns.order import ReturnOrder, Transition, emit, evolve, require
from crm_returns.domain.returns.states import Action
from crm_returns.errors import ExcessAmount, IllegalTransition, InvalidInput, NotFound

__all__ = ["grant_refund", "record_payment", "refund_units", "settle_payment"]


def refund_units(order: ReturnOrder, policy: RefundPolicy) -> dict[LineRef, Decimal]:
    """Units of each line the refund pays for: accepted, plus missing ones if the policy says so."""
    return {
        line.ref: line.accepted + (line.missing if policy.refund_missing_units else 0)
        for line in order.lines
    }


def _refund_entry(
    order: ReturnOrder, grant: RefundGrant, chart: ChartOfAccounts, at: datetime
) -> JournalEntry | None:
    if grant.method is RefundMethod.REPLACEMENT or grant.credit_note is None:
        return None
    currency = order.currency

    def total(field: str) -> Money:
        return Money.total((getattr(line, field) for line in grant.lines), currency)

    owed_to = (
        chart.customer_credit if grant.method is RefundMethod.STORE_CREDIT else chart.receivable
    )
    return entry(
        entry_id=f"{order.id}:v{order.version + 1}:j1",
        tenant_id=order.tenant_id,
        return_id=order.id,
        number=grant.credit_note,
        kind=EntryKind.REFUND,
        at=at,
        memo=f"credit note {grant.credit_note} for return {order.number}",
        lines=[
            (chart.sales_returns, Side.DEBIT, total("net")),
            (chart.tax_payable, Side.DEBIT, total("tax")),
            (chart.shipping_revenue, Side.DEBIT, total("shipping")),
            (chart.restocking_fee_income, Side.CREDIT, total("fee")),
            (owed_to, Side.CREDIT, grant.amount),
        ],
    )


def grant_refund(
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    *,
    method: RefundMethod,
    policy: RefundPolicy,
    refunded_before: Mapping[LineRef, Decimal],
    credit_note: str | None,
    chart: ChartOfAccounts,
    comment: str = "",
) -> Transition:
    """Decide the refund for the settled goods, issue its credit note and post it.

    Args:
        order: The return.
        actor: Who grants it.
        at: When.
        method: Original payment, store credit or replacement (no money back).
        policy: Fees, shipping and lost parcels.
        refunded_before: Units of each order line refunded by other returns.
        credit_note: The credit note's number (ignored for a replacement).
        chart: The accounts to post to.
        comment: Optional remark.

    Raises:
        IllegalTransition: Goods are not settled yet, or the refund is already granted.
        InvalidInput: A refund with money needs a credit note number.
    """
    require(order, Action.GRANT_REFUND, actor)
    if order.grant is not None:
        raise IllegalTransition(
            order.number, order.status.value, "grant the refund", "it is already granted"
        )
    unsettled = [str(line.ref) for line in order.lines if not line.settled]
    if unsettled:
        raise IllegalTransition(
            order.number,
            order.status.value,
            "grant the refund",
            f"line(s) {', '.join(unsettled)} still await inspection or review",
        )
    if not isinstance(method, RefundMethod):
        raise InvalidInput(f"method must be a RefundMethod, got {method!r}")
    replacement = method is RefundMethod.REPLACEMENT
    if not replacement and credit_note is None:
        raise InvalidInput("a refund that pays money needs a credit note number")
    missing = (
        {line.ref: line.missing for line in order.lines} if policy.refund_missing_units else {}
    )
    lines = price_refund(order.lines, refund_units(order, policy), refunded_before, policy, missing)
    grant = RefundGrant(
        method=method,
        lines=lines,
        currency=order.currency,
        credit_note=None if replacement else credit_note,
        granted_at=at,
        granted_by=actor.id,
    )
    payable = {line.ref: line.payable for line in lines}
    zero = Money.zero(order.currency)
    new_lines = tuple(
        evolved(line, refund=zero if replacement else payable[line.ref]) for line in order.lines
    )
    event = emit(
        order, actor, at, RefundGranted, order.status, comment,
        method=method, amount=grant.amount, fee=grant.fee, credit_note=grant.credit_note,
        missing_units_refunded=sum((line.missing_units for line in lines), Decimal(0)),
    )  # fmt: skip
    posted = _refund_entry(order, grant, chart, at)
    new = evolve(order, at, grant=grant, lines=new_lines)
    return Transition(new, (event,), entries=(posted,) if posted else ())


def record_payment(
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    *,
    payment_id: str,
    amount: Money,
    reference: str = "",
) -> Transition:
    """Start a payment of the granted refund (to the original payment method).

    Raises:
        IllegalTransition: No refund to pay out by payment.
        InvalidInput: A zero or negative amount, or another currency.
        ExcessAmount: Payments would exceed the refund granted.
    """
    require(order, Action.RECORD_PAYMENT, actor)
    grant = order.grant
    if grant is None or grant.method is not RefundMethod.ORIGINAL_PAYMENT:
        raise IllegalTransition(
            order.number,
            order.status.value,
            "record a refund payment",
            "only a granted refund to the original payment method is paid out",
        )
    if not isinstance(amount, Money) or amount.currency != order.currency or amount.amount <= 0:
        raise InvalidInput(f"a payment must be more than zero {order.currency}, got {amount}")
    if grant.committed + amount > grant.amount:
        raise ExcessAmount(
            f"return {order.number}: paying {amount} would exceed the refund of {grant.amount} "
            f"({grant.committed} already paid or pending)"
        )
    payment = Payment(payment_id, amount, PaymentStatus.PENDING, reference, at)
    event = emit(
        order, actor, at, RefundPaymentRecorded, order.status, "",
        payment_id=payment_id, amount=amount, reference=reference,
    )  # fmt: skip
    new = evolve(order, at, grant=attrs.evolve(grant, payments=(*grant.payments, payment)))
    return Transition(new, (event,))


def settle_payment(
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    *,
    payment_id: str,
    succeeded: bool,
    chart: ChartOfAccounts,
) -> Transition:
    """Record how a refund payment ended; a success posts the cash going out.

    Raises:
        NotFound: No such payment.
        IllegalTransition: The payment is no longer pending.
    """
    require(order, Action.SETTLE_PAYMENT, actor)
    payment = order.grant.payment(payment_id) if order.grant else None
    if order.grant is None or payment is None:
        raise NotFound("refund payment", payment_id)
    if payment.status is not PaymentStatus.PENDING:
        raise IllegalTransition(
            order.number,
            order.status.value,
            "settle payment",
            f"{payment_id} is {payment.status.value}",
        )
    status = PaymentStatus.SUCCEEDED if succeeded else PaymentStatus.FAILED
    settled = attrs.evolve(payment, status=status, settled_at=at)
    payments = tuple(settled if p.id == payment_id else p for p in order.grant.payments)
    posted = None
    if succeeded:
        posted = entry(
            entry_id=f"{order.id}:v{order.version + 1}:j1",
            tenant_id=order.tenant_id,
            return_id=order.id,
            number=order.grant.credit_note or order.number,
            kind=EntryKind.REFUND_PAYMENT,
            at=at,
            memo=f"refund payment {payment_id} {payment.reference}".strip(),
            lines=[
                (chart.receivable, Side.DEBIT, payment.amount),
                (chart.cash, Side.CREDIT, payment.amount),
            ],
        )
    event = emit(
        order, actor, at, RefundPaymentSettled, order.status, "",
        payment_id=payment_id, status=status,
    )  # fmt: skip
    new = evolve(order, at, grant=attrs.evolve(order.grant, payments=payments))
    return Transition(new, (event,), entries=(posted,) if posted else ())
