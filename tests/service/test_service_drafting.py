"""Creating and editing drafts: batches, numbers, and every way a request is refused.

The sample lines, prices and dates are listed in tests/service/conftest.py.
Every expected amount below is worked out by hand in a comment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from crm_returns import (
    Actor,
    LineQuery,
    LineRef,
    Money,
    ReturnOrder,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
)
from crm_returns.errors import (
    IllegalTransition,
    InvalidInput,
    NotEligible,
    NotFound,
    OverReturn,
    ReasonNotSelectable,
)
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00 = 645.00
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90 = 379.10
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00 = 3798.00
CHAIR = LineRef("SO-1002", "1")  # 1 x 2399.00, another customer
LAMP = LineRef("SO-1002", "2")  # 3 x 199.00 = 597.00, another customer

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

AddLine = Callable[..., LineRef]
MakeRequest = Callable[..., ReturnRequest]
Drafted = Callable[..., ReturnOrder]
Snapshot = Callable[[], object]


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def counts(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


def already_returned(service: ReturnsService, actor: Actor, ref: LineRef) -> Decimal:
    page = service.search_returnable_lines(actor, LineQuery(order_number=ref.order_number))
    return next(item.already_returned for item in page.items if item.line.ref == ref)


# -- creating a draft ----------------------------------------------------------------


def test_create_drafts_a_batch_of_lines_for_one_customer(
    service: ReturnsService, clerk: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 1, "wrong_order"), (CABLE, 3, "quality_defect"), note="整单退回")
    assert order.status is ReturnStatus.DRAFT
    assert (order.tenant_id, order.customer_id, order.customer_name) == (
        SAMPLE_TENANT,
        "C-1001",
        "张伟",
    )
    assert [(line.ref, line.requested, line.reason_code) for line in order.lines] == [
        (MOUSE, Decimal(1), "wrong_order"),
        (CABLE, Decimal(3), "quality_defect"),
    ]
    # 129.00 + 379.10 x 3/10 = 129.00 + 113.73 = 242.73
    assert order.refund == cny("242.73")
    assert (order.requested_by, order.created_at, order.note) == (clerk.id, NOW, "整单退回")
    assert (order.currency, order.version) == ("CNY", 1)
    assert service.get_return(clerk, order.id) == order


def test_return_numbers_count_up_within_a_day_and_restart_the_next(
    wiring: Wiring, drafted: Drafted
) -> None:
    first = drafted((MOUSE, 1, "wrong_order"))
    second = drafted((MOUSE, 1, "wrong_order"))
    wiring.clock.advance(timedelta(days=1))
    next_day = drafted((MOUSE, 1, "wrong_order"))
    assert [first.number, second.number, next_day.number] == [
        "RT-20261127-000001",
        "RT-20261127-000002",
        "RT-20261128-000001",
    ]


def test_another_tenant_numbers_its_returns_on_its_own(drafted: Drafted, outsider: Actor) -> None:
    ours = drafted((MOUSE, 1, "wrong_order"))
    theirs = drafted((MOUSE, 1, "wrong_order"), by=outsider)
    assert ours.number == theirs.number == "RT-20261127-000001"
    assert ours.id != theirs.id


def test_returning_more_than_is_returnable_says_how_much_is_left(
    drafted: Drafted,
) -> None:
    drafted((MOUSE, 3, "wrong_order"))
    with pytest.raises(OverReturn) as refused:
        drafted((MOUSE, 3, "wrong_order"))
    error = refused.value
    assert (error.line, error.requested, error.delivered) == ("SO-1001/1", *counts(3, 5))
    assert (error.already_returned, error.returnable) == counts(3, 2)  # 5 - 3 = 2
    assert "delivered 5, already returned 3, returnable 2" in str(error)


def test_lines_of_two_customers_cannot_share_a_return(drafted: Drafted) -> None:
    with pytest.raises(InvalidInput, match="different customers"):
        drafted((MOUSE, 1, "wrong_order"), (CHAIR, 1, "wrong_order"))


def test_an_unknown_order_line_is_not_found(drafted: Drafted) -> None:
    with pytest.raises(NotFound) as missing:
        drafted((MOUSE, 1, "wrong_order"), (LineRef("SO-9999", "1"), 1, "wrong_order"))
    assert (missing.value.kind, missing.value.key) == ("order line", "SO-9999/1")


def test_an_unknown_reason_is_not_found(drafted: Drafted) -> None:
    with pytest.raises(NotFound) as missing:
        drafted((MOUSE, 1, "no_such_reason"))
    assert (missing.value.kind, missing.value.key) == ("reason", "no_such_reason")


def test_a_reason_category_cannot_be_chosen(drafted: Drafted) -> None:
    with pytest.raises(ReasonNotSelectable, match="category"):
        drafted((MOUSE, 1, "quality"))


def test_a_retired_reason_cannot_be_chosen(
    service: ReturnsService, admin: Actor, drafted: Drafted
) -> None:
    service.retire_reason(admin, "other")
    with pytest.raises(ReasonNotSelectable, match="retired"):
        drafted((MOUSE, 1, "other"))


def test_customer_fault_reasons_are_refused_seven_days_after_delivery(
    wiring: Wiring, drafted: Drafted
) -> None:
    # SO-1001 was delivered 2026-11-24 09:00; the 7-day window ends 2026-12-01 09:00.
    wiring.clock.advance(timedelta(days=4))
    assert drafted((MOUSE, 1, "changed_requirement")).status is ReturnStatus.DRAFT
    wiring.clock.advance(timedelta(seconds=1))
    with pytest.raises(NotEligible) as refused:
        drafted((MOUSE, 1, "changed_requirement"))
    assert refused.value.line == "SO-1001/1"
    assert "7-day return window for 'changed_requirement' closed on 2026-12-01" in str(
        refused.value
    )
    # A seller's fault has a 30-day window, still open.
    assert drafted((MOUSE, 1, "quality_defect")).status is ReturnStatus.DRAFT


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"delivered_at": None}, "not been delivered"),
        ({"fully_refunded": True}, "already been fully refunded"),
    ],
)
def test_undelivered_or_already_refunded_lines_are_not_eligible(
    drafted: Drafted, desk: AddLine, changes: dict[str, object], refusal: str
) -> None:
    ref = desk(**changes)
    with pytest.raises(NotEligible, match=refusal):
        drafted((ref, 1, "quality_defect"))


def test_the_same_line_twice_is_invalid_input(drafted: Drafted) -> None:
    with pytest.raises(InvalidInput, match="more than once"):
        drafted((MOUSE, 1, "wrong_order"), (MOUSE, 2, "quality_defect"))


@pytest.mark.parametrize(
    ("picks", "error"),
    [
        ([(MOUSE, 6, "wrong_order")], OverReturn),
        ([(LineRef("SO-9999", "1"), 1, "wrong_order")], NotFound),
        ([(MOUSE, 1, "wrong_order"), (LAMP, 1, "wrong_order")], InvalidInput),
        ([(MOUSE, 1, "quality")], ReasonNotSelectable),
        ([(MOUSE, 1, "wrong_order"), (MOUSE, 1, "wrong_order")], InvalidInput),
        # Only the last line of the batch is bad: the first two are not kept either.
        (
            [(MOUSE, 1, "wrong_order"), (CABLE, 3, "wrong_order"), (MONITOR, 3, "wrong_order")],
            OverReturn,
        ),
    ],
    ids=["over-return", "unknown-line", "two-customers", "a-category", "twice", "last-bad"],
)
def test_a_refused_create_changes_nothing(
    service: ReturnsService,
    clerk: Actor,
    drafted: Drafted,
    snapshot: Snapshot,
    picks: list[tuple[LineRef, int, str]],
    error: type[Exception],
) -> None:
    drafted((LAMP, 1, "wrong_order"))  # something already stored, to compare against
    before = snapshot()
    with pytest.raises(error):
        drafted(*picks)
    assert snapshot() == before
    assert already_returned(service, clerk, MOUSE) == 0
    assert already_returned(service, clerk, CABLE) == 0
    # The refused create did not use up a number.
    assert drafted((MOUSE, 1, "wrong_order")).number == "RT-20261127-000002"


# -- editing a draft -----------------------------------------------------------------


def test_editing_a_draft_replaces_its_lines_and_prices_them_afresh(
    service: ReturnsService, clerk: Actor, drafted: Drafted, make_request: MakeRequest
) -> None:
    draft = drafted((MOUSE, 2, "wrong_order"))
    edited = service.edit_return(clerk, draft.id, make_request((CABLE, 4, "wrong_order")).lines)
    assert [(line.ref, line.requested) for line in edited.lines] == [(CABLE, Decimal(4))]
    assert edited.refund == cny("151.64")  # 379.10 x 4/10
    assert (edited.status, edited.version, edited.number) == (ReturnStatus.DRAFT, 2, draft.number)
    assert service.get_return(clerk, draft.id) == edited
    assert already_returned(service, clerk, MOUSE) == 0
    assert already_returned(service, clerk, CABLE) == 4


def test_a_draft_of_every_unit_can_be_edited_without_counting_itself(
    service: ReturnsService, clerk: Actor, drafted: Drafted, make_request: MakeRequest
) -> None:
    draft = drafted((MOUSE, 5, "wrong_order"))
    edited = service.edit_return(clerk, draft.id, make_request((MOUSE, 5, "quality_defect")).lines)
    assert [(line.requested, line.reason_code) for line in edited.lines] == [
        (Decimal(5), "quality_defect")
    ]
    with pytest.raises(OverReturn) as refused:
        service.edit_return(clerk, draft.id, make_request((MOUSE, 6, "wrong_order")).lines)
    assert (refused.value.already_returned, refused.value.returnable) == counts(0, 5)


def test_editing_counts_what_other_returns_claim(
    service: ReturnsService, clerk: Actor, drafted: Drafted, make_request: MakeRequest
) -> None:
    drafted((MOUSE, 3, "wrong_order"))
    mine = drafted((MOUSE, 2, "wrong_order"))
    with pytest.raises(OverReturn) as refused:
        service.edit_return(clerk, mine.id, make_request((MOUSE, 3, "wrong_order")).lines)
    assert (refused.value.already_returned, refused.value.returnable) == counts(3, 2)  # 5 - 3


def test_a_submitted_return_cannot_be_edited(
    service: ReturnsService, clerk: Actor, drafted: Drafted, make_request: MakeRequest
) -> None:
    draft = drafted((MOUSE, 1, "wrong_order"))
    submitted = service.submit_return(clerk, draft.id)
    with pytest.raises(IllegalTransition):
        service.edit_return(clerk, draft.id, make_request((MOUSE, 2, "wrong_order")).lines)
    assert service.get_return(clerk, draft.id) == submitted


def test_editing_cannot_switch_the_customer(
    service: ReturnsService,
    clerk: Actor,
    drafted: Drafted,
    make_request: MakeRequest,
    snapshot: Snapshot,
) -> None:
    draft = drafted((MOUSE, 1, "wrong_order"))
    before = snapshot()
    with pytest.raises(InvalidInput, match="C-1001"):
        service.edit_return(clerk, draft.id, make_request((CHAIR, 1, "wrong_order")).lines)
    assert snapshot() == before
