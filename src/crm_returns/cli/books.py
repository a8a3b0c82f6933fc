"""The demo's tables of money and goods: refund breakdown, stock moves and balances, journal.

Totals printed here are summed from the same values the rows show, so that a
reader can add up any column by hand and land on the footer.  Needs the
``cli`` extra (``rich``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from rich.table import Table
from rich.text import Text

from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.tables import pairs, quantity_text, table, time_text
from crm_returns.domain.books.journal import AccountBalance, JournalEntry, Side
from crm_returns.domain.money import Money
from crm_returns.domain.refunds.grants import RefundGrant
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.dispositions import Location
from crm_returns.domain.stock.moves import StockMove

__all__ = [
    "balances_table",
    "grant_summary",
    "journal_table",
    "moves_table",
    "refund_table",
    "trial_balance_table",
]

_REFUND_COLUMNS = ("line", "sku", "units", "paid", "tax", "shipping", "fee", "payable")
_MOVE_COLUMNS = ("time", "sku", "move", "units", "serials", "move_reason")
_JOURNAL_COLUMNS = ("entry_kind", "entry_number", "account", "debit", "credit")
_TRIAL_COLUMNS = ("account", "debit", "credit", "balance")


def _footed(made: Table, footers: Sequence[str]) -> Table:
    """Show ``footers`` under the columns of ``made``, one per column, in bold."""
    made.show_footer = True
    made.footer_style = "bold"
    for column, footer in zip(made.columns, footers, strict=True):
        column.footer = footer
    return made


def refund_table(words: Phrasebook, order: ReturnOrder, grant: RefundGrant) -> Table:
    """The refund granted for ``order`` per line, with totals; the title names the credit note."""
    credit_note = grant.credit_note or words.word("no_credit_note")
    made = table(
        words,
        words.word("refund_table", credit_note=credit_note),
        _REFUND_COLUMNS,
        numeric=6,
        whole=2,
    )
    for line in grant.lines:
        made.add_row(
            Text(str(line.ref)),
            Text(order.line(line.ref).sku),
            quantity_text(line.units),
            str(line.total),
            str(line.tax),
            str(line.shipping),
            str(line.fee),
            Text(str(line.payable), style="bold"),
        )

    def total(amounts: Iterable[Money]) -> str:
        return str(Money.total(amounts, grant.currency))

    lines = grant.lines
    return _footed(
        made,
        (
            words.word("total"),
            "",
            quantity_text(sum((line.units for line in lines), Decimal(0))),
            total(line.total for line in lines),
            total(line.tax for line in lines),
            total(line.shipping for line in lines),
            total(line.fee for line in lines),
            total(line.payable for line in lines),
        ),
    )


def grant_summary(words: Phrasebook, grant: RefundGrant) -> Text:
    """Method, credit note, amount granted, paid and outstanding, and each payment."""
    payments = "\n".join(
        words.word(
            "payment",
            amount=payment.amount,
            reference=payment.reference or payment.id,
            status=words.label(payment.status),
        )
        for payment in grant.payments
    )
    return pairs(
        (words.word("method"), words.label(grant.method)),
        (words.word("credit_note"), grant.credit_note or words.word("no_credit_note")),
        (words.word("granted"), str(grant.amount)),
        (words.word("payments"), payments or "—"),
        (words.word("paid_out"), str(grant.paid)),
        (words.word("outstanding"), str(grant.outstanding)),
    )


def moves_table(words: Phrasebook, moves: Iterable[StockMove]) -> Table:
    """Every stock move, oldest first: when, what, from where to where, how many, why."""
    made = table(words, words.word("moves"), _MOVE_COLUMNS, numeric=0, whole=2)
    units = made.columns[_MOVE_COLUMNS.index("units")]
    units.justify, units.no_wrap = "right", True
    for move in moves:
        made.add_row(
            Text(time_text(move.at)),
            Text(move.sku),
            Text(f"{words.label(move.source)} → {words.label(move.destination)}"),
            quantity_text(move.quantity),
            Text(", ".join(move.serial_numbers)),
            Text(words.label(move.reason)),
        )
    return made


def balances_table(words: Phrasebook, balances: Mapping[tuple[str, Location], Decimal]) -> Table:
    """Units by SKU (rows) and location (columns), with each row's sum: zero when conserved."""
    made = Table(
        title=Text(words.word("balances"), style="bold"),
        title_justify="left",
        header_style="bold",
        caption=words.word("balances_note"),
        caption_justify="left",
    )
    made.add_column(words.word("sku"), no_wrap=True)
    for location in Location:
        mark = "*" if location.virtual else ""
        made.add_column(f"{words.label(location)}{mark}", justify="right", no_wrap=True)
    made.add_column(words.word("total"), justify="right", no_wrap=True)
    for sku in dict.fromkeys(sku for sku, _ in balances):
        units = [balances.get((sku, location), Decimal(0)) for location in Location]
        made.add_row(
            Text(sku),
            *(Text(quantity_text(count), style="" if count else "dim") for count in units),
            quantity_text(sum(units, Decimal(0))),
        )
    return made


def _per_currency(amounts: Iterable[Money]) -> dict[str, Money]:
    """Amounts added up per currency."""
    grouped: defaultdict[str, list[Money]] = defaultdict(list)
    for amount in amounts:
        grouped[amount.currency].append(amount)
    return {currency: Money.total(each, currency) for currency, each in grouped.items()}


def _sums(amounts: Iterable[Money]) -> str:
    """Amounts added up per currency, one total per line."""
    return "\n".join(str(total) for total in _per_currency(amounts).values())


def journal_table(words: Phrasebook, entries: Sequence[JournalEntry]) -> Table:
    """Journal entries, one row per posting, each entry in its own section, with totals."""
    made = table(words, words.word("journal"), _JOURNAL_COLUMNS, numeric=2, whole=2)
    for entry in entries:
        for index, posting in enumerate(entry.postings):
            debit = str(posting.amount) if posting.side is Side.DEBIT else ""
            credit = str(posting.amount) if posting.side is Side.CREDIT else ""
            first = index == 0
            made.add_row(
                Text(words.label(entry.kind) if first else ""),
                Text(entry.number if first else ""),
                # Credits are indented under debits, as in a handwritten journal.
                Text(("" if posting.side is Side.DEBIT else "  ") + words.account(posting.account)),
                debit,
                credit,
                end_section=index == len(entry.postings) - 1,
            )
    return _footed(
        made,
        (
            words.word("total"),
            "",
            "",
            _sums(entry.total(Side.DEBIT) for entry in entries),
            _sums(entry.total(Side.CREDIT) for entry in entries),
        ),
    )


def trial_balance_table(words: Phrasebook, accounts: Sequence[AccountBalance]) -> Table:
    """Debit and credit totals per account; the footer's totals agree when the books balance."""
    made = table(words, words.word("trial_balance"), _TRIAL_COLUMNS, numeric=3, whole=1)
    for account in accounts:
        made.add_row(
            Text(words.account(account.account)),
            str(account.debit),
            str(account.credit),
            str(account.balance),
        )
    debits = _per_currency(account.debit for account in accounts)
    credits = _per_currency(account.credit for account in accounts)
    made.caption = words.word("balanced" if debits == credits else "unbalanced")
    made.caption_justify = "left"
    return _footed(
        made,
        (
            words.word("total"),
            _sums(debits.values()),
            _sums(credits.values()),
            _sums(account.balance for account in accounts),
        ),
    )
