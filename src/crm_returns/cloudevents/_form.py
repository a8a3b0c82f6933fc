"""An outbox message as a CloudEvent: plain JSON values, no floats."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs

from crm_returns.domain import events as ev
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.ports.delivery import OutboxMessage

__all__ = ["CONTENT_TYPE", "EVENT_TYPES", "SPEC_VERSION", "event_type", "to_cloudevent", "to_json"]

SPEC_VERSION: Final = "1.0"

#: The media type of a CloudEvent in structured mode.
CONTENT_TYPE: Final = "application/cloudevents+json; charset=utf-8"

_PREFIX: Final = "com.crm-returns.return."

#: Every event type, by its CloudEvents ``type``.
EVENT_TYPES: Final[Mapping[str, type[ev.ReturnEvent]]] = MappingProxyType(
    {
        f"{_PREFIX}{name}.v1": kind
        for name, kind in (
            ("drafted", ev.ReturnDrafted),
            ("lines-edited", ev.ReturnLinesEdited),
            ("submitted", ev.ReturnSubmitted),
            ("approval-given", ev.ApprovalGiven),
            ("approved", ev.ReturnApproved),
            ("rejected", ev.ReturnRejected),
            ("cancelled", ev.ReturnCancelled),
            ("goods-received", ev.GoodsReceived),
            ("lines-inspected", ev.LinesInspected),
            ("completed", ev.ReturnCompleted),
            ("repair-finished", ev.RepairFinished),
            ("refund-granted", ev.RefundGranted),
            ("refund-payment-recorded", ev.RefundPaymentRecorded),
            ("refund-payment-settled", ev.RefundPaymentSettled),
        )
    }
)

_TYPE_OF: Final = MappingProxyType({kind: name for name, kind in EVENT_TYPES.items()})


def event_type(event: ev.ReturnEvent | type[ev.ReturnEvent]) -> str:
    """The CloudEvents ``type`` of an event or its class: ``com.crm-returns.return.approved.v1``."""
    kind = event if isinstance(event, type) else type(event)
    return _TYPE_OF[kind]


def _plain(value: object) -> Any:
    """``value`` as JSON values: amounts and quantities as decimal strings, never floats."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, LineRef):
        return {"order_number": value.order_number, "line_id": value.line_id}
    if isinstance(value, tuple):
        if value and all(
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], LineRef)
            for item in value
        ):
            # Per-line facts (receipts, inspections): one object per line.
            return [{"line": _plain(ref), **_plain(fact)} for ref, fact in value]
        return [_plain(item) for item in value]
    kind = type(value)
    if attrs.has(kind):
        return {field.name: _plain(getattr(value, field.name)) for field in attrs.fields(kind)}
    raise TypeError(f"no JSON form for {type(value).__name__}")  # pragma: no cover


def to_cloudevent(message: OutboxMessage, source: str | None = None) -> dict[str, Any]:
    """``message`` as a CloudEvent in structured mode (a dict of JSON values).

    Args:
        message: The outbox message.
        source: The CloudEvents ``source``; by default ``/crm-returns/<tenant>``.
    """
    event = message.event
    data = _plain(event)
    data["return"] = _plain(message.summary)
    return {
        "specversion": SPEC_VERSION,
        "id": message.id,
        "source": source if source is not None else f"/crm-returns/{event.tenant_id}",
        "type": event_type(event),
        "subject": event.number,
        "time": event.at.isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }


def to_json(message: OutboxMessage, source: str | None = None) -> bytes:
    """``message`` as the UTF-8 bytes of its CloudEvent, keys sorted (the same bytes every time)."""
    return json.dumps(
        to_cloudevent(message, source), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
