"""A return's case file as retention sees it: the classes it owns, their dates and counts.

The customer-side records of a return (:mod:`crm_returns.domain.casefile`)
are owned by it: archived, restored and destroyed with it, and counted in its
retained record.  Each record kind is kept by one class's rule
(:data:`~crm_returns.domain.retention.classes.CASE_FILE_COUNTS`): tracking
updates by their shipments', an assignment by the return order's own.  A
class runs from the return's dates — its records belong to the return's
transaction, which completes when the return does — and its last activity is
the latest of the return's and of its records' (the day in UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import attrs

from crm_returns.domain.retention.classes import CASE_FILE_CLASSES, CASE_FILE_COUNTS, RETURN_ORDERS
from crm_returns.domain.retention.rules import RecordDates

__all__ = ["CaseFileParts", "case_file_counts", "case_file_parts", "counted_as"]


def counted_as(kind: str) -> tuple[str, str]:
    """The class whose rule keeps records of ``kind``, and the name they are counted under.

    A kind retention does not know is counted under its own name, kept by
    the return order's rule.
    """
    return CASE_FILE_COUNTS.get(kind, (RETURN_ORDERS, kind))


@attrs.frozen
class CaseFileParts:
    """What a return's case file adds to the return's retained record.

    Attributes:
        owned: Each case-file class the return has records of, with its dates.
        counts: How many records of each kind, under their counted names.
    """

    owned: tuple[tuple[str, RecordDates], ...] = ()
    counts: tuple[tuple[str, int], ...] = ()


def case_file_parts(
    found: Iterable[tuple[str, int, datetime]], dates: RecordDates
) -> CaseFileParts:
    """The owned classes and counts of a return's case file.

    Args:
        found: For each kind of record the return has: the kind, how many,
            and when the latest was made.
        dates: The return's own dates.
    """
    found = [(kind, count, latest) for kind, count, latest in found if count]
    last: dict[str, date] = {}
    for kind, _, latest in found:
        record_class = counted_as(kind)[0]
        if record_class != RETURN_ORDERS:
            # In UTC: a SQL store gives the latest time in UTC, whatever offset it was made in.
            day = latest.astimezone(UTC).date()
            last[record_class] = max(last.get(record_class, dates.last_activity), day)
    owned = tuple(
        (name, attrs.evolve(dates, last_activity=last[name]))
        for name in CASE_FILE_CLASSES
        if name in last
    )
    return CaseFileParts(owned, case_file_counts((kind, count) for kind, count, _ in found))


def case_file_counts(found: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """How many case-file records of each kind, under their counted names, in one order.

    Args:
        found: For each kind of record: the kind and how many.
    """
    counts: dict[str, int] = {}
    for kind, count in found:
        if count:
            name = counted_as(kind)[1]
            counts[name] = counts.get(name, 0) + count
    order = [name for _, name in CASE_FILE_COUNTS.values()]
    return tuple(sorted(counts.items(), key=lambda pair: (_rank(order, pair[0]), pair[0])))


def _rank(order: list[str], name: str) -> int:
    return order.index(name) if name in order else len(order)
