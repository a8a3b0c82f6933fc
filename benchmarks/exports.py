"""Export memory benchmark: ``python -m benchmarks.exports [--sizes N ...] [--batch-size B]``.

Streams N generated line facts (a generator: never a list) to a file in each
format (CSV, JSON Lines, and Parquet when pyarrow is installed) and measures,
in a fresh child process per run so that nothing is shared:

- the **peak resident memory** of the process (``ru_maxrss``: Python, and
  pyarrow's own buffers, which Python's allocator does not see);
- the time and the rows per second;
- with ``--heap``, the **peak Python heap** during the export
  (``tracemalloc``, which makes the export several times slower).

An export's memory must not grow with its size: the target is a peak resident
memory of the largest size ≤ 1.2 × the smallest's, at the same batch size.
Nothing fails when a figure is poor; the JSON goes to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from benchmarks import report
from crm_returns.analytics.exports import ExportFormat, export_rows
from crm_returns.domain.analytics import LineFact
from crm_returns.domain.returns.states import ReturnStatus

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TARGET = 1.2


def generated_facts(count: int) -> Iterator[LineFact]:
    """``count`` completed lines of three-line returns, every column filled, made one at a time."""
    base = LineFact(
        tenant_id="shop",
        return_id="r-0",
        return_number="RT-20260302-000000",
        order_number="SO-0",
        line_id="1",
        sku="KB-1",
        product_name="无线键盘 静音版",
        product_category="外设",
        customer_id="C-0",
        reason_code="quality_defect",
        reason_category="quality",
        status=ReturnStatus.COMPLETED,
        quantity_requested=Decimal(2),
        quantity_approved=Decimal(2),
        quantity_received=Decimal(2),
        quantity_accepted=Decimal(1),
        quantity_returned=Decimal(2),
        currency="CNY",
        merchandise_value=Decimal("119.80"),
        refund_granted=Decimal("109.80"),
        refund_paid=Decimal("109.80"),
        store_credit=Decimal("0.00"),
        replacement_value=Decimal("0.00"),
        restocking_fee=Decimal("10.00"),
        write_off=Decimal("35.50"),
        owner_user="u-7",
        owner_team="华东",
        ordered_at=T0 - timedelta(days=9),
        delivered_at=T0 - timedelta(days=6),
        returned_at=T0,
        submitted_at=T0,
        approved_at=T0 + timedelta(hours=2),
        goods_back_at=T0 + timedelta(days=3),
        inspected_at=T0 + timedelta(days=4),
        refund_paid_at=T0 + timedelta(days=5),
        completed_at=T0 + timedelta(days=5),
        satisfaction=4,
    )
    for n in range(count):
        number = n // 3
        yield attrs.evolve(
            base,
            return_id=f"r-{number}",
            return_number=f"RT-20260302-{number:06d}",
            order_number=f"SO-{number}",
            line_id=str(n % 3 + 1),
            customer_id=f"C-{number % 5000}",
            merchandise_value=Decimal(n % 90_000 + 100).scaleb(-2),
            returned_at=T0 + timedelta(minutes=n),
        )


def measure_one(
    fmt: ExportFormat, size: int, batch_size: int, folder: Path, *, heap: bool
) -> dict[str, Any]:
    """Export ``size`` facts in this process and measure it (run in a child: ``--one``)."""
    target = folder / f"lines-{size}{fmt.suffix}"
    if heap:
        tracemalloc.start()
    started = time.perf_counter()
    written = export_rows(generated_facts(size), target, fmt, batch_size=batch_size)
    seconds = time.perf_counter() - started
    python_peak = tracemalloc.get_traced_memory()[1] if heap else None
    tracemalloc.stop()
    return {
        "rows": written,
        "seconds": round(seconds, 2),
        "rows_per_second": round(written / seconds) if seconds else None,
        "python_peak_mib": round(python_peak / 2**20, 1) if python_peak is not None else "",
        # ru_maxrss is in KiB on Linux.
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "file_mib": round(target.stat().st_size / 2**20, 1),
    }


def _child(
    fmt: ExportFormat, size: int, batch_size: int, folder: Path, *, heap: bool
) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.exports", "--one", fmt.value, str(size)]
    command += ["--batch-size", str(batch_size), "--folder", str(folder)]
    command += ["--heap"] if heap else []
    ran = subprocess.run(  # noqa: S603 - our own interpreter running this module
        command,
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, Any] = json.loads(ran.stdout)
    return measured


def _formats() -> list[ExportFormat]:
    try:
        import pyarrow  # noqa: F401 - only whether it is there
    except ImportError:
        return [ExportFormat.CSV, ExportFormat.JSONL]
    return list(ExportFormat)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print its tables and write its JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.exports", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--heap", action="store_true", help="also trace the Python heap (slow)")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default: results/)")
    parser.add_argument("--one", nargs=2, metavar=("FORMAT", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        fmt, size = ExportFormat(args.one[0]), int(args.one[1])
        print(json.dumps(measure_one(fmt, size, args.batch_size, args.folder, heap=args.heap)))
        return 0
    started = time.perf_counter()
    sizes = sorted(args.sizes)
    results: dict[str, Any] = {"sizes": sizes, "batch_size": args.batch_size}
    results["machine"] = report.machine(None)
    results["load_average_at_start"] = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        for fmt in _formats():
            results[fmt.value] = {
                "runs": {
                    str(size): _child(fmt, size, args.batch_size, Path(folder), heap=args.heap)
                    for size in sizes
                }
            }
    rows = []
    for fmt in _formats():
        runs = results[fmt.value]["runs"]
        ratio = runs[str(sizes[-1])]["max_rss_mib"] / runs[str(sizes[0])]["max_rss_mib"]
        results[fmt.value]["rss_ratio"] = round(ratio, 2)
        for size in sizes:
            run = runs[str(size)]
            rows.append([fmt.value, size, run["seconds"], run["rows_per_second"],
                         run["python_peak_mib"], run["max_rss_mib"], run["file_mib"]])  # fmt: skip
        rows.append([fmt.value, "ratio", "", "", "", f"{ratio:.2f}",
                     report.verdict(ratio, TARGET, at_least=False)])  # fmt: skip
    headers = ["format", "rows", "s", "rows/s", "heap peak MiB", "max RSS MiB", "file MiB"]
    title = f"Exports of line facts, batch {args.batch_size} (target: RSS ratio ≤ {TARGET})"
    print(report.table(title, headers, rows))
    return report.finish(results, started, args.json, "exports")


if __name__ == "__main__":
    raise SystemExit(main())
