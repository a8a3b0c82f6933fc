"""The values of a retention document: what each field becomes, and its reader.

:mod:`._document` and :mod:`._rules` use these readers.  Each takes a raw
value as ``json`` or ``tomllib`` produced it, and returns what the domain
takes or raises :class:`~._problems.Problem` saying what is wrong in the
document's terms.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import NewType, TypeVar

from crm_returns.domain.retention import (
    PROFILES,
    FiscalYearEnd,
    Period,
    RetentionPolicy,
    RetentionRule,
    checked_class,
)
from crm_returns.errors import InvalidInput
from crm_returns.retention_config._problems import Problem, plain, shown

__all__ = [
    "BASIS_LIMIT",
    "COUNT_LIMIT",
    "NO_OVERRIDES",
    "PERMANENT",
    "ZERO",
    "Count",
    "Overrides",
    "Profile",
    "Span",
    "YearEnd",
    "choices",
    "read_basis",
    "read_choice",
    "read_class",
    "read_count",
    "read_profile",
]

#: Largest count of years, months or days in a period (a month or day of a date, too).
COUNT_LIMIT = 100_000

#: Longest legal basis, in characters.
BASIS_LIMIT = 200

#: How a document writes a period kept for ever.
PERMANENT = "permanent"

_E = TypeVar("_E", bound=enum.Enum)

# What the document's fields become.  NewTypes, so that each gets a hook of its own.
Profile = NewType("Profile", RetentionPolicy)
Count = NewType("Count", int)
Span = NewType("Span", Period)
YearEnd = NewType("YearEnd", FiscalYearEnd)
Overrides = NewType("Overrides", Mapping[str, tuple[RetentionRule, ...]])

#: Defaults of the fields that may be left out.
ZERO = Count(0)
NO_OVERRIDES = Overrides(MappingProxyType({}))


def read_profile(value: object, _: object = None) -> Profile:
    """A shipped profile, by its name in :data:`~crm_returns.domain.retention.PROFILES`."""
    if isinstance(value, str) and value in PROFILES:
        return Profile(PROFILES[value])
    known = ", ".join(repr(name) for name in PROFILES)
    raise Problem(f"must name a profile, one of {known}; not {shown(value)}")


def read_count(value: object, _: object = None) -> Count:
    """A whole number from 0 to :data:`COUNT_LIMIT`."""
    if isinstance(value, float):
        raise Problem(
            f"{value!r} is a float; write a whole number, in a smaller unit if need be "
            "(months = 18, not years = 1.5)"
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise Problem(f"must be a whole number, not {shown(value)}")
    if value < 0:
        raise Problem(f"{plain(value)} is negative")
    if value > COUNT_LIMIT:
        raise Problem(f"{plain(value)} is too large; the most is {COUNT_LIMIT}")
    return Count(value)


def choices(kind: type[enum.Enum]) -> str:
    """The values a document may give for ``kind``, as a message lists them."""
    return ", ".join(repr(member.value) for member in kind)


def read_choice(kind: type[_E], value: object) -> _E:
    """The member of ``kind`` whose value is ``value``."""
    if isinstance(value, str):
        for member in kind:
            if member.value == value:
                return member
    raise Problem(f"must be one of {choices(kind)}; not {shown(value)}")


def read_basis(value: object) -> str:
    """A legal basis: a non-blank string of at most :data:`BASIS_LIMIT` characters."""
    if not isinstance(value, str):
        raise Problem(f"must be a string, not {shown(value)}")
    if not value.strip():
        raise Problem("must not be blank; leave it out for the profile's")
    if len(value) > BASIS_LIMIT:
        raise Problem(f"is {len(value)} characters long; the limit is {BASIS_LIMIT}")
    return value


def read_class(value: object) -> str:
    """A record class name (:func:`~crm_returns.domain.retention.checked_class`)."""
    try:
        return checked_class(value)
    except InvalidInput as error:
        raise Problem(str(error)) from None
