"""Refund slices take shortcuts for nothing (no units, a free line, no shipping) safely.

A share of zero units, or any share of a zero amount, is zero without the
arithmetic; a slice's tax is zero when its money is.  The slices must be
exactly what the full formula gives, which is kept here as it reads in the
module's docstring: R(x) = whole × x / delivered, rounded half-up, R(delivered)
exact; tax follows the rounded total at the line's tax-to-total ratio.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from crm_returns.domain.money import MINOR_UNITS, Money
from crm_returns.domain.orders import LinePricing, LineRef
from crm_returns.domain.refunds.slices import RefundSlice, slice_for
from crm_returns.errors import InvalidQuantity

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


def outcome(slicer: Slicer, pricing: LinePricing, before: Decimal, units: Decimal) -> object:
    try:
        return exactly(slicer(pricing, before, units))
    except InvalidQuantity as error:
        return (InvalidQuantity, str(error))


@given(pricings(), st.decimals(-5, 60, places=1), st.decimals(-5, 60, places=1))
def test_units_outside_the_line_are_refused_as_before(
    pricing: LinePricing, before: Decimal, units: Decimal
) -> None:
    assert outcome(slice_for, pricing, before, units) == outcome(
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
