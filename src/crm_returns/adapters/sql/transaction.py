"""The one connection and transaction a SQL unit of work shares with its repositories."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.expression import Executable

from crm_returns.adapters.sql.codec import Codec
from crm_returns.adapters.sql.connection import (
    PooledConnection,
    StaleConnection,
    statements_watched,
)
from crm_returns.adapters.sql.errors import Failure, constraint_of, failure_of, translate
from crm_returns.adapters.sql.pipeline import Deferred, Parameters, in_pipeline, outcome, send
from crm_returns.adapters.sql.statements import Binder, Prepared, StatementTexts, code_point_order
from crm_returns.errors import CrmReturnsError

__all__ = ["Transaction"]

_T = TypeVar("_T")


class Transaction:
    """A connection that is in a transaction from ``begin`` until ``end``.

    Every statement goes through :meth:`execute`, which turns driver errors
    into ``crm_returns`` errors.  A database error ends the transaction on the
    spot — PostgreSQL would refuse any further statement anyway — and the unit
    of work cannot be committed after it: a failed command keeps nothing.

    Args:
        pooled: Lends the connection from ``begin`` to ``end``: one from the
            engine's pool (a :class:`~crm_returns.adapters.sql.host.HostConnection`:
            the host's, the transaction a savepoint in the host's).
        codec: The database's codec, for the repositories' documents.
        texts: The database's texts of the prepared statements.
    """

    def __init__(self, pooled: PooledConnection, codec: Codec, texts: StatementTexts) -> None:
        self._engine = engine = pooled.engine
        self._texts = texts
        #: The database's tables, for the statements built per call (searches, ledgers).
        self.tables = texts.tables
        #: Turns the repositories' values into documents and back, with the database's caches.
        self.codec = codec
        self._pooled = pooled
        #: Its driver's connection, kept here for the statements (``None`` when not open).
        self._driver: Any = None
        self._cursor: Any = None
        self._begins_immediate = engine.dialect.name == "sqlite"
        self._observing = False
        self._unproven = False
        self._failed = False
        self._deferred: list[Deferred] = []
        self._driver_error = self._pooled.driver_error
        #: Converts values for :meth:`fetch` and :meth:`write`, which bypass SQLAlchemy.
        self.binder = Binder(engine.dialect)
        #: What the repositories read or wrote in the current transaction (cleared
        #: when it begins, commits or ends): e.g. the returns, by id.
        self.seen: dict[Any, Any] = {}
        #: What the repositories read under a row lock, or wrote, in the current
        #: transaction (cleared with ``seen``).
        self.held: dict[Any, Any] = {}

    @property
    def dialect_name(self) -> str:
        """The database's dialect: ``"sqlite"`` or ``"postgresql"``."""
        return str(self._engine.dialect.name)

    @property
    def hosted(self) -> bool:
        """Whether the transaction is a savepoint in the host's, committed by the host."""
        return not self._pooled.owns_transaction

    @property
    def locks_rows(self) -> bool:
        """Whether ``SELECT … FOR UPDATE`` locks anything.

        Not on SQLite, where ``BEGIN IMMEDIATE`` already holds the whole database.
        """
        return self._engine.dialect.name != "sqlite"

    def shaped(self, build: Callable[[int], Prepared], count: int) -> Prepared:
        """The statement ``build`` makes for ``count`` lines, made once by this database."""
        return self._texts.shaped(build, count)

    def binary(self, column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
        """``column`` ordered by code point, as Python sorts strings, whatever the collation."""
        return code_point_order(column, self._engine.dialect.name)

    @property
    def connection(self) -> Connection:
        """The open connection.

        Raises:
            RuntimeError: Used outside ``with unit_of_work:``, or after a
                database error ended the transaction.
        """
        if self._driver is None:
            raise RuntimeError("the SQL store is used only inside `with unit_of_work:`")
        if self._failed:
            raise RuntimeError("a database error rolled this unit of work back; start a new one")
        self._pooled.resume()
        connection = self._pooled.connection
        return connection if connection is not None else self._pooled.sqlalchemy_connection()

    def begin(self) -> None:
        """Check out a connection and begin (on SQLite: take the write lock).

        Raises:
            ConcurrencyConflict: SQLite's write lock stayed taken for the busy timeout.
            StorageError: The database cannot be reached.
        """
        if self._driver is not None:
            raise RuntimeError("this unit of work is already open")
        self._driver = self._pooled.check_out()
        self._failed = False
        self._deferred.clear()
        self.seen.clear()
        self.held.clear()
        self._observing = statements_watched(self._engine)
        self._connect_if_watched()
        self._unproven = self._pooled.proves_connections
        try:
            self._driver_cursor()  # on SQLite: BEGIN IMMEDIATE
        except CrmReturnsError:
            self.end()
            raise

    def _connect_if_watched(self) -> None:
        """Make SQLAlchemy's connection now if the host watches connections or statements."""
        if self._observing or self._engine.dispatch.engine_connect:
            _ = self.connection

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
        self.flush()
        if self._unproven:
            return self._proving(
                lambda: self._execute_once(
                    statement, parameters, subject=subject, on_check=on_check
                )
            )
        return self._execute_once(statement, parameters, subject=subject, on_check=on_check)

    def _execute_once(
        self,
        statement: Executable,
        parameters: Parameters | None,
        *,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None,
    ) -> CursorResult[Any]:
        connection = self.connection
        try:
            return connection.execute(statement, parameters)
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._fail(error, subject, on_check)

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
        if self._driver is None:
            raise RuntimeError("the SQL store is used only inside `with unit_of_work:`")
        if parameters:
            self._deferred.append(Deferred(statement, parameters, subject, on_rows))

    def flush(self) -> None:
        """Run the deferred statements now, in order."""
        deferred, self._deferred = self._deferred, []
        for item in deferred:
            rows, _ = self._run(item.statement, item.parameters, item.subject, None)
            if item.on_rows is not None:
                item.on_rows(rows)

    def _pipelined(self) -> bool:
        """Whether deferred statements go with the next one (PostgreSQL, unobserved)."""
        return bool(self._deferred) and self.locks_rows and not self._observing

    def _run(
        self,
        statement: Prepared,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None,
    ) -> tuple[list[tuple[Any, ...]], int]:
        if self._unproven:
            return self._proving(lambda: self._run_once(statement, parameters, subject, on_check))
        return self._run_once(statement, parameters, subject, on_check)

    def _proving(self, attempt: Callable[[], _T]) -> _T:
        """Make the first round trip of a unit of work, on a new connection if need be.

        A pooled connection whose server end was closed while it waited (a
        restart, an idle timeout) fails that first round trip; nothing has
        happened in the unit of work yet, so it is made again on another.
        """
        deferred = list(self._deferred)
        try:
            result = attempt()
        except StaleConnection:
            self._unproven = False  # on the new connection, a failure is the command's
            self._driver = self._cursor = None
            self._driver = self._pooled.replace()
            self._connect_if_watched()
            self._deferred = deferred
            result = attempt()
        self._unproven = False
        return result

    def _run_once(
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
        sql = self._texts.sql(statement)
        if self._observing:
            # Someone logs or watches statements: let SQLAlchemy hand it to the driver.
            connection = self.connection
            try:
                result = connection.exec_driver_sql(sql, parameters)
                rows = [tuple(row) for row in result] if result.returns_rows else []
                return rows, result.rowcount
            except sqlalchemy.exc.SQLAlchemyError as error:
                self._fail(error, subject, on_check)
        cursor = self._driver_cursor()
        try:
            send(cursor, sql, parameters)
            return outcome(cursor)
        except self._driver_error as error:
            self._driver_failure(error, sql, parameters, subject, on_check)

    def _driver_cursor(self) -> Any:
        """The driver's cursor, in a transaction (after a commit: a new one).

        The transaction is the driver's own: psycopg begins one by itself at
        the first statement, and on SQLite this sends ``BEGIN IMMEDIATE``
        (SQLAlchemy's ``begin`` event does the same for its own statements,
        unless the driver is in a transaction already).  In the host's
        transaction it is a savepoint, begun by the connection's ``resume``.
        """
        if self._failed or self._driver is None:
            _ = self.connection  # raises the reason
        self._pooled.resume()
        cursor = self._cursor
        if cursor is None:
            cursor = self._cursor = self._driver.cursor()
        if self._begins_immediate and not self._driver.in_transaction:
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except self._driver_error as error:
                self._driver_failure(
                    error, "BEGIN IMMEDIATE", None, "the database (another writer holds it)", None
                )
        return cursor

    def _driver_failure(
        self,
        error: Exception,
        sql: str,
        parameters: Any,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None,
    ) -> NoReturn:
        """End the transaction and raise ours, caused by the error as SQLAlchemy would wrap it."""
        if self._unproven and self._engine.dialect.is_disconnect(
            error,  # type: ignore[arg-type]  # a driver error: PEP 249's Error
            self._driver,
            None,
        ):
            raise StaleConnection from error
        wrapped = sqlalchemy.exc.DBAPIError.instance(sql, parameters, error, self._driver_error)
        self._fail(wrapped, subject, on_check)

    def _fail(
        self,
        error: sqlalchemy.exc.SQLAlchemyError,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None,
    ) -> NoReturn:
        """End the transaction and raise ``error`` as ours (``on_check``'s, for a CHECK).

        A first round trip lost with its connection is :class:`StaleConnection`: made again.
        """
        if self._unproven and getattr(error, "connection_invalidated", False):
            raise StaleConnection from error
        self._failed = True
        self._deferred.clear()
        self.held.clear()
        self._pooled.roll_back()
        if on_check is not None and failure_of(error) is Failure.CHECK:
            raise on_check(constraint_of(error)) from error
        raise translate(error, subject) from error

    def commit(self) -> None:
        """Commit, with the deferred statements; the next statement begins a new transaction."""
        # A round trip that carries the COMMIT is never made twice: the server
        # may have committed before the connection failed.
        self._unproven = False
        if self._pipelined():
            self._in_pipeline(None, {}, "the unit of work", None)
        self.flush()
        if self._failed or self._driver is None:
            _ = self.connection  # raises the reason
        self.held.clear()
        self.seen.clear()
        try:
            self._pooled.commit()
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._fail(error, "the unit of work", None)
        except self._driver_error as error:
            self._driver_failure(error, "COMMIT", None, "the unit of work", None)

    def _in_pipeline(
        self,
        statement: Prepared | None,
        parameters: Parameters,
        subject: str,
        on_check: Callable[[str], CrmReturnsError] | None,
    ) -> tuple[list[tuple[Any, ...]], int]:
        """PostgreSQL: send the deferred statements and ``statement`` at once, wait once.

        Without ``statement``, ``COMMIT`` goes last (not in the host's
        transaction).  Returns the rows and row count of ``statement``.
        """
        deferred, self._deferred = self._deferred, []
        writer = self._driver_cursor()
        texts = self._texts.sql
        try:
            commit = self._pooled.owns_transaction
            return in_pipeline(self._driver, writer, texts, deferred, statement, parameters, commit)
        except self._driver_error as error:
            subjects = ", ".join(dict.fromkeys([*(item.subject for item in deferred), subject]))
            sql = "COMMIT" if statement is None else texts(statement)
            self._driver_failure(error, sql, None, subjects, on_check)

    def end(self) -> None:
        """Roll back whatever is not committed and give the connection back."""
        cursor, self._cursor = self._cursor, None
        # After a database error the transaction was rolled back already (or the
        # connection, found gone, thrown away).
        abandoned, self._failed = self._failed, False
        self._driver = None
        self._deferred.clear()
        self.seen.clear()
        self.held.clear()
        self._pooled.release(cursor, roll_back=not abandoned)
