"""A unit of work is one transaction: all of it is kept, or nothing."""

from __future__ import annotations

import contextlib
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from tests.adapters.sql.support import CLERK, MOUSE, picks, sql_service

from crm_returns import ReturnOrder, ReturnQuery, ReturnStatus
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.errors import ConcurrencyConflict, NotFound
from crm_returns.ports import UnitOfWork
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing.conformance import assert_identical


def _write_everything(uow: UnitOfWork, order: ReturnOrder, story: MemoryDatabase) -> None:
    committed = story.committed
    uow.returns.add(order)
    uow.audit.append(next(iter(committed.audit.values()))[0])
    uow.reasons.put(SAMPLE_TENANT, committed.reasons[SAMPLE_TENANT])
    uow.sequences.next("return:acme:2026-11-27")
    uow.stock.add(committed.moves)
    uow.journal.add(committed.entries)


def _nothing_is_stored(database: SqlDatabase) -> None:
    with database.engine.connect() as connection:
        for table in database.tables.metadata.sorted_tables:
            count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            assert count == 0, f"{table.name} kept {count} rows"


@pytest.mark.parametrize("ending", ["leave", "raise"])
def test_a_unit_of_work_ending_without_commit_keeps_nothing(
    database: SqlDatabase,
    drafts: tuple[ReturnOrder, ReturnOrder],
    memory_story: tuple[dict[str, object], MemoryDatabase],
    ending: str,
) -> None:
    failing = ending == "raise"
    expected = pytest.raises(RuntimeError, match="boom") if failing else contextlib.nullcontext()
    with expected, database.unit_of_work() as uow:
        _write_everything(uow, drafts[0], memory_story[1])
        if failing:
            raise RuntimeError("boom")
    _nothing_is_stored(database)
    with database.unit_of_work() as uow:
        assert uow.sequences.next("return:acme:2026-11-27") == 1


def test_an_append_that_fails_at_commit_keeps_nothing_of_the_unit_of_work(
    database: SqlDatabase,
    drafts: tuple[ReturnOrder, ReturnOrder],
    memory_story: tuple[dict[str, object], MemoryDatabase],
) -> None:
    """Appends are sent with the next statement or the commit; their failure fails the commit."""
    mice = drafts[0]
    entry = next(iter(memory_story[1].committed.audit.values()))[0]
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.audit.append(entry)
        uow.commit()
    changed = attrs.evolve(mice, note="changed", version=2)
    with database.unit_of_work() as uow:
        uow.returns.update(changed, expected_version=1)
        uow.audit.append(entry)  # the same id again: refused by the unique key
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
        with pytest.raises(RuntimeError, match="rolled this unit of work back"):
            uow.returns.get(SAMPLE_TENANT, mice.id)
    with database.unit_of_work() as uow:
        assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)
        assert len(uow.audit.for_return(entry.tenant_id, entry.return_id)) == 1


def test_statements_watched_through_sqlalchemy_events_are_all_seen_and_work_the_same(
    database: SqlDatabase,
) -> None:
    """A host's logging or tracing on the engine sees every statement, deferred ones too."""
    seen: list[str] = []

    def watch(*event: Any) -> None:
        seen.append(" ".join(str(event[2]).split()[:3]))

    sa.event.listen(database.engine, "before_cursor_execute", watch)
    try:
        story = sql_service(database)
        draft = story.create_return(CLERK, picks((MOUSE, "2", "wrong_order")))
        submitted = story.submit_return(CLERK, draft.id)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", watch)
    assert 'INSERT INTO "crm_returns_audit_entries"' in seen
    assert 'INSERT INTO "crm_returns_outbox"' in seen
    assert 'UPDATE "crm_returns_returns" SET' in seen
    with database.unit_of_work() as uow:
        assert_identical(uow.returns.get(SAMPLE_TENANT, draft.id), submitted)
        trail = uow.audit.for_return(SAMPLE_TENANT, draft.id)
    assert (trail[0].to_status, trail[-1].to_status) == (ReturnStatus.DRAFT, submitted.status)


def test_writes_after_a_commit_need_a_commit_of_their_own(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    mice, chair = drafts
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
        uow.returns.add(chair)
    with database.unit_of_work() as uow:
        assert uow.returns.search(SAMPLE_TENANT, ReturnQuery()).items == (mice,)


def test_a_stale_version_is_a_conflict_and_keeps_the_first_writer(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    mice = drafts[0]
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
    with database.unit_of_work() as uow:
        uow.returns.update(attrs.evolve(mice, note="first writer", version=2), 1)
        uow.commit()
    with database.unit_of_work() as uow, pytest.raises(ConcurrencyConflict, match=mice.number):
        uow.returns.update(attrs.evolve(mice, note="second writer", version=2), 1)
    with database.unit_of_work() as uow:
        assert uow.returns.get(SAMPLE_TENANT, mice.id).note == "first writer"
        with pytest.raises(NotFound):
            uow.returns.update(attrs.evolve(mice, id="nobody"), 1)


@pytest.mark.parametrize("taken", ["id", "number"])
def test_a_taken_id_or_number_is_a_conflict_that_leaves_the_unit_of_work_usable(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder], taken: str
) -> None:
    mice, chair = drafts
    impostor = attrs.evolve(chair, **{taken: getattr(mice, taken)})
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        with pytest.raises(ConcurrencyConflict):
            uow.returns.add(impostor)
        uow.returns.add(chair)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.returns.search(SAMPLE_TENANT, ReturnQuery()).total == 2
        assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)


def test_the_store_is_used_only_inside_a_unit_of_work(database: SqlDatabase) -> None:
    uow = database.unit_of_work()
    with pytest.raises(RuntimeError, match="inside"):
        uow.sequences.next("k")
    with uow:
        uow.sequences.next("k")
    with pytest.raises(RuntimeError, match="inside"):
        uow.commit()
