"""Reports made from grouped line facts, as a store's ``GROUP BY`` gives them.

Each function takes the :class:`~crm_returns.domain.analytics.FactGroup` groups of
one :class:`~crm_returns.domain.analytics.FactQuery`: which dimensions and
period the query must use is said on each, and which figures it reads is a
constant beside it (ask for those, with ``counted_only=True``, and the store
computes nothing more).  Each keeps the ``COUNTED`` groups only: pending and
rejected or cancelled returns are reported apart, never mixed in.  The
figures are the ones the fact-level functions give
(:func:`~crm_returns.domain.analytics.pareto`,
:func:`~crm_returns.domain.analytics.cohort_rates`, ...): these only start
from totals instead of lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.domain.analytics.dimensions import Dimension
from crm_returns.domain.analytics.figures import Figure
from crm_returns.domain.analytics.grouping import FactGroup, FactQuery, canonical_units
from crm_returns.domain.analytics.pareto import Measure, ParetoRow, SkuReasonMatrix, matrix, ranked
from crm_returns.domain.analytics.periods import ReportPeriod, ReportWindow, StatusGroup
from crm_returns.domain.analytics.rates import Returned, ratio
from crm_returns.domain.money import Money
from crm_returns.errors import InvalidInput

__all__ = [
    "AGE_BANDS",
    "AGE_FIGURES",
    "COHORT_FIGURES",
    "PARETO_FIGURES",
    "RETURNER_FIGURES",
    "SATISFACTION_FIGURES",
    "AgeBand",
    "FrequentReturner",
    "Satisfaction",
    "age_bands",
    "counted_query",
    "frequent_returners",
    "pareto_of",
    "returned_by_cohort",
    "satisfaction_of",
    "sku_reason_matrix_of",
]

#: Ages of open returns, in whole local days since they were made: 0–2, 3–7, 8–14, 15–30, 31+.
AGE_BANDS: Final = (0, 3, 8, 15, 31)

#: The figures :func:`pareto_of` and :func:`sku_reason_matrix_of` read (besides lines).
PARETO_FIGURES: Final = frozenset({Figure.QUANTITY_RETURNED})
#: The figures :func:`returned_by_cohort` reads.
COHORT_FIGURES: Final = frozenset(
    {Figure.QUANTITY_RETURNED, Figure.RETURNED_ORDERS, Figure.MERCHANDISE_VALUE}
)
#: The figures :func:`frequent_returners` reads.
RETURNER_FIGURES: Final = frozenset(
    {Figure.RETURNS, Figure.QUANTITY_RETURNED, Figure.MERCHANDISE_VALUE}
)
#: The figures :func:`age_bands` reads.
AGE_FIGURES: Final = frozenset({Figure.RETURNS})
#: The figures :func:`satisfaction_of` reads.
SATISFACTION_FIGURES: Final = frozenset({Figure.RETURNS})


def counted_query(
    window: ReportWindow,
    *,
    by: tuple[Dimension, ...],
    figures: frozenset[Figure],
    period: ReportPeriod | None = None,
    known: frozenset[Dimension] = frozenset(),
) -> FactQuery:
    """The query of a report: the counted lines of ``window`` only, and only ``figures``.

    The reports of :class:`~crm_returns.ReturnsService` ask the store this way,
    with the figures constant of the function that shapes the groups
    (:data:`PARETO_FIGURES`...): the store computes nothing the report does not read.
    """
    return FactQuery(
        window=window, period=period, by=by, figures=figures, counted_only=True, known=known
    )


def _counted(groups: Iterable[FactGroup]) -> list[FactGroup]:
    return [g for g in groups if g.group is StatusGroup.COUNTED]


def _key(group: FactGroup, position: int) -> str:
    key = group.keys[position] if position < len(group.keys) else None
    if key is None:
        return ""
    return key


def pareto_of(
    groups: Iterable[FactGroup], measure: Measure = Measure.LINES
) -> tuple[ParetoRow, ...]:
    """The Pareto of groups by one dimension (reason or reason category).

    Query: ``by=(Dimension.REASON,)`` or ``(Dimension.REASON_CATEGORY,)``, no period,
    figures :data:`PARETO_FIGURES`.
    """
    counts: dict[str, tuple[int, Decimal]] = {}
    for group in _counted(groups):
        key = _key(group, 0)
        lines, units = counts.get(key, (0, Decimal(0)))
        counts[key] = (lines + group.lines, canonical_units(units + group.units()))
    return ranked(counts, measure)


def sku_reason_matrix_of(
    groups: Iterable[FactGroup], *, top: int, measure: Measure = Measure.LINES
) -> SkuReasonMatrix:
    """The SKU × reason matrix of the ``top`` SKUs.

    Query: ``by=(Dimension.SKU, Dimension.REASON)``, no period, figures :data:`PARETO_FIGURES`.
    """
    cells: dict[tuple[str, str], Decimal] = {}
    for group in _counted(groups):
        cell = (_key(group, 0), _key(group, 1))
        size = Decimal(group.lines) if measure is Measure.LINES else group.units()
        cells[cell] = canonical_units(cells.get(cell, Decimal(0)) + size)
    return matrix(cells, top=top, measure=measure)


def returned_by_cohort(
    groups: Iterable[FactGroup], *, key: str | None = None
) -> dict[date, Returned]:
    """What each order cohort returned, for :func:`~crm_returns.domain.analytics.rates_of`.

    Query: date basis ``ORDER_DATE``, the cohorts' period, and no dimension —
    or one, whose value ``key`` picks the groups; figures :data:`COHORT_FIGURES`.
    An order is returned in one currency, so its groups per currency add up.
    """
    returned: dict[date, Returned] = {}
    for group in _counted(groups):
        if key is not None and group.keys[:1] != (key,):
            continue
        if group.period is None:
            raise InvalidInput("the rates need groups by period (the order cohort)")
        known = returned.get(group.period, Returned(units=Decimal(0), orders=0))
        returned[group.period] = Returned(
            units=canonical_units(known.units + group.units()),
            orders=known.orders + group.count(Figure.RETURNED_ORDERS),
            value=(*known.value, group.money()),
        )
    return returned


@attrs.frozen(kw_only=True)
class FrequentReturner:
    """A customer who returned often in a window.

    Attributes:
        customer_id: The host's customer.
        returns: Returns counted.
        lines: Lines counted.
        units: Units returned.
        value: Merchandise value returned, one amount per currency.
        units_delivered: Units delivered to them in the window (``None``: not asked).
        unit_rate: ``units ÷ units_delivered`` (``None`` when unknown or zero).
    """

    customer_id: str
    returns: int
    lines: int
    units: Decimal
    value: tuple[Money, ...]
    units_delivered: Decimal | None = None
    unit_rate: Decimal | None = None


def frequent_returners(
    groups: Iterable[FactGroup],
    *,
    min_returns: int = 3,
    min_value: Sequence[Money] = (),
    delivered: Mapping[str, Decimal] | None = None,
) -> tuple[FrequentReturner, ...]:
    """Customers with at least ``min_returns`` returns, or a value of at least one of ``min_value``.

    Query: ``by=(Dimension.CUSTOMER,)``, no period, figures
    :data:`RETURNER_FIGURES`.  Most returns first, then
    most units, then by customer id.

    Args:
        groups: The groups.
        min_returns: Returns from which a customer is listed.
        min_value: Values (one per currency) from which a customer is listed.
        delivered: Units delivered per customer in the window, for the rate.

    Raises:
        InvalidInput: ``min_returns`` is not a whole number of at least 1.
    """
    if isinstance(min_returns, bool) or not isinstance(min_returns, int) or min_returns < 1:
        raise InvalidInput(f"min_returns must be a whole number of at least 1, got {min_returns!r}")
    limits = {m.currency: m for m in min_value}
    found: dict[str, FrequentReturner] = {}
    for group in _counted(groups):
        customer = _key(group, 0)
        known = found.get(customer)
        found[customer] = FrequentReturner(
            customer_id=customer,
            returns=group.count(Figure.RETURNS) + (known.returns if known else 0),
            lines=group.lines + (known.lines if known else 0),
            units=canonical_units(group.units() + (known.units if known else 0)),
            value=(*(known.value if known else ()), group.money()),
        )
    listed = []
    for row in found.values():
        over = row.returns >= min_returns or any(
            m.currency in limits and m >= limits[m.currency] for m in row.value
        )
        if not over:
            continue
        if delivered is not None:
            units = delivered.get(row.customer_id, Decimal(0))
            row = attrs.evolve(row, units_delivered=units, unit_rate=ratio(row.units, units))
        listed.append(row)
    return tuple(sorted(listed, key=lambda r: (-r.returns, -r.units, r.customer_id)))


@attrs.frozen(kw_only=True)
class AgeBand:
    """Open returns of one status whose age falls in a band.

    Attributes:
        status: The returns' status (its value, as the ``STATUS`` dimension gives it).
        youngest: The band's first age, in whole local days.
        oldest: Its last age (``None``: no limit).
        returns: Returns in the band.
    """

    status: str
    youngest: int
    oldest: int | None
    returns: int


def age_bands(
    groups: Iterable[FactGroup], *, today: date, bands: Sequence[int] = AGE_BANDS
) -> tuple[AgeBand, ...]:
    """Open returns by status and age on local day ``today``.

    Query: every status counted (``ReportWindow(statuses=...)`` of the open
    statuses), period ``DAY`` on the return date, ``by=(Dimension.STATUS,)``,
    figures :data:`AGE_FIGURES`.  A return made today is 0 days old.  Bands
    with no return are left out.

    Raises:
        InvalidInput: ``bands`` does not start at 0 or does not rise.
    """
    if not isinstance(bands, (tuple, list)) or not all(
        isinstance(b, int) and not isinstance(b, bool) for b in bands
    ):
        raise InvalidInput(f"bands must be whole numbers of days, got {bands!r}")
    edges = list(bands)
    if not edges or edges[0] != 0 or any(b <= a for a, b in itertools.pairwise(edges)):
        raise InvalidInput(f"bands must start at 0 and rise, got {bands!r}")
    counts: dict[tuple[str, int], int] = {}
    for group in _counted(groups):
        if group.period is None:
            raise InvalidInput("ages need groups by day of the return date")
        age = (today - group.period).days
        band = max(i for i, edge in enumerate(edges) if age >= edge) if age >= 0 else 0
        slot = (_key(group, 0), band)
        counts[slot] = counts.get(slot, 0) + group.count(Figure.RETURNS)
    return tuple(
        AgeBand(
            status=status,
            youngest=edges[band],
            oldest=edges[band + 1] - 1 if band + 1 < len(edges) else None,
            returns=counts[(status, band)],
        )
        for status, band in sorted(counts)
    )


@attrs.frozen(kw_only=True)
class Satisfaction:
    """The customers' scores of one key (or of every return).

    Attributes:
        key: The dimension's value (``None``: the query had no other dimension).
        rated: Returns with a score.
        mean: Mean score, rounded as every ratio (``None`` when none is rated).
        distribution: Returns per score, 1 to 5.
    """

    key: str | None
    rated: int
    mean: Decimal | None
    distribution: tuple[int, int, int, int, int]


def satisfaction_of(groups: Iterable[FactGroup]) -> tuple[Satisfaction, ...]:
    """Scores per key: query ``by=(dimension, Dimension.SATISFACTION)`` or ``(SATISFACTION,)``.

    Figures: :data:`SATISFACTION_FIGURES`.  Returns without a score are left
    out.  Scores are per return: a return
    with lines of two reasons counts once for each reason.
    """
    scores: dict[str | None, list[int]] = {}
    for group in _counted(groups):
        *others, score = group.keys
        if score is None:
            continue
        key = others[0] if others else None
        counts = scores.setdefault(key, [0] * 5)
        counts[int(score) - 1] += group.count(Figure.RETURNS)
    rows = []
    for key in sorted(scores, key=lambda k: (k is not None, k or "")):
        counts = scores[key]
        rated = sum(counts)
        total = sum(score * n for score, n in enumerate(counts, start=1))
        rows.append(
            Satisfaction(
                key=key,
                rated=rated,
                mean=ratio(total, rated),
                distribution=(counts[0], counts[1], counts[2], counts[3], counts[4]),
            )
        )
    return tuple(rows)
