"""The three return rates, by order cohort, with one exact rounding and no division by zero."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.analytics.fact_support import fact

from crm_returns.domain.analytics import (
    DeliveredTotals,
    ReportPeriod,
    cohort_rates,
    ratio,
)
from crm_returns.domain.money import Money
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = date(2026, 3, 1)


def test_ratios_round_once_half_even_to_six_places() -> None:
    assert ratio(1, 3) == Decimal("0.333333")
    assert ratio(2, 3) == Decimal("0.666667")
    assert ratio(1, 2_000_000) == Decimal("0.000000")  # a tie rounds to even
    assert ratio(3, 2_000_000) == Decimal("0.000002")
    assert ratio(Decimal("2.5"), Decimal("10")) == Decimal("0.250000")


def test_a_ratio_of_nothing_is_none_not_an_error() -> None:
    assert ratio(0, 0) is None
    assert ratio(Decimal(5), Decimal("0.00")) is None


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_ratios_agree_with_a_long_decimal_division(part: int, whole: int) -> None:
    with localcontext() as context:
        context.prec = 60
        expected = (Decimal(part) / Decimal(whole)).quantize(Decimal("0.000001"))

    assert ratio(part, whole) == expected


@given(st.integers(0, 10**6).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))))
def test_a_rate_is_between_zero_and_one_when_no_more_is_returned_than_delivered(
    pair: tuple[int, int],
) -> None:
    returned, delivered = pair
    rate = ratio(returned, delivered)

    if delivered == 0:
        assert rate is None
    else:
        assert rate is not None
        assert Decimal(0) <= rate <= Decimal(1)


def _rates(facts: list, totals: list[DeliveredTotals], as_of: datetime) -> tuple:  # type: ignore[type-arg]
    return cohort_rates(
        facts,
        totals,
        period=ReportPeriod.MONTH,
        zone=SHANGHAI,
        as_of=as_of,
        return_window=timedelta(days=30),
    )


def test_the_three_rates_of_a_cohort_each_say_what_they_divide() -> None:
    ordered = datetime(2026, 3, 10, tzinfo=UTC)
    facts = [
        fact(order_number="SO-1", quantity_returned=Decimal(2), merchandise_value=Decimal("200.00"),
             ordered_at=ordered),
        fact(order_number="SO-1", line_id="2", quantity_returned=Decimal(1),
             merchandise_value=Decimal("50.00"), ordered_at=ordered),
        fact(order_number="SO-2", quantity_returned=Decimal(1), currency="JPY",
             merchandise_value=Decimal(3000), ordered_at=ordered),
        # Not counted: rejected, pending, or of another cohort.
        fact(order_number="SO-3", status=ReturnStatus.REJECTED, ordered_at=ordered),
        fact(order_number="SO-4", status=ReturnStatus.SUBMITTED, ordered_at=ordered),
        fact(order_number="SO-5", ordered_at=datetime(2026, 4, 2, tzinfo=UTC)),
    ]  # fmt: skip
    totals = [
        DeliveredTotals(
            cohort=MARCH,
            orders=8,
            units=Decimal(40),
            gross_sales=(Money("10000.00", "CNY"), Money(60000, "JPY")),
        )
    ]

    (march,) = _rates(facts, totals, datetime(2026, 6, 1, tzinfo=UTC))

    assert (march.units_returned, march.unit_rate) == (Decimal(4), Decimal("0.100000"))
    assert (march.orders_returned, march.order_rate) == (2, Decimal("0.250000"))
    cny, jpy = march.value
    assert (cny.currency, cny.returned, cny.rate) == (
        "CNY",
        Money("250.00", "CNY"),
        Decimal("0.025"),
    )
    assert (jpy.currency, jpy.returned, jpy.rate) == ("JPY", Money(3000, "JPY"), Decimal("0.05"))
    assert march.mature


def test_a_cohort_younger_than_the_return_window_is_immature() -> None:
    totals = [DeliveredTotals(cohort=MARCH, orders=1, units=Decimal(1))]
    # March ends 2026-03-31 16:00 UTC in Shanghai; its window 30 days later.
    ends = datetime(2026, 3, 31, 16, 0, tzinfo=UTC) + timedelta(days=30)

    assert not _rates([], totals, ends - timedelta(seconds=1))[0].mature
    assert _rates([], totals, ends)[0].mature


def test_a_cohort_with_nothing_delivered_has_no_rates_rather_than_an_error() -> None:
    (empty,) = _rates([fact()], [DeliveredTotals(cohort=MARCH, orders=0, units=Decimal(0))],
                      datetime(2026, 6, 1, tzinfo=UTC))  # fmt: skip

    assert (empty.unit_rate, empty.order_rate) == (None, None)
    assert empty.value[0].gross_sales is None
    assert empty.value[0].rate is None


def test_delivered_totals_must_name_a_period_start_once() -> None:
    as_of = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="does not start a month"):
        _rates([], [DeliveredTotals(cohort=date(2026, 3, 2), orders=1, units=Decimal(1))], as_of)
    twice = [DeliveredTotals(cohort=MARCH, orders=1, units=Decimal(1))] * 2
    with pytest.raises(InvalidInput, match="two delivered totals"):
        _rates([], twice, as_of)
    with pytest.raises(InvalidInput, match="currency twice"):
        DeliveredTotals(cohort=MARCH, orders=1, units=Decimal(1),
                        gross_sales=(Money(1, "CNY"), Money(2, "CNY")))  # fmt: skip


def test_rates_take_the_delivered_totals_of_whole_cohorts_not_of_one_key() -> None:
    one_sku = DeliveredTotals(cohort=MARCH, orders=1, units=Decimal(1), key="MS-200")

    assert one_sku.key == "MS-200"
    assert DeliveredTotals(cohort=MARCH, orders=1, units=Decimal(1)).key is None
    with pytest.raises(InvalidInput, match="not the whole cohort"):
        _rates([], [one_sku], datetime(2026, 6, 1, tzinfo=UTC))
    for bad in ("", 7, Decimal(1)):
        with pytest.raises(InvalidInput, match="key"):
            DeliveredTotals(cohort=MARCH, orders=1, units=Decimal(1), key=bad)  # type: ignore[arg-type]
