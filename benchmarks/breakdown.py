"""Where a lifecycle's time goes: ``python -m benchmarks.breakdown --store sqlite``.

Runs lifecycles through the service on one store twice and prints, per lifecycle:

1. without a profiler: wall time split into beginning units of work (pool
   checkout, ``BEGIN IMMEDIATE`` on SQLite), statements (from the store's
   transaction sending a prepared statement — or a pipeline of them — to the
   driver until the rows are back), commits (with the writes deferred to
   them), ending units of work, and the rest — Python: documents, domain and
   service;
2. the statements each command sends (``[pipelined]``: sent in one round
   trip with the others so marked, on PostgreSQL; ``COMMIT`` is counted
   where it travels in a pipeline);
3. under ``cProfile``: exclusive time by layer (the database and its driver,
   SQLAlchemy, JSON documents, the SQL adapter's own code, domain and
   service, the rest) and the functions with the most time of their own.

The profiler slows Python code more than C code and the database, so read
its layers as proportions and the first split for milliseconds.  On
PostgreSQL the tables are analysed every 50 lifecycles, outside the clock, as
``benchmarks.persistence`` does.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.stores import PostgresServer, SqliteFiles
from benchmarks.workload import Lifecycles, order_source, returns_service
from crm_returns import ReturnOrder
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase, SqlUnitOfWork
from crm_returns.adapters.sql.statements import Prepared
from crm_returns.adapters.system import SystemClock
from crm_returns.ports import UnitOfWork

#: Layers, in the order they are tried: the first whose marker is in a function's file wins.
LAYERS = (
    ("database + driver", ("sqlite3.", "/psycopg/", "psycopg_binary", "select.", "socket.")),
    ("SQLAlchemy", ("/sqlalchemy/",)),
    (
        "documents (cattrs, json, codec)",
        (
            "/cattrs/",
            "cattrs generated",
            "/json/",
            "adapters/sql/codec.py",
            "adapters/sql/types.py",
        ),
    ),
    ("SQL adapter", ("adapters/sql/",)),
    ("memory adapter", ("adapters/memory/",)),
    (
        "domain + service",
        ("crm_returns/domain/", "crm_returns/service/", "attrs generated", "/attr/", "/attrs/"),
    ),
)
COMMANDS = ("create", "submit", "approve", "receive", "inspect", "complete")


class Stopwatch:
    """Seconds spent in each part of a unit of work, and statements counted by command."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.statements: Counter[tuple[str, str]] = Counter()
        self.command = COMMANDS[0]

    def follow(self, command: str, order: ReturnOrder) -> None:
        """Observer for :meth:`Lifecycles.one`: the next statements are the next command's."""
        self.command = COMMANDS[(COMMANDS.index(command) + 1) % len(COMMANDS)]

    def watch(self, database: SqlDatabase) -> Callable[[], UnitOfWork]:
        """A unit-of-work factory over ``database`` that times its parts."""
        watch = self

        class TimedUnitOfWork(SqlUnitOfWork):
            def _begin(self) -> None:
                started = time.perf_counter()
                super()._begin()
                watch.seconds["begin"] += time.perf_counter() - started

            def _commit(self) -> None:
                started = time.perf_counter()
                super()._commit()
                watch.seconds["commit"] += time.perf_counter() - started

            def rollback(self) -> None:
                started = time.perf_counter()
                super().rollback()
                watch.seconds["end"] += time.perf_counter() - started

        def timed(unit_of_work: SqlUnitOfWork) -> SqlUnitOfWork:
            # The store runs its statements on the driver's cursor, past SQLAlchemy's
            # events (listening to them would send the statements through
            # SQLAlchemy instead): time its two ways of sending them.
            transaction = unit_of_work._tx
            run_once, in_pipeline = transaction._run_once, transaction._in_pipeline
            texts = database._texts

            def count(statement: Prepared | None, many: bool, how: str = "") -> None:
                sql = "COMMIT" if statement is None else texts.sql(statement)
                words = " ".join(sql.split()[:3])[:52] + (" [many]" if many else "") + how
                watch.statements[(watch.command, words)] += 1

            def run(statement: Prepared, parameters: Any, *rest: Any) -> Any:
                how = " [pipelined]" if transaction._pipelined() else ""
                count(statement, not isinstance(parameters, dict), how)
                started = time.perf_counter()
                try:
                    return run_once(statement, parameters, *rest)
                finally:
                    watch.seconds["statements"] += time.perf_counter() - started

            def pipelined(statement: Prepared | None, parameters: Any, *rest: Any) -> Any:
                # The statement itself, if any, was counted by ``run``.
                for item in transaction._deferred:
                    count(item.statement, not isinstance(item.parameters, dict), " [pipelined]")
                started = time.perf_counter()
                try:
                    return in_pipeline(statement, parameters, *rest)
                finally:
                    # With COMMIT last, the time is the commit's (its caller's).
                    if statement is not None:
                        watch.seconds["statements"] += time.perf_counter() - started

            transaction._run_once = run  # type: ignore[method-assign,assignment]
            transaction._in_pipeline = pipelined  # type: ignore[method-assign,assignment]
            return unit_of_work

        return lambda: timed(TimedUnitOfWork(database))


def _layer(filename: str, function: str) -> str:
    where = f"{filename}:{function}"
    for name, markers in LAYERS:
        if any(marker in where for marker in markers):
            return name
    return "other (builtins, stdlib: uuid, decimal, enum, …)"


def _run(
    lifecycles: Lifecycles,
    count: int,
    postgres: PostgresServer | None,
    observe: Callable[[str, ReturnOrder], None],
    profile: cProfile.Profile | None = None,
) -> float:
    """Seconds that ``count`` lifecycles took, analysing PostgreSQL every 50 outside the clock."""
    elapsed = 0.0
    for done in range(count):
        if postgres is not None and done % 50 == 0:
            postgres.analyze(["breakdown"])
        started = time.perf_counter()
        if profile is not None:
            profile.enable()
        lifecycles.one(observe)
        if profile is not None:
            profile.disable()
        elapsed += time.perf_counter() - started
    return elapsed


def _print_split(store: str, count: int, elapsed: float, watch: Stopwatch) -> None:
    per = 1000 / count
    parts = ", ".join(
        f"{name} {watch.seconds[name] * per:.2f}"
        for name in ("begin", "statements", "commit", "end")
    )
    rest = elapsed - sum(watch.seconds.values())
    print(f"{store}: {elapsed * per:.2f} ms per lifecycle without a profiler")
    print(f"  = {parts}, Python rest {rest * per:.2f} (ms)")
    if not watch.statements:
        return
    print("\nStatements per lifecycle, by command (COMMIT is not counted as one):")
    for name in COMMANDS:
        mine = {words: n for (command, words), n in watch.statements.items() if command == name}
        print(f"  {name}: {sum(mine.values()) / count:.0f}")
        for words, n in sorted(mine.items(), key=lambda item: -item[1]):
            print(f"    {n / count:4.1f}  {words}")
    print(f"  total: {sum(watch.statements.values()) / count:.0f}")


def _print_profile(count: int, elapsed: float, profile: cProfile.Profile, top: int) -> None:
    print(f"\nUnder cProfile: {elapsed / count * 1000:.2f} ms per lifecycle")
    stats = pstats.Stats(profile)
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    layers: Counter[str] = Counter()
    for (filename, _, function), (_, _, own, _, _) in raw.items():
        layers[_layer(filename, function)] += own
    total = sum(layers.values())
    print("Exclusive time by layer, per lifecycle (profiled):")
    for name, seconds in layers.most_common():
        print(f"  {seconds / count * 1000:7.2f} ms  {seconds / total:6.1%}  {name}")
    others = sorted(
        (own, f"{filename}:{function}")
        for (filename, _, function), (_, _, own, _, _) in raw.items()
        if _layer(filename, function).startswith("other")
    )[::-1][:8]
    print("  of which 'other':")
    for own, where in others:
        print(f"    {own / count * 1000:7.2f} ms  {where[-90:]}")
    print(f"\nTop {top} functions by own time:")
    stats.sort_stats("tottime").print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    """Time and profile lifecycles on one store and print where the time goes."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.breakdown", description=__doc__)
    parser.add_argument("--store", choices=["memory", "sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--lifecycles", type=int, default=200, help="per phase")
    parser.add_argument("--postgres-url", default=os.environ.get("CRM_RETURNS_BENCH_POSTGRES_URL"))
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    args = parser.parse_args(argv)
    if args.store == "postgresql" and not args.postgres_url:
        parser.error("--store postgresql needs --postgres-url")

    count, watch, profile = args.lifecycles, Stopwatch(), cProfile.Profile()
    files = SqliteFiles()
    postgres = PostgresServer(args.postgres_url) if args.store == "postgresql" else None
    try:
        factory: Callable[[], UnitOfWork]
        if args.store == "memory":
            factory = MemoryDatabase().unit_of_work
        else:
            database = (
                files.database("breakdown") if postgres is None else postgres.database("breakdown")
            )
            factory = watch.watch(database)
        clock = SystemClock()
        orders = order_source(clock.now(), 2 * count + 20)
        lifecycles = Lifecycles(returns_service(factory, orders, clock))
        lifecycles.run(20)
        watch.seconds.clear()
        watch.statements.clear()
        unprofiled = _run(lifecycles, count, postgres, watch.follow)
        _print_split(args.store, count, unprofiled, watch)
        profiled = _run(lifecycles, count, postgres, watch.follow, profile)
    finally:
        if postgres is not None:
            postgres.close()
        files.close()
    _print_profile(count, profiled, profile, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
