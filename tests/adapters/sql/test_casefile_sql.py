"""What the SQL case file adds to the contract: its columns, its order, its races.

``CaseFileContract`` runs on both databases in ``test_conformance.py``; these
tests look at what only SQL has: the index columns beside the document,
ordering by code point whatever a column's collation, and writers racing for
one key on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
import sqlalchemy as sa

from crm_returns.adapters.sql import SqlDatabase, SqlUnitOfWork
from crm_returns.domain.interactions.records import ContactChannel, CustomerContact, Direction
from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.errors import ConcurrencyConflict
from crm_returns.testing.conformance import assert_identical
from crm_returns.testing.conformance._casefile import AWKWARD_IDS

T = "acme"
BASE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHINA = timezone(timedelta(hours=8))
#: How long a writer waits before taking the other one to be blocked.
_BLOCKED = 0.3


def _contact(record_id: str, source: str | None = None, at: datetime = BASE) -> CustomerContact:
    return CustomerContact(
        tenant_id=T,
        id=record_id,
        return_id="R-1",
        customer_id="C-1",
        at=at,
        channel=ContactChannel.EMAIL,
        direction=Direction.OUTBOUND,
        summary="sent the label",
        by="clerk",
        by_name="Li Lei",
        source=source,
    )


def _on_postgres(database: SqlDatabase) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite orders by code point (BINARY) and has one writer at a time")


def test_a_row_carries_the_records_index_beside_its_document(database: SqlDatabase) -> None:
    due = datetime(2026, 12, 3, 18, 30, tzinfo=CHINA)
    record = Assignment(
        tenant_id=T,
        id="A-1",
        return_id="R-1",
        customer_id="C-1",
        at=BASE.astimezone(CHINA),
        user_id="u-1",
        team="returns",
        assigned_by="supervisor",
        stage=Stage.SHIP_BACK,
        due_at=due,
    )
    with database.unit_of_work() as uow:
        uow.casefile.add(record)
        uow.commit()
    c = database.tables.case_records.c
    with database.engine.connect() as connection:
        row = connection.execute(
            sa.select(c.kind, c.key, c.owner, c.team, c.due_at, c.at, c.version, c.document)
        ).one()
    assert row[:4] == ("assignment", "R-1", "u-1", "returns")
    assert (row.due_at, row.at, row.version) == (due, BASE, 1)
    assert row.due_at.utcoffset() == timedelta(0)  # kept in UTC, so that SQL orders it
    assert row.document["due_at"] == "2026-12-03T18:30:00+08:00"  # the offset, in the document
    with database.unit_of_work() as uow:
        assert_identical(uow.casefile.get(T, Assignment, "A-1"), record)


def test_lists_follow_code_points_whatever_the_ids_collation(database: SqlDatabase) -> None:
    """With ``id`` in a linguistic collation, lists still order ties as Python does."""
    _on_postgres(database)
    table = database.tables.case_records
    with database.engine.begin() as connection:
        if not connection.exec_driver_sql(
            "SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'"
        ).first():
            pytest.skip("this PostgreSQL has no ICU collations")
        connection.exec_driver_sql(
            f'ALTER TABLE "{table.name}" ALTER COLUMN id TYPE varchar COLLATE "und-x-icu"'
        )
    records = [_contact(record_id) for record_id in AWKWARD_IDS]
    with database.unit_of_work() as uow:
        for record in records:
            uow.casefile.add(record)
        uow.commit()
    with database.engine.connect() as connection:
        linguistic = connection.execute(sa.select(table.c.id).order_by(table.c.id)).scalars()
        assert list(linguistic) != sorted(AWKWARD_IDS)  # else this test proves nothing
    with database.unit_of_work() as uow:
        found = uow.casefile.for_return(T, "R-1", CustomerContact)
        assert [record.id for record in found] == sorted(AWKWARD_IDS)


def _racing(
    first: Callable[[SqlUnitOfWork], object], second: Callable[[SqlUnitOfWork], object]
) -> Callable[[SqlDatabase], BaseException | None]:
    """Run ``second`` in its own unit of work while ``first``'s is open, then commit ``first``.

    Returns what ``second`` raised, if anything.
    """

    def race(database: SqlDatabase) -> BaseException | None:
        outcome: list[BaseException | None] = []

        def other() -> None:
            try:
                with database.unit_of_work() as uow:
                    second(uow)
                    uow.commit()
                outcome.append(None)
            except BaseException as error:  # noqa: BLE001 - handed to the test
                outcome.append(error)

        with database.unit_of_work() as uow:
            first(uow)
            thread = threading.Thread(target=other, daemon=True)
            thread.start()
            time.sleep(_BLOCKED)
            assert not outcome, "the second writer should wait for the first"
            uow.commit()
        thread.join(timeout=30)
        assert outcome, "the second writer never finished"
        return outcome[0]

    return race


def test_a_key_taken_by_a_concurrent_writer_is_a_conflict(database: SqlDatabase) -> None:
    """The second ``add`` waits for the first writer's commit, then is refused."""
    _on_postgres(database)
    first, second = _contact("K-1", "mail-1"), _contact("K-2", "mail-1")
    race = _racing(lambda uow: uow.casefile.add(first), lambda uow: uow.casefile.add(second))
    assert isinstance(race(database), ConcurrencyConflict)
    with database.unit_of_work() as uow:
        assert_identical(uow.casefile.find(T, CustomerContact, "mail-1"), first)
        assert [record.id for record in uow.casefile.for_return(T, "R-1", CustomerContact)] == [
            "K-1"
        ]


def test_two_updates_taking_one_free_key_at_once_conflict(database: SqlDatabase) -> None:
    """The unique constraint decides a race no statement can see: one wins, whole."""
    _on_postgres(database)
    one, two = _contact("K-1", "s-1"), _contact("K-2", "s-2")
    with database.unit_of_work() as uow:
        uow.casefile.add(one)
        uow.casefile.add(two)
        uow.commit()
    moved_one = attrs.evolve(one, version=2, source="s-free")
    moved_two = attrs.evolve(two, version=2, source="s-free")
    race = _racing(
        lambda uow: uow.casefile.update(moved_one, 1),
        lambda uow: uow.casefile.update(moved_two, 1),
    )
    assert isinstance(race(database), ConcurrencyConflict)
    with database.unit_of_work() as uow:
        assert_identical(uow.casefile.get(T, CustomerContact, "K-1"), moved_one)
        assert_identical(uow.casefile.get(T, CustomerContact, "K-2"), two)
