"""What a :class:`~crm_returns.adapters.memory.MemoryDatabase` holds between transactions."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.delivery.deliveries import Attempt, Delivery
from crm_returns.domain.orders import LineRef
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.retention.erasure import ErasureRequest
from crm_returns.domain.retention.holds import LegalHold
from crm_returns.domain.retention.oplog import LogEntry
from crm_returns.domain.retention.plans import PlanItem, RetentionPlan
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.moves import StockMove
from crm_returns.ports import IdempotentResult, OutboxMessage
from crm_returns.ports.retention import Tombstone

__all__ = ["Committed", "DeliveryBook", "RetentionBook"]


@attrs.define
class DeliveryBook:
    """Each destination's deliveries, as a memory database keeps them.

    Attributes:
        cursors: The place of the last message fanned out, by destination.
        disabled: When and why each disabled destination was disabled.
        deliveries: By ``(destination, message id)``.
        leases: Which relay holds a delivery, and until when.
        attempts: Every try, by ``(destination, message id)``, oldest first; a
            tuple, so that a copy of the book shares each history instead of
            copying it (the relay copies the book for each outcome it records).
        purged: Messages a unit of work purged, dropped from the outbox at commit.
    """

    cursors: dict[str, int] = attrs.Factory(dict)
    disabled: dict[str, tuple[datetime, str]] = attrs.Factory(dict)
    deliveries: dict[tuple[str, str], Delivery] = attrs.Factory(dict)
    leases: dict[tuple[str, str], tuple[str, datetime]] = attrs.Factory(dict)
    attempts: dict[tuple[str, str], tuple[Attempt, ...]] = attrs.Factory(dict)
    purged: list[str] = attrs.Factory(list)

    def copy(self) -> DeliveryBook:
        """A copy that can change without changing this one."""
        return DeliveryBook(
            dict(self.cursors),
            dict(self.disabled),
            dict(self.deliveries),
            dict(self.leases),
            dict(self.attempts),
            [],
        )


@attrs.define
class RetentionBook:
    """What retention keeps, as a memory database keeps it.

    Attributes:
        archived: Archived returns, as ``(tenant, return id)``.
        holds: Legal holds by ``(tenant, id)``, in the order placed.
        plans: Plans by ``(tenant, id)``, oldest first.
        plan_numbers: Plan ids by ``(tenant, number)``.
        items: Each plan's items, by ``(tenant, plan id)``.
        erasures: Erasure requests by ``(tenant, id)``.
        log: Each tenant's operation log, oldest first.
        tombstones: By ``(tenant, class, id)``.
        retired_claims: Units claimed by destroyed returns, by ``(tenant, line)``.
    """

    archived: set[tuple[str, str]] = attrs.Factory(set)
    holds: dict[tuple[str, str], LegalHold] = attrs.Factory(dict)
    plans: dict[tuple[str, str], RetentionPlan] = attrs.Factory(dict)
    plan_numbers: dict[tuple[str, str], str] = attrs.Factory(dict)
    items: dict[tuple[str, str], list[PlanItem]] = attrs.Factory(dict)
    erasures: dict[tuple[str, str], ErasureRequest] = attrs.Factory(dict)
    log: dict[str, list[LogEntry]] = attrs.Factory(dict)
    tombstones: dict[tuple[str, str, str], Tombstone] = attrs.Factory(dict)
    retired_claims: dict[tuple[str, LineRef], Decimal] = attrs.Factory(dict)

    def copy(self) -> RetentionBook:
        """A copy that can change without changing this one."""
        return RetentionBook(
            set(self.archived),
            dict(self.holds),
            dict(self.plans),
            dict(self.plan_numbers),
            {key: list(items) for key, items in self.items.items()},
            dict(self.erasures),
            {tenant: list(chain) for tenant, chain in self.log.items()},
            dict(self.tombstones),
            dict(self.retired_claims),
        )


@attrs.define
class Committed:
    """The committed state of a memory database; a unit of work changes it only at commit.

    Attributes:
        returns: Returns by ``(tenant, id)``.
        numbers: Return ids by ``(tenant, number)``.
        by_line: The ids of the returns with a line, by ``(tenant, line)``.
        audit: Audit trails by ``(tenant, return id)``, oldest first.
        outbox: Messages kept, by id, each with its place in commit order.
        last_seq: The place of the last message committed.
        deliveries: Each destination's deliveries.
        reasons: Each tenant's reason catalog, once it has its own.
        sequences: The last value of each counter.
        moves: Stock moves, oldest first.
        entries: Journal entries, oldest first.
        idempotency: Stored results by ``(tenant, key)``.
        retention: What retention keeps: archived returns, holds, plans, the log.
        casefile: Case-file records by ``(tenant, kind, id)``, in the order added.
    """

    returns: dict[tuple[str, str], ReturnOrder] = attrs.Factory(dict)
    numbers: dict[tuple[str, str], str] = attrs.Factory(dict)
    by_line: defaultdict[tuple[str, LineRef], set[str]] = attrs.Factory(lambda: defaultdict(set))
    audit: defaultdict[tuple[str, str], list[AuditEntry]] = attrs.Factory(lambda: defaultdict(list))
    outbox: dict[str, tuple[int, OutboxMessage]] = attrs.Factory(dict)
    last_seq: int = 0
    deliveries: DeliveryBook = attrs.Factory(lambda: DeliveryBook())
    reasons: dict[str, ReasonCatalog] = attrs.Factory(dict)
    sequences: dict[str, int] = attrs.Factory(dict)
    moves: list[StockMove] = attrs.Factory(list)
    entries: list[JournalEntry] = attrs.Factory(list)
    idempotency: dict[tuple[str, str], IdempotentResult] = attrs.Factory(dict)
    retention: RetentionBook = attrs.Factory(lambda: RetentionBook())
    casefile: dict[tuple[str, str, str], CaseRecord] = attrs.Factory(dict)
