"""The one connection and transaction a SQL unit of work shares with its repositories."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.sql.expression import Executable

from crm_returns.adapters.sql.errors import (
    Failure,
    StorageError,
    constraint_of,
    failure_of,
    translate,
)
from crm_returns.errors import CrmReturnsError

__all__ = ["Transaction"]

#: Parameters of one statement, or of an ``executemany``.
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]


class Transaction:
    """A connection that is in a transaction from ``begin`` until ``end``.

    Every statement goes through :meth:`execute`, which turns driver errors
    into ``crm_returns`` errors.  A database error ends the transaction on the
    spot — PostgreSQL would refuse any further statement anyway — and the unit
    of work cannot be committed after it: a failed command keeps nothing.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._failed = False

    @property
    def locks_rows(self) -> bool:
        """Whether ``SELECT … FOR UPDATE`` locks anything.

        Not on SQLite, where ``BEGIN IMMEDIATE`` already holds the whole database.
        """
        return self._engine.dialect.name != "sqlite"

    def insert(self, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
        """An ``INSERT`` that can say what to do on a conflict, in this database's dialect."""
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def binary(self, column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
        """``column`` ordered by code point, as Python sorts strings, whatever the collation."""
        if self._engine.dialect.name == "postgresql":
            return column.collate("C")
        return column  # SQLite's default collation, BINARY, already is

    @property
    def connection(self) -> Connection:
        """The open connection.

        Raises:
            RuntimeError: Used outside ``with unit_of_work:``, or after a
                database error ended the transaction.
        """
        if self._connection is None:
            raise RuntimeError("the SQL store is used only inside `with unit_of_work:`")
        if self._failed:
            raise RuntimeError("a database error rolled this unit of work back; start a new one")
        return self._connection

    def begin(self) -> None:
        """Check out a connection and begin (on SQLite: take the write lock).

        Raises:
            ConcurrencyConflict: SQLite's write lock stayed taken for the busy timeout.
            StorageError: The database cannot be reached.
        """
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        try:
            connection = self._engine.connect()
        except sqlalchemy.exc.SQLAlchemyError as error:
            raise translate(error, "the database connection") from error
        try:
            connection.begin()
        except sqlalchemy.exc.SQLAlchemyError as error:
            connection.close()
            raise translate(error, "the database (another writer holds it)") from error
        self._connection = connection
        self._failed = False

    def execute(
        self,
        statement: Executable,
        parameters: Parameters | None = None,
        *,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None = None,
    ) -> CursorResult[Any]:
        """Run ``statement``; a database error ends the transaction and is raised as ours.

        Args:
            statement: What to run.
            parameters: Its parameters, or a list of them for an ``executemany``.
            subject: What is read or written, for error messages.
            on_check: Makes the error for a violated CHECK constraint, given its name.
        """
        connection = self.connection
        try:
            return connection.execute(statement, parameters)
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._abandon()
            if on_check is not None and failure_of(error) is Failure.CHECK:
                raise on_check(constraint_of(error)) from error
            raise translate(error, subject) from error

    def commit(self) -> None:
        """Commit; the next statement begins a new transaction of its own."""
        connection = self.connection
        try:
            connection.commit()
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._abandon()
            raise translate(error, "the unit of work") from error

    def end(self) -> None:
        """Roll back whatever is not committed and give the connection back."""
        connection, self._connection = self._connection, None
        self._failed = False
        if connection is None:
            return
        try:
            connection.rollback()
        except sqlalchemy.exc.SQLAlchemyError as error:
            raise StorageError(f"rolling back failed: {error}") from error
        finally:
            connection.close()

    def _abandon(self) -> None:
        self._failed = True
        if self._connection is not None:
            try:
                self._connection.rollback()
            except sqlalchemy.exc.SQLAlchemyError:  # pragma: no cover - the connection is gone
                self._connection.invalidate()
