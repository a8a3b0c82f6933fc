"""The library's records as retention sees them, in memory: pages, export, archive, destroy, erase.

Reads look at the committed state; changes wait in the unit of work and are
applied at commit, in the order they were made (retention's steps run in units
of work of their own, so none reads its own pending change).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from crm_returns.adapters.memory.committed import Committed, RetentionBook
from crm_returns.adapters.memory.retention_erasure import erase_customer
from crm_returns.adapters.memory.retention_export import case_records_of, exported, message_of
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
from crm_returns.ports.retention import Erasure, Tombstone

__all__ = ["LIBRARY_KEPT", "MemoryRecordKeeper"]

#: The classes the library keeps as records of their own.
LIBRARY_KEPT = (RETURN_ORDERS, JOURNAL_ENTRIES, OUTBOX_MESSAGES, IDEMPOTENCY_KEYS)

_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.UNKNOWN, DeliveryStatus.DEAD)


def _dates(order: ReturnOrder) -> RecordDates:
    done = order.updated_at if order.status in TERMINAL else None
    return RecordDates.of(order.created_at, order.updated_at, done)


def _counts(*pairs: tuple[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((name, count) for name, count in pairs if count)


class MemoryRecordKeeper:
    """The :class:`~crm_returns.ports.retention.RecordKeeper` part of the memory store.

    Args:
        db: The committed state.
    """

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Changes to the committed state, applied in order at commit.
        self.changes: list[Callable[[Committed], None]] = []

    def _book(self) -> RetentionBook:  # pragma: no cover - given by the store
        raise NotImplementedError

    def classes(self) -> Sequence[str]:
        """The record classes the library keeps as records of their own."""
        return LIBRARY_KEPT

    # -- reading -------------------------------------------------------------

    def _return_record(self, order: ReturnOrder) -> RetainedRecord:
        db, tenant = self._db, order.tenant_id
        audit = db.audit.get((tenant, order.id), [])
        moves = [m for m in db.moves if m.tenant_id == tenant and m.return_id == order.id]
        dates = _dates(order)
        owned: list[tuple[str, RecordDates]] = [(AUDIT_ENTRIES, dates)] if audit else []
        if moves:
            last = max(move.at for move in moves)
            owned.append((STOCK_MOVES, RecordDates.of(last, last, last)))
        kinds: dict[str, list[datetime]] = {}
        for case in case_records_of(db, tenant, order.id):
            kinds.setdefault(case.kind, []).append(case.at)
        case_file = case_file_parts(((k, len(at), max(at)) for k, at in kinds.items()), dates)
        entries = [e for e in db.entries if e.tenant_id == tenant and e.return_id == order.id]
        return RetainedRecord(
            key=RecordKey(tenant, RETURN_ORDERS, order.id),
            dates=dates,
            state=RecordState.ARCHIVED
            if (tenant, order.id) in self._book().archived
            else RecordState.ACTIVE,
            customer_id=order.customer_id,
            return_id=order.id,
            owned=(*owned, *case_file.owned),
            counts=(
                (RETURN_ORDERS, 1),
                *_counts(
                    ("return_lines", len(order.lines)),
                    (AUDIT_ENTRIES, len(audit)),
                    (STOCK_MOVES, len(moves)),
                ),
                *case_file.counts,
            ),
            open_matters=open_matters(order),
            referenced_by=tuple(sorted(RecordKey(tenant, JOURNAL_ENTRIES, e.id) for e in entries)),
            referrers=tuple(
                RetainedRecord(
                    RecordKey(tenant, JOURNAL_ENTRIES, e.id),
                    RecordDates.of(e.at, e.at, e.at),
                    customer_id=order.customer_id,
                    return_id=order.id,
                )
                for e in sorted(entries, key=lambda e: e.id)
            ),
            erased=order.customer_id.startswith("erased-"),
        )

    def _ids(self, tenant_id: str, record_class: str) -> list[str]:
        """The ids of the tenant's records of the class, in no order.

        Raises:
            InvalidInput: The class is not one the library keeps.
        """
        _kept(record_class)
        db = self._db
        match record_class:
            case "return_orders":
                return [rid for tenant, rid in db.returns if tenant == tenant_id]
            case "journal_entries":
                return [e.id for e in db.entries if e.tenant_id == tenant_id]
            case "outbox_messages":
                return [m.id for _, m in db.outbox.values() if m.event.tenant_id == tenant_id]
            case "idempotency_keys":
                return [key for tenant, key in db.idempotency if tenant == tenant_id]
        return []

    def record(self, key: RecordKey) -> RetainedRecord | None:
        """The record named by ``key``, if it is stored, with its return's customer.

        A journal entry is open while its return is (会计档案管理办法 第十九条:
        the vouchers of a debt not yet settled are not destroyed).
        """
        found = self._stored(key)
        if found is None or key.record_class == RETURN_ORDERS or found.return_id is None:
            return found
        order = self._db.returns.get((key.tenant_id, found.return_id))
        if order is None:
            return found
        matters = open_matters(order) if key.record_class == JOURNAL_ENTRIES else ()
        return attrs.evolve(
            found, customer_id=order.customer_id, open_matters=found.open_matters + matters
        )

    def _stored(self, key: RecordKey) -> RetainedRecord | None:
        db, tenant, rid = self._db, key.tenant_id, key.record_id
        match key.record_class:
            case "return_orders" if (tenant, rid) in db.returns:
                return self._return_record(db.returns[(tenant, rid)])
            case "journal_entries":
                for e in db.entries:
                    if e.tenant_id == tenant and e.id == rid:
                        return RetainedRecord(
                            key,
                            RecordDates.of(e.at, e.at, e.at),
                            return_id=e.return_id,
                            counts=((JOURNAL_ENTRIES, 1), ("journal_postings", len(e.postings))),
                        )
            case "outbox_messages" if message_of(db, tenant, rid):
                return self._message_record(rid)
            case "idempotency_keys" if (tenant, rid) in db.idempotency:
                order = db.idempotency[(tenant, rid)].order
                # Its matter closed when the answer was stored, as the SQL store says.
                return RetainedRecord(
                    key,
                    RecordDates.of(order.updated_at, order.updated_at, order.updated_at),
                    return_id=order.id,
                    counts=((IDEMPOTENCY_KEYS, 1),),
                )
        return None

    def _message_record(self, message_id: str) -> RetainedRecord:
        message = self._db.outbox[message_id][1]
        book = self._db.deliveries
        mine = [d for (_, mid), d in book.deliveries.items() if mid == message_id]
        waiting = sorted(d.destination for d in mine if d.status in _OPEN)
        at = message.event.at
        attempts = sum(len(book.attempts.get((d.destination, message_id), ())) for d in mine)
        return RetainedRecord(
            RecordKey(message.event.tenant_id, OUTBOX_MESSAGES, message_id),
            RecordDates.of(at, at, None if waiting else at),
            return_id=message.event.return_id,
            counts=(
                (OUTBOX_MESSAGES, 1),
                *_counts(("deliveries", len(mine)), ("delivery_attempts", attempts)),
            ),
            open_matters=(
                (f"message {message_id} not yet delivered to {', '.join(waiting)}",)
                if waiting
                else ()
            ),
        )

    def records(
        self, tenant_id: str, record_class: str, after: str | None, limit: int
    ) -> Sequence[RetainedRecord]:
        """Up to ``limit`` records of the class with ids after ``after``, by id."""
        ids = sorted(i for i in self._ids(tenant_id, record_class) if after is None or i > after)
        found = (self.record(RecordKey(tenant_id, record_class, i)) for i in ids[:limit])
        return [record for record in found if record is not None]

    def export(self, keys: Sequence[RecordKey]) -> Iterator[Mapping[str, Any]]:
        """Each record with what it owns, as JSON-safe mappings, for the backup."""
        for key in keys:
            _kept(key.record_class)
        return exported(self._db, keys)

    # -- changing ------------------------------------------------------------

    def _returns_only(self, keys: Sequence[RecordKey], what: str) -> list[tuple[str, str]]:
        for key in keys:
            if key.record_class != RETURN_ORDERS:
                raise InvalidInput(f"only return orders can be {what}, not {key.record_class}")
        return [(key.tenant_id, key.record_id) for key in keys]

    def archive(self, keys: Sequence[RecordKey]) -> None:
        """Archive return orders (with what they own)."""
        self._book().archived.update(self._returns_only(keys, "archived"))

    def restore(self, keys: Sequence[RecordKey]) -> None:
        """Bring archived return orders back exactly as they were."""
        self._book().archived.difference_update(self._returns_only(keys, "restored"))

    def destroy(
        self, keys: Sequence[RecordKey], plan_number: str, at: datetime
    ) -> Mapping[str, int]:
        """Delete the records with what they own, leaving tombstones; counts by class."""
        for key in keys:
            _kept(key.record_class)
        counts: dict[str, int] = {}
        book = self._book()
        for key in keys:
            record = self.record(key)
            slot = (key.tenant_id, key.record_class, key.record_id)
            if record is None or slot in book.tombstones:
                continue
            gone = record.counts
            if key.record_class == RETURN_ORDERS:
                # Its idempotency keys answer commands on it: they go with it.
                keyed = sum(
                    1
                    for (tenant, _), result in self._db.idempotency.items()
                    if tenant == key.tenant_id and result.order.id == key.record_id
                )
                gone = (*gone, *_counts((IDEMPOTENCY_KEYS, keyed)))
            for name, count in gone:
                counts[name] = counts.get(name, 0) + count
            book.tombstones[slot] = Tombstone(key, plan_number, at.isoformat(), gone)
            if key.record_class == RETURN_ORDERS:
                order = self._db.returns[(key.tenant_id, key.record_id)]
                claims = book.retired_claims
                for line in order.lines:
                    units = order.claimed(line.ref)
                    if units:
                        line_slot = (key.tenant_id, line.ref)
                        claims[line_slot] = claims.get(line_slot, Decimal(0)) + units
                book.archived.discard((key.tenant_id, key.record_id))
            self.changes.append(functools.partial(_delete, key=key))
        return counts

    def erase(
        self, tenant_id: str, customer_id: str, surrogate: str, personal: Sequence[str]
    ) -> Erasure:
        """Replace the customer's personal data in every record that names them."""
        return erase_customer(
            self._db, self._book(), self.changes, tenant_id, customer_id, surrogate, personal
        )


def _kept(record_class: str) -> None:
    if record_class not in LIBRARY_KEPT:
        raise InvalidInput(f"the store keeps no records of class {quoted(record_class)}")


def _delete(db: Committed, key: RecordKey) -> None:
    tenant, rid = key.tenant_id, key.record_id
    match key.record_class:
        case "return_orders":
            order = db.returns.pop((tenant, rid), None)
            if order is None:
                return
            db.numbers.pop((tenant, order.number), None)
            for line in order.lines:
                db.by_line[(tenant, line.ref)].discard(rid)
            db.audit.pop((tenant, rid), None)
            db.moves[:] = [
                m for m in db.moves if not (m.tenant_id == tenant and m.return_id == rid)
            ]
            for slot in [
                s for s, r in db.idempotency.items() if s[0] == tenant and r.order.id == rid
            ]:
                del db.idempotency[slot]
            for case in case_records_of(db, tenant, rid):
                del db.casefile[(tenant, case.kind, case.id)]
        case "journal_entries":
            db.entries[:] = [e for e in db.entries if not (e.tenant_id == tenant and e.id == rid)]
        case "outbox_messages":
            if not message_of(db, tenant, rid):
                return
            db.outbox.pop(rid, None)
            book = db.deliveries
            for slot in [s for s in book.deliveries if s[1] == rid]:
                del book.deliveries[slot]
                book.leases.pop(slot, None)
                book.attempts.pop(slot, None)
        case "idempotency_keys":
            db.idempotency.pop((tenant, rid), None)
