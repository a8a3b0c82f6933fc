"""The hand-written SQL of the reports benchmark: each report's query as someone would write it.

One query per report and dialect, reading ``fact_lines`` (and
``fact_returns`` for scores) directly: only the counted statuses, only the
figures the report shows.  The local day of a fixed-offset zone is plain
arithmetic on SQLite (``date(x / 1000000 + 28800, 'unixepoch')``) and
``AT TIME ZONE`` on PostgreSQL; for Europe/Berlin SQLite has no zone data,
so its summer times of 2024 and 2025 are written out in a ``CASE``, looked up
once, as one would by hand.  Beside each query, how to read the report's
figures from the store's groups (:class:`FactGroup`) as the same integers:
units in millionths, money in minor units.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final

from crm_returns.adapters.sql.facts import minor_units
from crm_returns.domain.analytics import (
    COUNTED,
    MONEY_COLUMNS,
    QUANTITY_COLUMNS,
    FactGroup,
    Figure,
    StatusGroup,
)
from crm_returns.service.reports import OPEN

__all__ = [
    "JOIN",
    "LINES",
    "Figures",
    "add",
    "ages",
    "ages_sql",
    "as_day",
    "as_int",
    "cohorts",
    "cohorts_sql",
    "customers",
    "customers_sql",
    "lines_and_units",
    "listed",
    "local",
    "matrix_sql",
    "pareto_sql",
    "pareto_steps",
    "scores",
    "scores_sql",
    "where",
]

Figures = dict[tuple[Any, ...], tuple[int, ...]]

LINES: Final = "crm_returns_fact_lines l"
JOIN: Final = (
    "JOIN crm_returns_fact_returns r ON r.tenant_id = l.tenant_id AND r.return_id = l.return_id"
)
_UNIT: Final = 10**6
#: Europe/Berlin from 2023-11-01 to 2026-01-01: (until this moment, UTC offset in seconds).
_BERLIN: Final = (
    (1_711_846_800_000_000, 3600),  # CET until 2024-03-31 01:00 UTC
    (1_729_990_800_000_000, 7200),  # CEST until 2024-10-27 01:00 UTC
    (1_743_296_400_000_000, 3600),  # CET until 2025-03-30 01:00 UTC
    (1_761_440_400_000_000, 7200),  # CEST until 2025-10-26 01:00 UTC, CET after
)


def listed(statuses: frozenset[Any]) -> str:
    """Statuses as an SQL list of literals."""
    return ", ".join(f"'{s.value}'" for s in sorted(statuses, key=lambda s: s.value))


_COUNTED: Final = listed(COUNTED)
_OPEN: Final = listed(frozenset(OPEN))


def local(dialect: str, column: str, zone: str, *, month: bool = False) -> str:
    """The local day (or the first day of its month) of ``column``, by hand."""
    if dialect == "postgresql":
        moment = f"to_timestamp({column} / 1000000.0) AT TIME ZONE '{zone}'"
        return f"date_trunc('month', {moment})::date" if month else f"({moment})::date"
    if zone == "Asia/Shanghai":
        offset = "28800"
    elif zone == "Europe/Berlin":
        whens = " ".join(f"WHEN {column} < {at} THEN {s}" for at, s in _BERLIN)
        offset = f"CASE {whens} ELSE 3600 END"
    else:
        raise ValueError(f"no hand-written offsets for {zone}")
    modifier = ", 'start of month'" if month else ""
    return f"date({column} / 1000000 + {offset}, 'unixepoch'{modifier})"


def where(dialect: str, basis: str, statuses: str | None) -> str:
    """The window (tenant and basis range) and, when given, the statuses counted."""
    names = ("tenant", "start", "end")
    tenant, start, end = (f":{n}" if dialect == "sqlite" else f"%({n})s" for n in names)
    text = f"WHERE l.tenant_id = {tenant} AND l.{basis} >= {start} AND l.{basis} < {end}"
    return text if statuses is None else f"{text} AND l.status IN ({statuses})"


def as_day(value: object) -> date:
    """A day as the database gave it: a date, or ISO text from SQLite."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def as_int(value: object) -> int:
    """A count or a sum (``NULL``: nothing) as an integer."""
    return 0 if value is None else int(str(value))


def _units(group: FactGroup) -> int:
    return int(group.units() * _UNIT)


def _value(group: FactGroup) -> int:
    value = group.money()
    return minor_units(value.amount, value.currency) or 0


def _counted(groups: Sequence[FactGroup]) -> list[FactGroup]:
    return [g for g in groups if g.group is StatusGroup.COUNTED]


def add(figures: Figures, key: tuple[Any, ...], values: tuple[int, ...]) -> None:
    """Add ``values`` to the figures of ``key``."""
    known = figures.get(key, (0,) * len(values))
    figures[key] = tuple(a + b for a, b in zip(known, values, strict=True))


def lines_and_units(groups: Sequence[FactGroup], width: int) -> Figures:
    """Reasons Pareto and SKU × reason: lines and units per key."""
    figures: Figures = {}
    for g in _counted(groups):
        add(figures, g.keys[:width], (g.lines, _units(g)))
    return figures


def pareto_sql(dialect: str, zone: str) -> str:
    """Lines and units per reason."""
    return (
        "SELECT l.reason_code, count(*), sum(l.quantity_returned) "  # noqa: S608 - our own text
        f"FROM {LINES} {where(dialect, 'returned_at', _COUNTED)} GROUP BY l.reason_code"
    )


def matrix_sql(dialect: str, zone: str) -> str:
    """Lines and units per SKU and reason."""
    return (
        "SELECT l.sku, l.reason_code, count(*), sum(l.quantity_returned) "  # noqa: S608
        f"FROM {LINES} {where(dialect, 'returned_at', _COUNTED)} GROUP BY l.sku, l.reason_code"
    )


def cohorts(groups: Sequence[FactGroup]) -> Figures:
    """The rates' numerators: units, orders with a returned line and value, per cohort."""
    figures: Figures = {}
    for g in _counted(groups):
        cohort = (g.period, g.currency)
        add(figures, cohort, (_units(g), g.count(Figure.RETURNED_ORDERS), _value(g)))
    return figures


def cohorts_sql(dialect: str, zone: str) -> str:
    """The rates' numerators per order month and currency."""
    month = local(dialect, "l.ordered_at", zone, month=True)
    return (
        f"SELECT {month} AS cohort, l.currency, sum(l.quantity_returned), "  # noqa: S608
        "count(DISTINCT CASE WHEN l.quantity_returned > 0 THEN l.order_number END), "
        f"sum(l.merchandise_value) FROM {LINES} "
        f"{where(dialect, 'ordered_at', _COUNTED)} GROUP BY cohort, l.currency"
    )


def customers(groups: Sequence[FactGroup]) -> Figures:
    """Frequent returners: returns, lines, units and value per customer and currency."""
    figures: Figures = {}
    for g in _counted(groups):
        values = (g.count(Figure.RETURNS), g.lines, _units(g), _value(g))
        add(figures, (g.keys[0], g.currency), values)
    return figures


def customers_sql(dialect: str, zone: str) -> str:
    """Returns, lines, units and value per customer and currency."""
    return (
        "SELECT l.customer_id, l.currency, count(DISTINCT l.return_id), count(*), "  # noqa: S608
        f"sum(l.quantity_returned), sum(l.merchandise_value) FROM {LINES} "
        f"{where(dialect, 'returned_at', _COUNTED)} GROUP BY l.customer_id, l.currency"
    )


def ages(groups: Sequence[FactGroup]) -> Figures:
    """Open returns per status and local day made."""
    figures: Figures = {}
    for g in _counted(groups):
        add(figures, (g.keys[0], g.period), (g.count(Figure.RETURNS),))
    return figures


def ages_sql(dialect: str, zone: str) -> str:
    """Open returns per status and local day made."""
    day = local(dialect, "l.returned_at", zone)
    return (
        f"SELECT l.status, {day} AS day, count(DISTINCT l.return_id) FROM {LINES} "  # noqa: S608
        f"{where(dialect, 'returned_at', _OPEN)} GROUP BY l.status, day"
    )


def scores(groups: Sequence[FactGroup]) -> Figures:
    """Returns per reason and score (returns without a score left out)."""
    figures: Figures = {}
    for g in _counted(groups):
        reason, score = g.keys
        if score is not None:
            add(figures, (reason, int(score)), (g.count(Figure.RETURNS),))
    return figures


def scores_sql(dialect: str, zone: str) -> str:
    """Returns per reason and score."""
    return (
        "SELECT l.reason_code, r.satisfaction, count(DISTINCT l.return_id) "  # noqa: S608
        f"FROM {LINES} {JOIN} {where(dialect, 'returned_at', _COUNTED)} "
        "AND r.satisfaction IS NOT NULL GROUP BY l.reason_code, r.satisfaction"
    )


def pareto_steps(dialect: str, every: str) -> list[tuple[str, str]]:
    """The Pareto's lean query grown step by step into ``every`` (its every-figure query).

    What each step adds is what it costs to answer every report with one query.
    """
    groups = (
        f"CASE WHEN l.status IN ({_COUNTED}) THEN 'counted' WHEN l.status IN "
        "('draft', 'submitted') THEN 'pending' WHEN l.status IN ('cancelled', 'rejected') "
        "THEN 'rejected_or_cancelled' ELSE 'excluded' END"
    )
    keys = f"{groups} AS status_group, l.reason_code, l.currency"
    window = where(dialect, "returned_at", None)
    grouped = f"FROM {LINES} {window} GROUP BY status_group, l.reason_code, l.currency"
    sums = ", ".join(
        [f"sum(l.{c})" for c in (*QUANTITY_COLUMNS, *MONEY_COLUMNS) if c != "quantity_returned"]
        + [f"count(l.{c})" for c in MONEY_COLUMNS]
    )
    step = f"SELECT {keys}, count(*), sum(l.quantity_returned)"
    return [
        ("lean: counted statuses, lines and units per reason", pareto_sql(dialect, "")),
        ("+ every status group and the currency in the key", f"{step} {grouped}"),
        ("+ the other 12 sums and 8 counts of known amounts", f"{step}, {sums} {grouped}"),
        (
            "+ count(DISTINCT return_id)",
            f"{step}, {sums}, count(DISTINCT l.return_id) {grouped}",
        ),
        ("+ distinct orders and returned orders (= every figure)", every),
    ]
