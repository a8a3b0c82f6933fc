"""Where the benchmarks keep their data: SQLite files in a temporary directory, PostgreSQL schemas.

Every database a benchmark writes is new: a file of its own on SQLite, a
schema of its own on PostgreSQL (``bench_<pid>_<name>``, dropped at the end),
so that no run measures what an earlier run left behind.  Both are built by
the packaged migrations, as a host would build them.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path

import psycopg
from psycopg.rows import TupleRow
from sqlalchemy.engine import make_url

from crm_returns.adapters.sql import SqlDatabase, Tables

__all__ = [
    "PostgresServer",
    "SqliteFiles",
    "libpq_url",
    "sqlite_connection",
]


def libpq_url(url: str) -> str:
    """``url`` as psycopg takes it (SQLAlchemy's ``postgresql+psycopg://`` loses its driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class SqliteFiles:
    """SQLite database files in one temporary directory, removed on :meth:`close`."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="crm_returns_bench_")
        self.path = Path(self._directory.name)

    def file(self, name: str) -> Path:
        """The path of database ``name`` (not created yet)."""
        return self.path / f"{name}.db"

    def database(self, name: str) -> SqlDatabase:
        """A new, migrated store in file ``name``."""
        database = SqlDatabase.connect(f"sqlite:///{self.file(name)}")
        database.upgrade()
        return database

    def close(self) -> None:
        """Delete every file."""
        self._directory.cleanup()


def sqlite_connection(path: Path) -> sqlite3.Connection:
    """A plain ``sqlite3`` connection with the store's settings.

    Transactions are begun explicitly (``BEGIN IMMEDIATE``), the journal is
    write-ahead and foreign keys are enforced, as in
    :func:`crm_returns.adapters.sql.create_engine`; ``synchronous`` keeps its
    default (``FULL``) in both.
    """
    connection = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


class PostgresServer:
    """Schemas of one PostgreSQL database, each created on demand and dropped on :meth:`close`.

    Args:
        url: The database (``postgresql://`` or ``postgresql+psycopg://``).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._libpq = libpq_url(url)
        self._schemas: list[str] = []
        self._databases: list[SqlDatabase] = []

    def version(self) -> str:
        """The server's version, such as ``15.4``."""
        with psycopg.connect(self._libpq, autocommit=True) as connection:
            row = connection.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "unknown"

    def setting(self, name: str) -> str:
        """The value of server setting ``name``, such as ``autovacuum``."""
        with psycopg.connect(self._libpq, autocommit=True) as connection:
            row = connection.execute("SELECT current_setting(%s)", (name,)).fetchone()
        return str(row[0]) if row else "unknown"

    def analyze(self, names: Iterable[str]) -> None:
        """``ANALYZE`` every table of the stores ``names``, as autovacuum would in time."""
        tables = ", ".join(
            f'"{self.schema_name(name)}"."{table}"'
            for name in names
            for table in Tables().metadata.tables
        )
        with psycopg.connect(self._libpq, autocommit=True) as connection:
            connection.execute(f"ANALYZE {tables}")

    @staticmethod
    def schema_name(name: str) -> str:
        """The schema that holds store ``name`` (unique to this process)."""
        return f"bench_{os.getpid()}_{name}"

    def database(self, name: str) -> SqlDatabase:
        """A new, migrated store in a new schema of its own."""
        schema = self.schema_name(name)
        with psycopg.connect(self._libpq, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            connection.execute(f'CREATE SCHEMA "{schema}"')
        self._schemas.append(schema)
        database = SqlDatabase.connect(self.url, schema=schema)
        database.upgrade()
        self._databases.append(database)
        return database

    def connect(self, name: str) -> psycopg.Connection[TupleRow]:
        """A plain psycopg connection to the tables of store ``name``."""
        return psycopg.connect(self._libpq, options=f"-c search_path={self.schema_name(name)}")

    def close(self) -> None:
        """Close the stores' connections and drop every schema made."""
        for database in self._databases:
            database.dispose()
        with psycopg.connect(self._libpq, autocommit=True) as connection:
            for schema in self._schemas:
                connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self._schemas.clear()
