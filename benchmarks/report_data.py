"""The line facts the reports benchmark groups: generated, then bulk-inserted.

``count`` return lines over two years of returns (2024 and 2025, UTC), each
return with 1 to 4 lines, written straight into ``fact_lines`` and
``fact_returns`` as :mod:`crm_returns.adapters.sql.facts` writes them (every
number an integer: millionths of a unit, minor units, microseconds), with one
minimal ``returns`` row per return for the foreign key (its document is ``{}``:
no report reads it).  The spread is a shop's: about 5,000 customers (a few
return often), 500 SKUs in 25 categories, 20 reasons in 5 categories (a few
reasons give most lines), four currencies (CNY most, JPY without minor unit),
statuses mixed (55 % completed, some still open at every age, some rejected or
cancelled), an owner on 60 % of returns and a score on 30 % of the completed
ones.  One order is one customer's, in one currency; one return in ten is a
second return on the previous order.  Returns are made in time order, as a
store would write them.  The same ``count`` always gives the same rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import attrs

from benchmarks.stores import PostgresServer, sqlite_connection
from crm_returns.adapters.sql.fact_schema import DATE_COLUMNS, TEXT_COLUMNS
from crm_returns.domain.analytics import MONEY_COLUMNS
from crm_returns.domain.analytics.grouping import QUANTITY_COLUMNS

__all__ = ["END", "START", "TENANT", "Filled", "fill_postgres", "fill_sqlite", "generate"]

TENANT: Final = "bench"
START: Final = datetime(2024, 1, 1, tzinfo=UTC)
END: Final = datetime(2026, 1, 1, tzinfo=UTC)
_US: Final = 1_000_000
_DAY: Final = 86_400 * _US
_UNIT: Final = 10**6
_SPAN: Final = int((END - START).total_seconds()) * _US
_BEGIN: Final = int(START.timestamp()) * _US

LINE_COLUMNS: Final = (
    "tenant_id",
    "return_id",
    "order_number",
    "line_id",
    *(name for name, _ in TEXT_COLUMNS),
    "stock_location",
    *QUANTITY_COLUMNS,
    *MONEY_COLUMNS,
    *DATE_COLUMNS,
)
OWNED_COLUMNS: Final = ("tenant_id", "return_id", "owner_user", "owner_team", "satisfaction")
RETURN_COLUMNS: Final = (
    "tenant_id",
    "id",
    "number",
    "customer_id",
    "status",
    "created_at",
    "updated_at",
    "version",
    "document",
    "archived",
)
#: Statuses and how many returns in a hundred have them.
_STATUSES: Final = (
    ("completed", 55),
    ("approved", 8),
    ("partially_received", 3),
    ("received", 4),
    ("inspected", 5),
    ("submitted", 8),
    ("draft", 5),
    ("rejected", 6),
    ("cancelled", 6),
)
#: A customer's currency, by how many customers in a hundred use it, and its minor unit.
_CURRENCIES: Final = (("CNY", 70, 2), ("USD", 15, 2), ("EUR", 10, 2), ("JPY", 5, 0))
_GRANTED: Final = frozenset({"inspected", "completed"})
_ARRIVED: Final = frozenset({"partially_received", "received", "inspected", "completed"})
_APPROVED: Final = _ARRIVED | {"approved"}
_LOCATIONS: Final = ("sellable", "sellable", "sellable", "repair", "quarantine", "scrap", "vendor")


@attrs.frozen
class Filled:
    """What was generated: rows per table."""

    lines: int
    returns: int
    owned: int


def _weighted(table: tuple[tuple[str, int], ...]) -> list[str]:
    return [name for name, weight in table for _ in range(weight)]


def _customer_currency(customer: int) -> tuple[str, int]:
    slot = (customer * 7919) % 100
    for code, share, places in _CURRENCIES:
        if slot < share:
            return code, places
        slot -= share
    raise AssertionError("the shares add up to 100")


class _Rows:
    """The rows of one return, made in turn."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.returns = (count * 2) // 5 + 1  # 1, 2, 3, 4 lines in turn: 2.5 on average
        self.rng = random.Random(16)
        self.statuses = _weighted(_STATUSES)
        self.reasons = [f"R{int(20 * self.rng.random() ** 2.2):02d}" for _ in range(1000)]
        self.order = -1
        self.ordered_at = 0
        self.customer = 0

    def made(self, index: int) -> tuple[list[tuple[Any, ...]], tuple[Any, ...], tuple[Any, ...]]:
        """Lines, ``returns`` row and ``fact_returns`` row (or ``()``) of return ``index``."""
        rng = self.rng
        returned = _BEGIN + (index * _SPAN) // self.returns + rng.randrange(3_600 * _US)
        if self.order < 0 or rng.random() >= 0.1:
            self.order += 1
            self.customer = int(5_000 * rng.random() ** 2)
            self.ordered_at = returned - rng.randrange(_DAY, 60 * _DAY)
        currency, places = _customer_currency(self.customer)
        status = self.statuses[rng.randrange(100)]
        return_id = f"r-{index:09d}"
        owned: tuple[Any, ...] = ()
        if rng.random() < 0.6:
            user = rng.randrange(30)
            owned = (TENANT, return_id, f"user-{user:02d}", f"team-{user % 5}", None)
        if status == "completed" and rng.random() < 0.3:
            score = min(5, 1 + int(5 * rng.random() ** 0.6))
            owned = (*(owned or (TENANT, return_id, None, None))[:4], score)
        dates = self._dates(status, returned)
        lines = [
            self._line(index, return_id, j, status, currency, places, dates)
            for j in range(1 + index % 4)
        ]
        number = f"RT-{index:09d}"
        created = datetime.fromtimestamp(returned / _US, UTC)
        document = "{}"
        header = (TENANT, return_id, number, f"C{self.customer:05d}", status, created, created)
        return lines, (*header, 1, document, False), owned

    def _dates(self, status: str, returned: int) -> tuple[int | None, ...]:
        rng = self.rng
        submitted = None if status == "draft" else returned + rng.randrange(3_600 * _US)
        approved = goods = inspected = paid = completed = None
        if status in _APPROVED and submitted is not None:
            approved = submitted + rng.randrange(_DAY // 4, 3 * _DAY)
            if status in _ARRIVED and status != "partially_received":
                goods = approved + rng.randrange(_DAY, 10 * _DAY)
                if status in _GRANTED:
                    inspected = goods + rng.randrange(_DAY // 8, 2 * _DAY)
                    if status == "completed":
                        paid = inspected + rng.randrange(_DAY // 24, 5 * _DAY)
                        completed = paid + rng.randrange(_DAY // 24)
        delivered = self.ordered_at + rng.randrange(_DAY, 5 * _DAY)
        return (
            self.ordered_at,
            delivered,
            returned,
            submitted,
            approved,
            goods,
            inspected,
            paid,
            completed,
        )

    def _line(
        self,
        index: int,
        return_id: str,
        line: int,
        status: str,
        currency: str,
        places: int,
        dates: tuple[int | None, ...],
    ) -> tuple[Any, ...]:
        rng = self.rng
        sku = int(500 * rng.random() ** 1.5)
        reason = self.reasons[rng.randrange(1000)]
        requested = rng.randrange(1, 6)
        approved = requested if status in _APPROVED else 0
        received = approved if status in _ARRIVED else 0
        accepted = received - (1 if received > 1 and rng.random() < 0.1 else 0)
        if status in ("rejected", "cancelled"):
            returned = 0
        elif status in ("draft", "submitted"):
            returned = requested
        elif status == "completed":
            returned = received
        else:
            returned = approved
        price = (sku * 37 % 480 + 20) * (100 if places == 0 else 10 ** (places - 1))
        value = returned * price
        granted = paid = credit = fee = write_off = None
        location = None
        if status in _GRANTED:
            fee = value // 20 if rng.random() < 0.2 else 0
            granted = value - fee
            credit = granted if rng.random() < 0.1 else 0
            paid = granted if status == "completed" else 0
            write_off = (price // 3) if rng.random() < 0.05 else 0
            location = _LOCATIONS[rng.randrange(len(_LOCATIONS))]
        text = (
            f"RT-{index:09d}",
            f"SKU-{sku:04d}",
            f"Product {sku}",
            f"CAT-{sku % 25:02d}",
            f"C{self.customer:05d}",
            reason,
            f"RC{int(reason[1:]) % 5}",
            status,
            currency,
        )
        quantities = (requested, approved, received, accepted, returned)
        money = (value, granted, paid, credit, 0 if granted is not None else None, fee, None)
        return (
            TENANT,
            return_id,
            f"SO-{self.order:09d}",
            f"L{line}",
            *text,
            location,
            *(q * _UNIT for q in quantities),
            *money,
            write_off,
            *dates,
        )


def generate(
    count: int,
) -> Iterator[tuple[list[tuple[Any, ...]], tuple[Any, ...], tuple[Any, ...]]]:
    """The rows of ``count`` lines, return by return.

    Each item: the return's ``fact_lines`` rows, its ``returns`` row, and its
    ``fact_returns`` row (``()`` when it has neither owner nor score).
    """
    rows = _Rows(count)
    left = count
    index = 0
    while left > 0:
        lines, header, owned = rows.made(index)
        lines = lines[:left]
        left -= len(lines)
        index += 1
        yield lines, header, owned


def _chunks(
    count: int, size: int, as_text: bool
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    lines: list[tuple[Any, ...]] = []
    headers: list[tuple[Any, ...]] = []
    owned: list[tuple[Any, ...]] = []
    for made, header, owner in generate(count):
        if as_text:
            at = header[5].isoformat(timespec="microseconds")
            header = (*header[:5], at, at, *header[7:])
        lines += made
        headers.append(header)
        if owner:
            owned.append(owner)
        if len(lines) >= size:
            yield lines, headers, owned
            lines, headers, owned = [], [], []
    if lines:
        yield lines, headers, owned


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return (
        f"INSERT INTO crm_returns_{table} ({', '.join(columns)}) "  # noqa: S608 - our own names
        f"VALUES ({', '.join('?' for _ in columns)})"
    )


def fill_sqlite(path: Path, count: int) -> Filled:
    """Insert ``count`` generated lines (and their returns) into the migrated SQLite store."""
    connection = sqlite_connection(path)
    filled = Filled(0, 0, 0)
    try:
        connection.execute("PRAGMA synchronous=OFF")  # loading only
        for lines, headers, owned in _chunks(count, 50_000, as_text=True):
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(_insert("returns", RETURN_COLUMNS), headers)
            connection.executemany(_insert("fact_lines", LINE_COLUMNS), lines)
            connection.executemany(_insert("fact_returns", OWNED_COLUMNS), owned)
            connection.execute("COMMIT")
            filled = Filled(
                filled.lines + len(lines), filled.returns + len(headers), filled.owned + len(owned)
            )
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return filled


def fill_postgres(server: PostgresServer, name: str, count: int) -> Filled:
    """``COPY`` ``count`` generated lines (and their returns) into store ``name``, then analyse."""
    filled = Filled(0, 0, 0)
    with server.connect(name) as connection:
        for lines, headers, owned in _chunks(count, 50_000, as_text=False):
            with connection.cursor() as cursor:
                for table, columns, rows in (
                    ("returns", RETURN_COLUMNS, headers),
                    ("fact_lines", LINE_COLUMNS, lines),
                    ("fact_returns", OWNED_COLUMNS, owned),
                ):
                    copying = f"COPY crm_returns_{table} ({', '.join(columns)}) FROM STDIN"
                    with cursor.copy(copying) as copy:
                        for row in rows:
                            copy.write_row(row)
            connection.commit()
            filled = Filled(
                filled.lines + len(lines), filled.returns + len(headers), filled.owned + len(owned)
            )
        connection.autocommit = True
        for table in ("returns", "fact_lines", "fact_returns"):
            connection.execute(f"VACUUM ANALYZE crm_returns_{table}")
    return filled
