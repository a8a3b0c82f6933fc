"""The library's records as retention sees them, in SQL: pages of records and their export.

Retention pages through four classes of record (:meth:`SqlRecordPages.records`):
return orders (which own their lines, audit entries, stock moves and case
file — the ``case_records`` of the return, counted by kind), journal
entries, outbox messages (with their deliveries and attempts) and idempotency
keys.  A page is read by keyset on the record's id in the database's own
collation — so that the primary key's index serves it (ordering by code point
on PostgreSQL sorted the whole table for every page) — and costs a fixed
number of statements whatever its size: the page itself, then one statement
per kind of owned or referring row for the whole page, in ``IN`` lists of at
most :data:`BATCH` ids.

Their export for the backup is in :mod:`~crm_returns.adapters.sql.retention_export`;
acting on them — archive, restore, destroy, erase — in
:mod:`~crm_returns.adapters.sql.retention_actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa

from crm_returns.adapters.sql import retention_casefile
from crm_returns.adapters.sql.statements import as_text
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.delivery.states import DeliveryStatus
from crm_returns.domain.retention.case_file import case_file_parts
from crm_returns.domain.retention.classes import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    STOCK_MOVES,
    RecordKey,
    RecordState,
)
from crm_returns.domain.retention.decisions import RetainedRecord
from crm_returns.domain.retention.holds import open_matters
from crm_returns.domain.retention.rules import RecordDates
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import TERMINAL
from crm_returns.errors import InvalidInput, quoted
from crm_returns.ports import IdempotentResult

__all__ = ["BATCH", "KEPT_CLASSES", "SqlRecordPages", "batches", "counted"]

_T = TypeVar("_T")

#: The most ids one statement names (``IN`` lists, row values).
BATCH = 500

#: The classes the library keeps as records of their own, in the order retention visits them.
KEPT_CLASSES = (RETURN_ORDERS, JOURNAL_ENTRIES, OUTBOX_MESSAGES, IDEMPOTENCY_KEYS)

#: A delivery in one of these states has not reached its destination yet.
_UNDELIVERED = frozenset(
    {DeliveryStatus.PENDING.value, DeliveryStatus.UNKNOWN.value, DeliveryStatus.DEAD.value}
)


def batches(items: Sequence[_T], size: int = BATCH) -> Iterator[Sequence[_T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def counted(own: str, *counts: tuple[str, int]) -> tuple[tuple[str, int], ...]:
    """``(own, 1)`` and the other counts that are not zero."""
    return ((own, 1), *(pair for pair in counts if pair[1]))


class SqlRecordPages:
    """The reading half of :class:`~crm_returns.ports.retention.RecordKeeper` in SQL."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    def classes(self) -> Sequence[str]:
        """The record classes it keeps (audit entries and stock moves go with their return)."""
        return KEPT_CLASSES

    # -- paging --------------------------------------------------------------------------

    def records(
        self, tenant_id: str, record_class: str, after: str | None, limit: int
    ) -> Sequence[RetainedRecord]:
        """Up to ``limit`` records of the class with ids after ``after``, by id (collation order).

        Raises:
            InvalidInput: The class is not one the library keeps.
        """
        return self._fetch(tenant_id, record_class, after, limit, None)

    def record(self, key: RecordKey) -> RetainedRecord | None:
        """The record named by ``key``, if it is stored."""
        found = self._fetch(key.tenant_id, key.record_class, None, 1, key.record_id)
        return found[0] if found else None

    def _fetch(
        self, tenant_id: str, record_class: str, after: str | None, limit: int, only: str | None
    ) -> list[RetainedRecord]:
        pages: dict[str, Callable[[str, str | None, int, str | None], list[RetainedRecord]]] = {
            RETURN_ORDERS: self._returns,
            JOURNAL_ENTRIES: self._journal_entries,
            OUTBOX_MESSAGES: self._messages,
            IDEMPOTENCY_KEYS: self._idempotency_keys,
        }
        page = pages.get(record_class)
        if page is None:
            raise InvalidInput(f"the store keeps no records of class {quoted(record_class)}")
        records = page(tenant_id, after, limit, only) if limit > 0 else []
        if record_class == RETURN_ORDERS:
            return records
        return self._named(tenant_id, records, with_matters=record_class == JOURNAL_ENTRIES)

    def _named(
        self, tenant_id: str, records: list[RetainedRecord], *, with_matters: bool
    ) -> list[RetainedRecord]:
        """``records`` with the customer of their return, so that a hold on them covers them.

        With ``with_matters`` (journal entries), a record is open while its
        return is (会计档案管理办法 第十九条: the vouchers of a debt not yet
        settled are not destroyed).
        """
        r = self._tx.tables.returns
        wanted = sorted({record.return_id for record in records if record.return_id})
        columns = (r.c.id, r.c.customer_id, as_text(r.c.document) if with_matters else sa.null())
        rows = self._grouped(
            lambda batch: sa.select(*columns).where(r.c.tenant_id == tenant_id, r.c.id.in_(batch)),
            wanted,
            "the customers of returns",
        )
        customers = {return_id: customer for return_id, customer, _ in rows}
        matters = {
            return_id: open_matters(self._codec.decode_text(text, ReturnOrder))
            for return_id, _, text in rows
            if text is not None
        }
        return [
            attrs.evolve(
                record,
                customer_id=customers[record.return_id],
                open_matters=record.open_matters + matters.get(record.return_id, ()),
            )
            if record.return_id in customers
            else record
            for record in records
        ]

    def _page(
        self,
        tenant_id: str,
        id_column: sa.ColumnElement[str],
        after: str | None,
        limit: int,
        only: str | None = None,
    ) -> tuple[sa.ColumnElement[bool], ...]:
        """The keyset conditions of a page of one tenant's rows (or of the one row ``only``)."""
        table = id_column.table
        where: list[sa.ColumnElement[bool]] = [table.c.tenant_id == tenant_id]
        if only is not None:
            where.append(id_column == only)
        if after is not None:
            where.append(id_column > after)
        return tuple(where)

    def _grouped(
        self, statement: Callable[[Sequence[str]], sa.Select[Any]], ids: Sequence[str], subject: str
    ) -> list[Any]:
        """The rows of ``statement`` for every batch of ``ids``."""
        rows: list[Any] = []
        for batch in batches(ids):
            rows.extend(self._tx.execute(statement(batch), subject=subject).all())
        return rows

    def _returns(
        self, tenant_id: str, after: str | None, limit: int, only: str | None = None
    ) -> list[RetainedRecord]:
        t = self._tx.tables
        r, a, m, j = t.returns, t.audit_entries, t.stock_moves, t.journal_entries
        rows: Sequence[Any] = self._tx.execute(
            sa.select(r.c.id, as_text(r.c.document), r.c.archived)
            .where(*self._page(tenant_id, r.c.id, after, limit, only))
            .order_by(r.c.id)
            .limit(limit),
            subject="a page of returns",
        ).all()
        ids = [row[0] for row in rows]
        audits = dict(
            self._grouped(
                lambda batch: (
                    sa.select(a.c.return_id, sa.func.count())
                    .where(a.c.tenant_id == tenant_id, a.c.return_id.in_(batch))
                    .group_by(a.c.return_id)
                ),
                ids,
                "the audit entries of returns",
            )
        )
        moves = {
            return_id: (n, latest)
            for return_id, n, latest in self._grouped(
                lambda batch: (
                    sa.select(m.c.return_id, sa.func.count(), sa.func.max(m.c.at))
                    .where(m.c.tenant_id == tenant_id, m.c.return_id.in_(batch))
                    .group_by(m.c.return_id)
                ),
                ids,
                "the stock moves of returns",
            )
        }
        entries: dict[str, list[tuple[RecordKey, datetime]]] = {}
        for return_id, entry_id, at in self._grouped(
            lambda batch: sa.select(j.c.return_id, j.c.id, j.c.at).where(
                j.c.tenant_id == tenant_id, j.c.return_id.in_(batch)
            ),
            ids,
            "the journal entries of returns",
        ):
            entries.setdefault(return_id, []).append(
                (RecordKey(tenant_id, JOURNAL_ENTRIES, entry_id), at)
            )
        case_file = retention_casefile.case_files(self._tx, tenant_id, ids)
        records = []
        for return_id, text, archived in rows:
            order = self._codec.decode_text(text, ReturnOrder)
            audited = audits.get(return_id, 0)
            moved, latest = moves.get(return_id, (0, None))
            record = self._return_record(order, bool(archived), audited, moved, latest, entries)
            parts = case_file_parts(case_file.get(return_id, ()), record.dates)
            records.append(
                attrs.evolve(
                    record,
                    owned=record.owned + parts.owned,
                    counts=record.counts + parts.counts,
                )
            )
        return records

    @staticmethod
    def _return_record(
        order: ReturnOrder,
        archived: bool,
        audited: int,
        moved: int,
        latest: datetime | None,
        entries: Mapping[str, list[tuple[RecordKey, datetime]]],
    ) -> RetainedRecord:
        completed = order.updated_at if order.status in TERMINAL else None
        dates = RecordDates.of(order.created_at, order.updated_at, completed)
        owned: list[tuple[str, RecordDates]] = []
        if audited:
            owned.append((AUDIT_ENTRIES, dates))
        if moved and latest is not None:
            owned.append((STOCK_MOVES, RecordDates.of(latest, latest, latest)))
        return RetainedRecord(
            key=RecordKey(order.tenant_id, RETURN_ORDERS, order.id),
            dates=dates,
            state=RecordState.ARCHIVED if archived else RecordState.ACTIVE,
            customer_id=order.customer_id,
            return_id=order.id,
            owned=tuple(owned),
            counts=counted(
                RETURN_ORDERS,
                ("return_lines", len(order.lines)),
                (AUDIT_ENTRIES, audited),
                (STOCK_MOVES, moved),
            ),
            open_matters=open_matters(order),
            referenced_by=tuple(sorted(key for key, _ in entries.get(order.id, ()))),
            referrers=tuple(
                RetainedRecord(
                    key,
                    RecordDates.of(at, at, at),
                    customer_id=order.customer_id,
                    return_id=order.id,
                )
                for key, at in sorted(entries.get(order.id, ()))
            ),
            erased=order.customer_id.startswith("erased-"),
        )

    def _journal_entries(
        self, tenant_id: str, after: str | None, limit: int, only: str | None = None
    ) -> list[RetainedRecord]:
        j = self._tx.tables.journal_entries
        texts = self._tx.execute(
            sa.select(as_text(j.c.document))
            .where(*self._page(tenant_id, j.c.id, after, limit, only))
            .order_by(j.c.id)
            .limit(limit),
            subject="a page of journal entries",
        ).scalars()
        records = []
        for text in texts:
            entry = self._codec.decode_text(text, JournalEntry)
            records.append(
                RetainedRecord(
                    key=RecordKey(tenant_id, JOURNAL_ENTRIES, entry.id),
                    dates=RecordDates.of(entry.at, entry.at, entry.at),
                    return_id=entry.return_id,
                    counts=counted(JOURNAL_ENTRIES, ("journal_postings", len(entry.postings))),
                )
            )
        return records

    def _messages(
        self, tenant_id: str, after: str | None, limit: int, only: str | None = None
    ) -> list[RetainedRecord]:
        t = self._tx.tables
        o, d, a = t.outbox, t.deliveries, t.delivery_attempts
        rows: Sequence[Any] = self._tx.execute(
            sa.select(o.c.id, o.c.return_id, o.c.created_at)
            .where(*self._page(tenant_id, o.c.id, after, limit, only))
            .order_by(o.c.id)
            .limit(limit),
            subject="a page of outbox messages",
        ).all()
        ids = [row[0] for row in rows]
        deliveries: dict[str, list[tuple[str, str]]] = {}
        for message_id, destination, status in self._grouped(
            lambda batch: sa.select(d.c.message_id, d.c.destination, d.c.status).where(
                d.c.message_id.in_(batch)
            ),
            ids,
            "the deliveries of messages",
        ):
            deliveries.setdefault(message_id, []).append((destination, status))
        attempts = dict(
            self._grouped(
                lambda batch: (
                    sa.select(a.c.message_id, sa.func.count())
                    .where(a.c.message_id.in_(batch))
                    .group_by(a.c.message_id)
                ),
                ids,
                "the delivery attempts of messages",
            )
        )
        records = []
        for message_id, return_id, created_at in rows:
            fanned = deliveries.get(message_id, [])
            waiting = sorted(dest for dest, status in fanned if status in _UNDELIVERED)
            matters = (
                (f"message {message_id} not yet delivered to {', '.join(waiting)}",)
                if waiting
                else ()
            )
            completed = None if waiting else created_at
            records.append(
                RetainedRecord(
                    key=RecordKey(tenant_id, OUTBOX_MESSAGES, message_id),
                    dates=RecordDates.of(created_at, created_at, completed),
                    return_id=return_id,
                    counts=counted(
                        OUTBOX_MESSAGES,
                        ("deliveries", len(fanned)),
                        ("delivery_attempts", attempts.get(message_id, 0)),
                    ),
                    open_matters=matters,
                )
            )
        return records

    def _idempotency_keys(
        self, tenant_id: str, after: str | None, limit: int, only: str | None = None
    ) -> list[RetainedRecord]:
        k = self._tx.tables.idempotency_keys
        rows: Sequence[Any] = self._tx.execute(
            sa.select(k.c.key, as_text(k.c.document))
            .where(*self._page(tenant_id, k.c.key, after, limit, only))
            .order_by(k.c.key)
            .limit(limit),
            subject="a page of idempotency keys",
        ).all()
        records = []
        for key, text in rows:
            order = self._codec.decode_text(text, IdempotentResult).order
            moment = order.updated_at
            records.append(
                RetainedRecord(
                    key=RecordKey(tenant_id, IDEMPOTENCY_KEYS, key),
                    dates=RecordDates.of(moment, moment, moment),
                    return_id=order.id,
                    counts=counted(IDEMPOTENCY_KEYS),
                )
            )
        return records
