"""Reports benchmark: ``python -m benchmarks.reports [--sizes N ...] [--postgres-url URL]``.

Each report the service runs (:mod:`crm_returns.service.reports`) asks the
store for grouped line facts, one ``GROUP BY``.  This times that query —
``uow.facts.group(tenant, FactQuery)`` in a unit of work of a
:class:`~crm_returns.adapters.sql.SqlDatabase`, as the service runs it —
beside hand-written SQL computing the same figures on the same database
(:mod:`benchmarks.report_shapes`: a lean query with only the report's
figures, and one with every figure a group holds), on stores of 1,000 and of
1,000,000 return lines (:mod:`benchmarks.report_data`), on a SQLite file and
on PostgreSQL when a URL is given.  Six shapes: reasons (Pareto), SKU ×
reason, monthly by order date (the rates' numerator), by customer (frequent
returners), open returns by age (day and status), satisfaction by reason.

- Rounds take turns between the sizes, and within a shape between ours and
  the hand-written queries (who goes first alternates); the median of the
  rounds is shown, and ours ÷ lean (target ≤ 1.5).  Beside it, our default
  query (every figure of every status group, what ``grouped_facts`` asks when
  told nothing) ÷ the same written by hand.
- Once per shape and size, both answers are reduced to the same integers and
  compared: the run stops with the difference when they are not equal.
- Then the memory of an export: every fact of the history streamed with
  ``uow.facts.scan`` in a fresh process (:mod:`benchmarks.report_export`).
- ``--explain`` prints the plans of ours and of the lean query on the largest store.

Nothing fails when a figure is poor; the JSON goes to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import attrs
import psycopg
import sqlalchemy as sa

from benchmarks import report
from benchmarks.options import add_store_options, chosen_stores
from benchmarks.report_data import TENANT, fill_postgres, fill_sqlite
from benchmarks.report_shapes import every_of, parameters, shapes
from benchmarks.report_sql import Figures, pareto_steps
from benchmarks.stores import PostgresServer, SqliteFiles, sqlite_connection
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.domain.analytics import FactQuery

ROOT = Path(__file__).resolve().parent.parent
Plain = sqlite3.Connection | psycopg.Connection[Any]


@attrs.define
class Store:
    """One generated store: through our code, and by a plain connection; where it is."""

    database: SqlDatabase
    plain: Plain
    url: str
    schema: str | None
    loaded: dict[str, Any]


class Mismatch(SystemExit):
    """Ours and the hand-written query gave different figures: the run stops."""


def compare(what: str, ours: Figures, theirs: Figures) -> None:
    if ours == theirs:
        return
    keys = sorted(set(ours) | set(theirs), key=repr)
    wrong = [(k, ours.get(k), theirs.get(k)) for k in keys if ours.get(k) != theirs.get(k)]
    shown = "\n".join(f"  {k}: ours {a}, hand-written {b}" for k, a, b in wrong[:10])
    raise Mismatch(f"{what}: {len(wrong)} of {len(keys)} figures differ\n{shown}")


def _ours(store: Store, *, query: FactQuery) -> tuple[float, Any]:
    started = time.perf_counter()
    with store.database.unit_of_work() as uow:
        groups = uow.facts.group(TENANT, query)
    return time.perf_counter() - started, groups


def _plain(store: Store, *, sql: str, values: dict[str, Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    rows = list(store.plain.execute(sql, values).fetchall())
    return time.perf_counter() - started, rows


def measure(stores: dict[int, Store], dialect: str, rounds: int) -> dict[int, Any]:
    """Median milliseconds of ours and lean, our default and every figure; figures checked."""
    samples: dict[tuple[int, str, str], list[float]] = {}
    figures: dict[tuple[int, str], Any] = {}
    for number in range(rounds):
        turn = list(stores) if number % 2 else list(reversed(stores))
        for shape in shapes():
            values = parameters(shape.query.window)
            sides = [
                ("ours", partial(_ours, query=shape.query)),
                ("lean", partial(_plain, sql=shape.lean_sql(dialect), values=values)),
                ("ours_every", partial(_ours, query=shape.every_query)),
                ("every", partial(_plain, sql=shape.every_sql(dialect), values=values)),
            ]
            order = sides[number % 4 :] + sides[: number % 4]
            for count in turn:
                answers = {}
                for side, run in order:
                    seconds, answers[side] = run(stores[count])
                    samples.setdefault((count, shape.name, side), []).append(seconds)
                if number == 0:
                    ours = answers["ours"]
                    what = f"{dialect}, {count:,} lines, {shape.name}"
                    compare(what, shape.ours(ours), shape.lean_figures(answers["lean"]))
                    compare(
                        f"{what} (every figure)",
                        every_of(answers["ours_every"]),
                        shape.every_figures(answers["every"]),
                    )
                    figures[(count, shape.name)] = {
                        "groups": len(ours),
                        "lean_rows": len(answers["lean"]),
                    }
        print(f"{dialect}: round {number + 1} of {rounds} done", flush=True)
    measured: dict[int, Any] = {count: {} for count in stores}
    for (count, name, side), times in samples.items():
        shown = measured[count].setdefault(name, dict(figures[(count, name)]))
        shown[side] = round(statistics.median(times) * 1000, 2)
    return measured


def explain(store: Store, dialect: str) -> str:
    """The plans of ours and of the lean query of every shape, on ``store``."""
    statements: list[tuple[str, Any]] = []

    def seen(connection: Any, cursor: Any, statement: str, values: Any, *args: Any) -> None:
        statements.append((statement, values))

    sa.event.listen(store.database.engine, "before_cursor_execute", seen)
    texts = []
    try:
        for shape in shapes():
            statements.clear()
            _ours(store, query=shape.query)
            ours, ours_values = statements[-1]
            lean, lean_values = shape.lean_sql(dialect), parameters(shape.query.window)
            for side, sql, values in (("ours", ours, ours_values), ("lean", lean, lean_values)):
                prefix = (
                    "EXPLAIN QUERY PLAN "
                    if dialect == "sqlite"
                    else "EXPLAIN (ANALYZE, COSTS OFF) "
                )
                plan = store.plain.execute(prefix + sql, values).fetchall()
                lines = [" | ".join(str(c) for c in row) for row in plan]
                texts.append(f"--- {shape.name}, {side}:\n{sql}\n" + "\n".join(lines))
    finally:
        sa.event.remove(store.database.engine, "before_cursor_execute", seen)
    return "\n\n".join(texts)


def decompose(store: Store, dialect: str, rounds: int) -> list[tuple[str, float]]:
    """Median milliseconds of the Pareto's lean query grown step by step into every figure."""
    pareto = shapes()[0]
    values = parameters(pareto.query.window)
    steps = pareto_steps(dialect, pareto.every_sql(dialect))
    samples: dict[str, list[float]] = {name: [] for name, _ in steps}
    for number in range(rounds):
        for name, sql in steps if number % 2 else reversed(steps):
            samples[name].append(_plain(store, sql=sql, values=values)[0])
    return [(name, round(statistics.median(samples[name]) * 1000, 2)) for name, _ in steps]


def _steps_table(name: str, count: int, steps: list[tuple[str, float]]) -> str:
    rows = [
        (step, ms, "" if i == 0 else f"{ms - steps[i - 1][1]:+.0f}")
        for i, (step, ms) in enumerate(steps)
    ]
    title = f"{name}, {count:,} lines: what answering every figure costs (reasons Pareto)"
    return report.table(title, ("query", "ms", "added ms"), rows)


def export_memory(store: Store) -> dict[str, Any]:
    """Stream every fact of ``store`` in a fresh process; what it measured."""
    command = [sys.executable, "-m", "benchmarks.report_export", store.url]
    if store.schema:
        command += ["--schema", store.schema]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def _open(store: str, count: int, files: SqliteFiles, postgres: PostgresServer | None) -> Store:
    name = f"reports_{count}"
    started = time.perf_counter()
    if store == "sqlite":
        files.database(name).dispose()
        filled = fill_sqlite(files.file(name), count)
        url = f"sqlite:///{files.file(name)}"
        opened = Store(SqlDatabase.connect(url), sqlite_connection(files.file(name)), url, None, {})
    else:
        assert postgres is not None
        database = postgres.database(name)
        filled = fill_postgres(postgres, name, count)
        plain = postgres.connect(name)
        plain.autocommit = True
        opened = Store(database, plain, postgres.url, postgres.schema_name(name), {})
    opened.loaded = {**attrs.asdict(filled), "seconds": round(time.perf_counter() - started, 1)}
    print(f"{store}: {count:,} lines loaded: {opened.loaded}", flush=True)
    return opened


_TIMED = (
    "ours ms",
    "lean ms",
    "ours÷lean",
    "target ≤ 1.5",
    "default ms",
    "every ms",
    "default÷every",
)
_STREAMED = ("facts", "s", "RSS peak MiB", "tracemalloc MiB", "cursor")


def _tables(name: str, measured: dict[int, Any], exports: dict[int, Any]) -> str:
    rows: list[tuple[object, ...]] = []
    for count, by_shape in measured.items():
        for shape, ms in by_shape.items():
            ratio, every = ms["ours"] / ms["lean"], ms["ours_every"] / ms["every"]
            verdict = report.verdict(ratio, 1.5, at_least=False)
            figures = (
                *(ms["ours"], ms["lean"], f"{ratio:.2f}", verdict),
                *(ms["ours_every"], ms["every"], f"{every:.2f}"),
            )
            rows.append((f"{count:,}", shape, ms["groups"], *figures))
    headers = ("lines", "report", "groups", *_TIMED)
    title = f"{name}: median time of each report's query"
    text = report.table(title, headers, rows) if rows else ""
    if not exports:
        return text
    rows = []
    for count, m in exports.items():
        memory = (m["rss_peak_mib"], m["tracemalloc_peak_mib"])
        rows.append((f"{count:,}", m["facts"], m["seconds"], *memory, ", ".join(m["cursor"])))
    title = f"{name}: every fact streamed (uow.facts.scan) to CSV (export_rows), in a fresh process"
    streamed = report.table(title, ("lines", *_STREAMED), rows)
    return f"{text}\n\n{streamed}" if text else streamed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the tables and where the JSON went."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reports", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 1_000_000])
    parser.add_argument(
        "--rounds", type=int, default=5, help="times each query is timed (0: export only)"
    )
    parser.add_argument("--explain", action="store_true", help="print the plans (largest store)")
    parser.add_argument("--no-export", action="store_true", help="skip the export's memory")
    parser.add_argument(
        "--decompose", action="store_true", help="time the Pareto grown step by step (largest)"
    )
    add_store_options(parser)
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes))
    if sizes[0] < 10:
        parser.error("--sizes takes sizes of at least 10 lines")
    chosen = chosen_stores(args)
    started = time.perf_counter()
    postgres = PostgresServer(args.postgres_url) if args.postgres_url else None
    results: dict[str, Any] = {"sizes": sizes, "rounds": args.rounds}
    results["machine"] = machine = report.machine(postgres.version() if postgres else None)
    results["load_average_at_start"] = load = os.getloadavg()
    print(
        f"crm_returns reports benchmark, {' and '.join(f'{n:,}' for n in sizes)} lines: "
        f"{machine['cpus']} CPUs, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql'] or 'skipped'}; load average {load[0]:.2f}",
        flush=True,
    )
    texts = []
    files = SqliteFiles()
    try:
        for store in chosen:
            if store == "postgresql" and postgres is None:
                continue
            dialect = "sqlite" if store == "sqlite" else "postgresql"
            opened: dict[int, Store] = {}
            try:
                for count in sizes:
                    opened[count] = _open(store, count, files, postgres)
                measured = measure(opened, dialect, args.rounds) if args.rounds else {}
                exports = {} if args.no_export else {c: export_memory(s) for c, s in opened.items()}
                if args.explain:
                    texts.append(explain(opened[sizes[-1]], dialect))
                steps = decompose(opened[sizes[-1]], dialect, args.rounds) if args.decompose else []
            finally:
                for one in opened.values():
                    one.database.dispose()
                    one.plain.close()
            name = "SQLite" if store == "sqlite" else "PostgreSQL"
            loaded = {c: s.loaded for c, s in opened.items()}
            results[name] = {"loaded": loaded, "ms": measured, "export": exports, "steps": steps}
            texts.append(_tables(name, measured, exports))
            if steps:
                texts.append(_steps_table(name, sizes[-1], steps))
    finally:
        files.close()
        if postgres is not None:
            postgres.close()
    for text in texts:
        print(f"\n{text}")
    return report.finish(results, started, args.json, "reports")


if __name__ == "__main__":
    sys.exit(main())
