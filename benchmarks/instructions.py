"""CPU instructions per lifecycle: ``python -m benchmarks.instructions --store sqlite``.

Wall time on a shared machine moves by ±15 % from run to run, which hides a
change of a few percent.  This counts instructions instead, under
``valgrind --tool=callgrind``: the same from run to run whatever else the
machine does, so two versions of the code can be measured one after the
other.  It runs this module twice under valgrind — ``--small`` and
``--large`` lifecycles after the same warm-up — and prints the difference
divided by the extra lifecycles, which leaves out start-up, migrations and
the warm-up.  ``PYTHONHASHSEED`` is fixed so that sets and dicts iterate
alike in both runs.

SQLite runs with ``synchronous=OFF`` here: ``fsync`` costs the disk's time,
not instructions, and is the same for any version of the code.  A run takes
about a minute.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from benchmarks.stores import SqliteFiles
from benchmarks.workload import Lifecycles, order_source, returns_service
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.system import SystemClock

WARM_UP = 20
_COLLECTED = re.compile(r"Collected : (\d+)")


def run_lifecycles(store: str, count: int, orders_made: int) -> None:
    """Run ``WARM_UP`` and then ``count`` lifecycles on ``store`` (what valgrind watches).

    Both runs make the same ``orders_made`` orders, so that making them is
    not counted as part of the lifecycles.
    """
    files = SqliteFiles()
    try:
        clock = SystemClock()
        orders = order_source(clock.now(), orders_made)
        if store == "sqlite":
            database = files.database("instructions")
            database.engine.dispose()  # the next connections get the setting below

            @sa.event.listens_for(database.engine, "connect")
            def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.execute("PRAGMA synchronous=OFF")

            lifecycles = Lifecycles(returns_service(database.unit_of_work, orders, clock))
        else:
            lifecycles = Lifecycles(returns_service(MemoryDatabase().unit_of_work, orders, clock))
        lifecycles.run(WARM_UP)
        lifecycles.run(count)
    finally:
        files.close()


def _instructions(store: str, count: int, orders_made: int) -> int:
    """Instructions valgrind counted for a whole run of ``count`` lifecycles."""
    # This checkout first on the path, so that the child measures this code.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [root, os.path.join(root, "src"), os.environ.get("PYTHONPATH", "")]
    environment = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "PYTHONPATH": os.pathsep.join(path for path in paths if path),
    }
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "--store",
        store,
        "--run",
        str(count),
        "--orders",
        str(orders_made),
    ]
    # Our own interpreter running our own module: no untrusted input.
    done = subprocess.run(  # noqa: S603
        command, env=environment, capture_output=True, text=True, check=False
    )
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: Sequence[str] | None = None) -> int:
    """Count and print the instructions of one lifecycle on the chosen store."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument("--store", choices=["sqlite", "memory"], default="sqlite")
    parser.add_argument("--small", type=int, default=10, help="lifecycles in the first run")
    parser.add_argument("--large", type=int, default=60, help="lifecycles in the second run")
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # the child under valgrind
    parser.add_argument("--orders", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run is not None:
        run_lifecycles(args.store, args.run, args.orders or WARM_UP + args.run)
        return 0
    if args.large <= args.small:
        parser.error("--large must be more than --small")
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt install valgrind).", file=sys.stderr)
        return 2
    orders_made = WARM_UP + args.large
    small = _instructions(args.store, args.small, orders_made)
    large = _instructions(args.store, args.large, orders_made)
    per_lifecycle = (large - small) / (args.large - args.small)
    print(
        f"{args.store}: {per_lifecycle:,.0f} instructions per lifecycle "
        f"({args.small} and {args.large} lifecycles after {WARM_UP} to warm up)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
