"""Cycle time per stage, with an exact percentile so that every store gives the same figures.

Stages run between two dates of a return (:class:`CycleStage`).  A return
counts once per stage (not once per line) when both its dates are known and
the end is not before the start — a refund paid after completion, allowed by
the workflow, leaves that return out of ``COMPLETION``.

Percentiles are **nearest-rank**: of the ``n`` durations sorted ascending,
the ``p``-th percentile is the one at rank ``⌈p × n / 100⌉`` (1-based).  It is
always a duration of the sample; the median is P50 (the lower middle for an
even ``n``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final, TypeAlias, TypeVar

import attrs

from crm_returns.domain.analytics.facts import LineFact
from crm_returns.domain.analytics.rates import ratio
from crm_returns.domain.ownership.levels import ServiceLevel
from crm_returns.errors import InvalidInput

__all__ = [
    "STAGE_COLUMNS",
    "STAGE_DATES",
    "CycleGrouping",
    "CycleStage",
    "CycleStats",
    "allowance",
    "cycle_times",
    "percentile",
]

_T = TypeVar("_T", int, Decimal, timedelta)


class CycleStage(enum.Enum):
    """A stretch of a return's life that is timed."""

    #: Submitted → approved.
    APPROVAL = "approval"
    #: Approved → every approved unit settled at the dock.
    GOODS_BACK = "goods_back"
    #: Goods back → inspection ended.
    INSPECTION = "inspection"
    #: Goods settled (inspected, or back when settled on arrival) → refund paid in full.
    REFUND = "refund"
    #: Goods settled → completed.
    COMPLETION = "completion"
    #: Submitted → completed.
    TOTAL = "total"


class CycleGrouping(enum.Enum):
    """Who cycle times are grouped by."""

    ALL = "all"
    OWNER = "owner"
    TEAM = "team"


#: Where each stage starts and ends, as line-fact columns: the start is the
#: first of its columns that is known (goods are settled when inspected, or when
#: back for returns settled on arrival).  Stores that time stages read these.
STAGE_COLUMNS: Final[Mapping[CycleStage, tuple[tuple[str, ...], str]]] = MappingProxyType(
    {
        CycleStage.APPROVAL: (("submitted_at",), "approved_at"),
        CycleStage.GOODS_BACK: (("approved_at",), "goods_back_at"),
        CycleStage.INSPECTION: (("goods_back_at",), "inspected_at"),
        CycleStage.REFUND: (("inspected_at", "goods_back_at"), "refund_paid_at"),
        CycleStage.COMPLETION: (("inspected_at", "goods_back_at"), "completed_at"),
        CycleStage.TOTAL: (("submitted_at",), "completed_at"),
    }
)

_Date: TypeAlias = Callable[[LineFact], datetime | None]


def _first_of(columns: tuple[str, ...]) -> _Date:
    def read(fact: LineFact) -> datetime | None:
        return next((m for c in columns if (m := getattr(fact, c)) is not None), None)

    return read


#: Where each stage starts and ends, as read from a line fact (from :data:`STAGE_COLUMNS`).
STAGE_DATES: Final[Mapping[CycleStage, tuple[_Date, _Date]]] = MappingProxyType(
    {
        stage: (_first_of(starts), _first_of((end,)))
        for stage, (starts, end) in STAGE_COLUMNS.items()
    }
)


def allowance(stage: CycleStage, level: ServiceLevel) -> timedelta | None:
    """The service level's time for ``stage`` (``None``: it sets none, as for completion)."""
    if stage is CycleStage.APPROVAL:
        return level.approve
    if stage is CycleStage.GOODS_BACK:
        return level.ship_back + level.receive
    if stage is CycleStage.INSPECTION:
        return level.inspect
    if stage is CycleStage.REFUND:
        return level.refund
    return None


def percentile(values: Sequence[_T], p: int) -> _T:
    """The nearest-rank ``p``-th percentile of ``values``: a value of the sample.

    Raises:
        InvalidInput: ``values`` is empty, or ``p`` is not a whole number from 1 to 100.
    """
    if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= 100:
        raise InvalidInput(f"a percentile is a whole number from 1 to 100, got {p!r}")
    if not values:
        raise InvalidInput("no percentile of an empty sample")
    ordered = sorted(values)
    rank = -(-p * len(ordered) // 100)  # ceil(p * n / 100), in integers
    return ordered[rank - 1]


@attrs.frozen(kw_only=True)
class CycleStats:
    """The cycle time of one stage, for one owner or team (or everyone).

    Attributes:
        stage: The stage.
        group: The owner or team (``None``: every return, or returns without one).
        count: Returns timed.
        median: Nearest-rank P50.
        p90: Nearest-rank P90.
        max: The longest.
        allowance: The service level's time for the stage (``None``: it has none).
        within_level: Share of returns whose time was at most the allowance,
            rounded as every ratio (``None`` without an allowance).
    """

    stage: CycleStage
    group: str | None
    count: int
    median: timedelta
    p90: timedelta
    max: timedelta
    allowance: timedelta | None
    within_level: Decimal | None


def cycle_times(
    facts: Iterable[LineFact],
    *,
    by: CycleGrouping = CycleGrouping.ALL,
    level: ServiceLevel | None = None,
) -> tuple[CycleStats, ...]:
    """Cycle times of every stage with at least one return timed, per group.

    Ordered by stage (as :class:`CycleStage` lists them), then group (``None`` first).

    Args:
        facts: Line facts (lines of one return are counted once).
        by: Group by owning user or team, or not.
        level: The service level to measure against (``None``: no share).
    """
    returns: dict[str, LineFact] = {}
    for fact in facts:
        returns.setdefault(fact.return_id, fact)
    samples: dict[tuple[CycleStage, str | None], list[timedelta]] = {}
    for fact in returns.values():
        group = (
            None
            if by is CycleGrouping.ALL
            else fact.owner_user
            if by is CycleGrouping.OWNER
            else fact.owner_team
        )
        for stage, (starts, ends) in STAGE_DATES.items():
            start, end = starts(fact), ends(fact)
            if start is not None and end is not None and end >= start:
                samples.setdefault((stage, group), []).append(end - start)
    order = list(CycleStage)
    result = []
    for stage, group in sorted(
        samples, key=lambda k: (order.index(k[0]), k[1] is not None, k[1] or "")
    ):
        times = samples[(stage, group)]
        allowed = allowance(stage, level) if level is not None else None
        within = None if allowed is None else ratio(sum(t <= allowed for t in times), len(times))
        result.append(
            CycleStats(
                stage=stage,
                group=group,
                count=len(times),
                median=percentile(times, 50),
                p90=percentile(times, 90),
                max=max(times),
                allowance=allowed,
                within_level=within,
            )
        )
    return tuple(result)
