"""How a relay works (:class:`RelaySettings`) and what one round did (:class:`RelayReport`)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import timedelta

import attrs

from crm_returns.domain._checks import value_of
from crm_returns.domain.delivery.retries import DEFAULT_SCHEDULE, RetrySchedule
from crm_returns.errors import InvalidInput, quoted

__all__ = [
    "NAME_LIMIT",
    "RELAY_LIMIT",
    "RelayReport",
    "RelaySettings",
    "checked_batch",
    "checked_name",
]


#: Most messages one step of the relay takes at a time.
RELAY_LIMIT = 10_000

#: Longest name of a destination or a relay.
NAME_LIMIT = 200


def _positive_span(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInput(f"must be a timedelta longer than zero, got {quoted(value)}")
    return value


def checked_batch(value: object) -> int:
    """``value`` if it is a whole number from 1 to :data:`RELAY_LIMIT`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= RELAY_LIMIT:
        raise InvalidInput(
            f"batch must be a whole number from 1 to {RELAY_LIMIT}, got {quoted(value)}"
        )
    return value


def _relay_id() -> str:
    return f"relay-{uuid.uuid4().hex[:12]}"


def checked_name(value: object, what: str) -> str:
    """``value`` if it is a name of 1 to :data:`NAME_LIMIT` characters; ``what`` names it."""
    if not isinstance(value, str) or not value.strip() or len(value) > NAME_LIMIT:
        raise InvalidInput(
            f"{what} needs a name of 1 to {NAME_LIMIT} characters, got {quoted(value)}"
        )
    return value


def _relay_name(value: object) -> str:
    return checked_name(value, "a relay")


def _callable(value: object) -> Callable[[], float]:
    if not callable(value):
        raise InvalidInput(f"spin must be a function giving numbers in [0, 1), got {quoted(value)}")
    return value


@attrs.frozen(kw_only=True)
class RelaySettings:
    """How a relay works.

    Attributes:
        schedule: When to retry a failed delivery (default: 5 s, 5 min,
            30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, with 20 % jitter).
        lease: How long a relay holds what it claimed; another relay takes
            it over after that.  Longer than the slowest destination takes
            for a batch.
        batch: Most deliveries claimed from one destination at a time; their
            outcomes are recorded together, so a relay that dies while
            delivering a batch leaves up to this many to be sent again.
        relay_id: This relay's name in attempts and leases (a random one by
            default).
        spin: A source of random numbers in ``[0, 1)`` for the jitter; give a
            seeded ``random.Random(...).random`` for repeatable tests.
    """

    schedule: RetrySchedule = attrs.field(
        default=DEFAULT_SCHEDULE, validator=value_of(RetrySchedule)
    )
    lease: timedelta = attrs.field(default=timedelta(minutes=2), converter=_positive_span)
    batch: int = attrs.field(default=100, converter=checked_batch)
    relay_id: str = attrs.field(factory=_relay_id, converter=_relay_name)
    # Jitter spreads retries out; it needs no cryptographic randomness.
    spin: Callable[[], float] = attrs.field(
        factory=lambda: random.Random().random,  # noqa: S311
        converter=_callable,
    )


@attrs.frozen
class RelayReport:
    """What one round of the relay did.

    Attributes:
        delivered: Messages a destination took.
        retried: Messages that failed and will be tried again.
        dead: Messages dead-lettered (permanent failure, or out of tries).
        unknown: Messages whose outcome is unknown (not sent again by themselves).
        held: Messages not tried because an earlier message of their return failed
            or their destination was disabled; they wait.
    """

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    unknown: int = 0
    held: int = 0

    def __add__(self, other: RelayReport) -> RelayReport:
        return RelayReport(
            *(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other), strict=True))
        )

    @property
    def tried(self) -> int:
        """Messages tried in all."""
        return self.delivered + self.retried + self.dead + self.unknown
