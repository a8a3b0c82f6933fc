"""``crm-returns demo``: one return, from the customer's request to their feedback, on sample data.

Everything runs on the sample shop of :mod:`crm_returns.samples`
(:func:`~crm_returns.cli.wiring.wire_demo`), in memory unless a database is
given; the manual clock is moved between steps so that the audit trail reads
like a real week in a warehouse.  The customer, 张伟, finds their delivered
lines in the shop's portal, previews and asks for the return of three lines of
one order with a photo of the cracked screen (:mod:`crm_returns.cli.demo_walk`);
each line ends differently: the mice are restocked; of the cables, two are
restocked and one, cut by the customer, is sent back (the customer changed
their mind, so a restocking fee is kept); the monitor, damaged in transit,
goes to repair and back to sellable stock.  Customer service accepts the
request, the manager and the inspector approve, a carrier picks the parcel up
with a label and reports it in transit and delivered, the customer calls about
the pickup; the warehouse receives, the inspector inspects, finance grants the
refund with its credit note (红字凭证), pays, settles and completes; customer
service calls the customer back, and the customer scores the return.  Then the
stock moves, balances, journal entries, trial balance and audit trail are
printed; the return's events go through the relay to the e-mail notifier,
which sends them over SMTP to a server on 127.0.0.1 started for the demo (each
e-mail to the customer logged as a contact), and what it received is printed.
Then the customer side (:mod:`crm_returns.cli.demo_customer`): the photo, the
tracking, the contacts, the feedback, and what the customer sees.  Last,
records are retired (:mod:`crm_returns.cli.demo_retention`): a return is
archived and, 31 years on, a destruction plan is proposed and printed, as a
dry run.  Needs the ``cli`` extra (``rich``, ``aiosmtpd``, ``jinja2``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.text import Text

from crm_returns.cli.books import (
    balances_table,
    grant_summary,
    journal_table,
    moves_table,
    refund_table,
    trial_balance_table,
)
from crm_returns.cli.demo_customer import show_customer_side
from crm_returns.cli.demo_report import report_month
from crm_returns.cli.demo_retention import retire_records
from crm_returns.cli.demo_walk import DEMO_SERIAL, walk
from crm_returns.cli.mailbox import local_mailbox, notifier_to, plain_text
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.tables import (
    audit_table,
    lines_table,
    pairs,
    preview_table,
    return_summary,
    returnable_table,
)
from crm_returns.cli.wiring import DemoWiring, wire_demo
from crm_returns.cli.words import Language
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.queries import LineQuery
from crm_returns.domain.refunds.grants import RefundGrant
from crm_returns.domain.returns.lines import RequestedLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import CrmReturnsError
from crm_returns.samples import sample_contacts
from crm_returns.service.commands import ReturnRequest

__all__ = ["CONTACT_LANGUAGE", "DEMO_CUSTOMER", "DEMO_SERIAL", "demo_request", "run_demo"]

#: The language the demo's people read their e-mails in, by the demo's language.
CONTACT_LANGUAGE: dict[Language, str] = {"zh": "zh-CN", "en": "en"}

#: The customer whose delivered lines the demo returns.
DEMO_CUSTOMER = "C-1001"

_MOUSE, _CABLE, _MONITOR = (LineRef("SO-1001", line) for line in ("1", "2", "3"))


def run_demo(
    language: Language,
    console: Console,
    wiring: DemoWiring | None = None,
    chart: Path | None = None,
) -> ReturnOrder:
    """Walk one return through its whole life and print each step.

    Args:
        language: The language to print in.
        console: Where to print.
        wiring: The service to use; a fresh in-memory :func:`wire_demo` if not given.
        chart: Where to write the month's reasons chart (PNG or SVG); none if not given.

    Returns:
        The completed return order.
    """
    wiring = wire_demo() if wiring is None else wiring
    words = Phrasebook(language)
    service, clerk = wiring.service, wiring.staff.clerk
    catalog = service.reason_catalog(clerk)
    console.rule(Text(words.word("title"), style="bold"))

    customer = wiring.staff.customer
    _section(console, words.word("customer_search", customer=customer.name))
    found = service.search_my_lines(customer, LineQuery())
    # A page of delivered lines always counts them all.
    counted = len(found.items) if found.total is None else found.total
    console.print(returnable_table(words, found.items, counted))

    wiring.clock.advance(timedelta(minutes=12))
    request = demo_request(language)
    _section(console, words.word("customer_preview"))
    preview = service.preview_my_return(customer, request)
    console.print(preview_table(words, catalog, preview))
    fee = Money.total((line.fee for line in preview.refund_lines), preview.refund.currency)
    console.print(
        pairs(
            (words.word("estimated_refund"), str(preview.refund)),
            (words.word("estimated_fee"), str(fee)),
        )
    )

    _section(console, words.word("customer_lifecycle"))
    order = walk(console, words, wiring, request)

    _section(console, words.word("result"))
    console.print(return_summary(words, order))
    console.print()
    console.print(lines_table(words, catalog, order))

    _section(console, words.word("refund_step"))
    grant = _granted(order)
    console.print(refund_table(words, order, grant))
    console.print(grant_summary(words, grant))

    _section(console, words.word("stock_step"))
    warehouse, finance = wiring.staff.warehouse, wiring.staff.finance
    console.print(moves_table(words, service.stock_moves(warehouse, return_id=order.id)))
    console.print()
    console.print(balances_table(words, service.stock_balances(warehouse)))

    _section(console, words.word("ledger_step"))
    console.print(journal_table(words, service.journal(finance, return_id=order.id)))
    console.print()
    console.print(trial_balance_table(words, service.trial_balance(finance, return_id=order.id)))

    _section(console, words.word("audit_step"))
    console.print(audit_table(words, service.audit_trail(clerk, order.id)))

    _mail(console, words, wiring, language)

    _section(console, words.word("customer_side_step"))
    show_customer_side(console, words, wiring, order)

    _section(console, words.word("retention_step"))
    retire_records(console, words, wiring, order)

    _section(console, words.word("report_step"))
    report_month(console, words, wiring, order, chart)
    return order


def _mail(console: Console, words: Phrasebook, wiring: DemoWiring, language: Language) -> None:
    """Relay the return's events to the e-mail notifier, over SMTP to a local server; print them."""
    contacts = sample_contacts(wiring.staff.clerk.tenant_id, CONTACT_LANGUAGE[language])
    with local_mailbox() as mailbox:
        # Each e-mail to the customer is logged as a contact with them, once.
        notifier = notifier_to(mailbox, contacts, wiring.service.notification_log())
        wiring.service.relay([notifier]).run_until_idle()
    _section(console, words.word("mail_step", count=len(mailbox.received)))
    for message in mailbox.received:
        console.print()
        console.print(
            pairs(
                (words.word("mail_to"), str(message["To"])),
                (words.word("mail_subject"), str(message["Subject"])),
            )
        )
        console.print(Text(plain_text(message), style="dim"))


def _granted(order: ReturnOrder) -> RefundGrant:
    """The refund granted for ``order``; the scenario grants it before it needs it."""
    if order.grant is None:
        raise CrmReturnsError(f"the demo expected a refund granted for return {order.number}")
    return order.grant


def _section(console: Console, heading: str) -> None:
    console.print()
    console.rule(heading, align="left")


def demo_request(language: Language) -> ReturnRequest:
    """What the demo's customer returns: three lines of one order, each for another reason."""
    words = Phrasebook(language)
    return ReturnRequest(
        lines=(
            RequestedLine(_MOUSE, Decimal(2), "quality_defect", words.scenario("note_mouse")),
            RequestedLine(_CABLE, Decimal(3), "changed_requirement", words.scenario("note_cable")),
            RequestedLine(
                _MONITOR, Decimal(1), "damaged_in_transit", words.scenario("note_monitor")
            ),
        ),
        note=words.scenario("customer_note"),
    )
