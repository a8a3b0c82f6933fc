"""The floor: the same lifecycle writes in hand-written SQL, with sqlite3 and psycopg directly.

No SQLAlchemy, no domain, no documents built: each command is one
transaction (``BEGIN IMMEDIATE`` on SQLite, as the store begins) that does the
least a careful hand-written implementation must do, and writes exactly the
rows the store wrote in a captured run (see :mod:`benchmarks.capture`), with
the same JSON documents and fresh keys:

- ``create`` reads the lines' claims (the returnable-quantity check), draws
  the return number, inserts the return, its lines, and the lines' claims
  (an upsert that the ``CHECK`` guards), then the audit entry and the message;
- every other command reads the return (it must, to decide), updates it under
  a version check, and inserts what the command produced; ``complete`` also
  draws the credit note number and updates the lines' refunded units.

Values are converted for each driver before the clock starts.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, LiteralString, Protocol

import psycopg
from psycopg.rows import TupleRow

from benchmarks.capture import CommandWrites, LifecycleWrites
from benchmarks.workload import TENANT, order_number

__all__ = ["PlainSqlLifecycles", "PostgresSession", "Session", "SqliteSession"]

DRAW = (
    'INSERT INTO crm_returns_sequences ("key", value) VALUES (?, 1) '
    'ON CONFLICT ("key") DO UPDATE SET value = crm_returns_sequences.value + 1 RETURNING value'
)
READ_CLAIMS = (
    "SELECT line_id, claimed FROM crm_returns_line_claims "
    "WHERE tenant_id = ? AND order_number = ? AND line_id IN ({})"
)
UPSERT_CLAIM = (
    "INSERT INTO crm_returns_line_claims (tenant_id, order_number, line_id, delivered, claimed) "
    "VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (tenant_id, order_number, line_id) DO UPDATE SET claimed = excluded.claimed"
)
INSERT_RETURN = (
    "INSERT INTO crm_returns_returns (tenant_id, id, number, customer_id, status, created_at, "
    "updated_at, version, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
READ_RETURN = "SELECT version, document FROM crm_returns_returns WHERE tenant_id = ? AND id = ?"
UPDATE_RETURN = (
    "UPDATE crm_returns_returns SET status = ?, updated_at = ?, version = ?, document = ? "
    "WHERE tenant_id = ? AND id = ? AND version = ?"
)
INSERT_LINE = (
    "INSERT INTO crm_returns_return_lines (tenant_id, return_id, order_number, line_id, "
    "reason_code, claimed, refunded_units) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_LINE = (
    "UPDATE crm_returns_return_lines SET claimed = ?, refunded_units = ? "
    "WHERE tenant_id = ? AND return_id = ? AND order_number = ? AND line_id = ?"
)
INSERT_AUDIT = (
    "INSERT INTO crm_returns_audit_entries (tenant_id, id, return_id, action, actor_id, at, "
    "document) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
INSERT_OUTBOX = (
    "INSERT INTO crm_returns_outbox (id, tenant_id, return_id, event_type, created_at, document) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
INSERT_MOVE = (
    "INSERT INTO crm_returns_stock_moves (tenant_id, id, return_id, order_number, line_id, sku, "
    "quantity, source, destination, at, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_ENTRY = (
    "INSERT INTO crm_returns_journal_entries (tenant_id, id, return_id, number, kind, at, "
    "currency, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_POSTING = (
    "INSERT INTO crm_returns_journal_postings (tenant_id, entry_id, position, account_code, side, "
    "amount, currency) VALUES (?, ?, ?, ?, ?, ?, ?)"
)

Row = tuple[Any, ...]


class Session(Protocol):
    """One connection of a driver, spoken to in ``?``-placeholder SQL."""

    def begin(self) -> None:
        """Start a transaction that holds the write lock where the store's does."""

    def fetch(self, sql: LiteralString, params: Row) -> list[Row]:
        """Rows of a query (or of ``RETURNING``)."""

    def execute(self, sql: LiteralString, params: Row) -> int:
        """Run one statement; the rows it touched."""

    def execute_many(self, sql: LiteralString, rows: Sequence[Row]) -> None:
        """Run one statement for each of ``rows``."""

    def commit(self) -> None:
        """Commit the transaction."""

    def value(self, value: object) -> object:
        """``value`` as this driver stores it in the store's columns."""


class SqliteSession:
    """:class:`Session` over ``sqlite3`` in autocommit mode, beginning ``IMMEDIATE``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def begin(self) -> None:
        """``BEGIN IMMEDIATE``: the write lock up front, as the store takes it."""
        self._connection.execute("BEGIN IMMEDIATE")

    def fetch(self, sql: LiteralString, params: Row) -> list[Row]:
        """Rows of a query."""
        return self._connection.execute(sql, params).fetchall()

    def execute(self, sql: LiteralString, params: Row) -> int:
        """Run one statement."""
        return self._connection.execute(sql, params).rowcount

    def execute_many(self, sql: LiteralString, rows: Sequence[Row]) -> None:
        """Run one statement per row."""
        self._connection.executemany(sql, rows)

    def commit(self) -> None:
        """``COMMIT``."""
        self._connection.execute("COMMIT")

    def value(self, value: object) -> object:
        """Decimals as their text, moments as fixed-width UTC ISO text, as the store keeps them."""
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat(timespec="microseconds")
        return value


class PostgresSession:
    """:class:`Session` over psycopg 3 (a transaction begins with the first statement)."""

    def __init__(self, connection: psycopg.Connection[TupleRow]) -> None:
        self._connection = connection
        self._cursor = connection.cursor()
        self._sql: dict[LiteralString, LiteralString] = {}

    def _native(self, sql: LiteralString) -> LiteralString:
        native = self._sql.get(sql)
        if native is None:
            native = self._sql[sql] = sql.replace("?", "%s")
        return native

    def begin(self) -> None:
        """Nothing: psycopg sends ``BEGIN`` before the first statement."""

    def fetch(self, sql: LiteralString, params: Row) -> list[Row]:
        """Rows of a query."""
        return self._cursor.execute(self._native(sql), params).fetchall()

    def execute(self, sql: LiteralString, params: Row) -> int:
        """Run one statement."""
        return self._cursor.execute(self._native(sql), params).rowcount

    def execute_many(self, sql: LiteralString, rows: Sequence[Row]) -> None:
        """Run one statement per row (psycopg pipelines them)."""
        self._cursor.executemany(self._native(sql), rows)

    def commit(self) -> None:
        """``COMMIT``."""
        self._connection.commit()

    def value(self, value: object) -> object:
        """Every value as it is: psycopg adapts decimals, moments and JSON text."""
        return value


#: Runs one command of a lifecycle, given the return's id and its order number.
_Step = Callable[[str, str], None]


class PlainSqlLifecycles:
    """Replays captured lifecycles with fresh keys, one transaction per command.

    Args:
        session: The connection to write through.
        writes: What one lifecycle writes (from :func:`~benchmarks.capture.capture_lifecycle`).
        prefix: The order series, kept apart from the store's.
    """

    def __init__(self, session: Session, writes: LifecycleWrites, prefix: str = "BL") -> None:
        self._session = session
        self._writes = writes
        self._prefix = prefix
        self._commands = [self._prepare(command) for command in writes.commands]
        self.done = 0

    def run(self, count: int) -> None:
        """Run ``count`` lifecycles."""
        for _ in range(count):
            self.one()

    def one(self) -> None:
        """Run one lifecycle on the next order of the series."""
        return_id = str(uuid.uuid4())
        order = order_number(self._prefix, self.done)
        for step in self._commands:
            step(return_id, order)
        self.done += 1

    def _prepare(self, command: CommandWrites) -> _Step:
        """The command as a function of the lifecycle's keys, its values converted up front."""
        session, writes, v = self._session, self._writes, self._session.value
        created, updated = command.created, command.updated
        lines = [
            (line.line_id, line.reason_code, v(line.claimed), v(line.refunded_units))
            for line in command.new_lines
        ]
        changed = [
            (v(line.claimed), v(line.refunded_units), line.line_id)
            for line in command.changed_lines
        ]
        claims = [(c.line_id, v(c.delivered), c.claimed) for c in command.claims]
        audit = [(a.action, a.actor_id, v(a.at), a.document) for a in command.audit]
        outbox = [(m.event_type, v(m.created_at), m.document) for m in command.outbox]
        moves = [
            (m.line_id, m.sku, v(m.quantity), m.source, m.destination, v(m.at), m.document)
            for m in command.moves
        ]
        entries = [
            (e.number, e.kind, v(e.at), e.currency, e.document,
             [(p.position, p.account_code, p.side, v(p.amount), p.currency) for p in e.postings])
            for e in command.entries
        ]  # fmt: skip
        row = created or updated
        if row is None:
            raise RuntimeError(f"captured {command.command!r} wrote no return")
        status, moment, version, document = row.status, v(row.updated_at), row.version, row.document
        read_version = command.read_version
        inserted = (row.customer_id, row.status, v(row.created_at), moment, version, document)
        read_claims = READ_CLAIMS.format(", ".join("?" * len(claims)))

        def step(return_id: str, order: str) -> None:
            session.begin()
            number = ""
            if created is not None:
                stored = {
                    line_id: Decimal(str(claimed))
                    for line_id, claimed in session.fetch(
                        read_claims, (TENANT, order, *(c[0] for c in claims))
                    )
                }
            else:
                found = session.fetch(READ_RETURN, (TENANT, return_id))
                if not found or found[0][0] != read_version:
                    raise RuntimeError(f"return {return_id} is not at version {read_version}")
            if command.counter is not None:
                drawn = session.fetch(DRAW, (command.counter,))[0][0]
                number = writes.number(int(drawn))
            if created is not None:
                session.execute(INSERT_RETURN, (TENANT, return_id, number, *inserted))
                session.execute_many(
                    INSERT_LINE, [(TENANT, return_id, order, *line) for line in lines]
                )
                session.execute_many(
                    UPSERT_CLAIM,
                    [
                        (TENANT, order, line_id, delivered, v(stored.get(line_id, 0) + claimed))
                        for line_id, delivered, claimed in claims
                    ],
                )
            else:
                touched = session.execute(
                    UPDATE_RETURN,
                    (status, moment, version, document, TENANT, return_id, read_version),
                )
                if touched != 1:
                    raise RuntimeError(f"return {return_id} changed under the baseline")
                if changed:
                    session.execute_many(
                        UPDATE_LINE,
                        [(c, r, TENANT, return_id, order, line_id) for c, r, line_id in changed],
                    )
            _insert(session, INSERT_AUDIT, [(TENANT, _id(), return_id, *a) for a in audit])
            _insert(session, INSERT_OUTBOX, [(_id(), TENANT, return_id, *m) for m in outbox])
            _insert(session, INSERT_MOVE, [(TENANT, _id(), return_id, order, *m) for m in moves])
            if entries:
                ids = [_id() for _ in entries]
                _insert(
                    session,
                    INSERT_ENTRY,
                    [(TENANT, i, return_id, *e[:5]) for i, e in zip(ids, entries, strict=True)],
                )
                _insert(
                    session,
                    INSERT_POSTING,
                    [(TENANT, i, *p) for i, e in zip(ids, entries, strict=True) for p in e[5]],
                )
            session.commit()

        return step


def _id() -> str:
    return str(uuid.uuid4())


def _insert(session: Session, sql: LiteralString, rows: Sequence[Row]) -> None:
    if len(rows) == 1:
        session.execute(sql, rows[0])
    elif rows:
        session.execute_many(sql, rows)
