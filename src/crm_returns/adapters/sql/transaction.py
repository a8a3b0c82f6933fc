"""The one connection and transaction a SQL unit of work shares with its repositories."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import attrs
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
from crm_returns.adapters.sql.statements import Binder, Prepared
from crm_returns.errors import CrmReturnsError

__all__ = ["Transaction"]

#: Parameters of one statement, or of an ``executemany``.
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]


@attrs.frozen
class _Deferred:
    """A statement waiting for the next one, or for the commit."""

    statement: Prepared
    parameters: Parameters
    subject: str
    on_rows: Callable[[list[tuple[Any, ...]]], None] | None


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
        self._cursor: Any = None
        self._failed = False
        self._deferred: list[_Deferred] = []
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        #: Converts values for :meth:`fetch` and :meth:`write`, which bypass SQLAlchemy.
        self.binder = Binder(engine.dialect)
        #: What the repositories remember while the unit of work lasts (cleared at
        #: its beginning and end): e.g. the returns read, by id.
        self.seen: dict[Any, Any] = {}
        #: What the repositories read under a row lock, or wrote, in the current
        #: transaction: valid until it commits (cleared then too).
        self.held: dict[Any, Any] = {}

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
        self._deferred.clear()
        self.seen.clear()
        self.held.clear()

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
        self.flush()
        try:
            return connection.execute(statement, parameters)
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._abandon()
            if on_check is not None and failure_of(error) is Failure.CHECK:
                raise on_check(constraint_of(error)) from error
            raise translate(error, subject) from error

    def fetch(
        self,
        statement: Prepared,
        parameters: Mapping[str, Any],
        *,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None = None,
    ) -> list[tuple[Any, ...]]:
        """The rows of a prepared query (or a write that returns rows), as the driver gives them.

        A database error ends the transaction and is raised as ours, as in :meth:`execute`.
        """
        rows, _ = self._run(statement, parameters, subject, on_check)
        return rows

    def write(
        self,
        statement: Prepared,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None = None,
    ) -> int:
        """Run a prepared write (a list of parameters: once for each); the rows it changed.

        A database error ends the transaction and is raised as ours, as in :meth:`execute`.
        """
        if not parameters:
            return 0
        _, changed = self._run(statement, parameters, subject, on_check)
        return changed

    def defer(
        self,
        statement: Prepared,
        parameters: Parameters,
        *,
        subject: str,
        on_rows: Callable[[list[tuple[Any, ...]]], None] | None = None,
    ) -> None:
        """Run ``statement`` later: just before the next statement, or with the commit.

        For writes whose outcome the command does not wait for (audit entries,
        outbox messages, ledger rows) and for row locks taken ahead of the read
        they protect (``on_rows`` then gets the rows).  On PostgreSQL the
        deferred statements travel with the next statement, or with the
        ``COMMIT``, in one round trip (psycopg's pipeline mode) instead of one
        each, and run in the order given; a failure among them fails that
        statement or the commit, and ends the transaction: nothing is kept.
        """
        if self._connection is None:
            raise RuntimeError("the SQL store is used only inside `with unit_of_work:`")
        if parameters:
            self._deferred.append(_Deferred(statement, parameters, subject, on_rows))

    def flush(self) -> None:
        """Run the deferred statements now, in order."""
        deferred, self._deferred = self._deferred, []
        for item in deferred:
            rows, _ = self._run(item.statement, item.parameters, item.subject, None)
            if item.on_rows is not None:
                item.on_rows(rows)

    def _pipelined(self) -> bool:
        """Whether deferred statements go with the next one (PostgreSQL, unobserved)."""
        return bool(self._deferred) and self.locks_rows and not self._observed()

    def _observed(self) -> bool:
        """Whether statements are logged or watched (SQLAlchemy's echo, or event listeners)."""
        dispatch = self._engine.dispatch
        return bool(
            self._engine.echo or dispatch.before_cursor_execute or dispatch.after_cursor_execute
        )

    def _run(
        self,
        statement: Prepared,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None,
    ) -> tuple[list[tuple[Any, ...]], int]:
        if self._deferred:
            if self._pipelined():
                return self._in_pipeline(statement, parameters, subject, on_check)
            self.flush()
        sql = statement.sql(self._engine.dialect)
        if self._observed():
            # Someone logs or watches statements: let SQLAlchemy hand it to the driver.
            connection = self.connection
            try:
                result = connection.exec_driver_sql(sql, parameters)
                rows = [tuple(row) for row in result] if result.returns_rows else []
                return rows, result.rowcount
            except sqlalchemy.exc.SQLAlchemyError as error:
                self._abandon()
                if on_check is not None and failure_of(error) is Failure.CHECK:
                    raise on_check(constraint_of(error)) from error
                raise translate(error, subject) from error
        cursor = self._driver_cursor()
        try:
            if isinstance(parameters, Mapping):
                cursor.execute(sql, parameters)
            else:
                cursor.executemany(sql, parameters)
            rows = list(cursor.fetchall()) if cursor.description is not None else []
            return rows, int(cursor.rowcount)
        except self._driver_error as error:
            self._driver_failure(error, sql, parameters, subject, on_check)

    def _driver_cursor(self) -> Any:
        """The driver's cursor, in a transaction (after a commit: a new one)."""
        connection = self.connection
        if not connection.in_transaction():
            try:
                connection.begin()
            except sqlalchemy.exc.SQLAlchemyError as error:
                self._abandon()
                raise translate(error, "the database (another writer holds it)") from error
        if self._cursor is None:
            self._cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        return self._cursor

    def _driver_failure(
        self,
        error: Exception,
        sql: str,
        parameters: Any,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None,
    ) -> NoReturn:
        """End the transaction and raise ours, caused by the error as SQLAlchemy would wrap it."""
        wrapped = sqlalchemy.exc.DBAPIError.instance(sql, parameters, error, self._driver_error)
        self._abandon()
        if on_check is not None and failure_of(wrapped) is Failure.CHECK:
            raise on_check(constraint_of(wrapped)) from wrapped
        raise translate(wrapped, subject) from wrapped

    def commit(self) -> None:
        """Commit, with the deferred statements; the next statement begins a new transaction."""
        connection = self.connection
        if self._pipelined():
            self._in_pipeline(None, {}, "the unit of work", None)
        self.flush()
        self.held.clear()
        try:
            connection.commit()
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._abandon()
            raise translate(error, "the unit of work") from error

    def _in_pipeline(
        self,
        statement: Prepared | None,
        parameters: Parameters,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None,
    ) -> tuple[list[tuple[Any, ...]], int]:
        """PostgreSQL: send the deferred statements and ``statement`` at once, wait once.

        Without ``statement``, ``COMMIT`` goes last.  Returns the rows and row
        count of ``statement``.
        """
        deferred, self._deferred = self._deferred, []
        writer = self._driver_cursor()
        driver = self.connection.connection.driver_connection
        dialect = self._engine.dialect

        def send(cursor: Any, item: Prepared, values: Parameters) -> None:
            if isinstance(values, Mapping):
                cursor.execute(item.sql(dialect), values)
            else:
                cursor.executemany(item.sql(dialect), values)

        readers = [driver.cursor() if item.on_rows else writer for item in deferred]  # type: ignore[union-attr]
        last = driver.cursor()  # type: ignore[union-attr]
        subjects = ", ".join(dict.fromkeys([*(item.subject for item in deferred), subject]))
        try:
            try:
                with driver.pipeline():  # type: ignore[union-attr]
                    for cursor, item in zip(readers, deferred, strict=True):
                        send(cursor, item.statement, item.parameters)
                    if statement is None:
                        driver.commit()  # type: ignore[union-attr]
                    else:
                        send(last, statement, parameters)
                for cursor, item in zip(readers, deferred, strict=True):
                    if item.on_rows is not None:
                        item.on_rows(list(cursor.fetchall()))
                if statement is None:
                    return [], 0
                rows = list(last.fetchall()) if last.description is not None else []
                return rows, int(last.rowcount)
            finally:
                for cursor in {id(c): c for c in (*readers, last) if c is not writer}.values():
                    cursor.close()
        except self._driver_error as error:
            sql = "COMMIT" if statement is None else statement.sql(dialect)
            self._driver_failure(error, sql, None, subjects, on_check)

    def end(self) -> None:
        """Roll back whatever is not committed and give the connection back."""
        connection, self._connection = self._connection, None
        cursor, self._cursor = self._cursor, None
        self._failed = False
        self._deferred.clear()
        self.seen.clear()
        self.held.clear()
        if connection is None:
            return
        if cursor is not None:
            cursor.close()
        try:
            connection.rollback()
        except sqlalchemy.exc.SQLAlchemyError as error:
            raise StorageError(f"rolling back failed: {error}") from error
        finally:
            connection.close()

    def _abandon(self) -> None:
        self._failed = True
        self._deferred.clear()
        self.held.clear()
        if self._connection is not None:
            try:
                self._connection.rollback()
            except sqlalchemy.exc.SQLAlchemyError:  # pragma: no cover - the connection is gone
                self._connection.invalidate()
