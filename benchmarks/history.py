"""Returnable-quantity look-up latency as history grows: 1,000 vs 1,000,000 return lines.

What ``search_returnable_lines`` and ``create_return`` need from the store
is :meth:`~crm_returns.ports.ReturnRepository.for_lines`: the returns of a
line, to know how much of it is still returnable.  This module fills a store
with history directly in SQL (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) — completed returns of four lines each, every row as the store
itself writes it, the document of a real completed return with its keys
changed — and then times the look-up of one line, as the service does it:
one unit of work, one ``for_lines`` call.

Each probed line has exactly one return in its history, so that every probe
finds, reads and decodes one document whatever the size of the history.
"""

from __future__ import annotations

import itertools
import random
import re
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import psycopg
import sqlalchemy as sa
from psycopg.rows import TupleRow

from benchmarks.baseline import SqliteSession
from benchmarks.stores import sqlite_connection
from benchmarks.workload import TENANT, Lifecycles, order_source, returns_service
from crm_returns import LineRef, ReturnOrder
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.adapters.sql.types import dumps
from crm_returns.adapters.system import SystemClock

__all__ = [
    "LINES_PER_PAST_RETURN",
    "History",
    "Latency",
    "load_postgres",
    "load_sqlite",
    "look_up_plan",
    "measure_look_ups",
    "past_return",
]

#: Lines of each return in the history.
LINES_PER_PAST_RETURN = 4

_ORDER = "HT-0000000"  # the template's order number, replaced in every copy
#: How each table of the history is filled: ``INSERT`` on SQLite, ``COPY`` on PostgreSQL.
_FILLS = (
    (
        "INSERT INTO crm_returns_returns (tenant_id, id, number, customer_id, status, created_at, "
        "updated_at, version, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "COPY crm_returns_returns (tenant_id, id, number, customer_id, status, created_at, "
        "updated_at, version, document) FROM STDIN",
    ),
    (
        "INSERT INTO crm_returns_return_lines (tenant_id, return_id, order_number, line_id, "
        "reason_code, claimed, refunded_units) VALUES (?, ?, ?, ?, ?, ?, ?)",
        "COPY crm_returns_return_lines (tenant_id, return_id, order_number, line_id, reason_code, "
        "claimed, refunded_units) FROM STDIN",
    ),
    (
        "INSERT INTO crm_returns_line_claims (tenant_id, order_number, line_id, delivered, "
        "claimed) VALUES (?, ?, ?, ?, ?)",
        "COPY crm_returns_line_claims (tenant_id, order_number, line_id, delivered, claimed) "
        "FROM STDIN",
    ),
)


@attrs.frozen
class History:
    """Completed returns to copy into a store: one real return, with its keys as holes.

    Attributes:
        document: The return's JSON document as a ``str.format`` template
            with fields ``id``, ``number`` and ``order``.
        order: The template return (its columns are copied as they are).
    """

    document: str
    order: ReturnOrder

    @staticmethod
    def return_id(index: int) -> str:
        """The id of the ``index``-th past return: a UUID's shape, made without randomness."""
        return f"{index:08x}-0000-4000-8000-{index:012x}"

    @staticmethod
    def number(index: int) -> str:
        """The readable number of the ``index``-th past return."""
        return f"RT-20250101-{index:07d}"

    @staticmethod
    def order_number(index: int) -> str:
        """The order whose lines the ``index``-th past return returned."""
        return f"H-{index:07d}"

    def refs(self, index: int) -> list[LineRef]:
        """The lines of the ``index``-th past return."""
        return [LineRef(self.order_number(index), line.ref.line_id) for line in self.order.lines]

    def rows(
        self, returns: int, value: Callable[[object], object] = lambda value: value
    ) -> tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]]]:
        """Rows of ``returns``, ``return_lines`` and ``line_claims`` for ``returns`` past returns.

        Args:
            returns: How many returns.
            value: Converts decimals and moments for the driver.
        """
        order = self.order
        columns = (
            order.customer_id,
            order.status.value,
            value(order.created_at),
            value(order.updated_at),
            order.version,
        )
        refunded: dict[LineRef, Decimal] = {}
        for refund in order.grant.lines if order.grant else ():
            refunded[refund.ref] = refunded.get(refund.ref, Decimal(0)) + refund.units
        lines = [
            (
                line.ref.line_id,
                line.reason_code,
                value(order.claimed(line.ref)),
                value(refunded.get(line.ref, Decimal(0))),
                value(line.pricing.quantity),
            )
            for line in order.lines
        ]

        def returns_rows() -> Iterator[tuple[Any, ...]]:
            for index in range(returns):
                return_id, number = self.return_id(index), self.number(index)
                document = self.document.format(
                    id=return_id, number=number, order=self.order_number(index)
                )
                yield (TENANT, return_id, number, *columns, document)

        def line_rows() -> Iterator[tuple[Any, ...]]:
            for index in range(returns):
                return_id, order_number = self.return_id(index), self.order_number(index)
                for line_id, reason, claimed, refunded, _ in lines:
                    yield (TENANT, return_id, order_number, line_id, reason, claimed, refunded)

        def claim_rows() -> Iterator[tuple[Any, ...]]:
            for index in range(returns):
                order_number = self.order_number(index)
                for line_id, _, claimed, _, delivered in lines:
                    yield (TENANT, order_number, line_id, delivered, claimed)

        return returns_rows(), line_rows(), claim_rows()


def past_return() -> History:
    """A real completed return of :data:`LINES_PER_PAST_RETURN` lines, as a template."""
    clock = SystemClock()
    orders = order_source(clock.now(), 1, prefix="HT", lines=LINES_PER_PAST_RETURN)
    service = returns_service(MemoryDatabase().unit_of_work, orders, clock)
    order = Lifecycles(service, prefix="HT", lines=LINES_PER_PAST_RETURN).one()
    if any(line.ref.order_number != _ORDER for line in order.lines):
        raise RuntimeError(f"the template return is not of order {_ORDER}")
    document = dumps(Codec().encode(order)).replace("{", "{{").replace("}", "}}")
    for value, field in ((order.id, "{id}"), (order.number, "{number}"), (_ORDER, "{order}")):
        if value not in document:
            raise RuntimeError(f"{value!r} is not in the template document")
        document = document.replace(value, field)
    return History(document, order)


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def load_sqlite(path: Path, history: History, returns: int) -> None:
    """Insert ``returns`` past returns into the migrated SQLite store at ``path``."""
    connection = sqlite_connection(path)
    try:
        connection.execute("PRAGMA synchronous=OFF")  # loading only; the probes use the store's
        tables = history.rows(returns, SqliteSession(connection).value)
        for (insert, _), rows in zip(_FILLS, tables, strict=True):
            for chunk in _chunks(rows, 20_000):
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(insert, chunk)
                connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def load_postgres(connection: psycopg.Connection[TupleRow], history: History, returns: int) -> None:
    """``COPY`` ``returns`` past returns into the store's schema, then ``VACUUM ANALYZE`` it.

    ``VACUUM ANALYZE`` stands for what autovacuum does to a table after a bulk
    insert, so that the planner sees the history it will meet in production.
    """
    with connection.cursor() as cursor:
        for (_, copy_rows), rows in zip(_FILLS, history.rows(returns), strict=True):
            with cursor.copy(copy_rows) as copy:
                for row in rows:
                    copy.write_row(row)
    connection.commit()
    autocommit, connection.autocommit = connection.autocommit, True
    try:
        connection.execute(
            "VACUUM ANALYZE crm_returns_returns, crm_returns_return_lines, crm_returns_line_claims"
        )
    finally:
        connection.autocommit = autocommit


@attrs.frozen
class Latency:
    """Look-up latencies, in seconds, with their summary."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median."""
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """The 95th percentile."""
        return statistics.quantiles(self.samples, n=20, method="inclusive")[-1]


def _look_up(database: SqlDatabase, ref: LineRef) -> float:
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        found = uow.returns.for_lines(TENANT, [ref])
    elapsed = time.perf_counter() - started
    if len(found) != 1:
        raise RuntimeError(f"line {ref} should have one return in its history, found {len(found)}")
    return elapsed


def measure_look_ups(
    stores: Sequence[tuple[SqlDatabase, History, int]],
    probes: int,
    warm_up: int,
    seed: int = 7,
) -> list[Latency]:
    """Time ``probes`` look-ups of random lines with history in each store, interleaved.

    Args:
        stores: Each store with the history it holds and its number of past returns.
        probes: Timed look-ups per store.
        warm_up: Untimed look-ups per store first (connections, statement caches).
        seed: Makes the probed lines the same from run to run.
    """
    chance = random.Random(seed)

    def some_line(history: History, returns: int) -> LineRef:
        return chance.choice(history.refs(chance.randrange(returns)))

    for database, history, returns in stores:
        for _ in range(warm_up):
            _look_up(database, some_line(history, returns))
    samples: list[list[float]] = [[] for _ in stores]
    batch = 50  # take turns, so that drift in the machine touches every store alike
    for start in range(0, probes, batch):
        for taken, (database, history, returns) in zip(samples, stores, strict=True):
            for _ in range(min(batch, probes - start)):
                taken.append(_look_up(database, some_line(history, returns)))
    return [Latency(tuple(taken)) for taken in samples]


def look_up_plan(database: SqlDatabase, ref: LineRef) -> list[str]:
    """The query plan of the look-up of ``ref``, as the database explains it.

    The statement is caught as the store sends it and explained with the same
    parameters.  On PostgreSQL the plan is shown twice: as planned for these
    values, and as the generic plan that a prepared statement (psycopg prepares
    a statement after five executions) may switch to.
    """
    caught: list[tuple[str, Any]] = []

    def catch(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if "return_lines" in statement and "document" in statement:
            caught.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", catch)
    try:
        with database.unit_of_work() as uow:
            uow.returns.for_lines(TENANT, [ref])
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", catch)
    if not caught:
        raise RuntimeError("the look-up sent no statement on return_lines")
    statement, parameters = caught[0]
    with database.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = [f"SQLite: {row[-1]}" for row in rows]
        else:
            custom = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            plan = [f"custom plan: {row[0]}" for row in custom]
            plan += [
                f"generic plan: {line}" for line in _generic_plan(connection, statement, parameters)
            ]
        connection.rollback()
    return plan


def _literal(value: object) -> str:
    """``value`` as a quoted PostgreSQL literal; a list as an array literal."""
    if isinstance(value, list):
        quoted = (str(item).replace("\\", "\\\\").replace('"', '\\"') for item in value)
        value = "{" + ",".join(f'"{item}"' for item in quoted) + "}"
    return "'{}'".format(str(value).replace("'", "''"))


def _generic_plan(connection: sa.Connection, statement: str, parameters: Any) -> list[str]:
    """PostgreSQL's plan for ``statement`` prepared, whatever the values (``$1``, ``$2``…)."""
    numbers: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(1), f"${len(numbers) + 1}")

    prepared = re.sub(r"%\((\w+)\)s", number, statement)
    # Literals, as EXECUTE's arguments: as parameters their types would be unknown.
    values = ", ".join(_literal(parameters[name]) for name in numbers)
    connection.exec_driver_sql(f"PREPARE bench_look_up AS {prepared}")
    try:
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        rows = connection.exec_driver_sql(f"EXPLAIN EXECUTE bench_look_up({values})")
        return [str(row[0]) for row in rows]
    finally:
        connection.exec_driver_sql("DEALLOCATE bench_look_up")
