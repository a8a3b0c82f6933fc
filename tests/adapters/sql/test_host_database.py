"""In the host's own database: prefixed names beside the host's tables, which stay untouched.

A CRM that embeds the library already has tables called ``returns``,
``outbox``, ``sequences``, ``audit_entries`` and its own ``alembic_version``.
The library's tables carry a prefix (``crm_returns_`` unless told otherwise),
so it installs beside them, on SQLite and in one PostgreSQL schema alike.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.adapters.postgres import postgres_url
from tests.adapters.sql.support import (
    CLERK,
    MOUSE,
    START,
    Backend,
    picks,
    sql_service,
    tell_the_story,
)

import crm_returns
from crm_returns.adapters.memory import ManualClock, MemoryDatabase, MemoryOrderSource
from crm_returns.adapters.sql import (
    DEFAULT_TABLE_PREFIX,
    SqlDatabase,
    StorageError,
    Tables,
    create_engine,
    current_revision,
)
from crm_returns.errors import InvalidInput
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.testing.conformance import assert_identical

#: The host's tables: names the library used to take, and the host's own Alembic history.
HOST_TABLES = (
    "CREATE TABLE returns (id INTEGER PRIMARY KEY, customer VARCHAR(40) NOT NULL, note TEXT)",
    "CREATE INDEX ix_host_returns_customer ON returns (customer)",
    "CREATE TABLE outbox (id INTEGER PRIMARY KEY, topic VARCHAR(40) NOT NULL, body TEXT)",
    "CREATE TABLE sequences (name VARCHAR(40) PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE audit_entries (id INTEGER PRIMARY KEY, who VARCHAR(40), what TEXT)",
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
)
HOST_ROWS = (
    "INSERT INTO returns VALUES (1, 'C-1001', 'the host''s own return'), (2, 'C-1002', NULL)",
    "INSERT INTO outbox VALUES (1, 'invoice.sent', '{\"id\": 7}')",
    "INSERT INTO sequences VALUES ('invoice', 41), ('return:acme', 99)",
    "INSERT INTO audit_entries VALUES (1, 'admin', 'created the shop')",
    "INSERT INTO alembic_version VALUES ('host_0042')",
)
HOST_NAMES = ("returns", "outbox", "sequences", "audit_entries", "alembic_version")


def _host_database(backend: Backend) -> sa.Engine:
    """Make the host's tables, with rows, where the library is about to go."""
    engine = create_engine(backend.url, **backend.options)
    with engine.begin() as connection:
        for statement in (*HOST_TABLES, *HOST_ROWS):
            connection.exec_driver_sql(statement)
    return engine


def _host_state(engine: sa.Engine) -> dict[str, object]:
    """The host's tables as the host sees them: their schema and their rows."""
    state: dict[str, object] = {}
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for name in HOST_NAMES:
            state[name] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)
                ],
                "primary key": inspector.get_pk_constraint(name)["constrained_columns"],
                "indexes": sorted(
                    (ix["name"], tuple(ix["column_names"])) for ix in inspector.get_indexes(name)
                ),
                "rows": [
                    tuple(row)
                    for row in connection.exec_driver_sql(f"SELECT * FROM {name} ORDER BY 1")  # noqa: S608 - our names
                ],
            }
    return state


def test_the_library_installs_beside_host_tables_of_the_same_names_and_leaves_them_alone(
    backend: Backend, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    host = _host_database(backend)
    before = _host_state(host)
    tables_before = set(sa.inspect(host).get_table_names())
    schema = backend.options.get("schema")
    orders = MemoryOrderSource({SAMPLE_TENANT: sample_lines()})
    # Started as a new user would start it: migrating, twice (a second instance).
    for _ in range(2):
        crm_returns.sql_service(orders, backend.url.render_as_string(False), schema=schema).close()
    database = backend.database()
    try:
        told = tell_the_story(database.unit_of_work)  # every command, lifecycles to the end
        assert_identical(told, memory_story[0], "story")
    finally:
        database.dispose()
    assert _host_state(host) == before
    ours = {*Tables().names(), "crm_returns_alembic_version"}
    assert set(sa.inspect(host).get_table_names()) == tables_before | ours
    assert current_revision(host) == "0006"
    with host.connect() as connection:
        host_revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        assert host_revision.scalars().all() == ["host_0042"]
    host.dispose()


def test_a_host_table_with_the_name_of_one_of_ours_is_refused_before_anything_is_made(
    backend: Backend,
) -> None:
    host = create_engine(backend.url, **backend.options)
    with host.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE crm_returns_outbox (id INTEGER PRIMARY KEY)")
    database = backend.database()
    try:
        with pytest.raises(StorageError, match=r"crm_returns_outbox.*table prefix") as refused:
            database.upgrade()
        assert "SELECT" not in str(refused.value)
        assert set(sa.inspect(host).get_table_names()) == {"crm_returns_outbox"}
    finally:
        database.dispose()
    # Another prefix installs beside it.
    other = backend.database("rma_")
    try:
        other.upgrade()
        assert other.revisions().up_to_date
    finally:
        other.dispose()
    host.dispose()


def test_two_prefixes_in_one_database_keep_their_returns_apart(backend: Backend) -> None:
    first, second = backend.database("shop_a_"), backend.database("shop_b_")
    try:
        for database in (first, second):
            database.upgrade()
        mine = sql_service(first).create_return(CLERK, picks((MOUSE, "5", "wrong_order")))
        # All five mice are claimed under the first prefix; the second knows nothing of it.
        theirs = sql_service(second).create_return(CLERK, picks((MOUSE, "5", "wrong_order")))
        assert mine.number == theirs.number  # each counts its own numbers
        with first.unit_of_work() as uow:
            assert [o.id for o in uow.returns.for_lines(SAMPLE_TENANT, [MOUSE])] == [mine.id]
        assert first.revisions().found == second.revisions().found == "0006"
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.parametrize("prefix", ["crm_returns_", "select_"])
def test_every_statement_quotes_the_names_of_the_tables(backend: Backend, prefix: str) -> None:
    """The migrations and every statement of every command name our tables quoted."""
    database = backend.database(prefix)
    seen: list[str] = []
    sa.event.listen(
        database.engine, "before_cursor_execute", lambda *event: seen.append(str(event[2]))
    )
    try:
        database.upgrade()
        tell_the_story(database.unit_of_work)
    finally:
        database.dispose()
    names = "|".join([*database.tables.names(), f"{prefix}alembic_version"])
    bare = re.compile(rf'(?<!["\w])({names})(?!["\w])')
    unquoted = sorted({found for sql in seen for found in bare.findall(sql)})
    assert any(f'CREATE TABLE "{prefix}returns"' in sql for sql in seen)
    assert any(f'UPDATE "{prefix}returns"' in sql for sql in seen)
    assert unquoted == []


BAD_PREFIXES = [
    "",
    "CRM_",
    "1crm_",
    "crm-returns_",
    "crm returns_",
    "crm_returns_; DROP TABLE returns; --",
    'crm_"returns_',
    "crm_rétours_",
    "x" * 41,
    None,
    7,
]


@pytest.mark.parametrize("prefix", BAD_PREFIXES, ids=repr)
def test_a_prefix_that_is_not_a_plain_name_is_refused_and_nothing_is_made(
    tmp_path: Path, prefix: Any
) -> None:
    path = tmp_path / "shop.db"
    orders = MemoryOrderSource({SAMPLE_TENANT: sample_lines()})
    with pytest.raises(InvalidInput, match="table prefix"):
        crm_returns.sql_service(orders, f"sqlite:///{path}", table_prefix=prefix)
    with pytest.raises(InvalidInput, match="table prefix"):
        SqlDatabase.connect(f"sqlite:///{path}", table_prefix=prefix)
    assert not path.exists()


@pytest.mark.parametrize("schema", ["", "Shop", "shop-returns", 'x"; DROP SCHEMA public; --'])
def test_a_schema_that_is_not_a_plain_name_is_refused_and_nothing_is_made(
    tmp_path: Path, schema: str
) -> None:
    orders = MemoryOrderSource({SAMPLE_TENANT: sample_lines()})
    path = tmp_path / "shop.db"
    for url in (f"sqlite:///{path}", "postgresql+psycopg://nobody@127.0.0.1:1/nothing"):
        with pytest.raises(InvalidInput, match="schema"):
            crm_returns.sql_service(orders, url, schema=schema)
    assert not path.exists()


def test_a_schema_that_does_not_exist_is_named_in_the_refusal() -> None:
    url = postgres_url()
    orders = MemoryOrderSource({SAMPLE_TENANT: sample_lines()})
    with pytest.raises(StorageError, match=r"no schema to make the tables in.*no_such_schema"):
        crm_returns.sql_service(orders, url, schema="no_such_schema")


def test_sql_service_uses_the_default_prefix_of_the_store() -> None:
    parameter = inspect.signature(crm_returns.sql_service).parameters["table_prefix"]
    assert parameter.default == DEFAULT_TABLE_PREFIX == "crm_returns_"


def test_the_names_of_the_tables_fit_postgresql_with_the_longest_prefix(
    fresh: Callable[[], Backend],
) -> None:
    longest = "p" * 39 + "_"
    database = fresh().database(longest)
    try:
        database.upgrade()
        assert database.revisions().up_to_date
        with database.engine.connect() as connection:
            names = set(sa.inspect(connection).get_table_names())
        assert names == {*database.tables.names(), f"{longest}alembic_version"}
    finally:
        database.dispose()


def test_the_prefix_applies_over_the_hosts_own_engine(backend: Backend) -> None:
    schema = backend.options.get("schema")
    connect_args = {"options": f"-c search_path={schema}"} if schema else {}
    engine = sa.create_engine(backend.url, connect_args=connect_args)  # the host's, plain
    with engine.begin() as connection:
        for statement in (*HOST_TABLES, *HOST_ROWS):
            connection.exec_driver_sql(statement)
    before = _host_state(engine)
    orders = MemoryOrderSource({SAMPLE_TENANT: sample_lines(START)})
    settings = crm_returns.ServiceSettings(clock=ManualClock(START))
    with crm_returns.sql_service(orders, engine, settings, table_prefix="rma_") as service:
        order = service.create_return(CLERK, picks((MOUSE, "2", "wrong_order")))
    with crm_returns.sql_service(
        orders, engine, settings, migrate=False, table_prefix="rma_"
    ) as again:
        assert again.get_return(CLERK, order.id) == order
    with engine.connect() as connection:
        names = set(sa.inspect(connection).get_table_names())
    assert names == {*HOST_NAMES, *Tables("rma_").names(), "rma_alembic_version"}
    assert _host_state(engine) == before
    engine.dispose()
