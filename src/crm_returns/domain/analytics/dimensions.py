"""What a report can break its figures down by: the dimensions of a line fact.

Each :class:`Dimension` names one column of
:class:`~crm_returns.domain.analytics.facts.LineFact`; the period (day, week,
month, quarter) is not a dimension but a
:class:`~crm_returns.domain.analytics.periods.ReportPeriod`, because it needs
a date basis and a time zone.  The host's delivered totals (the denominators
of the rates) can be broken down by the dimensions the host's order lines
know: :data:`DELIVERED_DIMENSIONS`.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from crm_returns.domain.analytics.facts import LineFact

__all__ = ["DELIVERED_DIMENSIONS", "Dimension"]


class Dimension(enum.Enum):
    """A column of the line fact that figures can be grouped by."""

    #: The product, by its name (snapshot taken when the return was made).
    PRODUCT = "product"
    #: The product code.
    SKU = "sku"
    #: The product's category code.
    CATEGORY = "category"
    #: The host's customer.
    CUSTOMER = "customer"
    #: The reason code chosen for the line.
    REASON = "reason"
    #: The reason's category.
    REASON_CATEGORY = "reason_category"
    #: Where the accepted units went (one location, else none).
    LOCATION = "location"
    #: The owning user.
    OWNER = "owner"
    #: The owning team.
    TEAM = "team"
    #: The return's status.
    STATUS = "status"
    #: The customer's feedback score (``"1"`` to ``"5"``), when given.
    SATISFACTION = "satisfaction"
    #: Why staff declined the customer's request, when they did.
    DECLINE_REASON = "decline_reason"

    @property
    def column(self) -> str:
        """The :class:`~crm_returns.domain.analytics.facts.LineFact` attribute it reads."""
        return _COLUMNS[self]

    def key_of(self, fact: LineFact) -> str | None:
        """The fact's value on this dimension, as text (``None`` when unknown)."""
        value = getattr(fact, _COLUMNS[self])
        if value is None:
            return None
        return str(value.value) if isinstance(value, enum.Enum) else str(value)


_COLUMNS: Final = {
    Dimension.PRODUCT: "product_name",
    Dimension.SKU: "sku",
    Dimension.CATEGORY: "product_category",
    Dimension.CUSTOMER: "customer_id",
    Dimension.REASON: "reason_code",
    Dimension.REASON_CATEGORY: "reason_category",
    Dimension.LOCATION: "stock_location",
    Dimension.OWNER: "owner_user",
    Dimension.TEAM: "owner_team",
    Dimension.STATUS: "status",
    Dimension.SATISFACTION: "satisfaction",
    Dimension.DECLINE_REASON: "decline_reason",
}

#: Dimensions the host's delivered order lines know, for the rates' denominators.
DELIVERED_DIMENSIONS: Final = frozenset(
    {Dimension.PRODUCT, Dimension.SKU, Dimension.CATEGORY, Dimension.CUSTOMER}
)
