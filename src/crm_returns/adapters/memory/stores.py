"""The stores beside the returns, in memory: audit trail, reasons, counters, keys.

Each keeps a unit of work's writes in ``pending`` until ``apply`` commits them to the
:class:`~crm_returns.adapters.memory.committed.Committed` state.
"""

from __future__ import annotations

from collections.abc import Sequence

from crm_returns.adapters.memory.committed import Committed
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.ports import IdempotentResult

__all__ = [
    "MemoryAuditLog",
    "MemoryIdempotencyKeys",
    "MemoryReasonStore",
    "MemorySequences",
]


class MemoryAuditLog:
    """The :class:`~crm_returns.ports.AuditLog` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Entries appended in this unit of work, in order.
        self.pending: list[AuditEntry] = []

    def append(self, entry: AuditEntry) -> None:
        """Add ``entry``."""
        self.pending.append(entry)

    def for_return(self, tenant_id: str, return_id: str) -> Sequence[AuditEntry]:
        """A return's entries, oldest first."""
        committed = self._db.audit.get((tenant_id, return_id), [])
        mine = [e for e in self.pending if (e.tenant_id, e.return_id) == (tenant_id, return_id)]
        return [*committed, *mine]

    def apply(self) -> None:
        """Commit the pending entries."""
        for entry in self.pending:
            self._db.audit[(entry.tenant_id, entry.return_id)].append(entry)


class MemoryReasonStore:
    """The :class:`~crm_returns.ports.ReasonStore` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Catalogs put in this unit of work, by tenant.
        self.pending: dict[str, ReasonCatalog] = {}

    def get(self, tenant_id: str) -> ReasonCatalog | None:
        """The tenant's catalog, or ``None`` if it still uses the defaults."""
        return self.pending.get(tenant_id) or self._db.reasons.get(tenant_id)

    def put(self, tenant_id: str, catalog: ReasonCatalog) -> None:
        """Replace the tenant's catalog."""
        self.pending[tenant_id] = catalog

    def apply(self) -> None:
        """Commit the catalogs put."""
        self._db.reasons.update(self.pending)


class MemorySequences:
    """The :class:`~crm_returns.ports.Sequences` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: The counters drawn in this unit of work, at their last value.
        self.pending: dict[str, int] = {}

    def next(self, key: str) -> int:
        """The next value of counter ``key``, starting at 1."""
        value = self.pending.get(key, self._db.sequences.get(key, 0)) + 1
        self.pending[key] = value
        return value

    def apply(self) -> None:
        """Commit the counters drawn."""
        self._db.sequences.update(self.pending)


class MemoryIdempotencyKeys:
    """The :class:`~crm_returns.ports.IdempotencyKeys` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Results stored in this unit of work, by ``(tenant, key)``.
        self.pending: dict[tuple[str, str], IdempotentResult] = {}

    def get(self, tenant_id: str, key: str) -> IdempotentResult | None:
        """The result stored under ``key``, if any."""
        return self.pending.get((tenant_id, key)) or self._db.idempotency.get((tenant_id, key))

    def put(self, tenant_id: str, key: str, result: IdempotentResult) -> None:
        """Store ``result`` under ``key``."""
        self.pending[(tenant_id, key)] = result

    def apply(self) -> None:
        """Commit the results stored."""
        self._db.idempotency.update(self.pending)
