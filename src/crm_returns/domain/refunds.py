"""What the customer paid for a line, and refunds that add up to the cent.

A line's price is settled once, from the host's snapshot (:func:`pricing_of`):
gross = unit price × quantity, less the line discount and the line's share of
order-level discounts; tax is then taken out of it (prices with tax) or added
on top (prices without tax), rounded once for the whole line.

The refund for units ``[a, a + q)`` of a line is ``R(a + q) − R(a)``, where
``R(x)`` is the amount for the first ``x`` units, rounded half-up to the minor
unit, and ``R(delivered)`` is exactly the line's amount.  The shipping share
is carved the same way; the tax follows the rounded amount (the line's tax
rate applied to ``R(x)``), so that no slice carries more tax than money.
However a line is split into
partial returns, refunds, tax and shipping telescope to exactly what was
charged: nothing is lost or created by rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

import attrs

from crm_returns.domain.money import Money, minor_unit
from crm_returns.domain.orders import DeliveredLine, LinePricing
from crm_returns.errors import InvalidMoney, InvalidQuantity

__all__ = [
    "LinePricing",
    "RefundSlice",
    "allocate",
    "paid_for_units",
    "pricing_of",
    "refund_for_units",
    "slice_for",
    "spread_order_discount",
    "spread_shipping",
]


def _share(whole: Money, units: Decimal, of: Decimal) -> Money:
    """``whole`` × units / of, rounded; exactly ``whole`` for every unit.

    ``units`` is from 0 to ``of``, so past the first test ``of`` is more than zero.
    """
    if units == of:
        return whole
    if whole.is_zero:
        return whole  # Any share of nothing is nothing.
    if units == 0:
        return Money.zero(whole.currency)  # No units have no share.
    return Money.rounded(whole.amount * units / of, whole.currency)


@attrs.frozen
class RefundSlice:
    """The money for some units of a line, carved so that slices add up exactly.

    Attributes:
        units: How many units.
        total: Their share of what was paid, tax included.
        tax: The tax inside ``total``.
        shipping: Their share of the shipping charged.
    """

    units: Decimal
    total: Money
    tax: Money
    shipping: Money

    @property
    def net(self) -> Money:
        """``total`` without tax."""
        return self.total - self.tax


def slice_for(pricing: LinePricing, before: Decimal, units: Decimal) -> RefundSlice:
    """The slice for ``units`` more units after ``before`` units were refunded.

    Raises:
        InvalidQuantity: The units would run outside what was delivered.
    """
    whole = pricing.quantity
    after = before + units
    if before < 0 or units < 0 or after > whole:
        raise InvalidQuantity(
            f"line {pricing.ref}: units {before}..{after} are outside the {whole} delivered"
        )
    # R(after) and R(before), each worked out once: the slice's money, and what its tax follows.
    paid_after = _share(pricing.total, after, whole)
    paid_before = _share(pricing.total, before, whole)

    def tax_at(units_so_far: Decimal, paid: Money) -> Money:
        # Tax follows the rounded total, not the units, so that no slice ever
        # carries more tax than money; at the end it is exactly the line's tax.
        if units_so_far == whole:
            return pricing.tax
        if paid.is_zero:
            return Money.zero(pricing.tax.currency)  # No money (or a free line): no tax.
        ratio = pricing.tax.amount / pricing.total.amount
        return Money.rounded(paid.amount * ratio, pricing.tax.currency)

    tax = tax_at(after, paid_after) - tax_at(before, paid_before)
    shipping = _share(pricing.shipping, after, whole) - _share(pricing.shipping, before, whole)
    return RefundSlice(units, paid_after - paid_before, tax, shipping)


def pricing_of(line: DeliveredLine) -> LinePricing:
    """Settle what the customer paid for ``line``: total, tax and shipping share."""
    return line.pricing()


def paid_for_units(line: DeliveredLine, units: Decimal) -> Money:
    """What the customer paid for the first ``units`` of ``line``, tax included.

    Raises:
        InvalidQuantity: ``units`` is negative or more than was delivered.
    """
    return slice_for(pricing_of(line), Decimal(0), units).total


def refund_for_units(line: DeliveredLine, already_returned: Decimal, units: Decimal) -> Money:
    """The refund, tax included, for ``units`` more units after ``already_returned``.

    Raises:
        InvalidQuantity: The units would run past what was delivered.
    """
    return slice_for(pricing_of(line), already_returned, units).total


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
