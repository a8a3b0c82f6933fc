"""Helpers the refund tests share: a fixed time, two order lines, granting made short."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import DEFAULT_CHART, Account
from crm_returns.domain.books.journal import JournalEntry, Side
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import goods, refunding
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
A_REF = LineRef("SO-1", "1")
B_REF = LineRef("SO-1", "2")
CHART = DEFAULT_CHART
NOTE = "CN-20261128-000001"

MakeDelivered = Callable[..., DeliveredLine]
MakeLine = Callable[..., ReturnLine]
Approved = Callable[..., ReturnOrder]


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def units(value: int | str) -> Decimal:
    return Decimal(value)


def settle_goods(
    order: ReturnOrder,
    actor: Actor,
    receipts: Mapping[LineRef, Receipt],
    inspections: Mapping[LineRef, Inspection] | None = None,
) -> ReturnOrder:
    """Receive ``receipts`` and, if given, inspect: the goods are then ready for a refund."""
    order = goods.receive(order, actor, AT, receipts, CHART).order
    if inspections:
        order = goods.inspect(order, actor, AT, inspections, CHART).order
    return order


def grant(
    order: ReturnOrder,
    actor: Actor,
    *,
    method: RefundMethod = RefundMethod.ORIGINAL_PAYMENT,
    policy: RefundPolicy | None = None,
    refunded_before: Mapping[LineRef, Decimal] | None = None,
    credit_note: str | None = NOTE,
) -> Transition:
    return refunding.grant_refund(
        order,
        actor,
        AT,
        method=method,
        policy=policy or RefundPolicy(),
        refunded_before=refunded_before or {},
        credit_note=credit_note,
        chart=CHART,
    )


def postings(entry: JournalEntry) -> set[tuple[Account, Side, Money]]:
    return {(p.account, p.side, p.amount) for p in entry.postings}
