"""Money's shortcuts give exactly what the long way gives: same amount, same error.

Adding or taking away zero returns an operand as it is, ``zero`` hands out one
shared zero per currency, and ``rounded`` builds its result without checking
the scale again.  Each is compared here with the general path through the
public constructor, which checks currency, scale and size from scratch:
equal results down to the exponent and the sign, or the same typed error
with the same message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crm_returns.domain.money import MINOR_UNITS, Money, exact_quantity, quantity
from crm_returns.errors import CurrencyMismatch, InvalidMoney, InvalidQuantity

CURRENCIES = sorted(MINOR_UNITS)

#: The most minor units the default decimal context (28 digits) holds.
LIMIT = 10**28 - 1

Outcome = tuple[object, ...]


def outcome(compute: Callable[[], Money]) -> Outcome:
    """What ``compute`` gives, exactly: the amount's digits, exponent and sign, or the error."""
    try:
        money = compute()
    except (InvalidMoney, CurrencyMismatch) as error:
        return (type(error), str(error))
    return (money.amount.as_tuple(), money.currency)


def minor_units() -> st.SearchStrategy[int]:
    """Counts of minor units: zero often, everyday amounts, and amounts at the very limit."""
    return st.one_of(
        st.just(0),
        st.integers(-(10**6), 10**6),
        st.integers(-LIMIT, LIMIT),
        st.sampled_from([LIMIT, -LIMIT, LIMIT - 1, 1, -1]),
    )


@st.composite
def same_currency(draw: st.DrawFn, how_many: int) -> tuple[Money, ...]:
    currency = draw(st.sampled_from(CURRENCIES))
    places = MINOR_UNITS[currency]
    return tuple(
        Money(
            Decimal((0 if units >= 0 else 1, tuple(map(int, str(abs(units)))), -places)), currency
        )
        for units in (draw(minor_units()) for _ in range(how_many))
    )


def added_the_long_way(a: Money, b: Money) -> Money:
    return Money(a.amount + b.amount, a.currency)


def taken_the_long_way(a: Money, b: Money) -> Money:
    return Money(a.amount - b.amount, a.currency)


@given(same_currency(2))
def test_a_sum_is_what_the_constructor_makes_of_the_exact_sum(pair: tuple[Money, Money]) -> None:
    a, b = pair
    assert outcome(lambda: a + b) == outcome(lambda: added_the_long_way(a, b))
    assert outcome(lambda: b + a) == outcome(lambda: added_the_long_way(b, a))


@given(same_currency(2))
def test_a_difference_is_what_the_constructor_makes_of_the_exact_difference(
    pair: tuple[Money, Money],
) -> None:
    a, b = pair
    assert outcome(lambda: a - b) == outcome(lambda: taken_the_long_way(a, b))
    assert outcome(lambda: b - a) == outcome(lambda: taken_the_long_way(b, a))


@given(same_currency(1))
def test_a_negation_is_what_the_constructor_makes_of_the_negated_amount(
    single: tuple[Money],
) -> None:
    (a,) = single
    assert outcome(lambda: -a) == outcome(lambda: Money(-a.amount, a.currency))


@given(same_currency(5))
def test_a_total_adds_up_the_long_way_and_fails_where_it_fails(amounts: tuple[Money, ...]) -> None:
    currency = amounts[0].currency

    def the_long_way() -> Money:
        return functools.reduce(added_the_long_way, amounts, Money(0, currency))

    assert outcome(lambda: Money.total(amounts, currency)) == outcome(the_long_way)


def test_a_sum_too_large_to_hold_is_refused_even_after_a_zero() -> None:
    # 10**26 - 0.01 is the largest CNY amount the context holds; one fen more is not.
    largest, fen, zero = (
        Money(Decimal(LIMIT).scaleb(-2), "CNY"),
        Money("0.01", "CNY"),
        Money(0, "CNY"),
    )
    with pytest.raises(InvalidMoney, match="too large to hold exactly"):
        (zero + largest) + fen
    with pytest.raises(InvalidMoney, match="too large to hold exactly"):
        Money.total([zero, largest, zero, fen, -fen], "CNY")


def test_adding_or_taking_away_zero_keeps_the_amount_and_refuses_another_currency() -> None:
    ten, zero = Money(10, "CNY"), Money.zero("CNY")
    assert (ten + zero, zero + ten, ten - zero) == (ten, ten, ten)
    assert str((zero - ten).amount) == "-10.00"
    with pytest.raises(CurrencyMismatch):
        ten + Money.zero("USD")
    with pytest.raises(CurrencyMismatch):
        Money.zero("USD") - ten


@pytest.mark.parametrize("currency", CURRENCIES)
def test_zero_is_the_constructors_zero(currency: str) -> None:
    assert outcome(lambda: Money.zero(currency)) == outcome(lambda: Money(0, currency))
    assert Money.zero(currency).is_zero
    assert not Money.zero(currency).amount.is_signed()


@pytest.mark.parametrize("currency", ["XXX", "cny", "", None, 156, ["CNY"]], ids=repr)
def test_zero_of_an_unknown_currency_is_refused_as_the_constructor_refuses_it(
    currency: object,
) -> None:
    expected = outcome(lambda: Money(0, currency))  # type: ignore[arg-type]
    assert expected[0] is InvalidMoney
    assert outcome(lambda: Money.zero(currency)) == expected  # type: ignore[arg-type]


@st.composite
def exact_decimals(draw: st.DrawFn) -> Decimal:
    """Finite decimals with up to 40 digits (more than the context's 28) and any sign."""
    digits = draw(st.lists(st.integers(0, 9), min_size=1, max_size=40))
    return Decimal((draw(st.integers(0, 1)), tuple(digits), draw(st.integers(-45, 5))))


def rounded_the_long_way(amount: Decimal, currency: str) -> Money:
    """Round as the constructor's conversion does (``+ 0`` first), then check from scratch."""
    quantum = Decimal(1).scaleb(-MINOR_UNITS[currency])
    try:
        at_minor_unit = (amount + 0).quantize(quantum, ROUND_HALF_UP)
    except InvalidOperation:
        raise InvalidMoney(f"{amount + 0} {currency} is too large to hold exactly") from None
    return Money(at_minor_unit, currency)


@given(exact_decimals(), st.sampled_from(CURRENCIES))
# More digits than the context holds: the conversion rounds them first (to 0.005).
@example(Decimal("0.004999999999999999999999999999999"), "CNY")
@example(Decimal("-2.499999999999999999999999999999"), "JPY")
def test_rounded_is_the_constructor_applied_to_the_rounded_amount(
    amount: Decimal, currency: str
) -> None:
    assert outcome(lambda: Money.rounded(amount, currency)) == outcome(
        lambda: rounded_the_long_way(amount, currency)
    )


def test_rounding_a_negative_fraction_to_zero_gives_zero_not_minus_zero() -> None:
    zero = Money.rounded(Decimal("-0.004"), "CNY")
    assert zero == Money.zero("CNY")
    assert not zero.amount.is_signed()


def exact_quantity_the_long_way(value: Decimal) -> Decimal:
    """A quantity's bounds checked from scratch on ``+ 0`` (which makes -0 0), then ``+ 0`` again.

    Below 10**12 in size and no finer than a millionth; written back with at
    most six places and no exponent.
    """
    number = value + 0
    if abs(number) >= 10**12:
        raise InvalidQuantity(
            f"quantity {number:.3e} is too large; a quantity is below 1,000,000,000,000"
        )
    micro = Decimal("0.000001")
    if number % micro:
        raise InvalidQuantity(
            f"quantity {str(number)!r} is finer than any unit: "
            "a quantity has at most 6 decimal places"
        )
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if not -6 <= exponent <= 0:
        number = number.quantize(Decimal(1) if exponent > 0 else micro)
    return number + 0


def quantity_the_long_way(value: Decimal) -> Decimal:
    """A quantity as :func:`exact_quantity_the_long_way`, and not negative."""
    number = exact_quantity_the_long_way(value)
    if number < 0:
        raise InvalidQuantity(f"quantity must not be negative, got {number}")
    return number


def quantity_outcome(compute: Callable[[], Decimal]) -> Outcome:
    try:
        number = compute()
    except InvalidQuantity as error:
        return (type(error), str(error))
    return (number.as_tuple(),)


@given(exact_decimals())
@example(Decimal("-0"))
@example(Decimal("-0.000"))
@example(Decimal("2.50000000"))
@example(Decimal("1E+2"))
@example(Decimal("1E-7"))
@example(Decimal("999999999999.999999"))
def test_a_quantity_is_converted_once_exactly_as_twice(value: Decimal) -> None:
    assert quantity_outcome(lambda: quantity(value)) == quantity_outcome(
        lambda: quantity_the_long_way(value)
    )
    assert quantity_outcome(lambda: exact_quantity(value)) == quantity_outcome(
        lambda: exact_quantity_the_long_way(value)
    )
