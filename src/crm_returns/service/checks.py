"""Checks at the service's edge: plain arguments of the right kind, or a typed error.

The domain's values validate themselves; these check the plain arguments of
the service's methods (actors, ids, mappings, optional filters) and make the
fingerprint that tells a retried command from a new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from crm_returns.domain._checks import usable
from crm_returns.domain.actors import Actor
from crm_returns.domain.orders import LineRef
from crm_returns.domain.queries import MAX_PAGE_SIZE
from crm_returns.errors import (
    InvalidInput,
)

__all__ = [
    "KEY_LIMIT",
    "checked_actor",
    "checked_id",
    "checked_mapping",
    "checked_moment",
    "checked_optional_id",
    "checked_page_size",
    "checked_text",
    "checked_value",
    "fingerprint",
]


#: Longest idempotency key accepted, in characters.
KEY_LIMIT = 200


_V = TypeVar("_V")


def _canonical(value: object) -> object:
    if isinstance(value, Mapping):
        return tuple(sorted((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    return repr(value)


def fingerprint(command: str, payload: tuple[object, ...]) -> str:
    """A digest of a command and its payload; mappings count regardless of order."""
    return hashlib.sha256(repr((command, _canonical(payload))).encode()).hexdigest()


def checked_actor(actor: object) -> Actor:
    """``actor`` if it is an :class:`Actor`, else a typed error."""
    if not isinstance(actor, Actor):
        raise InvalidInput(f"every command needs an Actor, got {type(actor).__name__}")
    return actor


def checked_text(value: object, what: str) -> str:
    """``value`` if it is a string every store can keep, else a typed error."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, got {type(value).__name__}")
    return usable(value, what)


def checked_id(value: object, what: str) -> str:
    """``value`` if it can be an id or number: a string without NUL (see :func:`identifier`)."""
    text = checked_text(value, what)
    if "\x00" in text:
        raise InvalidInput(f"{what} must not contain the NUL character")
    return text


def checked_value(value: object, kind: type[_V], what: str) -> _V:
    """``value`` if it is a ``kind``, else a typed error."""
    if not isinstance(value, kind):
        raise InvalidInput(f"{what} must be a {kind.__name__}, got {type(value).__name__}")
    return value


def checked_mapping(value: object, kind: type[_V], what: str) -> dict[LineRef, _V]:
    """``value`` as a dict from :class:`LineRef` to ``kind``, else a typed error."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{what} must map LineRef to {kind.__name__}")
    checked: dict[LineRef, _V] = {}
    for ref, item in value.items():
        if not isinstance(ref, LineRef) or not isinstance(item, kind):
            raise InvalidInput(f"{what} must map LineRef to {kind.__name__}, got {ref!r}: {item!r}")
        checked[ref] = item
    return checked


def checked_optional_id(value: object, what: str) -> str | None:
    """``value`` as with :func:`checked_id`, or ``None`` when not given."""
    return None if value is None else checked_id(value, what)


def checked_moment(value: object, what: str) -> datetime | None:
    """``value`` if it is a timezone-aware datetime or ``None``, else a typed error."""
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
        raise InvalidInput(f"{what} must be a timezone-aware datetime, got {value!r}")
    return value


def checked_page_size(value: object) -> int:
    """``value`` if it is a whole number from 1 to ``MAX_PAGE_SIZE``, else a typed error."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}, got {value!r}")
    return value
