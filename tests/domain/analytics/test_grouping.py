"""Grouped line facts: a query asks for the figures it reads, and gets exactly those."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.analytics.fact_support import fact, line_facts

from crm_returns.domain.analytics import (
    EVERY_FIGURE,
    MONEY_FIGURES,
    Dimension,
    FactGroup,
    FactQuery,
    Figure,
    LineFact,
    ReportWindow,
    StatusGroup,
    group_facts,
)
from crm_returns.domain.money import Money
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput, MissingFigure

WINDOW = ReportWindow(start=date(2026, 1, 1), end=date(2027, 12, 31), zone=ZoneInfo("UTC"))


def _narrowed(group: FactGroup, query: FactQuery) -> FactGroup:
    """``group`` (of every figure) with only what ``query`` asks for kept."""
    dropped: dict[str, Any] = {f.value: None for f in Figure if f not in query.figures}
    asked = {f.value for f in query.figures}
    unknown = tuple((column, n) for column, n in group.unknown if column in asked)
    currency = group.currency if query.by_currency else None
    return attrs.evolve(group, currency=currency, unknown=unknown, **dropped)


@given(
    st.lists(line_facts(), max_size=30),
    st.frozensets(st.sampled_from(Figure)),
    st.booleans(),
    st.lists(st.sampled_from(Dimension), max_size=2, unique=True),
)
def test_a_query_of_a_few_figures_gets_those_of_every_figure_and_nothing_else(
    facts: list[LineFact], figures: frozenset[Figure], counted_only: bool, by: list[Dimension]
) -> None:
    query = FactQuery(window=WINDOW, by=tuple(by), figures=figures, counted_only=counted_only)
    every = attrs.evolve(query, figures=EVERY_FIGURE, counted_only=False)
    if not query.by_currency:
        # Without money, every currency is one group: the same as if the lines had one currency.
        facts = [attrs.evolve(f, currency="CNY") for f in facts]
    expected = [
        _narrowed(g, query)
        for g in group_facts(facts, every)
        if not counted_only or g.group is StatusGroup.COUNTED
    ]

    assert list(group_facts(facts, query)) == expected


def test_without_money_the_lines_of_every_currency_are_one_group() -> None:
    facts = [fact(), fact(return_id="r-2", currency="EUR", merchandise_value=Decimal("7.00"))]
    query = FactQuery(window=WINDOW, figures={Figure.RETURNS, Figure.QUANTITY_RETURNED})

    [group] = group_facts(facts, query)

    assert (group.currency, group.lines, group.count(Figure.RETURNS)) == (None, 2, 2)
    assert group.units() == Decimal(2)
    assert group.merchandise_value is None
    with pytest.raises(MissingFigure) as refused:
        group.money()
    assert refused.value.figure == "merchandise_value"
    with pytest.raises(MissingFigure):
        group.count(Figure.ORDERS)


def test_one_money_figure_groups_by_currency_and_says_what_is_unknown_of_it_alone() -> None:
    facts = [
        fact(refund_paid=None),
        fact(return_id="r-2", currency="EUR", merchandise_value=Decimal("7.00")),
    ]
    query = FactQuery(window=WINDOW, figures={Figure.MERCHANDISE_VALUE})

    groups = group_facts(facts, query)

    assert [(g.currency, g.money()) for g in groups] == [
        ("CNY", Money("100.00", "CNY")),
        ("EUR", Money("7.00", "EUR")),
    ]
    assert all(g.unknown == () for g in groups), "refund_paid was not asked for"
    assert all(g.refund_paid is None and g.returns is None for g in groups)


def test_counted_only_leaves_out_pending_rejected_and_cancelled_returns() -> None:
    facts = [
        fact(),
        fact(return_id="r-2", status=ReturnStatus.SUBMITTED),
        fact(return_id="r-3", status=ReturnStatus.REJECTED),
    ]

    everything = group_facts(facts, FactQuery(window=WINDOW))
    counted = group_facts(facts, FactQuery(window=WINDOW, counted_only=True))

    assert [g.group for g in everything] == [
        StatusGroup.COUNTED,
        StatusGroup.PENDING,
        StatusGroup.REJECTED_OR_CANCELLED,
    ]
    assert counted == everything[:1]


def test_known_dimensions_leave_out_lines_without_a_value() -> None:
    facts = [fact(owner_user="li.wei"), fact(return_id="r-2")]
    by = (Dimension.OWNER,)

    all_owners = group_facts(facts, FactQuery(window=WINDOW, by=by))
    owned = group_facts(facts, FactQuery(window=WINDOW, by=by, known={Dimension.OWNER}))

    assert [g.keys for g in all_owners] == [(None,), ("li.wei",)]
    assert [g.keys for g in owned] == [("li.wei",)]


@pytest.mark.parametrize(
    "changes",
    [
        {"figures": "returns"},
        {"figures": [Figure.RETURNS, "orders"]},
        {"figures": 3},
        {"counted_only": 1},
        {"counted_only": None},
        {"known": {Dimension.OWNER}},
        {"known": ["owner"]},
    ],
)
def test_a_query_refuses_figures_flags_and_known_dimensions_of_the_wrong_kind(
    changes: dict[str, Any],
) -> None:
    with pytest.raises(InvalidInput):
        FactQuery(window=WINDOW, by=(Dimension.REASON,), **changes)


def test_every_money_figure_is_a_money_column_of_the_groups() -> None:
    [group] = group_facts([fact()], FactQuery(window=WINDOW))

    assert all(isinstance(group.money(f), Money) for f in MONEY_FIGURES)
    assert group.count(Figure.RETURNED_ORDERS) == 1
    with pytest.raises(InvalidInput, match="not a count"):
        group.count(Figure.QUANTITY_RETURNED)
    with pytest.raises(InvalidInput, match="not money"):
        group.money(Figure.RETURNS)
