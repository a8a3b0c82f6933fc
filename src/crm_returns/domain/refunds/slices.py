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

from decimal import Decimal

import attrs

from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LinePricing
from crm_returns.errors import InvalidQuantity

__all__ = ["LinePricing", "RefundSlice", "refund_for_units", "slice_for"]


def _share(whole: Money, units: Decimal, of: Decimal) -> Money:
    """``whole`` × units / of, rounded; exactly ``whole`` for every unit.

    ``units`` is from 0 to ``of``, so past the first test ``of`` is more than zero.
    """
    if units == of:
        return whole
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

    def carve(amount: Money) -> Money:
        return _share(amount, after, whole) - _share(amount, before, whole)

    def tax_at(units_so_far: Decimal) -> Money:
        # Tax follows the rounded total, not the units, so that no slice ever
        # carries more tax than money; at the end it is exactly the line's tax.
        if units_so_far == whole:
            return pricing.tax
        paid = _share(pricing.total, units_so_far, whole)
        if paid.is_zero:
            return Money.zero(pricing.tax.currency)  # No money (or a free line): no tax.
        ratio = pricing.tax.amount / pricing.total.amount
        return Money.rounded(paid.amount * ratio, pricing.tax.currency)

    tax = tax_at(after) - tax_at(before)
    return RefundSlice(units, carve(pricing.total), tax, carve(pricing.shipping))


def refund_for_units(line: DeliveredLine, already_returned: Decimal, units: Decimal) -> Money:
    """The refund, tax included, for ``units`` more units after ``already_returned``.

    Raises:
        InvalidQuantity: The units would run past what was delivered.
    """
    return slice_for(line.pricing(), already_returned, units).total
