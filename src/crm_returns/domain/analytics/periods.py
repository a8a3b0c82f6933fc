"""Periods, date bases and the report window: which returns a report counts, and when.

A moment is bucketed by its *local calendar date* in an explicit time zone
(a ``zoneinfo.ZoneInfo`` the caller builds; the domain never loads zone data
itself).  Bucketing works on dates, never on local wall-clock arithmetic, so a
daylight-saving change (Europe/Berlin) cannot move a moment into the wrong day,
and a zone without one (Asia/Shanghai) behaves the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Final

import attrs

from crm_returns.domain.analytics.facts import LineFact
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

__all__ = [
    "COUNTED",
    "PENDING",
    "REJECTED_OR_CANCELLED",
    "DateBasis",
    "ReportPeriod",
    "ReportWindow",
    "StatusGroup",
    "bucket",
    "next_bucket",
    "start_of_day",
]

S = ReturnStatus

#: The statuses a report counts by default: approved onwards.
COUNTED: Final = frozenset({S.APPROVED, S.PARTIALLY_RECEIVED, S.RECEIVED, S.INSPECTED, S.COMPLETED})
#: Not decided yet: counted apart.
PENDING: Final = frozenset({S.DRAFT, S.SUBMITTED})
#: Never returned: counted apart.
REJECTED_OR_CANCELLED: Final = frozenset({S.REJECTED, S.CANCELLED})


class ReportPeriod(enum.Enum):
    """A length of calendar time that figures are grouped by."""

    DAY = "day"
    #: An ISO week, Monday to Sunday.
    WEEK = "week"
    MONTH = "month"
    #: January–March, April–June, July–September, October–December.
    QUARTER = "quarter"


class DateBasis(enum.Enum):
    """Which date of a returned line places it in a period."""

    #: When the customer's order was placed (the cohort of rates).
    ORDER_DATE = "order_date"
    #: When the return was created.
    RETURN_DATE = "return_date"
    #: When the refund was paid out in full.
    REFUND_DATE = "refund_date"

    @property
    def column(self) -> str:
        """The line-fact column holding this date (stores filter and bucket on it)."""
        return _BASIS_COLUMNS[self]


_BASIS_COLUMNS: Final = MappingProxyType(
    {
        DateBasis.ORDER_DATE: "ordered_at",
        DateBasis.RETURN_DATE: "returned_at",
        DateBasis.REFUND_DATE: "refund_paid_at",
    }
)


class StatusGroup(enum.Enum):
    """How a report treats a line by the status of its return."""

    #: Counted in the figures (the window's statuses; approved onwards by default).
    COUNTED = "counted"
    #: Draft or submitted: shown apart.
    PENDING = "pending"
    #: Rejected or cancelled: shown apart.
    REJECTED_OR_CANCELLED = "rejected_or_cancelled"
    #: Left out by a narrower status filter.
    EXCLUDED = "excluded"


def _zone(value: object, what: str = "zone") -> tzinfo:
    if not isinstance(value, tzinfo):
        raise InvalidInput(f"{what} must be a time zone (zoneinfo.ZoneInfo), got {value!r}")
    return value


def _local_date(moment: datetime, zone: tzinfo) -> date:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InvalidInput(f"a moment to bucket must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(_zone(zone)).date()


def _start(day: date, period: ReportPeriod) -> date:
    if period is ReportPeriod.DAY:
        return day
    if period is ReportPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if period is ReportPeriod.MONTH:
        return day.replace(day=1)
    if period is ReportPeriod.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise InvalidInput(f"period must be a ReportPeriod, got {period!r}")


def bucket(moment: datetime, period: ReportPeriod, zone: tzinfo) -> date:
    """The first local day of the ``period`` holding ``moment``, in ``zone``.

    Args:
        moment: A timezone-aware datetime.
        period: Day, ISO week (starting Monday), month or quarter.
        zone: The report's time zone, such as ``ZoneInfo("Asia/Shanghai")``.

    Raises:
        InvalidInput: ``moment`` is naive, ``zone`` is not a time zone, or
            ``period`` is not a :class:`ReportPeriod`.
    """
    return _start(_local_date(moment, zone), period)


def next_bucket(start: date, period: ReportPeriod) -> date:
    """The first day of the period after the one starting on ``start``."""
    first = _start(start, period)
    if period is ReportPeriod.DAY:
        return first + timedelta(days=1)
    if period is ReportPeriod.WEEK:
        return first + timedelta(days=7)
    months = 1 if period is ReportPeriod.MONTH else 3
    month = first.month - 1 + months
    return date(first.year + month // 12, month % 12 + 1, 1)


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """The first moment of local day ``day`` in ``zone``, in UTC.

    In UTC so that arithmetic and comparisons on it are on the time line:
    Python adds to and subtracts datetimes of one zone by their wall clocks,
    which a daylight-saving change makes an hour wrong.
    """
    return datetime.combine(day, time(), tzinfo=_zone(zone)).astimezone(UTC)


def _statuses(value: Iterable[ReturnStatus]) -> frozenset[ReturnStatus]:
    if not isinstance(value, (frozenset, set, tuple, list)):
        raise InvalidInput(f"statuses must be a set of ReturnStatus, got {value!r}")
    if not value or not all(isinstance(s, ReturnStatus) for s in value):
        raise InvalidInput(f"statuses must be one or more ReturnStatus, got {value!r}")
    return frozenset(value)


def _day(instance: object, attribute: attrs.Attribute[date], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{attribute.name} must be a local day (a date), got {value!r}")


@attrs.frozen(kw_only=True)
class ReportWindow:
    """Which lines a report counts: a range of local dates on one date basis, in one zone.

    Attributes:
        start: First local day counted (inclusive).
        end: Last local day counted (inclusive).
        zone: The time zone the days are read in (``zoneinfo.ZoneInfo``).
        basis: Which date of a line places it in the window.
        statuses: Statuses counted (:data:`COUNTED`, approved onwards, by
            default); pending and rejected or cancelled returns are grouped
            apart (:meth:`group`), never mixed in.

    Raises:
        InvalidInput: ``end`` is before ``start``, ``zone`` is not a time
            zone, or ``statuses`` is empty or not of :class:`ReturnStatus`.
    """

    start: date = attrs.field(validator=_day)
    end: date = attrs.field(validator=_day)
    zone: tzinfo = attrs.field(converter=_zone)
    basis: DateBasis = attrs.field(default=DateBasis.RETURN_DATE)
    statuses: frozenset[ReturnStatus] = attrs.field(default=COUNTED, converter=_statuses)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(f"the window ends ({self.end}) before it starts ({self.start})")
        if not isinstance(self.basis, DateBasis):
            raise InvalidInput(f"basis must be a DateBasis, got {self.basis!r}")

    def moment_of(self, fact: LineFact) -> datetime | None:
        """The date of ``fact`` on this window's basis (``None``: the line has none yet)."""
        moment: datetime | None = getattr(fact, self.basis.column)
        return moment

    def contains(self, fact: LineFact) -> bool:
        """Whether ``fact``'s date on the basis falls on a local day of the window."""
        moment = self.moment_of(fact)
        return moment is not None and self.start <= _local_date(moment, self.zone) <= self.end

    def group(self, status: ReturnStatus) -> StatusGroup:
        """How a line of a return in ``status`` is treated."""
        if status in self.statuses:
            return StatusGroup.COUNTED
        if status in PENDING:
            return StatusGroup.PENDING
        if status in REJECTED_OR_CANCELLED:
            return StatusGroup.REJECTED_OR_CANCELLED
        return StatusGroup.EXCLUDED

    def select(self, facts: Iterable[LineFact]) -> dict[StatusGroup, tuple[LineFact, ...]]:
        """The facts inside the window, by status group (every group present, maybe empty)."""
        found: dict[StatusGroup, list[LineFact]] = {group: [] for group in StatusGroup}
        for fact in facts:
            if self.contains(fact):
                found[self.group(fact.status)].append(fact)
        return {group: tuple(kept) for group, kept in found.items()}
