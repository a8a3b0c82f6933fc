"""How long a record is kept: periods of years, months and days, or for ever.

A period is counted in calendar units, as the law counts it: "30 years from
the end of the fiscal year" ends on the same day of the month thirty years
later, not after 10,950 days.  A day that a month lacks (29 February, the 31st)
becomes the month's last day.
"""

from __future__ import annotations

import calendar
from datetime import date

import attrs

from crm_returns.domain._checks import flag
from crm_returns.errors import InvalidInput

__all__ = ["FiscalYearEnd", "Period"]

# Days far enough apart that every way of counting months shows in them: a leap
# day, a month's last day, an ordinary day, and the first of January of a leap
# year, from which a span of years holds as many leap days as any span can (so
# that 3,652 days is shorter than 10 years, as it is from 31 December 2003).
_COMPARED_ON = (date(2000, 1, 1), date(2000, 2, 29), date(2001, 1, 31), date(2001, 6, 15))


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"a period's {what} are a whole number, at least 0, not {value!r}")
    return value


def _years(value: object) -> int:
    return _count(value, "years")


def _months(value: object) -> int:
    return _count(value, "months")


def _days(value: object) -> int:
    return _count(value, "days")


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@attrs.frozen
class Period:
    """A length of time in whole years, months and days, or :attr:`permanent`.

    Attributes:
        years: Whole years.
        months: Whole months.
        days: Whole days.
        permanent: Kept for ever (永久); the counts are then 0.

    Raises:
        InvalidInput: A count is negative or not a whole number, or a permanent
            period has counts.
    """

    years: int = attrs.field(default=0, converter=_years)
    months: int = attrs.field(default=0, converter=_months)
    days: int = attrs.field(default=0, converter=_days)
    permanent: bool = attrs.field(default=False, validator=flag)

    def __attrs_post_init__(self) -> None:
        if self.permanent and (self.years or self.months or self.days):
            raise InvalidInput("a permanent period has no years, months or days")

    @classmethod
    def forever(cls) -> Period:
        """The period of records kept for ever."""
        return cls(permanent=True)

    def after(self, start: date) -> date | None:
        """The day this period ends when it runs from ``start``; ``None`` if never."""
        if self.permanent:
            return None
        ended = _add_months(start, self.years * 12 + self.months)
        if (date.max - ended).days < self.days:
            return date.max
        return date.fromordinal(ended.toordinal() + self.days)

    def shorter_than(self, other: Period) -> bool:
        """Whether this period ends before ``other`` from some day it may run from."""
        if other.permanent:
            return not self.permanent
        if self.permanent:
            return False
        return any(
            (mine := self.after(day)) is not None
            and (theirs := other.after(day)) is not None
            and mine < theirs
            for day in _COMPARED_ON
        )

    def __str__(self) -> str:
        if self.permanent:
            return "permanent"
        parts = [
            f"{count} {unit}{'s' if count != 1 else ''}"
            for count, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day"))
            if count
        ]
        return " ".join(parts) or "0 days"


@attrs.frozen
class FiscalYearEnd:
    """The last day of the fiscal year, as a month and a day (31 December in China).

    Raises:
        InvalidInput: No such day in a year (29 February is refused too:
            it is not in every year).
    """

    month: int = 12
    day: int = 31

    def __attrs_post_init__(self) -> None:
        whole = all(isinstance(n, int) and not isinstance(n, bool) for n in (self.month, self.day))
        if not whole or not 1 <= self.month <= 12:
            raise InvalidInput(f"no fiscal year ends on month {self.month!r}, day {self.day!r}")
        if not 1 <= self.day <= calendar.monthrange(2001, self.month)[1]:
            raise InvalidInput(f"no fiscal year ends on month {self.month}, day {self.day}")

    def after(self, day: date) -> date:
        """The end of the fiscal year ``day`` falls in."""
        end = date(day.year, self.month, self.day)
        return end if day <= end else date(day.year + 1, self.month, self.day)
