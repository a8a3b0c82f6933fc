"""Building a journal entry from (account, side, amount) triples.

Zero amounts are left out (a refund without tax posts no tax line), but a
negative amount is a mistake in the caller's arithmetic: it is refused, never
dropped as if it were zero, so that the books cannot silently lose it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns.domain.books.accounts import DEFAULT_CHART as CHART
from crm_returns.domain.books.journal import EntryKind, JournalEntry, Side, entry, trial_balance
from crm_returns.domain.money import Money
from crm_returns.errors import InvalidInput

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def post(*lines: tuple[Side, Money]) -> JournalEntry | None:
    accounts = (CHART.sales_returns, CHART.tax_payable, CHART.receivable)
    return entry(
        entry_id="j-1",
        tenant_id="acme",
        return_id="r-1",
        number="CN-1",
        kind=EntryKind.REFUND,
        at=AT,
        memo="refund",
        lines=[
            (account, side, amount)
            for account, (side, amount) in zip(accounts, lines, strict=False)
        ],
    )


def test_a_ledger_entry_with_a_negative_posting_is_refused_not_dropped() -> None:
    with pytest.raises(InvalidInput, match="more than zero"):
        post(
            (Side.DEBIT, cny("10.00")),
            (Side.DEBIT, Money(Decimal("-1.00"), "CNY")),
            (Side.CREDIT, cny("10.00")),
        )


def test_a_ledger_entry_of_only_negative_amounts_is_refused_not_empty() -> None:
    with pytest.raises(InvalidInput, match="more than zero"):
        post(
            (Side.DEBIT, Money(Decimal("-1.00"), "CNY")),
            (Side.CREDIT, Money(Decimal("-1.00"), "CNY")),
        )


def test_only_an_amount_of_exactly_zero_is_zero() -> None:
    assert cny("0.00").is_zero
    assert not Money(Decimal("-0.01"), "CNY").is_zero
    assert not cny("0.01").is_zero


def test_the_trial_balance_adds_up_postings_to_the_same_account_and_side() -> None:
    first = post((Side.DEBIT, cny("10.00")), (Side.DEBIT, cny("0.00")), (Side.CREDIT, cny("10.00")))
    second = post((Side.DEBIT, cny("2.50")), (Side.DEBIT, cny("0.00")), (Side.CREDIT, cny("2.50")))
    assert first is not None
    assert second is not None
    rows = trial_balance([first, second])
    assert [(row.account, row.debit, row.credit) for row in rows] == [
        (CHART.receivable, cny("0.00"), cny("12.50")),
        (CHART.sales_returns, cny("12.50"), cny("0.00")),
    ]
