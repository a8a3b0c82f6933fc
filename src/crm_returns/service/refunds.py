"""Money back: grant a return's refund (with its credit note), record and settle its payments."""

from __future__ import annotations

from crm_returns.domain.actors import Actor
from crm_returns.domain.money import Money
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import refunding
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import (
    InvalidInput,
)
from crm_returns.service.checks import (
    checked_text,
)
from crm_returns.service.template import ServiceCore

__all__ = ["Refunds"]


class Refunds(ServiceCore):
    """Grant refunds and record and settle the payments that pay them."""

    def grant_refund(
        self,
        actor: Actor,
        return_id: str,
        method: RefundMethod = RefundMethod.ORIGINAL_PAYMENT,
        comment: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Decide the refund for the settled goods: credit note, fees, journal entry.

        Raises:
            IllegalTransition: Goods are not settled yet, or the refund is already granted.
        """
        comment = checked_text(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: self._grant(uow, order, actor, method, comment),
            needs=Permission.GRANT_REFUND,
            command="grant_refund",
            payload=(method, comment),
            key=idempotency_key,
        )

    def record_refund_payment(
        self,
        actor: Actor,
        return_id: str,
        amount: Money,
        reference: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Start paying out (part of) the granted refund; the new payment is pending.

        Raises:
            ExcessAmount: Payments would exceed the refund granted.
        """
        reference = checked_text(reference, "reference")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: refunding.record_payment(
                order,
                actor,
                self._clock.now(),
                payment_id=self._ids.new_id(),
                amount=amount,
                reference=reference,
            ),
            needs=Permission.PAY_REFUND,
            command="record_refund_payment",
            payload=(amount, reference),
            key=idempotency_key,
        )

    def settle_refund_payment(
        self,
        actor: Actor,
        return_id: str,
        payment_id: str,
        succeeded: bool,
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Record whether a pending refund payment went through."""
        payment_id = checked_text(payment_id, "payment id")
        if not isinstance(succeeded, bool):
            raise InvalidInput(f"succeeded must be True or False, got {succeeded!r}")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: refunding.settle_payment(
                order,
                actor,
                self._clock.now(),
                payment_id=payment_id,
                succeeded=succeeded,
                chart=self.settings.chart,
            ),
            needs=Permission.PAY_REFUND,
            command="settle_refund_payment",
            payload=(payment_id, succeeded),
            key=idempotency_key,
        )
