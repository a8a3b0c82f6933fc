"""The rows of ``crm-returns report``: each report as one flat table, shown or written.

A :class:`ReportTable` holds the report's rows as plain values (codes, whole
numbers, ``Decimal`` s, enum members) under named :class:`ReportColumn` s.
:mod:`crm_returns.cli.report_tables` shows it in the terminal, labelling codes
and formatting numbers; :func:`~crm_returns.analytics.exports.export_table`
writes the same rows to CSV, JSON Lines or Parquet, one row per table row,
under the columns' English names.  Durations are seconds; shares and means
are ratios rounded as every ratio (six places); periods are their first day,
ISO 8601.  Needs no optional dependency.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.analytics.columns import Column, ColumnType
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.domain.analytics import (
    CohortRates,
    CycleStage,
    CycleStats,
    Dimension,
    FrequentReturner,
    ParetoRow,
    ReasonLevel,
    SkuReasonMatrix,
)
from crm_returns.domain.analytics.reports import AgeBand
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import NotFound

__all__ = [
    "Kind",
    "ReportColumn",
    "ReportTable",
    "age_table",
    "cycle_table",
    "decline_table",
    "iso_day",
    "key_column",
    "key_value",
    "matrix_table",
    "pareto_table",
    "rates_table",
    "returners_table",
    "seconds",
]


class Kind(enum.Enum):
    """What a column holds, which says how the terminal shows it."""

    #: Text shown as it is (a SKU, a customer id, a currency, a day).
    TEXT = "text"
    #: A reason's code, shown by its label in the tenant's catalog.
    REASON = "reason"
    #: A reason category's code, shown by its label.
    CATEGORY = "category"
    #: A decline reason's code, shown by its label.
    DECLINE = "decline"
    #: A member of an enum with labels (a status, a stage, a status group).
    LABEL = "label"
    #: A value with a word of the command line (``mature`` → ``report_mature``).
    WORD = "word"
    #: A whole number.
    COUNT = "count"
    #: A number of units.
    QUANTITY = "quantity"
    #: An amount in the row's currency.
    MONEY = "money"
    #: A ratio of 0 to 1, shown as a percentage.
    SHARE = "share"
    #: A mean score of 1 to 5.
    MEAN = "mean"
    #: A duration in seconds, shown in hours.
    DURATION = "duration"

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers (right-aligned, never wrapped)."""
        return self in _NUMERIC


_NUMERIC: Final = frozenset(
    {Kind.COUNT, Kind.QUANTITY, Kind.MONEY, Kind.SHARE, Kind.MEAN, Kind.DURATION}
)
_COLUMN_TYPES: Final = {
    **dict.fromkeys(_NUMERIC, ColumnType.DECIMAL),
    Kind.COUNT: ColumnType.INTEGER,
}
_SOURCES: Final[dict[ColumnType, type]] = {
    ColumnType.TEXT: str,
    ColumnType.INTEGER: int,
    ColumnType.DECIMAL: Decimal,
}


@attrs.frozen
class ReportColumn:
    """One column of a report.

    Attributes:
        name: Its name in files (English, lower case, stable).
        heading: Its heading in the terminal, in the language asked for.
        kind: What it holds.
        description: What it holds, in English (Parquet keeps it in the field's metadata).
        nullable: Whether a value may be missing (not known, or no ratio of zero).
        source: The Python type of its values when it is not the kind's
            (an enum for :attr:`Kind.LABEL`, written as its value).
    """

    name: str
    heading: str
    kind: Kind
    description: str
    nullable: bool = False
    source: type | None = None

    def export_column(self) -> Column:
        """The column as the exports describe it and check it."""
        kind = _COLUMN_TYPES.get(self.kind, ColumnType.TEXT)
        return Column(
            name=self.name,
            type=kind,
            nullable=self.nullable,
            description=self.description,
            source=self.source or _SOURCES[kind],
        )


@attrs.frozen
class ReportTable:
    """A report as one table.

    Attributes:
        title: Its title, in the language asked for.
        columns: Its columns.
        rows: One tuple of values per row, in the columns' order.
    """

    title: str
    columns: tuple[ReportColumn, ...]
    rows: tuple[tuple[object, ...], ...]


#: How the keys of each dimension are shown; the others as they are.
_KEY_KINDS: Final = {
    Dimension.REASON: Kind.REASON,
    Dimension.REASON_CATEGORY: Kind.CATEGORY,
    Dimension.DECLINE_REASON: Kind.DECLINE,
    Dimension.STATUS: Kind.LABEL,
}


def key_column(words: Phrasebook, dimension: Dimension) -> ReportColumn:
    """The column of the keys of ``dimension``, headed by its label, named by its value."""
    heading = words.label(dimension)
    kind = _KEY_KINDS.get(dimension, Kind.TEXT)
    return ReportColumn(
        dimension.value,
        heading[:1].upper() + heading[1:],
        kind,
        f"The {dimension.value} (empty: not known).",
        nullable=True,
        source=ReturnStatus if kind is Kind.LABEL else None,
    )


def key_value(dimension: Dimension, key: str | None) -> object:
    """A key of ``dimension`` as its column holds it (a status as its enum member)."""
    return ReturnStatus(key) if dimension is Dimension.STATUS and key is not None else key


def seconds(span: timedelta) -> Decimal:
    """A duration in seconds, exactly (to the microsecond)."""
    return Decimal(span // timedelta(microseconds=1)) / 1_000_000


def _column(
    words: Phrasebook,
    name: str,
    kind: Kind,
    description: str,
    *,
    nullable: bool = False,
    source: type | None = None,
) -> ReportColumn:
    """A column headed by the word ``report_<name>``."""
    return ReportColumn(name, words.word(f"report_{name}"), kind, description, nullable, source)


def _pareto_columns(words: Phrasebook, key: ReportColumn) -> tuple[ReportColumn, ...]:
    return (
        key,
        _column(words, "lines", Kind.COUNT, "Returned lines."),
        _column(words, "units", Kind.QUANTITY, "Units returned."),
        _column(words, "share", Kind.SHARE, "Share of the measure ranked by."),
        _column(words, "cumulative_share", Kind.SHARE, "Share of this row and those above."),
    )


def _pareto_rows(rows: Iterable[ParetoRow]) -> tuple[tuple[object, ...], ...]:
    return tuple((r.key, r.lines, r.units, r.share, r.cumulative_share) for r in rows)


def pareto_table(words: Phrasebook, rows: Sequence[ParetoRow], level: ReasonLevel) -> ReportTable:
    """The reasons (or reason categories) Pareto."""
    if level is ReasonLevel.REASON:
        key = _column(words, "reason", Kind.REASON, "The reason's code.")
    else:
        key = _column(words, "reason_category", Kind.CATEGORY, "The reason category's code.")
    return ReportTable(
        words.word("report_reasons"), _pareto_columns(words, key), _pareto_rows(rows)
    )


def decline_table(words: Phrasebook, rows: Sequence[ParetoRow]) -> ReportTable:
    """Why customers' requests were declined: a Pareto of decline reasons."""
    key = _column(words, "decline_reason", Kind.DECLINE, "The decline reason's code.")
    return ReportTable(
        words.word("report_declines"), _pareto_columns(words, key), _pareto_rows(rows)
    )


def matrix_table(words: Phrasebook, matrix: SkuReasonMatrix, catalog: ReasonCatalog) -> ReportTable:
    """The SKU × reason matrix: a row per SKU, a column per reason (named by its code in files)."""
    columns = (
        _column(words, "sku", Kind.TEXT, "Product code."),
        *(
            ReportColumn(
                code,
                _reason_heading(words, catalog, code),
                Kind.QUANTITY,
                f"{matrix.measure.value} returned for the reason {code}.",
            )
            for code in matrix.reasons
        ),
    )
    rows = tuple((sku, *cells) for sku, cells in zip(matrix.skus, matrix.cells, strict=True))
    title = words.word("report_matrix", measure=words.label(matrix.measure))
    return ReportTable(title, columns, rows)


def _reason_heading(words: Phrasebook, catalog: ReasonCatalog, code: str) -> str:
    try:
        return words.reason(catalog, code)
    except NotFound:  # a reason the catalog no longer knows: its code
        return code


def rates_table(
    words: Phrasebook, cohorts: Sequence[CohortRates], by: Dimension | None = None
) -> ReportTable:
    """The three return rates of each order cohort (and key of ``by``); a row per currency too."""
    share, count, units = Kind.SHARE, Kind.COUNT, Kind.QUANTITY
    columns = (
        _column(words, "cohort", Kind.TEXT, "First day of the order cohort."),
        *((key_column(words, by),) if by is not None else ()),
        _column(words, "maturity", Kind.WORD, "mature, or immature while still returnable."),
        _column(words, "units_returned", units, "Units returned of the cohort's orders."),
        _column(words, "units_delivered", units, "Units delivered on the cohort's orders."),
        _column(words, "unit_rate", share, "Units returned ÷ delivered.", nullable=True),
        _column(words, "orders_returned", count, "Orders with units returned."),
        _column(words, "orders", count, "Orders of the cohort."),
        _column(words, "order_rate", share, "Orders returned ÷ orders.", nullable=True),
        _column(words, "currency", Kind.TEXT, "ISO 4217 code of the value.", nullable=True),
        _column(words, "value_returned", Kind.MONEY, "Value returned.", nullable=True),
        _column(words, "gross_sales", Kind.MONEY, "Gross sales of the cohort.", nullable=True),
        _column(words, "value_rate", share, "Value returned ÷ gross sales.", nullable=True),
    )
    rows: list[tuple[object, ...]] = []
    for cohort in cohorts:
        head = (
            cohort.cohort.isoformat(),
            *((key_value(by, cohort.key),) if by is not None else ()),
            "mature" if cohort.mature else "immature",
            cohort.units_returned,
            cohort.units_delivered,
            cohort.unit_rate,
            cohort.orders_returned,
            cohort.orders,
            cohort.order_rate,
        )
        values: list[tuple[object, ...]] = [
            (
                v.currency,
                v.returned.amount,
                None if v.gross_sales is None else v.gross_sales.amount,
                v.rate,
            )
            for v in cohort.value
        ]
        # A cohort with nothing returned has no value rate: one row, its value columns empty.
        rows.extend((*head, *value) for value in values or [(None, None, None, None)])
    return ReportTable(words.word("report_rates"), columns, tuple(rows))


def cycle_table(words: Phrasebook, stats: Sequence[CycleStats], grouped: bool) -> ReportTable:
    """Cycle time per stage (per owner or team when ``grouped``), against the service level."""
    span = Kind.DURATION
    columns = (
        _column(words, "stage", Kind.LABEL, "The stage.", source=CycleStage),
        *(
            (_column(words, "group", Kind.TEXT, "Owner or team.", nullable=True),)
            if grouped
            else ()
        ),
        _column(words, "returns", Kind.COUNT, "Returns timed."),
        _column(words, "median_seconds", span, "Median, nearest rank, in seconds."),
        _column(words, "p90_seconds", span, "90th percentile, nearest rank, in seconds."),
        _column(words, "max_seconds", span, "Longest, in seconds."),
        _column(words, "allowance_seconds", span, "Service level allowed.", nullable=True),
        _column(words, "within_level", Kind.SHARE, "Share within the level.", nullable=True),
    )
    rows = tuple(
        (
            row.stage,
            *((row.group,) if grouped else ()),
            row.count,
            seconds(row.median),
            seconds(row.p90),
            seconds(row.max),
            None if row.allowance is None else seconds(row.allowance),
            row.within_level,
        )
        for row in stats
    )
    return ReportTable(words.word("report_cycle"), columns, rows)


def returners_table(words: Phrasebook, returners: Sequence[FrequentReturner]) -> ReportTable:
    """Customers with many returns; a row per customer and currency of the value returned."""
    columns = (
        _column(words, "customer", Kind.TEXT, "The host's customer id."),
        _column(words, "returns", Kind.COUNT, "Returns in the window."),
        _column(words, "lines", Kind.COUNT, "Returned lines."),
        _column(words, "units", Kind.QUANTITY, "Units returned."),
        _column(words, "units_delivered", Kind.QUANTITY, "Units delivered.", nullable=True),
        _column(words, "unit_rate", Kind.SHARE, "Units returned ÷ delivered.", nullable=True),
        _column(words, "currency", Kind.TEXT, "ISO 4217 code of the value.", nullable=True),
        _column(words, "value_returned", Kind.MONEY, "Value returned.", nullable=True),
    )
    rows: list[tuple[object, ...]] = []
    for row in returners:
        head = (row.customer_id, row.returns, row.lines, row.units)
        rate = (row.units_delivered, row.unit_rate)
        values: list[tuple[object, ...]] = [(money.currency, money.amount) for money in row.value]
        values = values or [(None, None)]
        rows.extend((*head, *rate, *value) for value in values)
    return ReportTable(words.word("report_returners"), columns, tuple(rows))


def age_table(words: Phrasebook, bands: Sequence[AgeBand]) -> ReportTable:
    """Open returns by status and age in local days."""
    columns = (
        _column(words, "status", Kind.LABEL, "The returns' status.", source=ReturnStatus),
        _column(words, "age", Kind.TEXT, "Age band in whole local days (0: made today)."),
        _column(words, "youngest_days", Kind.COUNT, "The band's first age, in days."),
        _column(words, "oldest_days", Kind.COUNT, "Its last age (empty: no limit).", nullable=True),
        _column(words, "returns", Kind.COUNT, "Returns in the band."),
    )
    rows = tuple(
        (
            ReturnStatus(band.status),
            f"{band.youngest}–{band.oldest}" if band.oldest is not None else f"{band.youngest}+",
            band.youngest,
            band.oldest,
            band.returns,
        )
        for band in bands
    )
    return ReportTable(words.word("report_ages"), columns, rows)


def iso_day(day: date | None) -> str | None:
    """A day as ``2026-11-01``, or ``None``."""
    return None if day is None else day.isoformat()
