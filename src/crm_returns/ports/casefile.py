"""The port of the case file: every customer-side record of a return, in one store.

Requests, shipments, tracking updates, attachments, contacts, feedback and
assignments are each a :class:`~crm_returns.domain.casefile.CaseRecord`
subclass.  A store keeps them whole and finds them by tenant, kind and id; by
return; by customer; by the unique key a record names (a carrier's event id,
one feedback per return); and by owner, team and deadline.  It writes in the
unit of work's transaction, like every store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from crm_returns.domain.casefile import CaseRecord

__all__ = ["CaseFile"]

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
    ) -> Sequence[_R]:
        """Records of ``kind`` due before ``before`` (of ``owner`` and ``team`` when given).

        Ordered by deadline, earliest first, then by ``id``.
        """
