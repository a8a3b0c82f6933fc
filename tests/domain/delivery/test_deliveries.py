"""One message on its way to one destination: what each attempt, replay and resolve makes of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.delivery import (
    DEFAULT_SCHEDULE,
    Attempt,
    Delivery,
    DeliveryStatus,
    Outcome,
    RetrySchedule,
    after_attempt,
    replayed,
    resolved,
)
from crm_returns.domain.delivery.deliveries import ERROR_LIMIT
from crm_returns.errors import IllegalDeliveryStep, InvalidInput

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LATER = AT + timedelta(minutes=3)
SECONDS = timedelta(seconds=1)
#: Retries after 10 s, then 100 s, exactly: three tries in all.
SCHEDULE = RetrySchedule((10 * SECONDS, 100 * SECONDS), jitter=0)

PENDING = Delivery(
    destination="erp",
    message_id="m-1",
    tenant_id="acme",
    return_id="r-1",
    seq=7,
    due_at=AT,
)


def attempt(
    delivery: Delivery, outcome: Outcome, error: str = "", **options: object
) -> tuple[Delivery, Attempt]:
    return after_attempt(
        delivery,
        outcome,
        at=LATER,
        error=error,
        schedule=SCHEDULE,
        spin=0.5,
        **options,  # type: ignore[arg-type]
    )


def test_a_delivered_message_is_delivered_once_with_its_attempt() -> None:
    after, made = attempt(PENDING, Outcome.DELIVERED, "ignored", relay="relay-1")
    assert after == attrs.evolve(
        PENDING, status=DeliveryStatus.DELIVERED, attempts=1, delivered_at=LATER
    )
    assert made == Attempt(
        destination="erp",
        message_id="m-1",
        number=1,
        at=LATER,
        outcome=Outcome.DELIVERED,
        error="",
        relay="relay-1",
    )


def test_an_attempt_names_no_relay_unless_told() -> None:
    assert attempt(PENDING, Outcome.DELIVERED)[1].relay == ""


def test_a_transient_failure_waits_as_the_schedule_says_then_is_dead() -> None:
    first, tried_once = attempt(PENDING, Outcome.TRANSIENT, "timed out")
    assert first == attrs.evolve(
        PENDING, attempts=1, due_at=LATER + 10 * SECONDS, last_error="timed out"
    )
    assert (tried_once.number, tried_once.outcome, tried_once.error) == (
        1,
        Outcome.TRANSIENT,
        "timed out",
    )
    second, _ = attempt(first, Outcome.TRANSIENT, "timed out again")
    assert (second.status, second.attempts, second.due_at) == (
        DeliveryStatus.PENDING,
        2,
        LATER + 100 * SECONDS,
    )
    last, made = attempt(second, Outcome.TRANSIENT, "still down")
    assert last == attrs.evolve(
        second, status=DeliveryStatus.DEAD, attempts=3, last_error="still down"
    )
    assert made.number == 3


def test_a_receiver_that_asks_for_longer_gets_it_and_one_that_asks_for_less_does_not() -> None:
    longer, _ = attempt(PENDING, Outcome.TRANSIENT, "busy", retry_after=timedelta(hours=1))
    assert longer.due_at == LATER + timedelta(hours=1)
    shorter, _ = attempt(PENDING, Outcome.TRANSIENT, "busy", retry_after=SECONDS)
    assert shorter.due_at == LATER + 10 * SECONDS


@pytest.mark.parametrize(
    ("outcome", "status"),
    [(Outcome.PERMANENT, DeliveryStatus.DEAD), (Outcome.UNKNOWN, DeliveryStatus.UNKNOWN)],
)
def test_a_permanent_or_unknown_outcome_is_final_at_once(
    outcome: Outcome, status: DeliveryStatus
) -> None:
    after, made = attempt(PENDING, outcome, "HTTP 400")
    assert after == attrs.evolve(PENDING, status=status, attempts=1, last_error="HTTP 400")
    assert (made.number, made.outcome) == (1, outcome)


def test_a_gone_destination_leaves_the_delivery_as_it_was_but_for_the_error() -> None:
    tried = attrs.evolve(PENDING, attempts=2)
    after, made = attempt(tried, Outcome.GONE, "HTTP 410 Gone", relay="relay-1")
    assert after == attrs.evolve(tried, last_error="HTTP 410 Gone")
    assert made == Attempt(
        destination="erp",
        message_id="m-1",
        number=2,
        at=LATER,
        outcome=Outcome.GONE,
        error="HTTP 410 Gone",
        relay="relay-1",
    )


def test_a_long_error_is_cut_to_the_limit() -> None:
    exact = "x" * ERROR_LIMIT
    assert attempt(PENDING, Outcome.PERMANENT, exact)[0].last_error == exact
    cut = attempt(PENDING, Outcome.PERMANENT, exact + "y")[0].last_error
    assert cut == "x" * (ERROR_LIMIT - 3) + "..."


@pytest.mark.parametrize(
    "status", [DeliveryStatus.DELIVERED, DeliveryStatus.DEAD, DeliveryStatus.UNKNOWN]
)
@pytest.mark.parametrize("outcome", list(Outcome))
def test_only_a_pending_delivery_is_tried(status: DeliveryStatus, outcome: Outcome) -> None:
    final = attrs.evolve(PENDING, status=status)
    with pytest.raises(IllegalDeliveryStep) as refused:
        attempt(final, outcome)
    error = refused.value
    assert (error.message_id, error.destination, error.status, error.action) == (
        "m-1",
        "erp",
        status.value,
        "deliver",
    )
    assert str(error) == f"message m-1 to erp is {status.value}; cannot deliver"


@pytest.mark.parametrize("status", [DeliveryStatus.DEAD, DeliveryStatus.UNKNOWN])
def test_a_replay_starts_over_from_the_time_given(status: DeliveryStatus) -> None:
    dead = attrs.evolve(PENDING, status=status, attempts=10, last_error="down")
    again = replayed(dead, LATER)
    assert again == attrs.evolve(dead, status=DeliveryStatus.PENDING, attempts=0, due_at=LATER)


@pytest.mark.parametrize("status", [DeliveryStatus.PENDING, DeliveryStatus.DELIVERED])
def test_only_dead_or_unknown_deliveries_replay(status: DeliveryStatus) -> None:
    with pytest.raises(IllegalDeliveryStep, match=f"is {status.value}; cannot replay"):
        replayed(attrs.evolve(PENDING, status=status), LATER)


def test_an_unknown_outcome_resolves_as_delivered_at_the_time_given() -> None:
    unknown = attrs.evolve(PENDING, status=DeliveryStatus.UNKNOWN, attempts=1)
    assert resolved(unknown, LATER) == attrs.evolve(
        unknown, status=DeliveryStatus.DELIVERED, delivered_at=LATER
    )
    with pytest.raises(IllegalDeliveryStep, match="is dead; cannot resolve"):
        resolved(attrs.evolve(PENDING, status=DeliveryStatus.DEAD), LATER)


# -- the schedule --------------------------------------------------------------------


def test_the_default_schedule_is_the_documented_one() -> None:
    minutes, hours = timedelta(minutes=1), timedelta(hours=1)
    assert DEFAULT_SCHEDULE.delays == (
        5 * SECONDS, 5 * minutes, 30 * minutes, 2 * hours, 5 * hours,
        10 * hours, 14 * hours, 20 * hours, 24 * hours,
    )  # fmt: skip
    assert (DEFAULT_SCHEDULE.tries, DEFAULT_SCHEDULE.jitter) == (10, 0.2)


@pytest.mark.parametrize(("spin", "seconds"), [(0.0, 80), (0.25, 90), (0.5, 100), (0.75, 110)])
def test_jitter_stretches_or_shortens_a_wait_by_up_to_its_share(spin: float, seconds: int) -> None:
    schedule = RetrySchedule((100 * SECONDS,), jitter=0.2)
    assert schedule.wait(1, spin, None) == seconds * SECONDS


@given(failed=st.integers(1, 30), spin=st.floats(0, 1, exclude_max=True))
def test_a_wait_is_never_outside_its_jitter_and_the_last_delay_repeats(
    failed: int, spin: float
) -> None:
    delay = SCHEDULE.delays[min(failed, len(SCHEDULE.delays)) - 1]
    jittered = RetrySchedule(SCHEDULE.delays, jitter=0.5)
    assert delay * 0.5 <= jittered.wait(failed, spin, None) <= delay * 1.5
    assert SCHEDULE.wait(failed, spin, None) == delay


@pytest.mark.parametrize(
    ("delays", "jitter", "problem"),
    [
        ((), 0.2, "at least one wait"),
        ([SECONDS, 0 * SECONDS], 0.2, "longer than zero"),
        ((5,), 0.2, "sequence of timedelta"),
        ("5s", 0.2, "sequence of timedelta"),
        ((SECONDS,), 1.0, "jitter"),
        ((SECONDS,), -0.1, "jitter"),
        ((SECONDS,), True, "jitter"),
    ],
)
def test_a_schedule_is_checked(delays: object, jitter: object, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        RetrySchedule(delays, jitter)
