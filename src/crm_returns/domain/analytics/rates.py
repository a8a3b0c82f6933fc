"""The three return rates, by order-date cohort, and the one rounding every ratio uses.

There is no unqualified "return rate": each figure says what it divides.

- **unit rate** = units returned ÷ units delivered, of the same orders;
- **order rate** = orders with at least one returned unit ÷ orders;
- **value rate** = merchandise value returned ÷ gross sales, per currency.

Cohorts are the orders placed in one period (day, week, month or quarter) in
the report's time zone; a cohort whose last order is younger than the return
window is *immature*: its returns are still coming, and its rates will rise.
What was delivered is an input (:class:`DeliveredTotals`), taken from the
host's order data by the order-source port's ``delivered_totals``, as
:mod:`crm_returns.domain.analytics.delivered` defines them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.domain.analytics.facts import LineFact
from crm_returns.domain.analytics.periods import (
    COUNTED,
    ReportPeriod,
    bucket,
    next_bucket,
    start_of_day,
)
from crm_returns.domain.money import Money
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

__all__ = [
    "RATE_PLACES",
    "CohortRates",
    "DeliveredTotals",
    "Returned",
    "ValueRate",
    "cohort_rates",
    "rates_of",
    "ratio",
]

#: Decimal places every ratio (rate, share) is rounded to, half-even.
RATE_PLACES: Final = 6
_SCALE: Final = 10**RATE_PLACES


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part ÷ whole``, rounded once, half-even, to :data:`RATE_PLACES` places.

    ``None`` when ``whole`` is zero: a ratio of nothing is unknown, not an error.

    The division is done on exact integers, so every store and platform gives
    the same digits.
    """
    if whole == 0:
        return None
    a, b = Decimal(part).as_integer_ratio()
    c, d = Decimal(whole).as_integer_ratio()
    numerator, denominator = a * d * _SCALE, b * c
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return Decimal(quotient).scaleb(-RATE_PLACES)


def _money_tuple(value: Iterable[Money]) -> tuple[Money, ...]:
    if not isinstance(value, (tuple, list)):
        raise InvalidInput(f"gross_sales must be a tuple of Money, got {value!r}")
    amounts = tuple(value)
    if not all(isinstance(m, Money) for m in amounts):
        raise InvalidInput("gross_sales must be Money, one per currency")
    currencies = [m.currency for m in amounts]
    if len(set(currencies)) != len(currencies):
        raise InvalidInput(f"gross_sales gives a currency twice: {sorted(currencies)}")
    return tuple(sorted(amounts, key=lambda m: m.currency))


def _count(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{attribute.name} must be a whole number of at least 0, got {value!r}")


def _cohort(instance: object, attribute: attrs.Attribute[date], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"cohort must be the first local day of a period, got {value!r}")


def _key(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise InvalidInput(f"key must be a dimension's value (text) or None, got {value!r}")


def _units(value: object) -> Decimal:
    if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        raise InvalidInput(f"units must be a Decimal, got {value!r}")
    units = Decimal(value)
    if not units.is_finite() or units < 0:
        raise InvalidInput(f"units must be finite and not negative, got {value!r}")
    return units


@attrs.frozen(kw_only=True)
class DeliveredTotals:
    """What the host delivered to one order cohort: the denominators of the rates.

    Attributes:
        cohort: First local day of the cohort's period (as :func:`bucket` gives it).
        orders: Orders placed in the cohort with something delivered.
        units: Units delivered on them.
        gross_sales: What those orders sold for (tax included, after
            discounts), one amount per currency.
        key: The value of the dimension the totals are broken down by (a
            SKU, a category...), or ``None`` for the whole cohort; see
            :class:`~crm_returns.domain.analytics.delivered.DeliveredTotalsQuery`.
    """

    cohort: date = attrs.field(validator=_cohort)
    orders: int = attrs.field(validator=_count)
    units: Decimal = attrs.field(converter=_units)
    gross_sales: tuple[Money, ...] = attrs.field(default=(), converter=_money_tuple)
    key: str | None = attrs.field(default=None, validator=_key)


@attrs.frozen(kw_only=True)
class ValueRate:
    """The value rate of a cohort in one currency.

    Attributes:
        currency: The currency.
        returned: Merchandise value returned.
        gross_sales: Gross sales (``None``: the host gave none in this currency).
        rate: ``returned ÷ gross_sales`` (``None`` when gross sales are zero or unknown).
    """

    currency: str
    returned: Money
    gross_sales: Money | None
    rate: Decimal | None


@attrs.frozen(kw_only=True)
class CohortRates:
    """The three rates of one order cohort.

    Attributes:
        cohort: First local day of the cohort's period.
        period: The cohort's period.
        mature: Whether the return window of the cohort's last possible order
            has ended at ``as_of``; an immature cohort's rates will still rise.
        units_returned: Units returned (``quantity_returned`` of counted lines).
        units_delivered: Units delivered (input).
        unit_rate: ``units_returned ÷ units_delivered``.
        orders_returned: Orders with at least one counted line with units returned.
        orders: Orders (input).
        order_rate: ``orders_returned ÷ orders``.
        value: The value rate per currency, sorted by currency.
        key: The dimension's value (a SKU, a category, ...) when the rates are
            of one key of a dimension; ``None`` for the whole cohort.
    """

    cohort: date
    period: ReportPeriod
    mature: bool
    units_returned: Decimal
    units_delivered: Decimal
    unit_rate: Decimal | None
    orders_returned: int
    orders: int
    order_rate: Decimal | None
    value: tuple[ValueRate, ...]
    key: str | None = None


def cohort_rates(
    facts: Iterable[LineFact],
    delivered: Iterable[DeliveredTotals],
    *,
    period: ReportPeriod,
    zone: tzinfo,
    as_of: datetime,
    return_window: timedelta,
    statuses: frozenset[ReturnStatus] = COUNTED,
) -> tuple[CohortRates, ...]:
    """The rates of every cohort given in ``delivered``, oldest first.

    A line counts when its return's status is in ``statuses`` and its order
    date falls in a cohort; lines without an order date, or of a cohort not
    in ``delivered``, are not counted (their denominator is unknown).

    Args:
        facts: Line facts.
        delivered: The delivered totals, one per cohort.
        period: The cohorts' period.
        zone: The time zone cohorts are read in.
        as_of: The moment the report is made (for maturity).
        return_window: How long after ordering a return may still be asked for.
        statuses: Statuses counted (approved onwards by default).

    Raises:
        InvalidInput: Two totals for one cohort, a cohort that does not start
            a period, totals of one key of a dimension (not of the whole
            cohort), or a naive ``as_of``.
    """
    units: dict[date, Decimal] = {}
    orders: dict[date, set[str]] = {}
    values: dict[date, dict[str, Money]] = {}
    for fact in facts:
        if fact.status not in statuses or fact.ordered_at is None:
            continue
        cohort = bucket(fact.ordered_at, period, zone)
        units[cohort] = units.get(cohort, Decimal(0)) + fact.quantity_returned
        if fact.quantity_returned:
            orders.setdefault(cohort, set()).add(fact.order_number)
        by_currency = values.setdefault(cohort, {})
        returned = Money(fact.merchandise_value, fact.currency)
        by_currency[fact.currency] = by_currency.get(fact.currency, Money.zero(fact.currency)) + (
            returned
        )
    returned_cohorts = {
        cohort: Returned(
            units=units[cohort],
            orders=len(orders.get(cohort, ())),
            value=tuple(values.get(cohort, {}).values()),
        )
        for cohort in units
    }
    return rates_of(
        returned_cohorts,
        delivered,
        period=period,
        zone=zone,
        as_of=as_of,
        return_window=return_window,
    )


@attrs.frozen(kw_only=True)
class Returned:
    """What one order cohort returned: the numerators of its rates.

    Attributes:
        units: Units returned (``quantity_returned`` of counted lines).
        orders: Orders with at least one counted line with units returned.
        value: Merchandise value returned, one amount per currency.
    """

    units: Decimal
    orders: int
    value: tuple[Money, ...] = ()


def rates_of(
    returned: Mapping[date, Returned],
    delivered: Iterable[DeliveredTotals],
    *,
    period: ReportPeriod,
    zone: tzinfo,
    as_of: datetime,
    return_window: timedelta,
) -> tuple[CohortRates, ...]:
    """The rates of every cohort given in ``delivered``, oldest first, from what each returned.

    Cohorts of ``returned`` without delivered totals are left out (their
    denominator is unknown); a cohort of ``delivered`` that returned nothing
    has rates of zero.

    Raises:
        InvalidInput: As :func:`cohort_rates`.
    """
    if not isinstance(as_of, datetime) or as_of.utcoffset() is None:
        raise InvalidInput(f"as_of must be a timezone-aware datetime, got {as_of!r}")
    totals: dict[date, DeliveredTotals] = {}
    for total in delivered:
        if total.key is not None:
            raise InvalidInput(
                f"cohort {total.cohort}: totals of {total.key!r} alone are not the whole "
                "cohort's; ask for delivered totals without a dimension"
            )
        if bucket(start_of_day(total.cohort, zone), period, zone) != total.cohort:
            raise InvalidInput(f"cohort {total.cohort} does not start a {period.value}")
        if total.cohort in totals:
            raise InvalidInput(f"two delivered totals for cohort {total.cohort}")
        totals[total.cohort] = total
    result = []
    nothing = Returned(units=Decimal(0), orders=0)
    for cohort in sorted(totals):
        total = totals[cohort]
        ends = start_of_day(next_bucket(cohort, period), zone)
        back = returned.get(cohort, nothing)
        result.append(
            CohortRates(
                cohort=cohort,
                period=period,
                mature=ends + return_window <= as_of,
                units_returned=back.units,
                units_delivered=total.units,
                unit_rate=ratio(back.units, total.units),
                orders_returned=back.orders,
                orders=total.orders,
                order_rate=ratio(back.orders, total.orders),
                value=_value_rates({m.currency: m for m in back.value}, total.gross_sales),
            )
        )
    return tuple(result)


def _value_rates(returned: dict[str, Money], gross: tuple[Money, ...]) -> tuple[ValueRate, ...]:
    sales = {m.currency: m for m in gross}
    rates = []
    for currency in sorted(set(returned) | set(sales)):
        value = returned.get(currency, Money.zero(currency))
        sold = sales.get(currency)
        rates.append(
            ValueRate(
                currency=currency,
                returned=value,
                gross_sales=sold,
                rate=None if sold is None else ratio(value.amount, sold.amount),
            )
        )
    return tuple(rates)
