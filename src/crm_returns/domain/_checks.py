"""Field validators shared by the domain's attrs classes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from crm_returns.errors import InvalidInput, InvalidQuantity

__all__ = [
    "aware",
    "identifier",
    "items_of",
    "moment",
    "not_negative",
    "string_set",
    "string_tuple",
    "text",
    "usable",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def text(limit: int, *, optional: bool = False, no_nul: bool = False) -> Validator:
    """Validate a string of at most ``limit`` characters that is not blank.

    With ``optional``, an empty string is also accepted (a note left blank).
    What was typed is kept as it is: nothing is trimmed or normalised.
    """

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise InvalidInput(f"{attribute.name} must be a string, got {type(value).__name__}")
        if not optional and not value.strip():
            raise InvalidInput(f"{attribute.name} must not be blank, got {value!r}")
        if len(value) > limit:
            raise InvalidInput(
                f"{attribute.name} is {len(value)} characters long; the limit is {limit}"
            )
        usable(value, attribute.name)
        if no_nul and "\x00" in value:
            raise InvalidInput(f"{attribute.name} must not contain the NUL character")

    return check


def identifier(limit: int) -> Validator:
    """Validate an id or code: non-blank, at most ``limit`` characters, no NUL.

    Ids are stored in database columns, and PostgreSQL keeps no NUL in text.
    """
    return text(limit, no_nul=True)


def aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a timezone-aware datetime, or ``None``."""
    if value is None:
        return
    moment(instance, attribute, value)


def moment(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a timezone-aware datetime (``None`` refused)."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(f"{attribute.name} must be a timezone-aware datetime, got {value!r}")


def not_negative(instance: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    """Validate a quantity that is zero or more."""
    if value < 0:
        raise InvalidQuantity(f"{attribute.name} must not be negative, got {value}")


def items_of(values: object, what: str) -> tuple[Any, ...]:
    """The items of an iterable that is not a string, or a typed error."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInput(f"{what} must be a collection, got {type(values).__name__}")
    return tuple(values)


def _strings(values: tuple[Any, ...], what: str) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str):
            raise InvalidInput(f"{what} must be strings, got {type(value).__name__}")
        usable(value, what)
    return values


def string_set(values: Iterable[str]) -> frozenset[str]:
    """Convert to a frozenset of strings (a lone string is one value, not its letters)."""
    if isinstance(values, str):
        return frozenset({usable(values, "value")})
    return frozenset(_strings(items_of(values, "values"), "values"))


def string_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """Convert to a tuple of strings (a lone string is refused: it is not a list)."""
    return _strings(items_of(values, "values"), "values")


def usable(value: str, what: str) -> str:
    """``value`` if every store can keep it: valid Unicode, no NUL in identifiers' way."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{what} contains a character that is not valid Unicode") from None
    return value
