"""When to try a failed delivery again: a back-off schedule with jitter."""

from __future__ import annotations

from datetime import timedelta

import attrs

from crm_returns.errors import InvalidInput, quoted

__all__ = ["DEFAULT_SCHEDULE", "RetrySchedule"]


def _delays(value: object) -> tuple[timedelta, ...]:
    if not isinstance(value, (tuple, list)) or not all(
        isinstance(delay, timedelta) for delay in value
    ):
        raise InvalidInput(f"delays must be a sequence of timedelta, got {quoted(value)}")
    if not value:
        raise InvalidInput("delays must name at least one wait before a retry")
    if any(delay <= timedelta(0) for delay in value):
        raise InvalidInput(f"every delay must be longer than zero, got {quoted(value)}")
    return tuple(value)


def _jitter(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise InvalidInput(f"jitter must be a fraction from 0 to below 1, got {quoted(value)}")
    return float(value)


@attrs.frozen
class RetrySchedule:
    """How long to wait before each retry of a failed delivery.

    A message is tried once, then once after each delay: with the default,
    ten tries over about four days.  Each wait is stretched or shortened at
    random by up to ``jitter`` of itself, so that the messages of one outage
    do not all come back at the same moment.

    Attributes:
        delays: The wait before the first retry, the second, and so on.
        jitter: The largest share of a wait added or taken away at random
            (0.2: a 5-minute wait becomes 4 to 6 minutes).

    Raises:
        InvalidInput: No delays, a delay that is not longer than zero, or a
            jitter outside ``[0, 1)``.
    """

    delays: tuple[timedelta, ...] = attrs.field(converter=_delays)
    jitter: float = attrs.field(default=0.2, converter=_jitter)

    @property
    def tries(self) -> int:
        """How many times a message is tried in all before it is dead."""
        return len(self.delays) + 1

    def wait(self, failed_tries: int, spin: float, retry_after: timedelta | None) -> timedelta:
        """The wait after the ``failed_tries``-th failed try.

        Args:
            failed_tries: Tries made so far, all failed (1 after the first).
            spin: A random number in ``[0, 1)``: where in the jitter range
                the wait falls (0.5 is the plain delay).
            retry_after: How long the receiver asked us to wait, if it said;
                the wait is never shorter.
        """
        delay = self.delays[min(failed_tries, len(self.delays)) - 1]
        stretched = delay * (1 + self.jitter * (2 * spin - 1))
        if retry_after is not None and retry_after > stretched:
            return retry_after
        return stretched


def _default() -> RetrySchedule:
    minutes, hours = timedelta(minutes=1), timedelta(hours=1)
    return RetrySchedule(
        (
            timedelta(seconds=5),
            5 * minutes,
            30 * minutes,
            2 * hours,
            5 * hours,
            10 * hours,
            14 * hours,
            20 * hours,
            24 * hours,
        )
    )


#: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: ten tries over about four days.
DEFAULT_SCHEDULE = _default()
