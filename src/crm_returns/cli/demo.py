"""``crm-returns demo``: one return, from search to refund, on sample data.

Everything runs on the sample shop of :mod:`crm_returns.samples`
(:func:`~crm_returns.cli.wiring.wire_demo`), in memory unless a database is
given; the manual clock is moved between steps so that the audit trail reads
like a real week in a warehouse.  The scenario returns three lines of one order, each
ending differently: the mice are restocked; of the cables, two are restocked
and one, cut by the customer, is sent back (the customer changed their mind,
so a restocking fee is kept); the monitor, damaged in transit, goes to repair
and back to sellable stock.  The refund is granted with its credit note
(红字凭证), paid and settled, and the return completed; then the stock moves,
balances, journal entries and trial balance of the return are printed.  Each
step is taken by the person whose job it is, as the default roles allow: the
clerk requests, the manager and the inspector approve, the warehouse receives
and finishes the repair, the inspector inspects, finance grants, pays and
completes; the warehouse reads the stock and finance the books.  Last, the
return's events go through the relay to the e-mail notifier, which sends them
over SMTP to a server on 127.0.0.1 started for the demo, and what it received
is printed: the approval requests, the customer's e-mails, the warehouse's and
finance's.  Then records are retired (:mod:`crm_returns.cli.demo_retention`):
the return is archived and, 31 years on, a destruction plan is proposed and
printed, as a dry run.  Needs the ``cli`` extra (``rich``, ``aiosmtpd``, ``jinja2``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crm_returns.cli.books import (
    balances_table,
    grant_summary,
    journal_table,
    moves_table,
    refund_table,
    trial_balance_table,
)
from crm_returns.cli.demo_retention import retire_records
from crm_returns.cli.mailbox import local_mailbox, notifier_to, plain_text
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.tables import (
    audit_table,
    lines_table,
    pairs,
    preview_table,
    return_summary,
    returnable_table,
    time_text,
)
from crm_returns.cli.wiring import DemoWiring, wire_demo
from crm_returns.cli.words import Language
from crm_returns.domain.actors import Actor
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.queries import LineQuery
from crm_returns.domain.refunds.grants import RefundGrant
from crm_returns.domain.returns.lines import Inspection, Receipt, RequestedLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import Action
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome
from crm_returns.errors import CrmReturnsError
from crm_returns.samples import sample_contacts
from crm_returns.service.commands import ReturnRequest

__all__ = ["CONTACT_LANGUAGE", "DEMO_CUSTOMER", "DEMO_SERIAL", "demo_request", "run_demo"]

#: The language the demo's people read their e-mails in, by the demo's language.
CONTACT_LANGUAGE: dict[Language, str] = {"zh": "zh-CN", "en": "en"}

#: The customer whose delivered lines the demo returns.
DEMO_CUSTOMER = "C-1001"

#: The serial number of the monitor that comes back.
DEMO_SERIAL = "MON27-0002"

_MOUSE, _CABLE, _MONITOR = (LineRef("SO-1001", line) for line in ("1", "2", "3"))


def run_demo(language: Language, console: Console, wiring: DemoWiring | None = None) -> ReturnOrder:
    """Walk one return through its whole life and print each step.

    Args:
        language: The language to print in.
        console: Where to print.
        wiring: The service to use; a fresh in-memory :func:`wire_demo` if not given.

    Returns:
        The completed return order.
    """
    wiring = wire_demo() if wiring is None else wiring
    words = Phrasebook(language)
    service, clerk = wiring.service, wiring.staff.clerk
    catalog = service.reason_catalog(clerk)
    console.rule(Text(words.word("title"), style="bold"))

    _section(console, words.word("search", customer=DEMO_CUSTOMER))
    found = service.search_returnable_lines(clerk, LineQuery(customer_id=DEMO_CUSTOMER))
    console.print(returnable_table(words, found.items, found.total))

    wiring.clock.advance(timedelta(minutes=12))
    request = demo_request(language)
    _section(console, words.word("preview"))
    preview = service.preview_return(clerk, request)
    console.print(preview_table(words, catalog, preview))
    steps = " → ".join(words.step(step.name) for step in preview.steps)
    fee = Money.total((line.fee for line in preview.refund_lines), preview.refund.currency)
    console.print(
        pairs(
            (words.word("estimated_refund"), str(preview.refund)),
            (words.word("estimated_fee"), str(fee)),
            (words.word("steps"), steps or words.word("auto_approved")),
        )
    )

    _section(console, words.word("lifecycle"))
    order = _walk(console, words, wiring, request)

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

    _section(console, words.word("retention_step"))
    retire_records(console, words, wiring, order)
    return order


def _mail(console: Console, words: Phrasebook, wiring: DemoWiring, language: Language) -> None:
    """Relay the return's events to the e-mail notifier, over SMTP to a local server; print them."""
    contacts = sample_contacts(wiring.staff.clerk.tenant_id, CONTACT_LANGUAGE[language])
    with local_mailbox() as mailbox:
        wiring.service.relay([notifier_to(mailbox, contacts)]).run_until_idle()
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
        note=words.scenario("request"),
    )


def _walk(
    console: Console, words: Phrasebook, wiring: DemoWiring, request: ReturnRequest
) -> ReturnOrder:
    """Create, approve, receive, inspect, repair, refund, pay and complete, over five days."""
    service, clock, progress = wiring.service, wiring.clock, Table.grid(padding=(0, 2))
    staff = wiring.staff

    def done(actor: Actor, action: Action, order: ReturnOrder, then: timedelta) -> str:
        progress.add_row(
            Text(time_text(order.updated_at), style="dim"),
            Text(actor.name),
            Text(words.label(action)),
            Text(f"{order.number} → {words.status(order.status)}", style="bold"),
        )
        clock.advance(then)
        return order.id

    order = service.create_return(staff.clerk, request)
    rid = done(staff.clerk, Action.DRAFT, order, timedelta(minutes=3))
    order = service.submit_return(staff.clerk, rid)
    done(staff.clerk, Action.SUBMIT, order, timedelta(hours=1, minutes=40))
    order = service.approve_return(staff.approver, rid, words.scenario("approve_manager"))
    done(staff.approver, Action.APPROVE, order, timedelta(hours=2, minutes=5))
    order = service.approve_return(staff.inspector, rid, words.scenario("approve_quality"))
    done(staff.inspector, Action.APPROVE, order, timedelta(days=1, hours=1, minutes=30))
    order = service.receive_goods(
        staff.warehouse,
        rid,
        {_MOUSE: Receipt(received=Decimal(2))},
        words.scenario("receive_first"),
    )
    done(staff.warehouse, Action.RECEIVE, order, timedelta(days=1, hours=2, minutes=15))
    monitor = Receipt(
        received=Decimal(1), damaged_in_transit=Decimal(1), serial_numbers=[DEMO_SERIAL]
    )
    order = service.receive_goods(
        staff.warehouse,
        rid,
        {_CABLE: Receipt(received=Decimal(3)), _MONITOR: monitor},
        words.scenario("receive_rest"),
    )
    done(staff.warehouse, Action.RECEIVE, order, timedelta(hours=17))
    order = service.inspect_goods(
        staff.inspector,
        rid,
        {
            _MOUSE: Inspection(accepted=Decimal(2), disposition=Disposition.RESTOCK),
            _CABLE: Inspection(
                accepted=Decimal(2),
                rejected=Decimal(1),
                disposition=Disposition.RESTOCK,
                rejected_outcome=RejectOutcome.SEND_BACK,
            ),
            _MONITOR: Inspection(accepted=Decimal(1), disposition=Disposition.REPAIR),
        },
        words.scenario("inspect"),
    )
    done(staff.inspector, Action.INSPECT, order, timedelta(days=2, hours=5, minutes=35))
    order = service.finish_repair(
        staff.warehouse, rid, _MONITOR, Decimal(1), Disposition.RESTOCK, words.scenario("repair")
    )
    done(staff.warehouse, Action.FINISH_REPAIR, order, timedelta(minutes=50))
    # Finance grants the refund, pays it out and closes the return.
    finance = staff.finance
    order = service.grant_refund(finance, rid, comment=words.scenario("grant"))
    done(finance, Action.GRANT_REFUND, order, timedelta(minutes=25))
    reference = words.scenario("payment_reference")
    order = service.record_refund_payment(finance, rid, _granted(order).amount, reference)
    # The payment provider confirms the next morning.
    done(finance, Action.RECORD_PAYMENT, order, timedelta(hours=16))
    payment = _granted(order).payments[-1]
    order = service.settle_refund_payment(finance, rid, payment.id, succeeded=True)
    done(finance, Action.SETTLE_PAYMENT, order, timedelta(minutes=30))
    order = service.complete_return(finance, rid, words.scenario("complete"))
    done(finance, Action.COMPLETE, order, timedelta(0))
    console.print(progress)
    return order
