"""The case file in memory: customer-side records, kept whole, found by their index."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from crm_returns.adapters.memory.committed import Committed
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.casefile.kinds import registered_kind
from crm_returns.errors import ConcurrencyConflict, NotFound
from crm_returns.ports.casefile import checked_overdue_page

__all__ = ["MemoryCaseFile"]

_R = TypeVar("_R", bound=CaseRecord)


def _oldest_first(record: CaseRecord) -> tuple[datetime, str]:
    return (record.at, record.id)


class MemoryCaseFile:
    """The :class:`~crm_returns.ports.CaseFile` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Records added or replaced in this unit of work, by ``(tenant, kind, id)``.
        self.pending: dict[tuple[str, str, str], CaseRecord] = {}

    def _current(self, slot: tuple[str, str, str]) -> CaseRecord | None:
        return self.pending.get(slot) or self._db.casefile.get(slot)

    def _all(self, tenant_id: str, kind: type[_R]) -> Iterator[_R]:
        """The tenant's records of ``kind``, as this unit of work sees them."""
        wanted = registered_kind(kind)
        seen = {**self._db.casefile, **self.pending}
        for (tenant, name, _), record in seen.items():
            if tenant == tenant_id and name == wanted and isinstance(record, kind):
                yield record

    def every(self, tenant_id: str, kind: type[_R]) -> list[_R]:
        """Every record of ``kind`` the tenant has, as this unit of work sees them, in no order."""
        return list(self._all(tenant_id, kind))

    def add(self, record: CaseRecord) -> None:
        """Keep a new record (see :meth:`~crm_returns.ports.CaseFile.add`)."""
        slot = (record.tenant_id, registered_kind(type(record)), record.id)
        if self._current(slot) is not None:
            raise ConcurrencyConflict(f"{record.kind} {record.id}")
        key = record.index().key
        if key is not None and self.find(record.tenant_id, type(record), key) is not None:
            raise ConcurrencyConflict(f"{record.kind} {key}")
        self.pending[slot] = record

    def update(self, record: CaseRecord, expected_version: int) -> None:
        """Replace a record (see :meth:`~crm_returns.ports.CaseFile.update`)."""
        slot = (record.tenant_id, registered_kind(type(record)), record.id)
        stored = self._current(slot)
        if stored is None:
            raise NotFound(record.kind, record.id)
        if stored.version != expected_version or record.version != expected_version + 1:
            raise ConcurrencyConflict(f"{record.kind} {record.id}")
        key = record.index().key
        holder = None if key is None else self.find(record.tenant_id, type(record), key)
        if holder is not None and holder.id != record.id:
            raise ConcurrencyConflict(f"{record.kind} {key}")
        self.pending[slot] = record

    def get(self, tenant_id: str, kind: type[_R], record_id: str) -> _R:
        """The record of ``kind`` with ``record_id``."""
        record = self._current((tenant_id, registered_kind(kind), record_id))
        if not isinstance(record, kind):
            raise NotFound(kind.kind, record_id)
        return record

    def find(self, tenant_id: str, kind: type[_R], key: str) -> _R | None:
        """The record of ``kind`` whose unique key is ``key``."""
        return next((r for r in self._all(tenant_id, kind) if r.index().key == key), None)

    def for_return(self, tenant_id: str, return_id: str, kind: type[_R]) -> Sequence[_R]:
        """The return's records of ``kind``, oldest first."""
        found = (r for r in self._all(tenant_id, kind) if r.return_id == return_id)
        return sorted(found, key=_oldest_first)

    def for_returns(
        self, tenant_id: str, return_ids: Iterable[str], kind: type[_R]
    ) -> Sequence[_R]:
        """The records of ``kind`` of the returns ``return_ids``, oldest first."""
        wanted = set(return_ids)
        found = (r for r in self._all(tenant_id, kind) if r.return_id in wanted)
        return sorted(found, key=_oldest_first)

    def for_customer(self, tenant_id: str, customer_id: str, kind: type[_R]) -> Sequence[_R]:
        """The customer's records of ``kind``, oldest first."""
        found = (r for r in self._all(tenant_id, kind) if r.customer_id == customer_id)
        return sorted(found, key=_oldest_first)

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
        """Records of ``kind`` due before ``before``, earliest deadline first, then by ``id``.

        See :meth:`~crm_returns.ports.CaseFile.overdue` for ``after`` and ``limit``.

        Raises:
            InvalidInput: ``before`` or the deadline of ``after`` has no UTC
                offset, or ``limit`` is below 1.
        """
        checked_overdue_page(before, after, limit)
        late: list[tuple[datetime, str, _R]] = []
        for record in self._all(tenant_id, kind):
            index = record.index()
            if index.due_at is None or index.due_at >= before:
                continue
            if after is not None and (index.due_at, record.id) <= after:
                continue
            if owner is not None and index.owner != owner:
                continue
            if team is not None and index.team != team:
                continue
            late.append((index.due_at, record.id, record))
        ordered = [record for _, _, record in sorted(late, key=lambda item: item[:2])]
        return ordered if limit is None else ordered[:limit]

    def apply(self) -> None:
        """Commit the records added and replaced."""
        self._db.casefile.update(self.pending)
