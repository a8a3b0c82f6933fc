"""What a :class:`~crm_returns.adapters.memory.MemoryDatabase` holds between transactions."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import attrs

from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.delivery.deliveries import Attempt, Delivery
from crm_returns.domain.orders import LineRef
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.moves import StockMove
from crm_returns.ports import IdempotentResult, OutboxMessage

__all__ = ["Committed", "DeliveryBook"]


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
