"""The stores the retention properties run on: memory, a SQLite file, a PostgreSQL schema.

Each example gets an empty store: a new memory database; a copy of a SQLite
file the migrations made once per module; or a PostgreSQL schema made once per
module (in the database of ``CRM_RETURNS_TEST_POSTGRES_URL``) whose tables
are emptied before each example.  A store can also show everything it holds as
text, and change or delete an entry of the operation log behind the service's
back, as an intruder with database access would.
"""

from __future__ import annotations

import contextlib
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


@attrs.define
class SqlStore:
    """A SQL database, and backups in files."""

    database: SqlDatabase
    backups: Backups

    @property
    def unit_of_work(self) -> Callable[[], UnitOfWork]:
        return self.database.unit_of_work

    def texts(self) -> Iterator[str]:
        """Every column of every row of every table in the database, cast to text."""
        engine = self.database.engine
        with engine.connect() as connection:
            for name in sa.inspect(connection).get_table_names():
                table = sa.Table(name, sa.MetaData(), autoload_with=connection)
                columns = [sa.cast(column, sa.Text) for column in table.columns]
                for row in connection.execute(sa.select(*columns)):
                    yield from (str(value) for value in row if value is not None)

    def replace_log_entry(self, tenant_id: str, position: int, entry: LogEntry) -> None:
        log = self.database.tables.retention_log
        document = sa.bindparam("document", type_=sa.types.NullType())
        with self.database.engine.begin() as connection:
            connection.execute(
                sa.update(log)
                .where(log.c.tenant_id == tenant_id, log.c.position == position)
                .values(document=document),
                {"document": Codec().encode_text(entry)},
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


class SqliteStores:
    """Copies of one migrated SQLite file, each deleted after its example."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._template = folder / "template.db"
        database = SqlDatabase.connect(f"sqlite:///{self._template}")
        database.upgrade()
        database.dispose()

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Store]:
        name = uuid.uuid4().hex
        path, backups = self._folder / f"{name}.db", self._folder / f"{name}-backups"
        shutil.copyfile(self._template, path)
        backups.mkdir()
        database = SqlDatabase.connect(f"sqlite:///{path}")
        try:
            yield SqlStore(database, FileBackups(backups))
        finally:
            database.dispose()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.rmtree(backups, ignore_errors=True)


class PostgresStores:
    """One migrated schema, its tables emptied before each example."""

    def __init__(self, url: str, schema: str, folder: Path) -> None:
        self._folder = folder
        self.database = SqlDatabase.connect(url, schema=schema)
        self.database.upgrade()

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Store]:
        # DELETE, not TRUNCATE: emptying a few small tables takes 5 ms, not 600.
        with self.database.engine.begin() as connection:
            for table in reversed(self.database.tables.metadata.sorted_tables):
                connection.execute(sa.delete(table))
        backups = self._folder / uuid.uuid4().hex
        backups.mkdir()
        try:
            yield SqlStore(self.database, FileBackups(backups))
        finally:
            shutil.rmtree(backups, ignore_errors=True)

    def dispose(self) -> None:
        self.database.dispose()
