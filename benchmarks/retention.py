"""Retention benchmark: ``python -m benchmarks.retention [--lines N] [--postgres-url URL]``.

Planning and applying a retention sweep over a store of ``N`` return lines
(default 1,000,000: 250,000 completed returns of four lines, about 48 rows
each), half of them past retention, on a SQLite file and on PostgreSQL,
measured side by side in one run (:mod:`benchmarks.retention_history` builds
the stores):

1. **planning** — ``propose_retention_plan`` on a store of ``N / 10`` lines
   and on one of ``N``: time, records looked at per second, statements sent,
   and peak memory, as the resident set's growth (timed run) and as
   ``tracemalloc``'s peak (a second, untimed proposal); it must not grow with
   the store;
2. **applying** — ``apply_retention_plan`` of the approved plan, with
   :class:`~crm_returns.adapters.backups.FileBackups` in a temporary
   directory: time, of which the backup (export, write, verify), statements
   by kind, and the resident set's growth;
3. **a hand-written ``DELETE … WHERE``** of the same rows in a copy of the
   ``N`` store made before planning — the past returns, their lines, audit
   entries, stock moves, journal entries and postings, idempotency keys and
   outbox messages — in one transaction, and the ratio ours ÷ hand-written.
   Both stores are counted afterwards, table by table, to show the same rows
   went.

Nothing fails when a figure is poor; the JSON goes to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.options import add_store_options, chosen_stores
from benchmarks.retention_history import (
    LINES,
    SWEEP_AT,
    Templates,
    load_postgres,
    load_sqlite,
    templates,
    vacuum,
)
from benchmarks.retention_measures import RssPeak, Statements, TimedBackups, traced
from benchmarks.stores import PostgresServer, SqliteFiles, sqlite_connection
from benchmarks.workload import TENANT
from crm_returns import Actor
from crm_returns.adapters.backups import FileBackups
from crm_returns.adapters.memory import MemoryOrderSource
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.service import ReturnsService
from crm_returns.service.settings import ServiceSettings

#: The tables the hand-written delete empties of past returns, children first.
_DELETES = (
    (
        "journal_postings",
        "entry_id IN (SELECT id FROM crm_returns_journal_entries "
        "WHERE tenant_id = %(t)s AND return_id IN ({past}))",
    ),
    ("journal_entries", "return_id IN ({past})"),
    ("idempotency_keys", "return_id IN ({past})"),
    ("outbox", "return_id IN ({past})"),
    ("audit_entries", "return_id IN ({past})"),
    ("stock_moves", "return_id IN ({past})"),
    ("return_lines", "return_id IN ({past})"),
    ("returns", "status = 'completed' AND updated_at < %(cutoff)s"),
)
_PAST = (
    "SELECT id FROM crm_returns_returns "
    "WHERE tenant_id = %(t)s AND status = 'completed' AND updated_at < %(cutoff)s"
)
#: Between the past half (31–40 years before the sweep) and the recent one (20 days).
_CUTOFF = SWEEP_AT.replace(year=SWEEP_AT.year - 10)
_COUNTED = (
    "returns",
    "return_lines",
    "audit_entries",
    "stock_moves",
    "journal_entries",
    "journal_postings",
    "idempotency_keys",
    "outbox",
)


class _Clock:
    def now(self) -> Any:
        return SWEEP_AT


def _deletes(dialect: str) -> list[str]:
    statements = []
    for table, where in _DELETES:
        text = f"DELETE FROM crm_returns_{table} WHERE tenant_id = %(t)s AND " + where.format(  # noqa: S608 - the names are the benchmark's own  # noqa: S608 - the names are the benchmark's own
            past=_PAST
        )
        statements.append(
            text.replace("%(t)s", ":t").replace("%(cutoff)s", ":cutoff")
            if dialect == "sqlite"
            else text
        )
    return statements


def _sweep(database: SqlDatabase, backups: Path, *, trace: bool) -> dict[str, Any]:
    """Propose (timed, then traced), approve and apply a plan; the figures."""
    timed = TimedBackups(FileBackups(backups))
    service = ReturnsService(
        MemoryOrderSource(),
        database.unit_of_work,
        ServiceSettings(clock=_Clock(), backups=timed),
    )
    manager = Actor("u-records", "档案管理员", TENANT, frozenset({"records_manager"}))
    legal = Actor("u-legal", "法务", TENANT, frozenset({"legal"}))
    seen = [0]

    def looked_at(count: int) -> None:
        seen[0] = count

    with Statements(database.engine) as statements, RssPeak() as rss:
        started = time.perf_counter()
        plan = service.propose_retention_plan(manager, progress=looked_at)
        seconds = time.perf_counter() - started
    figures: dict[str, Any] = {
        "plan": {
            "seconds": seconds,
            "records": seen[0],
            "items": plan.items,
            "kept": plan.kept,
            "statements": statements.count,
            "statement_seconds": statements.seconds,
            "rss_grew": rss.grew,
            "counts": [list(count) for count in plan.counts],
        }
    }
    if trace:
        again, peak = traced(lambda: service.propose_retention_plan(manager))
        service.cancel_retention_plan(manager, again.number)
        figures["plan"]["traced_peak"] = peak
    service.approve_retention_plan(legal, plan.number)
    with Statements(database.engine) as statements, RssPeak() as rss:
        started = time.perf_counter()
        applied = service.apply_retention_plan(manager, plan.number)
        seconds = time.perf_counter() - started
    reference = timed.reference
    figures["apply"] = {
        "seconds": seconds,
        "items": applied.items,
        "backup_write": timed.writing,
        "backup_export": timed.exporting,
        "backup_verify": timed.verifying,
        "backup_records": reference.records if reference else 0,
        "backup_bytes": reference.size if reference else 0,
        "statements": statements.count,
        "statement_seconds": statements.seconds,
        "by_kind": dict(sorted(statements.by_kind.items(), key=lambda kv: -kv[1][1])),
        "rss_grew": rss.grew,
    }
    return figures


#: Rows ours adds that a hand-written delete does not: the ReturnRetired
#: message each destroyed return sends to the destinations.
_NOTICES = " WHERE event_type <> 'ReturnRetired'"


def _counts(execute: Any) -> dict[str, int]:
    return {
        table: int(
            execute(
                f"SELECT count(*) FROM crm_returns_{table}"  # noqa: S608 - the benchmark's own names
                + (_NOTICES if table == "outbox" else "")
            ).fetchone()[0]
        )
        for table in _COUNTED
    }


class _Sqlite:
    name = "SQLite"

    def __init__(self) -> None:
        self._files = SqliteFiles()

    def build(self, label: str, source: Templates, copies: int) -> tuple[SqlDatabase, int]:
        database = self._files.database(label)
        database.dispose()
        rows = load_sqlite(self._files.file(label), source, copies)
        return SqlDatabase.connect(f"sqlite:///{self._files.file(label)}"), rows

    def copy(self, label: str, copy: str) -> None:
        shutil.copyfile(self._files.file(label), self._files.file(copy))

    def hand_written(self, copy: str) -> tuple[float, dict[str, int]]:
        connection = sqlite_connection(self._files.file(copy))
        try:
            cutoff = _CUTOFF.isoformat(timespec="microseconds")
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            for statement in _deletes("sqlite"):
                connection.execute(statement, {"t": TENANT, "cutoff": cutoff})
            connection.execute("COMMIT")
            seconds = time.perf_counter() - started
            return seconds, _counts(connection.execute)
        finally:
            connection.close()

    def counts(self, label: str) -> dict[str, int]:
        connection = sqlite_connection(self._files.file(label))
        try:
            return _counts(connection.execute)
        finally:
            connection.close()

    def close(self) -> None:
        self._files.close()


class _Postgres:
    name = "PostgreSQL"

    def __init__(self, url: str) -> None:
        self._server = PostgresServer(url)

    def _tables(self, label: str) -> list[str]:
        with self._server.connect(label) as connection:
            return [
                row[0]
                for row in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename LIKE 'crm_returns_%%'"
                )
            ]

    def build(self, label: str, source: Templates, copies: int) -> tuple[SqlDatabase, int]:
        database = self._server.database(label)
        with self._server.connect(label) as connection:
            rows = load_postgres(connection, source, copies, self._tables(label))
        return database, rows

    def copy(self, label: str, copy: str) -> None:
        self._server.database(copy)
        source = self._server.schema_name(label)
        with self._server.connect(copy) as connection:
            for table in (*_COUNTED, "line_claims"):
                connection.execute(
                    f'INSERT INTO crm_returns_{table} SELECT * FROM "{source}".crm_returns_{table}'  # noqa: S608 - the names are the benchmark's own
                )
            connection.commit()
            vacuum(connection, self._tables(copy))

    def hand_written(self, copy: str) -> tuple[float, dict[str, int]]:
        with self._server.connect(copy) as connection:
            started = time.perf_counter()
            for statement in _deletes("postgresql"):
                connection.execute(statement, {"t": TENANT, "cutoff": _CUTOFF})
            connection.commit()
            seconds = time.perf_counter() - started
            return seconds, _counts(connection.execute)

    def counts(self, label: str) -> dict[str, int]:
        with self._server.connect(label) as connection:
            return _counts(connection.execute)

    def version(self) -> str:
        return self._server.version()

    def close(self) -> None:
        self._server.close()


def _megabytes(value: int) -> str:
    return f"{value / 2**20:.1f}"


def _measure(
    store: _Sqlite | _Postgres, source: Templates, lines: int, trace: bool, work: Path
) -> dict[str, Any]:
    """Both sizes on one store: build, copy the large one, sweep, delete by hand."""
    results: dict[str, Any] = {}
    for label, size in (("small", lines // 10), ("large", lines)):
        copies = size // LINES
        started = time.perf_counter()
        database, rows = store.build(label, source, copies)
        loaded = time.perf_counter() - started
        print(
            f"  {store.name}: {size:,} lines ({rows:,} rows) loaded in {loaded:.0f} s", flush=True
        )
        if label == "large":
            store.copy(label, "by_hand")
        backups = work / f"{store.name}-{label}"
        backups.mkdir()
        try:
            figures = _sweep(database, backups, trace=trace)
        finally:
            database.dispose()
        figures.update(lines=size, returns=copies, rows=rows, load_seconds=loaded)
        figures["past_returns"] = sum(source.past(index) for index in range(copies))
        print(
            f"  {store.name} {size:,}: planned in {figures['plan']['seconds']:.1f} s, "
            f"applied in {figures['apply']['seconds']:.1f} s",
            flush=True,
        )
        if label == "large":
            seconds, left = store.hand_written("by_hand")
            ours = store.counts(label)
            figures["hand_written"] = {"seconds": seconds, "left": left, "ours_left": ours}
            print(f"  {store.name}: hand-written DELETE in {seconds:.1f} s", flush=True)
        results[label] = figures
    return results


def _tables(name: str, measured: dict[str, Any]) -> str:
    small, large = measured["small"], measured["large"]
    plan_rows = []
    for figures in (small, large):
        plan = figures["plan"]
        plan_rows.append(
            [
                f"{figures['lines']:,}",
                f"{plan['records']:,}",
                f"{plan['items']:,}",
                f"{plan['seconds']:.1f}",
                f"{plan['records'] / plan['seconds']:,.0f}",
                f"{plan['statements']:,}",
                _megabytes(plan["rss_grew"]),
                _megabytes(plan["traced_peak"]) if "traced_peak" in plan else "-",
            ]
        )
    text = [
        report.table(
            f"{name}: planning (propose_retention_plan)",
            ["lines", "records", "items", "s", "records/s", "statements", "RSS +MiB", "traced MiB"],
            plan_rows,
        )
    ]
    apply_rows = []
    for figures in (small, large):
        apply = figures["apply"]
        apply_rows.append(
            [
                f"{figures['lines']:,}",
                f"{apply['items']:,}",
                f"{apply['seconds']:.1f}",
                f"{apply['items'] / apply['seconds']:,.0f}",
                f"{apply['backup_write'] + apply['backup_verify']:.1f}",
                f"{apply['backup_export']:.1f}",
                f"{apply['statements']:,}",
                f"{apply['statement_seconds']:.1f}",
                _megabytes(apply["rss_grew"]),
            ]
        )
    text.append(
        report.table(
            f"\n{name}: applying (apply_retention_plan, FileBackups)",
            [
                "lines",
                "items",
                "s",
                "items/s",
                "backup s",
                "of it export s",
                "statements",
                "in SQL s",
                "RSS +MiB",
            ],
            apply_rows,
        )
    )
    kinds = large["apply"]["by_kind"]
    text.append(
        report.table(
            f"\n{name}: applying {large['lines']:,} lines, statements by kind",
            ["statement", "count", "s"],
            [[kind, f"{n:,}", f"{s:.1f}"] for kind, (n, s) in list(kinds.items())[:14]],
        )
    )
    hand = large["hand_written"]
    ours = large["apply"]["seconds"]
    same = hand["left"] == hand["ours_left"]
    text.append(
        report.table(
            f"\n{name}: the same rows deleted, {large['lines']:,} lines "
            f"({large['past_returns']:,} of {large['returns']:,} returns past retention)",
            ["way", "s", "ours ÷ hand-written"],
            [
                ["apply_retention_plan", f"{ours:.1f}", f"{ours / hand['seconds']:.1f}×"],
                [
                    "  without the backup",
                    f"{ours - large['apply']['backup_write']:.1f}",
                    f"{(ours - large['apply']['backup_write']) / hand['seconds']:.1f}×",
                ],
                ["hand-written DELETE … WHERE", f"{hand['seconds']:.1f}", "1.0×"],
            ],
        )
    )
    text.append(
        f"Rows left afterwards, table by table: {'the same' if same else 'DIFFERENT'} "
        f"({', '.join(f'{t} {n:,}' for t, n in hand['ours_left'].items())})"
    )
    if not same:
        text.append(f"  hand-written left: {hand['left']}")
    return "\n".join(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the tables and where the JSON went."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.retention", description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000, help="return lines in the store")
    parser.add_argument("--templates", type=int, default=200, help="returns written by the service")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced proposal")
    add_store_options(parser)
    args = parser.parse_args(argv)
    if args.lines < 10 * LINES * 2:
        parser.error(f"--lines must be at least {10 * LINES * 2}")
    stores = chosen_stores(args)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="crm_returns_bench_retention_"))
    results: dict[str, Any] = {"lines": args.lines}
    try:
        count = max(2, min(args.templates, args.lines // 10 // LINES) // 2 * 2)
        source = templates(work / "templates.db", count)
        postgres_version = None
        chosen: list[_Sqlite | _Postgres] = []
        if "sqlite" in stores:
            chosen.append(_Sqlite())
        if "postgresql" in stores and args.postgres_url:
            postgres = _Postgres(args.postgres_url)
            postgres_version = postgres.version()
            chosen.append(postgres)
        results["machine"] = machine = report.machine(postgres_version)
        results["load_average_at_start"] = load = os.getloadavg()
        print(
            f"crm_returns retention benchmark, {args.lines:,} return lines "
            f"({count} template returns): {machine['cpus']} CPUs ({machine['cpu_model']}), "
            f"SQLite {machine['sqlite']}, PostgreSQL {machine['postgresql'] or 'skipped'}; "
            f"load average {load[0]:.2f}",
            flush=True,
        )
        texts = []
        try:
            for store in chosen:
                measured = _measure(store, source, args.lines, not args.no_tracemalloc, work)
                results[store.name] = measured
                texts.append(_tables(store.name, measured))
        finally:
            for store in chosen:
                store.close()
        for text in texts:
            print(f"\n{text}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report.finish(results, started, args.json, "retention")


if __name__ == "__main__":
    sys.exit(main())
