"""The same story told through ``ReturnsService`` on memory and on SQL reads back the same.

The reference for "right" is the in-memory store: every command the service has, a few
failing, must give and read back identically, field by field.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from tests.adapters.sql.support import START, tell_the_story

from crm_returns import Action, LineRef, ReturnStatus
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import EVENT_TYPES
from crm_returns.samples import sample_lines
from crm_returns.testing.conformance import assert_identical


def test_the_story_covers_every_event_and_status(
    memory_story: tuple[dict[str, object], MemoryDatabase],
) -> None:
    story, database = memory_story
    events = {type(m.event).__name__ for m in story["published"]}  # type: ignore[attr-defined]
    assert events == set(EVENT_TYPES)
    statuses = {order.status for order in database.committed.returns.values()}
    assert statuses == {ReturnStatus.COMPLETED, ReturnStatus.REJECTED, ReturnStatus.CANCELLED}
    failures = {
        name: value
        for name, value in story.items()
        if isinstance(value, tuple) and value and isinstance(value[0], str)
    }
    assert set(failures) == {
        "other payload",
        "too many",
        "stale",
        "remove used",
        "clerk grants",
        "warehouse completes",
        "clerk's category",
        "clerk's journal",
    }
    denials = {name for name, (error, _) in failures.items() if error == "NotAuthorised"}
    assert denials == {"clerk grants", "warehouse completes", "clerk's category", "clerk's journal"}
    denied = [entry for entry in story["tenant audit"] if entry.action is Action.DENIED]  # type: ignore[attr-defined]
    assert [dict(entry.detail)["permission"] for entry in denied] == [
        "manage_reasons",
        "view_books",
    ]
    assert all(entry.to_status is None and entry.return_id == "" for entry in denied)


def test_the_same_story_reads_back_identically_from_sql(
    database: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    told = tell_the_story(database.unit_of_work)
    assert_identical(told, memory_story[0], "story")


def test_every_line_claim_is_in_step_with_the_stored_returns(
    database: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    tell_the_story(database.unit_of_work)
    orders = memory_story[1].committed.returns.values()
    expected = {
        line.ref: sum((order.claimed(line.ref) for order in orders), Decimal(0))
        for order in orders
        for line in order.lines
    }
    with database.engine.connect() as connection:
        rows = connection.execute(sa.select(database.tables.line_claims)).all()
    assert {LineRef(r.order_number, r.line_id): r.claimed for r in rows} == expected
    delivered = {line.ref: line.quantity_delivered for line in sample_lines(START)}
    assert {LineRef(r.order_number, r.line_id): r.delivered for r in rows} == {
        ref: delivered[ref] for ref in expected
    }
