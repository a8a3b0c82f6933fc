"""What the customer paid for a line, and partial refunds that add up to it to the cent.

Every worked example gives its arithmetic in a comment; the numbers were
worked out by hand, not copied from the code.  R(x) is the amount for the
first x units of a line, rounded half-up; the slice for units [a, a + q) is
R(a + q) - R(a), and R(delivered) is exactly what was charged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.money import MINOR_UNITS, Money
from crm_returns.domain.orders import DeliveredLine, LinePricing, LineRef
from crm_returns.domain.refunds.paid import allocate, spread_order_discount
from crm_returns.domain.refunds.slices import RefundSlice, slice_for
from crm_returns.errors import CurrencyMismatch, InvalidMoney, InvalidQuantity

REF = LineRef("SO-1", "1")
ORDERED_AT = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)

MakeDelivered = Callable[..., DeliveredLine]


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def in_steps(pricing: LinePricing, parts: list[int]) -> list[RefundSlice]:
    """Slice ``parts`` units at a time, in order, as successive partial returns."""
    slices, before = [], Decimal(0)
    for part in parts:
        slices.append(slice_for(pricing, before, Decimal(part)))
        before += part
    return slices


# -- worked examples -------------------------------------------------------------------


def test_a_percentage_line_discount_with_tax_included(make_delivered: MakeDelivered) -> None:
    # 4 x 113.00 incl. 13% VAT = 452.00 gross; a 10% line discount is 45.20.
    line = make_delivered(quantity=4, unit_price="113.00", discount="45.20", tax_rate="0.13")
    pricing = line.pricing()
    # Paid 452.00 - 45.20 = 406.80; the tax inside it is 406.80 x 0.13 / 1.13 = 46.80,
    # so the net is 406.80 / 1.13 = 360.00.
    assert pricing.total == cny("406.80")
    assert pricing.tax == cny("46.80")
    assert pricing.net == cny("360.00")
    assert pricing.quantity == 4
    one, three = in_steps(pricing, [1, 3])
    # One unit: 406.80 / 4 = 101.70, tax 46.80 / 4 = 11.70; the other three take the rest.
    assert (one.total, one.tax, one.net) == (cny("101.70"), cny("11.70"), cny("90.00"))
    assert (three.total, three.tax) == (cny("305.10"), cny("35.10"))


def test_an_order_discount_is_spread_over_three_lines_to_the_cent(
    make_delivered: MakeDelivered,
) -> None:
    # Three lines of 1, 2 and 4 units at 10.00: amounts 10.00, 20.00, 40.00; 70.00 in all.
    lines = [
        make_delivered(LineRef("SO-1", str(i)), units, "10.00")
        for i, units in enumerate([1, 2, 4], start=1)
    ]
    # Exact shares of 30.00: 30 x 10/70 = 4.2857.., 30 x 20/70 = 8.5714.., 30 x 40/70 = 17.1428..
    # Rounded down: 4.28 + 8.57 + 17.14 = 29.99; the cent left over goes to the largest
    # remainder, 0.0057 (line 1) against 0.0014 and 0.0028.
    shares = allocate(cny("30.00"), [line.gross_amount for line in lines])
    assert shares == (cny("4.29"), cny("8.57"), cny("17.14"))
    assert Money.total(shares, "CNY") == cny("30.00")

    spread = spread_order_discount(lines, cny("30.00"))
    assert [line.order_discount for line in spread] == list(shares)
    # Paid: 10.00 - 4.29 = 5.71; 20.00 - 8.57 = 11.43; 40.00 - 17.14 = 22.86; 40.00 in all.
    paid = [line.pricing().total for line in spread]
    assert paid == [cny("5.71"), cny("11.43"), cny("22.86")]
    assert Money.total(paid, "CNY") == cny("40.00")  # 70.00 - 30.00
    # One of line 3's four units: 22.86 / 4 = 5.715, half-up 5.72.
    assert slice_for(spread[2].pricing(), Decimal(0), Decimal(1)).total == cny("5.72")


def test_a_return_in_three_steps_that_do_not_divide_evenly(make_delivered: MakeDelivered) -> None:
    # 7 x 15.00 - 5.00 = 100.00 paid, 13% VAT included: tax 100 x 0.13 / 1.13 = 11.504 -> 11.50.
    # The order's shipping share is 10.00.
    line = make_delivered(
        quantity=7,
        unit_price="15.00",
        discount="5.00",
        tax_rate="0.13",
        shipping="10.00",
    )
    pricing = line.pricing()
    assert (pricing.total, pricing.tax, pricing.shipping) == (
        cny("100.00"),
        cny("11.50"),
        cny("10.00"),
    )
    first, second, last = in_steps(pricing, [2, 2, 3])
    # Total: R(2) = 200/7 = 28.571 -> 28.57; R(4) = 400/7 = 57.142 -> 57.14; R(7) = 100.00.
    assert [first.total, second.total, last.total] == [cny("28.57"), cny("28.57"), cny("42.86")]
    # Tax: R(2) = 23.00/7 = 3.2857 -> 3.29; R(4) = 46.00/7 = 6.5714 -> 6.57; R(7) = 11.50.
    assert [first.tax, second.tax, last.tax] == [cny("3.29"), cny("3.28"), cny("4.93")]
    # Shipping: R(2) = 20/7 = 2.857 -> 2.86; R(4) = 40/7 = 5.714 -> 5.71; R(7) = 10.00.
    assert [first.shipping, second.shipping, last.shipping] == [
        cny("2.86"),
        cny("2.85"),
        cny("4.29"),
    ]
    # 28.57 + 28.57 + 42.86 = 100.00; 3.29 + 3.28 + 4.93 = 11.50; 2.86 + 2.85 + 4.29 = 10.00.
    assert Money.total([first.total, second.total, last.total], "CNY") == pricing.total
    assert Money.total([first.tax, second.tax, last.tax], "CNY") == pricing.tax


def test_prices_without_tax_have_the_tax_added_on_top(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=3, unit_price="9.99", tax_rate="0.06", prices_include_tax=False)
    pricing = line.pricing()
    # 3 x 9.99 = 29.97 before tax; tax 29.97 x 0.06 = 1.7982 -> 1.80; paid 29.97 + 1.80 = 31.77.
    assert (pricing.net, pricing.tax, pricing.total) == (cny("29.97"), cny("1.80"), cny("31.77"))
    # One unit: 31.77 / 3 = 10.59 with 1.80 / 3 = 0.60 tax, so its net is the unit price 9.99.
    one = slice_for(pricing, Decimal(0), Decimal(1))
    assert (one.total, one.tax, one.net) == (cny("10.59"), cny("0.60"), cny("9.99"))


def test_the_same_prices_with_tax_included_carry_less_tax(make_delivered: MakeDelivered) -> None:
    pricing = make_delivered(quantity=3, unit_price="9.99", tax_rate="0.06").pricing()
    # 29.97 paid, tax inside it 29.97 x 0.06 / 1.06 = 1.6964 -> 1.70.
    assert (pricing.total, pricing.tax, pricing.net) == (cny("29.97"), cny("1.70"), cny("28.27"))


def test_a_line_without_tax_refunds_no_tax(make_delivered: MakeDelivered) -> None:
    pricing = make_delivered(quantity=3, unit_price="10.00").pricing()
    assert (pricing.total, pricing.tax) == (cny("30.00"), cny("0.00"))
    assert slice_for(pricing, Decimal(1), Decimal(1)).tax.is_zero


def test_a_yen_order_is_priced_and_refunded_in_whole_yen(make_delivered: MakeDelivered) -> None:
    line = make_delivered(
        quantity=3, unit_price="1980", currency="JPY", discount="100", tax_rate="0.10"
    )
    pricing = line.pricing()
    # 3 x 1980 - 100 = 5840 yen paid; tax 5840 x 0.10 / 1.10 = 530.9 -> 531.
    assert (pricing.total, pricing.tax) == (Money(5840, "JPY"), Money(531, "JPY"))
    slices = in_steps(pricing, [1, 1, 1])
    # R(1) = 5840/3 = 1946.67 -> 1947; R(2) = 3893.33 -> 3893; R(3) = 5840.
    assert [s.total for s in slices] == [Money(1947, "JPY"), Money(1946, "JPY"), Money(1947, "JPY")]
    # Tax: 531 / 3 = 177 for each unit exactly.
    assert [s.tax for s in slices] == [Money(177, "JPY")] * 3
    for piece in slices:
        assert piece.total.amount == piece.total.amount.to_integral_value()


def test_a_slice_never_carries_more_tax_than_money(make_delivered: MakeDelivered) -> None:
    # A nearly free line: 9 x 0.01 - 0.01 = 0.08 paid, 9% VAT included:
    # tax 0.08 x 0.09 / 1.09 = 0.0066 -> 0.01.
    pricing = make_delivered(
        quantity=9, unit_price="0.01", discount="0.01", tax_rate="0.09"
    ).pricing()
    assert (pricing.total, pricing.tax) == (cny("0.08"), cny("0.01"))
    # The fifth unit: total R(5) - R(4) = 0.0444 -> 0.04 less 0.0356 -> 0.04 = 0.00, but
    # tax R(5) - R(4) = 0.0056 -> 0.01 less 0.0044 -> 0.00 = 0.01.  Carved apart, the slice
    # would refund 0.01 of tax inside 0.00 of money: a net of -0.01.
    for piece in in_steps(pricing, [1] * 9):
        assert Money.zero("CNY") <= piece.tax <= piece.total, piece


@pytest.mark.parametrize(("before", "units"), [("0", "4"), ("3", "2"), ("-1", "1"), ("0", "-1")])
def test_slices_cannot_run_outside_the_units_delivered(
    make_delivered: MakeDelivered, before: str, units: str
) -> None:
    pricing = make_delivered(quantity=3).pricing()
    with pytest.raises(InvalidQuantity, match="SO-1/1"):
        slice_for(pricing, Decimal(before), Decimal(units))


def test_discounts_together_may_not_exceed_the_gross_amount(
    make_delivered: MakeDelivered,
) -> None:
    # 2 x 10.00 = 20.00 gross; 15.00 off the line and a 5.01 share of the order's discount.
    with pytest.raises(InvalidMoney, match="exceed"):
        make_delivered(quantity=2, unit_price="10.00", discount="15.00", order_discount="5.01")


def test_an_order_discount_or_shipping_share_must_not_be_negative(
    make_delivered: MakeDelivered,
) -> None:
    with pytest.raises(InvalidMoney, match="negative"):
        make_delivered(order_discount="-1.00")
    with pytest.raises(InvalidMoney, match="negative"):
        make_delivered(shipping="-1.00")


# -- allocate ----------------------------------------------------------------------------


def test_allocate_gives_a_tied_leftover_to_the_earlier_weight() -> None:
    # 0.01 over two equal weights: 0.005 each, rounded down to 0.00; the cent goes first.
    assert allocate(cny("0.01"), [cny("1.00"), cny("1.00")]) == (cny("0.01"), cny("0.00"))
    # 0.02 over three equal weights: 0.0066.. each; two cents for the first two.
    assert allocate(cny("0.02"), [cny("5.00")] * 3) == (cny("0.01"), cny("0.01"), cny("0.00"))


def test_allocate_gives_nothing_to_a_zero_weight() -> None:
    assert allocate(cny("9.99"), [cny("0.00"), cny("3.00")]) == (cny("0.00"), cny("9.99"))


@pytest.mark.parametrize(
    ("amount", "weights"),
    [
        (cny("1.00"), []),
        (cny("-1.00"), [cny("1.00")]),
        (cny("1.00"), [cny("0.00"), cny("0.00")]),
        (cny("1.00"), [cny("2.00"), cny("-1.00")]),
    ],
    ids=["no weights", "negative amount", "all weights zero", "negative weight"],
)
def test_allocate_refuses_what_cannot_be_shared(amount: Money, weights: list[Money]) -> None:
    with pytest.raises(InvalidMoney):
        allocate(amount, weights)


def test_allocate_refuses_weights_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatch):
        allocate(cny("1.00"), [cny("1.00"), Money("1.00", "USD")])


# -- properties --------------------------------------------------------------------------


def minor(currency: str, units: int) -> Money:
    return Money(Decimal(units).scaleb(-MINOR_UNITS[currency]), currency)


@st.composite
def delivered_lines(draw: st.DrawFn) -> DeliveredLine:
    """Any line: currency, 1..50 units, price, line and order discount within gross, tax."""
    currency = draw(st.sampled_from(sorted(MINOR_UNITS)))
    quantity = draw(st.integers(min_value=1, max_value=50))
    price = draw(st.integers(min_value=0, max_value=10**9))
    gross = price * quantity
    line_discount = draw(st.integers(min_value=0, max_value=gross))
    order_discount = draw(st.integers(min_value=0, max_value=gross - line_discount))
    return DeliveredLine(
        ref=REF,
        customer_id="C-1",
        customer_name="Customer",
        sku="SKU-1",
        product_name="Product",
        category="misc",
        quantity_delivered=Decimal(quantity),
        unit_price=minor(currency, price),
        ordered_at=ORDERED_AT,
        delivered_at=ORDERED_AT,
        line_discount=minor(currency, line_discount),
        order_discount=minor(currency, order_discount),
        shipping=minor(currency, draw(st.integers(min_value=0, max_value=10**7))),
        tax_rate=draw(
            st.sampled_from([Decimal(0), Decimal("0.06"), Decimal("0.09"), Decimal("0.13")])
        ),
        prices_include_tax=draw(st.booleans()),
    )


@st.composite
def splits(draw: st.DrawFn, total: int) -> list[int]:
    """Any way to return ``total`` units in one or more partial returns."""
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=total - 1))) if total > 1 else [])
    return [high - low for low, high in itertools.pairwise([0, *cuts, total])]


@given(st.data())
def test_partial_returns_add_up_to_exactly_what_was_charged(data: st.DataObject) -> None:
    line = data.draw(delivered_lines())
    pricing = line.pricing()
    parts = data.draw(splits(int(line.quantity_delivered)))
    slices = in_steps(pricing, parts)
    currency = line.currency
    assert Money.total((s.total for s in slices), currency) == pricing.total
    assert Money.total((s.tax for s in slices), currency) == pricing.tax
    assert Money.total((s.shipping for s in slices), currency) == pricing.shipping
    assert sum((s.units for s in slices), Decimal(0)) == pricing.quantity
    zero = Money.zero(currency)
    for piece in slices:
        assert zero <= piece.total <= pricing.total
        assert zero <= piece.tax <= pricing.tax
        assert zero <= piece.shipping <= pricing.shipping


@given(delivered_lines())
def test_the_tax_of_a_line_is_inside_what_was_paid(line: DeliveredLine) -> None:
    pricing = line.pricing()
    zero = Money.zero(line.currency)
    assert zero <= pricing.tax <= pricing.total
    # Gross less discounts is the net (prices without tax) or the total (with tax).
    after = line.gross_amount - (line.line_discount or zero) - (line.order_discount or zero)
    assert (pricing.total if line.prices_include_tax else pricing.net) == after


@given(
    st.sampled_from(sorted(MINOR_UNITS)).flatmap(
        lambda currency: st.tuples(
            st.integers(min_value=0, max_value=10**12).map(lambda n: minor(currency, n)),
            st.lists(
                st.integers(min_value=0, max_value=10**12).map(lambda n: minor(currency, n)),
                min_size=1,
                max_size=12,
            ).filter(lambda weights: any(not w.is_zero for w in weights)),
        )
    )
)
def test_allocate_always_adds_up_and_never_gives_a_negative_share(
    case: tuple[Money, list[Money]],
) -> None:
    amount, weights = case
    shares = allocate(amount, weights)
    assert len(shares) == len(weights)
    assert Money.total(shares, amount.currency) == amount
    total_weight = Money.total(weights, amount.currency).amount
    quantum = Decimal(1).scaleb(-MINOR_UNITS[amount.currency])
    for share, weight in zip(shares, weights, strict=True):
        assert share.amount >= 0
        # Each share is its exact proportion, rounded down or up by less than one minor unit.
        assert abs(share.amount - amount.amount * weight.amount / total_weight) < quantum
