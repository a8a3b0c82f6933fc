"""A store of completed returns for the retention benchmark, half of them past retention.

A few hundred returns go through the real service first, into a SQLite file
of their own (:func:`templates`): drafted with an idempotency key, submitted,
approved, received, inspected, completed and refunded in full (an unpaid
refund would hold the return) — each with its lines, claims, audit entries,
stock moves, journal entries and postings, idempotency key and outbox
messages, exactly as the service writes them.  Half complete 31 to 40 years
before the sweep, past every rule of the China profile (journal entries
keep a return for 30 years from the end of its fiscal year); half complete in
the 20 days before it, within every rule (idempotency keys are kept 30 days,
outbox messages 180).

Their rows are then cloned (:meth:`Templates.rows`): every id, number and key
of a template is a hole in its rows' text, filled for each copy, so that each
copy is the template return with new keys and the same dates and documents.
The copies are bulk-inserted (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) in the tables' order, the ``seq`` columns left to the database.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import psycopg
from psycopg.rows import TupleRow

from benchmarks.stores import sqlite_connection
from benchmarks.workload import MANAGER_ONLY, REASON, TENANT, Staff, delivered_order
from crm_returns import Inspection, LineRef, Receipt, RequestedLine, ReturnOrder
from crm_returns.adapters.memory import MemoryOrderSource
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import UuidIds
from crm_returns.service import ReturnRequest, ReturnsService
from crm_returns.service.settings import ServiceSettings

__all__ = ["LINES", "SWEEP_AT", "Templates", "load_postgres", "load_sqlite", "templates"]

#: Lines of each return.
LINES = 4

#: When the sweep runs (the service's clock during planning and applying).
SWEEP_AT = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)

#: The tables a return's rows are in, parents first; ``seq`` columns are left out.
_TABLES = (
    "returns",
    "return_lines",
    "line_claims",
    "audit_entries",
    "stock_moves",
    "journal_entries",
    "journal_postings",
    "idempotency_keys",
    "outbox",
)


class _Clock:
    """A clock that is wherever it was last put (templates are made at many dates)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@attrs.frozen
class _Template:
    """One template return's rows, table by table; text with holes is marked to be formatted."""

    rows: dict[str, list[tuple[tuple[Any, bool], ...]]]
    date: str  # the return's number date, YYYYMMDD


@attrs.frozen
class Templates:
    """Returns written by the service, to be copied; the first half is past retention.

    Attributes:
        columns: Each table's columns, as copied.
        returns: The template returns' rows.
    """

    columns: dict[str, tuple[str, ...]]
    returns: tuple[_Template, ...]

    def past(self, index: int) -> bool:
        """Whether the ``index``-th copy is past retention at :data:`SWEEP_AT`."""
        return index % len(self.returns) < len(self.returns) // 2

    def rows(self, table: str, copies: int) -> Iterator[tuple[Any, ...]]:
        """The rows of ``table`` of ``copies`` returns, each a template with new keys."""
        count = len(self.returns)
        for index in range(copies):
            template = self.returns[index % count]
            fields = _fields(index, template.date)
            for row in template.rows[table]:
                yield tuple(value.format_map(fields) if hole else value for value, hole in row)


def _fields(index: int, date: str) -> dict[str, str]:
    """The keys of the ``index``-th copy, by the holes they fill."""
    fields = {
        "return": f"{index:08x}-0000-4000-8000-{index:012x}",
        "number": f"RT-{date}-{index:07d}",
        "credit": f"CN-{date}-{index:07d}",
        "order": f"RO-{index:08d}",
        "key": f"bench-retention-{index:09d}",
    }
    for slot in range(4):
        fields[f"payment{slot}"] = f"{index:08x}-{slot + 1:04x}-4000-c000-{index:012x}"
    for slot in range(16):
        fields[f"audit{slot}"] = f"{index:08x}-{slot + 1:04x}-4000-a000-{index:012x}"
        fields[f"message{slot}"] = f"{index:08x}-{slot + 1:04x}-4000-b000-{index:012x}"
    return fields


def _lifecycle(service: ReturnsService, staff: Staff, number: str, key: str) -> ReturnOrder:
    refs = [LineRef(number, str(line)) for line in range(1, LINES + 1)]
    request = ReturnRequest([RequestedLine(ref, 1, REASON) for ref in refs])
    order = service.create_return(staff.clerk, request, idempotency_key=key)
    order = service.submit_return(staff.clerk, order.id)
    order = service.approve_return(staff.manager, order.id, "同意 approved")
    order = service.receive_goods(staff.warehouse, order.id, {r: Receipt(received=1) for r in refs})
    order = service.inspect_goods(
        staff.inspector, order.id, {r: Inspection(accepted=1) for r in refs}
    )
    order = service.complete_return(staff.finance, order.id)
    if order.grant is None:
        raise RuntimeError(f"the template return {order.number} granted no refund")
    # Paid in full: an unpaid refund is an open matter, which holds the return.
    paying = service.record_refund_payment(staff.finance, order.id, order.grant.outstanding, "PSP")
    payment = paying.grant.payments[-1].id if paying.grant else ""
    return service.settle_refund_payment(staff.finance, order.id, payment, succeeded=True)


def _completed_at(template: int, count: int) -> datetime:
    """The first half 31–40 years before the sweep, the second within its last 20 days."""
    half = count // 2
    if template < half:
        return SWEEP_AT - timedelta(days=round(365.25 * (31 + 9 * template / max(half - 1, 1))))
    return SWEEP_AT - timedelta(days=1 + 19 * (template - half) / max(count - half - 1, 1))


def templates(path: Path, count: int) -> Templates:
    """Run ``count`` returns through the service into a new SQLite file; their rows."""
    database = SqlDatabase.connect(f"sqlite:///{path}")
    database.upgrade()
    clock = _Clock(SWEEP_AT)
    orders = MemoryOrderSource()
    settings = ServiceSettings(clock=clock, ids=UuidIds(), approval_policy=MANAGER_ONLY)
    service = ReturnsService(orders, database.unit_of_work, settings)
    staff = Staff()
    made: list[tuple[ReturnOrder, str, str]] = []
    for template in range(count):
        clock.at = _completed_at(template, count)
        number, key = f"BT-{template:07d}", f"bench-template-{template:06d}"
        for line in delivered_order(number, LINES, clock.at - timedelta(days=2)):
            orders.add(TENANT, line)
        made.append((_lifecycle(service, staff, number, key), number, key))
    database.dispose()
    connection = sqlite3.connect(path)
    try:
        columns = {
            table: tuple(
                row[1]
                for row in connection.execute(f'PRAGMA table_info("crm_returns_{table}")')
                if row[1] != "seq"
            )
            for table in _TABLES
        }
        returns = tuple(
            _template(connection, columns, order, number, key) for order, number, key in made
        )
    finally:
        connection.close()
    return Templates(columns, returns)


def _template(
    connection: sqlite3.Connection,
    columns: dict[str, tuple[str, ...]],
    order: ReturnOrder,
    order_number: str,
    key: str,
) -> _Template:
    """The rows of ``order`` with its keys made holes."""
    holes = {order.id: "{return}", order.number: "{number}", order_number: "{order}", key: "{key}"}
    if order.grant is not None and order.grant.credit_note:
        holes[order.grant.credit_note] = "{credit}"
    for slot, payment in enumerate(order.grant.payments if order.grant else ()):
        holes[payment.id] = f"{{payment{slot}}}"
    where = {
        "line_claims": ("order_number", order_number),
        "journal_postings": ("entry_id LIKE", f"{order.id}:%"),
    }
    rows: dict[str, list[tuple[tuple[Any, bool], ...]]] = {}
    for table, names in columns.items():
        column, value = where.get(table, ("id" if table == "returns" else "return_id", order.id))
        test = column if column.endswith("LIKE") else f"{column} ="
        found = connection.execute(
            f'SELECT {", ".join(names)} FROM "crm_returns_{table}" WHERE {test} ? ORDER BY rowid',  # noqa: S608 - the names are the benchmark's own
            (value,),
        ).fetchall()
        if table in ("audit_entries", "outbox"):
            kind = "audit" if table == "audit_entries" else "message"
            for position, row in enumerate(found):
                holes[row[names.index("id")]] = f"{{{kind}{position}}}"
        rows[table] = found
    marked: dict[str, list[tuple[tuple[Any, bool], ...]]] = {}
    for table, found in rows.items():
        marked[table] = [tuple(_hole(value, holes) for value in row) for row in found]
    return _Template(marked, order.number.split("-")[1])


def _hole(value: Any, holes: dict[str, str]) -> tuple[Any, bool]:
    if not isinstance(value, str) or not any(old in value for old in holes):
        return value, False
    text = _escaped(value)
    for old, hole in holes.items():
        text = text.replace(old, hole)
    return text, True


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def load_sqlite(path: Path, source: Templates, copies: int) -> int:
    """Insert ``copies`` returns into the migrated SQLite store at ``path``; rows written."""
    connection = sqlite_connection(path)
    written = 0
    try:
        connection.execute("PRAGMA synchronous=OFF")  # loading only; the sweep uses the store's
        for table, names in source.columns.items():
            insert = (
                f'INSERT INTO "crm_returns_{table}" ({", ".join(names)}) '  # noqa: S608 - the names are the benchmark's own
                f"VALUES ({', '.join('?' for _ in names)})"
            )
            for chunk in _chunks(source.rows(table, copies), 20_000):
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(insert, chunk)
                connection.execute("COMMIT")
                written += len(chunk)
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return written


def load_postgres(
    connection: psycopg.Connection[TupleRow], source: Templates, copies: int, tables: Sequence[str]
) -> int:
    """``COPY`` ``copies`` returns into the store's schema, then ``VACUUM ANALYZE``; rows written.

    Args:
        connection: A connection whose ``search_path`` is the store's schema.
        source: The template returns.
        copies: How many returns.
        tables: Every table of the store, to analyse.
    """
    written = 0
    with connection.cursor() as cursor:
        for table, names in source.columns.items():
            with cursor.copy(f'COPY "crm_returns_{table}" ({", ".join(names)}) FROM STDIN') as copy:
                for row in source.rows(table, copies):
                    copy.write_row(row)
                    written += 1
    connection.commit()
    vacuum(connection, tables)
    return written


def vacuum(connection: psycopg.Connection[TupleRow], tables: Sequence[str]) -> None:
    """``VACUUM ANALYZE`` the tables, standing in for autovacuum after a bulk load."""
    autocommit, connection.autocommit = connection.autocommit, True
    try:
        names = ", ".join(f'"{table}"' for table in tables)
        connection.execute(f"VACUUM ANALYZE {names}")
    finally:
        connection.autocommit = autocommit
