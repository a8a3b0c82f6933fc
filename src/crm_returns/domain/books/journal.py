"""Double-entry bookkeeping for returns: accounts, journal entries, trial balance.

Every :class:`JournalEntry` balances — debits equal credits — or it cannot be
built.  The chart of accounts maps the roles the library posts to (sales
returns, tax payable, ...) onto the host's own account codes.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import attrs

from crm_returns.domain._checks import moment, values_of
from crm_returns.domain.books.accounts import Account
from crm_returns.domain.money import Money
from crm_returns.errors import InvalidInput

__all__ = [
    "AccountBalance",
    "EntryKind",
    "JournalEntry",
    "Posting",
    "Side",
    "entry",
    "trial_balance",
]


class Side(enum.Enum):
    """Debit or credit."""

    DEBIT = "debit"
    CREDIT = "credit"


class EntryKind(enum.Enum):
    """Why a journal entry was posted."""

    REFUND = "refund"
    REFUND_PAYMENT = "refund_payment"
    RESTOCK = "restock"
    REPAIR = "repair"
    QUARANTINE = "quarantine"
    SCRAP = "scrap"
    VENDOR_RETURN = "vendor_return"


@attrs.frozen
class Posting:
    """One side of a journal entry.

    Attributes:
        account: The account.
        side: Debit or credit.
        amount: More than zero.
    """

    account: Account
    side: Side
    amount: Money

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.account, Account) or not isinstance(self.amount, Money):
            raise InvalidInput("a posting is an Account and an amount of Money")
        if self.amount.amount <= 0:
            raise InvalidInput(f"a posting to {self.account.code} must be more than zero")


def _postings(postings: Iterable[Posting]) -> tuple[Posting, ...]:
    return values_of(postings, Posting, "postings")


@attrs.frozen(kw_only=True)
class JournalEntry:
    """A balanced set of postings.

    Attributes:
        id: Stable id; integrations can use it as an idempotency key.
        tenant_id: The tenant.
        return_id: The return it belongs to.
        number: The return's number, or the credit note's for a refund.
        kind: Why it was posted.
        at: When.
        memo: Readable description.
        postings: Debits and credits; they balance.

    Raises:
        InvalidInput: No postings, several currencies, or debits ≠ credits.
    """

    id: str
    tenant_id: str
    return_id: str
    number: str
    kind: EntryKind
    at: datetime = attrs.field(validator=moment)
    memo: str = ""
    postings: tuple[Posting, ...] = attrs.field(converter=_postings)

    def __attrs_post_init__(self) -> None:
        if not self.postings:
            raise InvalidInput(f"journal entry {self.id} has no postings")
        currencies = {posting.amount.currency for posting in self.postings}
        if len(currencies) != 1:
            raise InvalidInput(f"journal entry {self.id} mixes currencies {sorted(currencies)}")
        if self.total(Side.DEBIT) != self.total(Side.CREDIT):
            raise InvalidInput(
                f"journal entry {self.id} does not balance: debits {self.total(Side.DEBIT)}, "
                f"credits {self.total(Side.CREDIT)}"
            )

    @property
    def currency(self) -> str:
        """The entry's currency."""
        return self.postings[0].amount.currency

    def total(self, side: Side) -> Money:
        """Sum of the postings on ``side``."""
        return Money.total((p.amount for p in self.postings if p.side is side), self.currency)


def entry(
    *,
    entry_id: str,
    tenant_id: str,
    return_id: str,
    number: str,
    kind: EntryKind,
    at: datetime,
    memo: str,
    lines: Iterable[tuple[Account, Side, Money]],
) -> JournalEntry | None:
    """A journal entry from ``(account, side, amount)`` triples; zero amounts are left out.

    Returns ``None`` when every amount is zero (nothing to post).
    """
    postings = tuple(Posting(a, side, amount) for a, side, amount in lines if not amount.is_zero)
    if not postings:
        return None
    return JournalEntry(
        id=entry_id,
        tenant_id=tenant_id,
        return_id=return_id,
        number=number,
        kind=kind,
        at=at,
        memo=memo,
        postings=postings,
    )


@attrs.frozen
class AccountBalance:
    """Totals of one account in one currency.

    Attributes:
        account: The account.
        debit: Sum of debits.
        credit: Sum of credits.
    """

    account: Account
    debit: Money
    credit: Money

    @property
    def balance(self) -> Money:
        """Debits less credits (positive: a debit balance)."""
        return self.debit - self.credit


def trial_balance(entries: Iterable[JournalEntry]) -> tuple[AccountBalance, ...]:
    """Debit and credit totals per account and currency, sorted by account code.

    Because every entry balances, the debits of a currency always equal its credits.
    """
    totals: defaultdict[tuple[Account, str], dict[Side, Money]] = defaultdict(dict)
    for journal_entry in entries:
        for posting in journal_entry.postings:
            sides = totals[(posting.account, posting.amount.currency)]
            zero = Money.zero(posting.amount.currency)
            sides[posting.side] = sides.get(posting.side, zero) + posting.amount
    return tuple(
        AccountBalance(
            account,
            sides.get(Side.DEBIT, Money.zero(currency)),
            sides.get(Side.CREDIT, Money.zero(currency)),
        )
        for (account, currency), sides in sorted(
            totals.items(), key=lambda item: (item[0][0].code, item[0][1])
        )
    )
