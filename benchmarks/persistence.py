"""Persistence benchmark: run ``python -m benchmarks.persistence [--quick] [--postgres-url URL]``.

Measured side by side in one run, printed as tables and written as JSON to
``benchmarks/results/``:

1. full return lifecycles per second on memory, a SQLite file and PostgreSQL,
   beside a hand-written plain-SQL baseline doing the same writes
   (:mod:`benchmarks.baseline`), and our throughput as a ratio of it;
2. returnable-quantity look-up latency with 1,000 vs 1,000,000 return lines
   stored (:mod:`benchmarks.history`);
3. one batch return of 1,000 lines: time and peak memory (:mod:`benchmarks.batch`).

Targets are printed beside the figures; nothing fails when one is missed.
PostgreSQL rows need a URL (``--postgres-url`` or
``CRM_RETURNS_BENCH_POSTGRES_URL``); without one they are skipped, saying so.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from benchmarks import report
from benchmarks.sections import ENVIRONMENT, Plan, batch, latency, lifecycles
from benchmarks.stores import PostgresServer, SqliteFiles


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the tables and where the JSON went."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.persistence", description=__doc__)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(ENVIRONMENT),
        help=f"PostgreSQL database to create schemas in (default: ${ENVIRONMENT}; none: skip)",
    )
    parser.add_argument("--quick", action="store_true", help="a short run (history 1k vs 100k)")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default: results/)")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="never ANALYZE the PostgreSQL lifecycle tables (shows plans made without statistics)",
    )
    parser.add_argument(
        "--only",
        choices=["lifecycles", "latency", "batch"],
        action="append",
        help="run only these sections (repeatable)",
    )
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan.full()
    if args.no_analyze:
        plan = attrs.evolve(plan, analyze=False)
    sections = args.only or ["lifecycles", "latency", "batch"]
    started = time.perf_counter()

    postgres = PostgresServer(args.postgres_url) if args.postgres_url else None
    files = SqliteFiles()
    results: dict[str, Any] = {"quick": args.quick, "plan": attrs.asdict(plan)}
    try:
        results["machine"] = machine = report.machine(postgres.version() if postgres else None)
        if postgres is not None:
            results["postgres_autovacuum"] = postgres.setting("autovacuum")
        print(
            f"crm_returns persistence benchmark ({'quick' if args.quick else 'full'} run): "
            f"{machine['cpus']} CPUs ({machine['cpu_model']}), Python {machine['python']}, "
            f"SQLite {machine['sqlite']}, PostgreSQL {machine['postgresql'] or 'skipped'}"
        )
        results["load_average_at_start"] = load = os.getloadavg()
        print(f"Load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min)")
        if load[0] >= 1:
            print("Warning: the machine is busy; other work will slow the figures down.")
        if postgres is None:
            print(f"PostgreSQL rows are skipped: give --postgres-url or set {ENVIRONMENT}.")
        for name, section in (
            ("lifecycles", lifecycles),
            ("latency", latency),
            ("batch", batch),
        ):
            if name in sections:
                section_started = time.perf_counter()
                text, results[name] = section(plan, files, postgres)
                results[name]["seconds"] = round(time.perf_counter() - section_started, 1)
                print(f"\n{text}", flush=True)
    finally:
        if postgres is not None:
            postgres.close()
        files.close()
    elapsed = time.perf_counter() - started
    results["seconds"] = round(elapsed, 1)
    results["load_average_at_end"] = load = os.getloadavg()
    print(f"\nLoad average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    path = report.write_json(results, args.json)
    print(f"\nTotal time: {elapsed // 60:.0f} min {elapsed % 60:.0f} s.  JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
