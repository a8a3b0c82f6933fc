"""A clock for tests and demos: it stands still until told to move."""

from __future__ import annotations

from datetime import datetime, timedelta

from crm_returns.errors import InvalidInput

__all__ = ["ManualClock"]


class ManualClock:
    """A clock that stands still until told to move; for tests and demos."""

    def __init__(self, start: datetime) -> None:
        if start.utcoffset() is None:
            raise InvalidInput(f"the clock needs a timezone-aware time, got {start!r}")
        self._now = start

    def now(self) -> datetime:
        """The clock's current time."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._now += delta
