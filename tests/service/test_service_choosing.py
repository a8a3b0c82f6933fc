"""Choosing what to return: searching delivered lines and the confirmation view.

The sample lines, prices and dates are listed in tests/service/conftest.py.
Every expected amount below is worked out by hand in a comment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns import (
    Actor,
    LineQuery,
    LineRef,
    Money,
    Page,
    Receipt,
    ReturnableLine,
    ReturnOrder,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
)
from crm_returns.errors import OverReturn
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00 = 645.00
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90 = 379.10
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00 = 3798.00
CHAIR = LineRef("SO-1002", "1")  # 1 x 2399.00, another customer
LAMP = LineRef("SO-1002", "2")  # 3 x 199.00 = 597.00, another customer
EVERY_LINE = {MOUSE, CABLE, MONITOR, CHAIR, LAMP}

SO_1001_DELIVERED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SO_1002_DELIVERED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

AddLine = Callable[..., LineRef]
MakeRequest = Callable[..., ReturnRequest]
Drafted = Callable[..., ReturnOrder]
Snapshot = Callable[[], object]


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def counts(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


def found(page: Page[ReturnableLine]) -> set[LineRef]:
    return {item.line.ref for item in page.items}


def matching(service: ReturnsService, actor: Actor, query: LineQuery) -> set[LineRef]:
    return found(service.search_returnable_lines(actor, query))


def returnable(service: ReturnsService, actor: Actor, ref: LineRef) -> ReturnableLine:
    page = service.search_returnable_lines(actor, LineQuery(order_number=ref.order_number))
    return next(item for item in page.items if item.line.ref == ref)


# -- searching delivered lines -------------------------------------------------------


def test_search_by_order_number_finds_only_that_orders_lines(
    service: ReturnsService, clerk: Actor
) -> None:
    page = service.search_returnable_lines(clerk, LineQuery(order_number="SO-1002"))
    assert found(page) == {CHAIR, LAMP}
    assert page.total == 2


def test_search_by_customer_finds_only_their_lines(service: ReturnsService, clerk: Actor) -> None:
    expected = {MOUSE, CABLE, MONITOR}
    assert matching(service, clerk, LineQuery(customer_id="C-1001")) == expected


@pytest.mark.parametrize("text", ["mouse", "MOUSE", "Wireless Mouse", "无线鼠标", "鼠标"])
def test_search_by_product_name_ignores_case_and_matches_chinese(
    service: ReturnsService, clerk: Actor, text: str
) -> None:
    assert matching(service, clerk, LineQuery(product=text)) == {MOUSE}


@pytest.mark.parametrize(("text", "expected"), [("cbl-02", {CABLE}), ("MON", {MONITOR})])
def test_search_by_product_also_matches_the_sku(
    service: ReturnsService, clerk: Actor, text: str, expected: set[LineRef]
) -> None:
    assert matching(service, clerk, LineQuery(product=text)) == expected


def test_search_by_category(service: ReturnsService, clerk: Actor) -> None:
    assert matching(service, clerk, LineQuery(category="accessories")) == {MOUSE, CABLE}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime(2026, 11, 23, tzinfo=UTC), None, {MOUSE, CABLE, MONITOR}),
        (None, datetime(2026, 11, 23, tzinfo=UTC), {CHAIR, LAMP}),
        # Both ends are inclusive.
        (SO_1001_DELIVERED, SO_1001_DELIVERED, {MOUSE, CABLE, MONITOR}),
        (SO_1002_DELIVERED, SO_1001_DELIVERED, EVERY_LINE),
    ],
)
def test_search_by_delivery_date_range(
    service: ReturnsService,
    clerk: Actor,
    start: datetime | None,
    end: datetime | None,
    expected: set[LineRef],
) -> None:
    assert matching(service, clerk, LineQuery(delivered_from=start, delivered_to=end)) == expected


def test_search_criteria_must_all_match(service: ReturnsService, clerk: Actor) -> None:
    zhangs_displays = LineQuery(customer_id="C-1001", category="displays")
    lis_displays = LineQuery(customer_id="C-1002", category="displays")
    assert matching(service, clerk, zhangs_displays) == {MONITOR}
    assert matching(service, clerk, lis_displays) == set()


def test_search_lists_the_newest_delivery_first(service: ReturnsService, clerk: Actor) -> None:
    page = service.search_returnable_lines(clerk, LineQuery())
    orders = [item.line.ref.order_number for item in page.items]
    # SO-1001 came on the 24th, SO-1002 on the 22nd.
    assert orders == ["SO-1001"] * 3 + ["SO-1002"] * 2


def test_search_pages_through_every_line_once(service: ReturnsService, clerk: Actor) -> None:
    pages = [
        service.search_returnable_lines(clerk, LineQuery(offset=offset, limit=2))
        for offset in (0, 2, 4)
    ]
    # 5 lines in pages of 2: 2 + 2 + 1.
    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert [page.total for page in pages] == [5, 5, 5]
    assert [page.offset for page in pages] == [0, 2, 4]
    assert [page.has_more for page in pages] == [True, True, False]
    seen = [item.line.ref for page in pages for item in page.items]
    assert sorted(seen) == sorted(EVERY_LINE)


def test_a_page_past_the_end_is_empty(service: ReturnsService, clerk: Actor) -> None:
    page = service.search_returnable_lines(clerk, LineQuery(offset=10, limit=5))
    assert (page.items, page.total, page.has_more) == ((), 5, False)


def test_an_untouched_line_shows_what_was_delivered_and_is_all_returnable(
    service: ReturnsService, clerk: Actor
) -> None:
    line = returnable(service, clerk, MOUSE)
    assert line.line.ref.order_number == "SO-1001"
    assert line.line.quantity_delivered == 5
    assert line.line.unit_price == cny("129.00")
    assert (line.already_returned, line.returnable_quantity) == counts(0, 5)


def test_drafts_and_live_returns_count_as_already_returned(
    service: ReturnsService, clerk: Actor, drafted: Drafted
) -> None:
    drafted((CABLE, 3, "wrong_order"))
    live = drafted((CABLE, 2, "wrong_order"))
    service.submit_return(clerk, live.id)  # 189.55 - 113.73 = 75.82 < 500: approved at once
    line = returnable(service, clerk, CABLE)
    # 3 in the draft + 2 approved = 5 of 10.
    assert (line.already_returned, line.returnable_quantity) == counts(5, 5)


def test_cancelled_and_rejected_returns_give_their_units_back(
    service: ReturnsService, clerk: Actor, inspector: Actor, drafted: Drafted
) -> None:
    cancelled = drafted((MOUSE, 2, "wrong_order"))
    service.cancel_return(clerk, cancelled.id, "customer kept it")
    rejected = drafted((MOUSE, 1, "quality_defect"))
    service.submit_return(clerk, rejected.id)  # quality reason: waits for the inspector
    service.reject_return(inspector, rejected.id, "no defect found")
    kept = drafted((MOUSE, 1, "wrong_order"))
    assert kept.status is ReturnStatus.DRAFT
    line = returnable(service, clerk, MOUSE)
    # Only the live draft's 1 unit counts: 5 - 1 = 4.
    assert (line.already_returned, line.returnable_quantity) == counts(1, 4)


def test_a_completed_return_counts_what_came_back_not_what_went_missing(
    service: ReturnsService, clerk: Actor, warehouse: Actor, finance: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 3, "wrong_order"))  # 387.00 < 500, needs no inspection
    service.submit_return(clerk, order.id)
    receipt = Receipt(received=Decimal(2), missing=Decimal(1))
    service.receive_goods(warehouse, order.id, {MOUSE: receipt})
    service.complete_return(finance, order.id)
    line = returnable(service, clerk, MOUSE)
    # 2 came back; the missing unit may be claimed again: 5 - 2 = 3.
    assert (line.already_returned, line.returnable_quantity) == counts(2, 3)


def test_another_tenants_lines_and_returns_never_appear(
    service: ReturnsService, clerk: Actor, outsider: Actor, drafted: Drafted
) -> None:
    drafted((MOUSE, 5, "wrong_order"), by=outsider)
    ours = service.search_returnable_lines(clerk, LineQuery())
    assert ours.total == 5  # not 10: globex's copies of the lines stay with globex
    assert {item.line.customer_id for item in ours.items} == {"C-1001", "C-1002"}
    assert returnable(service, clerk, MOUSE).already_returned == 0
    assert returnable(service, outsider, MOUSE).already_returned == 5


# -- the confirmation view -----------------------------------------------------------


def test_preview_prices_each_line_and_the_total(
    service: ReturnsService, clerk: Actor, make_request: MakeRequest
) -> None:
    request = make_request((MOUSE, 2, "quality_defect"), (CABLE, 3, "wrong_order"))
    preview = service.preview_return(clerk, request)
    assert (preview.customer_id, preview.customer_name) == ("C-1001", "张伟")
    assert [(line.ref, line.requested) for line in preview.lines] == [
        (MOUSE, Decimal(2)),
        (CABLE, Decimal(3)),
    ]
    # Mouse 2 x 129.00 = 258.00; cable 379.10 x 3/10 = 113.73.
    assert [line.refund for line in preview.lines] == [cny("258.00"), cny("113.73")]
    assert preview.refund == cny("371.73")  # 258.00 + 113.73
    assert [line.reason_code for line in preview.lines] == ["quality_defect", "wrong_order"]


@pytest.mark.parametrize(
    ("pick", "steps"),
    [
        ((MOUSE, 1, "wrong_order"), []),  # 129.00, not a quality reason
        ((MOUSE, 3, "quality_defect"), ["quality"]),  # 387.00 < 500
        ((MONITOR, 1, "changed_requirement"), ["manager"]),  # 1899.00 >= 500
        ((MONITOR, 1, "quality_defect"), ["manager", "quality"]),
    ],
)
def test_preview_shows_the_approval_steps_it_would_need(
    service: ReturnsService,
    clerk: Actor,
    make_request: MakeRequest,
    pick: tuple[LineRef, int, str],
    steps: list[str],
) -> None:
    preview = service.preview_return(clerk, make_request(pick))
    assert [step.name for step in preview.steps] == steps
    assert preview.auto_approved is (not steps)


@pytest.mark.parametrize(
    ("units", "price", "needs_manager"),
    [(2, "250.00", True), (1, "499.99", False), (1, "500.00", True), (1, "250.00", False)],
)
def test_a_manager_is_needed_from_500_cny_of_refund(
    service: ReturnsService,
    clerk: Actor,
    make_request: MakeRequest,
    desk: AddLine,
    units: int,
    price: str,
    needs_manager: bool,
) -> None:
    ref = desk(quantity_delivered=Decimal(2), unit_price=cny(price))
    preview = service.preview_return(clerk, make_request((ref, units, "wrong_order")))
    # 2 x 250.00 = 500.00 and 1 x 500.00 reach the threshold; 499.99 and 250.00 do not.
    assert [step.name for step in preview.steps] == (["manager"] if needs_manager else [])


def test_preview_writes_nothing(
    wiring: Wiring, clerk: Actor, make_request: MakeRequest, snapshot: Snapshot
) -> None:
    before = snapshot()
    wiring.service.preview_return(clerk, make_request((MONITOR, 2, "quality_defect")))
    assert snapshot() == before
    assert wiring.database.committed.sequences == {}
    assert wiring.database.committed.returns == {}


def test_preview_refuses_what_create_would_refuse(
    service: ReturnsService, clerk: Actor, make_request: MakeRequest
) -> None:
    with pytest.raises(OverReturn):
        service.preview_return(clerk, make_request((MONITOR, 3, "wrong_order")))
