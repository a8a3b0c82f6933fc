"""The retention store in SQL: the library's records, holds, plans, erasures and the log.

:class:`SqlRetention` is the :class:`~crm_returns.ports.retention.RetentionStore`
of a SQL unit of work (``uow.retention``).  The record primitives are in
sibling modules — pages of records (``retention_records.py``), their export
(``retention_export.py``), archive, restore and destroy
(``retention_actions.py``), erasure (``retention_erasure.py``); this module
keeps what retention itself stores: legal holds, plans and their items (the
destruction register), erasure requests and the hash-chained operation log,
each value whole as a document beside the columns queries need.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from crm_returns.adapters.sql.retention_actions import SqlRecordActions
from crm_returns.adapters.sql.retention_erasure import erase_customer
from crm_returns.adapters.sql.retention_export import SqlRecordExport
from crm_returns.adapters.sql.retention_records import SqlRecordPages
from crm_returns.adapters.sql.statements import Prepared, as_text, insert_row, param
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.orders import LineRef
from crm_returns.domain.retention.classes import RecordKey
from crm_returns.domain.retention.decisions import RetainedRecord
from crm_returns.domain.retention.erasure import ErasureRequest
from crm_returns.domain.retention.holds import LegalHold
from crm_returns.domain.retention.oplog import LogEntry
from crm_returns.domain.retention.plans import PlanItem, RetentionPlan
from crm_returns.errors import ConcurrencyConflict, NotFound
from crm_returns.ports.retention import Erasure, Tombstone

__all__ = ["SqlRetention"]

_HOLD_COLUMNS = ("scope", "target", "placed_at", "released_at", "document")
_ADD_HOLD = insert_row(lambda t: t.legal_holds, "tenant_id", "id", *_HOLD_COLUMNS)
_ADD_PLAN = insert_row(
    lambda t: t.retention_plans,
    *("tenant_id", "id", "number", "status", "version", "proposed_at", "document"),
)
_ADD_ITEM = insert_row(
    lambda t: t.retention_plan_items,
    *("tenant_id", "plan_id", "position", "record_class", "record_id", "action", "document"),
)
_ERASURE_COLUMNS = ("number", "subject", "status", "requested_at", "document")
_ADD_ERASURE = insert_row(lambda t: t.erasure_requests, "tenant_id", "id", *_ERASURE_COLUMNS)
_APPEND_LOG = insert_row(
    lambda t: t.retention_log, "tenant_id", "position", "at", "digest", "document"
)


def _replace(table: str, columns: Sequence[str], *, versioned: bool = False) -> Prepared:
    """``UPDATE`` of one row of ``table`` found by tenant and id (and expected version)."""

    def build(t: Any) -> Any:
        target: sa.Table = getattr(t, table)
        where = [target.c.tenant_id == param("tenant_id"), target.c.id == param("id")]
        if versioned:
            where.append(target.c.version == param("expected_version"))
        return sa.update(target).where(*where).values({name: param(name) for name in columns})

    return Prepared(build)


_UPDATE_HOLD = _replace("legal_holds", _HOLD_COLUMNS)
_UPDATE_PLAN = _replace("retention_plans", ("status", "version", "document"), versioned=True)
_UPDATE_ERASURE = _replace("erasure_requests", _ERASURE_COLUMNS)


class SqlRetention:
    """The :class:`~crm_returns.ports.retention.RetentionStore` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec
        self._pages = SqlRecordPages(transaction)
        self._export = SqlRecordExport(transaction)
        self._actions = SqlRecordActions(transaction)

    # -- the record keeper ---------------------------------------------------------------

    def classes(self) -> Sequence[str]:
        """The record classes it keeps: returns, journal entries, outbox messages, keys."""
        return self._pages.classes()

    def records(
        self, tenant_id: str, record_class: str, after: str | None, limit: int
    ) -> Sequence[RetainedRecord]:
        """Up to ``limit`` records of the class with ids after ``after``, by id.

        Raises:
            InvalidInput: The class is not one the library keeps.
        """
        return self._pages.records(tenant_id, record_class, after, limit)

    def record(self, key: RecordKey) -> RetainedRecord | None:
        """The record named by ``key`` as :meth:`records` gives it; ``None`` if not stored."""
        return self._pages.record(key)

    def export(self, keys: Sequence[RecordKey]) -> Iterator[Mapping[str, Any]]:
        """Each record of ``keys`` with what it owns, as JSON-safe mappings, for the backup."""
        return self._export.export(keys)

    def archive(self, keys: Sequence[RecordKey]) -> None:
        """Archive the returns of ``keys``: kept as they are, out of lists.

        Raises:
            InvalidInput: A key is not a return order.
        """
        self._actions.archive(keys)

    def restore(self, keys: Sequence[RecordKey]) -> None:
        """Bring the archived returns of ``keys`` back exactly as they were.

        Raises:
            InvalidInput: A key is not a return order.
        """
        self._actions.restore(keys)

    def destroy(
        self, keys: Sequence[RecordKey], plan_number: str, at: datetime
    ) -> Mapping[str, int]:
        """Delete the records with what they own, leaving tombstones; the deleted, by class."""
        return self._actions.destroy(keys, plan_number, at)

    def erase(
        self, tenant_id: str, customer_id: str, surrogate: str, personal: Sequence[str]
    ) -> Erasure:
        """Replace the customer's personal data in every record that names them."""
        return erase_customer(self._tx, tenant_id, customer_id, surrogate, personal)

    def archived(self, tenant_id: str, return_id: str) -> bool:
        """Whether the return is archived.

        Raises:
            NotFound: The tenant has no such return.
        """
        return self._actions.archived(tenant_id, return_id)

    def retired_claims(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, Decimal]:
        """Units of ``refs`` claimed by returns since destroyed."""
        return self._actions.retired_claims(tenant_id, refs)

    def tombstones(self, tenant_id: str, after: str | None, limit: int) -> Sequence[Tombstone]:
        """Tombstones of destroyed records, by record class and id."""
        return self._actions.tombstones(tenant_id, after, limit)

    # -- holds ---------------------------------------------------------------------------

    def _hold_columns(self, hold: LegalHold) -> dict[str, Any]:
        instant = self._tx.binder.instant
        return {
            "tenant_id": hold.tenant_id,
            "id": hold.id,
            "scope": hold.scope.value,
            "target": hold.target,
            "placed_at": instant(hold.placed_at),
            "released_at": None if hold.released_at is None else instant(hold.released_at),
            "document": self._codec.encode_text(hold),
        }

    def add_hold(self, hold: LegalHold) -> None:
        """Store a new hold.

        Raises:
            ConcurrencyConflict: Its id is taken.
        """
        self._tx.write(_ADD_HOLD, self._hold_columns(hold), subject=f"hold {hold.id}")

    def update_hold(self, hold: LegalHold) -> None:
        """Replace a stored hold (released).

        Raises:
            NotFound: The tenant has no such hold.
        """
        if self._tx.write(_UPDATE_HOLD, self._hold_columns(hold), subject=f"hold {hold.id}") != 1:
            raise NotFound("hold", hold.id)

    def holds(self, tenant_id: str) -> Sequence[LegalHold]:
        """Every hold of the tenant, released ones too, in the order they were placed."""
        h = self._tx.tables.legal_holds
        texts = self._tx.execute(
            sa.select(as_text(h.c.document))
            .where(h.c.tenant_id == tenant_id)
            .order_by(h.c.placed_at, self._tx.binary(h.c.id)),
            subject="legal holds",
        ).scalars()
        return [self._codec.decode_text(text, LegalHold) for text in texts]

    # -- plans and their items -----------------------------------------------------------

    def _plan_columns(self, plan: RetentionPlan) -> dict[str, Any]:
        return {
            "tenant_id": plan.tenant_id,
            "id": plan.id,
            "number": plan.number,
            "status": plan.status.value,
            "version": plan.version,
            "proposed_at": self._tx.binder.instant(plan.proposed_at),
            "document": self._codec.encode_text(plan),
        }

    def add_plan(self, plan: RetentionPlan, items: Sequence[PlanItem]) -> None:
        """Store a new plan with its first items.

        Raises:
            ConcurrencyConflict: Its id or number is taken.
        """
        self._tx.write(_ADD_PLAN, self._plan_columns(plan), subject=f"plan {plan.number}")
        self.add_items(plan.tenant_id, plan.id, items)

    def add_items(self, tenant_id: str, plan_id: str, items: Sequence[PlanItem]) -> None:
        """Add items to a stored plan.

        Raises:
            ConcurrencyConflict: An item's position is taken.
            StorageError: The plan is not stored.
        """
        self._tx.write(
            _ADD_ITEM,
            [
                {
                    "tenant_id": tenant_id,
                    "plan_id": plan_id,
                    "position": item.position,
                    "record_class": item.key.record_class,
                    "record_id": item.key.record_id,
                    "action": item.action.value,
                    "document": self._codec.encode_text(item),
                }
                for item in items
            ],
            subject=f"the items of plan {plan_id}",
        )

    def update_plan(self, plan: RetentionPlan, expected_version: int) -> None:
        """Replace a stored plan whose version is still ``expected_version``.

        Raises:
            NotFound: The tenant has no such plan.
            ConcurrencyConflict: It was changed since it was read.
        """
        subject = f"plan {plan.number}"
        columns = {**self._plan_columns(plan), "expected_version": expected_version}
        if self._tx.write(_UPDATE_PLAN, columns, subject=subject) != 1:
            p = self._tx.tables.retention_plans
            stored = self._tx.execute(
                sa.select(p.c.version).where(p.c.tenant_id == plan.tenant_id, p.c.id == plan.id),
                subject=subject,
            ).scalar_one_or_none()
            if stored is None:
                raise NotFound("plan", plan.number)
            raise ConcurrencyConflict(subject)

    def get_plan(self, tenant_id: str, number: str) -> RetentionPlan:
        """The plan with readable ``number``.

        Raises:
            NotFound: The tenant has no such plan.
        """
        p = self._tx.tables.retention_plans
        text = self._tx.execute(
            sa.select(as_text(p.c.document)).where(
                p.c.tenant_id == tenant_id, p.c.number == number
            ),
            subject=f"plan {number}",
        ).scalar_one_or_none()
        if text is None:
            raise NotFound("plan", number)
        return self._codec.decode_text(text, RetentionPlan)

    def plans(self, tenant_id: str) -> Sequence[RetentionPlan]:
        """Every plan of the tenant, oldest first: the applied ones are the register."""
        p = self._tx.tables.retention_plans
        texts = self._tx.execute(
            sa.select(as_text(p.c.document))
            .where(p.c.tenant_id == tenant_id)
            .order_by(p.c.proposed_at, self._tx.binary(p.c.number)),
            subject="retention plans",
        ).scalars()
        return [self._codec.decode_text(text, RetentionPlan) for text in texts]

    def items(self, tenant_id: str, plan_id: str, after: int, limit: int) -> Sequence[PlanItem]:
        """Up to ``limit`` items of the plan with positions after ``after``, in order."""
        i = self._tx.tables.retention_plan_items
        texts = self._tx.execute(
            sa.select(as_text(i.c.document))
            .where(i.c.tenant_id == tenant_id, i.c.plan_id == plan_id, i.c.position > after)
            .order_by(i.c.position)
            .limit(max(limit, 0)),
            subject=f"the items of plan {plan_id}",
        ).scalars()
        return [self._codec.decode_text(text, PlanItem) for text in texts]

    # -- erasure requests ----------------------------------------------------------------

    def _erasure_columns(self, request: ErasureRequest) -> dict[str, Any]:
        return {
            "tenant_id": request.tenant_id,
            "id": request.id,
            "number": request.number,
            "subject": request.subject,
            "status": request.status.value,
            "requested_at": self._tx.binder.instant(request.requested_at),
            "document": self._codec.encode_text(request),
        }

    def add_erasure(self, request: ErasureRequest) -> None:
        """Store a new erasure request.

        Raises:
            ConcurrencyConflict: Its id or number is taken.
        """
        columns = self._erasure_columns(request)
        self._tx.write(_ADD_ERASURE, columns, subject=f"erasure request {request.number}")

    def update_erasure(self, request: ErasureRequest) -> None:
        """Replace a stored erasure request.

        Raises:
            NotFound: The tenant has no such request.
        """
        columns = self._erasure_columns(request)
        subject = f"erasure request {request.number}"
        if self._tx.write(_UPDATE_ERASURE, columns, subject=subject) != 1:
            raise NotFound("erasure request", request.number)

    def erasures(self, tenant_id: str) -> Sequence[ErasureRequest]:
        """Every erasure request of the tenant, oldest first."""
        e = self._tx.tables.erasure_requests
        texts = self._tx.execute(
            sa.select(as_text(e.c.document))
            .where(e.c.tenant_id == tenant_id)
            .order_by(e.c.requested_at, self._tx.binary(e.c.number)),
            subject="erasure requests",
        ).scalars()
        return [self._codec.decode_text(text, ErasureRequest) for text in texts]

    # -- the operation log ---------------------------------------------------------------

    def append_log(self, entry: LogEntry) -> None:
        """Append a sealed entry to the tenant's operation log.

        Raises:
            ConcurrencyConflict: Another entry took its position first.
        """
        self._tx.write(
            _APPEND_LOG,
            {
                "tenant_id": entry.tenant_id,
                "position": entry.position,
                "at": self._tx.binder.instant(entry.at),
                "digest": entry.digest,
                "document": self._codec.encode_text(entry),
            },
            subject=f"entry {entry.position} of the retention log",
        )

    def _log(self, tenant_id: str, *where: Any, newest: bool = False, limit: int) -> list[LogEntry]:
        g = self._tx.tables.retention_log
        texts = self._tx.execute(
            sa.select(as_text(g.c.document))
            .where(g.c.tenant_id == tenant_id, *where)
            .order_by(g.c.position.desc() if newest else g.c.position)
            .limit(max(limit, 0)),
            subject="the retention log",
        ).scalars()
        return [self._codec.decode_text(text, LogEntry) for text in texts]

    def last_log_entry(self, tenant_id: str) -> LogEntry | None:
        """The newest entry of the tenant's log."""
        newest = self._log(tenant_id, newest=True, limit=1)
        return newest[0] if newest else None

    def log(self, tenant_id: str, after: int, limit: int) -> Sequence[LogEntry]:
        """Up to ``limit`` entries of the tenant's log with positions after ``after``."""
        position = self._tx.tables.retention_log.c.position
        return self._log(tenant_id, position > after, limit=limit)

    def log_tenants(self) -> Sequence[str]:
        """Every tenant with an operation log, by code point."""
        g = self._tx.tables.retention_log
        tenants = self._tx.execute(
            sa.select(g.c.tenant_id).distinct(), subject="the retention log"
        ).scalars()
        return sorted(tenants)
