"""Line facts grouped and totalled: the one aggregation every report is built from.

A :class:`FactQuery` says which lines (a :class:`ReportWindow`), by which
period and which dimensions, and which figures it needs (:class:`Figure`);
:func:`group_facts` answers it with one :class:`FactGroup` per status group,
period, key and currency.  Stores answer the same query in their own way (the
SQL store with one ``GROUP BY``) and must give exactly these groups:
:func:`group_facts` is the reference the conformance contract holds every
store to.

Money is summed per currency only (the currency is part of every group's key
when a money figure is asked for); quantities and amounts are exact.  A
money column unknown (``None``) on some lines adds up the lines where it is
known, and ``unknown`` says on how many it was not.  A figure the query did
not ask for is ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from crm_returns.domain.analytics.dimensions import Dimension
from crm_returns.domain.analytics.facts import LineFact
from crm_returns.domain.analytics.figures import (
    EVERY_FIGURE,
    MONEY_FIGURES,
    QUANTITY_COLUMNS,
    QUANTITY_FIGURES,
    Figure,
    figures_of,
)
from crm_returns.domain.analytics.money import MONEY_COLUMNS, money_totals
from crm_returns.domain.analytics.periods import ReportPeriod, ReportWindow, StatusGroup, bucket
from crm_returns.domain.money import Money
from crm_returns.errors import InvalidInput, MissingFigure

__all__ = [
    "MAX_DIMENSIONS",
    "QUANTITY_COLUMNS",
    "FactGroup",
    "FactQuery",
    "canonical_units",
    "group_facts",
]

_T = TypeVar("_T")

#: The most dimensions one query groups by.
MAX_DIMENSIONS: Final = 3


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


def _known(value: object) -> frozenset[Dimension]:
    if isinstance(value, Dimension):
        value = (value,)
    if not isinstance(value, (tuple, list, set, frozenset)) or not all(
        isinstance(d, Dimension) for d in value
    ):
        raise InvalidInput(f"known must be Dimensions, got {value!r}")
    return frozenset(value)


def _counted_only(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(f"counted_only must be True or False, got {value!r}")


@attrs.frozen(kw_only=True)
class FactQuery:
    """Which lines to total, what to group them by, and which figures to total.

    Attributes:
        window: The lines: local days on a date basis, in a zone, and the
            statuses counted (others are grouped apart, see :class:`StatusGroup`).
        period: Group by the period of the basis date (``None``: no period).
        by: Up to :data:`MAX_DIMENSIONS` dimensions to group by, in key order.
        figures: The figures to total besides the lines (every one by
            default); the others are ``None`` on the groups.  Without a money
            figure, lines of every currency are totalled together (the
            groups' currency is ``None``).
        counted_only: Only the ``COUNTED`` status group (the window's
            statuses): no groups of pending, rejected or cancelled returns.
        known: Dimensions of ``by`` whose unknown value is left out: only
            lines with a value on each of them are totalled (satisfaction
            reads scored returns only).

    Raises:
        InvalidInput: A field is not of its type, ``by`` repeats a
            dimension or has too many, or ``known`` names one not in ``by``.
    """

    window: ReportWindow = attrs.field(validator=_window)
    period: ReportPeriod | None = attrs.field(default=None, validator=_period)
    by: tuple[Dimension, ...] = attrs.field(default=(), converter=_dimensions)
    figures: frozenset[Figure] = attrs.field(default=EVERY_FIGURE, converter=figures_of)
    counted_only: bool = attrs.field(default=False, validator=_counted_only)
    known: frozenset[Dimension] = attrs.field(default=frozenset(), converter=_known)

    def __attrs_post_init__(self) -> None:
        if not self.known <= set(self.by):
            others = sorted(d.value for d in self.known - set(self.by))
            raise InvalidInput(f"known names dimensions not grouped by: {others}")

    @property
    def by_currency(self) -> bool:
        """Whether groups are per currency: a money figure is asked for."""
        return not self.figures.isdisjoint(MONEY_FIGURES)


@attrs.frozen(kw_only=True)
class FactGroup:
    """The totals of the lines that share a status group, period, key and currency.

    Every figure but ``lines`` is ``None`` when the query did not ask for it
    (:attr:`FactQuery.figures`); :meth:`count`, :meth:`units` and
    :meth:`money` read one and say so when it is missing.

    Attributes:
        group: The status group of the lines' returns.
        period: First local day of the period (``None`` when not grouped by period).
        keys: The lines' values on the query's dimensions, in its order
            (``None``: unknown, such as a return without an owner).
        currency: The currency of every amount of the group (``None``: the
            query asked for no money figure, and lines of every currency are
            in the group).
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
        unknown: ``(column, lines without it)`` for every money column asked
            for and unknown on some line, in :data:`MONEY_COLUMNS` order.
    """

    group: StatusGroup
    period: date | None
    keys: tuple[str | None, ...]
    currency: str | None
    lines: int
    returns: int | None = None
    orders: int | None = None
    returned_orders: int | None = None
    quantity_requested: Decimal | None = None
    quantity_approved: Decimal | None = None
    quantity_received: Decimal | None = None
    quantity_accepted: Decimal | None = None
    quantity_returned: Decimal | None = None
    merchandise_value: Money | None = None
    refund_granted: Money | None = None
    refund_paid: Money | None = None
    store_credit: Money | None = None
    replacement_value: Money | None = None
    restocking_fee: Money | None = None
    return_shipping_fee: Money | None = None
    write_off: Money | None = None
    unknown: tuple[tuple[str, int], ...] = ()

    def _figure(self, figure: Figure, kind: type[_T], what: str) -> _T:
        value = getattr(self, figure.value)
        if value is None:
            raise MissingFigure(figure.value)
        if not isinstance(value, kind):
            raise InvalidInput(f"{figure.value} is not {what}")
        return value

    def count(self, figure: Figure) -> int:
        """A distinct count (returns, orders, returned orders).

        Raises:
            MissingFigure: The query did not ask for it.
        """
        return self._figure(figure, int, "a count")

    def units(self, figure: Figure = Figure.QUANTITY_RETURNED) -> Decimal:
        """A sum of units (``quantity_returned`` unless said).

        Raises:
            MissingFigure: The query did not ask for it.
        """
        return self._figure(figure, Decimal, "a quantity")

    def money(self, figure: Figure = Figure.MERCHANDISE_VALUE) -> Money:
        """A sum of money (``merchandise_value`` unless said), in the group's currency.

        Raises:
            MissingFigure: The query did not ask for it.
        """
        return self._figure(figure, Money, "money")

    def sort_key(self) -> tuple[int, date, bool, tuple[tuple[bool, str], ...], str]:
        """Report order: status group, period, keys (unknown first), currency."""
        return (
            _GROUP_ORDER[self.group],
            self.period or date.min,
            self.period is not None,
            tuple((k is not None, k or "") for k in self.keys),
            self.currency or "",
        )


_GROUP_ORDER: Final = {group: place for place, group in enumerate(StatusGroup)}
_Key = tuple[StatusGroup, date | None, tuple[str | None, ...], str | None]


def group_facts(facts: Iterable[LineFact], query: FactQuery) -> tuple[FactGroup, ...]:
    """The groups of ``facts`` inside ``query``'s window, in :meth:`FactGroup.sort_key` order.

    This is the reference answer: every store's grouping must equal it.
    """
    if not isinstance(query, FactQuery):
        raise InvalidInput(f"query must be a FactQuery, got {query!r}")
    window = query.window
    members: dict[_Key, list[LineFact]] = {}
    for status_group, chosen in window.select(facts).items():
        if query.counted_only and status_group is not StatusGroup.COUNTED:
            continue
        for fact in chosen:
            moment = window.moment_of(fact)
            period = None
            if query.period is not None and moment is not None:
                period = bucket(moment, query.period, window.zone)
            keys = tuple(d.key_of(fact) for d in query.by)
            if any(d in query.known and k is None for d, k in zip(query.by, keys, strict=True)):
                continue
            currency = fact.currency if query.by_currency else None
            members.setdefault((status_group, period, keys, currency), []).append(fact)
    groups = [_totalled(key, lines, query.figures) for key, lines in members.items()]
    return tuple(sorted(groups, key=FactGroup.sort_key))


def _totalled(key: _Key, lines: list[LineFact], figures: frozenset[Figure]) -> FactGroup:
    status_group, period, keys, currency = key
    values: dict[str, Any] = {}
    if Figure.RETURNS in figures:
        values["returns"] = len({f.return_id for f in lines})
    if Figure.ORDERS in figures:
        values["orders"] = len({f.order_number for f in lines})
    if Figure.RETURNED_ORDERS in figures:
        returned = {f.order_number for f in lines if f.quantity_returned > 0}
        values["returned_orders"] = len(returned)
    for figure in QUANTITY_FIGURES:
        if figure in figures:
            total = sum((getattr(f, figure.value) for f in lines), Decimal(0))
            values[figure.value] = canonical_units(total)
    unknown: tuple[tuple[str, int], ...] = ()
    if currency is not None:
        [money] = money_totals(lines)  # one currency: the group's
        asked = {f.value for f in MONEY_FIGURES if f in figures}
        values.update({c: getattr(money, c) for c in MONEY_COLUMNS if c in asked})
        unknown = tuple((c, n) for c, n in money.unknown if c in asked)
    return FactGroup(
        group=status_group,
        period=period,
        keys=keys,
        currency=currency,
        lines=len(lines),
        unknown=unknown,
        **values,
    )
