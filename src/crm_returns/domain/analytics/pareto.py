"""Why things come back: reasons ranked, with cumulative share, and the SKU × reason matrix.

A row counts the *lines* with a reason (or reason category) and the *units*
they return (``quantity_returned``).  Rows are ranked by the chosen measure,
largest first; ties by the other measure, then by key, so the order is total
and every store gives the same list.  ``share`` and ``cumulative_share`` are
each rounded once with :func:`~crm_returns.domain.analytics.rates.ratio` from
exact counts: the last cumulative share is exactly 1, and the shares add up
to 1 within half a unit of the last place per row.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from crm_returns.domain.analytics.facts import LineFact
from crm_returns.domain.analytics.rates import ratio
from crm_returns.errors import InvalidInput

__all__ = [
    "Measure",
    "ParetoRow",
    "ReasonLevel",
    "SkuReasonMatrix",
    "fold",
    "matrix",
    "pareto",
    "ranked",
    "sku_reason_matrix",
]


class ReasonLevel(enum.Enum):
    """Whether reasons are counted one by one or by their category."""

    REASON = "reason"
    CATEGORY = "category"


class Measure(enum.Enum):
    """What a Pareto ranks and shares by."""

    #: Returned lines.
    LINES = "lines"
    #: Units returned.
    UNITS = "units"


@attrs.frozen(kw_only=True)
class ParetoRow:
    """One reason (or category) of a Pareto.

    Attributes:
        key: The reason code or category; ``None`` for the folded tail ("other").
        lines: Lines with it.
        units: Units they return.
        share: Its share of the measure.
        cumulative_share: Share of it and every row above it.
        folded: How many reasons the row folds (0 for a reason's own row).
    """

    key: str | None
    lines: int
    units: Decimal
    share: Decimal
    cumulative_share: Decimal
    folded: int = 0


def _shared(
    counts: list[tuple[str | None, int, Decimal, int]], measure: Measure
) -> tuple[ParetoRow, ...]:
    whole = sum(
        (Decimal(lines) if measure is Measure.LINES else units for _, lines, units, _ in counts),
        Decimal(0),
    )
    rows, running = [], Decimal(0)
    for key, lines, units, folded in counts:
        size = Decimal(lines) if measure is Measure.LINES else units
        running += size
        rows.append(
            ParetoRow(
                key=key,
                lines=lines,
                units=units,
                share=ratio(size, whole) or Decimal(0),
                cumulative_share=ratio(running, whole) or Decimal(0),
                folded=folded,
            )
        )
    return tuple(rows)


def pareto(
    facts: Iterable[LineFact],
    *,
    level: ReasonLevel = ReasonLevel.REASON,
    measure: Measure = Measure.LINES,
) -> tuple[ParetoRow, ...]:
    """Reasons ranked by ``measure``, largest first, with their shares.

    Pass the facts to count (filter them by a report window first).  With no
    facts, or nothing returned, shares are zero.
    """
    counts: dict[str, tuple[int, Decimal]] = {}
    for fact in facts:
        key = fact.reason_code if level is ReasonLevel.REASON else fact.reason_category
        lines, units = counts.get(key, (0, Decimal(0)))
        counts[key] = (lines + 1, units + fact.quantity_returned)
    return ranked(counts, measure)


def ranked(
    counts: Mapping[str, tuple[int, Decimal]], measure: Measure = Measure.LINES
) -> tuple[ParetoRow, ...]:
    """A Pareto of ``counts`` (key → lines and units): ranked by ``measure``, with shares.

    Largest first; ties by the other measure, then by key.
    """

    def rank(key: str) -> tuple[Decimal, Decimal, str]:
        first, second = Decimal(counts[key][0]), counts[key][1]
        if measure is Measure.UNITS:
            first, second = second, first
        return (-first, -second, key)

    ordered = sorted(counts, key=rank)
    return _shared([(key, *counts[key], 0) for key in ordered], measure)


def fold(
    rows: tuple[ParetoRow, ...],
    *,
    measure: Measure = Measure.LINES,
    keep: int | None = None,
    cut: Decimal | None = None,
) -> tuple[ParetoRow, ...]:
    """Fold the tail of a Pareto into one "other" row (key ``None``), placed last.

    Give exactly one of:

    Args:
        rows: A Pareto, as :func:`pareto` ranked it by ``measure``.
        measure: The measure it was ranked by.
        keep: Keep this many rows.
        cut: Keep rows until the cumulative share reaches ``cut`` (the row
            that reaches it is kept), a fraction in (0, 1].

    Totals (lines, units) are kept; nothing is folded when nothing is left over.

    Raises:
        InvalidInput: Neither or both of ``keep`` and ``cut``, or one out of range.
    """
    if (keep is None) == (cut is None):
        raise InvalidInput("fold a Pareto by keep (a count) or cut (a share), one of them")
    if keep is not None:
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
            raise InvalidInput(f"keep must be a whole number of at least 0, got {keep!r}")
        kept = keep
    else:
        if not isinstance(cut, Decimal) or not Decimal(0) < cut <= 1:
            raise InvalidInput(f"cut must be a Decimal share above 0 and at most 1, got {cut!r}")
        kept = next((i + 1 for i, row in enumerate(rows) if row.cumulative_share >= cut), len(rows))
    if kept >= len(rows):
        return rows
    head, tail = rows[:kept], rows[kept:]
    other = (
        None,
        sum(row.lines for row in tail),
        sum((row.units for row in tail), Decimal(0)),
        sum(max(row.folded, 1) for row in tail),
    )
    return _shared([(r.key, r.lines, r.units, r.folded) for r in head] + [other], measure)


@attrs.frozen(kw_only=True)
class SkuReasonMatrix:
    """Lines (or units) returned per SKU and reason, for the SKUs returned most.

    Attributes:
        skus: The top SKUs, ranked by the measure, largest first (ties by SKU).
        reasons: Every reason of those SKUs, ranked the same way.
        cells: ``cells[i][j]`` is the measure for ``skus[i]`` and ``reasons[j]``.
        measure: What the cells count.
    """

    skus: tuple[str, ...]
    reasons: tuple[str, ...]
    cells: tuple[tuple[Decimal, ...], ...]
    measure: Measure


def sku_reason_matrix(
    facts: Iterable[LineFact], *, top: int, measure: Measure = Measure.LINES
) -> SkuReasonMatrix:
    """The SKU × reason matrix of the ``top`` SKUs by ``measure``.

    Raises:
        InvalidInput: ``top`` is not a whole number of at least 1.
    """
    cells: dict[tuple[str, str], Decimal] = {}
    for fact in facts:
        size = Decimal(1) if measure is Measure.LINES else fact.quantity_returned
        key = (fact.sku, fact.reason_code)
        cells[key] = cells.get(key, Decimal(0)) + size
    return matrix(cells, top=top, measure=measure)


def matrix(
    cells: Mapping[tuple[str, str], Decimal], *, top: int, measure: Measure = Measure.LINES
) -> SkuReasonMatrix:
    """The SKU × reason matrix of the ``top`` SKUs, from the measure per ``(sku, reason)``.

    Raises:
        InvalidInput: ``top`` is not a whole number of at least 1.
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidInput(f"top must be a whole number of at least 1, got {top!r}")
    per_sku: dict[str, Decimal] = {}
    for (sku, _), size in cells.items():
        per_sku[sku] = per_sku.get(sku, Decimal(0)) + size
    skus = sorted(per_sku, key=lambda sku: (-per_sku[sku], sku))[:top]
    chosen = set(skus)
    per_reason: dict[str, Decimal] = {}
    for (sku, reason), size in cells.items():
        if sku in chosen:
            per_reason[reason] = per_reason.get(reason, Decimal(0)) + size
    reasons = sorted(per_reason, key=lambda reason: (-per_reason[reason], reason))
    return SkuReasonMatrix(
        skus=tuple(skus),
        reasons=tuple(reasons),
        cells=tuple(
            tuple(cells.get((sku, reason), Decimal(0)) for reason in reasons) for sku in skus
        ),
        measure=measure,
    )
