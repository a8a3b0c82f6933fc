"""Money is an exact Decimal amount held at its currency's minor unit; floats never get in."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.money import MINOR_UNITS, Money, quantity
from crm_returns.errors import CurrencyMismatch, InvalidMoney, InvalidQuantity

CURRENCIES = sorted(MINOR_UNITS)


@st.composite
def amounts(draw: st.DrawFn, currency: str) -> Money:
    """Any amount of ``currency`` that fits a till, positive or negative."""
    minor = draw(st.integers(min_value=-(10**12), max_value=10**12))
    return Money(Decimal(minor).scaleb(-MINOR_UNITS[currency]), currency)


@st.composite
def same_currency(draw: st.DrawFn, how_many: int) -> tuple[Money, ...]:
    currency = draw(st.sampled_from(CURRENCIES))
    return tuple(draw(amounts(currency)) for _ in range(how_many))


# -- construction and quantisation -------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "given_amount", "stored"),
    [
        ("CNY", "12.5", "12.50"),
        ("CNY", 7, "7.00"),
        ("JPY", "1500", "1500"),
        ("JPY", Decimal("1500.0"), "1500"),
        ("KWD", "1.5", "1.500"),
        ("KWD", 2, "2.000"),
    ],
)
def test_amounts_are_held_at_the_currencys_minor_unit(
    currency: str, given_amount: Decimal | int | str, stored: str
) -> None:
    money = Money(given_amount, currency)
    assert money.amount == Decimal(stored)
    # Same value *and* same exponent: CNY keeps 2 places, JPY none, KWD 3.
    assert money.amount.as_tuple().exponent == -MINOR_UNITS[currency]
    assert str(money.amount) == stored


def test_ten_and_ten_point_zero_zero_are_the_same_money() -> None:
    ten = Money(10, "CNY")
    also_ten = Money(Decimal("10.00"), "CNY")
    assert ten == also_ten
    assert hash(ten) == hash(also_ten)
    assert str(ten.amount) == str(also_ten.amount) == "10.00"


def test_the_same_number_in_two_currencies_is_not_the_same_money() -> None:
    assert Money(10, "CNY") != Money(10, "USD")


def test_negative_zero_is_stored_as_zero() -> None:
    zero = Money(Decimal("-0.00"), "CNY")
    assert zero == Money.zero("CNY")
    assert zero.amount.is_signed() is False
    assert zero.is_zero


@pytest.mark.parametrize(
    "bad",
    [
        0.1,
        10.0,
        float("nan"),
        float("inf"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        "NaN",
        "Infinity",
        True,
        False,
        "",
        "ten",
        "1,000.00",
        "12.3.4",
        "0x10",
        None,
        [10],
        object(),
    ],
    # Not repr(object()): its address differs between xdist workers, which must agree on ids.
    ids=lambda bad: "object()" if type(bad) is object else repr(bad),
)
def test_anything_but_an_exact_finite_decimal_is_refused(bad: object) -> None:
    with pytest.raises(InvalidMoney):
        Money(bad, "CNY")


@pytest.mark.parametrize("currency", ["XXX", "cny", "RMB", "", None, 156])
def test_unknown_currencies_are_refused(currency: object) -> None:
    with pytest.raises(InvalidMoney, match="unknown currency"):
        Money(1, currency)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given_amount", "currency"),
    [("0.001", "CNY"), ("10.005", "CNY"), ("1.5", "JPY"), ("0.0001", "KWD")],
)
def test_amounts_finer_than_the_minor_unit_are_refused_not_rounded(
    given_amount: str, currency: str
) -> None:
    with pytest.raises(InvalidMoney, match=r"Money\.rounded"):
        Money(given_amount, currency)


@pytest.mark.parametrize(
    ("exact", "currency", "rounded"),
    [
        ("0.005", "CNY", "0.01"),  # half a fen goes up
        ("0.0049", "CNY", "0.00"),  # less than half goes down
        ("10.125", "CNY", "10.13"),  # half-up, not banker's (which would give 10.12)
        ("-0.005", "CNY", "-0.01"),  # half-up rounds away from zero
        ("2.5", "JPY", "3"),  # banker's rounding would give 2
        ("0.4", "JPY", "0"),
        ("1.0005", "KWD", "1.001"),
        ("1.0004", "KWD", "1.000"),
    ],
)
def test_rounded_rounds_half_up_to_the_minor_unit(exact: str, currency: str, rounded: str) -> None:
    assert Money.rounded(Decimal(exact), currency) == Money(Decimal(rounded), currency)


@pytest.mark.parametrize("bad", [0.005, Decimal("NaN"), Decimal("Infinity")], ids=repr)
def test_rounded_still_refuses_floats_and_non_finite_amounts(bad: object) -> None:
    with pytest.raises(InvalidMoney):
        Money.rounded(bad, "CNY")  # type: ignore[arg-type]


def test_rounded_refuses_an_unknown_currency() -> None:
    with pytest.raises(InvalidMoney, match="unknown currency"):
        Money.rounded(Decimal("1.00"), "XXX")


def test_an_amount_too_large_for_exact_arithmetic_is_refused_as_invalid_money() -> None:
    # 10**30 yuan at 2 places needs 33 significant digits; the default decimal
    # context holds 28, so the amount cannot be held exactly.  Bad input must
    # raise the library's typed error, not decimal.InvalidOperation.
    with pytest.raises(InvalidMoney):
        Money(Decimal("1E+30"), "CNY")


# -- arithmetic --------------------------------------------------------------------


def test_adding_and_subtracting_worked_example() -> None:
    # 19.99 + 0.01 = 20.00; 20.00 - 25.50 = -5.50
    total = Money("19.99", "CNY") + Money("0.01", "CNY")
    assert total == Money("20.00", "CNY")
    assert total - Money("25.50", "CNY") == Money(Decimal("-5.50"), "CNY")
    assert -Money("5.50", "CNY") == Money(Decimal("-5.50"), "CNY")


@pytest.mark.parametrize(
    "combine",
    [operator.add, operator.sub, operator.lt, operator.le, operator.gt, operator.ge],
    ids=["+", "-", "<", "<=", ">", ">="],
)
def test_amounts_in_different_currencies_never_mix(
    combine: Callable[[Money, Money], object],
) -> None:
    with pytest.raises(CurrencyMismatch) as raised:
        combine(Money(1, "CNY"), Money(1, "USD"))
    assert (raised.value.left, raised.value.right) == ("CNY", "USD")
    assert "CNY" in str(raised.value)
    assert "USD" in str(raised.value)


@pytest.mark.parametrize(
    "combine",
    [operator.add, operator.sub, operator.lt, operator.le, operator.gt, operator.ge],
    ids=["+", "-", "<", "<=", ">", ">="],
)
def test_money_does_not_combine_with_a_bare_number(
    combine: Callable[[object, object], object],
) -> None:
    # A bare number has no currency; Python's protocol answer is TypeError.
    with pytest.raises(TypeError):
        combine(Money(1, "CNY"), Decimal(1))


def test_comparisons_within_a_currency_order_by_amount() -> None:
    small, large = Money("9.99", "CNY"), Money("10.00", "CNY")
    assert small < large
    assert small <= large
    assert large > small
    assert large >= small
    assert small <= Money("9.99", "CNY")
    assert small >= Money("9.99", "CNY")
    assert not large < small


def test_total_sums_amounts_of_one_currency() -> None:
    # 0.10 + 0.20 + 0.30 = 0.60 exactly (with floats it would not be)
    amounts_ = [Money("0.10", "CNY"), Money("0.20", "CNY"), Money("0.30", "CNY")]
    assert Money.total(amounts_, "CNY") == Money("0.60", "CNY")


def test_total_of_nothing_is_zero_in_the_currency_asked_for() -> None:
    assert Money.total([], "JPY") == Money.zero("JPY")
    assert Money.total([], "JPY").currency == "JPY"


def test_total_refuses_an_amount_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.total([Money(1, "CNY"), Money(1, "USD")], "CNY")
    with pytest.raises(CurrencyMismatch):
        Money.total([Money(1, "USD")], "CNY")


@pytest.mark.parametrize(
    ("amount", "currency", "factor", "product"),
    [
        ("100.00", "CNY", "0.15", "15.00"),  # 100.00 x 0.15 = 15.0000
        ("0.05", "CNY", "0.5", "0.03"),  # 0.025 rounds half-up to 0.03
        ("10.00", "CNY", "0.333", "3.33"),  # 3.33000 exactly
        ("999", "JPY", "0.5", "500"),  # 499.5 rounds half-up to 500
        ("1.000", "KWD", "0.0005", "0.001"),  # 0.0005 rounds half-up to 0.001
    ],
)
def test_times_multiplies_exactly_then_rounds_half_up(
    amount: str, currency: str, factor: str, product: str
) -> None:
    assert Money(amount, currency).times(Decimal(factor)) == Money(product, currency)


def test_times_refuses_a_float_factor() -> None:
    with pytest.raises(InvalidMoney):
        Money(1, "CNY").times(0.5)  # type: ignore[arg-type]


# -- properties --------------------------------------------------------------------


@given(same_currency(3))
def test_addition_is_associative_within_a_currency(abc: tuple[Money, ...]) -> None:
    a, b, c = abc
    assert (a + b) + c == a + (b + c)


@given(same_currency(2))
def test_addition_is_commutative_within_a_currency(ab: tuple[Money, ...]) -> None:
    a, b = ab
    assert a + b == b + a


@given(same_currency(2))
def test_adding_then_subtracting_gives_back_the_start(ab: tuple[Money, ...]) -> None:
    a, b = ab
    assert a + b - b == a


@given(
    st.sampled_from(CURRENCIES).flatmap(amounts),
    st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False),
)
def test_times_always_lands_on_the_minor_unit(money: Money, factor: Decimal) -> None:
    result = money.times(factor)
    places = MINOR_UNITS[money.currency]
    assert result.currency == money.currency
    assert result.amount.as_tuple().exponent == -places
    # Within half a minor unit of the exact product.
    assert abs(result.amount - money.amount * factor) <= Decimal(1).scaleb(-places) / 2


# -- quantities ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, Decimal(3)), ("2.5", Decimal("2.5")), (Decimal("0.125"), Decimal("0.125"))],
)
def test_quantity_accepts_exact_non_negative_numbers(
    value: Decimal | int | str, expected: Decimal
) -> None:
    assert quantity(value) == expected


@pytest.mark.parametrize("value", [-1, Decimal("-0.5"), Decimal("-0.001")])
def test_quantity_refuses_negatives(value: object) -> None:
    with pytest.raises(InvalidQuantity, match="negative"):
        quantity(value)


@pytest.mark.parametrize(
    "value", [1.0, 0.5, True, "NaN", Decimal("Infinity"), "lots", None], ids=repr
)
def test_quantity_refuses_floats_and_junk(value: object) -> None:
    with pytest.raises(InvalidQuantity):
        quantity(value)


def test_quantity_error_names_what_was_given() -> None:
    with pytest.raises(InvalidQuantity, match="units received"):
        quantity(-1, "units received")


@pytest.mark.parametrize("value", [Decimal("-0"), Decimal("-0.00")])
def test_quantity_normalises_negative_zero(value: Decimal | str) -> None:
    result = quantity(value)
    assert result == 0
    assert result.is_signed() is False
