"""The pooled connection a SQL unit of work holds from its beginning to its end.

A :class:`~crm_returns.adapters.sql.transaction.Transaction` sends its
statements on the driver's own connection and cursor; SQLAlchemy's
``Connection`` is made over it only when a statement needs SQLAlchemy, or
when the host watches connections or statements.  :class:`PooledConnection`
checks the connection out of the engine's pool, replaces one whose server end
was closed, and gives it back — rolled back, or thrown away after a failure.
"""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy.exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection

from crm_returns.adapters.sql.errors import StorageError, described, translate

__all__ = ["PooledConnection", "StaleConnection", "statements_watched"]


class StaleConnection(Exception):
    """The server had closed the pooled connection before the unit of work began."""


def statements_watched(engine: Engine) -> bool:
    """Whether ``engine``'s statements are logged or watched (echo, or event listeners)."""
    dispatch = engine.dispatch
    return bool(engine.echo or dispatch.before_cursor_execute or dispatch.after_cursor_execute)


class PooledConnection:
    """A DBAPI connection checked out of an engine's pool, and SQLAlchemy's over it.

    Args:
        engine: The engine whose pool lends the connection.
    """

    #: Whether the unit of work's transaction is its own to commit (not a host's).
    owns_transaction = True

    def __init__(self, engine: Engine) -> None:
        #: The engine whose pool lends the connection.
        self.engine = engine
        #: The pooled DBAPI connection, checked out from :meth:`check_out` to :meth:`release`.
        self.raw: PoolProxiedConnection | None = None
        #: A SQLAlchemy connection over it, once :meth:`sqlalchemy_connection` has made one.
        self.connection: Connection | None = None
        #: The driver's own connection under ``raw`` (psycopg's, sqlite3's).
        self.driver: Any = None
        #: The driver's root error class (PEP 249's ``Error``).
        self.driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        #: PostgreSQL without SQLAlchemy's pre-ping: the connection from the pool is
        #: proven by the unit of work's first round trip, and replaced if it failed.
        self.proves_connections = engine.dialect.name != "sqlite" and not getattr(
            engine.pool, "_pre_ping", False
        )

    def check_out(self) -> Any:
        """Check a connection out of the pool; the driver's connection under it.

        Raises:
            StorageError: The database cannot be reached.
        """
        try:
            raw = self.engine.raw_connection()
        except sqlalchemy.exc.SQLAlchemyError as error:
            raise translate(error, "the database connection") from error
        except self.driver_error as error:
            wrapped = sqlalchemy.exc.DBAPIError.instance(None, None, error, self.driver_error)
            raise translate(wrapped, "the database connection") from wrapped
        self.raw, self.driver = raw, raw.driver_connection
        return self.driver

    def sqlalchemy_connection(self) -> Connection:
        """SQLAlchemy's connection over the one checked out, in its transaction (made once)."""
        if self.connection is None:
            self.connection = Connection(self.engine, connection=self.raw)
        return self.connection

    def resume(self) -> None:
        """Make sure the next statement runs in the unit of work's transaction.

        Nothing to do here: the driver (or SQLAlchemy) begins one by itself.
        """

    def commit(self) -> None:
        """Commit the transaction (SQLAlchemy's, if it ran statements of its own).

        The driver's or SQLAlchemy's error is raised as it is.
        """
        connection = self.connection
        if connection is not None and connection.in_transaction():
            connection.commit()
        else:
            self.driver.commit()

    def replace(self) -> Any:
        """Throw the connection away (its server end was closed) and check out another.

        Returns the new driver's connection, as :meth:`check_out` does.
        """
        stale, connection, driver = self.raw, self.connection, self.driver
        self.raw = self.connection = self.driver = None
        with contextlib.suppress(self.driver_error):
            driver.close()  # psycopg would warn of it when collected
        if connection is not None:  # it may have invalidated the connection already
            connection.invalidate()
            connection.close()
        elif stale is not None:
            stale.invalidate()
            stale.close()
        return self.check_out()

    def roll_back(self) -> None:
        """Roll back after a database error; a connection that cannot is thrown away."""
        if self.raw is not None:
            try:
                if self.connection is not None:
                    self.connection.rollback()
                self.driver.rollback()
            except (sqlalchemy.exc.SQLAlchemyError, self.driver_error):
                # The connection is gone.  SQLAlchemy's, if made, may have thrown it
                # away already: invalidating through it again does nothing.
                if self.connection is not None:
                    self.connection.invalidate()
                elif self.raw.is_valid:
                    self.raw.invalidate()

    def release(self, cursor: Any, *, roll_back: bool) -> None:
        """Close ``cursor`` (the driver's, if any), roll back and give the connection back.

        Args:
            cursor: The driver's cursor made on the connection, or ``None``.
            roll_back: Whether to roll back first: not after :meth:`roll_back`.

        Raises:
            StorageError: Rolling back failed (the connection is given back all the same).
        """
        raw, connection, driver = self.raw, self.connection, self.driver
        self.raw = self.connection = self.driver = None
        if raw is None:
            return
        try:
            if cursor is not None:
                cursor.close()
            if roll_back and raw.is_valid:
                if connection is not None:
                    connection.rollback()
                driver.rollback()  # nothing to do after a commit
        except sqlalchemy.exc.SQLAlchemyError as error:
            raise StorageError(f"rolling back failed: {described(error)}") from error
        except self.driver_error as error:
            raise StorageError(f"rolling back failed: {described(error)}") from error
        finally:
            (connection or raw).close()
