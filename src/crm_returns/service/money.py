"""Money and goods after the decision: refunds, payments, stock and the books."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.journal import AccountBalance, JournalEntry, trial_balance
from crm_returns.domain.money import Money
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import refunding
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.dispositions import Location
from crm_returns.domain.stock.moves import StockMove, balances
from crm_returns.errors import InvalidInput
from crm_returns.service.core import ServiceCore, checked_id, checked_text

__all__ = ["MoneyAndStock"]


def _optional_text(value: object, what: str) -> str | None:
    return None if value is None else checked_id(value, what)


def _moment(value: object, what: str) -> datetime | None:
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
        raise InvalidInput(f"{what} must be a timezone-aware datetime, got {value!r}")
    return value


class MoneyAndStock(ServiceCore):
    """Refunds (granted, then paid), stock moves and balances, journal and trial balance."""

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
                chart=self._chart,
            ),
            needs=Permission.PAY_REFUND,
            command="settle_refund_payment",
            payload=(payment_id, succeeded),
            key=idempotency_key,
        )

    def stock_moves(
        self, actor: Actor, *, return_id: str | None = None, sku: str | None = None
    ) -> tuple[StockMove, ...]:
        """Stock moves of the tenant, oldest first, optionally of one return or SKU."""
        actor = self._authorise(actor, Permission.VIEW_BOOKS)
        return_id = _optional_text(return_id, "return id")
        sku = _optional_text(sku, "sku")
        with self._uow() as uow:
            return tuple(uow.stock.moves(actor.tenant_id, return_id=return_id, sku=sku))

    def stock_balances(
        self, actor: Actor, *, sku: str | None = None
    ) -> dict[tuple[str, Location], Decimal]:
        """Units by (SKU, location) moved by returns; virtual locations show what left them."""
        return balances(self.stock_moves(actor, sku=sku))

    def journal(
        self,
        actor: Actor,
        *,
        return_id: str | None = None,
        account_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> tuple[JournalEntry, ...]:
        """Journal entries: per return, per account, per period (``start`` ≤ at < ``end``)."""
        actor = self._authorise(actor, Permission.VIEW_BOOKS)
        with self._uow() as uow:
            return tuple(
                uow.journal.entries(
                    actor.tenant_id,
                    return_id=_optional_text(return_id, "return id"),
                    account_code=_optional_text(account_code, "account code"),
                    start=_moment(start, "start"),
                    end=_moment(end, "end"),
                )
            )

    def trial_balance(
        self,
        actor: Actor,
        *,
        return_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> tuple[AccountBalance, ...]:
        """Debit and credit totals per account, for one return or one period."""
        return trial_balance(self.journal(actor, return_id=return_id, start=start, end=end))
