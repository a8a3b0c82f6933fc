"""Where ``crm-returns report`` puts its results: the terminal, a file, standard output.

A table goes to standard output under a line saying the tenant, the days, the
zone and the basis.  Rows (``--format csv|jsonl|parquet``) go to ``--output``
or standard output through :mod:`crm_returns.analytics.exports`; an export of
facts shows a progress bar on standard error while it streams, when standard
error is a terminal.  Messages go to standard error, so that rows piped
elsewhere stay clean.  Needs the ``cli`` extra (``rich``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import IO, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from crm_returns.analytics.exports import export_rows, export_table
from crm_returns.cli.report import ReportRun
from crm_returns.cli.report_rows import ReportTable
from crm_returns.cli.report_tables import ReportLabels, report_table
from crm_returns.domain.analytics import DateBasis, LineFact, ReturnFact

__all__ = ["RowProgress", "export_facts_to", "output_console", "put", "put_window", "say"]

_Row = TypeVar("_Row")


def output_console() -> Console:
    """A console on standard output, as wide as the demo's when it is not a terminal."""
    from crm_returns.cli import PIPED_WIDTH

    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH  # Rich assumes 80 columns in a pipe: too narrow
    return console


def say(message: str) -> None:
    """Print a message on standard error."""
    print(message, file=sys.stderr)


def put_window(run: ReportRun, *, basis: DateBasis | None = None, as_of: bool = False) -> None:
    """Say which tenant and days the table below is of (``as_of``: of which moment)."""
    words, window = run.words, run.window
    if as_of:
        at = run.arguments.at or run.service.settings.clock.now()
        said = words.word(
            "report_as_of",
            tenant=run.actor.tenant_id,
            at=at.astimezone(window.zone).strftime("%Y-%m-%d %H:%M"),
            zone=window.zone,
        )
    else:
        said = words.word(
            "report_window",
            tenant=run.actor.tenant_id,
            start=window.start,
            end=window.end,
            zone=window.zone,
            basis=words.label(basis or window.basis),
        )
    run.console.print(said, soft_wrap=True, highlight=False)


def _target(run: ReportRun) -> str | IO[bytes]:
    """Where rows are written: ``--output``, or standard output's bytes."""
    if run.arguments.output:
        return str(run.arguments.output)
    sys.stdout.flush()  # whatever was printed before comes first
    return sys.stdout.buffer


def _written(run: ReportRun, rows: int) -> None:
    if run.arguments.output:
        say(run.words.word("report_rows_written", rows=rows, path=run.arguments.output))


def put(
    run: ReportRun, report: ReportTable, *, basis: DateBasis | None = None, as_of: bool = False
) -> None:
    """Show ``report`` as a table, or write its rows in the format asked for.

    A table comes under a line saying what it is of (:func:`put_window`:
    the window on ``basis``, or the moment when ``as_of``).
    """
    arguments = run.arguments
    if arguments.format != "table":
        columns = [column.export_column() for column in report.columns]
        written = export_table(
            report.rows, _target(run), arguments.format, columns=columns, bom=arguments.bom
        )
        _written(run, written)
        return
    put_window(run, basis=basis, as_of=as_of)
    labels = ReportLabels(run.words, run.catalog, run.service.settings.decline_reasons)
    run.console.print(report_table(labels, report, run.console.width))
    if not report.rows:
        run.console.print(run.words.word("report_no_rows"))


class RowProgress:
    """Counts rows as they stream to an export, on a progress bar when the console is a terminal.

    Use it as a context manager around the export, and pass the rows through
    :meth:`counted`.  Off a terminal nothing is drawn and ``total`` is never
    called.

    Args:
        console: Where the bar is drawn (standard error).
        description: What the bar says.
        total: Counts the rows to come, for a bar with an end; called once,
            only when the bar is drawn.

    Attributes:
        rows: The rows counted so far.
    """

    def __init__(
        self, console: Console, description: str, total: Callable[[], int] | None = None
    ) -> None:
        self.rows = 0
        self._description = description
        self._total = total
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if console.is_terminal:
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn() if total is not None else TextColumn("{task.completed}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )

    def __enter__(self) -> RowProgress:
        if self._bar is not None:
            self._bar.start()
            total = None if self._total is None else self._total()
            self._task = self._bar.add_task(self._description, total=total)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def counted(self, rows: Iterable[_Row]) -> Iterator[_Row]:
        """``rows`` as they come, each counted (and the bar moved) as it passes."""
        for row in rows:
            self.rows += 1
            if self._bar is not None and self._task is not None:
                self._bar.update(self._task, completed=self.rows)
            yield row


def export_facts_to(
    run: ReportRun,
    facts: Iterable[LineFact] | Iterable[ReturnFact],
    row_type: type[LineFact] | type[ReturnFact],
    total: Callable[[], int],
) -> int:
    """Write line or return facts in the format asked for, counting them on a progress bar.

    Returns:
        How many rows were written.
    """
    arguments = run.arguments
    description = run.words.word("report_exporting")
    with RowProgress(Console(stderr=True), description, total) as progress:
        written = export_rows(
            progress.counted(facts),  # type: ignore[arg-type]  # the facts are all of row_type
            _target(run),
            arguments.format,
            row_type=row_type,
            bom=arguments.bom,
        )
    _written(run, written)
    return written
