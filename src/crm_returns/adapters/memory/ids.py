"""Readable, repeatable ids for tests and demos."""

from __future__ import annotations

import itertools
import threading

__all__ = ["SequentialIds"]


class SequentialIds:
    """Ids ``prefix-1``, ``prefix-2``, ...: readable and repeatable, for tests."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self) -> str:
        """The next id."""
        with self._lock:
            return f"{self._prefix}-{next(self._counter)}"
