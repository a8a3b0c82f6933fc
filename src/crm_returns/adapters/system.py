"""Adapters that read the real world: the system clock and random ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

__all__ = ["SystemClock", "UuidIds"]


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


class UuidIds:
    """Random UUID4 ids: unique across processes without coordination."""

    def new_id(self) -> str:
        """A new random id."""
        return str(uuid.uuid4())
