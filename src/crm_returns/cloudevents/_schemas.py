"""The JSON Schema of each event type, shipped as files beside this module."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from crm_returns.cloudevents._form import EVENT_TYPES
from crm_returns.errors import NotFound

__all__ = ["schema"]


def schema(type_name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the CloudEvent of type ``type_name``.

    Each call reads the shipped file and returns a fresh dict::

        schema("com.crm-returns.return.approved.v1")["$id"]
        # 'urn:crm-returns:schema:com.crm-returns.return.approved.v1'

    Args:
        type_name: A CloudEvents ``type``, one of :data:`~crm_returns.cloudevents.EVENT_TYPES`.

    Raises:
        NotFound: No event has that type.
    """
    if type_name not in EVENT_TYPES:
        raise NotFound("event type", type_name)
    text = resources.files(__package__).joinpath("schemas", f"{type_name}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
