"""Service lists benchmark: ``python -m benchmarks.service_lists [--sizes N ...]``.

Two lists a host shows every day (issue 16), read through ``ReturnsService``
rather than the store, as one customer's returns grow:

- ``my_returns``: the first page (50) of one customer's own returns, each
  with its request and its parcels (the customer's portal);
- ``late_returns``: the first page (50) of one team's overdue returns, each
  with its return (the supervisor's workload).

Each store holds one customer's returns (``--sizes``, by default 100 and
3,000), every one with its request, one parcel and an assignment to team
``desk`` that is overdue, among 20,000 returns of 2,000 other customers made
over the same two weeks.  The customer's are written through the store
itself (``uow.returns.add``, ``uow.casefile.add``, in units of work of 500):
the return is a real one (a submitted return of the conformance history) with
an id, number, creation time and order line of its own; the records are the
service's own kinds.  The others' are bulk-inserted rows of ``returns`` (the
lists only skip them).
The pages are then read through a database object of its own, whose codec
remembers none of the returns written.

For each page: the statements it sends (counted once, outside the clock, by a
cursor listener, which sends them through SQLAlchemy rather than the driver)
and the median time over ``--rounds`` pages, read on every store in turn.
A page whose cost does not grow with the customer's returns has a ratio
largest ÷ smallest store near 1.  Nothing fails when a figure is poor; the
JSON goes to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import attrs
import sqlalchemy as sa

from benchmarks import report
from benchmarks.options import add_store_options, chosen_stores
from benchmarks.stores import PostgresServer, SqliteFiles
from benchmarks.workload import TENANT, returns_service
from crm_returns import Actor
from crm_returns.adapters.memory import ManualClock, MemoryOrderSource
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.domain.requests.deciding import open_request
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.shipments.records import Shipment, ShipmentMethod
from crm_returns.service import ReturnsService
from crm_returns.testing.conformance._history import history

CUSTOMER = "C-REGULAR"
TEAM = "desk"
PAGE = 50
#: Returns of other customers in every store (2,000 customers, ten each).
OTHERS = 20_000
#: Returns written per unit of work while filling a store.
FILL_BATCH = 500
#: The customer, through the portal, and the supervisor watching deadlines.
PORTAL = Actor("p-regular", "常客", TENANT, frozenset({"customer"}), customer_id=CUSTOMER)
SUPERVISOR = Actor("u-lead", "主管", TENANT, frozenset({"supervisor"}))


def customers_return(template: ReturnOrder, index: int, count: int) -> ReturnOrder:
    """Return ``index`` of the customer's ``count``: ``template`` with its own keys and lines.

    Its own id, number and order line; made among the other customers'
    returns, spread over the same weeks.
    """
    lines = []
    for line in template.lines:
        ref = attrs.evolve(line.ref, order_number=f"SO-B-{index:07d}")
        lines.append(attrs.evolve(line, ref=ref, pricing=attrs.evolve(line.pricing, ref=ref)))
    made = template.created_at + timedelta(minutes=index * OTHERS / count, seconds=30)
    return attrs.evolve(
        template,
        tenant_id=TENANT,
        id=f"r-{index:07d}",
        number=f"RT-B-{index:07d}",
        customer_id=CUSTOMER,
        created_at=made,
        updated_at=made,
        lines=tuple(lines),
    )


def case_records(order: ReturnOrder) -> Iterator[CaseRecord]:
    """The request, one parcel and an overdue assignment to the team, of ``order``."""
    yield open_request(order, f"q-{order.id}", "")
    yield Shipment(
        tenant_id=order.tenant_id,
        id=f"s-{order.id}",
        return_id=order.id,
        customer_id=order.customer_id,
        at=order.created_at,
        method=ShipmentMethod.DROP_OFF,
        updated_at=order.created_at,
    )
    yield Assignment(
        tenant_id=order.tenant_id,
        id=f"a-{order.id}",
        return_id=order.id,
        customer_id=order.customer_id,
        at=order.created_at,
        team=TEAM,
        assigned_by="u-lead",
        stage=Stage.SHIP_BACK,
        since=order.created_at,
        due_at=order.created_at + timedelta(days=3),
    )


def _others(template: ReturnOrder) -> Iterator[dict[str, Any]]:
    """The rows of the other customers' returns, a minute apart (one document for all)."""
    document = Codec().encode(template)
    for index in range(OTHERS):
        made = template.created_at + timedelta(minutes=index)
        yield {
            "tenant_id": TENANT,
            "id": f"o-{index:07d}",
            "number": f"RT-O-{index:07d}",
            "customer_id": f"C-{index % 2_000:05d}",
            "status": template.status.value,
            "created_at": made,
            "updated_at": made,
            "version": template.version,
            "document": document,
        }


def fill(database: SqlDatabase, count: int) -> None:
    """Write ``count`` returns of the customer, with their records, among the others'."""
    template = history().submitted
    with database.engine.begin() as connection:
        connection.execute(sa.insert(database.tables.returns), list(_others(template)))
    for start in range(0, count, FILL_BATCH):
        with database.unit_of_work() as uow:
            for index in range(start, min(count, start + FILL_BATCH)):
                order = customers_return(template, index, count)
                uow.returns.add(order)
                for record in case_records(order):
                    uow.casefile.add(record)
            uow.commit()


def service_over(database: SqlDatabase) -> ReturnsService:
    """The service over ``database``; its clock stands a year after the returns were made."""
    now = history().submitted.created_at + timedelta(days=365)
    return returns_service(database.unit_of_work, MemoryOrderSource(), ManualClock(now))


#: Each page measured: its name, and how the service reads it.
PAGES: dict[str, Callable[[ReturnsService], Sequence[object]]] = {
    "my_returns, first page": lambda s: s.my_returns(PORTAL, limit=PAGE, with_total=False).items,
    "late_returns, first page": lambda s: s.late_returns(SUPERVISOR, team=TEAM, limit=PAGE).items,
}


def statements_of(
    database: SqlDatabase,
    service: ReturnsService,
    read: Callable[[ReturnsService], Sequence[object]],
) -> int:
    """How many statements reading a page with ``read`` sends to ``database``."""
    sent: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        items = read(service)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)
    assert len(items) == PAGE, f"a page of {len(items)}, not {PAGE}"
    return len(sent)


def measure(services: dict[int, tuple[SqlDatabase, ReturnsService]], rounds: int) -> dict[str, Any]:
    """Statements per page, and median milliseconds per page, on each store."""
    results: dict[str, Any] = {}
    for name, read in PAGES.items():
        results[name] = {
            count: {"statements": statements_of(database, service, read)}
            for count, (database, service) in services.items()
        }
    samples: dict[tuple[str, int], list[float]] = {}
    for number in range(rounds):
        turn = list(services) if number % 2 else list(reversed(services))
        for name, read in PAGES.items():
            for count in turn:
                started = time.perf_counter()
                read(services[count][1])
                samples.setdefault((name, count), []).append(time.perf_counter() - started)
    for (name, count), times in samples.items():
        results[name][count]["ms"] = round(statistics.median(times) * 1000, 3)
    return results


def _table(store: str, sizes: Sequence[int], measured: dict[str, Any]) -> str:
    small, large = sizes[0], sizes[-1]
    rows = []
    for name, by_size in measured.items():
        a, b = by_size[small], by_size[large]
        rows.append(
            (
                name,
                a["statements"],
                b["statements"],
                f"{a['ms']:.2f}",
                f"{b['ms']:.2f}",
                f"{b['ms'] / a['ms']:.2f}",
            )
        )
    headers = (
        "page",
        f"statements, {small:,}",
        f"statements, {large:,}",
        f"{small:,} ms",
        f"{large:,} ms",
        "ratio",
    )
    return report.table(f"{store}: one customer's returns, a page of {PAGE}", headers, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the tables and where the JSON went."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.service_lists", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 3_000])
    parser.add_argument("--rounds", type=int, default=30, help="pages timed per figure")
    add_store_options(parser)
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    if len(sizes) < 2 or sizes[0] <= PAGE:
        parser.error(f"--sizes takes two sizes or more, each above {PAGE}")
    stores = chosen_stores(args)
    started = time.perf_counter()
    postgres = PostgresServer(args.postgres_url) if args.postgres_url else None
    results: dict[str, Any] = {"sizes": sizes, "page": PAGE, "rounds": args.rounds}
    results["machine"] = machine = report.machine(postgres.version() if postgres else None)
    results["load_average_at_start"] = load = os.getloadavg()
    print(
        f"crm_returns service lists benchmark, {' and '.join(f'{n:,}' for n in sizes)} returns "
        f"of one customer: {machine['cpus']} CPUs, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql'] or 'skipped'}; load average {load[0]:.2f}",
        flush=True,
    )
    texts = []
    files = SqliteFiles()
    try:
        for store in stores:
            if store == "postgresql" and postgres is None:
                continue
            services: dict[int, tuple[SqlDatabase, ReturnsService]] = {}
            loads: dict[int, float] = {}
            for count in sizes:
                loading = time.perf_counter()
                name = f"service_lists_{count}"
                if store == "sqlite":
                    filled = files.database(name)
                    fill(filled, count)
                    database = SqlDatabase.connect(f"sqlite:///{files.file(name)}")
                else:
                    assert postgres is not None
                    filled = postgres.database(name)
                    fill(filled, count)
                    postgres.analyze([name])
                    database = SqlDatabase.connect(postgres.url, schema=postgres.schema_name(name))
                # Read through a database of its own: the one that wrote the returns
                # remembers the last few hundred, which would flatter the small store.
                filled.dispose()
                services[count] = (database, service_over(database))
                loads[count] = round(time.perf_counter() - loading, 1)
                print(f"{store}: {count:,} returns written in {loads[count]} s", flush=True)
            try:
                measured = measure(services, args.rounds)
            finally:
                for database, _ in services.values():
                    database.dispose()
            title = "SQLite" if store == "sqlite" else "PostgreSQL"
            results[title] = {"load_seconds": loads, "pages": measured}
            texts.append(_table(title, sizes, measured))
    finally:
        files.close()
        if postgres is not None:
            postgres.close()
    for text in texts:
        print(f"\n{text}")
    return report.finish(results, started, args.json, "service_lists")


if __name__ == "__main__":
    sys.exit(main())
