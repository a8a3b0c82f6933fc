"""The figures a group of line facts can total, so that a query asks only for those it reads.

Every :class:`~crm_returns.domain.analytics.FactGroup` counts its lines; each
other figure is named by a :class:`Figure`, and a
:class:`~crm_returns.domain.analytics.FactQuery` says which it needs (all of
them by default).  A figure not asked for is ``None`` on the groups, never a
made-up zero.  Asking for less is what makes a report cheap: a distinct count
rules out hash aggregation on PostgreSQL, and every column summed widens the
sort on SQLite (``docs/performance.md``, "Reports").
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final

from crm_returns.domain.analytics.money import MONEY_COLUMNS
from crm_returns.errors import InvalidInput

__all__ = [
    "COUNT_FIGURES",
    "EVERY_FIGURE",
    "MONEY_FIGURES",
    "QUANTITY_COLUMNS",
    "QUANTITY_FIGURES",
    "Figure",
    "figures_of",
]

#: The quantity columns of a line fact that are totalled, in this order.
QUANTITY_COLUMNS: Final = (
    "quantity_requested",
    "quantity_approved",
    "quantity_received",
    "quantity_accepted",
    "quantity_returned",
)


class Figure(enum.Enum):
    """A figure of a group of line facts besides its line count; its value is the field's name."""

    #: Distinct returns.
    RETURNS = "returns"
    #: Distinct orders.
    ORDERS = "orders"
    #: Distinct orders with a line whose ``quantity_returned`` is above zero.
    RETURNED_ORDERS = "returned_orders"
    #: Sum of the quantity column of that name, and so on.
    QUANTITY_REQUESTED = "quantity_requested"
    QUANTITY_APPROVED = "quantity_approved"
    QUANTITY_RECEIVED = "quantity_received"
    QUANTITY_ACCEPTED = "quantity_accepted"
    QUANTITY_RETURNED = "quantity_returned"
    #: Sum of the money column of that name where known, and so on; any money
    #: figure puts the currency in the groups' key.
    MERCHANDISE_VALUE = "merchandise_value"
    REFUND_GRANTED = "refund_granted"
    REFUND_PAID = "refund_paid"
    STORE_CREDIT = "store_credit"
    REPLACEMENT_VALUE = "replacement_value"
    RESTOCKING_FEE = "restocking_fee"
    RETURN_SHIPPING_FEE = "return_shipping_fee"
    WRITE_OFF = "write_off"


#: Every figure: the default of a query.
EVERY_FIGURE: Final = frozenset(Figure)
#: The distinct counts.
COUNT_FIGURES: Final = (Figure.RETURNS, Figure.ORDERS, Figure.RETURNED_ORDERS)
#: The quantity sums, in :data:`QUANTITY_COLUMNS` order.
QUANTITY_FIGURES: Final = tuple(Figure(c) for c in QUANTITY_COLUMNS)
#: The money sums, in :data:`~crm_returns.domain.analytics.MONEY_COLUMNS` order.
MONEY_FIGURES: Final = tuple(Figure(c) for c in MONEY_COLUMNS)


def figures_of(value: object) -> frozenset[Figure]:
    """``value`` as a set of figures.

    Raises:
        InvalidInput: ``value`` is not a collection of :class:`Figure`.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidInput(f"figures must be Figures, got {value!r}")
    found = tuple(value)
    if not all(isinstance(f, Figure) for f in found):
        raise InvalidInput(f"figures must be Figures, got {value!r}")
    return frozenset(found)
