"""The demo's tables of lines and returns: what can be returned, the preview, the order, its audit.

Every table is built by :func:`table` from word keys, so that headers come
from the :class:`~crm_returns.cli.phrasebook.Phrasebook` and numbers are always
right-aligned and never wrapped.  Needs the ``cli`` extra (``rich``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from rich.cells import cell_len
from rich.table import Column, Table
from rich.text import Text

from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.returnable import ReturnableLine
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome
from crm_returns.service.commands import ReturnPreview

__all__ = [
    "audit_table",
    "lines_table",
    "pairs",
    "preview_table",
    "quantity_text",
    "return_summary",
    "returnable_table",
    "table",
    "time_text",
]

_RETURNABLE_COLUMNS = (
    "order_number", "line", "sku", "product",
    "delivered", "already_returned", "returnable", "unit_price",
)  # fmt: skip
_PREVIEW_COLUMNS = ("line", "sku", "product", "reason", "note", "quantity", "estimated_refund")
# Approved counts are left out: they equal the requested ones unless an
# approver lowers them, and the table must fit 120 columns.
_LINE_COLUMNS = (
    "line", "sku", "reason", "disposition",
    "requested", "received", "accepted", "rejected", "refund",
)  # fmt: skip

#: Reason labels up to this many columns wide are never wrapped.
_REASON_WIDTH = 20


def quantity_text(value: Decimal) -> str:
    """``Decimal("2")`` as ``2`` and ``Decimal("1.50")`` as ``1.5``."""
    return f"{value.normalize():f}"


def time_text(at: datetime) -> str:
    """A moment as ``2026-11-27 09:12``, in UTC."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def table(
    words: Phrasebook, title: str, columns: Sequence[str], numeric: int, whole: int = 0
) -> Table:
    """A table of ``columns`` (word keys).

    The last ``numeric`` columns hold numbers or money: right-aligned, never
    wrapped.  The first ``whole`` columns hold codes that are not wrapped either.
    """
    made = Table(title=Text(title, style="bold"), title_justify="left", header_style="bold")
    for index, key in enumerate(columns):
        is_number = index >= len(columns) - numeric
        header = words.word(key)
        made.add_column(
            header,
            justify="right" if is_number else "left",
            no_wrap=is_number or index < whole,
            # Chinese has no spaces to wrap at: fold long text instead of cutting it.
            overflow="ellipsis" if is_number else "fold",
            # Folding may break text, but never a word of the header.
            min_width=max(cell_len(word) for word in header.split()),
        )
    return made


def pairs(*labelled: tuple[str, str]) -> Text:
    """``label: value`` lines, labels in bold."""
    lines = [Text.assemble((f"{label}: ", "bold"), value) for label, value in labelled]
    return Text("\n").join(lines)


def returnable_table(words: Phrasebook, lines: Iterable[ReturnableLine], total: int) -> Table:
    """Delivered lines with what is still returnable of each."""
    made = table(
        words, words.word("search_table", total=total), _RETURNABLE_COLUMNS, numeric=4, whole=3
    )
    for item in sorted(lines, key=lambda item: item.line.ref):
        line = item.line
        made.add_row(
            *(Text(cell) for cell in (line.ref.order_number, line.ref.line_id, line.sku)),
            Text(line.product_name),
            quantity_text(line.quantity_delivered),
            quantity_text(item.already_returned),
            Text(quantity_text(item.returnable_quantity), style="bold"),
            str(line.unit_price),
        )
    return made


def preview_table(words: Phrasebook, catalog: ReasonCatalog, preview: ReturnPreview) -> Table:
    """The lines of a preview, with the refund each would get (less any restocking fee)."""
    customer = f"{preview.customer_name} ({preview.customer_id})"
    made = table(
        words, f"{words.word('customer')}: {customer}", _PREVIEW_COLUMNS, numeric=2, whole=2
    )
    reasons = [words.reason(catalog, line.reason_code) for line in preview.lines]
    _keep_short_labels_whole(made.columns[3], reasons)
    for line, reason in zip(preview.lines, reasons, strict=True):
        made.add_row(
            Text(str(line.ref)),
            Text(line.sku),
            Text(line.product_name),
            Text(reason),
            Text(line.note),
            quantity_text(line.requested),
            str(line.refund),
        )
    return made


def return_summary(words: Phrasebook, order: ReturnOrder) -> Text:
    """Number, customer, status, refund and note of a return."""
    return pairs(
        (words.word("number"), order.number),
        (words.word("customer"), f"{order.customer_name} ({order.customer_id})"),
        (words.word("status"), words.status(order.status)),
        (words.word("refund"), str(order.refund)),
        (words.word("note"), order.note),
    )


def lines_table(words: Phrasebook, catalog: ReasonCatalog, order: ReturnOrder) -> Table:
    """The lines of a return: counts through its life, where the units went, the refund."""
    made = table(words, words.word("lines"), _LINE_COLUMNS, numeric=5, whole=2)
    reasons = [words.reason(catalog, line.reason_code) for line in order.lines]
    decided = [_dispositions(words, line) for line in order.lines]
    _keep_short_labels_whole(made.columns[2], reasons)
    for line, reason, disposition in zip(order.lines, reasons, decided, strict=True):
        made.add_row(
            Text(str(line.ref)),
            Text(line.sku),
            Text(reason),
            Text(disposition),
            *_counts(line),
            str(line.refund),
        )
    return made


def _keep_short_labels_whole(column: Column, labels: Iterable[str]) -> None:
    """Never wrap ``column`` when every label in it is short: it reads better whole."""
    column.no_wrap = all(cell_len(label) <= _REASON_WIDTH for label in labels)


def _dispositions(words: Phrasebook, line: ReturnLine) -> str:
    """Where accepted and rejected units went, one ``units × label`` per line."""
    decided: list[tuple[Disposition | RejectOutcome, Decimal]] = [
        *line.dispositions,
        *line.rejected_outcomes,
    ]
    return "\n".join(f"{quantity_text(units)} × {words.label(what)}" for what, units in decided)


def _counts(line: ReturnLine) -> tuple[str, ...]:
    counts = (line.requested, line.received, line.accepted, line.rejected)
    return tuple(quantity_text(count) for count in counts)


def audit_table(words: Phrasebook, entries: Iterable[AuditEntry]) -> Table:
    """Who did what to a return, when, and what changed."""
    made = table(
        words,
        words.word("audit"),
        ("time", "actor", "action", "transition", "comment", "detail"),
        numeric=0,
        whole=1,
    )
    # Comments and details are the long, free-running columns: they share
    # what the others leave, details taking more because they list lines.
    made.expand = True
    for column, ratio in zip(made.columns[4:], (2, 3), strict=True):
        column.ratio = ratio
    for entry in entries:
        change = f"{words.status(entry.from_status)}\n→ {words.status(entry.to_status)}"
        made.add_row(
            Text(time_text(entry.at)),
            Text(entry.actor_name),
            Text(words.label(entry.action)),
            Text(change),
            Text(entry.comment),
            Text("\n".join(words.detail(field, value) for field, value in entry.detail)),
        )
    return made
