"""Fixtures of the delivery tests: a fresh SQL database on SQLite and on PostgreSQL.

A test that asks for ``backend`` runs on both, as the SQL store tests do
(``tests/adapters/sql/conftest.py``): a SQLite file, or a PostgreSQL schema
of its own, dropped afterwards.  PostgreSQL needs
``CRM_RETURNS_TEST_POSTGRES_URL``; without it those runs are skipped, unless
``CRM_RETURNS_REQUIRE_POSTGRES`` is set (as in CI): then they fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from tests.adapters.postgres import fresh_schema, postgres_url
from tests.adapters.sql.support import Backend


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Where a fresh, empty database is: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield Backend(make_url(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db"))
        return
    url = postgres_url()
    with fresh_schema(url, "crm_returns_delivery") as schema:
        yield Backend(make_url(url), {"schema": schema})
