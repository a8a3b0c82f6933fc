"""Exact money and quantities.

Money is a :class:`~decimal.Decimal` amount with an ISO 4217 currency, held at
the currency's minor unit (two places for CNY and USD, none for JPY, three for
KWD).  Floats are refused outright, because ``0.1`` is not a tenth; amounts
that would need rounding are refused too, unless the caller rounds on purpose
with :meth:`Money.rounded`.  Amounts in different currencies never mix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation
from types import MappingProxyType
from typing import Final

import attrs

from crm_returns.errors import CurrencyMismatch, InvalidMoney, InvalidQuantity

__all__ = ["MINOR_UNITS", "Money", "exact_quantity", "minor_unit", "quantity"]

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


def _exact(value: object, what: str, error: type[InvalidMoney] | type[InvalidQuantity]) -> Decimal:
    """Turn ``value`` into a finite Decimal, refusing floats and junk."""
    # Decimals come first: they are what arithmetic makes, and no value is both a
    # Decimal and a bool or float (their layouts cannot be combined), so the order
    # of the tests changes nothing but their cost.
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool | float):
        raise error(f"{what} must be an exact decimal, not {type(value).__name__} {value!r}")
    elif isinstance(value, int | str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise error(f"{what} {value!r} is not a number") from None
    else:
        raise error(f"{what} must be a Decimal, int or str, not {type(value).__name__}")
    if not number.is_finite():
        raise error(f"{what} must be finite, not {number}")
    try:
        return number + _ZERO  # normalises -0, and fails here on an absurd exponent
    except DecimalException:
        raise error(f"{what} {number:.3e} is too large to hold exactly") from None


def exact_quantity(value: object) -> Decimal:
    """Return ``value`` as a finite Decimal, refusing floats (sign is checked elsewhere).

    Raises:
        InvalidQuantity: The value is a float, not finite, or not a number.
    """
    return _exact(value, "quantity", InvalidQuantity)


def quantity(value: object, what: str = "quantity") -> Decimal:
    """Return ``value`` as a non-negative, finite Decimal quantity.

    Args:
        value: A Decimal, int or numeric string; floats are refused.
        what: How to name the value in an error message.

    Raises:
        InvalidQuantity: The value is a float, not finite, or negative.
    """
    number = _exact(value, what, InvalidQuantity)  # -0 already made 0 there
    if number < 0:
        raise InvalidQuantity(f"{what} must not be negative, got {number}")
    return number


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
        # A sum, difference or negation of amounts held at the minor unit keeps
        # its exponent unless the context had to round it, which changes the
        # exponent: a nonzero amount at the minor unit's exponent is what the
        # check would give back.  Zero goes the long way, which turns -0 into 0.
        quantum = _QUANTA.get(currency) if type(currency) is str else None
        if amount and quantum is not None and amount.same_quantum(quantum):
            return cls._held(amount, currency)
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
        # Quantizing leaves nothing finer than the minor unit, so the check of
        # ``_of`` (quantize again and compare) could never fail: skip it.
        return cls._held(_quantize(_to_amount(amount), currency, ROUND_HALF_UP), currency)

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
