"""The host's own engine, shared with the store: checked, and given what the store relies on."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import crm_returns as cr
from crm_returns.adapters.sql import SqlDatabase, StorageError, create_engine
from crm_returns.adapters.sql.engine import share_engine
from crm_returns.samples import SAMPLE_TENANT, sample_lines

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _orders() -> cr.MemoryOrderSource:
    return cr.MemoryOrderSource({SAMPLE_TENANT: sample_lines(NOW)})


def _foreign_keys(connection: sa.Connection) -> int:
    return int(connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one())


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda url: sa.create_engine("mysql+pymysql://u@h/db", module=sqlite3), "mysql"),
        (lambda url: sa.create_engine("postgresql+pg8000://u@h/db", module=sqlite3), "pg8000"),
        (lambda url: sa.create_engine(url, isolation_level="AUTOCOMMIT"), "AUTOCOMMIT"),
        (
            lambda url: sa.create_engine(url).execution_options(isolation_level="AUTOCOMMIT"),
            "AUTOCOMMIT",
        ),
    ],
    ids=["mysql", "pg8000", "autocommit", "autocommit option"],
)
def test_an_engine_the_store_cannot_use_is_refused_untouched(
    make: Callable[[str], sa.Engine], named: str, tmp_path: Path
) -> None:
    engine = make(f"sqlite:///{tmp_path / 'host.db'}")
    with pytest.raises(StorageError, match=named):
        cr.sql_service(_orders(), engine)
    assert not engine.dispatch.begin  # no listener installed
    pool = engine.pool
    assert isinstance(pool, sa.QueuePool)
    assert pool.checkedin() == pool.checkedout() == 0  # never connected
    assert not (tmp_path / "host.db").exists()


def test_on_sqlite_every_connection_of_a_shared_engine_enforces_foreign_keys(
    tmp_path: Path,
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    with engine.connect() as before:
        assert _foreign_keys(before) == 0  # SQLite's default, in the pool already
    with cr.sql_service(_orders(), engine):
        pass
    with engine.connect() as pooled, engine.connect() as new:
        # Each BEGIN takes the write lock: the two take turns.
        assert _foreign_keys(pooled) == 1
        pooled.rollback()
        assert _foreign_keys(new) == 1
        assert pooled.connection.driver_connection is not new.connection.driver_connection
    engine.dispose()


def test_sharing_an_engine_twice_adds_nothing(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    SqlDatabase.sharing(engine)
    listeners = (len(engine.dispatch.begin), len(engine.pool.dispatch.checkout))
    SqlDatabase.sharing(engine)
    assert listeners == (len(engine.dispatch.begin), len(engine.pool.dispatch.checkout)) == (1, 1)
    engine.dispose()


def test_an_engine_of_create_engine_is_shared_as_it_is(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    listeners = (len(engine.dispatch.begin), len(engine.pool.dispatch.checkout))
    assert share_engine(engine) is engine
    assert (len(engine.dispatch.begin), len(engine.pool.dispatch.checkout)) == listeners
    engine.dispose()
