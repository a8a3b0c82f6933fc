"""Stock moves and journal entries in SQL: append-only ledgers, read oldest first.

Each move and entry is kept whole as a document; the columns beside it serve
the filters (by return, by SKU, by account, by period) through indexes.
Journal postings get rows of their own, so that "entries touching account
X" is an indexed look-up and a BI tool can sum amounts per account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from crm_returns.adapters.sql.statements import as_text, insert_row
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.stock.moves import StockMove

__all__ = ["SqlJournal", "SqlStockLedger"]


_MOVES = insert_row(
    lambda t: t.stock_moves,
    *("tenant_id", "id", "return_id", "order_number", "line_id", "sku", "quantity"),
    *("source", "destination", "at", "document"),
)
_ENTRIES = insert_row(
    lambda t: t.journal_entries,
    *("tenant_id", "id", "return_id", "number", "kind", "at", "currency", "document"),
)
_POSTINGS = insert_row(
    lambda t: t.journal_postings,
    "tenant_id",
    "entry_id",
    "position",
    "account_code",
    "side",
    "amount",
    "currency",
)


class SqlStockLedger:
    """The :class:`~crm_returns.ports.StockLedger` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    def add(self, moves: Sequence[StockMove]) -> None:
        """Record ``moves``."""
        if not moves:
            return
        binder = self._tx.binder
        self._tx.defer(
            _MOVES,
            [
                {
                    "tenant_id": move.tenant_id,
                    "id": move.id,
                    "return_id": move.return_id,
                    "order_number": move.line.order_number,
                    "line_id": move.line.line_id,
                    "sku": move.sku,
                    "quantity": binder.exact(move.quantity),
                    "source": move.source.value,
                    "destination": move.destination.value,
                    "at": binder.instant(move.at),
                    "document": self._codec.encode_text(move),
                }
                for move in moves
            ],
            subject="stock moves",
        )

    def moves(
        self, tenant_id: str, *, return_id: str | None = None, sku: str | None = None
    ) -> Sequence[StockMove]:
        """The tenant's moves, oldest first, optionally of one return or SKU."""
        stock_moves = self._tx.tables.stock_moves
        query = sa.select(as_text(stock_moves.c.document)).where(
            stock_moves.c.tenant_id == tenant_id
        )
        if return_id is not None:
            query = query.where(stock_moves.c.return_id == return_id)
        if sku is not None:
            query = query.where(stock_moves.c.sku == sku)
        documents = self._tx.execute(
            query.order_by(stock_moves.c.seq), subject="stock moves"
        ).scalars()
        return [self._codec.decode_text(d, StockMove) for d in documents]


class SqlJournal:
    """The :class:`~crm_returns.ports.Journal` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    def add(self, entries: Sequence[JournalEntry]) -> None:
        """Record ``entries``, each with its postings."""
        if not entries:
            return
        binder = self._tx.binder
        self._tx.defer(
            _ENTRIES,
            [
                {
                    "tenant_id": entry.tenant_id,
                    "id": entry.id,
                    "return_id": entry.return_id,
                    "number": entry.number,
                    "kind": entry.kind.value,
                    "at": binder.instant(entry.at),
                    "currency": entry.currency,
                    "document": self._codec.encode_text(entry),
                }
                for entry in entries
            ],
            subject="journal entries",
        )
        self._tx.defer(
            _POSTINGS,
            [
                {
                    "tenant_id": entry.tenant_id,
                    "entry_id": entry.id,
                    "position": position,
                    "account_code": posting.account.code,
                    "side": posting.side.value,
                    "amount": binder.exact(posting.amount.amount),
                    "currency": posting.amount.currency,
                }
                for entry in entries
                for position, posting in enumerate(entry.postings)
            ],
            subject="journal postings",
        )

    def entries(
        self,
        tenant_id: str,
        *,
        return_id: str | None = None,
        account_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Sequence[JournalEntry]:
        """The tenant's entries, oldest first, filtered by every argument given.

        ``start`` is inclusive and ``end`` exclusive, compared as instants.
        """
        journal_entries = self._tx.tables.journal_entries
        journal_postings = self._tx.tables.journal_postings
        query = sa.select(as_text(journal_entries.c.document)).where(
            journal_entries.c.tenant_id == tenant_id
        )
        if return_id is not None:
            query = query.where(journal_entries.c.return_id == return_id)
        if account_code is not None:
            query = query.where(
                sa.exists().where(
                    journal_postings.c.tenant_id == journal_entries.c.tenant_id,
                    journal_postings.c.entry_id == journal_entries.c.id,
                    journal_postings.c.account_code == account_code,
                )
            )
        if start is not None:
            query = query.where(journal_entries.c.at >= start)
        if end is not None:
            query = query.where(journal_entries.c.at < end)
        documents = self._tx.execute(
            query.order_by(journal_entries.c.seq), subject="journal entries"
        ).scalars()
        return [self._codec.decode_text(d, JournalEntry) for d in documents]
