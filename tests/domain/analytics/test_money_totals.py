"""Money of returns is totalled per currency, never across currencies."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from tests.domain.analytics.fact_support import fact, line_facts

from crm_returns.domain.analytics import MONEY_COLUMNS, LineFact, money_totals
from crm_returns.domain.money import Money


@given(st.lists(line_facts(), max_size=25))
def test_each_currency_totals_the_known_amounts_of_its_own_lines(facts: list[LineFact]) -> None:
    totals = money_totals(facts)

    assert [t.currency for t in totals] == sorted({f.currency for f in facts})
    for total in totals:
        mine = [f for f in facts if f.currency == total.currency]
        assert total.lines == len(mine)
        for column in MONEY_COLUMNS:
            known = [getattr(f, column) for f in mine if getattr(f, column) is not None]
            amount: Money = getattr(total, column)
            assert amount == Money(sum(known, Decimal(0)), total.currency)
        unknown = dict(total.unknown)
        for column in MONEY_COLUMNS:
            missing = sum(getattr(f, column) is None for f in mine)
            assert unknown.get(column, 0) == missing


def test_yuan_and_yen_stay_apart() -> None:
    cny, jpy = money_totals(
        [
            fact(merchandise_value=Decimal("10.50")),
            fact(currency="JPY", merchandise_value=Decimal(300)),
            fact(merchandise_value=Decimal("1.25"), write_off=Decimal("0.00")),
        ]
    )

    assert cny.merchandise_value == Money("11.75", "CNY")
    assert jpy.merchandise_value == Money(300, "JPY")
    assert dict(cny.unknown)["write_off"] == 1
    assert dict(cny.unknown)["return_shipping_fee"] == 2
