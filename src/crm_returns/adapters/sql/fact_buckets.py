"""Local days and periods computed in the database: one construct for SQLite and PostgreSQL.

A fact's moment is kept as microseconds since 1970-01-01 UTC.  Its local
moment in the report's zone is that plus the zone's offset at that moment:
the offsets of the report's range are read from the zone (Python's
``zoneinfo``, so every store uses the same zone data) and written into the
statement as a ``CASE`` over the range's transitions — a daylight-saving
change in the middle of the range moves the moments after it, and only
those.  The local day is then counted in whole days since 1970-01-01 with
integer arithmetic; the start of its week is arithmetic too (1970-01-01 was
a Thursday), and the start of its month or quarter is the one place the
dialects differ: SQLite's ``date()`` modifiers, PostgreSQL's ``date_trunc``.
SQLite answers a period's first day as ``YYYY-MM-DD`` text, PostgreSQL as a
date: :func:`period_value` reads either.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Final

import attrs
import sqlalchemy as sa

from crm_returns.domain.analytics import ReportPeriod

__all__ = ["DAY", "Offsets", "local_day", "offsets", "period_start", "period_value"]

#: Microseconds in a day.
DAY: Final = 86_400_000_000
_MICROSECOND: Final = timedelta(microseconds=1)
_EPOCH_DAY: Final = date(1970, 1, 1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _offset(zone: tzinfo, moment: datetime) -> int:
    shift = moment.astimezone(zone).utcoffset()
    return 0 if shift is None else shift // _MICROSECOND


@attrs.frozen
class Offsets:
    """A zone's UTC offsets over a range of moments, in microseconds.

    Attributes:
        first: The offset at the range's start.
        changes: ``(moment, offset from then on)`` at each transition in the range.
    """

    first: int
    changes: tuple[tuple[int, int], ...]


def offsets(zone: tzinfo, start: datetime, end: datetime) -> Offsets:
    """The offsets of ``zone`` from ``start`` to ``end``.

    Each day of the range is checked; in a day whose offset changed, the
    transition is found to the second (zones change on whole seconds) by
    halving.  A zone changes at most a few times a year, never twice a day.
    """
    first = _offset(zone, start)
    changes: list[tuple[int, int]] = []
    current = first
    at = start
    while at < end:
        step = min(at + timedelta(days=1), end)
        if _offset(zone, step) != current:
            low, high = _seconds(at), _seconds(step)  # the offset changes in (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, _moment(middle)) == current:
                    low = middle
                else:
                    high = middle
            current = _offset(zone, _moment(high))
            changes.append((high * 1_000_000, current))
        at = step
    return Offsets(first, tuple(changes))


def _seconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(seconds=1)


def _moment(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


def local_day(column: sa.ColumnElement[Any], zone: Offsets) -> Any:
    """The local day of ``column`` (microseconds, UTC) as whole days since 1970-01-01."""
    if not zone.changes:
        local: Any = column + zone.first
    else:
        before = [zone.first, *(offset for _, offset in zone.changes[:-1])]
        moments = (at for at, _ in zone.changes)
        whens = [(column < at, offset) for at, offset in zip(moments, before, strict=True)]
        local = column + sa.case(*whens, else_=zone.changes[-1][1])
    # Floor division on both databases: their integer division truncates toward zero.
    return (local - ((local % DAY) + DAY) % DAY) // DAY


def period_start(day: Any, period: ReportPeriod, dialect: str) -> Any:
    """The first day of the ``period`` holding local ``day`` (days since 1970-01-01)."""
    if period is ReportPeriod.WEEK:
        # 1970-01-01 was a Thursday: day d is weekday (d + 3) mod 7, Monday being 0.
        day = day - (((day % 7) + 10) % 7)
    if dialect == "postgresql":
        local = sa.cast(sa.literal(_EPOCH_DAY) + sa.cast(day, sa.Integer), sa.Date)
        if period in (ReportPeriod.MONTH, ReportPeriod.QUARTER):
            return sa.cast(sa.func.date_trunc(period.value, local), sa.Date)
        return local
    seconds = day * 86_400
    if period is ReportPeriod.MONTH:
        return sa.func.date(seconds, "unixepoch", "start of month")
    if period is ReportPeriod.QUARTER:
        month = sa.cast(sa.func.strftime("%m", seconds, "unixepoch"), sa.Integer)
        back = sa.func.printf("-%d months", (month - 1) % 3)
        return sa.func.date(seconds, "unixepoch", "start of month", back)
    return sa.func.date(seconds, "unixepoch")


def period_value(value: object) -> date:
    """A period's first day as the database gave it (a date, or ISO text from SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
