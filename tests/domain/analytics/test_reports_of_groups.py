"""Reports made from grouped facts give the figures the fact-level functions give."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.analytics.fact_support import CURRENCIES, T0, fact, line_facts

from crm_returns.domain.analytics import (
    MONEY_COLUMNS,
    DateBasis,
    DeliveredTotals,
    Dimension,
    FactQuery,
    Figure,
    LineFact,
    Measure,
    ReportPeriod,
    ReportWindow,
    StatusGroup,
    cohort_rates,
    group_facts,
    pareto,
    rates_of,
    sku_reason_matrix,
)
from crm_returns.domain.analytics.pareto import ReasonLevel
from crm_returns.domain.analytics.reports import (
    AGE_FIGURES,
    COHORT_FIGURES,
    PARETO_FIGURES,
    RETURNER_FIGURES,
    SATISFACTION_FIGURES,
    age_bands,
    counted_query,
    frequent_returners,
    pareto_of,
    returned_by_cohort,
    satisfaction_of,
    sku_reason_matrix_of,
)
from crm_returns.domain.money import Money
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

ZONE = ZoneInfo("Asia/Shanghai")
WINDOW = ReportWindow(start=date(2026, 1, 1), end=date(2027, 12, 31), zone=ZONE)


@st.composite
def shop_facts(draw: st.DrawFn) -> list[LineFact]:
    """Facts where each order has one currency, as real returns do."""
    facts = draw(st.lists(line_facts(), max_size=40))
    kept = []
    for f in facts:
        currency = CURRENCIES[int(f.order_number[3:]) % len(CURRENCIES)]
        places = 0 if currency == "JPY" else 2
        value = Decimal(draw(st.integers(0, 10**6))).scaleb(-places)
        kept.append(
            attrs.evolve(
                f,
                currency=currency,
                merchandise_value=value,
                **cast(dict[str, Any], dict.fromkeys(MONEY_COLUMNS[1:])),
            )
        )
    return kept


def _counted(facts: list[LineFact], window: ReportWindow = WINDOW) -> tuple[LineFact, ...]:
    return window.select(facts)[StatusGroup.COUNTED]


def _both(
    window: ReportWindow,
    *,
    by: tuple[Dimension, ...] = (),
    figures: frozenset[Figure],
    period: ReportPeriod | None = None,
    known: frozenset[Dimension] = frozenset(),
) -> tuple[FactQuery, FactQuery]:
    """The default query (every figure, every status group) and the report's own.

    The report's own is what the service asks: the counted lines and the
    report's figures only.  Both must give the same report.
    """
    return (
        FactQuery(window=window, period=period, by=by),
        counted_query(window, by=by, figures=figures, period=period, known=known),
    )


@given(shop_facts(), st.sampled_from(Measure), st.sampled_from(ReasonLevel))
def test_the_pareto_of_groups_is_the_pareto_of_the_lines(
    facts: list[LineFact], measure: Measure, level: ReasonLevel
) -> None:
    dimension = Dimension.REASON if level is ReasonLevel.REASON else Dimension.REASON_CATEGORY
    expected = pareto(_counted(facts), level=level, measure=measure)
    for query in _both(WINDOW, by=(dimension,), figures=PARETO_FIGURES):
        assert pareto_of(group_facts(facts, query), measure) == expected


@given(shop_facts(), st.sampled_from(Measure), st.integers(1, 5))
def test_the_matrix_of_groups_is_the_matrix_of_the_lines(
    facts: list[LineFact], measure: Measure, top: int
) -> None:
    expected = sku_reason_matrix(_counted(facts), top=top, measure=measure)
    for query in _both(WINDOW, by=(Dimension.SKU, Dimension.REASON), figures=PARETO_FIGURES):
        groups = group_facts(facts, query)
        assert sku_reason_matrix_of(groups, top=top, measure=measure) == expected


@given(shop_facts())
def test_rates_from_groups_equal_rates_from_the_lines(facts: list[LineFact]) -> None:
    period = ReportPeriod.MONTH
    cohorts = sorted(
        {f.ordered_at.astimezone(ZONE).date().replace(day=1) for f in facts if f.ordered_at}
    )
    delivered = [
        DeliveredTotals(
            cohort=c, orders=50, units=Decimal(500), gross_sales=(Money("9999.00", "CNY"),)
        )
        for c in cohorts
    ]
    window = attrs.evolve(WINDOW, start=date(2025, 1, 1), basis=DateBasis.ORDER_DATE)
    at = T0 + timedelta(days=200)
    expected = cohort_rates(
        facts, delivered, period=period, zone=ZONE, as_of=at, return_window=timedelta(days=30)
    )
    for query in _both(window, period=period, figures=COHORT_FIGURES):
        found = rates_of(
            returned_by_cohort(group_facts(facts, query)),
            delivered,
            period=period,
            zone=ZONE,
            as_of=at,
            return_window=timedelta(days=30),
        )
        assert found == expected


def test_frequent_returners_are_listed_by_count_or_value_with_their_rate() -> None:
    facts = [
        fact(return_id=f"r-{n}", customer_id="C-MANY", order_number=f"SO-{n}") for n in range(3)
    ] + [
        fact(return_id="r-9", customer_id="C-BIG", merchandise_value=Decimal("5000.00")),
        fact(return_id="r-8", customer_id="C-FEW"),
    ]
    for query in _both(WINDOW, by=(Dimension.CUSTOMER,), figures=RETURNER_FIGURES):
        groups = group_facts(facts, query)

        rows = frequent_returners(
            groups,
            min_returns=3,
            min_value=(Money("1000.00", "CNY"),),
            delivered={"C-MANY": Decimal(6)},
        )

        assert [(r.customer_id, r.returns) for r in rows] == [("C-MANY", 3), ("C-BIG", 1)]
        assert rows[0].unit_rate == Decimal("0.5")
        assert rows[1].units_delivered == Decimal(0)
        assert rows[1].unit_rate is None
    with pytest.raises(InvalidInput):
        frequent_returners(groups, min_returns=0)


def test_open_returns_are_counted_by_status_and_age_in_local_days() -> None:
    today = date(2026, 3, 31)
    made = [0, 2, 3, 10, 40]
    facts = [
        fact(
            return_id=f"r-{age}",
            status=ReturnStatus.SUBMITTED if age < 10 else ReturnStatus.APPROVED,
            # 23:30 UTC is the next morning in Shanghai: the age is read there.
            returned_at=T0.replace(year=2026, month=3, day=30, hour=23, minute=30)
            - timedelta(days=age),
        )
        for age in made
    ]
    window = ReportWindow(
        start=date(2026, 1, 1), end=today, zone=ZONE, statuses=frozenset(ReturnStatus)
    )
    by = (Dimension.STATUS,)
    for query in _both(window, period=ReportPeriod.DAY, by=by, figures=AGE_FIGURES):
        groups = group_facts(facts, query)

        bands = age_bands(groups, today=today)

        assert [(b.status, b.youngest, b.oldest, b.returns) for b in bands] == [
            ("approved", 8, 14, 1),
            ("approved", 31, None, 1),
            ("submitted", 0, 2, 2),
            ("submitted", 3, 7, 1),
        ]
    with pytest.raises(InvalidInput):
        age_bands(groups, today=today, bands=(1, 5))


def test_satisfaction_is_counted_once_per_return_and_key() -> None:
    facts = [
        fact(return_id="r-1", satisfaction=5, reason_code="quality_defect"),
        fact(return_id="r-1", line_id="2", satisfaction=5, reason_code="wrong_order"),
        fact(return_id="r-2", satisfaction=2, reason_code="quality_defect"),
        fact(return_id="r-3", reason_code="quality_defect"),
    ]
    scored = frozenset({Dimension.SATISFACTION})
    overall = _both(
        WINDOW, by=(Dimension.SATISFACTION,), figures=SATISFACTION_FIGURES, known=scored
    )
    by = (Dimension.REASON, Dimension.SATISFACTION)
    by_reason = _both(WINDOW, by=by, figures=SATISFACTION_FIGURES, known=scored)
    for query in overall:
        [everyone] = satisfaction_of(group_facts(facts, query))
        assert (everyone.rated, everyone.mean, everyone.distribution) == (
            2,
            Decimal("3.5"),
            (0, 1, 0, 0, 1),
        )
    for query in by_reason:
        assert [(s.key, s.rated, s.mean) for s in satisfaction_of(group_facts(facts, query))] == [
            ("quality_defect", 2, Decimal("3.5")),
            ("wrong_order", 1, Decimal(5)),
        ]
