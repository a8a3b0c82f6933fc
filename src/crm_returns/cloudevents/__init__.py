"""The public JSON form of events: CloudEvents 1.0, structured mode.

Every outbox message becomes one CloudEvent::

    {
      "specversion": "1.0",
      "id": "<the message id>",
      "source": "/crm-returns/<tenant>",
      "type": "com.crm-returns.return.approved.v1",
      "subject": "RT-20261127-000042",
      "time": "2026-11-27T09:30:00+08:00",
      "datacontenttype": "application/json",
      "data": {... the event's fields ..., "return": {... the return as the command left it ...}}
    }

Amounts are ``{"amount": "12.30", "currency": "CNY"}`` with the amount as a
decimal string (never a float); quantities are decimal strings; times are
ISO 8601 with their offset; order lines are ``{"order_number", "line_id"}``.
Each type has a JSON Schema in this package (:func:`schema`); a type's
version (``.v1``) changes only when a field is removed or changes meaning.
"""

from crm_returns.cloudevents._form import (
    CONTENT_TYPE,
    EVENT_TYPES,
    SPEC_VERSION,
    event_type,
    to_cloudevent,
    to_json,
)
from crm_returns.cloudevents._schemas import schema

__all__ = [
    "CONTENT_TYPE",
    "EVENT_TYPES",
    "SPEC_VERSION",
    "event_type",
    "schema",
    "to_cloudevent",
    "to_json",
]
