"""Cycle times per stage with nearest-rank percentiles: values of the sample, in order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.analytics.fact_support import T0, fact, line_facts

from crm_returns.domain.analytics import (
    STAGE_DATES,
    CycleGrouping,
    CycleStage,
    LineFact,
    cycle_times,
    percentile,
)
from crm_returns.domain.ownership.levels import ServiceLevel
from crm_returns.errors import InvalidInput

samples = st.lists(st.integers(0, 10**6), min_size=1, max_size=60)


@given(samples, st.integers(1, 100))
def test_a_percentile_is_a_value_of_the_sample(values: list[int], p: int) -> None:
    assert percentile(values, p) in values


@given(samples, st.integers(1, 100), st.integers(1, 100))
def test_percentiles_grow_with_p_up_to_the_max(values: list[int], p: int, q: int) -> None:
    low, high = sorted((p, q))

    assert percentile(values, low) <= percentile(values, high) <= percentile(values, 100)
    assert percentile(values, 100) == max(values)
    assert percentile(values, 1) == min(values) or len(values) > 100


def test_nearest_rank_takes_the_value_at_rank_ceil_p_n_over_100() -> None:
    values = [15, 20, 35, 40, 50]

    assert [percentile(values, p) for p in (5, 30, 40, 50, 90, 100)] == [15, 20, 20, 35, 50, 50]
    assert percentile([1, 2, 3, 4], 50) == 2  # the lower middle, a value of the sample


def test_a_percentile_of_nothing_or_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        percentile([], 50)
    with pytest.raises(InvalidInput, match="1 to 100"):
        percentile([1], 0)


@given(st.lists(line_facts(), max_size=25), st.sampled_from(CycleGrouping))
def test_stage_figures_are_ordered_and_count_each_return_once(
    facts: list[LineFact], by: CycleGrouping
) -> None:
    stats = cycle_times(facts, by=by, level=ServiceLevel())

    for row in stats:
        assert timedelta(0) <= row.median <= row.p90 <= row.max
        assert row.count <= len({f.return_id for f in facts})
        assert row.within_level is None or 0 <= row.within_level <= 1
    everyone = {row.stage: row.count for row in cycle_times(facts)}
    for stage in CycleStage:
        assert sum(r.count for r in stats if r.stage is stage) == everyone.get(stage, 0)


def test_a_stage_is_timed_between_its_dates_and_measured_against_the_level() -> None:
    hours = timedelta(hours=1)
    facts = [
        fact(return_id=f"r-{n}", owner_team=team, submitted_at=T0, approved_at=T0 + n * hours)
        for n, team in ((1, "a"), (2, "a"), (30, "a"), (60, "b"))
    ]
    facts.append(fact(return_id="r-1", line_id="2", submitted_at=T0, approved_at=T0 + hours))

    (approval,) = [
        r for r in cycle_times(facts, level=ServiceLevel()) if r.stage is CycleStage.APPROVAL
    ]
    per_team = [
        r for r in cycle_times(facts, by=CycleGrouping.TEAM) if r.stage is CycleStage.APPROVAL
    ]

    assert (approval.count, approval.median, approval.p90, approval.max) == (
        4, 2 * hours, 60 * hours, 60 * hours
    )  # fmt: skip
    assert approval.allowance == timedelta(days=2)
    assert approval.within_level == Decimal("0.75")
    assert [(r.group, r.count, r.max) for r in per_team] == [
        ("a", 3, 30 * hours),
        ("b", 1, 60 * hours),
    ]


def test_a_stage_that_ends_before_it_starts_is_not_timed() -> None:
    paid_after_completion = fact(
        goods_back_at=T0, refund_paid_at=T0 + timedelta(days=2), completed_at=T0 + timedelta(days=1)
    )
    backwards = fact(return_id="r-2", goods_back_at=T0, completed_at=T0 - timedelta(days=1))

    stages = {r.stage: r.count for r in cycle_times([paid_after_completion, backwards])}

    assert stages[CycleStage.REFUND] == 1
    assert stages[CycleStage.COMPLETION] == 1
    assert set(STAGE_DATES) == set(CycleStage)
