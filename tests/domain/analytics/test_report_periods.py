"""Buckets read a moment's local date in an explicit zone; a report window says what it counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.analytics.fact_support import fact

from crm_returns.domain.analytics import (
    COUNTED,
    DateBasis,
    ReportPeriod,
    ReportWindow,
    StatusGroup,
    bucket,
    next_bucket,
    start_of_day,
)
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

ZONES = [ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")]
BERLIN, SHANGHAI = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Shanghai")

# Any instant of 2020–2030, seconds apart, in UTC: both sides of every DST change.
instants = st.integers(0, 11 * 366 * 86400).map(
    lambda s: datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
)


@given(instants, st.sampled_from(ReportPeriod), st.sampled_from(ZONES))
def test_a_moment_lies_inside_its_bucket_read_in_the_zone(
    moment: datetime, period: ReportPeriod, zone: ZoneInfo
) -> None:
    start = bucket(moment, period, zone)
    end = next_bucket(start, period)

    assert start_of_day(start, zone) <= moment < start_of_day(end, zone)
    assert start <= moment.astimezone(zone).date() < end


@given(instants, st.sampled_from(ReportPeriod), st.sampled_from(ZONES))
def test_the_bucket_of_an_instant_does_not_depend_on_the_offset_it_is_written_in(
    moment: datetime, period: ReportPeriod, zone: ZoneInfo
) -> None:
    expected = bucket(moment, period, zone)

    assert bucket(moment.astimezone(zone), period, zone) == expected
    assert bucket(moment.astimezone(SHANGHAI if zone is BERLIN else BERLIN), period, zone) == (
        expected
    )
    # Stable: the bucket's own first moment falls in the same bucket.
    assert bucket(start_of_day(expected, zone), period, zone) == expected


@given(instants, st.sampled_from(ZONES))
def test_weeks_start_on_monday_and_months_and_quarters_on_their_first_day(
    moment: datetime, zone: ZoneInfo
) -> None:
    assert bucket(moment, ReportPeriod.WEEK, zone).weekday() == 0
    assert bucket(moment, ReportPeriod.MONTH, zone).day == 1
    quarter = bucket(moment, ReportPeriod.QUARTER, zone)
    assert (quarter.day, quarter.month) in {(1, 1), (1, 4), (1, 7), (1, 10)}


def test_the_night_berlin_springs_forward_stays_on_its_day() -> None:
    # 2026-03-29 01:30 UTC is 03:30 CEST, an hour after the clocks jumped.
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)

    assert bucket(moment, ReportPeriod.DAY, BERLIN) == date(2026, 3, 29)
    assert bucket(datetime(2026, 3, 28, 22, 59, tzinfo=UTC), ReportPeriod.DAY, BERLIN) == date(
        2026, 3, 28
    )
    assert start_of_day(date(2026, 3, 30), BERLIN) - start_of_day(date(2026, 3, 29), BERLIN) == (
        timedelta(hours=23)
    )


def test_a_day_in_shanghai_starts_at_16_utc_the_day_before() -> None:
    assert bucket(
        datetime(2026, 12, 31, 16, 0, tzinfo=UTC), ReportPeriod.QUARTER, SHANGHAI
    ) == date(2027, 1, 1)
    assert bucket(datetime(2026, 12, 31, 15, 59, tzinfo=UTC), ReportPeriod.DAY, SHANGHAI) == date(
        2026, 12, 31
    )


def test_a_naive_moment_or_a_zone_that_is_not_one_is_refused() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        bucket(datetime(2026, 1, 1), ReportPeriod.DAY, SHANGHAI)  # noqa: DTZ001 - the point
    with pytest.raises(InvalidInput, match="time zone"):
        bucket(datetime(2026, 1, 1, tzinfo=UTC), ReportPeriod.DAY, "Asia/Shanghai")  # type: ignore[arg-type]


def test_the_window_counts_approved_onwards_and_keeps_pending_and_refused_apart() -> None:
    window = ReportWindow(start=date(2026, 3, 1), end=date(2026, 3, 31), zone=SHANGHAI)

    assert window.statuses == COUNTED
    assert window.group(ReturnStatus.APPROVED) is StatusGroup.COUNTED
    assert window.group(ReturnStatus.COMPLETED) is StatusGroup.COUNTED
    assert window.group(ReturnStatus.DRAFT) is StatusGroup.PENDING
    assert window.group(ReturnStatus.SUBMITTED) is StatusGroup.PENDING
    assert window.group(ReturnStatus.REJECTED) is StatusGroup.REJECTED_OR_CANCELLED
    assert window.group(ReturnStatus.CANCELLED) is StatusGroup.REJECTED_OR_CANCELLED
    narrow = ReportWindow(
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        zone=SHANGHAI,
        statuses=frozenset({ReturnStatus.COMPLETED}),
    )
    assert narrow.group(ReturnStatus.APPROVED) is StatusGroup.EXCLUDED


def test_the_window_reads_the_date_of_its_basis_on_local_days_inclusive() -> None:
    # Returned 2026-03-31 23:30 in Shanghai (15:30 UTC); refunded 2026-04-01 in Shanghai.
    line = fact(
        returned_at=datetime(2026, 3, 31, 15, 30, tzinfo=UTC),
        refund_paid_at=datetime(2026, 3, 31, 16, 30, tzinfo=UTC),
        ordered_at=datetime(2026, 2, 27, tzinfo=UTC),
    )

    def march(basis: DateBasis = DateBasis.RETURN_DATE) -> ReportWindow:
        return ReportWindow(
            start=date(2026, 3, 1), end=date(2026, 3, 31), zone=SHANGHAI, basis=basis
        )

    assert march(DateBasis.RETURN_DATE).contains(line)
    assert not march(DateBasis.REFUND_DATE).contains(line)
    assert not march(DateBasis.ORDER_DATE).contains(line)
    assert not march(DateBasis.REFUND_DATE).contains(fact(refund_paid_at=None))
    pending = fact(status=ReturnStatus.SUBMITTED)  # returned 2026-03-05
    april = fact(returned_at=datetime(2026, 3, 31, 16, 0, tzinfo=UTC))  # 04-01 in Shanghai
    chosen = march().select([line, pending, april])
    assert chosen[StatusGroup.COUNTED] == (line,)
    assert chosen[StatusGroup.PENDING] == (pending,)
    assert set(chosen) == set(StatusGroup)


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput, match="before it starts"):
        ReportWindow(start=date(2026, 3, 2), end=date(2026, 3, 1), zone=SHANGHAI)
    with pytest.raises(InvalidInput, match="ReturnStatus"):
        ReportWindow(
            start=date(2026, 3, 1), end=date(2026, 3, 1), zone=SHANGHAI, statuses=frozenset()
        )
