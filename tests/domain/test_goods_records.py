"""What receiving, inspecting and finishing a repair leave on record.

Beside the moves between statuses (test_transitions_goods.py) and what the
goods do to stock and the books (test_stock_and_ledger.py): the remark each
event carries, the time and version of the return after a repair, the
rejected outcomes a line counts, and the lot on each stock move.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from tests.domain.stock_support import (
    A_REF,
    AT,
    B_REF,
    CHART,
    Approved,
    MakeDelivered,
    MakeLine,
    units,
)

from crm_returns.domain.actors import Actor
from crm_returns.domain.events import GoodsReceived, LinesInspected, RepairFinished
from crm_returns.domain.returns import goods
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import Action
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome
from crm_returns.errors import InvalidInput, InvalidQuantity

AssertLegal = Callable[[ReturnOrder, Transition, Action, Actor, datetime], None]


@pytest.fixture
def two_lines(make_delivered: MakeDelivered, make_line: MakeLine) -> tuple[ReturnLine, ...]:
    """Line A: 2 units to inspect; line B: 1 unit accepted on arrival."""
    return (
        make_line(A_REF, 2, delivered=make_delivered(A_REF, 2, "100.00", unit_cost="60.00")),
        make_line(
            B_REF,
            1,
            delivered=make_delivered(B_REF, 1, "50.00", unit_cost="20.00"),
            inspection_required=False,
            reason_code="wrong_order",
            reason_category="order",
        ),
    )


@pytest.fixture
def received(
    approved_return: Approved, two_lines: tuple[ReturnLine, ...], warehouse: Actor
) -> ReturnOrder:
    """Both lines received in full; line A's 2 units await inspection."""
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(1))}
    return goods.receive(approved_return(*two_lines), warehouse, AT, receipts, CHART).order


@pytest.fixture
def in_repair(received: ReturnOrder, warehouse: Actor) -> ReturnOrder:
    """Line A's 2 units accepted into repair; the return is inspected."""
    decision = {A_REF: Inspection(accepted=units(2), disposition=Disposition.REPAIR)}
    return goods.inspect(received, warehouse, AT, decision, CHART).order


def test_the_receipt_event_carries_the_receivers_remark(
    approved_return: Approved, two_lines: tuple[ReturnLine, ...], warehouse: Actor
) -> None:
    result = goods.receive(
        approved_return(*two_lines),
        warehouse,
        AT,
        {B_REF: Receipt(received=units(1))},
        CHART,
        comment="box dented",
    )
    (event,) = result.events
    assert isinstance(event, GoodsReceived)
    assert event.comment == "box dented"


def test_the_inspection_event_carries_the_inspectors_remark(
    received: ReturnOrder, warehouse: Actor
) -> None:
    result = goods.inspect(
        received,
        warehouse,
        AT,
        {A_REF: Inspection(accepted=units(2))},
        CHART,
        comment="both work",
    )
    (event,) = result.events
    assert isinstance(event, LinesInspected)
    assert event.comment == "both work"


def test_the_finished_repair_event_carries_the_repairers_remark(
    in_repair: ReturnOrder, warehouse: Actor
) -> None:
    result = goods.finish_repair(
        in_repair, warehouse, AT, A_REF, units(1), Disposition.RESTOCK, CHART, comment="new fan"
    )
    (event,) = result.events
    assert isinstance(event, RepairFinished)
    assert event.comment == "new fan"


@pytest.mark.parametrize("outcome", [Disposition.RESTOCK, Disposition.SCRAP])
def test_finishing_a_repair_updates_the_return_at_that_time_and_version(
    in_repair: ReturnOrder, warehouse: Actor, assert_legal: AssertLegal, outcome: Disposition
) -> None:
    later = AT.replace(hour=AT.hour + 5)
    result = goods.finish_repair(in_repair, warehouse, later, A_REF, units(2), outcome, CHART)
    assert_legal(in_repair, result, Action.FINISH_REPAIR, warehouse, later)
    assert result.order.updated_at == later
    assert result.order.status is in_repair.status


def test_an_inspection_that_rejects_nothing_records_no_rejected_outcome(
    received: ReturnOrder, warehouse: Actor
) -> None:
    decision = {A_REF: Inspection(accepted=units(2), rejected_outcome=RejectOutcome.SEND_BACK)}
    line = goods.inspect(received, warehouse, AT, decision, CHART).order.line(A_REF)
    assert line.rejected_outcomes == ()
    assert line.rejected == 0


def test_an_inspection_that_rejects_units_records_their_outcome(
    received: ReturnOrder, warehouse: Actor
) -> None:
    decision = {
        A_REF: Inspection(
            accepted=units(1), rejected=units(1), rejected_outcome=RejectOutcome.SEND_BACK
        )
    }
    line = goods.inspect(received, warehouse, AT, decision, CHART).order.line(A_REF)
    assert line.rejected_outcomes == ((RejectOutcome.SEND_BACK, units(1)),)


def test_goods_received_without_a_lot_move_without_one(
    approved_return: Approved, two_lines: tuple[ReturnLine, ...], warehouse: Actor
) -> None:
    order = approved_return(*two_lines)
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(1))}
    receiving = goods.receive(order, warehouse, AT, receipts, CHART)
    decision = {A_REF: Inspection(accepted=units(1), rejected=units(1))}
    inspecting = goods.inspect(receiving.order, warehouse, AT, decision, CHART)
    moves = (*receiving.moves, *inspecting.moves)
    assert len(moves) == 5  # A and B arrive, B is restocked, A's two units go their ways
    assert [move.lot for move in moves] == [""] * 5


def test_finishing_a_repair_changes_only_the_repaired_line(
    in_repair: ReturnOrder, warehouse: Actor
) -> None:
    result = goods.finish_repair(
        in_repair, warehouse, AT, A_REF, units(1), Disposition.RESTOCK, CHART
    )
    assert result.order.line(B_REF) == in_repair.line(B_REF)
    assert result.order.line(A_REF).repaired == 1
    (event,) = result.events
    assert (event.from_status, event.to_status) == (in_repair.status, in_repair.status)
    assert event.comment == ""


@pytest.mark.parametrize("bad", ["one", -1, 1.0])
def test_the_units_of_a_finished_repair_are_named_when_refused(
    in_repair: ReturnOrder, warehouse: Actor, bad: object
) -> None:
    units_given: Decimal = bad  # type: ignore[assignment]
    with pytest.raises(InvalidInput, match=r"^units "):
        goods.finish_repair(
            in_repair, warehouse, AT, A_REF, units_given, Disposition.RESTOCK, CHART
        )


def test_a_repair_ending_elsewhere_than_restock_or_scrap_is_refused_by_name(
    in_repair: ReturnOrder, warehouse: Actor
) -> None:
    with pytest.raises(InvalidInput) as raised:
        goods.finish_repair(
            in_repair, warehouse, AT, A_REF, units(1), Disposition.QUARANTINE, CHART
        )
    assert str(raised.value) == (
        f"a repair ends in restock or scrap, not {Disposition.QUARANTINE!r}"
    )


def test_finishing_the_repair_of_no_unit_is_refused_by_line(
    in_repair: ReturnOrder, warehouse: Actor
) -> None:
    with pytest.raises(InvalidInput) as raised:
        goods.finish_repair(in_repair, warehouse, AT, A_REF, units(0), Disposition.SCRAP, CHART)
    assert str(raised.value) == f"line {A_REF}: finish the repair of at least one unit"


def test_the_entries_of_one_transition_have_ids_in_posting_order_and_say_what_they_post(
    received: ReturnOrder, warehouse: Actor
) -> None:
    split = ((Disposition.RESTOCK, units(1)), (Disposition.SCRAP, units(1)))
    decision = {A_REF: Inspection(accepted=units(2), dispositions=split)}
    result = goods.inspect(received, warehouse, AT, decision, CHART)
    prefix = f"{received.id}:v{received.version + 1}"
    assert [(posted.id, posted.memo) for posted in result.entries] == [
        (f"{prefix}:j1", f"{A_REF} 1 × SKU-1 restock at cost 60.00 CNY"),
        (f"{prefix}:j2", f"{A_REF} 1 × SKU-1 scrap at cost 60.00 CNY"),
    ]


def test_a_repair_scrapped_after_all_is_written_off_with_a_memo_saying_so(
    in_repair: ReturnOrder, warehouse: Actor
) -> None:
    result = goods.finish_repair(
        in_repair, warehouse, AT, A_REF, units(2), Disposition.SCRAP, CHART
    )
    (posted,) = result.entries
    assert posted.memo == f"{A_REF} 2 × SKU-1 scrapped after repair"


def test_receiving_and_inspecting_without_a_remark_record_none(
    approved_return: Approved, two_lines: tuple[ReturnLine, ...], warehouse: Actor
) -> None:
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(1))}
    receiving = goods.receive(approved_return(*two_lines), warehouse, AT, receipts, CHART)
    decision = {A_REF: Inspection(accepted=units(2))}
    inspecting = goods.inspect(receiving.order, warehouse, AT, decision, CHART)
    assert [event.comment for event in (*receiving.events, *inspecting.events)] == ["", ""]


def test_a_receipt_or_inspection_naming_no_line_is_refused_saying_which(
    approved_return: Approved, two_lines: tuple[ReturnLine, ...], warehouse: Actor
) -> None:
    order = approved_return(*two_lines)
    with pytest.raises(InvalidInput) as raised:
        goods.receive(order, warehouse, AT, {}, CHART)
    assert str(raised.value) == "a receipt must name at least one line"
    received = goods.receive(order, warehouse, AT, {A_REF: Receipt(received=units(2))}, CHART)
    with pytest.raises(InvalidInput) as raised:
        goods.inspect(received.order, warehouse, AT, {}, CHART)
    assert str(raised.value) == "an inspection must name at least one line"


def test_an_inspection_deciding_nothing_is_refused_naming_the_line(
    received: ReturnOrder, warehouse: Actor
) -> None:
    with pytest.raises(InvalidInput) as raised:
        goods.inspect(received, warehouse, AT, {A_REF: Inspection()}, CHART)
    assert str(raised.value) == (f"line {A_REF}: the inspection accepts, rejects or flags nothing")


def test_the_lot_received_goes_on_every_move_of_its_units(
    approved_return: Approved, two_lines: tuple[ReturnLine, ...], warehouse: Actor
) -> None:
    # Line B needs no inspection: it is restocked as it arrives, in the receipt's lot.
    order = approved_return(*two_lines)
    receipts = {
        A_REF: Receipt(received=units(2), lot="L-7"),
        B_REF: Receipt(received=units(1), lot="L-9"),
    }
    receiving = goods.receive(order, warehouse, AT, receipts, CHART)
    decision = {
        A_REF: Inspection(
            accepted=units(1),
            rejected=units(1),
            disposition=Disposition.REPAIR,
            rejected_outcome=RejectOutcome.KEEP_IN_QUARANTINE,
        )
    }
    inspecting = goods.inspect(receiving.order, warehouse, AT, decision, CHART)
    repaired = goods.finish_repair(
        inspecting.order, warehouse, AT, A_REF, units(1), Disposition.RESTOCK, CHART
    )
    moves = (*receiving.moves, *inspecting.moves, *repaired.moves)
    assert [(move.line, move.lot) for move in moves] == [
        (A_REF, "L-7"),  # arrives
        (B_REF, "L-9"),  # arrives
        (B_REF, "L-9"),  # restocked at once
        (A_REF, "L-7"),  # accepted unit to repair
        (A_REF, "L-7"),  # rejected unit kept in quarantine
        (A_REF, "L-7"),  # repaired unit back to stock
    ]


@pytest.mark.parametrize("what", ["received", "damaged_in_transit", "wrong_item", "missing"])
def test_a_receipt_finer_than_the_lines_unit_is_refused_naming_the_count(
    approved_return: Approved, two_lines: tuple[ReturnLine, ...], warehouse: Actor, what: str
) -> None:
    order = approved_return(*two_lines)
    counts: dict[str, Any] = {"received": units(1), what: Decimal("0.5")}
    with pytest.raises(InvalidQuantity) as refused:
        goods.receive(order, warehouse, AT, {A_REF: Receipt(**counts)}, CHART)
    assert str(refused.value) == (
        f"line {A_REF}: {what} 0.5 is finer than its unit allows (whole units)"
    )
