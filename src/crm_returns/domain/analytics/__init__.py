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
- ``delivered.py`` — what the host delivered, by order cohort and
  dimension: :class:`DeliveredTotalsQuery`, the question the order-source
  port's ``delivered_totals`` answers, and :func:`delivered_totals_of`, its
  answer defined on delivered lines (delivered, quantity above zero; gross
  sales tax included, after discounts, per currency).
- ``rates.py`` — the three return rates (unit, order, value) by order-date
  cohort, immature cohorts flagged, and :func:`ratio`, the one rounding of
  every ratio (six places, half-even; division by zero gives ``None``).
- ``pareto.py`` — reasons and reason categories ranked with cumulative
  share, the fold of the tail into "other", and the SKU × reason matrix.
- ``cycles.py`` — cycle time per stage (count, nearest-rank median and P90,
  max) per owner or team, and the share within the service level.
- ``figures.py`` — :class:`Figure`, the figures a group can total, so that
  a query asks only for those it reads.
- ``grouping.py`` — :class:`FactQuery` and :class:`FactGroup`: line facts
  grouped by status group, period, dimensions and currency, and
  :func:`group_facts`, the reference answer every store's ``uow.facts`` must give.
- ``reports.py`` — reports made from grouped facts (Pareto, SKU × reason,
  what each order cohort returned, frequent returners, open returns by age,
  satisfaction), equal to the fact-level functions.
- ``money.py`` — money columns totalled per currency, never across currencies.
- ``returns.py`` — :class:`ReturnFact`, one return as analytics sees it (the
  return-level export schema): its line facts' units and money added up
  exactly, a money total ``None`` when any line's is unknown.

Exact definitions of every metric: ``docs/analytics.md``.  The reports
(``service/reports.py``), exports and charts (``crm_returns.analytics``) and
``crm-returns report`` build on these.
"""

from crm_returns.domain.analytics.cycles import (
    STAGE_COLUMNS,
    STAGE_DATES,
    CycleGrouping,
    CycleStage,
    CycleStats,
    allowance,
    cycle_times,
    percentile,
)
from crm_returns.domain.analytics.delivered import (
    DeliveredTotalsQuery,
    delivered_key,
    delivered_totals_of,
)
from crm_returns.domain.analytics.dimensions import DELIVERED_DIMENSIONS, Dimension
from crm_returns.domain.analytics.facts import LineFact, line_facts
from crm_returns.domain.analytics.figures import (
    COUNT_FIGURES,
    EVERY_FIGURE,
    MONEY_FIGURES,
    QUANTITY_COLUMNS,
    QUANTITY_FIGURES,
    Figure,
)
from crm_returns.domain.analytics.grouping import (
    MAX_DIMENSIONS,
    FactGroup,
    FactQuery,
    canonical_units,
    group_facts,
)
from crm_returns.domain.analytics.money import MONEY_COLUMNS, CurrencyTotals, money_totals
from crm_returns.domain.analytics.pareto import (
    Measure,
    ParetoRow,
    ReasonLevel,
    SkuReasonMatrix,
    fold,
    matrix,
    pareto,
    ranked,
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
    Returned,
    ValueRate,
    cohort_rates,
    rates_of,
    ratio,
)
from crm_returns.domain.analytics.reports import (
    AGE_BANDS,
    AGE_FIGURES,
    COHORT_FIGURES,
    PARETO_FIGURES,
    RETURNER_FIGURES,
    SATISFACTION_FIGURES,
    AgeBand,
    FrequentReturner,
    Satisfaction,
    age_bands,
    counted_query,
    frequent_returners,
    pareto_of,
    returned_by_cohort,
    satisfaction_of,
    sku_reason_matrix_of,
)
from crm_returns.domain.analytics.returns import ReturnFact, return_fact, return_facts

__all__ = [
    "AGE_BANDS",
    "AGE_FIGURES",
    "COHORT_FIGURES",
    "COUNTED",
    "COUNT_FIGURES",
    "DELIVERED_DIMENSIONS",
    "EVERY_FIGURE",
    "MAX_DIMENSIONS",
    "MONEY_COLUMNS",
    "MONEY_FIGURES",
    "PARETO_FIGURES",
    "PENDING",
    "QUANTITY_COLUMNS",
    "QUANTITY_FIGURES",
    "RATE_PLACES",
    "REJECTED_OR_CANCELLED",
    "RETURNER_FIGURES",
    "SATISFACTION_FIGURES",
    "STAGE_COLUMNS",
    "STAGE_DATES",
    "AgeBand",
    "CohortRates",
    "CurrencyTotals",
    "CycleGrouping",
    "CycleStage",
    "CycleStats",
    "DateBasis",
    "DeliveredTotals",
    "DeliveredTotalsQuery",
    "Dimension",
    "FactGroup",
    "FactQuery",
    "Figure",
    "FrequentReturner",
    "LineFact",
    "Measure",
    "ParetoRow",
    "ReasonLevel",
    "ReportPeriod",
    "ReportWindow",
    "ReturnFact",
    "Returned",
    "Satisfaction",
    "SkuReasonMatrix",
    "StatusGroup",
    "ValueRate",
    "age_bands",
    "allowance",
    "bucket",
    "canonical_units",
    "cohort_rates",
    "counted_query",
    "cycle_times",
    "delivered_key",
    "delivered_totals_of",
    "fold",
    "frequent_returners",
    "group_facts",
    "line_facts",
    "matrix",
    "money_totals",
    "next_bucket",
    "pareto",
    "pareto_of",
    "percentile",
    "ranked",
    "rates_of",
    "ratio",
    "return_fact",
    "return_facts",
    "returned_by_cohort",
    "satisfaction_of",
    "sku_reason_matrix",
    "sku_reason_matrix_of",
    "start_of_day",
]
