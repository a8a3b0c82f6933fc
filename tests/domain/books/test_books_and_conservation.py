"""Stock moves and journal entries as values, and the two promises they keep.

Ids are stable and unique; balances add moves up; an entry balances or cannot
be built; the trial balance totals accounts.  And for any sequence of receipts,
inspections, dispositions and repairs: stock is conserved and never negative
inside the warehouse, and every journal entry balances.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.stock_support import (
    A_REF,
    AT,
    B_REF,
    CHART,
    Approved,
    D,
    Grant,
    L,
    MakeDelivered,
    MakeLine,
    T,
    cny,
    inspect,
    receive,
    units,
)

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import Account
from crm_returns.domain.books.journal import (
    EntryKind,
    JournalEntry,
    Posting,
    Side,
    entry,
    trial_balance,
)
from crm_returns.domain.money import Money
from crm_returns.domain.returns import goods
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.domain.stock.moves import StockMove, balances
from crm_returns.errors import InvalidInput


def finish(order: ReturnOrder, actor: Actor, n: int, outcome: Disposition) -> Transition:
    return goods.finish_repair(order, actor, AT, A_REF, units(n), outcome, CHART)


def costed_lines(
    make_delivered: MakeDelivered, make_line: MakeLine, a_units: int, a_cost: str | None = "60.00"
) -> tuple[ReturnLine, ReturnLine]:
    """Line A: ``a_units`` of 6 at 100.00, inspected; B: 2 costing 20.00, accepted on arrival."""
    a = make_line(A_REF, a_units, delivered=make_delivered(A_REF, 6, "100.00", unit_cost=a_cost))
    b = make_line(
        B_REF,
        2,
        delivered=make_delivered(B_REF, 2, "50.00", unit_cost="20.00"),
        inspection_required=False,
        reason_code="wrong_order",
        reason_category="order",
    )
    return a, b


# -- ids -------------------------------------------------------------------------------------


def test_stock_move_and_entry_ids_are_stable_and_unique(
    approved_return: Approved,
    make_delivered: MakeDelivered,
    make_line: MakeLine,
    warehouse: Actor,
) -> None:
    order = approved_return(*costed_lines(make_delivered, make_line, 2))
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(2))}
    received = receive(order, warehouse, receipts)
    # The same command on the same version gives the same ids: a retry is recognisable.
    again = receive(order, warehouse, receipts)
    assert [m.id for m in received.moves] == [m.id for m in again.moves]
    assert [e.id for e in received.entries] == [e.id for e in again.entries]
    # Ids name the return and the version the transition creates.
    assert [m.id for m in received.moves] == ["r-7:v3:m1", "r-7:v3:m2", "r-7:v3:m3"]
    split = {D.REPAIR: 1, D.RESTOCK: 1}
    inspected = inspect(
        received.order, warehouse, Inspection(accepted=units(2), dispositions=split)
    )
    repaired = finish(inspected.order, warehouse, 1, D.SCRAP)
    steps = (received, inspected, repaired)
    move_ids = [m.id for step in steps for m in step.moves]
    entry_ids = [e.id for step in steps for e in step.entries]
    assert len(move_ids) == len(set(move_ids)) == 6
    assert len(entry_ids) == len(set(entry_ids)) == 4


# -- stock moves and balances --------------------------------------------------------------


def move(n: int, source: Location, destination: Location, sku: str = "SKU-1") -> StockMove:
    return StockMove(
        id=f"m-{n}-{source.value}-{destination.value}",
        tenant_id="acme",
        return_id="r-1",
        line=A_REF,
        sku=sku,
        quantity=units(n),
        source=source,
        destination=destination,
        at=AT,
    )


def test_balances_add_up_moves_by_sku_and_location() -> None:
    moves = [
        move(3, L.CUSTOMER, L.RECEIVING),
        move(1, L.RECEIVING, L.SELLABLE),
        move(1, L.RECEIVING, L.SCRAP),
        move(1, L.RECEIVING, L.QUARANTINE),
        move(2, L.CUSTOMER, L.RECEIVING, sku="SKU-2"),
    ]
    # SKU-1: 3 left the customer; 1 each in sellable, scrap and quarantine; receiving is
    # empty again and left out.  SKU-2: 2 still in receiving.
    assert balances(moves) == {
        ("SKU-1", L.CUSTOMER): -3,
        ("SKU-1", L.SELLABLE): 1,
        ("SKU-1", L.SCRAP): 1,
        ("SKU-1", L.QUARANTINE): 1,
        ("SKU-2", L.CUSTOMER): -2,
        ("SKU-2", L.RECEIVING): 2,
    }


@pytest.mark.parametrize(
    "build",
    [
        lambda: move(0, L.CUSTOMER, L.RECEIVING),
        lambda: move(-1, L.CUSTOMER, L.RECEIVING),
        lambda: move(1, L.SELLABLE, L.SELLABLE),
    ],
    ids=["zero units", "negative units", "one location"],
)
def test_a_stock_move_moves_something_between_two_locations(
    build: Callable[[], StockMove],
) -> None:
    with pytest.raises(InvalidInput):
        build()


def test_only_the_customer_scrap_and_vendor_are_virtual() -> None:
    assert {location for location in Location if location.virtual} == {
        L.CUSTOMER,
        L.SCRAP,
        L.VENDOR,
    }


# -- journal entries and the trial balance ---------------------------------------------------


def journal(entry_id: str, *lines: tuple[Account, Side, Money]) -> JournalEntry:
    return JournalEntry(
        id=entry_id,
        tenant_id="acme",
        return_id="r-1",
        number="CN-1",
        kind=EntryKind.REFUND,
        at=AT,
        postings=tuple(Posting(*line) for line in lines),
    )


def test_an_unbalanced_entry_cannot_be_built() -> None:
    with pytest.raises(InvalidInput, match="does not balance"):
        journal(
            "j-1",
            (CHART.sales_returns, Side.DEBIT, cny("100.00")),
            (CHART.receivable, Side.CREDIT, cny("99.99")),
        )


def test_an_entry_is_in_one_currency() -> None:
    with pytest.raises(InvalidInput, match="mixes currencies"):
        journal(
            "j-1",
            (CHART.sales_returns, Side.DEBIT, cny("100.00")),
            (CHART.receivable, Side.CREDIT, Money("100.00", "USD")),
        )


def test_an_entry_needs_postings_of_more_than_zero() -> None:
    with pytest.raises(InvalidInput, match="no postings"):
        journal("j-1")
    for amount in (cny("0.00"), cny("-1.00")):
        with pytest.raises(InvalidInput, match="more than zero"):
            Posting(CHART.cash, Side.DEBIT, amount)


def test_entry_leaves_out_zero_amounts_and_posts_nothing_when_all_are_zero() -> None:
    common = {
        "entry_id": "j-1",
        "tenant_id": "acme",
        "return_id": "r-1",
        "number": "CN-1",
        "kind": EntryKind.REFUND,
        "at": AT,
        "memo": "",
    }
    made = entry(
        **common,  # type: ignore[arg-type]
        lines=[
            (CHART.sales_returns, Side.DEBIT, cny("10.00")),
            (CHART.tax_payable, Side.DEBIT, cny("0.00")),
            (CHART.receivable, Side.CREDIT, cny("10.00")),
        ],
    )
    assert made is not None
    assert [p.account for p in made.postings] == [CHART.sales_returns, CHART.receivable]
    assert entry(**common, lines=[(CHART.cash, Side.DEBIT, cny("0.00"))]) is None  # type: ignore[arg-type]


def test_the_trial_balance_totals_each_account_in_code_order() -> None:
    refund = journal(
        "j-1",
        (CHART.sales_returns, Side.DEBIT, cny("250.00")),
        (CHART.receivable, Side.CREDIT, cny("250.00")),
    )
    payment = journal(
        "j-2",
        (CHART.receivable, Side.DEBIT, cny("100.00")),
        (CHART.cash, Side.CREDIT, cny("100.00")),
    )
    rows = trial_balance([refund, payment])
    # Codes: cash 1002 < receivable 1122 < sales returns 6001.01.
    assert [(r.account, r.debit, r.credit) for r in rows] == [
        (CHART.cash, cny("0.00"), cny("100.00")),
        (CHART.receivable, cny("100.00"), cny("250.00")),
        (CHART.sales_returns, cny("250.00"), cny("0.00")),
    ]
    # Receivable: 100.00 - 250.00 = -150.00, a credit balance still owed to the customer.
    assert rows[1].balance == cny("-150.00")
    assert Money.total((r.debit for r in rows), "CNY") == Money.total(
        (r.credit for r in rows), "CNY"
    )


def test_the_trial_balance_keeps_currencies_apart() -> None:
    yen = JournalEntry(
        id="j-3",
        tenant_id="acme",
        return_id="r-2",
        number="CN-2",
        kind=EntryKind.REFUND,
        at=AT,
        postings=(
            Posting(CHART.cash, Side.DEBIT, Money(500, "JPY")),
            Posting(CHART.receivable, Side.CREDIT, Money(500, "JPY")),
        ),
    )
    cash = journal(
        "j-1", (CHART.cash, Side.DEBIT, cny("1.00")), (CHART.receivable, Side.CREDIT, cny("1.00"))
    )
    rows = trial_balance([yen, cash])
    assert [(r.account, r.debit) for r in rows if r.account == CHART.cash] == [
        (CHART.cash, cny("1.00")),
        (CHART.cash, Money(500, "JPY")),
    ]


# -- properties ------------------------------------------------------------------------------


def check_books(moves: list[StockMove], entries: list[JournalEntry], order: ReturnOrder) -> None:
    """Every entry balances; stock is conserved and never negative inside the warehouse."""
    for posted in entries:
        assert posted.total(Side.DEBIT) == posted.total(Side.CREDIT)
        assert {p.amount.currency for p in posted.postings} == {order.currency}
    on_hand = balances(moves)
    per_sku: defaultdict[str, Decimal] = defaultdict(Decimal)
    for (sku, location), count in on_hand.items():
        per_sku[sku] += count
        if not location.virtual:
            assert count >= 0, (sku, location, count)
    assert all(total == 0 for total in per_sku.values()), per_sku
    for line in order.lines:
        assert on_hand.get((line.sku, L.RECEIVING), 0) == line.awaiting_inspection
        assert on_hand.get((line.sku, L.REPAIR), 0) == line.in_repair
        assert -on_hand.get((line.sku, L.CUSTOMER), 0) == line.received - sum(
            n for outcome, n in line.rejected_outcomes if outcome is RejectOutcome.SEND_BACK
        )


def cogs_credited(entries: list[JournalEntry]) -> Money:
    return Money.total(
        (
            p.amount
            for posted in entries
            for p in posted.postings
            if p.account == CHART.cost_of_goods_sold and p.side is Side.CREDIT
        ),
        "CNY",
    )


def each_unit(data: st.DataObject, total: int, choices: list[T]) -> dict[T, Decimal]:
    """A choice drawn for each of ``total`` units, counted by choice."""
    picked = data.draw(st.lists(st.sampled_from(choices), min_size=total, max_size=total))
    return {choice: units(picked.count(choice)) for choice in choices}


@given(data=st.data())
def test_any_sequence_of_goods_keeps_stock_conserved_and_the_books_balanced(
    data: st.DataObject,
    approved_return: Approved,
    make_delivered: MakeDelivered,
    make_line: MakeLine,
    warehouse: Actor,
    clerk: Actor,
    grant: Grant,
) -> None:
    requested = data.draw(st.integers(1, 6), label="line A units")
    cost = data.draw(st.sampled_from([None, "60.00", "33.33"]), label="unit cost")
    a, b = costed_lines(make_delivered, make_line, requested, cost)
    order = approved_return(a, b)
    moves: list[StockMove] = []
    entries: list[JournalEntry] = []
    for _ in range(data.draw(st.integers(1, 10), label="steps")):
        steps = _possible_steps(order)
        if not steps:
            break
        step = data.draw(st.sampled_from(steps))
        result = _take(step, order, data, warehouse)
        order = result.order
        moves.extend(result.moves)
        entries.extend(result.entries)
        check_books(moves, entries, order)
    # Cost comes back out of cost of goods sold exactly for the accepted units.
    accepted_cost = Money.zero("CNY")
    for line in order.lines:
        if line.pricing.unit_cost is not None:
            for _, n in line.dispositions:
                accepted_cost += line.pricing.unit_cost.times(n)
    assert cogs_credited(entries) == accepted_cost
    if order.status in (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED) and all(
        line.settled for line in order.lines
    ):
        granted = grant(order, clerk, AT)
        check_books(moves, [*entries, *granted.entries], granted.order)


def _possible_steps(order: ReturnOrder) -> list[str]:
    steps = []
    if order.status in (ReturnStatus.APPROVED, ReturnStatus.PARTIALLY_RECEIVED) and any(
        line.awaiting_receipt for line in order.lines
    ):
        steps.append("receive")
    if order.status in (ReturnStatus.PARTIALLY_RECEIVED, ReturnStatus.RECEIVED) and (
        order.line(A_REF).awaiting_inspection
    ):
        steps.append("inspect")
    if order.status is not ReturnStatus.APPROVED and order.line(A_REF).in_repair:
        steps.append("repair")
    return steps


def _take(step: str, order: ReturnOrder, data: st.DataObject, actor: Actor) -> Transition:
    if step == "receive":
        receipts = {}
        for line in order.lines:
            if line.awaiting_receipt and data.draw(st.booleans()):
                # Part or all of what is expected arrives, is something else, or is lost.
                settled = data.draw(st.integers(1, int(line.awaiting_receipt)))
                fate = each_unit(data, settled, ["received", "wrong_item", "missing"])
                receipts[line.ref] = Receipt(
                    received=fate["received"],
                    wrong_item=fate["wrong_item"],
                    missing=fate["missing"],
                )
        if not receipts:
            line = next(line for line in order.lines if line.awaiting_receipt)
            receipts[line.ref] = Receipt(received=line.awaiting_receipt)
        return receive(order, actor, receipts)
    if step == "inspect":
        waiting = int(order.line(A_REF).awaiting_inspection)
        accepted = data.draw(st.integers(0, waiting))
        rejected = data.draw(st.integers(1 if accepted == 0 else 0, waiting - accepted))
        decision = Inspection(
            accepted=units(accepted),
            rejected=units(rejected),
            dispositions=each_unit(data, accepted, list(Disposition)),
            rejected_outcome=data.draw(st.sampled_from(RejectOutcome)),
        )
        return inspect(order, actor, decision)
    n = data.draw(st.integers(1, int(order.line(A_REF).in_repair)))
    return finish(order, actor, n, data.draw(st.sampled_from([D.RESTOCK, D.SCRAP])))
