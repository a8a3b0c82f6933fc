"""Helpers the stock and ledger tests share: a fixed time, two order lines, short calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import DEFAULT_CHART, Account
from crm_returns.domain.books.journal import JournalEntry, Side
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.returns import goods
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.stock.dispositions import Disposition, Location
from crm_returns.domain.stock.moves import MoveReason, StockMove

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
A_REF = LineRef("SO-1", "1")
B_REF = LineRef("SO-1", "2")
CHART = DEFAULT_CHART
L = Location
D = Disposition

T = TypeVar("T")
MakeDelivered = Callable[..., DeliveredLine]
MakeLine = Callable[..., ReturnLine]
Approved = Callable[..., ReturnOrder]
Grant = Callable[[ReturnOrder, Actor, datetime], Transition]


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def units(value: int | str) -> Decimal:
    return Decimal(value)


def path(moves: Iterable[StockMove]) -> list[tuple[Location, Location, int, MoveReason]]:
    """Each move as (from, to, whole units, why)."""
    assert all(m.quantity == int(m.quantity) for m in moves)
    return [(m.source, m.destination, int(m.quantity), m.reason) for m in moves]


def postings(posted: JournalEntry) -> set[tuple[Account, Side, Money]]:
    return {(p.account, p.side, p.amount) for p in posted.postings}


def receive(order: ReturnOrder, actor: Actor, receipts: Mapping[LineRef, Receipt]) -> Transition:
    return goods.receive(order, actor, AT, receipts, CHART)


def inspect(order: ReturnOrder, actor: Actor, decision: Inspection) -> Transition:
    return goods.inspect(order, actor, AT, {A_REF: decision}, CHART)
