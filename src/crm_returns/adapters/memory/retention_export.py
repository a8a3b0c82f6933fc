"""The memory store's export of records for a backup: JSON-safe mappings, a record at a time."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from crm_returns.adapters.memory.committed import Committed
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.retention.classes import RecordKey

__all__ = ["case_records_of", "exported", "json_safe", "message_of"]


def json_safe(value: Any) -> Any:
    """``value`` as JSON-safe data: attrs classes as dicts, money and times as text."""
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, Decimal | datetime | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, enum.Enum):
        return json_safe(value.value)
    if isinstance(value, tuple | list):
        return [json_safe(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(json_safe(item) for item in value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return {f.name.lstrip("_"): json_safe(getattr(value, f.name)) for f in fields}
    return str(value)


def message_of(db: Committed, tenant_id: str, message_id: str) -> bool:
    """Whether the outbox holds message ``message_id`` of ``tenant_id`` (ids are not scoped)."""
    found = db.outbox.get(message_id)
    return found is not None and found[1].event.tenant_id == tenant_id


def case_records_of(db: Committed, tenant_id: str, return_id: str) -> list[CaseRecord]:
    """The return's case-file records, by kind, time and id."""
    found = [
        record
        for (tenant, _, _), record in db.casefile.items()
        if tenant == tenant_id and record.return_id == return_id
    ]
    return sorted(found, key=lambda r: (r.kind, r.at, r.id))


def exported(db: Committed, keys: Sequence[RecordKey]) -> Iterator[Mapping[str, Any]]:
    """Each record of ``keys`` with what it owns, as JSON-safe mappings, for the backup."""
    for key in keys:
        head = {"class": key.record_class, "id": key.record_id, "tenant_id": key.tenant_id}
        tenant, rid = key.tenant_id, key.record_id
        match key.record_class:
            case "return_orders" if (tenant, rid) in db.returns:
                yield head | {
                    "return": json_safe(db.returns[(tenant, rid)]),
                    "audit_entries": json_safe(db.audit.get((tenant, rid), [])),
                    "stock_moves": json_safe(
                        [m for m in db.moves if m.tenant_id == tenant and m.return_id == rid]
                    ),
                    # Each whole, with its kind: RECORD_KINDS[kind](**fields) makes it again.
                    "case_records": [
                        {"kind": record.kind, "document": json_safe(record)}
                        for record in case_records_of(db, tenant, rid)
                    ],
                }
            case "journal_entries":
                for entry in db.entries:
                    if entry.tenant_id == tenant and entry.id == rid:
                        yield head | {"entry": json_safe(entry)}
            case "outbox_messages" if message_of(db, tenant, rid):
                book = db.deliveries
                yield head | {
                    "message": json_safe(db.outbox[rid][1]),
                    "deliveries": json_safe(
                        [d for (_, mid), d in book.deliveries.items() if mid == rid]
                    ),
                    "attempts": json_safe(
                        [
                            a
                            for (_, mid), tries in book.attempts.items()
                            if mid == rid
                            for a in tries
                        ]
                    ),
                }
            case "idempotency_keys" if (tenant, rid) in db.idempotency:
                yield head | {"result": json_safe(db.idempotency[(tenant, rid)])}
