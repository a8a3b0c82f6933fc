"""Money for a return: pricing the refund, granting it, paying it.

Money and goods are separate decisions.  Goods can be received and restocked
with no refund yet; the refund is *granted* (the approved amount, with a
credit note 红字凭证 and its journal entry) once the goods are settled, and
*paid* afterwards in one or several payments, each with a tracked status.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crm_returns.domain.money import Money
from crm_returns.domain.refunds.payments import Payment, PaymentStatus
from crm_returns.domain.refunds.pricing import RefundLine

__all__ = ["RefundGrant", "RefundMethod"]


class RefundMethod(enum.Enum):
    """How the customer is made whole."""

    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"
    REPLACEMENT = "replacement"


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
