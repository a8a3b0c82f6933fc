"""What each ``crm-returns report NAME`` does, given its :class:`~crm_returns.cli.report.ReportRun`.

Each report asks the service once, shapes the answer as a
:class:`~crm_returns.cli.report_rows.ReportTable` and puts it out
(:mod:`crm_returns.cli.report_output`); the charted ones then draw it.
Errors of the library propagate to :mod:`crm_returns.cli.report`, which says
them in one line.  Needs the ``cli`` extra (``rich``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Final

from crm_returns.adapters.memory import ManualClock, MemoryOrderSource
from crm_returns.adapters.system import SystemClock
from crm_returns.analytics.charts import (
    cycle_time_chart,
    pareto_chart,
    return_rate_chart,
    sku_reason_heatmap,
    stage_durations,
)
from crm_returns.cli import DEMO_TENANT_PREFIX
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.report import ANALYST_ID, ReportRun
from crm_returns.cli.report_facts import (
    BREAKDOWN_FIGURES,
    breakdown_table,
    line_table,
    return_table,
    satisfaction_table,
)
from crm_returns.cli.report_options import BASES, DEFAULT_DAYS
from crm_returns.cli.report_output import (
    export_facts_to,
    output_console,
    put,
    say,
)
from crm_returns.cli.report_rows import (
    ReportTable,
    age_table,
    cycle_table,
    decline_table,
    matrix_table,
    pareto_table,
    rates_table,
    returners_table,
)
from crm_returns.domain.actors import Actor
from crm_returns.domain.analytics import (
    COUNTED,
    CycleGrouping,
    DateBasis,
    Dimension,
    FactQuery,
    Figure,
    LineFact,
    Measure,
    ReasonLevel,
    ReportPeriod,
    ReportWindow,
    ReturnFact,
    StatusGroup,
    return_fact,
    return_facts,
)
from crm_returns.ports import OrderSource, UnitOfWork
from crm_returns.samples import SAMPLE_START, sample_orders
from crm_returns.service.service import ReturnsService
from crm_returns.service.settings import ServiceSettings

__all__ = ["RUNS", "report_run"]

#: What a chart is drawn with: the target and the chart's language.
_Draw = Callable[[Path, str], None]


def _service(
    arguments: argparse.Namespace,
    unit_of_work: Callable[[], UnitOfWork],
    orders: OrderSource | None,
) -> ReturnsService:
    """A service over the database and ``orders``, the host's (``--orders``).

    Without them, it knows the sample shop's orders for the demo's tenants,
    and none for another (a report that needs them was refused before).
    """
    if orders is None:
        tenant = arguments.tenant
        known = tenant.startswith(DEMO_TENANT_PREFIX)
        orders = sample_orders(SAMPLE_START, tenant=tenant) if known else MemoryOrderSource()
    clock = SystemClock() if arguments.at is None else ManualClock(arguments.at)
    return ReturnsService(orders, unit_of_work, ServiceSettings(clock=clock))


def report_run(
    arguments: argparse.Namespace,
    unit_of_work: Callable[[], UnitOfWork],
    orders: OrderSource | None = None,
) -> ReportRun:
    """What the report asked for works with: the service, the analyst, the window.

    Args:
        arguments: The parsed command line.
        unit_of_work: The database's units of work.
        orders: The host's order source (``--orders``), if given.

    Raises:
        InvalidInput: A malformed tenant, or a window that ends before it starts.
    """
    service = _service(arguments, unit_of_work, orders)
    now: datetime = arguments.at or service.settings.clock.now()
    end = arguments.end or now.astimezone(arguments.zone).date()
    start = arguments.start or end - timedelta(days=DEFAULT_DAYS - 1)
    statuses = frozenset().union(*arguments.statuses) if arguments.statuses else COUNTED
    window = ReportWindow(
        start=start,
        end=end,
        zone=arguments.zone,
        basis=BASES[arguments.basis],
        statuses=statuses,
    )
    actor = Actor(ANALYST_ID, "crm-returns report", arguments.tenant, frozenset({"analyst"}))
    return ReportRun(
        service=service,
        actor=actor,
        window=window,
        catalog=service.reason_catalog(actor),
        words=Phrasebook(arguments.lang),
        console=output_console(),
        arguments=arguments,
    )


def _measure(run: ReportRun) -> Measure:
    return Measure(run.arguments.measure or Measure.LINES.value)


def _drawn(run: ReportRun, report: ReportTable, draw: _Draw) -> int:
    """Draw ``report`` to ``--chart`` if asked; the exit status."""
    chart = run.arguments.chart
    if not chart:
        return 0
    if not report.rows:
        say(run.words.word("report_chart_empty", path=chart))
        return 1
    draw(Path(chart), run.words.locale)
    say(run.words.word("report_chart_written", path=chart))
    return 0


def _reasons(run: ReportRun) -> int:
    level = ReasonLevel(run.arguments.level or ReasonLevel.REASON.value)
    measure = _measure(run)
    rows = run.service.reasons_report(run.actor, run.window, level=level, measure=measure)
    report = pareto_table(run.words, rows, level)
    put(run, report)
    catalog = run.catalog
    return _drawn(
        run,
        report,
        lambda path, language: pareto_chart(
            rows, path, language=language, measure=measure, level=level, catalog=catalog
        ),
    )


def _declines(run: ReportRun) -> int:
    measure = _measure(run)
    rows = run.service.decline_reasons_report(run.actor, run.window, measure=measure)
    report = decline_table(run.words, rows)
    put(run, report)
    return _drawn(
        run,
        report,
        lambda path, language: pareto_chart(rows, path, language=language, measure=measure),
    )


def _sku_reasons(run: ReportRun) -> int:
    top = run.arguments.top or 10
    matrix = run.service.sku_reason_report(run.actor, run.window, top=top, measure=_measure(run))
    catalog = run.catalog
    report = matrix_table(run.words, matrix, catalog)
    put(run, report)
    return _drawn(
        run,
        report,
        lambda path, language: sku_reason_heatmap(matrix, path, language=language, catalog=catalog),
    )


def _rates(run: ReportRun) -> int:
    window = run.window
    by = Dimension(run.arguments.by[0]) if run.arguments.by else None
    cohorts = run.service.return_rates(
        run.actor,
        start=window.start,
        end=window.end,
        zone=window.zone,
        period=ReportPeriod(run.arguments.period or ReportPeriod.MONTH.value),
        statuses=window.statuses,
        at=run.arguments.at,
        by=by,
    )
    report = rates_table(run.words, cohorts, by)
    put(run, report, basis=DateBasis.ORDER_DATE)
    return _drawn(
        run,
        report,
        lambda path, language: return_rate_chart(cohorts, path, language=language),
    )


def _cycle_times(run: ReportRun) -> int:
    by = CycleGrouping((run.arguments.by or [CycleGrouping.ALL.value])[0])
    stats = run.service.cycle_time_report(run.actor, run.window, by=by)
    report = cycle_table(run.words, stats, grouped=by is not CycleGrouping.ALL)
    put(run, report)

    def draw(path: Path, language: str) -> None:
        window = run.window
        counted = (
            fact
            for fact in run.service.export_facts(run.actor, window)
            if window.group(fact.status) is StatusGroup.COUNTED
        )
        cycle_time_chart(stage_durations(counted), path, language=language)

    return _drawn(run, report, draw)


def _returners(run: ReportRun) -> int:
    least = run.arguments.min_returns or 3
    found = run.service.frequent_returners(run.actor, run.window, min_returns=least)
    put(run, returners_table(run.words, found))
    return 0


def _open_by_age(run: ReportRun) -> int:
    bands = run.service.open_returns_by_age(run.actor, zone=run.window.zone, at=run.arguments.at)
    put(run, age_table(run.words, bands), as_of=True)
    return 0


def _satisfaction(run: ReportRun) -> int:
    by = Dimension(run.arguments.by[0]) if run.arguments.by else None
    scores = run.service.satisfaction_report(run.actor, run.window, by=by)
    put(run, satisfaction_table(run.words, scores, by))
    return 0


def _breakdown(run: ReportRun) -> int:
    period = run.arguments.period
    query = FactQuery(
        window=run.window,
        period=None if period is None else ReportPeriod(period),
        by=tuple(Dimension(name) for name in run.arguments.by or ()),
        figures=BREAKDOWN_FIGURES,
    )
    put(run, breakdown_table(run.words, query, run.service.grouped_facts(run.actor, query)))
    return 0


def _total(run: ReportRun, returns: bool) -> Callable[[], int]:
    """Counts the rows an export will write: one ``GROUP BY``, for the progress bar."""

    def total() -> int:
        figures = {Figure.RETURNS} if returns else set()
        query = FactQuery(window=run.window, figures=figures)
        groups = run.service.grouped_facts(run.actor, query)
        return sum(group.count(Figure.RETURNS) if returns else group.lines for group in groups)

    return total


def _lines(run: ReportRun) -> int:
    facts = run.service.export_facts(run.actor, run.window)
    if run.arguments.format == "table":
        put(run, line_table(run.words, facts))
        return 0
    export_facts_to(run, facts, LineFact, _total(run, returns=False))
    return 0


def _returns_of(run: ReportRun) -> Iterator[ReturnFact]:
    """The window's returns, each made from its lines as they stream.

    The store streams lines in order of the basis date, then the return: on
    the return and the refund date, which a return has once, a return's lines
    come together; on the order date they may not, and are gathered first.
    """
    facts = run.service.export_facts(run.actor, run.window)
    if run.window.basis is DateBasis.ORDER_DATE:
        return iter(return_facts(facts))
    by_return = groupby(facts, key=lambda fact: (fact.tenant_id, fact.return_id))
    return (return_fact(lines) for _, lines in by_return)


def _returns(run: ReportRun) -> int:
    returns = _returns_of(run)
    if run.arguments.format == "table":
        put(run, return_table(run.words, returns))
        return 0
    export_facts_to(run, returns, ReturnFact, _total(run, returns=True))
    return 0


#: What each report does.
RUNS: Final[dict[str, Callable[[ReportRun], int]]] = {
    "reasons": _reasons,
    "decline-reasons": _declines,
    "sku-reasons": _sku_reasons,
    "rates": _rates,
    "cycle-times": _cycle_times,
    "frequent-returners": _returners,
    "open-by-age": _open_by_age,
    "satisfaction": _satisfaction,
    "breakdown": _breakdown,
    "lines": _lines,
    "returns": _returns,
}
