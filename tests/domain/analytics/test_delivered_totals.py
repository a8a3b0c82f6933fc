"""Delivered totals: what the host delivered, by order cohort in a zone and by a dimension."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.analytics import (
    DELIVERED_DIMENSIONS,
    DeliveredTotals,
    DeliveredTotalsQuery,
    Dimension,
    ReportPeriod,
    bucket,
    delivered_key,
    delivered_totals_of,
    next_bucket,
)
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.errors import InvalidInput
from crm_returns.testing.strategies import delivered_lines

SHANGHAI, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")
ZONES = [SHANGHAI, NEW_YORK, ZoneInfo("Europe/Berlin"), ZoneInfo("UTC")]
DIMENSIONS = sorted(DELIVERED_DIMENSIONS, key=lambda dimension: dimension.value)
#: Wide enough for every line drawn below (ordered within 37 days before 27 November 2026).
FIRST_DAY, LAST_DAY = date(2026, 10, 1), date(2026, 11, 30)


def line(order: str, ordered_at: datetime, **fields: Any) -> DeliveredLine:
    values: dict[str, Any] = {
        "ref": LineRef(order, fields.pop("line_id", "1")),
        "customer_id": "C-1",
        "customer_name": "张伟",
        "sku": "MS-200",
        "product_name": "Wireless Mouse",
        "category": "accessories",
        "quantity_delivered": Decimal(1),
        "unit_price": Money("100", "CNY"),
        "ordered_at": ordered_at,
        "delivered_at": ordered_at + timedelta(days=2),
    }
    return DeliveredLine(**(values | fields))


def query(period: ReportPeriod = ReportPeriod.MONTH, **fields: Any) -> DeliveredTotalsQuery:
    asked: dict[str, Any] = {"start": FIRST_DAY, "end": LAST_DAY, "zone": SHANGHAI}
    return DeliveredTotalsQuery(period=period, **(asked | fields))


@st.composite
def shop(draw: st.DrawFn) -> list[DeliveredLine]:
    """A tenant's lines over a few orders and customers; some undelivered, some of nothing."""
    refs = st.builds(LineRef, st.sampled_from(("SO-1", "SO-2", "SO-3")), st.sampled_from("123"))
    made = draw(
        st.lists(
            delivered_lines(ref=refs, customer_id=st.sampled_from(("C-1", "C-2"))),
            max_size=10,
            unique_by=lambda made: made.ref,
        )
    )
    lines = []
    for drawn in made:
        fate = draw(st.sampled_from(("delivered", "delivered", "pending", "nothing")))
        if fate == "pending":
            drawn = attrs.evolve(drawn, delivered_at=None)
        elif fate == "nothing":
            drawn = attrs.evolve(drawn, quantity_delivered=0, line_discount=None)
        lines.append(drawn)
    return lines


def counted(lines: Iterable[DeliveredLine]) -> list[DeliveredLine]:
    return [x for x in lines if x.delivered_at is not None and x.quantity_delivered > 0]


def sales(totals: Iterable[DeliveredTotals]) -> dict[str, Money]:
    summed: dict[str, Money] = {}
    for money in (money for total in totals for money in total.gross_sales):
        summed[money.currency] = summed.get(money.currency, Money.zero(money.currency)) + money
    return summed


# -- what counts --------------------------------------------------------------------------


def test_gross_sales_are_what_was_paid_tax_included_after_discounts() -> None:
    ordered = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    lines = [
        # 3 × 100 less 30 less an order discount of 20, 13 % tax on top: 282.50.
        line("SO-1", ordered, quantity_delivered=Decimal(3), line_discount=Money("30", "CNY"),
             order_discount=Money("20", "CNY"), tax_rate=Decimal("0.13"),
             prices_include_tax=False, shipping=Money("15", "CNY")),
        line("SO-1", ordered, line_id="2", unit_price=Money("9.99", "CNY")),
        line("SO-2", ordered, unit_price=Money("3000", "JPY")),
        line("SO-3", ordered, delivered_at=None),  # not delivered yet
        line("SO-4", ordered, quantity_delivered=Decimal(0)),  # nothing delivered
    ]  # fmt: skip

    assert delivered_totals_of(lines, query()) == (
        DeliveredTotals(
            cohort=date(2026, 11, 1),
            orders=2,
            units=Decimal(5),
            gross_sales=(Money("292.49", "CNY"), Money("3000", "JPY")),
        ),
    )
    assert sales(delivered_totals_of(lines, query()))["CNY"] == (
        lines[0].pricing().total + lines[1].pricing().total
    )


def test_the_zone_decides_the_cohort_and_the_days_counted() -> None:
    # 23:30 UTC on 31 October: 1 November in Shanghai, still October in New York.
    late = line("SO-1", datetime(2026, 10, 31, 23, 30, tzinfo=UTC))

    assert [t.cohort for t in delivered_totals_of([late], query())] == [date(2026, 11, 1)]
    assert [t.cohort for t in delivered_totals_of([late], query(zone=NEW_YORK))] == [
        date(2026, 10, 1)
    ]
    end_of_october = date(2026, 10, 31)
    assert delivered_totals_of([late], query(end=end_of_october)) == ()
    assert len(delivered_totals_of([late], query(zone=NEW_YORK, end=end_of_october))) == 1


def test_totals_by_a_dimension_carry_its_value_as_their_key() -> None:
    ordered = datetime(2026, 11, 3, tzinfo=UTC)
    lines = [
        line("SO-1", ordered, category="displays", sku="MON-27", product_name='27" Monitor'),
        line("SO-1", ordered, line_id="2"),
        line("SO-2", ordered, customer_id="C-2"),
    ]

    by_category = delivered_totals_of(lines, query(by=Dimension.CATEGORY))

    assert [(t.key, t.orders, t.units) for t in by_category] == [
        ("accessories", 2, Decimal(2)),
        ("displays", 1, Decimal(1)),
    ]
    assert [t.key for t in delivered_totals_of(lines, query(by=Dimension.CUSTOMER))] == [
        "C-1",
        "C-2",
    ]
    assert [delivered_key(Dimension.PRODUCT, x) for x in lines[:2]] == [
        '27" Monitor',
        "Wireless Mouse",
    ]
    assert {t.key for t in delivered_totals_of(lines, query())} == {None}


def test_a_query_refuses_what_delivered_lines_cannot_answer() -> None:
    day = date(2026, 11, 3)
    for bad in (
        {"end": day - timedelta(days=1)},
        {"start": datetime(2026, 11, 3, tzinfo=UTC)},
        {"zone": "Asia/Shanghai"},
        {"period": "week"},
        {"by": "sku"},
        {"by": Dimension.REASON},
        {"by": Dimension.OWNER},
    ):
        with pytest.raises(InvalidInput):
            query(**({"start": day, "end": day} | bad))
    with pytest.raises(InvalidInput):
        delivered_key(Dimension.LOCATION, line("SO-1", datetime(2026, 11, 3, tzinfo=UTC)))
    with pytest.raises(InvalidInput, match="DeliveredTotalsQuery"):
        delivered_totals_of([], {"start": FIRST_DAY})  # type: ignore[arg-type]


# -- invariants -----------------------------------------------------------------------------


@given(
    shop(),
    st.sampled_from(ReportPeriod),
    st.sampled_from(DIMENSIONS),
    st.sampled_from(ZONES),
)
def test_keys_split_each_cohorts_units_and_sales_exactly(
    lines: list[DeliveredLine], period: ReportPeriod, by: Dimension, zone: ZoneInfo
) -> None:
    whole = delivered_totals_of(lines, query(period, zone=zone))
    parts = delivered_totals_of(lines, query(period, zone=zone, by=by))

    for total in whole:
        keyed = [part for part in parts if part.cohort == total.cohort]
        assert sum(part.units for part in keyed) == total.units
        assert sales(keyed) == sales([total])
        # An order with lines under two keys counts once under each.
        assert max(p.orders for p in keyed) <= total.orders <= sum(p.orders for p in keyed)
    assert {part.cohort for part in parts} == {total.cohort for total in whole}


@given(shop(), st.sampled_from(ReportPeriod), st.sampled_from(DIMENSIONS))
def test_keys_partition_the_lines_delivered(
    lines: list[DeliveredLine], period: ReportPeriod, by: Dimension
) -> None:
    parts = delivered_totals_of(lines, query(period, by=by))

    for part in parts:
        assert part.key is not None
        # The lines of one key, totalled alone, are that key's totals.
        own = [x for x in lines if delivered_key(by, x) == part.key]
        (alone,) = [t for t in delivered_totals_of(own, query(period)) if t.cohort == part.cohort]
        assert attrs.evolve(alone, key=part.key) == part
    counted_keys = {
        (bucket(x.ordered_at, period, SHANGHAI), delivered_key(by, x)) for x in counted(lines)
    }
    assert {(part.cohort, part.key) for part in parts} == counted_keys


@given(shop(), st.sampled_from([ReportPeriod.WEEK, ReportPeriod.MONTH, ReportPeriod.QUARTER]))
def test_the_days_of_a_period_add_up_to_it(
    lines: list[DeliveredLine], period: ReportPeriod
) -> None:
    days = delivered_totals_of(lines, query(ReportPeriod.DAY))

    for total in delivered_totals_of(lines, query(period)):
        inside = [d for d in days if total.cohort <= d.cohort < next_bucket(total.cohort, period)]
        assert sum(d.units for d in inside) == total.units
        assert sales(inside) == sales([total])
        assert total.orders <= sum(d.orders for d in inside)


@given(shop(), st.sampled_from(ZONES), st.integers(0, 59))
def test_two_ranges_of_days_split_the_totals_of_both(
    lines: list[DeliveredLine], zone: ZoneInfo, split: int
) -> None:
    first_end = FIRST_DAY + timedelta(days=split)
    whole = delivered_totals_of(lines, query(ReportPeriod.DAY, zone=zone))
    before = delivered_totals_of(lines, query(ReportPeriod.DAY, zone=zone, end=first_end))
    after = delivered_totals_of(
        lines, query(ReportPeriod.DAY, zone=zone, start=first_end + timedelta(days=1))
    )

    assert before + after == whole


@given(shop(), st.sampled_from(ReportPeriod), st.none() | st.sampled_from(DIMENSIONS))
def test_totals_count_delivered_units_only_in_cohort_order_whatever_the_lines_order(
    lines: list[DeliveredLine], period: ReportPeriod, by: Dimension | None
) -> None:
    totals = delivered_totals_of(lines, query(period, by=by))

    assert delivered_totals_of(lines[::-1], query(period, by=by)) == totals
    assert delivered_totals_of(counted(lines), query(period, by=by)) == totals
    assert sum(t.units for t in totals) == sum(x.quantity_delivered for x in counted(lines))
    ordering = [(t.cohort, t.key or "") for t in totals]
    assert ordering == sorted(set(ordering))
