"""Reasons ranked with cumulative share; folding the tail into "other" keeps the totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.analytics.fact_support import fact, line_facts

from crm_returns.domain.analytics import (
    LineFact,
    Measure,
    ParetoRow,
    ReasonLevel,
    fold,
    pareto,
    sku_reason_matrix,
)
from crm_returns.errors import InvalidInput

facts_lists = st.lists(line_facts(), max_size=25)
measures = st.sampled_from(Measure)
HALF_ULP = Decimal("0.0000005")


def _size(row: ParetoRow, measure: Measure) -> Decimal:
    return Decimal(row.lines) if measure is Measure.LINES else row.units


@given(facts_lists, measures, st.sampled_from(ReasonLevel))
def test_shares_sum_to_one_and_never_increase_down_the_list(
    facts: list[LineFact], measure: Measure, level: ReasonLevel
) -> None:
    rows = pareto(facts, level=level, measure=measure)
    sizes = [_size(row, measure) for row in rows]

    assert sizes == sorted(sizes, reverse=True)
    assert [row.share for row in rows] == sorted((row.share for row in rows), reverse=True)
    cumulative = [row.cumulative_share for row in rows]
    assert cumulative == sorted(cumulative)
    if sum(sizes):
        assert cumulative[-1] == 1
        assert abs(sum((row.share for row in rows), Decimal(0)) - 1) <= HALF_ULP * len(rows)
    assert sum(row.lines for row in rows) == len(facts)
    assert sum(row.units for row in rows) == sum(f.quantity_returned for f in facts)


@given(facts_lists, measures, st.integers(0, 6))
def test_folding_by_count_keeps_the_totals_and_the_kept_rows(
    facts: list[LineFact], measure: Measure, keep: int
) -> None:
    rows = pareto(facts, measure=measure)
    folded = fold(rows, measure=measure, keep=keep)

    assert sum(r.lines for r in folded) == sum(r.lines for r in rows)
    assert sum(r.units for r in folded) == sum(r.units for r in rows)
    if keep < len(rows):
        assert len(folded) == keep + 1
        assert [r.key for r in folded[:keep]] == [r.key for r in rows[:keep]]
        assert folded[-1].key is None
        assert folded[-1].folded == len(rows) - keep
        assert folded[-1].cumulative_share in (Decimal(0), Decimal(1))
    else:
        assert folded == rows


@given(facts_lists, measures, st.integers(1, 100).map(lambda p: Decimal(p) / 100))
def test_folding_by_share_keeps_the_rows_up_to_the_cut(
    facts: list[LineFact], measure: Measure, cut: Decimal
) -> None:
    rows = pareto(facts, measure=measure)
    folded = fold(rows, measure=measure, cut=cut)

    assert sum(r.lines for r in folded) == sum(r.lines for r in rows)
    assert sum(r.units for r in folded) == sum(r.units for r in rows)
    kept = [r for r in folded if r.key is not None]
    assert all(r.cumulative_share < cut for r in kept[:-1])


def test_reasons_are_ranked_by_lines_then_units_then_code() -> None:
    facts = [
        fact(reason_code="b", quantity_returned=Decimal(1)),
        fact(reason_code="a", quantity_returned=Decimal(1)),
        fact(reason_code="c", quantity_returned=Decimal(5)),
        fact(reason_code="c", quantity_returned=Decimal(1)),
    ]

    by_lines = pareto(facts)
    by_units = pareto(facts, measure=Measure.UNITS)

    assert [(r.key, r.lines, r.units, r.share) for r in by_lines] == [
        ("c", 2, Decimal(6), Decimal("0.5")),
        ("a", 1, Decimal(1), Decimal("0.25")),
        ("b", 1, Decimal(1), Decimal("0.25")),
    ]
    assert [r.key for r in by_units] == ["c", "a", "b"]
    assert [r.cumulative_share for r in by_units] == [
        Decimal("0.75"),
        Decimal("0.875"),
        Decimal("1"),
    ]
    assert [r.key for r in pareto(facts, level=ReasonLevel.CATEGORY)] == ["quality"]


def test_a_fold_needs_exactly_one_rule() -> None:
    rows = pareto([fact()])
    with pytest.raises(InvalidInput, match="one of them"):
        fold(rows)
    with pytest.raises(InvalidInput, match="one of them"):
        fold(rows, keep=1, cut=Decimal("0.8"))
    with pytest.raises(InvalidInput, match="cut"):
        fold(rows, cut=Decimal("1.5"))


@given(facts_lists, st.integers(1, 5), measures)
def test_the_matrix_holds_the_top_skus_and_their_counts(
    facts: list[LineFact], top: int, measure: Measure
) -> None:
    matrix = sku_reason_matrix(facts, top=top, measure=measure)

    assert len(matrix.skus) == min(top, len({f.sku for f in facts}))
    for i, sku in enumerate(matrix.skus):
        for j, reason in enumerate(matrix.reasons):
            mine = [f for f in facts if f.sku == sku and f.reason_code == reason]
            expected = (
                Decimal(len(mine))
                if measure is Measure.LINES
                else sum((f.quantity_returned for f in mine), Decimal(0))
            )
            assert matrix.cells[i][j] == expected
    totals = [sum(row, Decimal(0)) for row in matrix.cells]
    assert totals == sorted(totals, reverse=True)
