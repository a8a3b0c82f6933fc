"""What the demo prints of money and goods: refund breakdown, stock, journal, trial balance.

Every expected figure is read from the service the demo ran on.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from crm_returns.cli.books import trial_balance_table
from crm_returns.cli.demo import DEMO_SERIAL
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.wiring import DemoWiring
from crm_returns.cli.words import Language
from crm_returns.domain.books.accounts import DEFAULT_CHART, Account
from crm_returns.domain.books.journal import AccountBalance, EntryKind, Side
from crm_returns.domain.money import Money
from crm_returns.domain.refunds.grants import RefundGrant, RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.dispositions import Location
from crm_returns.labels import label

TableRows = Callable[[str, str], list[list[str]]]

TITLES: dict[Language, dict[str, str]] = {
    "en": {"journal": "Journal entries", "trial_balance": "Trial balance"},
    "zh": {"journal": "会计分录", "trial_balance": "试算平衡表"},
}


def amount(cell: str) -> Money:
    """A printed amount such as ``1,899.00 CNY`` read back."""
    number, currency = cell.split(" ")
    return Money(Decimal(number.replace(",", "")), currency)


def granted(order: ReturnOrder) -> RefundGrant:
    assert order.grant is not None
    return order.grant


def account_name(account: Account, language: Language) -> str:
    return f"{account.code} {account.name_zh if language == 'zh' else account.name}"


def test_refund_breakdown_adds_up_to_the_granted_amount_under_its_credit_note(
    english_text: str, english_order: ReturnOrder, table_rows: TableRows
) -> None:
    grant = granted(english_order)
    assert grant.credit_note is not None
    assert grant.credit_note.startswith("CN-")

    *lines, total = table_rows(english_text, f"Refund breakdown (credit note {grant.credit_note})")

    assert [row[:3] for row in lines] == [
        [str(line.ref), english_order.line(line.ref).sku, f"{line.units}"] for line in grant.lines
    ]
    assert [[amount(cell) for cell in row[3:]] for row in lines] == [
        [line.total, line.tax, line.shipping, line.fee, line.payable] for line in grant.lines
    ]
    assert total[0] == "Total"
    assert amount(total[-1]) == grant.amount == english_order.refund
    assert Money.total((amount(row[-1]) for row in lines), grant.currency) == grant.amount
    # The cables came back by the customer's choice: the policy's restocking fee is kept.
    assert amount(total[6]) == grant.fee
    assert grant.fee.amount > 0
    assert f"Refund granted: {grant.amount}" in english_text
    assert f"Outstanding: {grant.outstanding}" in english_text


def test_the_refund_is_paid_to_the_original_payment_and_settled(
    english_text: str, english_order: ReturnOrder
) -> None:
    grant = granted(english_order)
    payment = grant.payments[0]

    assert grant.method is RefundMethod.ORIGINAL_PAYMENT
    assert [payment.status for payment in grant.payments] == [PaymentStatus.SUCCEEDED]
    assert grant.fully_paid
    assert "Refund method: original payment" in english_text
    assert f"{payment.amount}, reference {payment.reference}, succeeded" in english_text


def test_stock_moves_show_the_monitor_going_to_repair_and_back_to_sellable(
    english_text: str, english_wiring: DemoWiring, english_order: ReturnOrder, table_rows: TableRows
) -> None:
    moves = english_wiring.service.stock_moves(
        english_wiring.staff.warehouse, return_id=english_order.id
    )
    rows = table_rows(english_text, "Stock moves")

    assert [(row[1], row[3]) for row in rows] == [(move.sku, f"{move.quantity}") for move in moves]
    assert [(m.source, m.destination) for m in moves if m.sku == "MON-27"] == [
        (Location.CUSTOMER, Location.RECEIVING),
        (Location.RECEIVING, Location.REPAIR),
        (Location.REPAIR, Location.SELLABLE),
    ]
    assert [(row[2], row[4], row[5]) for row in rows if row[1] == "MON-27"] == [
        ("Customer → Returns receiving", DEMO_SERIAL, "receipt"),
        ("Returns receiving → Repair", "", "repair"),
        ("Repair → Sellable stock", "", "repaired, restocked"),
    ]
    assert [row[2:4] for row in rows if row[1] == "CBL-02" and row[5] == "back to customer"] == [
        ["Returns receiving → Customer", "1"]
    ]


def test_stock_balances_are_the_services_and_every_row_sums_to_zero(
    english_text: str, english_wiring: DemoWiring, table_rows: TableRows
) -> None:
    balances = english_wiring.service.stock_balances(english_wiring.staff.warehouse)

    rows = table_rows(english_text, "Stock balances by SKU and location")

    # The lamp of the second return came back after the table was printed.
    assert sorted(row[0] for row in rows) == sorted({sku for sku, _ in balances} - {"LMP-05"})
    for sku, *units, total in rows:
        assert units == [f"{balances.get((sku, where), Decimal(0))}" for where in Location]
        assert total == "0"
    assert balances[("MON-27", Location.SELLABLE)] == 1


def test_journal_and_trial_balance_totals_agree_with_the_service(
    demo_text: str,
    demo_wiring: DemoWiring,
    demo_order: ReturnOrder,
    language: Language,
    table_rows: TableRows,
) -> None:
    service, finance = demo_wiring.service, demo_wiring.staff.finance
    entries = service.journal(finance, return_id=demo_order.id)
    accounts = service.trial_balance(finance, return_id=demo_order.id)
    debit = Money.total((account.debit for account in accounts), demo_order.currency)
    credit = Money.total((account.credit for account in accounts), demo_order.currency)

    *postings, journal_total = table_rows(demo_text, TITLES[language]["journal"])
    *balances, trial_total = table_rows(demo_text, TITLES[language]["trial_balance"])

    assert debit == credit
    assert [amount(cell) for cell in journal_total[3:]] == [debit, credit]
    assert [amount(cell) for cell in trial_total[1:3]] == [debit, credit]
    assert [(row[2], row[3], row[4]) for row in postings] == [
        (
            account_name(posting.account, language),
            str(posting.amount) if posting.side is Side.DEBIT else "",
            str(posting.amount) if posting.side is Side.CREDIT else "",
        )
        for entry in entries
        for posting in entry.postings
    ]
    assert [row[0] for row in balances] == [
        account_name(account.account, language) for account in accounts
    ]


def test_the_refund_entry_is_numbered_by_its_credit_note(
    english_text: str, english_wiring: DemoWiring, english_order: ReturnOrder, table_rows: TableRows
) -> None:
    entries = english_wiring.service.journal(
        english_wiring.staff.finance, return_id=english_order.id
    )

    postings = table_rows(english_text, "Journal entries")[:-1]

    numbers = [(row[0], row[1]) for row in postings if row[0]]
    assert numbers == [(label(entry.kind, "en"), entry.number) for entry in entries]
    assert ("Refund (credit note)", granted(english_order).credit_note) in numbers
    assert {entry.kind for entry in entries} >= {EntryKind.REFUND, EntryKind.REFUND_PAYMENT}


def printed(table: Table) -> str:
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(table)
    return console.export_text()


def test_the_trial_balance_says_whether_debits_equal_credits() -> None:
    words, chart = Phrasebook("en"), DEFAULT_CHART
    ten, zero = Money(Decimal("10.00"), "CNY"), Money.zero("CNY")
    balanced = (AccountBalance(chart.receivable, ten, zero), AccountBalance(chart.cash, zero, ten))
    lopsided = (AccountBalance(chart.receivable, ten, zero),)

    assert words.word("balanced") in printed(trial_balance_table(words, balanced))
    assert words.word("unbalanced") in printed(trial_balance_table(words, lopsided))
    assert words.word("balanced") not in printed(trial_balance_table(words, lopsided))
