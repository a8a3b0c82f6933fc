"""Order-level amounts spread over lines that carry their own discount, or over nothing.

A line's weight in the spread is what remains of it after its own line
discount: the customer paid that, not the gross.  A zero amount spreads as
zero shares, not as a refusal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from crm_returns import DeliveredLine, LineRef, Money
from crm_returns.domain.refunds.paid import allocate, spread_order_discount, spread_shipping

AT = datetime(2026, 11, 20, tzinfo=UTC)


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def _line(line_id: str, price: str, line_discount: str | None = None) -> DeliveredLine:
    return DeliveredLine(
        ref=LineRef("SO-1", line_id), customer_id="C", customer_name="C", sku=line_id,
        product_name=line_id, category="x", quantity_delivered=Decimal(1),
        unit_price=cny(price), ordered_at=AT, delivered_at=AT,
        line_discount=cny(line_discount) if line_discount is not None else None,
    )  # fmt: skip


#: Line 1 is 100.00 less its own 50.00 discount, line 2 an undiscounted 50.00:
#: both weigh 50.00, so an order-level amount splits evenly (by gross it would
#: split 2 : 1).
DISCOUNTED = (_line("1", "100.00", line_discount="50.00"), _line("2", "50.00"))


def test_spreading_an_order_discount_over_lines_with_their_own_discount_weighs_what_remains() -> (
    None
):
    spread = spread_order_discount(DISCOUNTED, cny("10.00"))
    assert [line.order_discount for line in spread] == [cny("5.00"), cny("5.00")]
    assert [line.amount_paid for line in spread] == [cny("45.00"), cny("45.00")]


def test_spreading_shipping_over_lines_with_their_own_discount_weights_by_what_remains() -> None:
    spread = spread_shipping(DISCOUNTED, cny("9.00"))
    assert [line.shipping for line in spread] == [cny("4.50"), cny("4.50")]


def test_a_fully_discounted_line_takes_no_share_of_an_order_discount() -> None:
    lines = (_line("1", "30.00", line_discount="30.00"), _line("2", "20.00"))
    spread = spread_order_discount(lines, cny("4.00"))
    assert [line.order_discount for line in spread] == [cny("0.00"), cny("4.00")]


def test_spreading_a_zero_order_discount_gives_every_line_a_zero_share() -> None:
    spread = spread_order_discount(DISCOUNTED, Money.zero("CNY"))
    assert [line.order_discount for line in spread] == [Money.zero("CNY")] * 2
    assert [line.amount_paid for line in spread] == [cny("50.00"), cny("50.00")]


def test_spreading_zero_shipping_gives_every_line_a_zero_share() -> None:
    spread = spread_shipping(DISCOUNTED, Money.zero("CNY"))
    assert [line.shipping for line in spread] == [Money.zero("CNY")] * 2


def test_allocating_zero_gives_zero_shares_even_over_uneven_weights() -> None:
    assert (
        allocate(Money.zero("CNY"), [cny("0.01"), cny("99.99"), cny("0.00")])
        == (Money.zero("CNY"),) * 3
    )
