"""What the customer paid for a line, and spreading order-level amounts over lines.

A line's price is settled once, from the host's snapshot (:func:`pricing_of`):
gross = unit price × quantity, less the line discount and the line's share of
order-level discounts (:func:`spread_order_discount`, :func:`spread_shipping`,
which split an amount over lines by weight with :func:`allocate`, to the cent);
tax is then taken out of it (prices with tax) or added on top (prices without
tax), rounded once for the whole line.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

import attrs

from crm_returns.domain.money import Money, minor_unit
from crm_returns.domain.orders import DeliveredLine, LinePricing
from crm_returns.domain.refunds.slices import slice_for
from crm_returns.errors import InvalidMoney

__all__ = ["allocate", "paid_for_units", "pricing_of", "spread_order_discount", "spread_shipping"]


def pricing_of(line: DeliveredLine) -> LinePricing:
    """Settle what the customer paid for ``line``: total, tax and shipping share."""
    return line.pricing()


def paid_for_units(line: DeliveredLine, units: Decimal) -> Money:
    """What the customer paid for the first ``units`` of ``line``, tax included.

    Raises:
        InvalidQuantity: ``units`` is negative or more than was delivered.
    """
    return slice_for(pricing_of(line), Decimal(0), units).total


def allocate(amount: Money, weights: Sequence[Money]) -> tuple[Money, ...]:
    """Split ``amount`` over ``weights`` in proportion, adding up to it exactly.

    Shares are rounded down to the minor unit and the leftover minor units go,
    one each, to the largest remainders (ties to the earlier weight).  Use it
    to spread an order-level discount or shipping charge over the lines.

    Raises:
        InvalidMoney: No weights, a negative amount or weight, all weights zero.
        CurrencyMismatch: A weight is in another currency.
    """
    if not weights:
        raise InvalidMoney("cannot allocate over no lines")
    total_weight = Money.total(weights, amount.currency).amount
    if amount.amount < 0 or any(w.amount < 0 for w in weights) or total_weight == 0:
        raise InvalidMoney(
            f"allocate {amount} needs a non-negative amount and weights with a positive sum"
        )
    quantum = Decimal(1).scaleb(-minor_unit(amount.currency))
    exact = [amount.amount * w.amount / total_weight for w in weights]
    floors = [value.quantize(quantum, ROUND_FLOOR) for value in exact]
    leftover = int((amount.amount - sum(floors, Decimal(0))) / quantum)
    order = sorted(range(len(weights)), key=lambda i: floors[i] - exact[i])
    for i in order[:leftover]:
        floors[i] += quantum
    return tuple(Money(value, amount.currency) for value in floors)


def _after_line_discount(line: DeliveredLine) -> Money:
    return line.gross_amount - (line.line_discount or Money.zero(line.currency))


def spread_order_discount(
    lines: Sequence[DeliveredLine], discount: Money
) -> tuple[DeliveredLine, ...]:
    """Give each line its share of an order-level discount, in proportion to its amount.

    The shares add up to ``discount`` exactly (see :func:`allocate`); each line's
    ``order_discount`` is replaced by its share.

    Raises:
        InvalidMoney: The discount is negative, or larger than a line can carry.
        CurrencyMismatch: Lines or discount in different currencies.
    """
    shares = allocate(discount, [_after_line_discount(line) for line in lines])
    return tuple(
        attrs.evolve(line, order_discount=share) for line, share in zip(lines, shares, strict=True)
    )


def spread_shipping(lines: Sequence[DeliveredLine], shipping: Money) -> tuple[DeliveredLine, ...]:
    """Give each line its share of the order's shipping charge, in proportion to its amount.

    Raises:
        InvalidMoney: The charge is negative, or every line is free.
        CurrencyMismatch: Lines or charge in different currencies.
    """
    shares = allocate(shipping, [_after_line_discount(line) for line in lines])
    return tuple(
        attrs.evolve(line, shipping=share) for line, share in zip(lines, shares, strict=True)
    )
