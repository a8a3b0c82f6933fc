"""Money for a return: pricing the refund, granting it, paying it.

Money and goods are separate decisions.  Goods can be received and restocked
with no refund yet; the refund is *granted* (the approved amount, with a
credit note 红字凭证 and its journal entry) once the goods are settled, and
*paid* afterwards in one or several payments, each with a tracked status.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain._checks import moment, text
from crm_returns.domain.lines import ReturnLine
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.policy import RefundPolicy
from crm_returns.domain.refunds import slice_for

__all__ = [
    "Payment",
    "PaymentStatus",
    "RefundGrant",
    "RefundLine",
    "RefundMethod",
    "price_refund",
]


class RefundMethod(enum.Enum):
    """How the customer is made whole."""

    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"
    REPLACEMENT = "replacement"


class PaymentStatus(enum.Enum):
    """Where a refund payment stands."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@attrs.frozen
class RefundLine:
    """The refund for one line, itemised.

    Attributes:
        ref: The order line.
        units: Units refunded.
        missing_units: Of those, units refunded although they never arrived
            (only under a policy that refunds lost parcels).
        total: Their share of what was paid, tax included.
        tax: The tax inside ``total``.
        shipping: Shipping refunded.
        fee: Restocking fee kept.
    """

    ref: LineRef
    units: Decimal
    missing_units: Decimal
    total: Money
    tax: Money
    shipping: Money
    fee: Money

    @property
    def net(self) -> Money:
        """``total`` without tax."""
        return self.total - self.tax

    @property
    def payable(self) -> Money:
        """What the customer gets for the line: total plus shipping less the fee."""
        return self.total + self.shipping - self.fee


_NONE = Decimal(0)


def price_refund(
    lines: tuple[ReturnLine, ...],
    units: Mapping[LineRef, Decimal],
    refunded_before: Mapping[LineRef, Decimal],
    policy: RefundPolicy,
    missing: Mapping[LineRef, Decimal] | None = None,
) -> tuple[RefundLine, ...]:
    """Itemise the refund for ``units`` of each line.

    Args:
        lines: The return's lines.
        units: Units to refund per line.
        refunded_before: Units of each order line refunded by other returns;
            the slice starts after them, so that refunds add up exactly.
        policy: Fees and shipping.
        missing: Of ``units``, how many never arrived (for the record).

    Raises:
        InvalidQuantity: The units would run past what was delivered.
    """
    result = []
    missing = missing or {}
    for line in lines:
        count = units.get(line.ref, _NONE)
        piece = slice_for(line.pricing, refunded_before.get(line.ref, _NONE), count)
        refund_shipping = line.fault in policy.refund_shipping_for
        shipping = piece.shipping if refund_shipping else Money.zero(piece.shipping.currency)
        fee = policy.fee(line.reason_code, line.reason_category, line.fault, piece.total)
        result.append(
            RefundLine(
                ref=line.ref,
                units=count,
                missing_units=missing.get(line.ref, _NONE),
                total=piece.total,
                tax=piece.tax,
                shipping=shipping,
                fee=fee,
            )
        )
    return tuple(result)


@attrs.frozen
class Payment:
    """One payment of a granted refund.

    Attributes:
        id: The payment's id.
        amount: How much.
        status: Pending until the payment provider answers.
        reference: The provider's reference, if any.
        created_at: When it was started.
        settled_at: When it succeeded or failed.
    """

    id: str
    amount: Money
    status: PaymentStatus
    reference: str = attrs.field(validator=text(200, optional=True))
    created_at: datetime = attrs.field(validator=moment)
    settled_at: datetime | None = None


@attrs.frozen
class RefundGrant:
    """The refund granted for a return.

    Attributes:
        method: Original payment, store credit or replacement.
        lines: Itemised per line.
        currency: The currency.
        credit_note: The credit note's number (none for a replacement).
        granted_at: When.
        granted_by: Actor id.
        payments: Payments made so far (original payment only).
    """

    method: RefundMethod
    lines: tuple[RefundLine, ...]
    currency: str
    credit_note: str | None
    granted_at: datetime
    granted_by: str
    payments: tuple[Payment, ...] = ()

    def _sum(self, amounts: list[Money]) -> Money:
        return Money.total(amounts, self.currency)

    @property
    def amount(self) -> Money:
        """What the customer is owed: zero for a replacement."""
        if self.method is RefundMethod.REPLACEMENT:
            return Money.zero(self.currency)
        return self._sum([line.payable for line in self.lines])

    @property
    def fee(self) -> Money:
        """Restocking fees kept."""
        return self._sum([line.fee for line in self.lines])

    @property
    def paid(self) -> Money:
        """Sum of succeeded payments; store credit counts as paid when granted."""
        if self.method is RefundMethod.STORE_CREDIT:
            return self.amount
        return self._sum([p.amount for p in self.payments if p.status is PaymentStatus.SUCCEEDED])

    @property
    def committed(self) -> Money:
        """Sum of payments pending or succeeded."""
        return self._sum([p.amount for p in self.payments if p.status is not PaymentStatus.FAILED])

    @property
    def outstanding(self) -> Money:
        """What still has to be paid out (not counting pending payments)."""
        return self.amount - self.paid

    @property
    def fully_paid(self) -> bool:
        """Whether the customer has received everything granted."""
        return self.outstanding.is_zero

    def payment(self, payment_id: str) -> Payment | None:
        """The payment with ``payment_id``, if any."""
        return next((p for p in self.payments if p.id == payment_id), None)
