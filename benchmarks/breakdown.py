"""Where a lifecycle's time goes: ``python -m benchmarks.breakdown --store sqlite``.

Runs lifecycles through the service on one store under ``cProfile`` and
prints, per lifecycle:

- the statements each command sends (counted as SQLAlchemy hands them to the driver);
- exclusive time by layer: the database and its driver, SQLAlchemy, JSON
  documents (cattrs, json, the codec), the SQL adapter's own code, the
  domain and service, and the rest;
- the functions that take the most time of their own.

The profiler slows Python code more than C code and the database, so read
the layers as proportions, and the throughput table of
``benchmarks.persistence`` for speed.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from benchmarks.stores import PostgresServer, SqliteFiles
from benchmarks.workload import Lifecycles, order_source, returns_service
from crm_returns import ReturnOrder
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import SystemClock

#: Layers, in the order they are tried: the first whose marker is in a function's file wins.
LAYERS = (
    ("database + driver", ("sqlite3.", "/psycopg/", "psycopg_binary", "select.", "socket.")),
    ("SQLAlchemy", ("/sqlalchemy/",)),
    ("documents (cattrs, json, codec)", ("/cattrs/", "/json/", "adapters/sql/codec.py")),
    ("SQL adapter", ("adapters/sql/",)),
    ("memory adapter", ("adapters/memory.py",)),
    ("domain + service", ("crm_returns/domain/", "crm_returns/service/", "/attr/", "/attrs/")),
)


def _layer(filename: str, function: str) -> str:
    where = f"{filename}:{function}"
    for name, markers in LAYERS:
        if any(marker in where for marker in markers):
            return name
    return "other (stdlib, uuid, decimal, …)"


def main(argv: Sequence[str] | None = None) -> int:
    """Profile lifecycles on one store and print the breakdown."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.breakdown", description=__doc__)
    parser.add_argument("--store", choices=["memory", "sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--lifecycles", type=int, default=200)
    parser.add_argument("--postgres-url", default=os.environ.get("CRM_RETURNS_BENCH_POSTGRES_URL"))
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    args = parser.parse_args(argv)

    files = SqliteFiles()
    postgres = PostgresServer(args.postgres_url) if args.postgres_url else None
    try:
        database: MemoryDatabase | SqlDatabase
        if args.store == "memory":
            database = MemoryDatabase()
        elif args.store == "sqlite":
            database = files.database("breakdown")
        elif postgres is None:
            parser.error("--store postgresql needs --postgres-url")
        else:
            database = postgres.database("breakdown")
        clock = SystemClock()
        count = args.lifecycles
        lifecycles = Lifecycles(
            returns_service(database.unit_of_work, order_source(clock.now(), count + 20), clock)
        )
        lifecycles.run(20)

        counted: Counter[tuple[str, str]] = Counter()
        command = ["create"]
        if isinstance(database, SqlDatabase):

            def count_statement(*event: Any) -> None:
                words = " ".join(str(event[2]).split()[:3])[:52]
                counted[(command[0], words + (" [many]" if event[5] else ""))] += 1

            sa.event.listen(database.engine, "before_cursor_execute", count_statement)

        commands = ["create", "submit", "approve", "receive", "inspect", "complete"]

        def next_command(done: str, order: ReturnOrder) -> None:
            position = commands.index(done)
            command[0] = commands[(position + 1) % len(commands)]

        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(count):
            lifecycles.one(next_command)
        profile.disable()
        elapsed = time.perf_counter() - started
    finally:
        if postgres is not None:
            postgres.close()
        files.close()

    print(f"{args.store}: {count} lifecycles under cProfile, {elapsed / count * 1000:.2f} ms each")
    if counted:
        print("\nStatements per lifecycle, by command (COMMIT is not a statement here):")
        for name in commands:
            mine = {words: n for (cmd, words), n in counted.items() if cmd == name}
            print(f"  {name}: {sum(mine.values()) / count:.0f}")
            for words, n in sorted(mine.items(), key=lambda item: -item[1]):
                print(f"    {n / count:4.1f}  {words}")
        print(f"  total: {sum(counted.values()) / count:.0f}")

    stats = pstats.Stats(profile)
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    layers: Counter[str] = Counter()
    for (filename, _, function), (_, _, own, _, _) in raw.items():
        layers[_layer(filename, function)] += own
    total = sum(layers.values())
    print("\nExclusive time by layer, per lifecycle (profiled):")
    for name, seconds in layers.most_common():
        print(f"  {seconds / count * 1000:7.2f} ms  {seconds / total:6.1%}  {name}")

    print(f"\nTop {args.top} functions by own time:")
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
