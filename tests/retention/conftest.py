"""The ``stores`` fixture: every retention property runs on memory, SQLite and PostgreSQL.

PostgreSQL runs need ``CRM_RETURNS_TEST_POSTGRES_URL``; without it they skip,
saying so (CI sets ``CRM_RETURNS_REQUIRE_POSTGRES``, and then they fail).
Each test module gets a PostgreSQL schema of its own, dropped afterwards, and
every example starts from emptied tables.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.adapters.postgres import fresh_schema, postgres_url
from tests.retention.stores import MemoryStores, SqlStores, Stores

from crm_returns.adapters.sql import SqlDatabase


@pytest.fixture(scope="module", params=["memory", "sqlite", "postgresql"])
def stores(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stores]:
    """Empty stores of one kind, one for each example (hypothesis runs many per test)."""
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "memory":
        yield MemoryStores()
        return
    if request.param == "sqlite":
        made = SqlStores(SqlDatabase.connect(f"sqlite:///{folder / 'store.db'}"), folder)
        try:
            yield made
        finally:
            made.dispose()
        return
    url = postgres_url()
    with fresh_schema(url, "crm_returns_props") as schema:
        made = SqlStores(SqlDatabase.connect(url, schema=schema), folder)
        try:
            yield made
        finally:
            made.dispose()
