"""The library's records exported for the backup, in SQL: each with what it owns, as JSON.

A return comes with its audit entries, stock moves, the units its lines
claim and its case file (each record's kind and whole document, from which
the store's columns are made again); a journal entry alone; an outbox
message with its deliveries and attempts; an idempotency key with its
stored result.  Documents are parsed
from the text they were written as (decimals are strings in them, never
floats), and columns become JSON (times as ISO 8601, decimals as strings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from crm_returns.adapters.sql.retention_records import batches
from crm_returns.adapters.sql.statements import as_text
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.retention.classes import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    STOCK_MOVES,
    RecordKey,
)
from crm_returns.errors import InvalidInput, quoted

__all__ = ["SqlRecordExport"]


def _document(text: str) -> Any:
    """A stored document as JSON values (decimals are strings in it, never floats)."""
    return orjson.loads(text)


def _plain(value: Any) -> Any:
    """A column's value as JSON: times as ISO 8601, decimals as strings."""
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


class SqlRecordExport:
    """:meth:`~crm_returns.ports.retention.RecordKeeper.export` in SQL."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    # -- export --------------------------------------------------------------------------

    def export(self, keys: Sequence[RecordKey]) -> Iterator[Mapping[str, Any]]:
        """Each record of ``keys`` with what it owns, as JSON-safe mappings, for the backup.

        Records already gone are left out.  Works through ``keys`` in batches
        of :data:`BATCH`, yielding each batch before reading the next.
        """
        exporters: dict[str, Callable[[str, Sequence[str]], dict[str, dict[str, Any]]]] = {
            RETURN_ORDERS: self._export_returns,
            JOURNAL_ENTRIES: self._export_entries,
            OUTBOX_MESSAGES: self._export_messages,
            IDEMPOTENCY_KEYS: self._export_keys,
        }
        for batch in batches(keys):
            wanted: dict[tuple[str, str], list[str]] = {}
            for key in batch:
                if key.record_class not in exporters:
                    raise InvalidInput(
                        f"the store keeps no records of class {quoted(key.record_class)}"
                    )
                wanted.setdefault((key.tenant_id, key.record_class), []).append(key.record_id)
            found = {
                (tenant_id, record_class): exporters[record_class](tenant_id, ids)
                for (tenant_id, record_class), ids in wanted.items()
            }
            for key in batch:
                exported = found[(key.tenant_id, key.record_class)].get(key.record_id)
                if exported is not None:
                    yield {
                        "class": key.record_class,
                        "id": key.record_id,
                        "tenant_id": key.tenant_id,
                        **exported,
                    }

    def _rows(
        self, table: sa.Table, column: str, tenant_id: str, ids: Sequence[str]
    ) -> Sequence[Any]:
        """Every row of ``table`` of the tenant whose ``column`` is one of ``ids``."""
        # The document as the text it was written as, parsed here: never floats.
        columns = [as_text(c).label(c.name) if c.name == "document" else c for c in table.c]
        rows: Sequence[Any] = self._tx.execute(
            sa.select(*columns).where(table.c.tenant_id == tenant_id, table.c[column].in_(ids)),
            subject=f"the backup of {table.name}",
        ).all()
        return rows

    def _documents_by(self, rows: Iterable[Any], owner: str) -> dict[str, list[Any]]:
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(getattr(row, owner), []).append(_document(row.document))
        return grouped

    def _export_returns(self, tenant_id: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        t = self._tx.tables
        returns = self._rows(t.returns, "id", tenant_id, ids)
        audit = self._documents_by(
            sorted(self._rows(t.audit_entries, "return_id", tenant_id, ids), key=lambda r: r.seq),
            "return_id",
        )
        moves = self._documents_by(
            sorted(self._rows(t.stock_moves, "return_id", tenant_id, ids), key=lambda r: r.seq),
            "return_id",
        )
        case_file: dict[str, list[dict[str, Any]]] = {}
        case_rows = self._rows(t.case_records, "return_id", tenant_id, ids)
        for row in sorted(case_rows, key=lambda r: (r.kind, r.at, r.id)):
            case_file.setdefault(row.return_id, []).append(
                {"kind": row.kind, "document": _document(row.document)}
            )
        claims: dict[str, list[dict[str, Any]]] = {}
        for row in self._rows(t.return_lines, "return_id", tenant_id, ids):
            claims.setdefault(row.return_id, []).append(
                {
                    "order_number": row.order_number,
                    "line_id": row.line_id,
                    "reason_code": row.reason_code,
                    "claimed": str(row.claimed),
                    "refunded_units": str(row.refunded_units),
                }
            )
        return {
            row.id: {
                "archived": bool(row.archived),
                "document": _document(row.document),
                AUDIT_ENTRIES: audit.get(row.id, []),
                STOCK_MOVES: moves.get(row.id, []),
                "line_claims": sorted(
                    claims.get(row.id, []), key=lambda c: (c["order_number"], c["line_id"])
                ),
                "case_records": case_file.get(row.id, []),
            }
            for row in returns
        }

    def _export_entries(self, tenant_id: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        rows = self._rows(self._tx.tables.journal_entries, "id", tenant_id, ids)
        return {row.id: {"document": _document(row.document)} for row in rows}

    def _export_messages(self, tenant_id: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        t = self._tx.tables
        messages = self._rows(t.outbox, "id", tenant_id, ids)
        found = [row.id for row in messages]
        deliveries: dict[str, list[dict[str, Any]]] = {}
        for row in self._tx.execute(
            sa.select(t.deliveries).where(t.deliveries.c.message_id.in_(found)),
            subject="the backup of deliveries",
        ).mappings():
            deliveries.setdefault(row["message_id"], []).append(
                {str(name): _plain(value) for name, value in row.items()}
            )
        attempts: dict[str, list[dict[str, Any]]] = {}
        for row in self._tx.execute(
            sa.select(t.delivery_attempts)
            .where(t.delivery_attempts.c.message_id.in_(found))
            .order_by(t.delivery_attempts.c.seq),
            subject="the backup of delivery attempts",
        ).mappings():
            attempts.setdefault(row["message_id"], []).append(
                {str(name): _plain(value) for name, value in row.items() if name != "seq"}
            )
        return {
            row.id: {
                "document": _document(row.document),
                "deliveries": sorted(
                    deliveries.get(row.id, []), key=lambda d: str(d["destination"])
                ),
                "delivery_attempts": attempts.get(row.id, []),
            }
            for row in messages
        }

    def _export_keys(self, tenant_id: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        rows = self._rows(self._tx.tables.idempotency_keys, "key", tenant_id, ids)
        return {
            row.key: {
                "command": row.command,
                "return_id": row.return_id,
                "document": _document(row.document),
            }
            for row in rows
        }
