"""The books: journal entries and the trial balance, per return, account or period."""

from __future__ import annotations

from datetime import datetime

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.journal import AccountBalance, JournalEntry, trial_balance
from crm_returns.domain.policies.access import Permission
from crm_returns.service.checks import (
    checked_moment,
    checked_optional_id,
)
from crm_returns.service.template import ServiceCore

__all__ = ["Books"]


class Books(ServiceCore):
    """Read the journal and the trial balance."""

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
                    return_id=checked_optional_id(return_id, "return id"),
                    account_code=checked_optional_id(account_code, "account code"),
                    start=checked_moment(start, "start"),
                    end=checked_moment(end, "end"),
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
