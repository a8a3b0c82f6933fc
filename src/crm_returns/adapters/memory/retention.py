"""The retention store in memory: holds, plans and the register, erasures, the log.

What retention keeps of its own lives in a
:class:`~crm_returns.adapters.memory.committed.RetentionBook`; a unit of work
changes a copy of it, which replaces the committed one at commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from crm_returns.adapters.memory.committed import Committed, RetentionBook
from crm_returns.adapters.memory.retention_records import MemoryRecordKeeper
from crm_returns.domain.orders import LineRef
from crm_returns.domain.retention.erasure import ErasureRequest
from crm_returns.domain.retention.holds import LegalHold
from crm_returns.domain.retention.oplog import LogEntry
from crm_returns.domain.retention.plans import PlanItem, RetentionPlan
from crm_returns.errors import ConcurrencyConflict, NotFound
from crm_returns.ports.retention import Tombstone

__all__ = ["MemoryRetention"]


class MemoryRetention(MemoryRecordKeeper):
    """The :class:`~crm_returns.ports.retention.RetentionStore` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        super().__init__(db)
        #: The copy of the retention book this unit of work changed (at most one).
        self.pending: list[RetentionBook] = []

    def _book(self) -> RetentionBook:
        if not self.pending:
            self.pending.append(self._db.retention.copy())
        return self.pending[0]

    def _read(self) -> RetentionBook:
        return self.pending[0] if self.pending else self._db.retention

    def apply(self) -> None:
        """Commit the book and the changes to the library's records, in order."""
        if self.pending:
            self._db.retention = self.pending[0]
        for change in self.changes:
            change(self._db)
        self.changes.clear()

    def archived(self, tenant_id: str, return_id: str) -> bool:
        """Whether the return is archived.

        Raises:
            NotFound: The tenant has no such return.
        """
        if (tenant_id, return_id) not in self._db.returns:
            raise NotFound("return", return_id)
        return (tenant_id, return_id) in self._read().archived

    def retired_claims(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, Decimal]:
        """Units of ``refs`` claimed by returns since destroyed."""
        claims = self._read().retired_claims
        return {ref: claims[(tenant_id, ref)] for ref in refs if (tenant_id, ref) in claims}

    def tombstones(self, tenant_id: str, after: str | None, limit: int) -> Sequence[Tombstone]:
        """Tombstones of destroyed records, by ``"class/id"``."""
        found = sorted(
            (str(t.key), t)
            for (tenant, _, _), t in self._read().tombstones.items()
            if tenant == tenant_id
        )
        return [t for name, t in found if after is None or name > after][:limit]

    def add_hold(self, hold: LegalHold) -> None:
        """Store a new hold."""
        self._book().holds[(hold.tenant_id, hold.id)] = hold

    def update_hold(self, hold: LegalHold) -> None:
        """Replace a stored hold."""
        self._book().holds[(hold.tenant_id, hold.id)] = hold

    def holds(self, tenant_id: str) -> Sequence[LegalHold]:
        """Every hold of the tenant, in the order placed."""
        return [h for (tenant, _), h in self._read().holds.items() if tenant == tenant_id]

    def add_plan(self, plan: RetentionPlan, items: Sequence[PlanItem]) -> None:
        """Store a new plan with its first items."""
        book = self._book()
        if (plan.tenant_id, plan.number) in book.plan_numbers:
            raise ConcurrencyConflict(f"plan {plan.number}")
        book.plans[(plan.tenant_id, plan.id)] = plan
        book.plan_numbers[(plan.tenant_id, plan.number)] = plan.id
        book.items[(plan.tenant_id, plan.id)] = list(items)

    def add_items(self, tenant_id: str, plan_id: str, items: Sequence[PlanItem]) -> None:
        """Add items to a stored plan."""
        book = self._book()
        book.items[(tenant_id, plan_id)] = [*book.items.get((tenant_id, plan_id), []), *items]

    def update_plan(self, plan: RetentionPlan, expected_version: int) -> None:
        """Replace a stored plan whose version is still ``expected_version``."""
        book = self._book()
        stored = book.plans.get((plan.tenant_id, plan.id))
        if stored is None or stored.version != expected_version:
            raise ConcurrencyConflict(f"plan {plan.number}")
        book.plans[(plan.tenant_id, plan.id)] = plan

    def get_plan(self, tenant_id: str, number: str) -> RetentionPlan:
        """The plan with readable ``number``."""
        book = self._read()
        plan_id = book.plan_numbers.get((tenant_id, number))
        if plan_id is None:
            raise NotFound("retention plan", number)
        return book.plans[(tenant_id, plan_id)]

    def plans(self, tenant_id: str) -> Sequence[RetentionPlan]:
        """Every plan of the tenant, oldest first."""
        return [p for (tenant, _), p in self._read().plans.items() if tenant == tenant_id]

    def items(self, tenant_id: str, plan_id: str, after: int, limit: int) -> Sequence[PlanItem]:
        """Up to ``limit`` items with positions after ``after``, in order."""
        items = self._read().items.get((tenant_id, plan_id), [])
        later = sorted((item for item in items if item.position > after), key=lambda i: i.position)
        return later[: max(limit, 0)]

    def add_erasure(self, request: ErasureRequest) -> None:
        """Store a new erasure request."""
        self._book().erasures[(request.tenant_id, request.id)] = request

    def update_erasure(self, request: ErasureRequest) -> None:
        """Replace a stored erasure request."""
        self._book().erasures[(request.tenant_id, request.id)] = request

    def erasures(self, tenant_id: str) -> Sequence[ErasureRequest]:
        """Every erasure request of the tenant, oldest first."""
        return [r for (tenant, _), r in self._read().erasures.items() if tenant == tenant_id]

    def append_log(self, entry: LogEntry) -> None:
        """Append a sealed entry to the tenant's log."""
        chain = self._book().log.setdefault(entry.tenant_id, [])
        if entry.position != len(chain) + 1:
            raise ConcurrencyConflict(f"retention log entry {entry.position}")
        chain.append(entry)

    def last_log_entry(self, tenant_id: str) -> LogEntry | None:
        """The newest entry of the tenant's log."""
        chain = self._read().log.get(tenant_id)
        return chain[-1] if chain else None

    def log(self, tenant_id: str, after: int, limit: int) -> Sequence[LogEntry]:
        """Up to ``limit`` entries with positions after ``after``."""
        return self._read().log.get(tenant_id, [])[after : after + limit]

    def log_tenants(self) -> Sequence[str]:
        """Every tenant with an operation log."""
        return sorted(self._read().log)
