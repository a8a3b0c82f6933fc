"""Engines, connections the server closes, and errors that are ours, not the driver's."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from tests.adapters.sql.support import MOUSE

from crm_returns import ReturnOrder, ReturnQuery
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import (
    SqlDatabase,
    SqlUnitOfWork,
    StorageError,
    create_engine,
    upgrade,
)
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing.conformance import assert_identical


def _server_closes(database: SqlDatabase) -> None:
    """End the backend of the connection the pool holds, as a server restart would."""
    with database.engine.connect() as pooled:
        pid = pooled.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        pooled.rollback()
    admin = sa.create_engine(database.engine.url)
    try:
        with admin.connect() as closer:
            closer.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            closer.commit()
    finally:
        admin.dispose()


@pytest.mark.parametrize("watched", [False, True], ids=["", "watched"])
@pytest.mark.parametrize("first", ["a read", "a command", "a search"])
def test_a_connection_the_server_closed_is_replaced_by_the_first_round_trip(
    one_connection: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder], first: str, watched: bool
) -> None:
    """Without a ping at every checkout, the first round trip proves the connection.

    Also when the host watches statements, and they all go through SQLAlchemy.
    """
    database, mice = one_connection, drafts[0]
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
    _server_closes(database)
    seen: list[str] = []
    if watched:
        sa.event.listen(database.engine, "before_cursor_execute", lambda *e: seen.append(e[2]))
    with database.unit_of_work() as uow:
        if first == "a read":
            assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)
        elif first == "a command":  # a lock and a read, sent together
            uow.returns.lock_lines(SAMPLE_TENANT, [MOUSE])
            assert [o.id for o in uow.returns.for_lines(SAMPLE_TENANT, [MOUSE])] == [mice.id]
        else:  # through SQLAlchemy
            assert uow.returns.search(SAMPLE_TENANT, ReturnQuery()).total == 1
    assert bool(seen) is watched


@pytest.mark.parametrize(
    ("first", "then"),
    [("a read", "a read"), ("a search", "a read"), ("a search", "a search")],
)
def test_a_connection_lost_after_the_first_round_trip_fails_the_unit_of_work(
    one_connection: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder], first: str, then: str
) -> None:
    """Once a unit of work has read, it cannot be silently moved to another connection.

    A search goes through SQLAlchemy, whose own connection then sees the loss
    too: still a ``StorageError``, and no warning about the closed connection.
    """
    database, mice = one_connection, drafts[0]
    admin = sa.create_engine(database.engine.url)

    def use(how: str, uow: SqlUnitOfWork) -> None:
        if how == "a search":
            uow.returns.search(SAMPLE_TENANT, ReturnQuery())
        else:
            uow.returns.get(SAMPLE_TENANT, mice.id)

    try:
        with database.unit_of_work() as uow:
            uow.returns.add(mice)
            uow.commit()
        with pytest.raises(StorageError), database.unit_of_work() as uow:  # noqa: PT012
            use(first, uow)
            with admin.connect() as closer:
                closer.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                        "AND state = 'idle in transaction'"
                    )
                )
                closer.commit()
            use(then, uow)
        with database.unit_of_work() as uow:  # the next one gets a working connection
            assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)
    finally:
        admin.dispose()


def test_a_commit_on_a_connection_the_server_closed_is_not_made_twice(
    one_connection: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    """A failed round trip that carried the COMMIT may have committed: it is not repeated."""
    database = one_connection
    entry = next(iter(memory_story[1].committed.audit.values()))[0]
    _server_closes(database)
    with database.unit_of_work() as uow:
        uow.audit.append(entry)  # deferred: the commit is the first round trip
        with pytest.raises(StorageError):
            uow.commit()
    with database.unit_of_work() as uow:
        assert list(uow.audit.for_return(entry.tenant_id, entry.return_id)) == []


# -- engine settings ----------------------------------------------------------------


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Any) -> None:
    database = SqlDatabase.connect(f"sqlite:///{tmp_path / 'returns.db'}", busy_timeout=12.5)
    try:
        with database.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 12500
    finally:
        database.dispose()


# -- errors --------------------------------------------------------------------------


def test_a_database_the_store_does_not_support_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="mysql"):
        create_engine("mysql://somewhere/returns")


def test_an_unreachable_database_is_a_storage_error_not_a_driver_error(tmp_path: Any) -> None:
    nowhere = SqlDatabase.connect(f"sqlite:///{tmp_path / 'missing' / 'returns.db'}")
    with pytest.raises(StorageError) as failed, nowhere.unit_of_work():
        pass  # pragma: no cover - never entered
    assert isinstance(failed.value.__cause__, sa.exc.OperationalError)
    with pytest.raises(StorageError):
        upgrade(f"sqlite:///{tmp_path / 'missing' / 'returns.db'}")


def test_postgresql_is_reached_through_psycopg_3_only() -> None:
    with pytest.raises(StorageError, match="psycopg 3"):
        create_engine("postgresql+psycopg2://somewhere/returns")
