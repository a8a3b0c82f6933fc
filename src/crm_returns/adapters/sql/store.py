"""The SQL unit of work, and the database that makes them.

:class:`SqlDatabase` is the SQL counterpart of
:class:`~crm_returns.adapters.memory.MemoryDatabase`: pass its
:meth:`~SqlDatabase.unit_of_work` to :class:`~crm_returns.ReturnsService`.
Each :class:`SqlUnitOfWork` is one database transaction from ``with`` to
:meth:`~crm_returns.ports.UnitOfWork.commit`; leaving without a commit rolls
it back, and writes after a commit need a commit of their own.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.engine import URL, Connection, Engine

from crm_returns.adapters.sql.casefile import SqlCaseFile
from crm_returns.adapters.sql.codec import Codec
from crm_returns.adapters.sql.connection import PooledConnection
from crm_returns.adapters.sql.deliveries import SqlDeliveries
from crm_returns.adapters.sql.engine import create_engine, share_engine
from crm_returns.adapters.sql.fact_queries import SqlLineFacts
from crm_returns.adapters.sql.host import HostConnection, HostTransaction
from crm_returns.adapters.sql.ledgers import SqlJournal, SqlStockLedger
from crm_returns.adapters.sql.migrate import Revisions, check_revision, revisions, upgrade
from crm_returns.adapters.sql.outbox import SqlOutbox
from crm_returns.adapters.sql.records import (
    SqlAuditLog,
    SqlIdempotencyKeys,
    SqlReasonStore,
    SqlSequences,
)
from crm_returns.adapters.sql.retention import SqlRetention
from crm_returns.adapters.sql.returns import SqlReturns
from crm_returns.adapters.sql.schema import DEFAULT_TABLE_PREFIX, Tables, checked_prefix
from crm_returns.adapters.sql.statements import StatementTexts
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.ports import UnitOfWork

__all__ = ["SqlDatabase", "SqlUnitOfWork", "sql_unit_of_work_factory"]


class SqlUnitOfWork(UnitOfWork):
    """One database transaction over every store the service writes.

    In the host's transaction (``host``), a savepoint in it instead: its
    commit joins the host's transaction, which the host commits or rolls back.

    Attributes:
        returns: Return orders; :meth:`~SqlReturns.lock_lines` is its addition
            to the port, for commands that decide from a line's history.
    """

    returns: SqlReturns

    def __init__(self, database: SqlDatabase, host: HostTransaction | None = None) -> None:
        pooled = PooledConnection(database.engine) if host is None else HostConnection(host)
        self._tx = Transaction(pooled, database._codec, database._texts)
        self.returns = SqlReturns(self._tx)
        self.audit = SqlAuditLog(self._tx)
        self.outbox = SqlOutbox(self._tx)
        self.deliveries = SqlDeliveries(self._tx)
        self.reasons = SqlReasonStore(self._tx)
        self.sequences = SqlSequences(self._tx)
        self.stock = SqlStockLedger(self._tx)
        self.journal = SqlJournal(self._tx)
        self.idempotency = SqlIdempotencyKeys(self._tx)
        self.retention = SqlRetention(self._tx)
        self.casefile = SqlCaseFile(self._tx)
        self.facts = SqlLineFacts(self._tx)

    def _begin(self) -> None:
        self._tx.begin()

    def _commit(self) -> None:
        self._tx.commit()

    def rollback(self) -> None:
        """Throw away what is not committed and give the connection back."""
        self._tx.end()


class SqlDatabase:
    """A SQL database holding returns; makes the units of work over it.

    What the store keeps between units of work to go faster — the returns it
    wrote last, the texts of times, its compiled statements — belongs to this
    object: two of them in one process share nothing, not even when they
    reach the same database.  So do its tables' names: every one starts with
    ``table_prefix``, so that the library's tables sit beside a host's own.

    Args:
        engine: An engine from :func:`~crm_returns.adapters.sql.create_engine`,
            whose settings (``BEGIN IMMEDIATE`` on SQLite) the store relies on.
        table_prefix: What every table's name starts with: lower-case letters,
            digits and ``_`` (``crm_returns_`` makes ``crm_returns_returns``).

    Raises:
        InvalidInput: ``table_prefix`` is not a plain SQL name.
    """

    def __init__(self, engine: Engine, *, table_prefix: str = DEFAULT_TABLE_PREFIX) -> None:
        #: The database's tables, named with its prefix.
        self.tables = Tables(table_prefix)
        self.engine = engine
        self._codec = Codec()
        self._texts = StatementTexts(engine.dialect, self.tables)

    @classmethod
    def connect(
        cls, url: str | URL, *, table_prefix: str = DEFAULT_TABLE_PREFIX, **options: Any
    ) -> SqlDatabase:
        """A database at ``url``; ``options`` (``schema=``, ...) go to :func:`create_engine`.

        Raises:
            InvalidInput: ``table_prefix``, or the schema, is not a plain SQL name.
            StorageError: The URL names a database the store does not support.
        """
        checked_prefix(table_prefix)  # before anything is made
        return cls(create_engine(url, **options), table_prefix=table_prefix)

    def unit_of_work(self) -> SqlUnitOfWork:
        """A new unit of work over this database (pass this method as the factory)."""
        return SqlUnitOfWork(self)

    @classmethod
    def sharing(cls, engine: Engine, *, table_prefix: str = DEFAULT_TABLE_PREFIX) -> SqlDatabase:
        """A database over the host's own ``engine``: one pool for the host and the store.

        The engine is given what the store relies on (see
        :func:`~crm_returns.adapters.sql.engine.share_engine`: on SQLite, every
        transaction begins with ``BEGIN IMMEDIATE`` and foreign keys are
        enforced, for the host's own connections too).  It stays the host's:
        do not :meth:`dispose` it while the host uses it.

        Raises:
            InvalidInput: ``table_prefix`` is not a plain SQL name.
            StorageError: The engine reaches a database or driver the store
                does not support, or commits every statement (``AUTOCOMMIT``).
        """
        checked_prefix(table_prefix)  # before the engine is changed
        return cls(share_engine(engine), table_prefix=table_prefix)

    @contextlib.contextmanager
    def in_transaction(self, connection: Connection) -> Iterator[Callable[[], SqlUnitOfWork]]:
        """Units of work in the host's transaction on ``connection``, until the block ends.

        Each unit of work is a savepoint in the host's transaction: its commit
        releases the savepoint and a failure goes back to it, so the host's
        transaction stays usable.  Nothing is committed or rolled back for the
        host: what the units of work wrote is kept or dropped with the host's
        own work.

        Args:
            connection: A connection of this database's engine, in a
                transaction the host began (on SQLite, best with ``BEGIN
                IMMEDIATE``, as the engine's ``begin`` does).

        Yields:
            Makes a unit of work on ``connection``; after the block it refuses to.

        Raises:
            InvalidInput: ``connection`` is not a connection of this engine in a transaction.
        """
        host = HostTransaction(self.engine, connection)
        try:
            yield functools.partial(SqlUnitOfWork, self, host)
        finally:
            host.end()

    def upgrade(self, revision: str = "head") -> None:
        """Bring the tables up to ``revision`` with the packaged migrations, under a lock.

        Raises:
            SchemaMismatch: The tables were made by a newer version of the package.
            StorageError: The host has tables with the names of ours, or the
                database refused a migration.
        """
        upgrade(self.engine, revision, table_prefix=self.tables.prefix)

    def revisions(self) -> Revisions:
        """Which revision the tables are at, and which one this package needs.

        Raises:
            StorageError: The database could not be read.
        """
        return revisions(self.engine, table_prefix=self.tables.prefix)

    def check_revision(self) -> None:
        """Make sure the tables are at the revision this package needs.

        Raises:
            SchemaMismatch: They are older (or not there yet), or newer.
            StorageError: The database could not be read.
        """
        check_revision(self.engine, table_prefix=self.tables.prefix)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def sql_unit_of_work_factory(
    url: str | URL,
    *,
    migrate: bool = False,
    table_prefix: str = DEFAULT_TABLE_PREFIX,
    **options: Any,
) -> Callable[[], UnitOfWork]:
    """A unit-of-work factory over the database at ``url``, for ``ReturnsService``.

    Args:
        url: ``sqlite:///returns.db`` or a PostgreSQL URL.
        migrate: Apply the packaged migrations first (harmless when up to
            date); otherwise make sure they were applied.
        table_prefix: What every table's name starts with.
        **options: Passed on to :func:`~crm_returns.adapters.sql.create_engine`.

    Raises:
        InvalidInput: ``table_prefix``, or the schema, is not a plain SQL name.
        SchemaMismatch: The tables are not at the revision this package needs.
        StorageError: The database cannot be used.
    """
    database = SqlDatabase.connect(url, table_prefix=table_prefix, **options)
    try:
        if migrate:
            database.upgrade()
        else:
            database.check_revision()
    except BaseException:
        database.dispose()
        raise
    return database.unit_of_work
