"""What the retention benchmark measures besides the clock: memory, statements, the backup's time.

* :class:`RssPeak` samples the process's resident set in a thread and keeps
  its highest value above where it started: what the operating system gave
  the sweep, the database driver's memory and SQLite's page cache included.
* :func:`traced` runs a call under ``tracemalloc`` and gives its peak: the
  Python objects alone, unaffected by what the allocator keeps.
* :class:`Statements` counts the statements an engine sends.
* :class:`TimedBackups` wraps a :class:`~crm_returns.ports.Backups` and times
  its ``write`` and ``verify``, and, inside ``write``, the time spent reading
  the records to back up out of the store (the export).
"""

from __future__ import annotations

import os
import re
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import sqlalchemy as sa

from crm_returns.ports.backup import BackupReference, Backups

__all__ = ["RssPeak", "Statements", "TimedBackups", "traced"]

_T = TypeVar("_T")

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE_BYTES


class RssPeak:
    """``with RssPeak() as peak:`` — ``peak.grew`` is the highest resident set above the start."""

    def __init__(self, every: float = 0.02) -> None:
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.start = self.peak = 0

    def _sample(self) -> None:
        while not self._stop.wait(self._every):
            self.peak = max(self.peak, _rss())

    def __enter__(self) -> RssPeak:
        self.start = self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def grew(self) -> int:
        """Bytes of the highest resident set above where it started."""
        return self.peak - self.start


def traced(call: Callable[[], _T]) -> tuple[_T, int]:
    """``call()`` and the peak of the memory Python allocated during it, in bytes."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak - before


class Statements:
    """Counts and times the statements ``engine`` sends while it listens, by verb and table.

    An ``executemany`` is one statement.  The time is the driver's, from
    handing the statement over to getting control back.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self.count = 0
        self.seconds = 0.0
        self.by_kind: dict[str, list[float]] = {}  # kind: [count, seconds]

    def _before(self, *args: Any) -> None:
        args[4]._bench_started = time.perf_counter()  # the execution context

    def _after(self, *args: Any) -> None:
        elapsed = time.perf_counter() - args[4]._bench_started
        self.count += 1
        self.seconds += elapsed
        slot = self.by_kind.setdefault(_kind(args[2]), [0, 0.0])
        slot[0] += 1
        slot[1] += elapsed

    def __enter__(self) -> Statements:
        sa.event.listen(self._engine, "before_cursor_execute", self._before)
        sa.event.listen(self._engine, "after_cursor_execute", self._after)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        sa.event.remove(self._engine, "before_cursor_execute", self._before)
        sa.event.remove(self._engine, "after_cursor_execute", self._after)


_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+(?:"?\w+"?\.)?"?crm_returns_(\w+)', re.IGNORECASE)


def _kind(statement: str) -> str:
    """``"DELETE stock_moves"``, ``"SELECT returns"``: the verb and the first table named."""
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
    table = _TABLE.search(statement)
    return f"{verb} {table.group(1) if table else '-'}"


class TimedBackups:
    """A :class:`~crm_returns.ports.Backups` that times what it passes on.

    Attributes:
        writing: Seconds in ``write``, the export read from the store included.
        exporting: Of those, seconds spent waiting for the next record (the export).
        verifying: Seconds in ``verify``.
        reference: What the last ``write`` wrote.
    """

    def __init__(self, backups: Backups) -> None:
        self._backups = backups
        self.writing = self.exporting = self.verifying = 0.0
        self.reference: BackupReference | None = None

    def _timed(self, records: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        iterator = iter(records)
        while True:
            started = time.perf_counter()
            try:
                record = next(iterator)
            except StopIteration:
                self.exporting += time.perf_counter() - started
                return
            self.exporting += time.perf_counter() - started
            yield record

    def write(self, name: str, records: Iterable[Mapping[str, Any]]) -> BackupReference:
        """Write through, timed."""
        started = time.perf_counter()
        self.reference = self._backups.write(name, self._timed(records))
        self.writing += time.perf_counter() - started
        return self.reference

    def verify(self, reference: BackupReference) -> None:
        """Verify through, timed."""
        started = time.perf_counter()
        self._backups.verify(reference)
        self.verifying += time.perf_counter() - started

    def read(self, reference: BackupReference) -> Iterator[dict[str, Any]]:
        """Read through."""
        return self._backups.read(reference)

    def find(self, name: str) -> BackupReference | None:
        """Find through."""
        return self._backups.find(name)
