"""Return analytics (退货分析): what each metric counts, as values and pure functions.

Where each rule lives:

- ``facts.py`` — :class:`LineFact`, one returned line as analytics sees it
  (the line-level export schema, every column documented), and
  :func:`line_facts`, which builds them from a return, its case file and its
  audit trail; a column that cannot be derived is ``None``.
- ``dimensions.py`` — :class:`Dimension`, the line-fact columns figures are
  broken down by, and those the host's delivered totals know.
- ``periods.py`` — periods (day, ISO week, month, quarter) and
  :func:`bucket`, which reads a moment's local date in an explicit time zone;
  the date basis (order, return, refund date) and :class:`ReportWindow`
  with its status filter (approved onwards; pending and rejected/cancelled apart).
- ``rates.py`` — the three return rates (unit, order, value) by order-date
  cohort, immature cohorts flagged, and :func:`ratio`, the one rounding of
  every ratio (six places, half-even; division by zero gives ``None``).
- ``pareto.py`` — reasons and reason categories ranked with cumulative
  share, the fold of the tail into "other", and the SKU × reason matrix.
- ``cycles.py`` — cycle time per stage (count, nearest-rank median and P90,
  max) per owner or team, and the share within the service level.
- ``money.py`` — money columns totalled per currency, never across currencies.
- ``returns.py`` — :class:`ReturnFact`, one return as analytics sees it (the
  return-level export schema): its line facts' units and money added up
  exactly, a money total ``None`` when any line's is unknown.

Exact definitions of every metric: ``docs/analytics.md``.  Reports, exports,
charts and the CLI build on these and come next.
"""

from crm_returns.domain.analytics.cycles import (
    STAGE_DATES,
    CycleGrouping,
    CycleStage,
    CycleStats,
    cycle_times,
    percentile,
)
from crm_returns.domain.analytics.dimensions import DELIVERED_DIMENSIONS, Dimension
from crm_returns.domain.analytics.facts import LineFact, line_facts
from crm_returns.domain.analytics.money import MONEY_COLUMNS, CurrencyTotals, money_totals
from crm_returns.domain.analytics.pareto import (
    Measure,
    ParetoRow,
    ReasonLevel,
    SkuReasonMatrix,
    fold,
    pareto,
    sku_reason_matrix,
)
from crm_returns.domain.analytics.periods import (
    COUNTED,
    PENDING,
    REJECTED_OR_CANCELLED,
    DateBasis,
    ReportPeriod,
    ReportWindow,
    StatusGroup,
    bucket,
    next_bucket,
    start_of_day,
)
from crm_returns.domain.analytics.rates import (
    RATE_PLACES,
    CohortRates,
    DeliveredTotals,
    ValueRate,
    cohort_rates,
    ratio,
)
from crm_returns.domain.analytics.returns import ReturnFact, return_fact, return_facts

__all__ = [
    "COUNTED",
    "DELIVERED_DIMENSIONS",
    "MONEY_COLUMNS",
    "PENDING",
    "RATE_PLACES",
    "REJECTED_OR_CANCELLED",
    "STAGE_DATES",
    "CohortRates",
    "CurrencyTotals",
    "CycleGrouping",
    "CycleStage",
    "CycleStats",
    "DateBasis",
    "DeliveredTotals",
    "Dimension",
    "LineFact",
    "Measure",
    "ParetoRow",
    "ReasonLevel",
    "ReportPeriod",
    "ReportWindow",
    "ReturnFact",
    "SkuReasonMatrix",
    "StatusGroup",
    "ValueRate",
    "bucket",
    "cohort_rates",
    "cycle_times",
    "fold",
    "line_facts",
    "money_totals",
    "next_bucket",
    "pareto",
    "percentile",
    "ratio",
    "return_fact",
    "return_facts",
    "sku_reason_matrix",
    "start_of_day",
]
