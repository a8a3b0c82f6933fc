"""The public JSON form of events: CloudEvents 1.0, structured mode.

Every outbox message becomes one CloudEvent::

    {
      "specversion": "1.0",
      "id": "<the message id: the same on every delivery; deduplicate on it>",
      "source": "/crm-returns/<tenant>",
      "type": "com.crm-returns.return.approved.v1",
      "subject": "RT-20261127-000042",
      "time": "2026-11-27T09:30:00+08:00",
      "datacontenttype": "application/json",
      "data": {... the event's fields ..., "return": {... the return as the command left it ...}}
    }

Where things live:

- ``_layout.py`` decides the data form, the one place to read it: amounts
  are ``{"amount": "12.30", "currency": "CNY"}`` with the amount a decimal
  string, quantities are decimal strings (no JSON number, so never a float),
  times are ISO 8601 with their offset, order lines are ``{"order_number",
  "line_id"}``, per-line facts carry their ``line`` beside their fields, and
  who did it is ``"actor": {"id", "name"}``;
- ``_form.py`` makes the envelope and names the types (:data:`EVENT_TYPES`);
- ``schemas/<type>.json`` is the JSON Schema (draft 2020-12) of each type,
  read by :func:`schema` and written from the event classes by
  ``python -m crm_returns.cloudevents._generate`` (``_generate.py``); a
  test fails when a shipped file is not what the generator writes.

A type's version (``.v1``) changes only when a field is removed or changes
meaning; adding a field keeps it.  ``docs/events.md`` describes every type.
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
