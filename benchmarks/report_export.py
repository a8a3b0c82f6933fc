"""Peak memory of streaming every line fact, in a fresh process.

``python -m benchmarks.report_export URL [--schema SCHEMA]``.

Run by :mod:`benchmarks.reports` once per store and size, so that what the
parent process allocated before (the generated rows) cannot hide what the
stream needs.  The child reads ``uow.facts.scan`` over the whole generated
history, as ``ReturnsService.export_facts`` does, and writes it as CSV
through :func:`crm_returns.analytics.exports.export_rows` (batches of
10,000, the default) to ``/dev/null`` (the encoder's work without the
disk's), twice:

1. without tracing, sampling the resident set size (``/proc/self/statm``)
   every 1,000 facts: its peak above the size just before the first fact
   was asked for counts every allocation, the driver's C memory too (libpq
   keeps a whole client-side result in C memory, which ``tracemalloc``
   does not see);
2. under ``tracemalloc``: the peak of Python allocations during the stream.

It also says which kind of DB-API cursor the statement ran on: a psycopg
``ServerCursor`` means the rows come from the server in batches.  It prints
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from benchmarks.report_data import TENANT
from benchmarks.report_shapes import shapes
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.analytics.exports import ExportFormat, export_rows
from crm_returns.domain.analytics import LineFact

__all__ = ["main", "measure"]

_PAGE = os.sysconf("SC_PAGE_SIZE")
_SAMPLE = 1_000


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE


def _consume(facts: Iterator[LineFact], sample: bool) -> tuple[int, int]:
    """Export every fact as CSV; their number and the peak RSS seen (0 when not sampling)."""
    peak = 0

    def sampled() -> Iterator[LineFact]:
        nonlocal peak
        for count, fact in enumerate(facts):
            if sample and count % _SAMPLE == 0:
                peak = max(peak, _rss())
            yield fact

    with open(os.devnull, "wb") as nowhere:
        count = export_rows(sampled(), nowhere, ExportFormat.CSV)
    return count, max(peak, _rss()) if sample else 0


def measure(database: SqlDatabase) -> dict[str, Any]:
    """Stream the whole history twice (RSS sampled, then traced); what each pass needed."""
    window = shapes()[0].query.window
    cursors: list[str] = []

    def seen(connection: Any, cursor: Any, *args: Any) -> None:
        cursors.append(f"{type(cursor).__module__}.{type(cursor).__name__}")

    sa.event.listen(database.engine, "before_cursor_execute", seen)
    with database.unit_of_work() as uow:  # warm: connection, statement cache, imports
        one_day = attrs.evolve(window, end=window.start)
        _consume(uow.facts.scan(TENANT, one_day), sample=False)
    cursors.clear()
    measured: dict[str, Any] = {}
    with database.unit_of_work() as uow:
        before = _rss()
        started = time.perf_counter()
        count, peak = _consume(uow.facts.scan(TENANT, window), sample=True)
        measured["seconds"] = round(time.perf_counter() - started, 2)
        measured["rss_peak_mib"] = round((peak - before) / 2**20, 2)
    measured["facts"] = count
    measured["cursor"] = sorted(set(cursors))
    with database.unit_of_work() as uow:
        tracemalloc.start()
        _consume(uow.facts.scan(TENANT, window), sample=False)
        measured["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
        tracemalloc.stop()
    return measured


def main(argv: Sequence[str] | None = None) -> int:
    """Measure one store (its URL, and its schema on PostgreSQL); print the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report_export")
    parser.add_argument("url")
    parser.add_argument("--schema")
    args = parser.parse_args(argv)
    options = {"schema": args.schema} if args.schema else {}
    database = SqlDatabase.connect(args.url, **options)
    try:
        print(json.dumps(measure(database)))
    finally:
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
