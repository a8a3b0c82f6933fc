"""Search criteria refuse what cannot be meant, and say which criterion is wrong.

A page size is a whole number from 1 to MAX_PAGE_SIZE, an offset a whole
number from 0; ``True`` is not a number here, nor is ``2.5`` or ``"10"``.  A
date range may be open at either end but may not run backwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from crm_returns.domain.queries import MAX_PAGE_SIZE, LineQuery, Page, ReturnQuery
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

EARLY = datetime(2026, 11, 1, tzinfo=UTC)
LATE = datetime(2026, 11, 30, tzinfo=UTC)
Query = type[LineQuery] | type[ReturnQuery]
#: A number where text is expected, as an untyped caller might pass it.
NOT_TEXT: Any = 7
BOTH = pytest.mark.parametrize("query", [LineQuery, ReturnQuery], ids=["lines", "returns"])


@BOTH
@pytest.mark.parametrize("limit", [True, False, 2.5, "10", None, 0, MAX_PAGE_SIZE + 1])
def test_a_page_size_is_a_whole_number_from_one_to_the_maximum(query: Query, limit: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        query(limit=limit)  # type: ignore[arg-type]
    assert str(raised.value) == (
        f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}, got {limit!r}"
    )


@BOTH
@pytest.mark.parametrize("limit", [1, MAX_PAGE_SIZE])
def test_the_smallest_and_largest_page_sizes_are_accepted(query: Query, limit: int) -> None:
    assert query(limit=limit).limit == limit


@BOTH
@pytest.mark.parametrize("offset", [True, 1.5, "3", None, -1])
def test_an_offset_is_a_whole_number_from_zero(query: Query, offset: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        query(offset=offset)  # type: ignore[arg-type]
    assert str(raised.value) == f"offset must be a whole number >= 0, got {offset!r}"


def test_a_backwards_delivery_range_is_refused_with_both_ends() -> None:
    with pytest.raises(InvalidInput) as raised:
        LineQuery(delivered_from=LATE, delivered_to=EARLY)
    assert str(raised.value) == (
        f"delivery dates: from {LATE.isoformat()} is after to {EARLY.isoformat()}"
    )


def test_a_backwards_creation_range_is_refused_with_both_ends() -> None:
    with pytest.raises(InvalidInput) as raised:
        ReturnQuery(created_from=LATE, created_to=EARLY)
    assert str(raised.value) == (
        f"creation dates: from {LATE.isoformat()} is after to {EARLY.isoformat()}"
    )


def test_a_range_may_be_open_at_either_end_or_a_single_moment() -> None:
    assert LineQuery(delivered_from=LATE).delivered_from == LATE
    assert LineQuery(delivered_to=EARLY).delivered_to == EARLY
    assert ReturnQuery(created_from=LATE, created_to=LATE).created_to == LATE


def test_statuses_are_a_collection_of_return_statuses() -> None:
    with pytest.raises(InvalidInput) as raised:
        ReturnQuery(statuses="approved")  # type: ignore[arg-type]
    assert str(raised.value) == "statuses must be a collection, got str"
    with pytest.raises(InvalidInput) as raised:
        ReturnQuery(statuses=["approved"])  # type: ignore[list-item]
    assert str(raised.value) == "statuses must be ReturnStatus values, got 'approved'"
    assert ReturnQuery(statuses=[ReturnStatus.APPROVED]).statuses == {ReturnStatus.APPROVED}


def test_a_page_says_where_it_is_and_how_much_there_is() -> None:
    page = Page.of(range(7), offset=2, limit=3)
    assert (page.items, page.total, page.offset, page.limit) == ((2, 3, 4), 7, 2, 3)
    assert page.has_more
    last = Page.of(range(7), offset=6, limit=3)
    assert (last.items, last.limit, last.has_more) == ((6,), 3, False)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: LineQuery(order_number="S" * 65), "order_number"),
        (lambda: LineQuery(customer_id=NOT_TEXT), "customer_id"),
        (lambda: LineQuery(category="   "), "category"),
        (lambda: LineQuery(product="p" * 201), "product"),
        (lambda: LineQuery(product=NOT_TEXT), "product"),
        (lambda: ReturnQuery(customer_id="C" * 65), "customer_id"),
    ],
    ids=[
        "long order",
        "numeric customer",
        "blank category",
        "long product",
        "numeric product",
        "long customer",
    ],
)
def test_a_text_criterion_is_checked_like_the_field_it_matches(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidInput, match=f"^{field} "):
        build()


def test_text_criteria_may_be_left_out_or_given_in_full() -> None:
    query = LineQuery(order_number="S" * 64, product="p" * 200, category="cables")
    assert (query.order_number, query.customer_id) == ("S" * 64, None)
