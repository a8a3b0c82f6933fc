"""Periods are counted in calendar units, as the law counts them; a fiscal year ends on one day."""

from __future__ import annotations

from datetime import date

import pytest

from crm_returns.domain.retention import FiscalYearEnd, Period
from crm_returns.errors import InvalidInput

# -- counting a period from a day ----------------------------------------------------


def test_years_end_on_the_same_day_of_the_month() -> None:
    assert Period(years=30).after(date(2025, 12, 31)) == date(2055, 12, 31)


def test_a_day_the_month_lacks_becomes_its_last_day() -> None:
    assert Period(months=1).after(date(2001, 1, 31)) == date(2001, 2, 28)
    assert Period(months=1).after(date(2000, 1, 31)) == date(2000, 2, 29)
    assert Period(months=3).after(date(2001, 1, 31)) == date(2001, 4, 30)


def test_a_leap_day_ends_on_the_last_of_february_in_a_common_year() -> None:
    assert Period(years=1).after(date(2000, 2, 29)) == date(2001, 2, 28)
    assert Period(years=4).after(date(2000, 2, 29)) == date(2004, 2, 29)


def test_days_are_counted_after_the_months() -> None:
    # 31 January + 1 month = 28 February; + 1 day = 1 March (not 29 February + 1 month).
    assert Period(months=1, days=1).after(date(2001, 1, 31)) == date(2001, 3, 1)
    assert Period(days=1).after(date(2000, 2, 28)) == date(2000, 2, 29)


def test_months_carry_into_years() -> None:
    assert Period(years=1, months=13).after(date(2001, 6, 15)) == date(2003, 7, 15)


def test_a_permanent_period_never_ends() -> None:
    assert Period.forever().after(date(2025, 1, 1)) is None


def test_a_period_beyond_the_calendar_ends_on_its_last_day() -> None:
    assert Period(years=100_000).after(date(2025, 1, 1)) == date.max
    assert Period(days=10**9).after(date(2025, 1, 1)) == date.max


def test_a_period_of_nothing_ends_where_it_starts() -> None:
    assert Period().after(date(2025, 3, 15)) == date(2025, 3, 15)
    assert str(Period()) == "0 days"


def test_a_period_reads_as_its_units() -> None:
    assert str(Period(years=1, months=2, days=3)) == "1 year 2 months 3 days"
    assert str(Period(years=3)) == "3 years"
    assert str(Period.forever()) == "permanent"


@pytest.mark.parametrize("count", [-1, 1.5, True, "3", None])
@pytest.mark.parametrize("unit", ["years", "months", "days"])
def test_a_count_is_a_whole_number_from_zero(unit: str, count: object) -> None:
    with pytest.raises(InvalidInput, match=f"a period's {unit} are a whole number"):
        Period(**{unit: count})  # type: ignore[arg-type]


def test_a_permanent_period_has_no_counts() -> None:
    with pytest.raises(InvalidInput, match="permanent period has no years"):
        Period(years=1, permanent=True)


# -- comparing periods ---------------------------------------------------------------


def test_one_day_less_than_years_is_shorter() -> None:
    assert Period(years=2, months=11, days=30).shorter_than(Period(years=3))
    assert not Period(years=3).shorter_than(Period(years=2, months=11, days=30))


def test_a_period_is_not_shorter_than_itself_or_its_equal_in_months() -> None:
    assert not Period(years=3).shorter_than(Period(years=3))
    assert not Period(months=36).shorter_than(Period(years=3))
    assert not Period(years=3).shorter_than(Period(months=36))


def test_days_are_shorter_than_years_that_may_hold_more_leap_days() -> None:
    # From 31 December 2003 (a fiscal year's end) ten years hold three leap days.
    assert Period(days=3652).after(date(2003, 12, 31)) == date(2013, 12, 30)
    assert Period(days=3652).shorter_than(Period(years=10))
    assert Period(days=365).shorter_than(Period(years=1))
    assert not Period(days=3653).shorter_than(Period(years=10))


def test_a_month_is_shorter_than_31_days_from_some_day_and_longer_from_none() -> None:
    assert Period(months=1).shorter_than(Period(days=31))
    assert not Period(days=31).shorter_than(Period(months=1))


def test_only_permanent_is_as_long_as_permanent() -> None:
    assert Period(years=100_000).shorter_than(Period.forever())
    assert not Period.forever().shorter_than(Period.forever())
    assert not Period.forever().shorter_than(Period(years=100_000))


# -- the fiscal year's end -----------------------------------------------------------


def test_a_day_belongs_to_the_fiscal_year_that_ends_on_or_after_it() -> None:
    china = FiscalYearEnd()
    assert china.after(date(2025, 3, 1)) == date(2025, 12, 31)
    assert china.after(date(2025, 12, 31)) == date(2025, 12, 31)
    march = FiscalYearEnd(3, 31)
    assert march.after(date(2025, 3, 31)) == date(2025, 3, 31)
    assert march.after(date(2025, 4, 1)) == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("month", "day"), [(2, 29), (2, 30), (4, 31), (13, 1), (0, 1), (12, 0), (True, 1), (12, 1.5)]
)
def test_a_fiscal_year_ends_on_a_day_every_year_has(month: object, day: object) -> None:
    with pytest.raises(InvalidInput, match="no fiscal year ends on month"):
        FiscalYearEnd(month, day)  # type: ignore[arg-type]
