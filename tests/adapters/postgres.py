"""PostgreSQL for the store tests: its URL from the environment, a fresh schema per test.

Locally the PostgreSQL tests skip, saying why, when no URL is given; CI sets
``CRM_RETURNS_REQUIRE_POSTGRES`` so that there a missing URL fails instead.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest

from crm_returns.adapters.sql import create_engine

__all__ = ["POSTGRES_URL", "REQUIRE_POSTGRES", "fresh_schema", "postgres_url"]

POSTGRES_URL = "CRM_RETURNS_TEST_POSTGRES_URL"
REQUIRE_POSTGRES = "CRM_RETURNS_REQUIRE_POSTGRES"  # set by CI, where skipping is failing


def postgres_url() -> str:
    """The test database's URL; skips the test (fails it in CI) when none is given."""
    url = os.environ.get(POSTGRES_URL, "")
    if not url:
        reason = f"PostgreSQL tests need {POSTGRES_URL}=postgresql://user@host:port/db"
        if os.environ.get(REQUIRE_POSTGRES):
            pytest.fail(f"{reason} ({REQUIRE_POSTGRES} is set: they must run, not skip)")
        pytest.skip(reason)
    return url


@contextlib.contextmanager
def fresh_schema(url: str, prefix: str) -> Iterator[str]:
    """A new, empty schema in the database at ``url``, dropped with everything in it after.

    No connection stays open while the block runs, so forked processes inherit none.
    """
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    finally:
        admin.dispose()
    try:
        yield schema
    finally:
        admin = create_engine(url)
        try:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            admin.dispose()
