"""Line facts grouped and totalled: the one aggregation every report is built from.

A :class:`FactQuery` says which lines (a :class:`ReportWindow`), by which
period and which dimensions; :func:`group_facts` answers it with one
:class:`FactGroup` per status group, period, key and currency.  Stores answer
the same query in their own way (the SQL store with one ``GROUP BY``) and must
give exactly these groups: :func:`group_facts` is the reference the
conformance contract holds every store to.

Money is summed per currency only (the currency is part of every group's
key); quantities and amounts are exact.  A money column unknown (``None``) on
some lines adds up the lines where it is known, and ``unknown`` says on how
many it was not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Final

import attrs

from crm_returns.domain.analytics.dimensions import Dimension
from crm_returns.domain.analytics.facts import LineFact
from crm_returns.domain.analytics.money import MONEY_COLUMNS, money_totals
from crm_returns.domain.analytics.periods import ReportPeriod, ReportWindow, StatusGroup, bucket
from crm_returns.domain.money import Money
from crm_returns.errors import InvalidInput

__all__ = [
    "MAX_DIMENSIONS",
    "QUANTITY_COLUMNS",
    "FactGroup",
    "FactQuery",
    "canonical_units",
    "group_facts",
]

#: The most dimensions one query groups by.
MAX_DIMENSIONS: Final = 3
#: The quantity columns of a line fact that are totalled, in this order.
QUANTITY_COLUMNS: Final = (
    "quantity_requested",
    "quantity_approved",
    "quantity_received",
    "quantity_accepted",
    "quantity_returned",
)


def canonical_units(value: Decimal) -> Decimal:
    """A sum of units written one way: no places when whole, else no trailing zeros.

    So that every store gives the same digits (``7``, not ``7.0``; ``1.5``, not ``1.50``).
    """
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _dimensions(value: object) -> tuple[Dimension, ...]:
    if isinstance(value, Dimension):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(isinstance(d, Dimension) for d in value):
        raise InvalidInput(f"by must be Dimensions, got {value!r}")
    if len(value) > MAX_DIMENSIONS or len(set(value)) != len(value):
        raise InvalidInput(f"by takes up to {MAX_DIMENSIONS} different dimensions, got {value!r}")
    return tuple(value)


def _window(instance: object, attribute: attrs.Attribute[ReportWindow], value: object) -> None:
    if not isinstance(value, ReportWindow):
        raise InvalidInput(f"window must be a ReportWindow, got {value!r}")


def _period(
    instance: object, attribute: attrs.Attribute[ReportPeriod | None], value: object
) -> None:
    if value is not None and not isinstance(value, ReportPeriod):
        raise InvalidInput(f"period must be a ReportPeriod or None, got {value!r}")


@attrs.frozen(kw_only=True)
class FactQuery:
    """Which lines to total, and what to group them by.

    Attributes:
        window: The lines: local days on a date basis, in a zone, and the
            statuses counted (others are grouped apart, see :class:`StatusGroup`).
        period: Group by the period of the basis date (``None``: no period).
        by: Up to :data:`MAX_DIMENSIONS` dimensions to group by, in key order.

    Raises:
        InvalidInput: A field is not of its type, or ``by`` repeats a
            dimension or has too many.
    """

    window: ReportWindow = attrs.field(validator=_window)
    period: ReportPeriod | None = attrs.field(default=None, validator=_period)
    by: tuple[Dimension, ...] = attrs.field(default=(), converter=_dimensions)


@attrs.frozen(kw_only=True)
class FactGroup:
    """The totals of the lines that share a status group, period, key and currency.

    Attributes:
        group: The status group of the lines' returns.
        period: First local day of the period (``None`` when not grouped by period).
        keys: The lines' values on the query's dimensions, in its order
            (``None``: unknown, such as a return without an owner).
        currency: The currency of every amount of the group.
        lines: Lines.
        returns: Distinct returns.
        orders: Distinct orders.
        returned_orders: Distinct orders with a line whose ``quantity_returned``
            is above zero (the numerator of the order rate).
        quantity_requested: Sum of the column of that name, and so on for the
            other quantities (:data:`QUANTITY_COLUMNS`).
        quantity_approved: Idem.
        quantity_received: Idem.
        quantity_accepted: Idem.
        quantity_returned: Idem.
        merchandise_value: Sum of the money column of that name over the lines
            where it is known, and so on (:data:`~crm_returns.domain.analytics.MONEY_COLUMNS`).
        refund_granted: Idem.
        refund_paid: Idem.
        store_credit: Idem.
        replacement_value: Idem.
        restocking_fee: Idem.
        return_shipping_fee: Idem.
        write_off: Idem.
        unknown: ``(column, lines without it)`` for every money column unknown
            on some line, in :data:`MONEY_COLUMNS` order.
    """

    group: StatusGroup
    period: date | None
    keys: tuple[str | None, ...]
    currency: str
    lines: int
    returns: int
    orders: int
    returned_orders: int
    quantity_requested: Decimal
    quantity_approved: Decimal
    quantity_received: Decimal
    quantity_accepted: Decimal
    quantity_returned: Decimal
    merchandise_value: Money
    refund_granted: Money
    refund_paid: Money
    store_credit: Money
    replacement_value: Money
    restocking_fee: Money
    return_shipping_fee: Money
    write_off: Money
    unknown: tuple[tuple[str, int], ...] = ()

    def sort_key(self) -> tuple[int, date, bool, tuple[tuple[bool, str], ...], str]:
        """Report order: status group, period, keys (unknown first), currency."""
        return (
            list(StatusGroup).index(self.group),
            self.period or date.min,
            self.period is not None,
            tuple((k is not None, k or "") for k in self.keys),
            self.currency,
        )


_Key = tuple[StatusGroup, date | None, tuple[str | None, ...], str]


def group_facts(facts: Iterable[LineFact], query: FactQuery) -> tuple[FactGroup, ...]:
    """The groups of ``facts`` inside ``query``'s window, in :meth:`FactGroup.sort_key` order.

    This is the reference answer: every store's grouping must equal it.
    """
    if not isinstance(query, FactQuery):
        raise InvalidInput(f"query must be a FactQuery, got {query!r}")
    window = query.window
    members: dict[_Key, list[LineFact]] = {}
    for status_group, chosen in window.select(facts).items():
        for fact in chosen:
            moment = window.moment_of(fact)
            period = None
            if query.period is not None and moment is not None:
                period = bucket(moment, query.period, window.zone)
            keys = tuple(d.key_of(fact) for d in query.by)
            members.setdefault((status_group, period, keys, fact.currency), []).append(fact)
    groups = [_totalled(key, lines) for key, lines in members.items()]
    return tuple(sorted(groups, key=FactGroup.sort_key))


def _totalled(key: _Key, lines: list[LineFact]) -> FactGroup:
    status_group, period, keys, currency = key
    quantities: dict[str, Any] = {
        c: canonical_units(sum((getattr(f, c) for f in lines), Decimal(0)))
        for c in QUANTITY_COLUMNS
    }
    [money] = money_totals(lines)  # one currency: the group's
    return FactGroup(
        group=status_group,
        period=period,
        keys=keys,
        currency=currency,
        lines=len(lines),
        returns=len({f.return_id for f in lines}),
        orders=len({f.order_number for f in lines}),
        returned_orders=len({f.order_number for f in lines if f.quantity_returned > 0}),
        unknown=money.unknown,
        **quantities,
        **{column: getattr(money, column) for column in MONEY_COLUMNS},
    )
