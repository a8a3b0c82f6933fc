"""The demo's last step: why things came back this month — a short report, and one chart.

The administrator runs three reports over the demo's month, in the shop's
time zone: the reasons Pareto of the counted lines, the money of the returns
per currency, and the cycle time per stage; then writes the Pareto as a PNG
chart (when the ``charts`` extra is installed; otherwise the step says how
to get it).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.tables import quantity_text, table
from crm_returns.cli.wiring import DemoWiring
from crm_returns.domain.analytics import (
    CycleStats,
    FactGroup,
    FactQuery,
    Figure,
    ParetoRow,
    ReportWindow,
    StatusGroup,
)
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import ChartError

__all__ = ["DEMO_ZONE", "demo_window", "report_month"]

#: The money of the month's report, in its columns' order.
_MONEY_SHOWN: Final = (
    Figure.MERCHANDISE_VALUE,
    Figure.REFUND_GRANTED,
    Figure.REFUND_PAID,
    Figure.RESTOCKING_FEE,
    Figure.WRITE_OFF,
)

#: The shop's time zone: the report's days are read there.
DEMO_ZONE = ZoneInfo("Asia/Shanghai")


def demo_window(order: ReturnOrder) -> ReportWindow:
    """The calendar month in which ``order`` was made, in the shop's zone."""
    day = order.created_at.astimezone(DEMO_ZONE).date()
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return ReportWindow(start=first, end=last, zone=DEMO_ZONE)


def _percent(share: Decimal) -> str:
    return f"{share:.1%}"


def _reasons(words: Phrasebook, catalog: ReasonCatalog, rows: tuple[ParetoRow, ...]) -> Table:
    made = table(
        words,
        words.word("report_reasons"),
        ("report_key", "report_lines", "report_units", "report_share", "report_cumulative"),
        numeric=4,
    )
    for row in rows:
        made.add_row(
            Text(words.reason(catalog, row.key) if row.key else "—"),
            str(row.lines),
            quantity_text(row.units),
            _percent(row.share),
            _percent(row.cumulative_share),
        )
    return made


def _money(words: Phrasebook, groups: tuple[FactGroup, ...]) -> Table:
    made = table(
        words,
        words.word("report_money"),
        ("report_currency", "report_merchandise", "report_granted", "report_paid",
         "report_fees", "report_write_off"),
        numeric=5,
    )  # fmt: skip
    for group in groups:
        if group.group is StatusGroup.COUNTED:
            made.add_row(
                group.currency,
                *(str(group.money(figure).amount) for figure in _MONEY_SHOWN),
            )
    return made


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:.1f} h"


def _cycles(words: Phrasebook, stats: tuple[CycleStats, ...]) -> Table:
    made = table(
        words,
        words.word("report_cycle"),
        ("report_stage", "report_count", "report_median", "report_p90", "report_longest"),
        numeric=4,
    )
    for row in stats:
        made.add_row(
            words.label(row.stage),
            str(row.count),
            _hours(row.median),
            _hours(row.p90),
            _hours(row.max),
        )
    return made


def report_month(
    console: Console,
    words: Phrasebook,
    wiring: DemoWiring,
    order: ReturnOrder,
    chart: Path | None,
) -> Path | None:
    """Print the month's reasons, money and cycle times; draw the Pareto to ``chart``.

    Returns:
        The chart written, or ``None`` (no path given, or the charts extra missing).
    """
    service, admin = wiring.service, wiring.staff.admin
    catalog = service.reason_catalog(admin)
    window = demo_window(order)
    reasons = service.reasons_report(admin, window)
    console.print(_reasons(words, catalog, reasons))
    console.print()
    money = FactQuery(window=window, figures=_MONEY_SHOWN, counted_only=True)
    console.print(_money(words, service.grouped_facts(admin, money)))
    console.print()
    console.print(_cycles(words, service.cycle_time_report(admin, window)))
    if chart is None:
        return None
    try:
        from crm_returns.analytics.charts import pareto_chart

        language = "zh-CN" if words.language == "zh" else "en"
        pareto_chart(reasons, chart, language=language, catalog=catalog)
    except ChartError as error:
        console.print(words.word("report_chart_skipped", reason=error))
        return None
    console.print(words.word("report_chart_written", path=chart))
    return chart
