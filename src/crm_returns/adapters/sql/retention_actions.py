"""Acting on the library's records in SQL: archive, restore and destroy, with tombstones.

Archiving flips ``returns.archived`` and leaves the document alone, so that
restoring is exactly the identity.  Destroying deletes a record with what it
owns (a return: its lines, audit entries, stock moves, idempotency keys and
case file), in ``IN`` lists of at most :data:`~crm_returns.adapters.sql.retention_records.BATCH`
ids, and leaves a tombstone.  A destroyed return's lines stay counted in
``line_claims`` (the over-return check keeps holding what was returned); the
units it claimed move to ``retired_claims``, which the returnable quantity
counts in place of the return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ClauseElement

from crm_returns.adapters.sql.retention_casefile import case_file_counts_of
from crm_returns.adapters.sql.retention_records import KEPT_CLASSES, batches, counted
from crm_returns.adapters.sql.schema import Tables
from crm_returns.adapters.sql.statements import Prepared, as_text, dialect_insert, param
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.orders import LineRef
from crm_returns.domain.retention.classes import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    STOCK_MOVES,
    RecordKey,
)
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import InvalidInput, NotFound, quoted
from crm_returns.ports.retention import Tombstone

__all__ = ["SqlRecordActions"]

_SET_ARCHIVED = Prepared(
    lambda t: (
        sa.update(t.returns)
        .where(t.returns.c.tenant_id == param("tenant_id"), t.returns.c.id == param("id"))
        .values(archived=param("archived"))
    )
)


def _put_tombstone(t: Tables, dialect: str) -> ClauseElement:
    # A key used again after its record was destroyed (an idempotency key) is
    # destroyed again: its tombstone says so.
    columns = ("tenant_id", "record_class", "record_id", "plan_number", "destroyed_at", "document")
    insert = dialect_insert(t.tombstones, dialect).values({name: param(name) for name in columns})
    return insert.on_conflict_do_update(
        index_elements=["tenant_id", "record_class", "record_id"],
        set_={name: insert.excluded[name] for name in columns[3:]},
    )


def _put_retired(t: Tables, dialect: str) -> ClauseElement:
    columns = ("tenant_id", "order_number", "line_id", "units")
    insert = dialect_insert(t.retired_claims, dialect).values({n: param(n) for n in columns})
    return insert.on_conflict_do_update(
        index_elements=["tenant_id", "order_number", "line_id"],
        set_={"units": insert.excluded.units},
    )


_PUT_TOMBSTONE = Prepared.per_dialect(_put_tombstone)
_PUT_RETIRED = Prepared.per_dialect(_put_retired)


def _only_returns(keys: Sequence[RecordKey], doing: str) -> None:
    for key in keys:
        if key.record_class != RETURN_ORDERS:
            raise InvalidInput(f"only return orders are {doing}, not {key}")


def _by_tenant(keys: Iterable[RecordKey]) -> dict[tuple[str, str], list[str]]:
    """Record ids by tenant and class, each once, in the order given."""
    grouped: dict[tuple[str, str], dict[str, None]] = {}
    for key in keys:
        grouped.setdefault((key.tenant_id, key.record_class), {})[key.record_id] = None
    return {group: list(ids) for group, ids in grouped.items()}


class SqlRecordActions:
    """Archive, restore, destroy, and what destruction leaves, in SQL."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    # -- archive and restore -------------------------------------------------------------

    def archive(self, keys: Sequence[RecordKey]) -> None:
        """Archive the returns of ``keys``: kept as they are, out of lists.

        Raises:
            InvalidInput: A key is not a return order (the others are never archived).
        """
        self._set_archived(keys, archived=True, doing="archived")

    def restore(self, keys: Sequence[RecordKey]) -> None:
        """Bring the archived returns of ``keys`` back exactly as they were.

        Raises:
            InvalidInput: A key is not a return order.
        """
        self._set_archived(keys, archived=False, doing="restored")

    def _set_archived(self, keys: Sequence[RecordKey], *, archived: bool, doing: str) -> None:
        _only_returns(keys, doing)
        for batch in batches(keys):
            self._tx.write(
                _SET_ARCHIVED,
                [
                    {"tenant_id": k.tenant_id, "id": k.record_id, "archived": archived}
                    for k in batch
                ],
                subject=f"{len(batch)} returns {doing}",
            )

    def archived(self, tenant_id: str, return_id: str) -> bool:
        """Whether the return is archived.

        Raises:
            NotFound: The tenant has no such return.
        """
        r = self._tx.tables.returns
        found = self._tx.execute(
            sa.select(r.c.archived).where(r.c.tenant_id == tenant_id, r.c.id == return_id),
            subject=f"return {return_id}",
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("return", return_id)
        return bool(found)

    # -- destroy -------------------------------------------------------------------------

    def destroy(
        self, keys: Sequence[RecordKey], plan_number: str, at: datetime
    ) -> Mapping[str, int]:
        """Delete the records with what they own, leaving a tombstone of each.

        Keys already destroyed are passed over.  Returns the records deleted, by class.

        Raises:
            InvalidInput: A key's class is not one the library keeps.
        """
        for key in keys:
            if key.record_class not in KEPT_CLASSES:
                raise InvalidInput(
                    f"the store keeps no records of class {quoted(key.record_class)}"
                )
        destroyers = {
            RETURN_ORDERS: self._destroy_returns,
            JOURNAL_ENTRIES: self._destroy_entries,
            OUTBOX_MESSAGES: self._destroy_messages,
            IDEMPOTENCY_KEYS: self._destroy_keys,
        }
        deleted: dict[str, int] = {}
        for (tenant_id, record_class), ids in _by_tenant(keys).items():
            for batch in batches(ids):
                counts = destroyers[record_class](tenant_id, batch)
                self._tombstones(tenant_id, record_class, counts, plan_number, at)
                for record_counts in counts.values():
                    for name, n in record_counts:
                        deleted[name] = deleted.get(name, 0) + n
        return deleted

    def _tombstones(
        self,
        tenant_id: str,
        record_class: str,
        counts: Mapping[str, tuple[tuple[str, int], ...]],
        plan_number: str,
        at: datetime,
    ) -> None:
        instant = self._tx.binder.instant(at)
        self._tx.write(
            _PUT_TOMBSTONE,
            [
                {
                    "tenant_id": tenant_id,
                    "record_class": record_class,
                    "record_id": record_id,
                    "plan_number": plan_number,
                    "destroyed_at": instant,
                    "document": self._codec.encode_text(
                        Tombstone(
                            RecordKey(tenant_id, record_class, record_id),
                            plan_number,
                            at.isoformat(),
                            record_counts,
                        )
                    ),
                }
                for record_id, record_counts in counts.items()
            ],
            subject=f"tombstones of {record_class}",
        )

    def _delete(self, table: sa.Table, column: str, tenant_id: str, ids: Sequence[str]) -> int:
        """Delete the tenant's rows of ``table`` whose ``column`` is one of ``ids``."""
        result = self._tx.execute(
            sa.delete(table).where(table.c.tenant_id == tenant_id, table.c[column].in_(ids)),
            subject=f"destroying {table.name}",
        )
        return int(result.rowcount)

    def _per_owner(
        self, table: sa.Table, column: str, tenant_id: str, ids: Sequence[str]
    ) -> dict[str, int]:
        rows: Sequence[Any] = self._tx.execute(
            sa.select(table.c[column], sa.func.count())
            .where(table.c.tenant_id == tenant_id, table.c[column].in_(ids))
            .group_by(table.c[column]),
            subject=f"counting {table.name}",
        ).all()
        return {owner: int(n) for owner, n in rows}

    def _destroy_returns(
        self, tenant_id: str, ids: Sequence[str]
    ) -> dict[str, tuple[tuple[str, int], ...]]:
        t = self._tx.tables
        texts = self._tx.execute(
            sa.select(as_text(t.returns.c.document)).where(
                t.returns.c.tenant_id == tenant_id, t.returns.c.id.in_(ids)
            ),
            subject="returns to destroy",
        ).scalars()
        orders = [self._codec.decode_text(text, ReturnOrder) for text in texts]
        found = [order.id for order in orders]
        if not found:
            return {}
        audited = self._per_owner(t.audit_entries, "return_id", tenant_id, found)
        moved = self._per_owner(t.stock_moves, "return_id", tenant_id, found)
        keyed = self._per_owner(t.idempotency_keys, "return_id", tenant_id, found)
        case_file = case_file_counts_of(self._tx, tenant_id, found)
        self._retire_claims(tenant_id, orders)
        tables = (t.audit_entries, t.stock_moves, t.idempotency_keys, t.return_lines)
        for table in (*tables, t.case_records, t.fact_lines, t.fact_returns):
            self._delete(table, "return_id", tenant_id, found)
        self._delete(t.returns, "id", tenant_id, found)
        return {
            order.id: (
                *counted(
                    RETURN_ORDERS,
                    ("return_lines", len(order.lines)),
                    (AUDIT_ENTRIES, audited.get(order.id, 0)),
                    (STOCK_MOVES, moved.get(order.id, 0)),
                    (IDEMPOTENCY_KEYS, keyed.get(order.id, 0)),
                ),
                *case_file.get(order.id, ()),
            )
            for order in orders
        }

    def _retire_claims(self, tenant_id: str, orders: Sequence[ReturnOrder]) -> None:
        """Add what ``orders`` claim, per order line, to ``retired_claims``."""
        claimed: dict[LineRef, Decimal] = {}
        for order in orders:
            for line in order.lines:
                units = order.claimed(line.ref)
                if units:
                    claimed[line.ref] = claimed.get(line.ref, Decimal(0)) + units
        if not claimed:
            return
        totals = dict(claimed)
        for ref, units in self.retired_claims(tenant_id, claimed).items():
            totals[ref] = totals[ref] + units
        exact = self._tx.binder.exact
        self._tx.write(
            _PUT_RETIRED,
            [
                {
                    "tenant_id": tenant_id,
                    "order_number": ref.order_number,
                    "line_id": ref.line_id,
                    "units": exact(units),
                }
                for ref, units in sorted(totals.items())
            ],
            subject="the claims of destroyed returns",
        )

    def _destroy_entries(
        self, tenant_id: str, ids: Sequence[str]
    ) -> dict[str, tuple[tuple[str, int], ...]]:
        j = self._tx.tables.journal_entries
        texts = self._tx.execute(
            sa.select(as_text(j.c.document)).where(j.c.tenant_id == tenant_id, j.c.id.in_(ids)),
            subject="journal entries to destroy",
        ).scalars()
        entries = [self._codec.decode_text(text, JournalEntry) for text in texts]
        found = [entry.id for entry in entries]
        if not found:
            return {}
        self._delete(self._tx.tables.journal_postings, "entry_id", tenant_id, found)
        self._delete(j, "id", tenant_id, found)
        return {
            entry.id: counted(JOURNAL_ENTRIES, ("journal_postings", len(entry.postings)))
            for entry in entries
        }

    def _destroy_messages(
        self, tenant_id: str, ids: Sequence[str]
    ) -> dict[str, tuple[tuple[str, int], ...]]:
        t = self._tx.tables
        o, d, a = t.outbox, t.deliveries, t.delivery_attempts
        found = list(
            self._tx.execute(
                sa.select(o.c.id).where(o.c.tenant_id == tenant_id, o.c.id.in_(ids)),
                subject="outbox messages to destroy",
            ).scalars()
        )
        if not found:
            return {}

        def per_message(table: sa.Table) -> dict[str, int]:
            rows: Sequence[Any] = self._tx.execute(
                sa.select(table.c.message_id, sa.func.count())
                .where(table.c.message_id.in_(found))
                .group_by(table.c.message_id),
                subject=f"counting {table.name}",
            ).all()
            return {message_id: int(n) for message_id, n in rows}

        delivered, attempted = per_message(d), per_message(a)
        for table in (a, d):
            self._tx.execute(
                sa.delete(table).where(table.c.message_id.in_(found)),
                subject=f"destroying {table.name}",
            )
        self._delete(o, "id", tenant_id, found)
        return {
            message_id: counted(
                OUTBOX_MESSAGES,
                ("deliveries", delivered.get(message_id, 0)),
                ("delivery_attempts", attempted.get(message_id, 0)),
            )
            for message_id in found
        }

    def _destroy_keys(
        self, tenant_id: str, ids: Sequence[str]
    ) -> dict[str, tuple[tuple[str, int], ...]]:
        k = self._tx.tables.idempotency_keys
        found = list(
            self._tx.execute(
                sa.select(k.c.key).where(k.c.tenant_id == tenant_id, k.c.key.in_(ids)),
                subject="idempotency keys to destroy",
            ).scalars()
        )
        if found:
            self._delete(k, "key", tenant_id, found)
        return {key: counted(IDEMPOTENCY_KEYS) for key in found}

    # -- what destruction leaves ---------------------------------------------------------

    def retired_claims(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, Decimal]:
        """Units of ``refs`` claimed by returns since destroyed; lines with none left out."""
        c = self._tx.tables.retired_claims
        wanted = sorted(set(refs))
        found: dict[LineRef, Decimal] = {}
        for batch in batches(wanted):
            rows: Sequence[Any] = self._tx.execute(
                sa.select(c.c.order_number, c.c.line_id, c.c.units).where(
                    c.c.tenant_id == tenant_id,
                    sa.tuple_(c.c.order_number, c.c.line_id).in_(
                        [(ref.order_number, ref.line_id) for ref in batch]
                    ),
                ),
                subject="the claims of destroyed returns",
            ).all()
            for order_number, line_id, units in rows:
                found[LineRef(order_number, line_id)] = units
        return found

    def tombstones(self, tenant_id: str, after: str | None, limit: int) -> Sequence[Tombstone]:
        """Up to ``limit`` tombstones after ``after`` (``"<class>/<id>"``), by class and id."""
        s = self._tx.tables.tombstones
        binary = self._tx.binary
        where: list[sa.ColumnElement[bool]] = [s.c.tenant_id == tenant_id]
        if after is not None:
            # Class names have no "/" and sort after it: "class/id" order is (class, id) order.
            record_class, _, record_id = after.partition("/")
            where.append(
                sa.or_(
                    binary(s.c.record_class) > record_class,
                    sa.and_(s.c.record_class == record_class, binary(s.c.record_id) > record_id),
                )
            )
        texts = self._tx.execute(
            sa.select(as_text(s.c.document))
            .where(*where)
            .order_by(binary(s.c.record_class), binary(s.c.record_id))
            .limit(max(limit, 0)),
            subject="tombstones",
        ).scalars()
        return [self._codec.decode_text(text, Tombstone) for text in texts]
