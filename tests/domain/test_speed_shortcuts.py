"""The speed shortcuts that stay in the domain, each pinned against the plain path.

A shortcut in ``domain/`` stays only with a measured gain of at least 5 % on a
figure of ``benchmarks/`` (``python -m benchmarks.instructions``); the others
were replaced by the plain code, each commit naming its figure (see
``docs/performance.md``, "Speed shortcuts in the domain").  Every test here
compares a shortcut with the general path: same value, down to the exponent
and the sign, or the same typed error with the same message.

- ``evolved()`` (``domain/_evolve.py``): positional copies of large records
  instead of ``attrs.evolve``; 8.9 % of the memory lifecycle.
- Money's fast paths (``domain/money.py``): adding or taking away zero
  (8.9 % of the memory lifecycle) and shared zeros per currency (6.2 %).

The tests of ``rounded`` and of refund slices pin what the code must give
(the constructor's amount, the full formula's slice); the shortcuts they once
guarded were removed below the 5 % rule (docs/performance.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crm_returns.domain._evolve import evolved
from crm_returns.domain.events import GoodsReceived
from crm_returns.domain.money import MINOR_UNITS, Money, exact_quantity, quantity
from crm_returns.domain.orders import LinePricing, LineRef
from crm_returns.domain.reasons import Fault
from crm_returns.domain.refunds.slices import RefundSlice, slice_for
from crm_returns.domain.returns.lines import Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import CrmReturnsError, CurrencyMismatch, InvalidMoney, InvalidQuantity

# --- ``evolved`` copies a record with changes exactly as ``attrs.evolve`` does.

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
REF = LineRef("SO-1", "1")
PRICE = Money("129.00", "CNY")

LINE = ReturnLine(
    ref=REF,
    sku="SKU-1",
    product_name="无线鼠标",
    product_category="accessories",
    reason_code="quality_defect",
    reason_category="quality",
    inspection_required=True,
    unit_price=PRICE,
    refund=PRICE,
    requested=Decimal(1),
    pricing=LinePricing(REF, Decimal(2), PRICE.times(Decimal(2)), Money(0, "CNY"), PRICE),
    fault=Fault.SELLER,
)

ORDER = ReturnOrder(
    id="r-1",
    tenant_id="acme",
    number="RT-1",
    customer_id="C-1",
    customer_name="张伟",
    currency="CNY",
    status=ReturnStatus.DRAFT,
    lines=(LINE,),
    requested_by="u-clerk",
    created_at=AT,
    updated_at=AT,
)

#: Values of every sort: a record without validators takes any of them.
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3).map(Decimal),
    st.text(max_size=5),
    st.sampled_from([REF, PRICE, AT, Fault.CUSTOMER, ReturnStatus.APPROVED, ()]),
)


def changes_of(record: Any) -> st.SearchStrategy[dict[str, Any]]:
    names = [field.name for field in attrs.fields(type(record))]
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=6)


def copy_outcome(copy: Callable[[], object]) -> object:
    """The copy with every field, or the error and its message."""
    try:
        made = copy()
    except (CrmReturnsError, TypeError, ValueError) as error:
        return (type(error), str(error))
    return (type(made), attrs.astuple(made, recurse=False))  # type: ignore[arg-type]


@given(changes_of(LINE))
def test_a_line_is_copied_with_its_changes_as_attrs_evolve_copies_it(
    changes: dict[str, Any],
) -> None:
    assert copy_outcome(lambda: evolved(LINE, **changes)) == copy_outcome(
        lambda: attrs.evolve(LINE, **changes)
    )


@given(changes_of(ORDER))
def test_an_order_is_copied_with_its_changes_as_attrs_evolve_copies_it(
    changes: dict[str, Any],
) -> None:
    assert copy_outcome(lambda: evolved(ORDER, **changes)) == copy_outcome(
        lambda: attrs.evolve(ORDER, **changes)
    )


@given(changes_of(Receipt(received=Decimal(1))))
def test_a_checked_record_refuses_a_bad_change_as_attrs_evolve_refuses_it(
    changes: dict[str, Any],
) -> None:
    receipt = Receipt(received=Decimal(1))
    assert copy_outcome(lambda: evolved(receipt, **changes)) == copy_outcome(
        lambda: attrs.evolve(receipt, **changes)
    )


def test_a_change_that_names_no_field_is_refused_as_attrs_evolve_refuses_it() -> None:
    expected = copy_outcome(lambda: attrs.evolve(LINE, colour="red"))  # type: ignore[call-arg]
    assert expected[0] is TypeError  # type: ignore[index]
    assert copy_outcome(lambda: evolved(LINE, colour="red")) == expected


@attrs.frozen
class _Private:
    _secret: str
    shown: int = 0


@attrs.frozen
class _Derived:
    base: int
    double: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "double", self.base * 2)


@attrs.frozen
class _Single:
    only: int


EVENT = GoodsReceived(
    tenant_id="acme",
    return_id="r-1",
    number="RT-1",
    customer_id="c-1",
    actor_id="u-1",
    actor_name="刘强",
    at=AT,
    from_status=ReturnStatus.APPROVED,
    to_status=ReturnStatus.RECEIVED,
    receipts=(),
)


@pytest.mark.parametrize(
    ("record", "changes"),
    [
        (EVENT, {"comment": "到货"}),  # keyword-only fields
        (EVENT, {"at": "yesterday"}),
        (_Private("x", 1), {"secret": "y"}),  # a private field, changed by its alias
        (_Private("x", 1), {"_secret": "y"}),  # ... and not by its name
        (_Derived(2), {"base": 5}),  # a field outside __init__
        (_Single(1), {"only": 2}),  # one field: read alone, not as a tuple
    ],
    ids=[
        "keyword-only",
        "keyword-only refused",
        "private",
        "private by name",
        "not in init",
        "single field",
    ],
)
def test_records_that_cannot_be_copied_by_position_are_left_to_attrs_evolve(
    record: object, changes: dict[str, Any]
) -> None:
    assert copy_outcome(lambda: evolved(record, **changes)) == copy_outcome(
        lambda: attrs.evolve(record, **changes)  # type: ignore[misc]
    )


# --- Money's shortcuts give exactly what the long way gives: same amount, same error.

CURRENCIES = sorted(MINOR_UNITS)

#: The most minor units the default decimal context (28 digits) holds.
LIMIT = 10**28 - 1

Outcome = tuple[object, ...]


def money_outcome(compute: Callable[[], Money]) -> Outcome:
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
    assert money_outcome(lambda: a + b) == money_outcome(lambda: added_the_long_way(a, b))
    assert money_outcome(lambda: b + a) == money_outcome(lambda: added_the_long_way(b, a))


@given(same_currency(2))
def test_a_difference_is_what_the_constructor_makes_of_the_exact_difference(
    pair: tuple[Money, Money],
) -> None:
    a, b = pair
    assert money_outcome(lambda: a - b) == money_outcome(lambda: taken_the_long_way(a, b))
    assert money_outcome(lambda: b - a) == money_outcome(lambda: taken_the_long_way(b, a))


@given(same_currency(1))
def test_a_negation_is_what_the_constructor_makes_of_the_negated_amount(
    single: tuple[Money],
) -> None:
    (a,) = single
    assert money_outcome(lambda: -a) == money_outcome(lambda: Money(-a.amount, a.currency))


@given(same_currency(5))
def test_a_total_adds_up_the_long_way_and_fails_where_it_fails(amounts: tuple[Money, ...]) -> None:
    currency = amounts[0].currency

    def the_long_way() -> Money:
        return functools.reduce(added_the_long_way, amounts, Money(0, currency))

    assert money_outcome(lambda: Money.total(amounts, currency)) == money_outcome(the_long_way)


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
    assert money_outcome(lambda: Money.zero(currency)) == money_outcome(lambda: Money(0, currency))
    assert Money.zero(currency).is_zero
    assert not Money.zero(currency).amount.is_signed()


@pytest.mark.parametrize("currency", ["XXX", "cny", "", None, 156, ["CNY"]], ids=repr)
def test_zero_of_an_unknown_currency_is_refused_as_the_constructor_refuses_it(
    currency: object,
) -> None:
    expected = money_outcome(lambda: Money(0, currency))  # type: ignore[arg-type]
    assert expected[0] is InvalidMoney
    assert money_outcome(lambda: Money.zero(currency)) == expected  # type: ignore[arg-type]


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
    assert money_outcome(lambda: Money.rounded(amount, currency)) == money_outcome(
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


# --- Refund slices take shortcuts for nothing (no units, a free line, no shipping) safely.

REF = LineRef("SO-1", "1")

Slicer = Callable[[LinePricing, Decimal, Decimal], RefundSlice]


def _share_the_long_way(whole: Money, units: Decimal, of: Decimal) -> Money:
    if units == of:
        return whole
    return Money.rounded(whole.amount * units / of, whole.currency)


def slice_the_long_way(pricing: LinePricing, before: Decimal, units: Decimal) -> RefundSlice:
    """The slice as the formula gives it, with no shortcut for zero."""
    whole = pricing.quantity
    if before < 0 or units < 0 or before + units > whole:
        raise InvalidQuantity(
            f"line {pricing.ref}: units {before}..{before + units} are outside "
            f"the {whole} delivered"
        )

    def carve(amount: Money) -> Money:
        return _share_the_long_way(amount, before + units, whole) - _share_the_long_way(
            amount, before, whole
        )

    def tax_at(units_so_far: Decimal) -> Money:
        if units_so_far == whole or pricing.total.is_zero:
            return pricing.tax if units_so_far == whole else Money.zero(pricing.tax.currency)
        paid = _share_the_long_way(pricing.total, units_so_far, whole)
        ratio = pricing.tax.amount / pricing.total.amount
        return Money.rounded(paid.amount * ratio, pricing.tax.currency)

    tax = tax_at(before + units) - tax_at(before)
    return RefundSlice(units, carve(pricing.total), tax, carve(pricing.shipping))


def exactly(piece: RefundSlice) -> tuple[object, ...]:
    """Every amount of a slice down to its exponent and sign."""
    amounts = (piece.total, piece.tax, piece.shipping)
    return (piece.units, *((m.amount.as_tuple(), m.currency) for m in amounts))


@st.composite
def pricings(draw: st.DrawFn) -> LinePricing:
    """Line prices with zero totals, zero tax and zero shipping drawn often."""
    currency = draw(st.sampled_from(sorted(MINOR_UNITS)))
    places = MINOR_UNITS[currency]

    def amount(at_most: Decimal) -> Money:
        value = draw(st.just(Decimal(0)) | st.decimals(0, at_most, places=places))
        return Money(value, currency)

    total = amount(Decimal(1_000_000))
    return LinePricing(
        ref=REF,
        quantity=draw(st.decimals(0, 50, places=draw(st.integers(0, 2)))),
        total=total,
        tax=amount(total.amount),
        shipping=amount(Decimal(500)),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[LinePricing, Decimal, Decimal]:
    pricing = draw(pricings())
    whole = pricing.quantity
    before = draw(st.just(Decimal(0)) | st.just(whole) | st.decimals(0, whole, places=2))
    rest = whole - before
    units = draw(st.just(Decimal(0)) | st.just(rest) | st.decimals(0, rest, places=2))
    return pricing, before, units


@given(cases())
@example(
    (
        LinePricing(REF, Decimal(0), Money(0, "CNY"), Money(0, "CNY"), Money(0, "CNY")),
        Decimal(0),
        Decimal(0),
    )
)
def test_every_slice_is_what_the_full_formula_gives(
    case: tuple[LinePricing, Decimal, Decimal],
) -> None:
    pricing, before, units = case
    assert exactly(slice_for(pricing, before, units)) == exactly(
        slice_the_long_way(pricing, before, units)
    )


def slice_outcome(slicer: Slicer, pricing: LinePricing, before: Decimal, units: Decimal) -> object:
    try:
        return exactly(slicer(pricing, before, units))
    except InvalidQuantity as error:
        return (InvalidQuantity, str(error))


@given(pricings(), st.decimals(-5, 60, places=1), st.decimals(-5, 60, places=1))
def test_units_outside_the_line_are_refused_as_before(
    pricing: LinePricing, before: Decimal, units: Decimal
) -> None:
    assert slice_outcome(slice_for, pricing, before, units) == slice_outcome(
        slice_the_long_way, pricing, before, units
    )


def test_the_first_slice_of_a_line_without_shipping_carries_no_shipping_and_its_own_tax() -> None:
    # 3 units for 300.00 with 30.00 tax, no shipping: the first unit is 100.00 with 10.00 tax.
    pricing = LinePricing(
        REF, Decimal(3), Money("300.00", "CNY"), Money("30.00", "CNY"), Money(0, "CNY")
    )
    first = slice_for(pricing, Decimal(0), Decimal(1))
    assert (first.total, first.tax, first.shipping) == (
        Money("100.00", "CNY"),
        Money("10.00", "CNY"),
        Money(0, "CNY"),
    )
    assert slice_for(pricing, Decimal(1), Decimal(0)).total.is_zero
