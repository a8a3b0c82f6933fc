"""A return becomes one return fact: its lines' units and money added up exactly, once each."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.analytics.fact_support import T0, fact
from tests.domain.analytics.return_support import many_returns, return_lines

from crm_returns.domain.analytics import MONEY_COLUMNS, LineFact, return_fact, return_facts
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

QUANTITY_COLUMNS = (
    "quantity_requested",
    "quantity_approved",
    "quantity_received",
    "quantity_accepted",
    "quantity_returned",
)


def _lines_of(facts: list[LineFact], tenant_id: str, return_id: str) -> list[LineFact]:
    return [f for f in facts if (f.tenant_id, f.return_id) == (tenant_id, return_id)]


@given(many_returns())
def test_each_return_totals_exactly_the_units_and_money_of_its_own_lines(
    facts: list[LineFact],
) -> None:
    for row in return_facts(facts):
        mine = _lines_of(facts, row.tenant_id, row.return_id)
        assert row.line_count == len(mine)
        for column in QUANTITY_COLUMNS:
            assert getattr(row, column) == sum(getattr(f, column) for f in mine)
        for column in MONEY_COLUMNS:
            amounts = [getattr(f, column) for f in mine]
            expected = None if None in amounts else sum(amounts)
            assert getattr(row, column) == expected, column


@given(many_returns())
def test_returns_lose_and_repeat_no_line(facts: list[LineFact]) -> None:
    rows = return_facts(facts)

    assert sum(row.line_count for row in rows) == len(facts)
    assert len({(row.tenant_id, row.return_id) for row in rows}) == len(rows)
    for column in QUANTITY_COLUMNS:
        assert sum(getattr(row, column) for row in rows) == sum(getattr(f, column) for f in facts)
    for currency in {f.currency for f in facts}:
        assert sum(r.merchandise_value for r in rows if r.currency == currency) == sum(
            f.merchandise_value for f in facts if f.currency == currency
        )


@given(return_lines(), st.randoms())
def test_a_return_fact_does_not_depend_on_the_order_of_its_lines(
    lines: tuple[LineFact, ...], random: Random
) -> None:
    shuffled = list(lines)
    random.shuffle(shuffled)

    assert return_fact(shuffled) == return_fact(lines)


@given(return_lines())
def test_the_columns_a_return_has_once_come_from_its_lines(lines: tuple[LineFact, ...]) -> None:
    row = return_fact(lines)
    first = lines[0]

    for column in ("tenant_id", "return_id", "return_number", "customer_id", "status",
                   "currency", "owner_user", "owner_team", "returned_at", "submitted_at",
                   "approved_at", "goods_back_at", "inspected_at", "refund_paid_at",
                   "completed_at", "satisfaction", "decline_reason"):  # fmt: skip
        assert getattr(row, column) == getattr(first, column), column


def test_returns_come_in_the_order_they_first_appear() -> None:
    facts = [fact(return_id="r-2"), fact(return_id="r-1"), fact(return_id="r-2", line_id="2")]

    assert [(r.return_id, r.line_count) for r in return_facts(facts)] == [("r-2", 2), ("r-1", 1)]


def test_two_tenants_with_the_same_return_id_make_two_returns() -> None:
    rows = return_facts([fact(tenant_id="t-1"), fact(tenant_id="t-2")])

    assert [r.tenant_id for r in rows] == ["t-1", "t-2"]


def test_amounts_add_up_to_the_cent_and_keep_their_places() -> None:
    row = return_fact(
        [
            fact(merchandise_value=Decimal("0.10")),
            fact(line_id="2", merchandise_value=Decimal("0.20")),
        ]
    )

    assert str(row.merchandise_value) == "0.30"


def test_a_money_column_unknown_on_one_line_is_unknown_for_the_return() -> None:
    row = return_fact(
        [
            fact(refund_granted=Decimal("80.00"), write_off=Decimal("0.00")),
            fact(line_id="2", refund_granted=None, write_off=Decimal("12.50")),
        ]
    )

    assert row.refund_granted is None
    assert row.write_off == Decimal("12.50")
    assert row.merchandise_value == Decimal("200.00")


def test_a_return_of_one_order_names_it_and_one_of_several_counts_them() -> None:
    one = return_fact([fact(), fact(line_id="2")])
    several = return_fact(
        [fact(), fact(order_number="SO-2"), fact(order_number="SO-2", line_id="2")]
    )

    assert (one.order_number, one.order_count) == ("SO-1", 1)
    assert (several.order_number, several.order_count) == (None, 2)


def test_the_return_spans_from_its_first_order_to_its_last_delivery() -> None:
    day = timedelta(days=1)
    row = return_fact(
        [
            fact(ordered_at=T0, delivered_at=T0 + 2 * day),
            fact(line_id="2", ordered_at=T0 - day, delivered_at=T0 + day),
        ]
    )

    assert (row.first_ordered_at, row.last_delivered_at) == (T0 - day, T0 + 2 * day)


def test_an_order_date_unknown_on_one_line_is_unknown_for_the_return() -> None:
    row = return_fact([fact(ordered_at=T0, delivered_at=T0), fact(line_id="2", ordered_at=None)])

    assert (row.first_ordered_at, row.last_delivered_at) == (None, None)


def test_a_return_fact_needs_a_line() -> None:
    with pytest.raises(InvalidInput, match="at least one line fact"):
        return_fact([])


def test_lines_of_two_returns_do_not_make_one_return_fact() -> None:
    with pytest.raises(InvalidInput, match="two returns"):
        return_fact([fact(), fact(return_id="r-2")])


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("status", ReturnStatus.APPROVED),
        ("currency", "EUR"),
        ("satisfaction", 5),
        ("completed_at", T0),
        ("owner_team", "team-b"),
    ],
)
def test_lines_that_disagree_on_a_column_of_the_return_are_refused(
    column: str, value: object
) -> None:
    lines = [fact(), fact(line_id="2", **{column: value})]

    with pytest.raises(InvalidInput, match=f"disagree on {column}"):
        return_fact(lines)
    with pytest.raises(InvalidInput, match=f"disagree on {column}"):
        return_facts(lines)
