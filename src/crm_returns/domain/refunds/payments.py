"""Paying a granted refund: payments and their status.

A granted refund is paid afterwards in one or several payments (bank
transfer, card reversal, store credit ...), each tracked from pending to
succeeded or failed.  The transitions that record and settle them are in
:mod:`crm_returns.domain.returns.refunding`.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crm_returns.domain._checks import moment, text
from crm_returns.domain.money import Money

__all__ = ["Payment", "PaymentStatus"]


class PaymentStatus(enum.Enum):
    """Where a refund payment stands."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


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
