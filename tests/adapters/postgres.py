"""PostgreSQL for the store tests: its URL from the environment, a fresh schema per test.

Locally the PostgreSQL tests skip, saying why, when no URL is given; CI sets
``CRM_RETURNS_REQUIRE_POSTGRES`` so that there a missing URL fails instead.

Under pytest-xdist each worker has a database of its own beside the one the URL
names (``<database>_gw0``, ...), made at its first test and dropped when its
session ends: a schema per test keeps the tables apart, but not what a database
shares across its schemas.  The outbox's fan-out horizon waits for every
transaction running in the database, and a test that ends the connections idle
in a transaction ends those in the database, so one worker's tests would hold
back or cut off another's.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from crm_returns.adapters.sql import create_engine

__all__ = [
    "POSTGRES_URL",
    "REQUIRE_POSTGRES",
    "drop_worker_database",
    "fresh_schema",
    "postgres_url",
]

POSTGRES_URL = "CRM_RETURNS_TEST_POSTGRES_URL"
REQUIRE_POSTGRES = "CRM_RETURNS_REQUIRE_POSTGRES"  # set by CI, where skipping is failing

#: The URL of this xdist worker's own database, once made (see the module's docstring).
_worker_url: list[str] = []


def postgres_url() -> str:
    """The test database's URL; skips the test (fails it in CI) when none is given.

    Under pytest-xdist, the URL of the worker's own database, made on first use.
    """
    url = os.environ.get(POSTGRES_URL, "")
    if not url:
        reason = f"PostgreSQL tests need {POSTGRES_URL}=postgresql://user@host:port/db"
        if os.environ.get(REQUIRE_POSTGRES):
            pytest.fail(f"{reason} ({REQUIRE_POSTGRES} is set: they must run, not skip)")
        pytest.skip(reason)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    if not _worker_url:
        given = make_url(url)
        own = given.set(database=f"{given.database}_{worker}")
        _run_outside_a_transaction(url, f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')
        _run_outside_a_transaction(url, f'CREATE DATABASE "{own.database}"')
        _worker_url.append(own.render_as_string(hide_password=False))
    return _worker_url[0]


def drop_worker_database() -> None:
    """Drop the database :func:`postgres_url` made for this xdist worker, if it made one."""
    if _worker_url:
        own = make_url(_worker_url.pop())
        _run_outside_a_transaction(
            os.environ[POSTGRES_URL], f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'
        )


def _run_outside_a_transaction(url: str, statement: str) -> None:
    """Run ``statement`` in the database at ``url`` in autocommit (as CREATE DATABASE must)."""
    admin = create_engine(url, poolclass=sa.NullPool)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(statement)
    finally:
        admin.dispose()


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
