"""The fact tables of ``crm-returns report``: a breakdown of grouped facts; the exports on screen.

:func:`breakdown_table` is ``report breakdown``: the store's groups, a row per
status group, period, key and currency.  :func:`line_table` and
:func:`return_table` show the line-level and return-level exports in the
terminal, a few columns of each; written to a file, the exports keep every
column of :data:`~crm_returns.analytics.columns.LINE_COLUMNS` and
:data:`~crm_returns.analytics.columns.RETURN_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.report_rows import (
    Kind,
    ReportColumn,
    ReportTable,
    iso_day,
    key_column,
    key_value,
)
from crm_returns.domain.analytics import (
    Dimension,
    FactGroup,
    FactQuery,
    Figure,
    LineFact,
    ReturnFact,
    StatusGroup,
)
from crm_returns.domain.analytics.reports import Satisfaction
from crm_returns.domain.returns.states import ReturnStatus

__all__ = [
    "BREAKDOWN_FIGURES",
    "breakdown_table",
    "line_table",
    "return_table",
    "satisfaction_table",
]

#: The money columns of a breakdown, after the merchandise value.
_MONEY: Final = (
    ("refund_granted", "Refunds granted, summed over the lines where known."),
    ("refund_paid", "Refunds paid, summed over the lines where known."),
    ("restocking_fee", "Restocking fees kept, summed over the lines where known."),
    (
        "return_shipping_fee",
        "What the return shipments cost the merchant, summed over the lines where known.",
    ),
    ("write_off", "Scrapped goods at cost, summed over the lines where known."),
)
#: The figures a breakdown shows: ask its query for these.
BREAKDOWN_FIGURES: Final = frozenset(
    {Figure.RETURNS, Figure.QUANTITY_RETURNED, Figure.MERCHANDISE_VALUE}
    | {Figure(column) for column, _ in _MONEY}
)


def _word(words: Phrasebook, name: str) -> str:
    return words.word(f"report_{name}")


def satisfaction_table(
    words: Phrasebook, scores: Iterable[Satisfaction], by: Dimension | None
) -> ReportTable:
    """The customers' scores, overall or per key of ``by``."""
    columns = (
        *((key_column(words, by),) if by is not None else ()),
        ReportColumn("rated", _word(words, "rated"), Kind.COUNT, "Returns with a score."),
        ReportColumn("mean", _word(words, "mean"), Kind.MEAN, "Mean score.", nullable=True),
        *(
            ReportColumn(
                f"score_{n}", words.word("report_score", n=n), Kind.COUNT, f"Returns scored {n}."
            )
            for n in range(1, 6)
        ),
    )
    rows = tuple(
        (
            *((key_value(by, row.key),) if by is not None else ()),
            row.rated,
            row.mean,
            *row.distribution,
        )
        for row in scores
    )
    return ReportTable(words.word("report_satisfaction"), columns, rows)


def breakdown_table(
    words: Phrasebook, query: FactQuery, groups: Iterable[FactGroup]
) -> ReportTable:
    """Grouped line facts: per status group, period (if asked) and the dimensions asked for."""
    money = Kind.MONEY
    columns = (
        ReportColumn(
            "status_group",
            _word(words, "status_group"),
            Kind.LABEL,
            "counted, pending, rejected_or_cancelled or excluded.",
            source=StatusGroup,
        ),
        *(
            (ReportColumn("period", _word(words, "period"), Kind.TEXT, "First day of the period."),)
            if query.period is not None
            else ()
        ),
        *(key_column(words, dimension) for dimension in query.by),
        ReportColumn("currency", _word(words, "currency"), Kind.TEXT, "ISO 4217 code."),
        ReportColumn("lines", _word(words, "lines"), Kind.COUNT, "Returned lines."),
        ReportColumn("returns", _word(words, "returns"), Kind.COUNT, "Distinct returns."),
        ReportColumn("units", _word(words, "units"), Kind.QUANTITY, "Units returned."),
        ReportColumn(
            "merchandise_value", _word(words, "merchandise"), money, "Value of the units."
        ),
        *(ReportColumn(name, _word(words, name), money, text) for name, text in _MONEY),
    )
    rows = tuple(
        (
            group.group,
            *((iso_day(group.period),) if query.period is not None else ()),
            *(key_value(d, key) for d, key in zip(query.by, group.keys, strict=True)),
            group.currency,
            group.lines,
            group.count(Figure.RETURNS),
            group.units(),
            group.money().amount,
            *(group.money(Figure(column)).amount for column, _ in _MONEY),
        )
        for group in groups
    )
    return ReportTable(words.word("report_breakdown"), columns, rows)


def line_table(words: Phrasebook, facts: Iterable[LineFact]) -> ReportTable:
    """The line-level export on screen: a row per returned line, a few of its columns."""
    money = Kind.MONEY
    columns = (
        ReportColumn("return_number", _word(words, "return"), Kind.TEXT, "The return."),
        ReportColumn("line", _word(words, "line"), Kind.TEXT, "Order number/line id."),
        ReportColumn("sku", _word(words, "sku"), Kind.TEXT, "Product code."),
        ReportColumn("reason", _word(words, "reason"), Kind.REASON, "The reason's code."),
        ReportColumn(
            "status", _word(words, "status"), Kind.LABEL, "The status.", source=ReturnStatus
        ),
        ReportColumn("units", _word(words, "units"), Kind.QUANTITY, "Units returned."),
        ReportColumn("currency", _word(words, "currency"), Kind.TEXT, "ISO 4217 code."),
        ReportColumn("merchandise_value", _word(words, "merchandise"), money, "Value."),
        ReportColumn(
            "refund_granted", _word(words, "refund_granted"), money, "Owed.", nullable=True
        ),
    )
    rows = tuple(
        (
            fact.return_number,
            f"{fact.order_number}/{fact.line_id}",
            fact.sku,
            fact.reason_code,
            fact.status,
            fact.quantity_returned,
            fact.currency,
            fact.merchandise_value,
            fact.refund_granted,
        )
        for fact in facts
    )
    return ReportTable(words.word("report_line_export"), columns, rows)


def return_table(words: Phrasebook, facts: Iterable[ReturnFact]) -> ReportTable:
    """The return-level export on screen: a row per return, a few of its columns."""
    money = Kind.MONEY
    columns = (
        ReportColumn("return_number", _word(words, "return"), Kind.TEXT, "The return."),
        ReportColumn("customer", _word(words, "customer"), Kind.TEXT, "The customer."),
        ReportColumn(
            "status", _word(words, "status"), Kind.LABEL, "The status.", source=ReturnStatus
        ),
        ReportColumn("lines", _word(words, "lines"), Kind.COUNT, "Lines."),
        ReportColumn("units", _word(words, "units"), Kind.QUANTITY, "Units returned."),
        ReportColumn("currency", _word(words, "currency"), Kind.TEXT, "ISO 4217 code."),
        ReportColumn("merchandise_value", _word(words, "merchandise"), money, "Value."),
        ReportColumn(
            "refund_granted", _word(words, "refund_granted"), money, "Owed.", nullable=True
        ),
        ReportColumn("refund_paid", _word(words, "refund_paid"), money, "Paid.", nullable=True),
    )
    rows = tuple(
        (
            fact.return_number,
            fact.customer_id,
            fact.status,
            fact.line_count,
            fact.quantity_returned,
            fact.currency,
            fact.merchandise_value,
            fact.refund_granted,
            fact.refund_paid,
        )
        for fact in facts
    )
    return ReportTable(words.word("report_return_export"), columns, rows)
