"""Stock moves and journal entries in memory: append-only ledgers, read oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from crm_returns.adapters.memory.committed import Committed
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.stock.moves import StockMove

__all__ = ["MemoryJournal", "MemoryStockLedger"]


class MemoryStockLedger:
    """The :class:`~crm_returns.ports.StockLedger` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Moves recorded in this unit of work, in order.
        self.pending: list[StockMove] = []

    def add(self, moves: Sequence[StockMove]) -> None:
        """Record ``moves``."""
        self.pending.extend(moves)

    def moves(
        self, tenant_id: str, *, return_id: str | None = None, sku: str | None = None
    ) -> Sequence[StockMove]:
        """The tenant's moves, oldest first, optionally of one return or SKU."""
        return [
            move
            for move in (*self._db.moves, *self.pending)
            if move.tenant_id == tenant_id
            and return_id in (None, move.return_id)
            and sku in (None, move.sku)
        ]

    def apply(self) -> None:
        """Commit the moves recorded."""
        self._db.moves.extend(self.pending)


class MemoryJournal:
    """The :class:`~crm_returns.ports.Journal` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Entries recorded in this unit of work, in order.
        self.pending: list[JournalEntry] = []

    def add(self, entries: Sequence[JournalEntry]) -> None:
        """Record ``entries``."""
        self.pending.extend(entries)

    def entries(
        self,
        tenant_id: str,
        *,
        return_id: str | None = None,
        account_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Sequence[JournalEntry]:
        """The tenant's entries, oldest first, filtered by return, account and period.

        The period includes ``start`` and excludes ``end``.
        """
        return [
            entry
            for entry in (*self._db.entries, *self.pending)
            if entry.tenant_id == tenant_id
            and return_id in (None, entry.return_id)
            and (
                account_code is None or any(p.account.code == account_code for p in entry.postings)
            )
            and (start is None or entry.at >= start)
            and (end is None or entry.at < end)
        ]

    def apply(self) -> None:
        """Commit the entries recorded."""
        self._db.entries.extend(self.pending)
