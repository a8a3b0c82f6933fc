"""Reports in the terminal: a :class:`~crm_returns.cli.report_rows.ReportTable` as a rich table.

Codes are shown by their labels (reasons from the tenant's catalog, decline
reasons from the settings, statuses and stages from :mod:`crm_returns.labels`),
shares as percentages, durations in hours, an unknown value as ``—``.  Numbers
are right-aligned and never wrapped.  Needs the ``cli`` extra (``rich``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import attrs
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.report_rows import Kind, ReportColumn, ReportTable
from crm_returns.cli.tables import quantity_text
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.requests.declining import DeclineReasons
from crm_returns.errors import NotFound
from crm_returns.labels import Labelled, category_label, reason_label

__all__ = ["UNKNOWN", "ReportLabels", "report_table"]

#: How a value that is not known is shown.
UNKNOWN = "—"

_SECONDS_PER_HOUR = Decimal(3600)
#: Codes up to this many columns wide are never wrapped.
_LONGEST_CODE = 24


@attrs.frozen
class ReportLabels:
    """What the terminal labels codes with.

    Attributes:
        words: The command line's words, in the language asked for.
        catalog: The tenant's reason catalog.
        declines: The decline reasons of the settings.
    """

    words: Phrasebook
    catalog: ReasonCatalog
    declines: DeclineReasons

    def text(self, kind: Kind, value: object) -> str:
        """``value`` of a column of ``kind`` as the terminal shows it."""
        if value is None:
            return UNKNOWN
        locale = self.words.locale
        try:
            match kind:
                case Kind.REASON:
                    return reason_label(self.catalog, str(value), locale)
                case Kind.CATEGORY:
                    return category_label(self.catalog, str(value), locale)
                case Kind.DECLINE:
                    return self.declines.reason(str(value)).label(locale)
        except NotFound:  # a code the catalog no longer knows: show it as it is
            return str(value)
        return _shown(self.words, kind, value)


def _shown(words: Phrasebook, kind: Kind, value: object) -> str:
    """A value that needs no catalog, as the terminal shows it."""
    if kind is Kind.LABEL:
        return words.label(cast("Labelled", value))  # LABEL columns hold labelled enums
    if kind is Kind.WORD:
        return words.word(f"report_{value}")
    if not isinstance(value, Decimal):
        return str(value)
    match kind:
        case Kind.QUANTITY:
            return quantity_text(value)
        case Kind.SHARE:
            return f"{value:.1%}"
        case Kind.MEAN:
            return f"{value:.2f}"
        case Kind.DURATION:
            return f"{value / _SECONDS_PER_HOUR:.1f} h"
    return str(value)


def _whole(column: ReportColumn, cells: list[str]) -> bool:
    """Whether ``column`` holds numbers, or codes short enough never to break."""
    if column.kind.numeric:
        return True
    return column.kind is Kind.TEXT and all(cell_len(cell) <= _LONGEST_CODE for cell in cells)


def _wrapped(heading: str, width: int) -> str:
    """``heading`` in lines of at most ``width`` cells, broken between words."""
    lines: list[str] = []
    for word in heading.split():
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _longest_word(texts: list[str]) -> int:
    """The widest word of ``texts`` (Chinese, without spaces, counts whole: it folds)."""
    return max((cell_len(word) for text in texts for word in text.split()), default=1)


def _natural(column: ReportColumn, cells: list[str]) -> int:
    """How wide ``column`` is when nothing in it wraps."""
    return max([cell_len(column.heading), *map(cell_len, cells)])


def report_table(labels: ReportLabels, report: ReportTable, width: int) -> Table:
    """``report`` as a rich table ``width`` columns wide at most, codes labelled, numbers formatted.

    Numbers and codes are never broken.  When the table would not fit
    otherwise, their headings wrap between words to the width of the values,
    and labels wrap (or fold, when a word is too long).  A table that does not
    fit even so (a breakdown by three dimensions and a period, say) is cut at
    its right edge: write it as CSV instead.
    """
    made = Table(title=Text(report.title, style="bold"), title_justify="left", header_style="bold")
    texts = [
        [labels.text(column.kind, value) for column, value in zip(report.columns, row, strict=True)]
        for row in report.rows
    ]
    cells = [[row[index] for row in texts] for index in range(len(report.columns))]
    roomy = sum(map(_natural, report.columns, cells)) + 3 * len(report.columns) + 1 <= width
    for column, values in zip(report.columns, cells, strict=True):
        whole = _whole(column, values)
        heading = column.heading
        if whole and not roomy:
            longest = max((cell_len(word) for word in heading.split()), default=1)
            heading = _wrapped(heading, max([longest, *map(cell_len, values)]))
        made.add_column(
            heading,
            justify="right" if column.kind.numeric else "left",
            # Rich shrinks only columns that may wrap: those of labels, down to
            # their longest word, never to nothing.
            no_wrap=whole,
            min_width=None if whole else _longest_word([heading, *values]),
            # Chinese has no spaces to wrap at: fold long text instead of cutting it.
            overflow="fold",
        )
    for row in texts:
        made.add_row(*(Text(cell) for cell in row))
    return made
