"""``crm-returns demo``: one return, from search to refund, on sample data.

Everything runs in memory on :func:`crm_returns.testing.sample_wiring`; the
manual clock is moved between steps so that the audit trail reads like a real
week in a warehouse.  Needs the ``cli`` extra (``rich``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crm_returns.cli.labels import Language, Phrasebook
from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.lines import Inspection, Receipt, RequestedLine, ReturnLine
from crm_returns.domain.orders import LineRef
from crm_returns.domain.planning import ReturnableLine
from crm_returns.domain.queries import LineQuery
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns import ReturnOrder
from crm_returns.domain.states import Action
from crm_returns.service.commands import ReturnPreview, ReturnRequest
from crm_returns.testing import Wiring, sample_wiring

__all__ = ["DEMO_CUSTOMER", "run_demo"]

#: The customer whose delivered lines the demo returns.
DEMO_CUSTOMER = "C-1001"

_MOUSE, _CABLE, _MONITOR = (LineRef("SO-1001", line) for line in ("1", "2", "3"))

_RETURNABLE_COLUMNS = (
    "order_number", "line", "sku", "product",
    "delivered", "already_returned", "returnable", "unit_price",
)  # fmt: skip
_LINE_COLUMNS = (
    "line", "sku", "reason",
    "requested", "approved", "received", "accepted", "rejected", "refund",
)  # fmt: skip


def run_demo(language: Language, console: Console, wiring: Wiring | None = None) -> ReturnOrder:
    """Walk one return through its whole life and print each step.

    Args:
        language: The language to print in.
        console: Where to print.
        wiring: The in-memory service to use; a fresh :func:`sample_wiring` if not given.

    Returns:
        The completed return order.
    """
    wiring = sample_wiring() if wiring is None else wiring
    words = Phrasebook(language)
    service = wiring.service
    catalog = service.reason_catalog(wiring.clerk)
    console.rule(Text(words.word("title"), style="bold"))

    _section(console, words.word("search", customer=DEMO_CUSTOMER))
    found = service.search_returnable_lines(wiring.clerk, LineQuery(customer_id=DEMO_CUSTOMER))
    console.print(_returnable_table(words, found.items, found.total))

    wiring.clock.advance(timedelta(minutes=12))
    request = _request(words)
    _section(console, words.word("preview"))
    _print_preview(console, words, catalog, service.preview_return(wiring.clerk, request))

    _section(console, words.word("lifecycle"))
    order = _walk(console, words, wiring, request)

    _section(console, words.word("result"))
    _print_return(console, words, catalog, order)
    console.print()
    console.print(_audit_table(words, service.audit_trail(wiring.clerk, order.id)))
    return order


def _section(console: Console, heading: str) -> None:
    console.print()
    console.rule(heading, align="left")


def _request(words: Phrasebook) -> ReturnRequest:
    """Three lines of one order, each with a different reason."""
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
    console: Console, words: Phrasebook, wiring: Wiring, request: ReturnRequest
) -> ReturnOrder:
    """Create, approve, receive, inspect and complete the return, over three days."""
    service, clock, progress = wiring.service, wiring.clock, Table.grid(padding=(0, 2))

    def done(actor: Actor, action: Action, order: ReturnOrder, then: timedelta) -> str:
        progress.add_row(
            Text(_time(order.updated_at), style="dim"),
            Text(actor.name),
            Text(words.action(action)),
            Text(f"{order.number} → {words.status(order.status)}", style="bold"),
        )
        clock.advance(then)
        return order.id

    order = service.create_return(wiring.clerk, request)
    rid = done(wiring.clerk, Action.DRAFT, order, timedelta(minutes=3))
    order = service.submit_return(wiring.clerk, rid)
    done(wiring.clerk, Action.SUBMIT, order, timedelta(hours=1, minutes=40))
    order = service.approve_return(wiring.approver, rid, words.scenario("approve_manager"))
    done(wiring.approver, Action.APPROVE, order, timedelta(hours=2, minutes=5))
    order = service.approve_return(wiring.inspector, rid, words.scenario("approve_quality"))
    done(wiring.inspector, Action.APPROVE, order, timedelta(days=1, hours=1, minutes=30))
    order = service.receive_goods(
        wiring.warehouse,
        rid,
        {_MOUSE: Receipt(received=Decimal(2))},
        words.scenario("receive_first"),
    )
    done(wiring.warehouse, Action.RECEIVE, order, timedelta(days=1, hours=2, minutes=15))
    order = service.receive_goods(
        wiring.warehouse,
        rid,
        {
            _CABLE: Receipt(received=Decimal(3)),
            _MONITOR: Receipt(received=Decimal(1), damaged_in_transit=Decimal(1)),
        },
        words.scenario("receive_rest"),
    )
    done(wiring.warehouse, Action.RECEIVE, order, timedelta(hours=3, minutes=20))
    order = service.inspect_goods(
        wiring.inspector,
        rid,
        {
            _MOUSE: Inspection(accepted=Decimal(2)),
            _CABLE: Inspection(accepted=Decimal(2), rejected=Decimal(1)),
            _MONITOR: Inspection(accepted=Decimal(1)),
        },
        words.scenario("inspect"),
    )
    done(wiring.inspector, Action.INSPECT, order, timedelta(minutes=45))
    order = service.complete_return(wiring.clerk, rid, words.scenario("complete"))
    done(wiring.clerk, Action.COMPLETE, order, timedelta(0))
    console.print(progress)
    return order


def _quantity(value: Decimal) -> str:
    """``Decimal("2")`` as ``2`` and ``Decimal("1.50")`` as ``1.5``."""
    return f"{value.normalize():f}"


def _time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _table(
    words: Phrasebook, title: str, columns: Sequence[str], numeric: int, whole: int = 0
) -> Table:
    """A table of ``columns`` (word keys).

    The last ``numeric`` columns hold numbers or money: right-aligned, never
    wrapped.  The first ``whole`` columns hold codes that are not wrapped either.
    """
    table = Table(title=Text(title, style="bold"), title_justify="left", header_style="bold")
    for index, key in enumerate(columns):
        is_number = index >= len(columns) - numeric
        table.add_column(
            words.word(key),
            justify="right" if is_number else "left",
            no_wrap=is_number or index < whole,
            # Chinese has no spaces to wrap at: fold long text instead of cutting it.
            overflow="ellipsis" if is_number else "fold",
        )
    return table


def _returnable_table(words: Phrasebook, lines: Iterable[ReturnableLine], total: int) -> Table:
    title = words.word("search_table", total=total)
    table = _table(words, title, _RETURNABLE_COLUMNS, numeric=4, whole=3)
    for item in sorted(lines, key=lambda item: item.line.ref):
        line = item.line
        table.add_row(
            *(Text(cell) for cell in (line.ref.order_number, line.ref.line_id, line.sku)),
            Text(line.product_name),
            _quantity(line.quantity_delivered),
            _quantity(item.already_returned),
            Text(_quantity(item.returnable_quantity), style="bold"),
            str(line.unit_price),
        )
    return table


def _print_preview(
    console: Console, words: Phrasebook, catalog: ReasonCatalog, preview: ReturnPreview
) -> None:
    customer = f"{preview.customer_name} ({preview.customer_id})"
    table = _table(
        words,
        f"{words.word('customer')}: {customer}",
        ("line", "sku", "product", "reason", "note", "quantity", "estimated_refund"),
        numeric=2,
        whole=2,
    )
    for line in preview.lines:
        table.add_row(
            Text(str(line.ref)),
            Text(line.sku),
            Text(line.product_name),
            Text(words.reason(catalog, line.reason_code)),
            Text(line.note),
            _quantity(line.requested),
            str(line.refund),
        )
    console.print(table)
    steps = " → ".join(words.step(step.name) for step in preview.steps)
    console.print(
        _pairs(
            (words.word("estimated_refund"), str(preview.refund)),
            (words.word("steps"), steps or words.word("auto_approved")),
        )
    )


def _pairs(*pairs: tuple[str, str]) -> Text:
    """``label: value`` lines, labels in bold."""
    lines = [Text.assemble((f"{label}: ", "bold"), value) for label, value in pairs]
    return Text("\n").join(lines)


def _print_return(
    console: Console, words: Phrasebook, catalog: ReasonCatalog, order: ReturnOrder
) -> None:
    console.print(
        _pairs(
            (words.word("number"), order.number),
            (words.word("customer"), f"{order.customer_name} ({order.customer_id})"),
            (words.word("status"), words.status(order.status)),
            (words.word("refund"), str(order.refund)),
            (words.word("note"), order.note),
        )
    )
    console.print()
    table = _table(words, words.word("lines"), _LINE_COLUMNS, numeric=6, whole=2)
    for line in order.lines:
        table.add_row(
            Text(str(line.ref)),
            Text(line.sku),
            Text(words.reason(catalog, line.reason_code)),
            *_counts(line),
            str(line.refund),
        )
    console.print(table)


def _counts(line: ReturnLine) -> tuple[str, ...]:
    counts = (line.requested, line.approved, line.received, line.accepted, line.rejected)
    return tuple(_quantity(count) for count in counts)


def _audit_table(words: Phrasebook, entries: Iterable[AuditEntry]) -> Table:
    table = _table(
        words,
        words.word("audit"),
        ("time", "actor", "action", "transition", "comment", "detail"),
        numeric=0,
        whole=1,
    )
    # Comments and details are the long, free-running columns: they share
    # what the others leave, details taking more because they list lines.
    table.expand = True
    for column, ratio in zip(table.columns[4:], (2, 3), strict=True):
        column.ratio = ratio
    for entry in entries:
        change = f"{words.status(entry.from_status)}\n→ {words.status(entry.to_status)}"
        table.add_row(
            Text(_time(entry.at)),
            Text(entry.actor_name),
            Text(words.action(entry.action)),
            Text(change),
            Text(entry.comment),
            Text("\n".join(words.detail(field, value) for field, value in entry.detail)),
        )
    return table
