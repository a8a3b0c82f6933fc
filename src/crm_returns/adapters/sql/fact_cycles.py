"""Cycle times computed in the SQL store: per stage, nearest-rank percentiles by window functions.

For each stage one statement: the inner ``SELECT`` gives each counted return
of the window its group (owner, team or none) and the stage's duration, in
microseconds — the two dates are integers, so a duration is a subtraction,
and every line of a return holds the same dates (``MAX`` picks them).  The
outer one ranks the durations of each group (``ROW_NUMBER`` and ``COUNT``
over the group) and keeps the ones at ranks ``⌈50 n / 100⌉`` and
``⌈90 n / 100⌉``: the nearest-rank median and P90 of
:func:`~crm_returns.domain.analytics.percentile`, so every store gives the
same figures.
"""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType
from typing import Any, Final

import sqlalchemy as sa

from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.analytics import (
    STAGE_COLUMNS,
    CycleGrouping,
    CycleStats,
    ReportWindow,
    allowance,
    ratio,
)
from crm_returns.domain.ownership.levels import ServiceLevel

__all__ = ["stage_times"]

_MICROSECOND: Final = timedelta(microseconds=1)
_GROUPS: Final = MappingProxyType(
    {CycleGrouping.OWNER: "owner_user", CycleGrouping.TEAM: "owner_team"}
)


def _at_rank(ranked: Any, percent: int) -> Any:
    """The duration at the nearest rank ``⌈percent × n / 100⌉`` of each group."""
    rank = (ranked.c.n * percent + 99) // 100
    return sa.func.min(sa.case((ranked.c.rn == rank, ranked.c.d)))


def stage_times(
    transaction: Transaction,
    tenant_id: str,
    window: ReportWindow,
    inside: Any,
    joined: Any,
    *,
    by: CycleGrouping,
    level: ServiceLevel | None,
) -> tuple[CycleStats, ...]:
    """Cycle times of every stage with a return timed, per group, as ``cycle_times`` orders them.

    Args:
        transaction: The unit of work's transaction.
        tenant_id: The tenant.
        window: The report window; only its counted statuses are timed.
        inside: The window's condition on the joined tables.
        joined: ``fact_lines`` joined with ``fact_returns``.
        by: Group by owning user or team, or not.
        level: The service level to measure against (``None``: no share).
    """
    t = transaction.tables
    lines, owned = t.fact_lines, t.fact_returns
    counted = lines.c.status.in_(sorted(s.value for s in window.statuses))
    group = sa.cast(sa.null(), sa.String) if by is CycleGrouping.ALL else owned.c[_GROUPS[by]]
    found: list[CycleStats] = []
    for stage, (starts, end) in STAGE_COLUMNS.items():
        columns = [lines.c[c] for c in starts]
        start = sa.func.coalesce(*columns) if len(columns) > 1 else columns[0]
        timed = (
            sa.select(group.label("g"), (sa.func.max(lines.c[end]) - sa.func.max(start)).label("d"))
            .select_from(joined)
            .where(inside, counted, start.is_not(None), lines.c[end].is_not(None))
            .group_by(lines.c.return_id, group)
            .subquery()
        )
        ranked = (
            sa.select(
                timed.c.g,
                timed.c.d,
                sa.func.row_number().over(partition_by=timed.c.g, order_by=timed.c.d).label("rn"),
                sa.func.count().over(partition_by=timed.c.g).label("n"),
            )
            .where(timed.c.d >= 0)
            .subquery()
        )
        allowed = allowance(stage, level) if level is not None else None
        within = (
            sa.literal(0)
            if allowed is None
            else sa.func.sum(sa.case((ranked.c.d <= allowed // _MICROSECOND, 1), else_=0))
        )
        n = sa.func.max(ranked.c.n)
        statement = (
            sa.select(
                ranked.c.g,
                n,
                _at_rank(ranked, 50),
                _at_rank(ranked, 90),
                sa.func.max(ranked.c.d),
                within,
            )
            .select_from(ranked)
            .group_by(ranked.c.g)
        )
        rows: list[Any] = list(transaction.execute(statement, subject="cycle times").all())
        for g, count, median, p90, longest, inside_level in sorted(
            rows, key=lambda row: (row[0] is not None, row[0] or "")
        ):
            found.append(
                CycleStats(
                    stage=stage,
                    group=g,
                    count=int(count),
                    median=timedelta(microseconds=int(median)),
                    p90=timedelta(microseconds=int(p90)),
                    max=timedelta(microseconds=int(longest)),
                    allowance=allowed,
                    within_level=None if allowed is None else ratio(int(inside_level), int(count)),
                )
            )
    return tuple(found)
