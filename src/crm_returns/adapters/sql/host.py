"""Units of work inside the host's own transaction, on the host's own connection.

:meth:`SqlDatabase.in_transaction <crm_returns.adapters.sql.SqlDatabase.in_transaction>`
makes a :class:`HostTransaction` over a connection on which the host has
begun a transaction.  Each unit of work made in it lends that connection as a
:class:`HostConnection`: its transaction is a savepoint
(``connection.begin_nested()``), so that a command that fails undoes only its
own work and leaves the host's transaction usable, and its commit releases
the savepoint.  The host's transaction itself is never committed or rolled
back here: the host commits it — and everything the commands wrote with it —
or rolls it all back.
"""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy.exc
from sqlalchemy.engine import Connection, Engine, NestedTransaction

from crm_returns.adapters.sql.connection import PooledConnection
from crm_returns.adapters.sql.errors import StorageError, translated
from crm_returns.errors import InvalidInput

__all__ = ["HostConnection", "HostTransaction"]


class HostTransaction:
    """The host's connection, in the host's transaction, until :meth:`end`.

    Args:
        engine: The store's engine; the connection must be one of its pool.
        connection: The host's connection, in a transaction the host began.

    Raises:
        InvalidInput: ``connection`` is not a connection of ``engine`` in a transaction.
    """

    def __init__(self, engine: Engine, connection: object) -> None:
        if not isinstance(connection, Connection):
            raise InvalidInput(
                "in_transaction takes the host's SQLAlchemy Connection, "
                f"got {type(connection).__name__}"
            )
        if connection.engine.pool is not engine.pool:
            raise InvalidInput(
                "in_transaction takes a connection of the engine the service was built "
                "with: pass your engine to sql_service"
            )
        self.engine = engine
        self._connection: Connection | None = connection
        self.connection()  # refuses one that is not in a transaction now

    def connection(self) -> Connection:
        """The host's connection, for a unit of work that begins.

        On SQLite the host's transaction is made to hold the write lock, if
        it does not yet: a savepoint alone would begin, and commit, one of its own.

        Raises:
            InvalidInput: The ``with`` block has ended, or the host's
                transaction has (it was committed, rolled back or never begun).
            ConcurrencyConflict: SQLite's write lock stayed taken for the busy timeout.
        """
        connection = self._connection
        if connection is None:
            raise InvalidInput("the service of in_transaction is used only inside its with block")
        if connection.closed or not connection.in_transaction():
            raise InvalidInput(
                "the host's connection is not in a transaction: begin one, run the "
                "commands inside it, then commit or roll it back"
            )
        driver: Any = connection.connection.driver_connection
        if self.engine.dialect.name == "sqlite":
            if not driver.in_transaction:
                with translated("the database (another writer holds it)"):
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif driver.autocommit:
            raise InvalidInput("the host's connection commits every statement (AUTOCOMMIT)")
        return connection

    def end(self) -> None:
        """Refuse every unit of work from now on; the host's transaction is left as it is."""
        self._connection = None


class HostConnection(PooledConnection):
    """The host's connection lent to one unit of work, whose transaction is a savepoint.

    Nothing is checked out of the pool or given back to it, and the host's
    transaction is neither committed nor rolled back: :meth:`commit` releases
    the savepoint, and rolling back goes back to it.

    Args:
        host: The host's transaction.
    """

    owns_transaction = False

    def __init__(self, host: HostTransaction) -> None:
        super().__init__(host.engine)
        self.proves_connections = False  # the host's connection is the host's to replace
        self._host = host
        self._savepoint: NestedTransaction | None = None

    def check_out(self) -> Any:
        """The host's connection, in a new savepoint; the driver's connection under it.

        Raises:
            InvalidInput: The host's transaction cannot be joined (see
                :meth:`HostTransaction.connection`).
            StorageError: The savepoint could not be made.
        """
        connection = self._host.connection()
        self.connection, self.raw = connection, connection.connection
        self.driver = self.raw.driver_connection
        self.resume()
        return self.driver

    def resume(self) -> None:
        """Begin a savepoint, unless one is open (after :meth:`commit`, the next one)."""
        if self._savepoint is None and self.connection is not None:
            with translated("the host's transaction"):
                self._savepoint = self.connection.begin_nested()

    def sqlalchemy_connection(self) -> Connection:
        """The host's connection."""
        if self.connection is None:
            raise RuntimeError("the host's connection is lent only inside `with unit_of_work:`")
        return self.connection

    def replace(self) -> Any:
        """Never done: a host's connection is the host's to replace."""
        raise RuntimeError("the host's connection is never replaced by the store")

    def commit(self) -> None:
        """Release the savepoint: its work joins the host's transaction.

        SQLAlchemy's error is raised as it is; the savepoint is then still
        there for :meth:`roll_back`.
        """
        savepoint = self._savepoint
        if savepoint is not None and savepoint.is_active:
            savepoint.commit()
        self._savepoint = None

    def roll_back(self) -> None:
        """Go back to the savepoint after a database error; the host's transaction goes on.

        If even that fails, the connection is broken: the host learns it from
        its own next statement, and the error raised is the first one.
        """
        savepoint, self._savepoint = self._savepoint, None
        if savepoint is not None and savepoint.is_active:
            with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError, self.driver_error):
                savepoint.rollback()

    def release(self, cursor: Any, *, roll_back: bool) -> None:
        """Close ``cursor``, go back to the savepoint if still open; keep the connection.

        Raises:
            StorageError: Going back to the savepoint failed.
        """
        savepoint, self._savepoint = self._savepoint, None
        self.raw = self.connection = self.driver = None
        try:
            if cursor is not None:
                cursor.close()
            if roll_back and savepoint is not None and savepoint.is_active:
                savepoint.rollback()
        except (sqlalchemy.exc.SQLAlchemyError, self.driver_error) as error:
            raise StorageError(f"rolling back to the savepoint failed: {error}") from error
