"""Field validators shared by the domain's attrs classes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from crm_returns.errors import InvalidInput, InvalidQuantity

__all__ = ["aware", "moment", "not_negative", "string_set", "string_tuple", "text"]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def text(limit: int, *, optional: bool = False) -> Validator:
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

    return check


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


def string_set(values: Iterable[str]) -> frozenset[str]:
    """Convert to a frozenset of strings (a lone string is one value, not its letters)."""
    if isinstance(values, str):
        return frozenset({values})
    return frozenset(values)


def string_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """Convert to a tuple of strings."""
    return tuple(values)
