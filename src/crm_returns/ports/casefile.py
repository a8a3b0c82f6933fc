"""The port of the case file: every customer-side record of a return, in one store.

Requests, shipments, tracking updates, attachments, contacts, feedback and
assignments are each a :class:`~crm_returns.domain.casefile.CaseRecord`
subclass.  A store keeps them whole and finds them by tenant, kind and id; by
return, or by the returns of a page; by customer; by the unique key a record
names (a carrier's event id, one feedback per return); and by owner, team and
deadline.  It writes in the unit of work's transaction, like every store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from crm_returns.domain.casefile import CaseRecord
from crm_returns.errors import InvalidInput, quoted

__all__ = ["CaseFile", "checked_overdue_page"]

_R = TypeVar("_R", bound=CaseRecord)


class CaseFile(Protocol):
    """The customer-side records of returns.

    Lists are oldest first: by ``at``, then by ``id``.
    """

    def add(self, record: CaseRecord) -> None:
        """Keep a new record.

        Raises:
            ConcurrencyConflict: A record of the same kind has its id, or its
                unique key (``record.index().key``), in its tenant.
        """

    def update(self, record: CaseRecord, expected_version: int) -> None:
        """Replace a record with its next version.

        ``record.version`` is ``expected_version + 1``.  Its index may change
        (a tracking number typed later, a new owner, the next deadline).

        Raises:
            NotFound: There is no such record.
            ConcurrencyConflict: The stored version is not ``expected_version``,
                or the new unique key is another record's.
        """

    def get(self, tenant_id: str, kind: type[_R], record_id: str) -> _R:
        """The record of ``kind`` with ``record_id``.

        Raises:
            NotFound: The tenant has no such record.
        """

    def find(self, tenant_id: str, kind: type[_R], key: str) -> _R | None:
        """The record of ``kind`` whose unique key is ``key``, if there is one."""

    def for_return(self, tenant_id: str, return_id: str, kind: type[_R]) -> Sequence[_R]:
        """The return's records of ``kind``."""

    def for_returns(
        self, tenant_id: str, return_ids: Iterable[str], kind: type[_R]
    ) -> Sequence[_R]:
        """The records of ``kind`` of every return in ``return_ids``, oldest first.

        What a page of returns needs of the case file, in one read whose cost
        grows with those returns' records, not with the customer's or the
        tenant's history.  An id given twice counts once; no id, no records.
        """

    def for_customer(self, tenant_id: str, customer_id: str, kind: type[_R]) -> Sequence[_R]:
        """The customer's records of ``kind``, over all their returns."""

    def overdue(
        self,
        tenant_id: str,
        kind: type[_R],
        before: datetime,
        *,
        owner: str | None = None,
        team: str | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int | None = None,
    ) -> Sequence[_R]:
        """Records of ``kind`` due before ``before`` (of ``owner`` and ``team`` when given).

        Ordered by deadline, earliest first, then by ``id`` (in code-point
        order).  The list is read page by page by position (keyset), not by
        offset: ``after`` is the deadline and id of the last record of the page
        before, and the list goes on with the records due later, or due at that
        instant with a greater id; ``limit`` is the most records to return
        (all when ``None``).  Stores serve a page of one owner or one team by an
        index in this order.

        Raises:
            InvalidInput: ``before`` or the deadline of ``after`` has no UTC
                offset, or ``limit`` is not a whole number of at least 1.
        """


def checked_overdue_page(
    before: object, after: tuple[datetime, str] | None, limit: int | None
) -> None:
    """Check the time and the page of an overdue list, for every store alike.

    Raises:
        InvalidInput: ``before`` or the deadline of ``after`` is not a
            timezone-aware datetime, the id of ``after`` is not text, or
            ``limit`` is not a whole number of at least 1.
    """
    if not isinstance(before, datetime) or before.utcoffset() is None:
        raise InvalidInput(f"before must be a timezone-aware datetime, got {before!r}")
    if after is not None:
        match after:
            case (datetime() as due, str()) if due.utcoffset() is not None:
                pass
            case _:
                raise InvalidInput(
                    f"after must be a deadline (timezone-aware) and an id, got {quoted(after)}"
                )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput(f"limit must be a whole number of at least 1, got {quoted(limit)}")
