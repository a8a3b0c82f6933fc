"""Figures to chart in the chart tests: small, fixed, one value of each kind a chart takes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from tests.domain.analytics.fact_support import T0, fact

from crm_returns.analytics._drawing import Target
from crm_returns.analytics.charts import (
    ChartFormat,
    cycle_time_chart,
    pareto_chart,
    return_rate_chart,
    sku_reason_heatmap,
    stage_durations,
)
from crm_returns.domain import analytics as an
from crm_returns.domain.reasons import DEFAULT_CATALOG

#: Returned lines: (reason, SKU, units).
LINES = (
    ("quality_defect", "SKU-1", 2),
    ("quality_defect", "SKU-2", 1),
    ("quality_defect", "SKU-1", 1),
    ("damaged_in_transit", "SKU-3", 3),
    ("wrong_order", "SKU-1", 1),
    ("changed_requirement", "SKU-2", 1),
    ("other", "SKU-1", 1),
)


def facts(lines: tuple[tuple[str, str, int], ...] = LINES) -> list[an.LineFact]:
    """One return per line, each a day longer in every stage than the one before."""
    result = []
    for i, (reason, sku, units) in enumerate(lines):
        step = timedelta(hours=6 + 11 * i)
        result.append(
            fact(
                return_id=f"r-{i}",
                order_number=f"SO-{i}",
                reason_code=reason,
                sku=sku,
                quantity_returned=Decimal(units),
                submitted_at=T0,
                approved_at=T0 + step,
                goods_back_at=T0 + 3 * step,
                inspected_at=T0 + 4 * step,
                refund_paid_at=T0 + 5 * step,
                completed_at=T0 + 5 * step,
            )
        )
    return result


def cohort(month: int, returned: int, *, mature: bool = True) -> an.CohortRates:
    """The rates of the order cohort of ``month`` 2026, 1,000 units delivered."""
    return an.CohortRates(
        cohort=date(2026, month, 1),
        period=an.ReportPeriod.MONTH,
        mature=mature,
        units_returned=Decimal(returned),
        units_delivered=Decimal(1000),
        unit_rate=an.ratio(returned, 1000),
        orders_returned=returned,
        orders=600,
        order_rate=an.ratio(returned, 600),
        value=(),
    )


COHORTS = (cohort(1, 52), cohort(2, 47), cohort(3, 61), cohort(4, 30, mature=False))

#: A chart drawn from the figures above: (target, language, format) -> None.
Draw = Callable[[Target, str, ChartFormat | str | None], None]


def draw_pareto(target: Target, language: str, format: ChartFormat | str | None) -> None:
    rows = an.fold(an.pareto(facts()), keep=3)
    pareto_chart(rows, target, language=language, format=format, catalog=DEFAULT_CATALOG)


def draw_rates(target: Target, language: str, format: ChartFormat | str | None) -> None:
    return_rate_chart(COHORTS, target, language=language, format=format)


def draw_heatmap(target: Target, language: str, format: ChartFormat | str | None) -> None:
    matrix = an.sku_reason_matrix(facts(), top=3)
    sku_reason_heatmap(matrix, target, language=language, format=format, catalog=DEFAULT_CATALOG)


def draw_cycles(target: Target, language: str, format: ChartFormat | str | None) -> None:
    cycle_time_chart(stage_durations(facts()), target, language=language, format=format)


#: Every chart, by name, with its title in zh-CN and en.
CHARTS: dict[str, tuple[Draw, str, str]] = {
    "pareto": (draw_pareto, "退货原因帕累托图", "Why things come back: reasons, Pareto"),
    "rates": (
        draw_rates,
        "退货率与退货数量（按下单月）",
        "Unit return rate and units returned, by order month",
    ),
    "heatmap": (
        draw_heatmap,
        "SKU × 退货原因（退货明细数）",
        "SKU × return reason (returned lines)",
    ),
    "cycles": (draw_cycles, "各阶段处理时长", "Cycle time per stage"),
}
