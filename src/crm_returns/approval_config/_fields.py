"""The values of an approval policy document: what each field becomes, and its reader.

:mod:`._document` wires these readers into a cattrs converter.  Each reader
takes a raw value as ``json`` or ``tomllib`` produced it, and returns what the
domain takes or raises :class:`~._problems.Problem` saying what is wrong in
the document's terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import NewType, TypeVar

from cattrs.errors import IterableValidationError

from crm_returns.approval_config._problems import Problem, noted_at, plain, quoted, shown
from crm_returns.domain.money import MINOR_UNITS, Money
from crm_returns.domain.policies.approval import ApprovalRule
from crm_returns.errors import InvalidMoney

#: Longest version, step name, role, reason, category or customer id, in characters.
NAME_LIMIT = 64

#: Largest count of days, hours or minutes in a time limit (keeps timedelta in range).
COUNT_LIMIT = 100_000

_T = TypeVar("_T")
_V = TypeVar("_V")

# What the document's fields become.  NewTypes, so that each gets a hook of its own.
Text = NewType("Text", str)
Names = NewType("Names", frozenset[str])
Roles = NewType("Roles", frozenset[str])
Thresholds = NewType("Thresholds", tuple[Money, ...])
Count = NewType("Count", int)
Limit = NewType("Limit", timedelta)
Rule = NewType("Rule", ApprovalRule)
Rules = NewType("Rules", tuple[ApprovalRule, ...])

#: Defaults of the fields that may be left out.
NO_NAMES = Names(frozenset())
NO_THRESHOLDS = Thresholds(())
NO_RULES = Rules(())
ZERO = Count(0)


def each(items: Iterable[tuple[int | str, _V]], read: Callable[[_V], _T], kind: object) -> list[_T]:
    """Read every item, collecting each problem with its index or key."""
    result: list[_T] = []
    errors: list[Exception] = []
    for index, value in items:
        try:
            result.append(read(value))
        except Exception as error:  # noqa: BLE001 - every problem is collected and reported
            errors.append(noted_at(error, index, kind))
    if errors:
        raise IterableValidationError(f"While structuring {kind}", errors, list)
    return result


def read_text(value: object, _: object = None) -> Text:
    """A non-blank string of at most :data:`NAME_LIMIT` characters."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        hint = f'; write "{value}"' if plain(value) == str(value) else ""
        raise Problem(f"must be a string, not {shown(value)}{hint}")
    if not isinstance(value, str):
        raise Problem(f"must be a string, not {shown(value)}")
    if not value.strip():
        raise Problem("must not be blank")
    if len(value) > NAME_LIMIT:
        raise Problem(f"is {len(value)} characters long; the limit is {NAME_LIMIT}")
    return Text(value)


def read_names(value: object, _: object = None) -> Names:
    """One name, or a list of them (possibly empty)."""
    if isinstance(value, str):
        return Names(frozenset({read_text(value)}))
    if not isinstance(value, list | tuple):
        raise Problem(f"must be a string or a list of strings, not {shown(value)}")
    return Names(frozenset(each(enumerate(value), read_text, Text)))


def read_roles(value: object, _: object = None) -> Roles:
    """One role, or a list of at least one."""
    roles = read_names(value)
    if not roles:
        raise Problem("must name at least one role")
    return Roles(roles)


def read_amount(value: object, currency: str) -> Money:
    """A threshold of ``currency``: an exact, non-negative amount at the minor unit."""
    if isinstance(value, bool):
        raise Problem(f'{shown(value)} is not an amount; write one such as "500.00"')
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Problem(f"{value!r} is not a finite amount")
        raise Problem(f'{value!r} is a float; write "{_suggested(value, currency)}"')
    if not isinstance(value, int | str):
        raise Problem(f"must be an amount as a string or whole number, not {shown(value)}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Problem(f"{quoted(value)} is not a number") from None
    if not number.is_finite():
        raise Problem(f"{quoted(value)} is not a finite amount")
    if number < 0:
        raise Problem(f"{plain(value)} is negative; a threshold is zero or more")
    places = MINOR_UNITS[currency]
    if number != round(number, places):
        raise Problem(f"{plain(value)} has more decimal places than {currency}'s {places}")
    try:
        return Money(number, currency)
    except InvalidMoney as error:  # too large to hold exactly
        raise Problem(str(error)) from None


def _suggested(value: float, currency: str) -> str:
    """How to write ``value`` as an exact amount: ``12.5`` in CNY is ``"12.50"``."""
    number = Decimal(repr(value))
    places = MINOR_UNITS[currency]
    if number == round(number, places):
        number = number.quantize(Decimal(1).scaleb(-places))
    return format(number, "f")


def read_currency(value: object) -> str:
    """An ISO 4217 code the library knows (upper case)."""
    if isinstance(value, str) and value in MINOR_UNITS:
        return value
    hint = ""
    if isinstance(value, str) and value.strip().upper() in MINOR_UNITS:
        hint = f"; did you mean {value.strip().upper()!r}?"
    raise Problem(f"{quoted(value)} is not a known ISO 4217 currency code{hint}")


def read_thresholds(value: object, _: object = None) -> Thresholds:
    """A table of currency codes to amounts, such as ``{ CNY = "500.00" }``."""
    if not isinstance(value, Mapping):
        raise Problem(
            f'must map currency codes to amounts, such as {{ CNY = "500.00" }}, not {shown(value)}'
        )

    def read(pair: tuple[object, object]) -> Money:
        currency, amount = pair
        return read_amount(amount, read_currency(currency))

    pairs = ((str(key), (key, amount)) for key, amount in value.items())
    return Thresholds(tuple(each(pairs, read, Money)))


def read_count(value: object, _: object = None) -> Count:
    """A whole number of days, hours or minutes, from 0 to :data:`COUNT_LIMIT`."""
    if isinstance(value, float):
        raise Problem(
            f"{value!r} is a float; write a whole number, in a smaller unit if need be "
            "(minutes = 90, not hours = 1.5)"
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise Problem(f"must be a whole number, not {shown(value)}")
    if value < 0:
        raise Problem(f"{plain(value)} is negative")
    if value > COUNT_LIMIT:
        raise Problem(f"{plain(value)} is too large; the most is {COUNT_LIMIT}")
    return Count(value)
