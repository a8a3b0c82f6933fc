"""The host's delivered order lines, as immutable snapshots.

The host CRM owns orders; the library only reads what it needs to decide a
return: what was delivered, to whom, at what price.  A :class:`DeliveredLine`
is that snapshot, taken through the order-source port.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain._checks import (
    aware,
    flag,
    identifier,
    moment,
    string_tuple,
    text,
    unit_places,
    value_of,
)
from crm_returns.domain.money import Money, exact_number, quantity, within_places
from crm_returns.errors import CurrencyMismatch, InvalidInput, InvalidMoney

__all__ = ["DeliveredLine", "LinePricing", "LineRef"]


@attrs.frozen
class LinePricing:
    """What a delivered line cost the customer, settled once for the whole line.

    Attributes:
        ref: The order line.
        quantity: Units delivered.
        total: What the customer paid for the line, tax included, after every discount.
        tax: The tax inside ``total``.
        shipping: The line's share of the shipping charged.
        unit_cost: What one unit cost the seller, when known.
    """

    ref: LineRef
    quantity: Decimal
    total: Money
    tax: Money
    shipping: Money
    unit_cost: Money | None = None

    @property
    def net(self) -> Money:
        """``total`` without tax."""
        return self.total - self.tax


@attrs.frozen(order=True)
class LineRef:
    """Identifies one order line: the order's number and the line's id within it.

    Refs sort by order number, then line id.

    Attributes:
        order_number: The host's order number.
        line_id: The line's id, unique within the order.
    """

    order_number: str = attrs.field(validator=identifier(64))
    line_id: str = attrs.field(validator=identifier(64))

    def __str__(self) -> str:
        return f"{self.order_number}/{self.line_id}"


def _rate(value: object) -> Decimal:
    """A tax rate: an exact, non-negative fraction such as ``Decimal("0.13")``."""
    rate = exact_number(value, "tax_rate")
    if rate < 0:
        raise InvalidInput(f"tax_rate must not be negative, got {rate}")
    return rate


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
        quantity_delivered: Units delivered (a Decimal; never negative), in
            whole steps of the unit (see ``unit_places``).
        unit_price: Price of one unit as invoiced, before the line discount.
        line_discount: Discount on the whole line (not per unit).
        order_discount: The line's share of order-level discounts (see
            :func:`crm_returns.domain.refunds.allocate`).
        shipping: The line's share of the shipping charged.
        tax_rate: Tax rate as a fraction, such as ``Decimal("0.13")``.
        prices_include_tax: Whether ``unit_price`` already includes tax.
        ordered_at: When the order was placed.
        delivered_at: When the goods were delivered; ``None`` if not yet.
        unit_cost: What one unit cost the seller, if the host knows.
        serial_numbers: Serial numbers delivered on the line, if tracked.
        fully_refunded: Whether the host already refunded the line outside returns.
        unit_places: How finely the line's unit can be split, in decimal
            places: 0 for pieces (the default), up to 6
            (:data:`~crm_returns.domain.money.MAX_UNIT_PLACES`) for goods sold
            by weight or length (3 for kilograms to the gram).  Quantities
            delivered, returned, received and inspected on the line are
            whole steps of ``10 ** -unit_places``; a finer one is refused.
    """

    ref: LineRef = attrs.field(validator=value_of(LineRef))
    customer_id: str = attrs.field(validator=identifier(64))
    customer_name: str = attrs.field(validator=text(200))
    sku: str = attrs.field(validator=identifier(64))
    product_name: str = attrs.field(validator=text(200))
    category: str = attrs.field(validator=identifier(64))
    quantity_delivered: Decimal = attrs.field(converter=quantity)
    unit_price: Money = attrs.field(validator=value_of(Money))
    ordered_at: datetime = attrs.field(validator=moment)
    delivered_at: datetime | None = attrs.field(default=None, validator=aware)
    line_discount: Money | None = attrs.field(
        default=None, validator=value_of(Money, optional=True)
    )
    order_discount: Money | None = attrs.field(
        default=None, validator=value_of(Money, optional=True)
    )
    shipping: Money | None = attrs.field(default=None, validator=value_of(Money, optional=True))
    tax_rate: Decimal = attrs.field(default=Decimal(0), converter=_rate)
    prices_include_tax: bool = attrs.field(default=True, validator=flag)
    unit_cost: Money | None = attrs.field(default=None, validator=value_of(Money, optional=True))
    serial_numbers: tuple[str, ...] = attrs.field(default=(), converter=string_tuple)
    fully_refunded: bool = attrs.field(default=False, validator=flag)
    unit_places: int = attrs.field(default=0, validator=unit_places)

    def __attrs_post_init__(self) -> None:
        within_places(
            self.quantity_delivered, self.unit_places, f"line {self.ref}: quantity delivered"
        )
        currency = self.unit_price.currency
        extras = (self.line_discount, self.order_discount, self.shipping, self.unit_cost)
        for other in extras:
            if other is not None and other.currency != currency:
                raise CurrencyMismatch(currency, other.currency)
            if other is not None and other.amount < 0:
                raise InvalidMoney(f"line {self.ref}: {other} must not be negative")
        if self.unit_price.amount < 0:
            raise InvalidMoney(f"line {self.ref}: unit price {self.unit_price} is negative")
        zero = Money.zero(currency)
        discounts = (self.line_discount or zero) + (self.order_discount or zero)
        if discounts > self.gross_amount:
            raise InvalidMoney(
                f"line {self.ref}: discounts {discounts} exceed the line's gross amount "
                f"{self.gross_amount}"
            )
        if len(set(self.serial_numbers)) != len(self.serial_numbers):
            raise InvalidInput(f"line {self.ref}: serial numbers repeat")

    @property
    def currency(self) -> str:
        """The line's currency."""
        return self.unit_price.currency

    @property
    def gross_amount(self) -> Money:
        """Unit price times quantity delivered, before any discount."""
        return self.unit_price.times(self.quantity_delivered)

    def pricing(self) -> LinePricing:
        """Settle what the customer paid for the line: total, tax and shipping share.

        Gross less the line discount and the order-discount share; tax is then
        taken out (prices with tax) or added on top (prices without), rounded
        once for the whole line.
        """
        zero = Money.zero(self.currency)
        after = self.gross_amount - (self.line_discount or zero) - (self.order_discount or zero)
        rate = self.tax_rate
        if self.prices_include_tax:
            total = after
            tax = Money.rounded(after.amount * rate / (1 + rate), self.currency)
        else:
            tax = Money.rounded(after.amount * rate, self.currency)
            total = after + tax
        return LinePricing(
            ref=self.ref,
            quantity=self.quantity_delivered,
            total=total,
            tax=tax,
            shipping=self.shipping or zero,
            unit_cost=self.unit_cost,
        )

    @property
    def amount_paid(self) -> Money:
        """What the customer paid for the whole line, tax included, after discounts."""
        return self.pricing().total

    @property
    def is_delivered(self) -> bool:
        """Whether the goods have been delivered."""
        return self.delivered_at is not None
