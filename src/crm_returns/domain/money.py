"""Exact money and quantities.

Money is a :class:`~decimal.Decimal` amount with an ISO 4217 currency, held at
the currency's minor unit (two places for CNY and USD, none for JPY, three for
KWD).  Floats are refused outright, because ``0.1`` is not a tenth; amounts
that would need rounding are refused too, unless the caller rounds on purpose
with :meth:`Money.rounded`.  Amounts in different currencies never mix.

Money's arithmetic takes two speed shortcuts, kept because they are measured:
adding or taking away zero gives the other amount back (8.9 % of a
lifecycle's instructions on the memory store) and each currency has one
shared zero (6.2 %) (``docs/performance.md``, "Speed shortcuts in the domain").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation
from types import MappingProxyType
from typing import Final, cast

import attrs

from crm_returns.errors import CurrencyMismatch, InvalidMoney, InvalidQuantity, quoted

__all__ = [
    "MAX_UNIT_PLACES",
    "MINOR_UNITS",
    "QUANTITY_LIMIT",
    "Money",
    "exact_number",
    "exact_quantity",
    "minor_unit",
    "plain_decimal",
    "quantity",
    "within_places",
]

#: Decimal places of the minor unit, by ISO 4217 code.
MINOR_UNITS: Final[Mapping[str, int]] = MappingProxyType({
    "AED": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
    "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2,
    "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0,
    "KWD": 3, "MOP": 2, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3,
    "PHP": 2, "PLN": 2, "RUB": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2,
    "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
})  # fmt: skip


#: One minor unit of each currency (``Decimal("0.01")`` for CNY), for quantizing.
_QUANTA: Final[dict[str, Decimal]] = {
    code: Decimal(1).scaleb(-places) for code, places in MINOR_UNITS.items()
}


_ZERO = Decimal(0)


def minor_unit(currency: str) -> int:
    """Return the number of decimal places of ``currency``'s minor unit.

    Raises:
        InvalidMoney: The currency is not a known ISO 4217 code.
    """
    try:
        return MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise InvalidMoney(f"unknown currency {currency!r}") from None


#: Most decimal places a unit of measure may have: pieces have none, kilograms
#: to the gram three, metres to the micrometre six.
MAX_UNIT_PLACES: Final = 6

#: Every quantity is below this: at most twelve digits before the point.
QUANTITY_LIMIT: Final = Decimal(10) ** 12

#: The one way to write a number as text: ASCII digits, then optionally a point
#: and more ASCII digits.  ``[0-9]`` (not ``\d``) keeps other scripts' digits out.
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")

#: ``10 ** -places`` for each number of places a unit may have.
_STEPS: Final = tuple(Decimal(1).scaleb(-places) for places in range(MAX_UNIT_PLACES + 1))


def plain_decimal(text: str) -> Decimal | None:
    """``text`` as a Decimal if it is written as a plain decimal, else ``None``.

    A plain decimal is ASCII digits, optionally followed by a point and more
    ASCII digits: ``"12"``, ``"12.5"``, ``"0.125"``.  No sign, exponent, spaces,
    underscores, thousands separators, other scripts' digits, NaN or infinity.
    """
    return Decimal(text) if _PLAIN.fullmatch(text) else None


def _exact(value: object, what: str, error: type[InvalidMoney] | type[InvalidQuantity]) -> Decimal:
    """Turn ``value`` into a finite Decimal, refusing floats and junk.

    Text must be a :func:`plain_decimal`; a Decimal or an int is taken as it is.
    """
    # Decimals come first: they are what arithmetic makes, and no value is both a
    # Decimal and a bool or float (their layouts cannot be combined), so the order
    # of the tests changes nothing but their cost.
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool | float):
        raise error(f"{what} must be an exact decimal, not {type(value).__name__} {value!r}")
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        read = plain_decimal(value)
        if read is None:
            raise error(
                f"{what} {quoted(value)} is not a plain decimal: write ASCII digits with "
                "at most one point, such as 12 or 12.5 (no sign, exponent, spaces or separators)"
            )
        number = read
    else:
        raise error(f"{what} must be a Decimal, int or str, not {type(value).__name__}")
    if not number.is_finite():
        raise error(f"{what} must be finite, not {number}")
    try:
        return number + _ZERO  # normalises -0, and fails here on an absurd exponent
    except DecimalException:
        raise error(f"{what} {number:.3e} is too large to hold exactly") from None


def exact_number(value: object, what: str = "number") -> Decimal:
    """Return ``value`` as a finite Decimal: a Decimal, an int or a plain decimal text.

    For numbers that are not quantities or amounts, such as rates and fractions.

    Raises:
        InvalidQuantity: The value is a float, not finite, or not a number.
    """
    return _exact(value, what, InvalidQuantity)


def exact_quantity(value: object, what: str = "quantity") -> Decimal:
    """Return ``value`` as a quantity, its sign unchecked (a validator names the field).

    A quantity is below :data:`QUANTITY_LIMIT` in size and no finer than
    :data:`MAX_UNIT_PLACES` decimal places.  It comes back with at most that
    many places and no exponent: ``Decimal("2.50000000")`` is ``2.500000`` and
    ``Decimal("1E+2")`` is ``100``, so that every store keeps it as it is.

    Raises:
        InvalidQuantity: The value is a float, not finite, not a number, too
            large, or finer than a millionth.
    """
    number = _exact(value, what, InvalidQuantity)
    if abs(number) >= QUANTITY_LIMIT:
        raise InvalidQuantity(
            f"{what} {number:.3e} is too large; a quantity is below {QUANTITY_LIMIT:,}"
        )
    exponent = cast(int, number.as_tuple().exponent)  # an int: the number is finite
    if exponent > 0:
        return number.quantize(_STEPS[0])
    if exponent < -MAX_UNIT_PLACES:
        step = _STEPS[MAX_UNIT_PLACES]
        if number.quantize(step) != number:
            raise InvalidQuantity(
                f"{what} {quoted(str(number))} is finer than any unit: "
                f"a quantity has at most {MAX_UNIT_PLACES} decimal places"
            )
        return number.quantize(step)
    return number


def quantity(value: object, what: str = "quantity") -> Decimal:
    """Return ``value`` as a non-negative quantity (see :func:`exact_quantity`).

    Args:
        value: A Decimal, int or plain decimal text (see :func:`plain_decimal`);
            floats are refused.
        what: How to name the value in an error message.

    Raises:
        InvalidQuantity: The value is a float, not finite, not a number,
            negative, too large, or finer than a millionth.
    """
    number = exact_quantity(value, what)  # -0 already made 0 there
    if number < 0:
        raise InvalidQuantity(f"{what} must not be negative, got {number}")
    return number


def within_places(units: Decimal, places: int, what: str) -> Decimal:
    """``units`` if it counts whole steps of a unit with ``places`` decimal places.

    Args:
        units: A quantity (see :func:`quantity`).
        places: The unit's decimal places, from 0 (whole pieces) to
            :data:`MAX_UNIT_PLACES`.
        what: How to name the quantity in an error message.

    Raises:
        InvalidQuantity: ``units`` is finer than the unit allows.
    """
    if units.quantize(_STEPS[places]) != units:
        finest = "whole units" if places == 0 else f"at most {places} decimal places"
        raise InvalidQuantity(f"{what} {units} is finer than its unit allows ({finest})")
    return units


def _to_amount(value: object) -> Decimal:
    return _exact(value, "amount", InvalidMoney)


def _quantize(value: Decimal, currency: str, rounding: str | None = None) -> Decimal:
    """``value`` at ``currency``'s minor unit, or a typed error if it is too large to hold.

    -0 comes out as 0 (``+ 0`` drops the sign of a zero; any other value at the
    minor unit has at most the context's digits, so adding zero leaves it as it is).
    """
    try:
        quantum = _QUANTA[currency]
    except (KeyError, TypeError):
        raise InvalidMoney(f"unknown currency {currency!r}") from None
    try:
        return value.quantize(quantum, rounding) + _ZERO
    except InvalidOperation:
        raise InvalidMoney(f"{value} {currency} is too large to hold exactly") from None


def _at_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """``amount`` held at ``currency``'s minor unit (10 and 10.00 are the same value).

    Raises:
        InvalidMoney: Unknown currency, an amount finer than its minor unit, or
            one too large to hold at it (such as a sum rounded by the context).
    """
    at_minor_unit = _quantize(amount, currency)
    if at_minor_unit != amount:
        raise InvalidMoney(
            f"{amount} {currency} has more decimal places than the currency's "
            f"{minor_unit(currency)}; round it explicitly with Money.rounded"
        )
    return at_minor_unit


@attrs.frozen(order=False)
class Money:
    """An exact amount of one currency.

    Attributes:
        amount: The amount, with exactly the currency's minor-unit places.
        currency: The ISO 4217 code, such as ``"CNY"``.

    Raises:
        InvalidMoney: On a float, NaN, infinity, unknown currency, or an amount
            finer than the currency's minor unit.
    """

    amount: Decimal = attrs.field(converter=_to_amount)
    currency: str = attrs.field()

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "amount", _at_minor_unit(self.amount, self.currency))

    @classmethod
    def _of(cls, amount: Decimal, currency: str) -> Money:
        """Money from a finite Decimal, checked as ``Money(amount, currency)`` checks it.

        Arithmetic on Money makes finite Decimals: the conversion of the
        public constructor is skipped, not the check of currency and scale.
        """
        return cls._held(_at_minor_unit(amount, currency), currency)

    @classmethod
    def _held(cls, amount: Decimal, currency: str) -> Money:
        """Money from an amount already held at ``currency``'s minor unit, unchecked."""
        money = object.__new__(cls)
        # Money is frozen: fill its slots directly, as its attrs __init__ does.
        _set_amount(money, amount)
        _set_currency(money, currency)
        return money

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero in ``currency``."""
        try:
            return _ZEROS[currency]  # Money is immutable: one zero per currency will do.
        except (KeyError, TypeError):
            return cls._of(_ZERO, currency)  # An unknown currency: refused there.

    @classmethod
    def rounded(cls, amount: Decimal, currency: str) -> Money:
        """Round ``amount`` half-up to the currency's minor unit, on purpose.

        Raises:
            InvalidMoney: On a float, NaN, infinity or unknown currency.
        """
        return cls._of(_quantize(_to_amount(amount), currency, ROUND_HALF_UP), currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """Sum ``amounts``, all of which must be in ``currency``.

        Raises:
            CurrencyMismatch: One of the amounts is in another currency.
        """
        result = cls.zero(currency)
        for amount in amounts:
            result = result + amount
        return result

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if self.currency != other.currency:
            raise CurrencyMismatch(self.currency, other.currency)
        # Adding zero gives the other amount exactly (both are held at the same
        # minor unit, and never as -0): no need to add and check again.
        if not other.amount:
            return self
        if not self.amount:
            return other
        return Money._of(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if self.currency != other.currency:
            raise CurrencyMismatch(self.currency, other.currency)
        if not other.amount:
            return self  # Taking zero away changes nothing (see __add__).
        return Money._of(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money._of(-self.amount, self.currency)

    def times(self, factor: Decimal) -> Money:
        """Multiply by an exact factor and round half-up to the minor unit."""
        return Money.rounded(self.amount * _to_amount(factor), self.currency)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount >= other.amount

    @property
    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"


# Setters of Money's attribute slots, for :meth:`Money._held`.
_set_amount: Final = Money.__dict__["amount"].__set__
_set_currency: Final = Money.__dict__["currency"].__set__

#: Zero in each known currency, for :meth:`Money.zero`.
_ZEROS: Final[dict[str, Money]] = {code: Money._of(_ZERO, code) for code in MINOR_UNITS}
