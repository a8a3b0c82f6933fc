"""Order-level discounts and shipping, spread over the lines to the cent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns import DeliveredLine, LineRef, Money
from crm_returns.domain.refunds.paid import spread_order_discount, spread_shipping
from crm_returns.errors import InvalidMoney

AT = datetime(2026, 11, 20, tzinfo=UTC)


def _line(line_id: str, units: int, price: str) -> DeliveredLine:
    return DeliveredLine(
        ref=LineRef("SO-1", line_id), customer_id="C", customer_name="C", sku=line_id,
        product_name=line_id, category="x", quantity_delivered=Decimal(units),
        unit_price=Money(Decimal(price), "CNY"), ordered_at=AT, delivered_at=AT,
    )  # fmt: skip


LINES = (_line("1", 3, "100.00"), _line("2", 1, "50.00"), _line("3", 2, "25.00"))


def _shares(lines: tuple[DeliveredLine, ...], field: str) -> list[Money]:
    return [getattr(line, field) for line in lines]


def test_an_even_order_discount_is_spread_in_proportion() -> None:
    # Amounts 300, 50, 50 of 400: 10.00 splits 7.50 / 1.25 / 1.25.
    spread = spread_order_discount(LINES, Money(Decimal("10.00"), "CNY"))
    assert _shares(spread, "order_discount") == [
        Money(Decimal("7.50"), "CNY"),
        Money(Decimal("1.25"), "CNY"),
        Money(Decimal("1.25"), "CNY"),
    ]


def test_the_leftover_cent_goes_to_the_largest_remainder() -> None:
    # 10.01: exact shares 7.5075, 1.25125, 1.25125 -> 7.50, 1.25, 1.25 leaves one cent,
    # which goes to the first line (remainder 0.0075 beats 0.00125).
    spread = spread_order_discount(LINES, Money(Decimal("10.01"), "CNY"))
    shares = _shares(spread, "order_discount")
    assert shares == [
        Money(Decimal("7.51"), "CNY"),
        Money(Decimal("1.25"), "CNY"),
        Money(Decimal("1.25"), "CNY"),
    ]
    # The discount reduces what was paid for each line by exactly its share.
    assert [line.amount_paid for line in spread] == [
        Money(Decimal("292.49"), "CNY"),
        Money(Decimal("48.75"), "CNY"),
        Money(Decimal("48.75"), "CNY"),
    ]


def test_shipping_is_spread_the_same_way() -> None:
    # 9.00 over 300/50/50: 6.75, 1.125 -> 1.12, 1.125 -> 1.12, leaving one cent; the two
    # remainders tie (0.005), so the earlier line takes it: 6.75, 1.13, 1.12.
    spread = spread_shipping(LINES, Money(Decimal("9.00"), "CNY"))
    assert _shares(spread, "shipping") == [
        Money(Decimal("6.75"), "CNY"),
        Money(Decimal("1.13"), "CNY"),
        Money(Decimal("1.12"), "CNY"),
    ]


def test_a_discount_larger_than_the_lines_is_refused() -> None:
    with pytest.raises(InvalidMoney, match="discounts"):
        spread_order_discount(LINES, Money(Decimal("500.00"), "CNY"))
