"""The return order's state machine after approval: receiving and inspecting the goods.

Orders come from the ``order_in`` fixture (tests/domain/conftest.py): the
standard return has line A (2 units at 100.00 CNY, must be inspected) and
line B (1 unit at 50.00 CNY, accepted on arrival), one approval step taken by
the ``approver`` role, and was drafted by ``clerk``.  What the goods do to stock
and the books is specified in test_stock_and_ledger.py; here, the moves between
statuses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.events import (
    GoodsReceived,
    LinesInspected,
)
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns import approving, drafting, goods
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.errors import (
    ExcessQuantity,
    IllegalTransition,
    InvalidInput,
    InvalidQuantity,
    NotFound,
)

S = ReturnStatus
#: When the transition under test happens: a day after anything the fixtures did.
AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
A_REF = LineRef("SO-1", "1")
B_REF = LineRef("SO-1", "2")
UNKNOWN_REF = LineRef("SO-9", "9")
CHART = DEFAULT_CHART

OrderIn = Callable[[ReturnStatus], ReturnOrder]
AssertLegal = Callable[[ReturnOrder, Transition, Action, Actor, datetime], None]
Grant = Callable[[ReturnOrder, Actor, datetime], Transition]


def units(value: int | str) -> Decimal:
    return Decimal(value)


def counts(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


def drafted(lines: tuple[ReturnLine, ...], actor: Actor) -> ReturnOrder:
    return drafting.draft(
        return_id="r-2",
        number="RT-20261127-000002",
        actor=actor,
        at=AT,
        customer_id="C-1",
        customer_name="Customer One",
        lines=lines,
    ).order


# -- receive -------------------------------------------------------------------------


def test_a_partial_receipt_leaves_the_return_partially_received(
    order_in: OrderIn, warehouse: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.APPROVED)
    result = goods.receive(
        before, warehouse, AT, {A_REF: Receipt(received=units(1))}, CHART, comment="box 1"
    )
    assert_legal(before, result, Action.RECEIVE, warehouse, AT)
    order = result.order
    assert order.status is S.PARTIALLY_RECEIVED
    line = order.line(A_REF)
    assert (line.received, line.awaiting_receipt, line.accepted) == counts(1, 1, 0)
    (event,) = result.events
    assert isinstance(event, GoodsReceived)
    assert event.receipts == ((A_REF, Receipt(received=units(1))),)
    assert event.comment == "box 1"


def test_receiving_every_approved_unit_makes_the_return_received(
    order_in: OrderIn, warehouse: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.PARTIALLY_RECEIVED)  # line A: 1 of 2 received
    receipts = {A_REF: Receipt(received=units(1)), B_REF: Receipt(received=units(1))}
    result = goods.receive(before, warehouse, AT, receipts, CHART)
    assert_legal(before, result, Action.RECEIVE, warehouse, AT)
    assert result.order.status is S.RECEIVED
    assert result.order.line(A_REF).received == 2
    assert all(line.awaiting_receipt == 0 for line in result.order.lines)


def test_a_return_is_received_only_when_every_line_is(
    order_in: OrderIn, warehouse: Actor, assert_legal: AssertLegal
) -> None:
    # Line B (1 unit) arrives in full, but line A's 2 units are still expected.
    before = order_in(S.APPROVED)
    result = goods.receive(before, warehouse, AT, {B_REF: Receipt(received=units(1))}, CHART)
    assert_legal(before, result, Action.RECEIVE, warehouse, AT)
    assert result.order.status is S.PARTIALLY_RECEIVED
    assert result.order.line(B_REF).awaiting_receipt == 0
    assert result.order.line(A_REF).awaiting_receipt == 2


def test_everything_can_arrive_in_one_receipt(
    order_in: OrderIn, warehouse: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.APPROVED)
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(1))}
    result = goods.receive(before, warehouse, AT, receipts, CHART)
    assert_legal(before, result, Action.RECEIVE, warehouse, AT)
    assert result.order.status is S.RECEIVED


def test_goods_that_need_no_inspection_are_accepted_as_they_arrive(
    order_in: OrderIn, warehouse: Actor
) -> None:
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(1))}
    order = goods.receive(order_in(S.APPROVED), warehouse, AT, receipts, CHART).order
    assert order.line(B_REF).accepted == 1
    assert order.line(B_REF).settled
    assert order.line(A_REF).accepted == 0
    assert order.line(A_REF).awaiting_inspection == 2
    assert not order.line(A_REF).settled


def test_wrong_items_missing_units_and_transit_damage_are_counted_apart(
    order_in: OrderIn, warehouse: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.APPROVED)
    receipts = {
        # Line A, 2 approved: 1 arrived (and it is dented), 1 was something else.
        A_REF: Receipt(received=units(1), damaged_in_transit=units(1), wrong_item=units(1)),
        # Line B, 1 approved: never arrived.
        B_REF: Receipt(missing=units(1)),
    }
    result = goods.receive(before, warehouse, AT, receipts, CHART)
    assert_legal(before, result, Action.RECEIVE, warehouse, AT)
    assert result.order.status is S.RECEIVED
    a, b = result.order.line(A_REF), result.order.line(B_REF)
    assert (a.received, a.damaged_in_transit, a.wrong_item, a.missing) == counts(1, 1, 1, 0)
    assert (b.received, b.wrong_item, b.missing, b.accepted) == counts(0, 0, 1, 0)


@pytest.mark.parametrize(
    "receipt",
    [
        Receipt(received=units(3)),
        Receipt(received=units(2), missing=units(1)),
        Receipt(wrong_item=units(2), missing=units(1)),
    ],
    ids=["3 received", "2 received + 1 missing", "2 wrong + 1 missing"],
)
def test_a_receipt_may_not_account_for_more_than_the_approved_units(
    order_in: OrderIn, warehouse: Actor, receipt: Receipt
) -> None:
    with pytest.raises(ExcessQuantity, match="SO-1/1"):
        goods.receive(order_in(S.APPROVED), warehouse, AT, {A_REF: receipt}, CHART)


def test_later_receipts_count_what_earlier_ones_settled(
    order_in: OrderIn, warehouse: Actor
) -> None:
    # Line A: 2 approved, 1 already received, so 1 is still expected.
    with pytest.raises(ExcessQuantity, match="only 1 of 2"):
        goods.receive(
            order_in(S.PARTIALLY_RECEIVED),
            warehouse,
            AT,
            {A_REF: Receipt(received=units(2))},
            CHART,
        )


def test_units_the_approver_struck_out_cannot_be_received(
    order_in: OrderIn, approver: Actor, warehouse: Actor
) -> None:
    order = approving.approve(order_in(S.SUBMITTED), approver, AT, "", {A_REF: units(1)}).order
    with pytest.raises(ExcessQuantity):
        goods.receive(order, warehouse, AT, {A_REF: Receipt(received=units(2))}, CHART)


def test_a_receive_must_name_at_least_one_line(order_in: OrderIn, warehouse: Actor) -> None:
    with pytest.raises(InvalidInput, match="at least one line"):
        goods.receive(order_in(S.APPROVED), warehouse, AT, {}, CHART)


def test_a_receipt_for_a_line_not_on_the_return_is_not_found(
    order_in: OrderIn, warehouse: Actor
) -> None:
    with pytest.raises(NotFound, match="SO-9/9"):
        goods.receive(
            order_in(S.APPROVED), warehouse, AT, {UNKNOWN_REF: Receipt(received=units(1))}, CHART
        )


def test_a_receipt_must_account_for_something() -> None:
    with pytest.raises(InvalidInput, match="at least one unit"):
        Receipt()


def test_more_units_cannot_be_damaged_than_arrived() -> None:
    with pytest.raises(InvalidInput, match="damaged_in_transit"):
        Receipt(received=units(1), damaged_in_transit=units(2))


@pytest.mark.parametrize("bad", [-1, 1.0, "NaN"], ids=repr)
def test_receipt_counts_are_exact_and_not_negative(bad: object) -> None:
    with pytest.raises(InvalidQuantity):
        Receipt(received=bad)


# -- inspect -------------------------------------------------------------------------


def test_inspecting_while_goods_are_still_coming_keeps_the_return_partially_received(
    order_in: OrderIn, warehouse: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.PARTIALLY_RECEIVED)  # line A: 1 received
    result = goods.inspect(before, warehouse, AT, {A_REF: Inspection(accepted=units(1))}, CHART)
    assert_legal(before, result, Action.INSPECT, warehouse, AT)
    assert result.order.status is S.PARTIALLY_RECEIVED
    assert result.order.line(A_REF).accepted == 1
    (event,) = result.events
    assert isinstance(event, LinesInspected)
    assert event.inspections == ((A_REF, Inspection(accepted=units(1))),)


def test_inspecting_more_than_has_arrived_is_refused(order_in: OrderIn, warehouse: Actor) -> None:
    with pytest.raises(ExcessQuantity, match="SO-1/1"):
        goods.inspect(
            order_in(S.PARTIALLY_RECEIVED),
            warehouse,
            AT,
            {A_REF: Inspection(accepted=units(2))},
            CHART,
        )


def test_deciding_every_received_unit_makes_the_return_inspected(
    order_in: OrderIn, warehouse: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.RECEIVED)
    decision = Inspection(accepted=units(1), rejected=units(1), note="one scratched by customer")
    result = goods.inspect(before, warehouse, AT, {A_REF: decision}, CHART)
    assert_legal(before, result, Action.INSPECT, warehouse, AT)
    assert result.order.status is S.INSPECTED
    a = result.order.line(A_REF)
    assert (a.accepted, a.rejected, a.awaiting_inspection) == counts(1, 1, 0)
    assert a.review_note is None


def test_an_inspection_in_parts_waits_for_the_last_part(
    order_in: OrderIn, warehouse: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.RECEIVED)
    first = goods.inspect(before, warehouse, AT, {A_REF: Inspection(accepted=units(1))}, CHART)
    assert_legal(before, first, Action.INSPECT, warehouse, AT)
    assert first.order.status is S.RECEIVED
    second = goods.inspect(
        first.order, warehouse, AT, {A_REF: Inspection(rejected=units(1))}, CHART
    )
    assert_legal(first.order, second, Action.INSPECT, warehouse, AT)
    assert second.order.status is S.INSPECTED


@pytest.mark.parametrize(
    ("ref", "decision"),
    [
        (A_REF, Inspection(accepted=units(2), rejected=units(1))),  # 3 > 2 received
        (B_REF, Inspection(accepted=units(1))),  # B was accepted on arrival
    ],
    ids=["more than received", "already accepted on arrival"],
)
def test_units_cannot_be_decided_twice(
    order_in: OrderIn, warehouse: Actor, ref: LineRef, decision: Inspection
) -> None:
    with pytest.raises(ExcessQuantity, match=str(ref)):
        goods.inspect(order_in(S.RECEIVED), warehouse, AT, {ref: decision}, CHART)


def test_a_line_flagged_for_review_holds_the_return_until_settled(
    order_in: OrderIn, warehouse: Actor, clerk: Actor, grant: Grant
) -> None:
    before = order_in(S.RECEIVED)
    flagged = goods.inspect(
        before,
        warehouse,
        AT,
        {A_REF: Inspection(accepted=units(1), needs_review=True, note="seal broken?")},
        CHART,
    ).order
    assert flagged.status is S.RECEIVED
    assert flagged.line(A_REF).review_note == "seal broken?"
    assert not flagged.line(A_REF).settled
    with pytest.raises(IllegalTransition, match="SO-1/1"):
        grant(flagged, clerk, AT)
    with pytest.raises(IllegalTransition, match="SO-1/1"):
        goods.complete(flagged, clerk, AT)

    settled = goods.inspect(flagged, warehouse, AT, {A_REF: Inspection(accepted=units(1))}, CHART)
    assert settled.order.status is S.INSPECTED
    assert settled.order.line(A_REF).review_note is None


def test_a_review_flag_blocks_inspected_even_when_every_unit_is_decided(
    order_in: OrderIn, warehouse: Actor
) -> None:
    # Both units of line A decided, but someone must still look: not INSPECTED.
    order = goods.inspect(
        order_in(S.RECEIVED),
        warehouse,
        AT,
        {A_REF: Inspection(accepted=units(2), needs_review=True)},
        CHART,
    ).order
    assert order.status is S.RECEIVED
    assert order.line(A_REF).awaiting_inspection == 0
    assert order.line(A_REF).review_note == "needs review"


def test_a_review_raised_after_every_unit_was_decided_can_still_be_settled(
    order_in: OrderIn, warehouse: Actor
) -> None:
    # Inspection says the flag "holds the return until an inspection without the
    # flag settles it".  When every unit was decided with the flag up, that
    # settling inspection decides no units, and it must still be possible;
    # otherwise the return can be neither inspected, completed nor cancelled.
    flagged = goods.inspect(
        order_in(S.RECEIVED),
        warehouse,
        AT,
        {A_REF: Inspection(accepted=units(2), needs_review=True, note="seal broken?")},
        CHART,
    ).order
    settled = goods.inspect(
        flagged, warehouse, AT, {A_REF: Inspection(note="supervisor: seal was fine")}, CHART
    )
    assert settled.order.status is S.INSPECTED
    assert settled.order.line(A_REF).review_note is None


def test_an_inspection_that_decides_and_flags_nothing_is_refused(
    order_in: OrderIn, warehouse: Actor
) -> None:
    with pytest.raises(InvalidInput):
        goods.inspect(order_in(S.RECEIVED), warehouse, AT, {A_REF: Inspection(note="hm")}, CHART)


def test_an_inspect_must_name_at_least_one_line(order_in: OrderIn, warehouse: Actor) -> None:
    with pytest.raises(InvalidInput, match="at least one line"):
        goods.inspect(order_in(S.RECEIVED), warehouse, AT, {}, CHART)


def test_an_inspection_of_a_line_not_on_the_return_is_not_found(
    order_in: OrderIn, warehouse: Actor
) -> None:
    with pytest.raises(NotFound, match="SO-9/9"):
        goods.inspect(
            order_in(S.RECEIVED), warehouse, AT, {UNKNOWN_REF: Inspection(accepted=units(1))}, CHART
        )
