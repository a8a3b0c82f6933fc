"""Field validators shared by the domain's attrs classes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from crm_returns.domain.money import MAX_UNIT_PLACES
from crm_returns.errors import InvalidInput, InvalidQuantity

__all__ = [
    "aware",
    "flag",
    "identifier",
    "items_of",
    "mapping_of",
    "moment",
    "not_negative",
    "string_set",
    "string_tuple",
    "text",
    "unit_places",
    "usable",
    "value_of",
    "values_of",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]
_T = TypeVar("_T")


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
    """The items of an iterable that is neither text nor a mapping, or a typed error.

    A mapping is refused: its keys alone are not what a list was wanted for.
    """
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise InvalidInput(f"{what} must be a collection, got {type(values).__name__}")
    return tuple(values)


def values_of(values: object, kind: type[_T], what: str) -> tuple[_T, ...]:
    """The items of a collection (see :func:`items_of`), each a ``kind``, or a typed error."""
    items = items_of(values, what)
    for item in items:
        if not isinstance(item, kind):
            raise InvalidInput(f"{what} must be {kind.__name__} values, got {type(item).__name__}")
    return items


def mapping_of(value: object, what: str) -> Mapping[Any, Any]:
    """``value`` if it is a mapping, or a typed error."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{what} must be a mapping, got {type(value).__name__}")
    return value


def flag(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a ``bool`` (``0``, ``1``, ``None`` and text are refused)."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{attribute.name} must be True or False, got {type(value).__name__}")


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


def value_of(kind: type[Any], *, optional: bool = False) -> Validator:
    """Validate an instance of ``kind`` (or ``None``, with ``optional``)."""
    expected = f"a {kind.__name__}" + (" or None" if optional else "")

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind) and not (optional and value is None):
            raise InvalidInput(f"{attribute.name} must be {expected}, got {type(value).__name__}")

    return check


def unit_places(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a unit's decimal places: a whole number from 0 to ``MAX_UNIT_PLACES``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UNIT_PLACES:
        raise InvalidInput(
            f"{attribute.name} must be a whole number from 0 to {MAX_UNIT_PLACES}, got {value!r}"
        )
