"""The checks every CloudEvent must pass, shared by the CloudEvents tests.

:func:`check_message` validates an outbox message's CloudEvent against the
shipped schema of its type and checks what a schema cannot: the JSON holds no
number at all (so no float), and the envelope says what the event says.
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from crm_returns.cloudevents import event_type, schema, to_cloudevent, to_json
from crm_returns.ports import OutboxMessage

_validators: dict[str, Draft202012Validator] = {}


def validator(type_name: str) -> Draft202012Validator:
    """A validator of the shipped schema of ``type_name`` (made once per type)."""
    if type_name not in _validators:
        _validators[type_name] = Draft202012Validator(
            schema(type_name), format_checker=FormatChecker()
        )
    return _validators[type_name]


def _no_number(text: str) -> Any:
    """Refuse a JSON number (a ``parse_float`` / ``parse_int`` hook)."""
    raise AssertionError(f"a JSON number in a CloudEvent: {text}")


def parsed(message: OutboxMessage) -> Any:
    """The CloudEvent of ``message`` read back from its bytes, refusing any JSON number."""
    return json.loads(to_json(message), parse_float=_no_number, parse_int=_no_number)


def check_message(message: OutboxMessage) -> dict[str, Any]:
    """Check the CloudEvent of ``message`` and return it.

    It validates against its type's schema, holds no JSON number, reads back
    as :func:`to_cloudevent` made it, and its envelope names the event.
    """
    cloudevent = parsed(message)
    assert cloudevent == to_cloudevent(message)
    errors = sorted(validator(cloudevent["type"]).iter_errors(cloudevent), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    event = message.event
    assert cloudevent["id"] == message.id
    assert cloudevent["type"] == event_type(event)
    assert cloudevent["subject"] == event.number == cloudevent["data"]["return"]["number"]
    assert cloudevent["source"] == f"/crm-returns/{event.tenant_id}"
    assert cloudevent["time"] == cloudevent["data"]["at"] == event.at.isoformat()
    return cloudevent  # type: ignore[no-any-return]
