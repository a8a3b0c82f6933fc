"""Refund amounts that add up to the cent.

The refund for units ``[a, a + q)`` of a line is ``R(a + q) - R(a)``, where
``R(x)`` is what the customer paid for ``x`` of the line's units, rounded
half-up to the minor unit, and ``R(delivered)`` is exactly the amount paid.
However a line is split into partial returns, the refunds telescope to the
amount paid: nothing is lost or created by rounding.
"""

from __future__ import annotations

from decimal import Decimal

from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine
from crm_returns.errors import InvalidQuantity

__all__ = ["paid_for_units", "refund_for_units"]


def paid_for_units(line: DeliveredLine, units: Decimal) -> Money:
    """What the customer paid for the first ``units`` of ``line``, to the minor unit.

    Raises:
        InvalidQuantity: ``units`` is negative or more than was delivered.
    """
    delivered = line.quantity_delivered
    if units < 0 or units > delivered:
        raise InvalidQuantity(f"line {line.ref}: {units} units is outside 0..{delivered}")
    paid = line.amount_paid
    if units == delivered:
        return paid
    return Money.rounded(paid.amount * units / delivered, paid.currency)


def refund_for_units(line: DeliveredLine, already_returned: Decimal, units: Decimal) -> Money:
    """The refund for ``units`` more units of ``line`` after ``already_returned``.

    Raises:
        InvalidQuantity: The units would run past what was delivered.
    """
    return paid_for_units(line, already_returned + units) - paid_for_units(line, already_returned)
