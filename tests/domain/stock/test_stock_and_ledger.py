"""Stock moves (库存流水) and what they cost: receiving, dispositions, rejects, repairs, serials.

Line A (quality defect) must be inspected; line B (wrong order) is accepted and
restocked on arrival.  Unit costs are 60.00 (A) and 20.00 (B) CNY unless a test
says the host does not know them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
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
    cny,
    inspect,
    path,
    postings,
    receive,
    units,
)

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import Account
from crm_returns.domain.books.journal import EntryKind, Side
from crm_returns.domain.events import RepairFinished
from crm_returns.domain.returns import goods
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.returnable import returned_serials
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.domain.stock.moves import MoveReason
from crm_returns.errors import ExcessQuantity, IllegalTransition, InvalidInput


@pytest.fixture
def line_a(make_delivered: MakeDelivered, make_line: MakeLine) -> Callable[..., ReturnLine]:
    """Line A with ``n`` units on the return out of 5 delivered, cost 60.00 unless ``cost``."""

    def build(n: int = 3, cost: str | None = "60.00", serials: tuple[str, ...] = ()) -> ReturnLine:
        delivered = make_delivered(A_REF, 5, "100.00", unit_cost=cost, serial_numbers=serials)
        return make_line(A_REF, n, delivered=delivered)

    return build


@pytest.fixture
def line_b(make_delivered: MakeDelivered, make_line: MakeLine) -> ReturnLine:
    """Line B: 1 unit at 50.00 costing 20.00, wrong order, accepted on arrival."""
    delivered = make_delivered(B_REF, 1, "50.00", unit_cost="20.00")
    return make_line(
        B_REF,
        1,
        delivered=delivered,
        inspection_required=False,
        reason_code="wrong_order",
        reason_category="order",
    )


# -- receiving -------------------------------------------------------------------------------


def test_receiving_moves_goods_from_the_customer_into_returns_receiving(
    approved_return: Approved, line_a: Callable[..., ReturnLine], warehouse: Actor
) -> None:
    order = approved_return(line_a(3))
    # 3 approved: 1 arrives, 1 was something else, 1 never came.  Only the arrival moves.
    result = receive(
        order, warehouse, {A_REF: Receipt(received=units(1), wrong_item=units(1), missing=units(1))}
    )
    (move,) = result.moves
    assert path([move]) == [(L.CUSTOMER, L.RECEIVING, 1, MoveReason.RECEIPT)]
    assert (move.sku, move.line, move.return_id, move.tenant_id, move.at) == (
        "SKU-1",
        A_REF,
        order.id,
        "acme",
        AT,
    )
    # Nothing is accepted yet, so nothing is valued back into stock.
    assert result.entries == ()


def test_goods_that_need_no_inspection_are_restocked_and_valued_on_arrival(
    approved_return: Approved, line_b: ReturnLine, warehouse: Actor
) -> None:
    result = receive(approved_return(line_b), warehouse, {B_REF: Receipt(received=units(1))})
    assert path(result.moves) == [
        (L.CUSTOMER, L.RECEIVING, 1, MoveReason.RECEIPT),
        (L.RECEIVING, L.SELLABLE, 1, MoveReason.RESTOCK),
    ]
    (posted,) = result.entries
    assert posted.kind is EntryKind.RESTOCK
    # 1 x 20.00 back into inventory, out of cost of goods sold.
    assert postings(posted) == {
        (CHART.inventory, Side.DEBIT, cny("20.00")),
        (CHART.cost_of_goods_sold, Side.CREDIT, cny("20.00")),
    }
    assert result.order.line(B_REF).dispositions == ((D.RESTOCK, units(1)),)


# -- dispositions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disposition", "destination", "debit", "kind"),
    [
        (D.RESTOCK, L.SELLABLE, CHART.inventory, EntryKind.RESTOCK),
        (D.REPAIR, L.REPAIR, CHART.inventory, EntryKind.REPAIR),
        (D.QUARANTINE, L.QUARANTINE, CHART.inventory, EntryKind.QUARANTINE),
        (D.SCRAP, L.SCRAP, CHART.scrap_loss, EntryKind.SCRAP),
        (D.RETURN_TO_VENDOR, L.VENDOR, CHART.vendor_receivable, EntryKind.VENDOR_RETURN),
    ],
)
def test_each_disposition_moves_accepted_units_on_and_posts_their_cost(
    approved_return: Approved,
    line_a: Callable[..., ReturnLine],
    warehouse: Actor,
    disposition: Disposition,
    destination: Location,
    debit: Account,
    kind: EntryKind,
) -> None:
    order = receive(approved_return(line_a(2)), warehouse, {A_REF: Receipt(received=units(2))})
    result = inspect(order.order, warehouse, Inspection(accepted=units(2), disposition=disposition))
    assert path(result.moves) == [
        (L.RECEIVING, destination, 2, MoveReason(disposition.value)),
    ]
    (posted,) = result.entries
    assert (posted.kind, posted.number) == (kind, order.order.number)
    # 2 units at a cost of 60.00 = 120.00.
    assert postings(posted) == {
        (debit, Side.DEBIT, cny("120.00")),
        (CHART.cost_of_goods_sold, Side.CREDIT, cny("120.00")),
    }
    assert result.order.line(A_REF).disposed(disposition) == 2


@pytest.mark.parametrize("disposition", list(Disposition))
def test_goods_without_a_known_cost_move_but_post_nothing(
    approved_return: Approved,
    line_a: Callable[..., ReturnLine],
    warehouse: Actor,
    disposition: Disposition,
) -> None:
    order = receive(
        approved_return(line_a(1, cost=None)), warehouse, {A_REF: Receipt(received=units(1))}
    ).order
    result = inspect(order, warehouse, Inspection(accepted=units(1), disposition=disposition))
    assert len(result.moves) == 1
    assert result.entries == ()


def test_accepted_units_can_be_split_over_several_dispositions(
    approved_return: Approved, line_a: Callable[..., ReturnLine], warehouse: Actor
) -> None:
    order = receive(
        approved_return(line_a(4)), warehouse, {A_REF: Receipt(received=units(4))}
    ).order
    split = {D.RESTOCK: 1, D.REPAIR: 2, D.SCRAP: 1}
    result = inspect(order, warehouse, Inspection(accepted=units(4), dispositions=split))
    assert sorted(path(result.moves), key=str) == sorted(
        [
            (L.RECEIVING, L.SELLABLE, 1, MoveReason.RESTOCK),
            (L.RECEIVING, L.REPAIR, 2, MoveReason.REPAIR),
            (L.RECEIVING, L.SCRAP, 1, MoveReason.SCRAP),
        ],
        key=str,
    )
    # 60.00 (1 restocked) and 120.00 (2 in repair) back into inventory; 60.00 (1 scrapped)
    # a loss; 240.00 out of cost of goods sold in all.
    debits = sorted(
        (p.account.code, p.amount)
        for e in result.entries
        for p in e.postings
        if p.side is Side.DEBIT
    )
    assert debits == sorted(
        [
            (CHART.inventory.code, cny("60.00")),
            (CHART.inventory.code, cny("120.00")),
            (CHART.scrap_loss.code, cny("60.00")),
        ]
    )
    line = result.order.line(A_REF)
    assert (line.disposed(D.RESTOCK), line.disposed(D.REPAIR), line.in_repair) == (
        units(1),
        units(2),
        units(2),
    )


def test_dispositions_must_add_up_to_the_accepted_units() -> None:
    with pytest.raises(InvalidInput, match="add up to 2 units but 3 are accepted"):
        Inspection(accepted=units(3), dispositions={D.RESTOCK: 1, D.SCRAP: 1})


@pytest.mark.parametrize(
    ("outcome", "destination"),
    [(RejectOutcome.KEEP_IN_QUARANTINE, L.QUARANTINE), (RejectOutcome.SEND_BACK, L.CUSTOMER)],
)
def test_rejected_units_stay_in_quarantine_or_go_back_and_are_not_valued(
    approved_return: Approved,
    line_a: Callable[..., ReturnLine],
    warehouse: Actor,
    outcome: RejectOutcome,
    destination: Location,
) -> None:
    order = receive(
        approved_return(line_a(2)), warehouse, {A_REF: Receipt(received=units(2))}
    ).order
    result = inspect(order, warehouse, Inspection(rejected=units(2), rejected_outcome=outcome))
    assert path(result.moves) == [(L.RECEIVING, destination, 2, MoveReason(outcome.value))]
    assert result.entries == ()
    assert result.order.line(A_REF).rejected_outcomes == ((outcome, units(2)),)


def test_rejected_units_stay_in_quarantine_unless_told_otherwise() -> None:
    assert Inspection(rejected=units(1)).rejected_outcome is RejectOutcome.KEEP_IN_QUARANTINE


# -- repairs -----------------------------------------------------------------------------


@pytest.fixture
def in_repair(
    approved_return: Approved, line_a: Callable[..., ReturnLine], warehouse: Actor
) -> ReturnOrder:
    """Line A: 2 received and accepted into repair; the return is inspected."""
    order = receive(approved_return(line_a(2)), warehouse, {A_REF: Receipt(received=units(2))})
    return inspect(
        order.order, warehouse, Inspection(accepted=units(2), disposition=D.REPAIR)
    ).order


def finish(order: ReturnOrder, actor: Actor, n: int, outcome: Disposition) -> Transition:
    return goods.finish_repair(order, actor, AT, A_REF, units(n), outcome, CHART)


def test_a_finished_repair_goes_back_to_sellable_stock_at_no_further_cost(
    in_repair: ReturnOrder, warehouse: Actor
) -> None:
    result = finish(in_repair, warehouse, 1, D.RESTOCK)
    assert path(result.moves) == [(L.REPAIR, L.SELLABLE, 1, MoveReason.REPAIRED_RESTOCK)]
    # Its cost went back into inventory when it entered repair.
    assert result.entries == ()
    line = result.order.line(A_REF)
    assert (line.repaired, line.in_repair) == (units(1), units(1))
    assert result.order.status is ReturnStatus.INSPECTED
    (event,) = result.events
    assert isinstance(event, RepairFinished)
    assert (event.line, event.units, event.outcome) == (A_REF, units(1), D.RESTOCK)


def test_a_repair_that_fails_is_scrapped_and_written_off(
    in_repair: ReturnOrder, warehouse: Actor
) -> None:
    result = finish(in_repair, warehouse, 2, D.SCRAP)
    assert path(result.moves) == [(L.REPAIR, L.SCRAP, 2, MoveReason.REPAIRED_SCRAP)]
    (posted,) = result.entries
    # 2 x 60.00 out of inventory into scrap loss.
    assert posted.kind is EntryKind.SCRAP
    assert postings(posted) == {
        (CHART.scrap_loss, Side.DEBIT, cny("120.00")),
        (CHART.inventory, Side.CREDIT, cny("120.00")),
    }


def test_no_more_units_can_leave_repair_than_are_in_it(
    in_repair: ReturnOrder, warehouse: Actor
) -> None:
    after_one = finish(in_repair, warehouse, 1, D.RESTOCK).order
    with pytest.raises(ExcessQuantity, match="2 units to finish but 1 in repair"):
        finish(after_one, warehouse, 2, D.RESTOCK)


@pytest.mark.parametrize(
    ("n", "outcome"), [(0, D.RESTOCK), (1, D.QUARANTINE), (1, D.RETURN_TO_VENDOR)]
)
def test_a_repair_ends_in_restock_or_scrap_of_at_least_one_unit(
    in_repair: ReturnOrder, warehouse: Actor, n: int, outcome: Disposition
) -> None:
    with pytest.raises(InvalidInput):
        finish(in_repair, warehouse, n, outcome)


def test_a_repair_can_finish_after_the_return_is_completed(
    in_repair: ReturnOrder, clerk: Actor, warehouse: Actor, grant: Grant
) -> None:
    completed = goods.complete(grant(in_repair, clerk, AT).order, clerk, AT).order
    result = finish(completed, warehouse, 2, D.RESTOCK)
    assert result.order.status is ReturnStatus.COMPLETED
    assert result.order.line(A_REF).in_repair == 0


def test_nothing_can_be_in_repair_before_goods_arrive(
    approved_return: Approved, line_a: Callable[..., ReturnLine], warehouse: Actor
) -> None:
    with pytest.raises(IllegalTransition):
        finish(approved_return(line_a(2)), warehouse, 1, D.RESTOCK)


# -- serial numbers ------------------------------------------------------------------------

SERIALS = ("SN-1", "SN-2", "SN-3")


def test_received_serial_numbers_and_lot_travel_with_the_goods(
    approved_return: Approved, line_a: Callable[..., ReturnLine], warehouse: Actor
) -> None:
    order = approved_return(line_a(2, serials=SERIALS))
    receipt = Receipt(received=units(2), serial_numbers=("SN-3", "SN-1"), lot="L-7")
    result = receive(order, warehouse, {A_REF: receipt})
    (move,) = result.moves
    assert (move.serial_numbers, move.lot) == (("SN-3", "SN-1"), "L-7")
    assert result.order.line(A_REF).serial_numbers == ("SN-3", "SN-1")
    assert result.order.line(A_REF).lot == "L-7"


@pytest.mark.parametrize(
    ("receipt", "message"),
    [
        (Receipt(received=units(1), serial_numbers=("SN-9",)), "not delivered"),
        (Receipt(received=units(2), serial_numbers=("SN-1",)), "one per received unit"),
        (Receipt(received=units(1)), "one per received unit"),
    ],
    ids=["not delivered on the line", "too few", "none"],
)
def test_serial_numbers_must_be_delivered_on_the_line_one_per_unit(
    approved_return: Approved,
    line_a: Callable[..., ReturnLine],
    warehouse: Actor,
    receipt: Receipt,
    message: str,
) -> None:
    with pytest.raises(InvalidInput, match=message):
        receive(approved_return(line_a(2, serials=SERIALS)), warehouse, {A_REF: receipt})


def test_a_line_that_does_not_track_serials_refuses_them(
    approved_return: Approved, line_a: Callable[..., ReturnLine], warehouse: Actor
) -> None:
    receipt = Receipt(received=units(1), serial_numbers=("SN-1",))
    with pytest.raises(InvalidInput, match="does not track serial numbers"):
        receive(approved_return(line_a(1)), warehouse, {A_REF: receipt})


def test_a_serial_number_cannot_repeat_in_one_receipt() -> None:
    with pytest.raises(InvalidInput, match="repeat"):
        Receipt(received=units(2), serial_numbers=("SN-1", "SN-1"))


def test_a_serial_number_comes_back_only_once_on_a_return(
    approved_return: Approved, line_a: Callable[..., ReturnLine], warehouse: Actor
) -> None:
    order = approved_return(line_a(2, serials=SERIALS))
    once = receive(order, warehouse, {A_REF: Receipt(received=units(1), serial_numbers=("SN-2",))})
    with pytest.raises(InvalidInput, match="already come back"):
        receive(
            once.order, warehouse, {A_REF: Receipt(received=units(1), serial_numbers=("SN-2",))}
        )


def test_a_serial_number_comes_back_only_once_across_returns(
    approved_return: Approved, line_a: Callable[..., ReturnLine], warehouse: Actor
) -> None:
    first = approved_return(line_a(1, serials=SERIALS), return_id="r-1")
    first = receive(
        first, warehouse, {A_REF: Receipt(received=units(1), serial_numbers=("SN-2",))}
    ).order
    second = approved_return(line_a(1, serials=SERIALS), return_id="r-2")
    history = [first, second]
    assert returned_serials(history, A_REF, excluding="r-2") == {"SN-2"}
    assert returned_serials(history, A_REF, excluding="r-1") == frozenset()
    came_back = {A_REF: returned_serials(history, A_REF, excluding="r-2")}
    again = Receipt(received=units(1), serial_numbers=("SN-2",))
    with pytest.raises(InvalidInput, match="already come back"):
        goods.receive(second, warehouse, AT, {A_REF: again}, CHART, came_back)
    other = Receipt(received=units(1), serial_numbers=("SN-3",))
    assert goods.receive(second, warehouse, AT, {A_REF: other}, CHART, came_back).moves
