"""Adapters that read the real world: the system clock and random ids."""

from __future__ import annotations

import os
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
        """A new random id: a version 4 UUID in its canonical text, as ``str(uuid.uuid4())``.

        Written from the random bytes directly (``uuid.uuid4`` builds a
        ``UUID`` object first, which costs more than the id's other work; a
        command draws two ids for each event it records).
        """
        raw = bytearray(os.urandom(16))
        raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
        text = raw.hex()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
