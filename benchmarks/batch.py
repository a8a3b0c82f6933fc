"""One batch return of 1,000 lines: how long ``create_return`` takes, and its peak memory.

Time and memory are taken in separate runs, because ``tracemalloc`` slows
every allocation down: the time is the median of untraced runs, the memory
the peak of one traced run above what was allocated before it began.  Each
run returns a fresh order of its own, so that every run does the same work.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable

import attrs

from benchmarks.workload import REASON, Staff, order_number, order_source, returns_service
from crm_returns import LineRef, RequestedLine
from crm_returns.adapters.system import SystemClock
from crm_returns.ports import UnitOfWork
from crm_returns.service import ReturnRequest

__all__ = ["BatchReturn", "measure_batch_return"]


@attrs.frozen
class BatchReturn:
    """What one batch return cost.

    Attributes:
        lines: Lines in the return.
        seconds: Wall time of each untraced run.
        peak_bytes: Peak of memory allocated during the traced run.
    """

    lines: int
    seconds: tuple[float, ...]
    peak_bytes: int

    @property
    def median(self) -> float:
        """Median wall time, in seconds."""
        return statistics.median(self.seconds)


def measure_batch_return(
    unit_of_work: Callable[[], UnitOfWork], lines: int, runs: int
) -> BatchReturn:
    """Create ``runs`` untraced batch returns (after one to warm up) and one traced.

    Args:
        unit_of_work: The store's unit-of-work factory.
        lines: Lines in each return, all of one order.
        runs: Timed runs.
    """
    clock = SystemClock()
    orders = order_source(clock.now(), runs + 2, prefix="BATCH", lines=lines)
    service = returns_service(unit_of_work, orders, clock)
    clerk = Staff().clerk

    def request(index: int) -> ReturnRequest:
        number = order_number("BATCH", index)
        return ReturnRequest(
            [RequestedLine(LineRef(number, str(line)), 1, REASON) for line in range(1, lines + 1)]
        )

    def create(index: int) -> float:
        wanted = request(index)  # built before the clock starts: it is the caller's work
        started = time.perf_counter()
        order = service.create_return(clerk, wanted)
        elapsed = time.perf_counter() - started
        if len(order.lines) != lines:
            raise RuntimeError(f"batch return has {len(order.lines)} lines, not {lines}")
        return elapsed

    create(0)
    seconds = tuple(create(index) for index in range(1, runs + 1))

    wanted = request(runs + 1)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        service.create_return(clerk, wanted)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return BatchReturn(lines, seconds, peak - before)
