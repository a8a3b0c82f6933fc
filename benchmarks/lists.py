"""Return lists benchmark: ``python -m benchmarks.lists [--sizes N ...] [--postgres-url URL]``.

The staff's daily lists — every return, the completed ones, one customer's,
a creation-date window — on stores of 1,000 and of 1,000,000 returns (SQLite
file, and PostgreSQL when a URL is given), measured side by side in one run
through the store (``uow.returns.search``, one unit of work per page, as the
service reads them):

- the **first page** (50 returns, no total) and a **deep page**, the page
  after a cursor half-way down the list, whose cost must not grow with the
  history: the ratio largest ÷ smallest store, target ≤ 1.2;
- for contrast, what the old way costs: the first page with its total
  (``with_total=True``, a ``COUNT(*)`` of every match), and the page at the
  same depth by ``offset``.

The stores are filled quickly by bulk inserts into the ``returns`` table (the
lists read nothing else), not through the service: every row is one real
return's document, with its own id, number, customer, status and creation
time in the columns the lists filter and order by.  Returns are two minutes
apart, so that a one-day window holds 720 of them at every size; 60 % are
completed; customer ``C-REGULAR`` has 120 returns at every size.

Nothing fails when a figure is poor; the JSON goes to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from benchmarks import report
from benchmarks.options import add_store_options, chosen_stores
from benchmarks.stores import PostgresServer, SqliteFiles, sqlite_connection
from benchmarks.workload import TENANT
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.queries import ReturnQuery
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.testing.conformance._history import history

START = datetime(2020, 1, 1, tzinfo=UTC)
SPACING = timedelta(minutes=2)
REGULAR = "C-REGULAR"
REGULAR_RETURNS = 120
PAGE = 50
#: Statuses in turn: six completed in ten.
STATUSES = (
    *(ReturnStatus.COMPLETED,) * 6,
    ReturnStatus.REJECTED,
    ReturnStatus.CANCELLED,
    ReturnStatus.SUBMITTED,
    ReturnStatus.DRAFT,
)
COLUMNS = (
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


@attrs.frozen
class Row:
    """What the lists see of generated return ``index`` in a store of ``count``."""

    index: int
    created_at: datetime
    number: str
    customer_id: str
    status: ReturnStatus


def row(index: int, count: int) -> Row:
    """Generated return ``index`` of a store of ``count`` returns."""
    step = max(1, count // REGULAR_RETURNS)
    regular = index % step == 0 and index // step < REGULAR_RETURNS
    return Row(
        index,
        START + index * SPACING,
        f"RT-B-{index:09d}",
        REGULAR if regular else f"C-{index % 20_000:05d}",
        STATUSES[index % len(STATUSES)],
    )


@attrs.frozen
class DailyList:
    """A list as staff read it, and which generated returns it lists."""

    name: str
    query: ReturnQuery
    matches: Callable[[Row], bool]


def daily_lists(count: int) -> list[DailyList]:
    """The lists measured, on a store of ``count`` returns."""
    middle = START + (count // 2) * SPACING
    since, until = middle - timedelta(hours=12), middle + timedelta(hours=12)
    first = ReturnQuery(limit=PAGE, with_total=False)
    return [
        DailyList("all", first, lambda r: True),
        DailyList(
            "completed",
            attrs.evolve(first, statuses={ReturnStatus.COMPLETED}),
            lambda r: r.status is ReturnStatus.COMPLETED,
        ),
        DailyList(
            "one customer",
            attrs.evolve(first, customer_id=REGULAR),
            lambda r: r.customer_id == REGULAR,
        ),
        DailyList(
            "one-day window",
            attrs.evolve(first, created_from=since, created_to=until),
            lambda r: since <= r.created_at <= until,
        ),
    ]


def depth_of(listed: DailyList, count: int) -> tuple[int, Row]:
    """Half-way down ``listed`` (newest first): how many come before, and the last of them."""
    matching = [index for index in range(count - 1, -1, -1) if listed.matches(row(index, count))]
    depth = len(matching) // 2
    return depth, row(matching[depth - 1], count)


def template_document() -> str:
    """A real return's document (the smallest of a varied history), as the store keeps it."""
    orders = history().orders
    codec = Codec()
    return min((codec.encode_text(order) for order in orders), key=len)


def _values(count: int, document: str, as_text: bool) -> Iterator[tuple[Any, ...]]:
    for index in range(count):
        made = row(index, count)
        at: Any = made.created_at.isoformat(timespec="microseconds") if as_text else made.created_at
        yield (
            TENANT,
            f"b-{index:09d}",
            made.number,
            made.customer_id,
            made.status.value,
            at,
            at,
            1,
            document,
            False,
        )


def fill_sqlite(path: Path, count: int, document: str) -> None:
    """Insert ``count`` generated returns into the migrated SQLite store at ``path``."""
    connection = sqlite_connection(path)
    try:
        connection.execute("PRAGMA synchronous=OFF")  # loading only
        insert = (
            f"INSERT INTO crm_returns_returns ({', '.join(COLUMNS)}) "  # noqa: S608 - our own names
            f"VALUES ({', '.join('?' for _ in COLUMNS)})"
        )
        values = _values(count, document, as_text=True)
        while chunk := [next(values) for _ in range(min(50_000, count))]:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(insert, chunk)
            connection.execute("COMMIT")
            count -= len(chunk)
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def fill_postgres(server: PostgresServer, name: str, count: int, document: str) -> None:
    """``COPY`` ``count`` generated returns into store ``name``, then ``VACUUM ANALYZE``."""
    with server.connect(name) as connection:
        with connection.cursor() as cursor:
            copying = f"COPY crm_returns_returns ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.copy(copying) as copy:
                for values in _values(count, document, as_text=False):
                    copy.write_row(values)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE crm_returns_returns")


def _pages(count: int) -> list[tuple[str, str, ReturnQuery, int]]:
    """Each list's pages on a store of ``count``: list, page, query, share of the rounds."""
    pages = []
    for listed in daily_lists(count):
        depth, last = depth_of(listed, count)
        after = listed.query.cursor_after(last.created_at, last.number)
        pages += [
            (listed.name, "first page", listed.query, 1),
            (listed.name, "deep page (cursor)", attrs.evolve(listed.query, after=after), 1),
            (listed.name, "first page with total", attrs.evolve(listed.query, with_total=True), 5),
            (listed.name, "deep page (offset)", attrs.evolve(listed.query, offset=depth), 10),
        ]
    return pages


def _timed(database: SqlDatabase, query: ReturnQuery) -> float:
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        page = uow.returns.search(TENANT, query)
    seconds = time.perf_counter() - started
    assert page.items, f"{query} lists nothing"
    return seconds


def measure(databases: dict[int, SqlDatabase], rounds: int) -> dict[int, Any]:
    """Median milliseconds per page of each daily list, on each store, side by side.

    Round after round, each page is read on every store in turn (in turns
    that alternate), so that other work on the machine weighs on all alike.
    The old way's pages are read in a fifth or a tenth of the rounds.
    """
    pages = {count: _pages(count) for count in databases}
    samples: dict[tuple[int, str, str], list[float]] = {}
    for number in range(rounds):
        turn = list(databases) if number % 2 else list(reversed(databases))
        for at in range(len(pages[turn[0]])):
            for count in turn:
                name, kind, query, share = pages[count][at]
                if number % share == 0:
                    timed = _timed(databases[count], query)
                    samples.setdefault((count, name, kind), []).append(timed)
    measured: dict[int, Any] = {count: {} for count in databases}
    for (count, name, kind), times in samples.items():
        measured[count].setdefault(name, {})[kind] = round(statistics.median(times) * 1000, 3)
    return measured


def _table(store: str, sizes: Sequence[int], measured: dict[int, Any]) -> str:
    small, large = sizes[0], sizes[-1]
    rows = []
    for name in measured[small]:
        for kind in measured[small][name]:
            a, b = measured[small][name][kind], measured[large][name][kind]
            ratio = b / a
            keyset = kind in ("first page", "deep page (cursor)")
            verdict = report.verdict(ratio, 1.2, at_least=False) if keyset else "(the old way)"
            rows.append((name, kind, f"{a:.2f}", f"{b:.2f}", f"{ratio:.2f}", verdict))
    headers = ("list", "page", f"{small:,} ms", f"{large:,} ms", "ratio", "target ≤ 1.2")
    return report.table(f"{store}: median time per page of {PAGE}", headers, rows)


def _sqlite(files: SqliteFiles, count: int, document: str) -> SqlDatabase:
    database = files.database(f"lists_{count}")
    database.dispose()
    fill_sqlite(files.file(f"lists_{count}"), count, document)
    return SqlDatabase.connect(f"sqlite:///{files.file(f'lists_{count}')}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the tables and where the JSON went."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lists", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=50, help="pages timed per figure")
    add_store_options(parser)
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    if len(sizes) < 2 or sizes[0] < 2 * REGULAR_RETURNS:
        parser.error(f"--sizes takes two sizes or more, each at least {2 * REGULAR_RETURNS}")
    stores = chosen_stores(args)
    started = time.perf_counter()
    postgres = PostgresServer(args.postgres_url) if args.postgres_url else None
    results: dict[str, Any] = {"sizes": sizes, "page": PAGE, "rounds": args.rounds}
    results["machine"] = machine = report.machine(postgres.version() if postgres else None)
    results["load_average_at_start"] = load = os.getloadavg()
    print(
        f"crm_returns list benchmark, {' and '.join(f'{n:,}' for n in sizes)} returns: "
        f"{machine['cpus']} CPUs, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql'] or 'skipped'}; load average {load[0]:.2f}",
        flush=True,
    )
    document = template_document()
    texts = []
    files = SqliteFiles()
    try:
        for store in stores:
            if store == "postgresql" and postgres is None:
                continue
            databases: dict[int, SqlDatabase] = {}
            loads: dict[int, float] = {}
            try:
                for count in sizes:
                    loading = time.perf_counter()
                    if store == "sqlite":
                        databases[count] = _sqlite(files, count, document)
                    else:
                        assert postgres is not None
                        databases[count] = postgres.database(f"lists_{count}")
                        fill_postgres(postgres, f"lists_{count}", count, document)
                    loads[count] = round(time.perf_counter() - loading, 1)
                    print(f"{store}: {count:,} returns loaded in {loads[count]} s", flush=True)
                measured = measure(databases, args.rounds)
            finally:
                for database in databases.values():
                    database.dispose()
            name = "SQLite" if store == "sqlite" else "PostgreSQL"
            results[name] = {"load_seconds": loads, "ms": measured}
            texts.append(_table(name, sizes, measured))
    finally:
        files.close()
        if postgres is not None:
            postgres.close()
    for text in texts:
        print(f"\n{text}")
    return report.finish(results, started, args.json, "lists")


if __name__ == "__main__":
    sys.exit(main())
