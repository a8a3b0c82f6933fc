"""The host's delivered order lines, as immutable snapshots.

The host CRM owns orders; the library only reads what it needs to decide a
return: what was delivered, to whom, at what price.  A :class:`DeliveredLine`
is that snapshot, taken through the order-source port.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain._checks import aware, moment, string_tuple, text
from crm_returns.domain.money import Money, quantity
from crm_returns.errors import CurrencyMismatch, InvalidMoney

__all__ = ["DeliveredLine", "LineRef"]


@attrs.frozen(order=True)
class LineRef:
    """Identifies one order line: the order's number and the line's id within it.

    Attributes:
        order_number: The host's order number.
        line_id: The line's id, unique within the order.
    """

    order_number: str = attrs.field(validator=text(64))
    line_id: str = attrs.field(validator=text(64))

    def __str__(self) -> str:
        return f"{self.order_number}/{self.line_id}"


@attrs.frozen
class DeliveredLine:
    """What the host delivered on one order line, as the returns engine sees it.

    Attributes:
        ref: Order number and line id.
        customer_id: The host's customer id.
        customer_name: Display name of the customer.
        sku: Product code.
        product_name: Display name of the product.
        category: Product category code.
        quantity_delivered: Units delivered (a Decimal; never negative).
        unit_price: Price of one unit as invoiced, before the line discount.
        line_discount: Discount on the whole line (not per unit).
        tax_rate: Tax rate as a fraction, such as ``Decimal("0.13")``.
        prices_include_tax: Whether ``unit_price`` already includes tax.
        ordered_at: When the order was placed.
        delivered_at: When the goods were delivered; ``None`` if not yet.
        unit_cost: What one unit cost the seller, if the host knows.
        serial_numbers: Serial numbers delivered on the line, if tracked.
        fully_refunded: Whether the host already refunded the line outside returns.
    """

    ref: LineRef
    customer_id: str = attrs.field(validator=text(64))
    customer_name: str = attrs.field(validator=text(200))
    sku: str = attrs.field(validator=text(64))
    product_name: str = attrs.field(validator=text(200))
    category: str = attrs.field(validator=text(64))
    quantity_delivered: Decimal = attrs.field(converter=quantity)
    unit_price: Money
    ordered_at: datetime = attrs.field(validator=moment)
    delivered_at: datetime | None = attrs.field(default=None, validator=aware)
    line_discount: Money | None = None
    tax_rate: Decimal = attrs.field(default=Decimal(0), converter=quantity)
    prices_include_tax: bool = True
    unit_cost: Money | None = None
    serial_numbers: tuple[str, ...] = attrs.field(default=(), converter=string_tuple)
    fully_refunded: bool = False

    def __attrs_post_init__(self) -> None:
        currency = self.unit_price.currency
        for other in (self.line_discount, self.unit_cost):
            if other is not None and other.currency != currency:
                raise CurrencyMismatch(currency, other.currency)
        if self.line_discount is not None and (
            self.line_discount.amount < 0 or self.line_discount > self.gross_amount
        ):
            raise InvalidMoney(
                f"line {self.ref}: discount {self.line_discount} must be between 0 "
                f"and the line's gross amount {self.gross_amount}"
            )
        if self.unit_price.amount < 0:
            raise InvalidMoney(f"line {self.ref}: unit price {self.unit_price} is negative")

    @property
    def currency(self) -> str:
        """The line's currency."""
        return self.unit_price.currency

    @property
    def gross_amount(self) -> Money:
        """Unit price times quantity delivered, before the line discount."""
        return self.unit_price.times(self.quantity_delivered)

    @property
    def amount_paid(self) -> Money:
        """What the customer paid for the whole line, as invoiced (tax mode as priced)."""
        discount = self.line_discount or Money.zero(self.currency)
        return self.gross_amount - discount

    @property
    def is_delivered(self) -> bool:
        """Whether the goods have been delivered."""
        return self.delivered_at is not None
