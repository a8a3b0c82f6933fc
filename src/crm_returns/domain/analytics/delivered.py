"""What the host delivered, totalled by order cohort: the denominators of the rates.

The order-source port answers ``delivered_totals(tenant_id, query)`` with
:class:`~crm_returns.domain.analytics.rates.DeliveredTotals`, and
:func:`delivered_totals_of` is the definition of that answer, written out on
a host's own delivered lines, so that a host whose orders live in memory or
in files can call it, and one whose orders live in a database can check its
``GROUP BY`` against it (the conformance contract does).

What counts:

- a line counts when it **has been delivered** (``delivered_at`` is set) and
  its ``quantity_delivered`` is more than zero: the rates divide what came
  back by what went out, and nothing went out on the others.  A line the
  host refunded outside returns (``fully_refunded``) was delivered and
  counts;
- its **cohort** is the first local day of the period holding its
  ``ordered_at`` in the query's zone (:func:`bucket`), and it counts when
  the local day of its ``ordered_at`` is from ``start`` to ``end``, both
  inclusive;
- **orders** are distinct order numbers with a counted line, per cohort (and
  key); **units** add up ``quantity_delivered``; **gross sales** add up
  what the customer paid for each line (:attr:`DeliveredLine.amount_paid`:
  tax included, after line and order discounts, without shipping), one
  amount per currency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.domain.analytics.dimensions import DELIVERED_DIMENSIONS, Dimension
from crm_returns.domain.analytics.periods import ReportPeriod, bucket
from crm_returns.domain.analytics.rates import DeliveredTotals
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine
from crm_returns.errors import InvalidInput

__all__ = ["DeliveredTotalsQuery", "delivered_key", "delivered_totals_of"]


def _day(instance: object, attribute: attrs.Attribute[date], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{attribute.name} must be a local day (a date), got {value!r}")


def _zone(value: object) -> tzinfo:
    if not isinstance(value, tzinfo):
        raise InvalidInput(f"zone must be a time zone (zoneinfo.ZoneInfo), got {value!r}")
    return value


def _period(instance: object, attribute: attrs.Attribute[ReportPeriod], value: object) -> None:
    if not isinstance(value, ReportPeriod):
        raise InvalidInput(f"period must be a ReportPeriod, got {value!r}")


def _by(instance: object, attribute: attrs.Attribute[Dimension | None], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Dimension) or value not in DELIVERED_DIMENSIONS:
        known = ", ".join(sorted(d.value for d in DELIVERED_DIMENSIONS))
        raise InvalidInput(f"delivered totals break down by one of {known} or none, not {value!r}")


@attrs.frozen(kw_only=True)
class DeliveredTotalsQuery:
    """Which delivered totals to give: order dates, time zone, period and dimension.

    Attributes:
        start: First local day of order dates counted (inclusive).
        end: Last local day of order dates counted (inclusive).
        zone: The time zone order dates are read in (``zoneinfo.ZoneInfo``);
            there is no default, because the day an order falls on depends on it.
        period: The cohorts' period (day, ISO week, month, quarter).
        by: The dimension totals are broken down by, one of
            :data:`~crm_returns.domain.analytics.dimensions.DELIVERED_DIMENSIONS`
            (product, SKU, category, customer); ``None`` for whole cohorts.

    Raises:
        InvalidInput: ``end`` is before ``start``, a day is not a date,
            ``zone`` is not a time zone, ``period`` is not a
            :class:`ReportPeriod`, or ``by`` is not a dimension delivered
            lines know.
    """

    start: date = attrs.field(validator=_day)
    end: date = attrs.field(validator=_day)
    zone: tzinfo = attrs.field(converter=_zone)
    period: ReportPeriod = attrs.field(validator=_period)
    by: Dimension | None = attrs.field(default=None, validator=_by)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(f"the order dates end ({self.end}) before they start ({self.start})")


_LINE_COLUMNS: Final[dict[Dimension, Callable[[DeliveredLine], str]]] = {
    Dimension.PRODUCT: lambda line: line.product_name,
    Dimension.SKU: lambda line: line.sku,
    Dimension.CATEGORY: lambda line: line.category,
    Dimension.CUSTOMER: lambda line: line.customer_id,
}


def delivered_key(dimension: Dimension, line: DeliveredLine) -> str:
    """The value of ``line`` on ``dimension``, as a line fact of it would give it.

    Product is the product name, SKU the SKU, category the category code and
    customer the host's customer id, as the host gave them.

    Raises:
        InvalidInput: ``dimension`` is not one delivered lines know.
    """
    column = _LINE_COLUMNS.get(dimension)
    if column is None:
        raise InvalidInput(f"delivered lines know no {dimension!r}")
    return column(line)


@attrs.define
class _Sums:
    orders: set[str] = attrs.field(factory=set)
    units: Decimal = Decimal(0)
    sales: dict[str, Money] = attrs.field(factory=dict)


def delivered_totals_of(
    lines: Iterable[DeliveredLine], query: DeliveredTotalsQuery
) -> tuple[DeliveredTotals, ...]:
    """The delivered totals of ``lines`` that ``query`` asks for, by cohort and key.

    Give it every line of one tenant (or only those ordered around the
    query's days: others are left out anyway).  Only cohorts, and keys, with
    something delivered appear; they are sorted by cohort, then key.

    Args:
        lines: One tenant's delivered order lines.
        query: Order dates, zone, period and dimension.

    Raises:
        InvalidInput: ``query`` is not a :class:`DeliveredTotalsQuery`.
    """
    if not isinstance(query, DeliveredTotalsQuery):
        raise InvalidInput(f"query must be a DeliveredTotalsQuery, got {query!r}")
    sums: dict[tuple[date, str | None], _Sums] = {}
    for line in lines:
        if line.delivered_at is None or line.quantity_delivered <= 0:
            continue
        if not query.start <= bucket(line.ordered_at, ReportPeriod.DAY, query.zone) <= query.end:
            continue
        cohort = bucket(line.ordered_at, query.period, query.zone)
        key = None if query.by is None else delivered_key(query.by, line)
        found = sums.setdefault((cohort, key), _Sums())
        found.orders.add(line.ref.order_number)
        found.units += line.quantity_delivered
        paid = line.amount_paid
        found.sales[paid.currency] = found.sales.get(paid.currency, Money.zero(paid.currency)) + (
            paid
        )
    return tuple(
        DeliveredTotals(
            cohort=cohort,
            key=key,
            orders=len(found.orders),
            units=found.units,
            gross_sales=tuple(found.sales.values()),
        )
        for (cohort, key), found in sorted(sums.items(), key=lambda item: _order(*item[0]))
    )


def _order(cohort: date, key: str | None) -> tuple[date, str]:
    return cohort, "" if key is None else key
