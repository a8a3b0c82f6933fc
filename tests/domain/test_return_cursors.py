"""A return list's cursor names a position in that list, and nothing else passes for one.

A cursor is what a page handed out: text that says which return was listed
last and which criteria it was listed under.  Anything else is refused with
``InvalidInput``: garbage, or a cursor beside an offset, when the query is
made; a cursor edited by hand or one of another list when a store reads its
position (the service may narrow the criteria in between, to the customer an
actor acts for).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from crm_returns.domain.queries import Page, ReturnQuery
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

AT = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))
COMPLETED = ReturnQuery(statuses={ReturnStatus.COMPLETED}, customer_id="C-1")


def _cursor(query: ReturnQuery = COMPLETED) -> str:
    return query.cursor_after(AT, "RT-20261127-000042")


def test_a_cursor_gives_back_the_position_it_was_made_at_in_utc() -> None:
    query = attrs.evolve(COMPLETED, after=_cursor())
    assert query.position == (AT.astimezone(UTC), "RT-20261127-000042")
    assert query.position[0].utcoffset() == timedelta(0)


def test_a_cursor_may_be_read_with_another_page_size_but_not_other_criteria() -> None:
    assert attrs.evolve(COMPLETED, limit=7, after=_cursor()).position is not None
    assert attrs.evolve(COMPLETED, with_total=False, after=_cursor()).position is not None
    others = [
        ReturnQuery(),
        attrs.evolve(COMPLETED, statuses={ReturnStatus.REJECTED}),
        attrs.evolve(COMPLETED, customer_id="C-2"),
        attrs.evolve(COMPLETED, created_from=AT),
        attrs.evolve(COMPLETED, created_to=AT),
        attrs.evolve(COMPLETED, include_archived=True),
    ]
    for other in others:
        with pytest.raises(InvalidInput, match="not a cursor of this list"):
            _ = attrs.evolve(other, after=_cursor()).position


def _forged(layout: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(layout).encode()).decode()


@pytest.mark.parametrize(
    "after",
    [
        "",
        "x" * 513,
        "not a cursor",
        "%%%%",
        "bm90IGpzb24",  # base64 of "not json"
        _forged({"v": 1}),
        _forged([2, "2026-11-27T01:30:00.000000+00:00", "RT-1", "x"]),
        _forged([1, "2026-11-27T01:30:00", "RT-1", "x"]),  # no offset
        _forged([1, 12, "RT-1", "x"]),
        _forged([1, "2026-11-27T01:30:00+00:00", "", "x"]),
        _forged([1, "2026-11-27T01:30:00+00:00", 5, "x"]),
        7,
    ],
)
def test_anything_but_a_cursor_is_refused(after: object) -> None:
    with pytest.raises(InvalidInput, match="after"):
        ReturnQuery(after=after)  # type: ignore[arg-type]


def test_a_cursor_edited_by_hand_is_refused() -> None:
    layout = json.loads(base64.urlsafe_b64decode(_cursor() + "=="))
    layout[2] = "RT-99999999-999999"
    layout[3] = layout[3][::-1]
    with pytest.raises(InvalidInput, match="not a cursor of this list"):
        _ = attrs.evolve(COMPLETED, after=_forged(layout)).position


def test_a_cursor_and_an_offset_are_not_given_together() -> None:
    with pytest.raises(InvalidInput, match="either offset or after"):
        attrs.evolve(COMPLETED, offset=10, after=_cursor())


def test_a_page_of_a_cursor_list_says_more_follow_only_with_a_cursor() -> None:
    last = Page(("a",), 120, 0, 1, None, cursors=True)
    assert not last.has_more, "the last page after a cursor, with the total counted"
    assert Page(("a",), None, 0, 1, "next", cursors=True).has_more
    assert not Page(("a",), None, 0, 1).has_more
    assert Page(("a",), 2, 0, 1).has_more, "offset pages still count"
