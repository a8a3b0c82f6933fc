"""What a :class:`~crm_returns.adapters.memory.MemoryDatabase` holds between transactions."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import attrs

from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.orders import LineRef
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.moves import StockMove
from crm_returns.ports import IdempotentResult, OutboxMessage

__all__ = ["Committed"]


@attrs.define
class Committed:
    """The committed state of a memory database; a unit of work changes it only at commit.

    Attributes:
        returns: Returns by ``(tenant, id)``.
        numbers: Return ids by ``(tenant, number)``.
        by_line: The ids of the returns with a line, by ``(tenant, line)``.
        audit: Audit trails by ``(tenant, return id)``, oldest first.
        outbox: Messages not delivered yet, by id.
        delivered: When each message was delivered, by id.
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
    outbox: dict[str, OutboxMessage] = attrs.Factory(dict)
    delivered: dict[str, datetime] = attrs.Factory(dict)
    reasons: dict[str, ReasonCatalog] = attrs.Factory(dict)
    sequences: dict[str, int] = attrs.Factory(dict)
    moves: list[StockMove] = attrs.Factory(list)
    entries: list[JournalEntry] = attrs.Factory(list)
    idempotency: dict[tuple[str, str], IdempotentResult] = attrs.Factory(dict)
