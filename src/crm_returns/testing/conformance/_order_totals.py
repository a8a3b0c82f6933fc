"""The order source's delivered totals: the rates' denominators, as the domain defines them.

Part of :class:`~crm_returns.testing.conformance.OrderSourceContract`, which
runs these tests with its ``order_source_factory`` hook.  The reference is
:func:`~crm_returns.domain.analytics.delivered_totals_of` on the very lines the
factory was given (those ``search`` finds); a source may compute its totals
any way it likes, a ``GROUP BY`` included, and must give the same.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_returns.domain.analytics.delivered import DeliveredTotalsQuery, delivered_totals_of
from crm_returns.domain.analytics.dimensions import DELIVERED_DIMENSIONS, Dimension
from crm_returns.domain.analytics.periods import ReportPeriod
from crm_returns.domain.analytics.rates import DeliveredTotals
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.errors import InvalidInput
from crm_returns.testing.conformance._order_lines import (
    OTHER_TENANT,
    TENANT,
    many_lines,
    other_tenant_lines,
    shop_lines,
)

if TYPE_CHECKING:
    from crm_returns.ports import OrderSource
    from crm_returns.testing.conformance._orders import OrderSourceFactory

__all__ = ["DeliveredTotalsContract"]

UTC_ZONE, SHANGHAI = ZoneInfo("UTC"), ZoneInfo("Asia/Shanghai")
#: Zones the property reads order dates in: ahead of UTC, behind it, with summer time.
_ZONES = (UTC_ZONE, SHANGHAI, ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin"))
_DIMENSIONS = sorted(DELIVERED_DIMENSIONS, key=lambda dimension: dimension.value)
NOVEMBER = date(2026, 11, 1)


def _ask(source: OrderSource, tenant_id: str, query: DeliveredTotalsQuery) -> list[DeliveredTotals]:
    return list(source.delivered_totals(tenant_id, query))


def _described(query: DeliveredTotalsQuery) -> str:
    by = query.by.value if query.by else None
    return f"{query.start}..{query.end} in {query.zone} by {query.period.value}, {by}"


def _assert_defined(
    source: OrderSource, tenant_id: str, lines: Sequence[DeliveredLine], query: DeliveredTotalsQuery
) -> list[DeliveredTotals]:
    """Assert ``source`` gives the totals the definition gives for ``lines``; give them back."""
    expected = list(delivered_totals_of(lines, query))
    found = _ask(source, tenant_id, query)
    assert found == expected, f"delivered_totals({tenant_id!r}, {_described(query)})"
    return expected


def _month(**fields: Any) -> DeliveredTotalsQuery:
    asked: dict[str, Any] = {
        "start": NOVEMBER,
        "end": date(2026, 11, 30),
        "zone": SHANGHAI,
        "period": ReportPeriod.MONTH,
    }
    return DeliveredTotalsQuery(**(asked | fields))


def _late_orders() -> tuple[DeliveredLine, ...]:
    """Two orders of 20 November in UTC; the first is on the 21st in Shanghai."""
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    early = datetime(2026, 11, 20, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    first, second = shop_lines()[0], shop_lines()[6]
    delivered = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    return (
        # 2 × 100 less 20, tax of 13 % added on top: 203.40.
        attrs.evolve(
            first,
            ref=LineRef("SO-2301", "1"),
            ordered_at=late,
            delivered_at=delivered,
            quantity_delivered=Decimal(2),
            unit_price=Money("100", "CNY"),
            line_discount=Money("20", "CNY"),
            prices_include_tax=False,
        ),
        attrs.evolve(
            second,
            ref=LineRef("SO-2302", "1"),
            ordered_at=early,
            delivered_at=delivered,
            unit_price=Money("50", "CNY"),
        ),
    )


@st.composite
def _lines(draw: st.DrawFn) -> list[DeliveredLine]:
    """Made-up lines of one tenant, some not delivered and some delivered with nothing."""
    lines = draw(many_lines())
    empty = draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    return [
        attrs.evolve(line, quantity_delivered=0, line_discount=None) if nothing else line
        for line, nothing in zip(lines, empty, strict=True)
    ]


@st.composite
def _queries(draw: st.DrawFn, lines: list[DeliveredLine]) -> DeliveredTotalsQuery:
    """Queries around the lines' order days: each bound on, or a day off, one of them."""
    zone = draw(st.sampled_from(_ZONES))
    days = [line.ordered_at.astimezone(zone).date() for line in lines] or [NOVEMBER]
    near = st.builds(
        lambda day, off: day + timedelta(days=off), st.sampled_from(days), st.integers(-1, 1)
    )
    start, end = sorted((draw(near), draw(near)))
    return DeliveredTotalsQuery(
        start=start,
        end=end,
        zone=zone,
        period=draw(st.sampled_from(ReportPeriod)),
        by=draw(st.none() | st.sampled_from(_DIMENSIONS)),
    )


class DeliveredTotalsContract:
    """``delivered_totals``: lines delivered, by order cohort in a zone, and by a dimension.

    Mixed into :class:`~crm_returns.testing.conformance.OrderSourceContract`,
    whose ``order_source_factory`` fixture it uses.
    """

    def test_the_shop_delivered_seven_orders_in_november(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Only delivered lines count; an order is counted once; sales are what was paid.

        The undelivered monitor (1,899 yuan) is left out; the order of three
        lines counts once; yuan and dinars are kept apart.
        """
        source = order_source_factory({TENANT: shop_lines()})
        expected = DeliveredTotals(
            cohort=NOVEMBER,
            orders=7,
            units=Decimal("18.5"),
            gross_sales=(Money("4228.70", "CNY"), Money("34.875", "KWD")),
        )
        assert _ask(source, TENANT, _month()) == [expected]
        _assert_defined(source, TENANT, shop_lines(), _month())

    def test_delivered_totals_are_those_the_definition_gives(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Made-up lines and queries (hypothesis): the source gives what the reference gives."""

        # Defined here, not on the class, so that the loaded hypothesis profile applies.
        @settings(
            deadline=None,
            max_examples=min(30, settings().max_examples),
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(data=st.data())
        def totals(data: st.DataObject) -> None:
            lines = data.draw(_lines(), label="lines")
            query = data.draw(_queries(lines), label="query")
            _assert_defined(order_source_factory({TENANT: lines}), TENANT, lines, query)

        totals()

    def test_the_zone_decides_the_day_an_order_falls_on(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Ordered at 23:30 UTC on the 20th: the 21st in Shanghai (UTC+8)."""
        source = order_source_factory({TENANT: _late_orders()})
        twentieth, twenty_first = date(2026, 11, 20), date(2026, 11, 21)

        def days(zone: ZoneInfo) -> DeliveredTotalsQuery:
            return DeliveredTotalsQuery(
                start=twentieth, end=twenty_first, zone=zone, period=ReportPeriod.DAY
            )

        assert _ask(source, TENANT, days(UTC_ZONE)) == [
            DeliveredTotals(
                cohort=date(2026, 11, 20),
                orders=2,
                units=Decimal(3),
                gross_sales=(Money("253.40", "CNY"),),
            )
        ]
        assert _ask(source, TENANT, days(SHANGHAI)) == [
            DeliveredTotals(
                cohort=date(2026, 11, 20),
                orders=1,
                units=Decimal(1),
                gross_sales=(Money(50, "CNY"),),
            ),
            DeliveredTotals(
                cohort=date(2026, 11, 21),
                orders=1,
                units=Decimal(2),
                gross_sales=(Money("203.40", "CNY"),),
            ),
        ]

    def test_order_days_bound_the_range_inclusively_in_the_zone(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """``start`` and ``end`` are local days of the order date, both counted."""
        source = order_source_factory({TENANT: _late_orders()})
        twentieth = date(2026, 11, 20)
        found = {
            (zone.key, offset): _assert_defined(
                source,
                TENANT,
                _late_orders(),
                DeliveredTotalsQuery(
                    start=twentieth + timedelta(days=offset),
                    end=twentieth + timedelta(days=offset),
                    zone=zone,
                    period=ReportPeriod.MONTH,
                ),
            )
            for zone in (UTC_ZONE, SHANGHAI)
            for offset in (-1, 0, 1)
        }
        units = {asked: sum(t.units for t in totals) for asked, totals in found.items()}
        assert units == {
            ("UTC", -1): 0,
            ("UTC", 0): 3,
            ("UTC", 1): 0,
            ("Asia/Shanghai", -1): 0,
            ("Asia/Shanghai", 0): 1,
            ("Asia/Shanghai", 1): 2,
        }

    def test_a_tenant_gets_the_totals_of_its_own_lines(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """With a second tenant holding lines of the same refs, each counts its own only."""
        source = order_source_factory({TENANT: shop_lines(), OTHER_TENANT: other_tenant_lines()})
        for by in (None, *_DIMENSIONS):
            query = _month(by=by)
            assert _assert_defined(source, TENANT, shop_lines(), query)
            assert _assert_defined(source, OTHER_TENANT, other_tenant_lines(), query)
            assert _ask(source, "nobody", query) == []

    def test_totals_by_a_dimension_add_up_to_the_cohorts_totals(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Keys split units and sales exactly; an order with lines under two keys counts in each."""

        @settings(
            deadline=None,
            max_examples=min(20, settings().max_examples),
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(data=st.data())
        def additive(data: st.DataObject) -> None:
            lines = data.draw(_lines(), label="lines")
            whole = data.draw(_queries(lines).map(lambda q: attrs.evolve(q, by=None)))
            source = order_source_factory({TENANT: lines})
            cohorts = {total.cohort: total for total in _ask(source, TENANT, whole)}
            for by in _DIMENSIONS:
                parts = _ask(source, TENANT, attrs.evolve(whole, by=by))
                assert {part.cohort for part in parts} == set(cohorts), by
                for cohort, total in cohorts.items():
                    keyed = [part for part in parts if part.cohort == cohort]
                    assert all(part.key is not None for part in keyed), by
                    assert len({part.key for part in keyed}) == len(keyed), f"{by}: a key twice"
                    assert sum(part.units for part in keyed) == total.units, by
                    sales = [money for part in keyed for money in part.gross_sales]
                    for money in total.gross_sales:
                        assert (
                            Money.total(
                                (m for m in sales if m.currency == money.currency), money.currency
                            )
                            == money
                        ), f"{by}: {money.currency}"
                    assert (
                        max(p.orders for p in keyed) <= total.orders <= sum(p.orders for p in keyed)
                    ), by

        additive()

    def test_a_query_delivered_lines_cannot_answer_is_refused_before_it_is_asked(self) -> None:
        """Bad queries raise ``InvalidInput`` when built: a source never sees one."""
        day = date(2026, 11, 20)
        bad: list[dict[str, Any]] = [
            {"end": day - timedelta(days=1)},
            {"start": datetime(2026, 11, 20, tzinfo=UTC)},
            {"zone": "Asia/Shanghai"},
            {"zone": None},
            {"period": "month"},
            {"by": "sku"},
            *({"by": dimension} for dimension in Dimension if dimension not in _DIMENSIONS),
        ]
        good: dict[str, Any] = {
            "start": day,
            "end": day,
            "zone": SHANGHAI,
            "period": ReportPeriod.DAY,
        }
        for fields in bad:
            with pytest.raises(InvalidInput):
                DeliveredTotalsQuery(**(good | fields))
