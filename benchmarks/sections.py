"""The three sections of the persistence benchmark; each returns its table and its JSON.

See :mod:`benchmarks.persistence` for the command that runs them.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any, Protocol

import attrs
import psycopg

from benchmarks import report
from benchmarks.baseline import PlainSqlLifecycles, PostgresSession, SqliteSession
from benchmarks.batch import measure_batch_return
from benchmarks.capture import capture_lifecycle
from benchmarks.census import take_census
from benchmarks.history import (
    LINES_PER_PAST_RETURN,
    load_postgres,
    load_sqlite,
    look_up_plan,
    measure_look_ups,
    past_return,
)
from benchmarks.stores import PostgresServer, SqliteFiles, libpq_url, sqlite_connection
from benchmarks.workload import LINES_PER_RETURN, Lifecycles, order_source, returns_service
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import SystemClock

__all__ = [
    "ENVIRONMENT",
    "LATENCY_TARGET",
    "THROUGHPUT_TARGET",
    "Plan",
    "batch",
    "latency",
    "lifecycles",
]

ENVIRONMENT = "CRM_RETURNS_BENCH_POSTGRES_URL"
THROUGHPUT_TARGET = 0.5  # our lifecycles/s over the plain-SQL floor's, at least
LATENCY_TARGET = 1.5  # look-up median with large history over small, at most


@attrs.frozen
class Plan:
    """How much of everything a run does."""

    rounds: int
    warm_up: int
    per_round: dict[str, int]
    small_history: int
    large_history: int
    probes: int
    probe_warm_up: int
    batch_lines: int
    batch_runs: int
    analyze: bool = True

    @classmethod
    def full(cls) -> Plan:
        """The run whose figures go into docs/performance.md."""
        return cls(
            rounds=7,
            warm_up=20,
            per_round={"memory": 300, "sqlite": 100, "postgresql": 60, "plain": 300},
            small_history=1_000,
            large_history=1_000_000,
            probes=1_000,
            probe_warm_up=100,
            batch_lines=1_000,
            batch_runs=3,
        )

    @classmethod
    def quick(cls) -> Plan:
        """A short run to see that everything works (history 1,000 vs 100,000)."""
        return cls(
            rounds=3,
            warm_up=5,
            per_round={"memory": 60, "sqlite": 20, "postgresql": 12, "plain": 60},
            small_history=1_000,
            large_history=100_000,
            probes=200,
            probe_warm_up=30,
            batch_lines=1_000,
            batch_runs=1,
        )


class Runner(Protocol):
    """Runs lifecycles: the service on a store, or the plain-SQL baseline."""

    done: int

    def run(self, count: int) -> None:
        """Run ``count`` lifecycles."""


@attrs.define
class Target:
    """One line of the throughput table while it is measured."""

    store: str
    kind: str  # "ours" or "plain SQL"
    runner: Runner
    per_round: int
    rates: list[float] = attrs.Factory(list)

    def summary(self) -> dict[str, Any]:
        """The target's figures for the JSON file."""
        return {
            "store": self.store,
            "kind": self.kind,
            "lifecycles_per_round": self.per_round,
            "rounds_per_second": [round(rate, 2) for rate in self.rates],
            "median_per_second": round(statistics.median(self.rates), 2),
        }


def lifecycles(
    plan: Plan, files: SqliteFiles, postgres: PostgresServer | None
) -> tuple[str, dict[str, Any]]:
    """Section 1: lifecycles per second, ours and the plain-SQL floor, on every store.

    On PostgreSQL the stores' tables are analysed after the warm-up and after
    every round, outside the clock, as autovacuum would analyse growing tables
    (``--no-analyze`` to leave them without statistics, as a server without
    autovacuum would).
    """
    writes = capture_lifecycle()
    clock = SystemClock()
    ours = max(plan.per_round[key] for key in ("memory", "sqlite", "postgresql"))
    orders = order_source(clock.now(), plan.warm_up + plan.rounds * ours)

    def service_on(database: MemoryDatabase | SqlDatabase) -> Lifecycles:
        return Lifecycles(returns_service(database.unit_of_work, orders, clock))

    stores: dict[str, tuple[SqlDatabase, SqlDatabase]] = {}
    targets = [Target("memory", "ours", service_on(MemoryDatabase()), plan.per_round["memory"])]
    sqlite_ours, sqlite_plain = files.database("lifecycles"), files.database("plain")
    stores["SQLite"] = (sqlite_ours, sqlite_plain)
    targets += [
        Target("SQLite", "ours", service_on(sqlite_ours), plan.per_round["sqlite"]),
        Target(
            "SQLite",
            "plain SQL",
            PlainSqlLifecycles(SqliteSession(sqlite_connection(files.file("plain"))), writes),
            plan.per_round["plain"],
        ),
    ]
    if postgres is not None:
        pg_ours, pg_plain = postgres.database("lifecycles"), postgres.database("plain")
        stores["PostgreSQL"] = (pg_ours, pg_plain)
        targets += [
            Target("PostgreSQL", "ours", service_on(pg_ours), plan.per_round["postgresql"]),
            Target(
                "PostgreSQL",
                "plain SQL",
                PlainSqlLifecycles(PostgresSession(postgres.connect("plain")), writes),
                plan.per_round["plain"] // 2,
            ),
        ]

    def analyze() -> None:
        if postgres is not None and plan.analyze:
            postgres.analyze(["lifecycles", "plain"])

    for target in targets:
        target.runner.run(plan.warm_up)
    analyze()
    for _ in range(plan.rounds):  # take turns, so that drift in the machine touches all alike
        for target in targets:
            started = time.perf_counter()
            target.runner.run(target.per_round)
            target.rates.append(target.per_round / (time.perf_counter() - started))
        analyze()

    rows: list[list[object]] = []
    results: dict[str, Any] = {"targets": [t.summary() for t in targets], "ratios": {}}
    by_key = {(t.store, t.kind): t for t in targets}
    for target in targets:
        rates = target.rates
        ratio = target_note = ""
        floor = by_key.get((target.store, "plain SQL"))
        if target.kind == "ours" and floor is not None:
            value = statistics.median(rates) / statistics.median(floor.rates)
            ratio = f"{value:.2f}"
            target_note = (
                f">= {THROUGHPUT_TARGET}  {report.verdict(value, THROUGHPUT_TARGET, at_least=True)}"
            )
            results["ratios"][target.store] = round(value, 3)
        rows.append(
            [
                target.store,
                target.kind,
                f"{statistics.median(rates):,.1f}",
                f"{min(rates):,.1f} - {max(rates):,.1f}",
                f"{1000 / statistics.median(rates):.2f}",
                ratio,
                target_note,
            ]
        )
    text = report.table(
        f"1. Full return lifecycles ({LINES_PER_RETURN} lines, 6 commands = 6 transactions), "
        f"median of {plan.rounds} rounds",
        ["store", "code", "lifecycles/s", "min - max", "ms each", "ours/plain", "target"],
        rows,
    )
    census_rows = []
    for store, (ours_db, plain_db) in stores.items():
        ours_done = by_key[(store, "ours")].runner.done
        plain_done = by_key[(store, "plain SQL")].runner.done
        for kind, database, done in (("ours", ours_db, ours_done), ("plain", plain_db, plain_done)):
            row_count, chars = take_census(database).per_lifecycle(done)
            census_rows.append([store, kind, f"{row_count:.1f}", f"{chars:,.0f}"])
            results.setdefault("census", []).append(
                {"store": store, "kind": kind, "rows": row_count, "document_chars": chars}
            )
    text += "\n\n" + report.table(
        "   Same writes? Rows and JSON document characters stored per lifecycle "
        f"(the captured lifecycle wrote {writes.row_count()} rows, updates included)",
        ["store", "code", "rows", "document chars"],
        census_rows,
    )
    if postgres is None:
        text += f"\n   PostgreSQL skipped: no --postgres-url and no {ENVIRONMENT}."
    elif plan.analyze:
        text += (
            "\n   PostgreSQL tables analysed after the warm-up and after each round, untimed "
            f"(autovacuum on this server: {postgres.setting('autovacuum')})."
        )
    else:
        text += "\n   PostgreSQL tables never analysed (--no-analyze)."
    return text, results


def latency(
    plan: Plan, files: SqliteFiles, postgres: PostgresServer | None
) -> tuple[str, dict[str, Any]]:
    """Section 2: look-up latency with a small and a large history, on each SQL store."""
    history = past_return()
    sizes = (plan.small_history, plan.large_history)
    stores: list[tuple[str, int, SqlDatabase]] = []
    loading: dict[str, float] = {}
    for lines in sizes:
        name = f"history_{lines}"
        started = time.perf_counter()
        database = files.database(name)
        load_sqlite(files.file(name), history, lines // LINES_PER_PAST_RETURN)
        loading[f"SQLite {lines}"] = time.perf_counter() - started
        stores.append(("SQLite", lines, database))
    if postgres is not None:
        for lines in sizes:
            name = f"history_{lines}"
            started = time.perf_counter()
            database = postgres.database(name)
            with postgres.connect(name) as connection:
                load_postgres(connection, history, lines // LINES_PER_PAST_RETURN)
            loading[f"PostgreSQL {lines}"] = time.perf_counter() - started
            stores.append(("PostgreSQL", lines, database))
        _checkpoint(postgres.url)
    os.sync()  # let the loads reach the disk before the clock starts

    latencies = measure_look_ups(
        [(database, history, lines // LINES_PER_PAST_RETURN) for _, lines, database in stores],
        plan.probes,
        plan.probe_warm_up,
    )
    rows: list[list[object]] = []
    results: dict[str, Any] = {"load_seconds": loading, "stores": [], "ratios": {}, "plans": {}}
    medians: dict[tuple[str, int], float] = {}
    for (store, lines, database), latency in zip(stores, latencies, strict=True):
        medians[(store, lines)] = latency.median
        ratio = note = ""
        if lines == plan.large_history:
            value = latency.median / medians[(store, plan.small_history)]
            ratio = f"{value:.2f}"
            note = f"<= {LATENCY_TARGET}  {report.verdict(value, LATENCY_TARGET, at_least=False)}"
            results["ratios"][store] = round(value, 3)
            results["plans"][store] = look_up_plan(database, history.refs(0)[0])
        rows.append(
            [
                store,
                f"{lines:,}",
                f"{latency.median * 1000:.3f}",
                f"{latency.p95 * 1000:.3f}",
                ratio,
                note,
            ]
        )
        results["stores"].append(
            {
                "store": store,
                "return_lines": lines,
                "median_ms": round(latency.median * 1000, 4),
                "p95_ms": round(latency.p95 * 1000, 4),
            }
        )
    quick = " (--quick: 100,000, not 1,000,000)" if plan.large_history < 1_000_000 else ""
    text = report.table(
        f"2. Returnable-quantity look-up of one line (one unit of work + for_lines), "
        f"{plan.probes} probes per store{quick}",
        ["store", "return lines", "median ms", "p95 ms", "large/small", "target"],
        rows,
    )
    for store, plan_lines in results["plans"].items():
        text += f"\n   {store} plan with {plan.large_history:,} lines:\n"
        text += "\n".join(f"     {line}" for line in plan_lines)
    if postgres is None:
        text += f"\n   PostgreSQL skipped: no --postgres-url and no {ENVIRONMENT}."
    return text, results


def _checkpoint(url: str) -> None:
    """Ask PostgreSQL to write its dirty buffers now, not while probes run (if allowed)."""
    try:
        with psycopg.connect(libpq_url(url), autocommit=True) as connection:
            connection.execute("CHECKPOINT")
    except psycopg.Error:
        pass  # needs superuser or pg_checkpoint; the probes then share the disk with it


def batch(
    plan: Plan, files: SqliteFiles, postgres: PostgresServer | None
) -> tuple[str, dict[str, Any]]:
    """Section 3: one batch return of many lines, on every store."""
    stores: list[tuple[str, MemoryDatabase | SqlDatabase]] = [
        ("memory", MemoryDatabase()),
        ("SQLite", files.database("batch")),
    ]
    if postgres is not None:
        stores.append(("PostgreSQL", postgres.database("batch")))
    rows: list[list[object]] = []
    results: list[dict[str, Any]] = []
    for store, database in stores:
        measured = measure_batch_return(database.unit_of_work, plan.batch_lines, plan.batch_runs)
        rows.append(
            [
                store,
                f"{measured.lines:,}",
                f"{measured.median:.3f}",
                " / ".join(f"{s:.3f}" for s in measured.seconds),
                f"{measured.peak_bytes / 2**20:.1f}",
            ]
        )
        results.append(
            {
                "store": store,
                "lines": measured.lines,
                "seconds": [round(s, 4) for s in measured.seconds],
                "median_seconds": round(measured.median, 4),
                "peak_mib": round(measured.peak_bytes / 2**20, 2),
            }
        )
    text = report.table(
        "3. One batch return (create_return with 1,000 lines), after one warm-up",
        ["store", "lines", "median s", "runs s", "peak MiB (tracemalloc)"],
        rows,
    )
    if postgres is None:
        text += f"\n   PostgreSQL skipped: no --postgres-url and no {ENVIRONMENT}."
    return text, {"stores": results}
