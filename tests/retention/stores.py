"""The stores the retention properties run on: memory, a SQLite file, a PostgreSQL schema.

Each example gets an empty store: a new memory database, or a SQL database
(a SQLite file, or a PostgreSQL schema in the database of
``CRM_RETURNS_TEST_POSTGRES_URL``) migrated once per module whose tables are
emptied before each example.  A store can also show everything it holds as
text, and change or delete an entry of the operation log behind the service's
back, as an intruder with database access would.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import attrs
import sqlalchemy as sa

from crm_returns.adapters.backups import FileBackups
from crm_returns.adapters.memory import MemoryBackups, MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.retention import LogEntry
from crm_returns.ports import Backups, UnitOfWork


class Store(Protocol):
    """An empty store for one example, with its backups."""

    @property
    def unit_of_work(self) -> Callable[[], UnitOfWork]:
        """Makes units of work over the store."""
        ...

    @property
    def backups(self) -> Backups:
        """Where plans write their backups."""
        ...

    def texts(self) -> Iterator[str]:
        """Everything the store holds, as text, a piece at a time."""
        ...

    def replace_log_entry(self, tenant_id: str, position: int, entry: LogEntry) -> None:
        """Put ``entry`` in place of the tenant's entry at ``position``."""
        ...

    def delete_log_entry(self, tenant_id: str, position: int) -> None:
        """Remove the entry at ``position`` of the tenant's log."""
        ...


@attrs.define
class MemoryStore:
    """A new memory database, and backups in memory."""

    database: MemoryDatabase = attrs.Factory(MemoryDatabase)
    backups: Backups = attrs.Factory(MemoryBackups)

    @property
    def unit_of_work(self) -> Callable[[], UnitOfWork]:
        return self.database.unit_of_work

    def texts(self) -> Iterator[str]:
        yield repr(self.database.committed)

    def replace_log_entry(self, tenant_id: str, position: int, entry: LogEntry) -> None:
        chain = self.database.committed.retention.log[tenant_id]
        place = next(i for i, old in enumerate(chain) if old.position == position)
        chain[place] = entry

    def delete_log_entry(self, tenant_id: str, position: int) -> None:
        chain = self.database.committed.retention.log[tenant_id]
        chain[:] = [entry for entry in chain if entry.position != position]


def reflected(connection: sa.Connection) -> list[sa.Table]:
    """Every table in the database the connection reaches, as the database describes it."""
    metadata = sa.MetaData()
    names = sa.inspect(connection).get_table_names()
    return [sa.Table(name, metadata, autoload_with=connection) for name in names]


@attrs.define
class SqlStore:
    """A SQL database, its tables as the database describes them, and backups in files."""

    database: SqlDatabase
    backups: Backups
    tables: list[sa.Table]

    @property
    def unit_of_work(self) -> Callable[[], UnitOfWork]:
        return self.database.unit_of_work

    def texts(self) -> Iterator[str]:
        """Every column of every row of every table in the database, cast to text."""
        with self.database.engine.connect() as connection:
            now = set(sa.inspect(connection).get_table_names())
            assert now == {table.name for table in self.tables}, "tables came or went"
            for table in self.tables:
                columns = [sa.cast(column, sa.Text) for column in table.columns]
                for row in connection.execute(sa.select(*columns)):
                    yield from (str(value) for value in row if value is not None)

    def replace_log_entry(self, tenant_id: str, position: int, entry: LogEntry) -> None:
        log = self.database.tables.retention_log
        document = json.loads(Codec().encode_text(entry))
        with self.database.engine.begin() as connection:
            connection.execute(
                sa.update(log)
                .where(log.c.tenant_id == tenant_id, log.c.position == position)
                .values(document=document)
            )

    def delete_log_entry(self, tenant_id: str, position: int) -> None:
        log = self.database.tables.retention_log
        with self.database.engine.begin() as connection:
            connection.execute(
                sa.delete(log).where(log.c.tenant_id == tenant_id, log.c.position == position)
            )


class Stores(Protocol):
    """Makes an empty store for each example."""

    def fresh(self) -> contextlib.AbstractContextManager[Store]:
        """An empty store, cleaned up after the block."""
        ...


class MemoryStores:
    """New memory databases."""

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Store]:
        yield MemoryStore()


class SqlStores:
    """One migrated database for a module, its tables emptied before each example.

    Args:
        database: An empty database (a SQLite file, a PostgreSQL schema).
        folder: Where each example's backups go (removed after it).
    """

    def __init__(self, database: SqlDatabase, folder: Path) -> None:
        self._folder = folder
        self.database = database
        self.database.upgrade()
        with self.database.engine.connect() as connection:
            self._tables = reflected(connection)

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Store]:
        # DELETE, not TRUNCATE: emptying a few small tables takes 5 ms, not 600.
        with self.database.engine.begin() as connection:
            for table in reversed(self.database.tables.metadata.sorted_tables):
                connection.execute(sa.delete(table))
        backups = self._folder / uuid.uuid4().hex
        backups.mkdir()
        try:
            yield SqlStore(self.database, FileBackups(backups), self._tables)
        finally:
            shutil.rmtree(backups, ignore_errors=True)

    def dispose(self) -> None:
        self.database.dispose()
