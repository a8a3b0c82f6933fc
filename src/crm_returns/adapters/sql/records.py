"""The smaller stores of a SQL unit of work: audit log, reasons, counters, idempotency.

Each keeps one kind of row beside the returns (:mod:`~crm_returns.adapters.sql.returns`)
and the ledgers (:mod:`~crm_returns.adapters.sql.ledgers`), in the unit of
work's transaction, through statements built once over the database's tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.sql.expression import ClauseElement

from crm_returns.adapters.sql.schema import Tables
from crm_returns.adapters.sql.statements import Prepared, as_text, dialect_insert, insert_row, param
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.ports import IdempotentResult

__all__ = ["SqlAuditLog", "SqlIdempotencyKeys", "SqlReasonStore", "SqlSequences"]


_AUDIT = insert_row(
    lambda t: t.audit_entries,
    *("tenant_id", "id", "return_id", "action", "actor_id", "at", "document"),
)
_IDEMPOTENT = insert_row(
    lambda t: t.idempotency_keys, "tenant_id", "key", "command", "return_id", "document"
)
_CATALOG = Prepared(
    lambda t: sa.select(as_text(t.reason_catalogs.c.document)).where(
        t.reason_catalogs.c.tenant_id == param("tenant_id")
    )
)
_RESULT = Prepared(
    lambda t: sa.select(as_text(t.idempotency_keys.c.document)).where(
        t.idempotency_keys.c.tenant_id == param("tenant_id"),
        t.idempotency_keys.c.key == param("key"),
    )
)


def _put_catalog(t: Tables, dialect: str) -> ClauseElement:
    insert = dialect_insert(t.reason_catalogs, dialect).values(
        tenant_id=param("tenant_id"), document=param("document")
    )
    return insert.on_conflict_do_update(
        index_elements=["tenant_id"], set_={"document": insert.excluded.document}
    )


_PUT_CATALOG = Prepared.per_dialect(_put_catalog)


#: A literal in the statement's text: a prepared statement takes only named parameters.
_ONE: sa.ColumnElement[int] = sa.literal_column("1", sa.Integer())


def _draw(t: Tables, dialect: str) -> ClauseElement:
    return (
        dialect_insert(t.sequences, dialect)
        .values(key=param("key"), value=_ONE)
        .on_conflict_do_update(index_elements=["key"], set_={"value": t.sequences.c.value + _ONE})
        .returning(t.sequences.c.value)
    )


_DRAW = Prepared.per_dialect(_draw)


class SqlAuditLog:
    """The :class:`~crm_returns.ports.AuditLog` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    def append(self, entry: AuditEntry) -> None:
        """Add ``entry``."""
        self._tx.defer(
            _AUDIT,
            {
                "tenant_id": entry.tenant_id,
                "id": entry.id,
                "return_id": entry.return_id,
                "action": entry.action.value,
                "actor_id": entry.actor_id,
                "at": self._tx.binder.instant(entry.at),
                "document": self._codec.encode_text(entry),
            },
            subject=f"audit entry {entry.id}",
        )

    def for_return(self, tenant_id: str, return_id: str) -> Sequence[AuditEntry]:
        """A return's entries, oldest first."""
        entries = self._tx.tables.audit_entries
        documents = self._tx.execute(
            sa.select(as_text(entries.c.document))
            .where(entries.c.tenant_id == tenant_id, entries.c.return_id == return_id)
            .order_by(entries.c.seq),
            subject=f"the audit trail of return {return_id}",
        ).scalars()
        return [self._codec.decode_text(d, AuditEntry) for d in documents]


class SqlReasonStore:
    """The :class:`~crm_returns.ports.ReasonStore` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    def get(self, tenant_id: str) -> ReasonCatalog | None:
        """The tenant's catalog, or ``None`` if it still uses the defaults."""
        rows = self._tx.fetch(_CATALOG, {"tenant_id": tenant_id}, subject="the reason catalog")
        return self._codec.decode_text(rows[0][0], ReasonCatalog) if rows else None

    def put(self, tenant_id: str, catalog: ReasonCatalog) -> None:
        """Replace the tenant's catalog."""
        self._tx.write(
            _PUT_CATALOG,
            {"tenant_id": tenant_id, "document": self._codec.encode_text(catalog)},
            subject="the reason catalog",
        )


class SqlSequences:
    """The :class:`~crm_returns.ports.Sequences` of a SQL unit of work.

    One statement draws the next value and keeps the counter's row locked
    until the unit of work ends, so no number is handed out twice.
    """

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    def next(self, key: str) -> int:
        """The next value of counter ``key``, starting at 1."""
        ((drawn,),) = self._tx.fetch(_DRAW, {"key": key}, subject=f"counter {key}")
        return int(drawn)


class SqlIdempotencyKeys:
    """The :class:`~crm_returns.ports.IdempotencyKeys` of a SQL unit of work.

    A key is stored once: when two retries of one command race, the second
    to commit fails with :class:`~crm_returns.errors.ConcurrencyConflict`,
    keeps nothing, and its next retry finds the first one's result.
    """

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    def get(self, tenant_id: str, key: str) -> IdempotentResult | None:
        """The result stored under ``key``, if any."""
        rows = self._tx.fetch(
            _RESULT, {"tenant_id": tenant_id, "key": key}, subject=f"idempotency key {key!r}"
        )
        return self._codec.decode_text(rows[0][0], IdempotentResult) if rows else None

    def put(self, tenant_id: str, key: str, result: IdempotentResult) -> None:
        """Store ``result`` under ``key``.

        Raises:
            ConcurrencyConflict: Another command stored the key first.
        """
        self._tx.write(
            _IDEMPOTENT,
            {
                "tenant_id": tenant_id,
                "key": key,
                "command": result.command,
                "return_id": result.order.id,
                "document": self._codec.encode_text(result),
            },
            subject=f"idempotency key {key!r}",
        )
