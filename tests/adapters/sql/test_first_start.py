"""Six instances starting at once on a new database all come up.

Each is a forked process calling :func:`crm_returns.sql_service` (which
migrates) at the same moment, then storing a return for a shop of its own
(so that what is tested is the start, not two returns of one order line).  Without the migrations'
lock, PostgreSQL fails most of them while they create the same tables
(``duplicate key value violates unique constraint "pg_type_typname_nsp_index"``).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.adapters.postgres import fresh_schema, postgres_url
from tests.adapters.sql.support import CABLE, START, picks

import crm_returns
from crm_returns.adapters.memory import ManualClock, MemoryOrderSource
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.samples import sample_lines, sample_staff

INSTANCES = 6
ROUNDS = 3  # each on a new database

#: Where an instance starts: a URL and a schema (``None`` on SQLite).
Place = tuple[str, str | None]


def _instance(
    place: Place,
    who: int,
    start: multiprocessing.synchronize.Barrier,
    results: multiprocessing.Queue[str],
) -> None:
    """One application instance: start the service, store a return, report how it went."""
    url, schema = place
    shop = f"shop-{who}"
    orders = MemoryOrderSource({shop: sample_lines(START)})
    settings = crm_returns.ServiceSettings(clock=ManualClock(START))
    start.wait(timeout=60)
    try:
        with crm_returns.sql_service(orders, url, settings, schema=schema) as service:
            clerk = sample_staff(shop).clerk
            order = service.create_return(clerk, picks((CABLE, "1", "wrong_order")))
        results.put(f"ok {shop} {order.number}")
    except Exception as error:  # noqa: BLE001 - every outcome is reported, none lost
        results.put(f"{type(error).__name__}: {error}"[:500])


def _start_at_once(place: Place) -> list[str]:
    """Fork the instances, let them start at the same moment, and collect their outcomes."""
    context = multiprocessing.get_context("fork")
    start = context.Barrier(INSTANCES)
    results: multiprocessing.Queue[str] = context.Queue()
    workers = [
        context.Process(target=_instance, args=(place, who, start, results))
        for who in range(INSTANCES)
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
    return sorted(outcomes)


@contextmanager
def _new_sqlite_file(folder: Path) -> Iterator[Place]:
    yield f"sqlite:///{folder / 'new.db'}", None


@contextmanager
def _new_postgres_schema() -> Iterator[Place]:
    url = postgres_url()
    with fresh_schema(url, "first_start") as schema:
        yield url, schema


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[int], AbstractContextManager[Place]]:
    """Makes a new, empty database for each round: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return lambda round_: _new_sqlite_file(tmp_path / f"round-{round_}")
    return lambda round_: _new_postgres_schema()


def test_six_instances_starting_at_once_on_a_new_database_all_come_up(
    new_database: Callable[[int], AbstractContextManager[Place]],
) -> None:
    for round_ in range(ROUNDS):
        with new_database(round_) as (url, schema):
            if url.startswith("sqlite"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir()
            outcomes = _start_at_once((url, schema))
            assert [outcome.split()[0] for outcome in outcomes] == ["ok"] * INSTANCES, outcomes
            assert len({outcome.split()[1] for outcome in outcomes}) == INSTANCES  # six shops
            database = SqlDatabase.connect(url, schema=schema)
            try:
                assert database.revisions().up_to_date
                version = sa.table(database.tables.version_table, sa.column("version_num"))
                with database.engine.connect() as connection:
                    assert connection.execute(sa.select(version)).scalars().all() == ["0006"]
            finally:
                database.dispose()
