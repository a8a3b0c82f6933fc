"""The report shapes measured, each as our query and as hand-written SQL, and their figures.

Each :class:`Shape` is one report of :class:`~crm_returns.service.reports.Reports`
as the store is asked for it (a :class:`FactQuery` for ``uow.facts.group``),
beside two hand-written SQL queries on the same tables:

- **lean**: what someone writing that one report by hand would write — only
  the counted statuses, only the figures the report shows, the local day or
  month of a fixed-offset zone (Asia/Shanghai, UTC+8) written plainly
  (``date(x / 1000000 + 28800, 'unixepoch')`` on SQLite, ``AT TIME ZONE`` on
  PostgreSQL);
- **every figure**: everything :class:`FactGroup` holds (every status group
  by a ``CASE``, every sum and count, the distinct returns and orders), in
  one flat ``GROUP BY`` without a subquery: the same work as ours, written
  by hand, so that ours ÷ every figure is the cost of our construction and
  every figure ÷ lean the cost of answering more than one report needs.

:meth:`Shape.ours` and :meth:`Shape.lean_figures` reduce both answers to
the same plain integers (units in millionths, money in minor units), keyed
alike, so that they can be compared exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from benchmarks.report_data import TENANT
from crm_returns.adapters.sql.facts import microseconds, minor_units
from crm_returns.domain.analytics import (
    COUNTED,
    MONEY_COLUMNS,
    PENDING,
    REJECTED_OR_CANCELLED,
    DateBasis,
    Dimension,
    FactGroup,
    FactQuery,
    ReportPeriod,
    ReportWindow,
    StatusGroup,
    start_of_day,
)
from crm_returns.domain.analytics.grouping import QUANTITY_COLUMNS
from crm_returns.service.reports import OPEN

__all__ = ["SHAPES", "ZONE", "Figures", "Shape", "parameters", "shapes"]

ZONE: Final = ZoneInfo("Asia/Shanghai")
#: The whole generated history, on every basis (orders start up to 60 days before 2024).
FIRST_DAY: Final = date(2023, 11, 1)
LAST_DAY: Final = date(2026, 1, 1)
_UNIT: Final = 10**6

Figures = dict[tuple[Any, ...], tuple[int, ...]]


def _listed(statuses: frozenset[Any]) -> str:
    return ", ".join(f"'{s.value}'" for s in sorted(statuses, key=lambda s: s.value))


_COUNTED_SQL: Final = _listed(COUNTED)
_OPEN_SQL: Final = _listed(frozenset(OPEN))
_LINES: Final = "crm_returns_fact_lines l"
_JOIN: Final = (
    "JOIN crm_returns_fact_returns r ON r.tenant_id = l.tenant_id AND r.return_id = l.return_id"
)


def _local(dialect: str, column: str, month: bool = False) -> str:
    """The local day (or first day of the month) of ``column`` in Asia/Shanghai, by hand."""
    if dialect == "sqlite":
        modifier = ", 'start of month'" if month else ""
        return f"date({column} / 1000000 + 28800, 'unixepoch'{modifier})"
    local = f"to_timestamp({column} / 1000000.0) AT TIME ZONE 'Asia/Shanghai'"
    return f"date_trunc('month', {local})::date" if month else f"({local})::date"


def _where(dialect: str, basis: str, statuses: str | None) -> str:
    tenant, start, end = (
        (":tenant", ":start", ":end")
        if dialect == "sqlite"
        else ("%(tenant)s", "%(start)s", "%(end)s")
    )
    where = f"WHERE l.tenant_id = {tenant} AND l.{basis} >= {start} AND l.{basis} < {end}"
    return where if statuses is None else f"{where} AND l.status IN ({statuses})"


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _int(value: object) -> int:
    return 0 if value is None else int(str(value))


def _units(amount: Any) -> int:
    return int(amount * _UNIT)


def _counted(groups: Sequence[FactGroup]) -> list[FactGroup]:
    return [g for g in groups if g.group is StatusGroup.COUNTED]


def _add(figures: Figures, key: tuple[Any, ...], values: tuple[int, ...]) -> None:
    known = figures.get(key, (0,) * len(values))
    figures[key] = tuple(a + b for a, b in zip(known, values, strict=True))


@attrs.frozen
class Shape:
    """One report: the store's query, the hand-written lean query, and how to compare them.

    Attributes:
        name: The report.
        query: What the store is asked (``uow.facts.group``).
        lean_sql: The hand-written query of the report's figures, per dialect.
        ours: The report's figures from the store's groups.
        lean_key: Makes a figure's key from the first ``keys`` columns of a lean row.
        keys: How many columns of a lean row are its key.
    """

    name: str
    query: FactQuery
    lean_sql: Callable[[str], str]
    ours: Callable[[Sequence[FactGroup]], Figures]
    keys: int
    lean_key: Callable[[tuple[Any, ...]], tuple[Any, ...]] = tuple

    def lean_figures(self, rows: Sequence[Sequence[Any]]) -> Figures:
        """The report's figures from the rows of the lean query."""
        figures: Figures = {}
        for row in rows:
            key = self.lean_key(tuple(row[: self.keys]))
            _add(figures, key, tuple(_int(v) for v in row[self.keys :]))
        return figures

    def every_sql(self, dialect: str) -> str:
        """The hand-written query of every figure :class:`FactGroup` holds."""
        window = self.query.window
        groups = (
            f"CASE WHEN l.status IN ({_listed(window.statuses)}) THEN 'counted' "
            f"WHEN l.status IN ({_listed(PENDING)}) THEN 'pending' "
            f"WHEN l.status IN ({_listed(REJECTED_OR_CANCELLED)}) THEN 'rejected_or_cancelled' "
            "ELSE 'excluded' END"
        )
        basis = _basis(window)
        keys = [f"{groups} AS status_group"]
        if self.query.period is not None:
            month = self.query.period is ReportPeriod.MONTH
            keys.append(f"{_local(dialect, 'l.' + basis, month)} AS period")
        keys += [f"{_COLUMNS[d]} AS key_{i}" for i, d in enumerate(self.query.by)]
        keys.append("l.currency AS currency")
        measures = [
            "count(*)",
            "count(DISTINCT l.return_id)",
            "count(DISTINCT l.order_number)",
            "count(DISTINCT CASE WHEN l.quantity_returned > 0 THEN l.order_number END)",
            *(f"sum(l.{c})" for c in (*QUANTITY_COLUMNS, *MONEY_COLUMNS)),
            *(f"count(l.{c})" for c in MONEY_COLUMNS),
        ]
        owned = any(d in _OWNED for d in self.query.by)
        joined = f"{_LINES} LEFT {_JOIN}" if owned else _LINES
        names = [k.rsplit(" AS ", 1)[1] for k in keys]
        return (
            f"SELECT {', '.join(keys + measures)} FROM {joined} "  # noqa: S608 - our own text
            f"{_where(dialect, basis, None)} GROUP BY {', '.join(names)}"
        )

    def every_figures(self, rows: Sequence[Sequence[Any]]) -> Figures:
        """Every figure of the rows of :meth:`every_sql`, keyed as :func:`every_of` keys them."""
        width = 2 + len(self.query.by) + (self.query.period is not None)
        figures: Figures = {}
        for row in rows:
            key = list(row[:width])
            if self.query.period is not None:
                key[1] = _day(key[1])
            key = [None if k is None else k if isinstance(k, date) else str(k) for k in key]
            figures[tuple(key)] = tuple(_int(v) for v in row[width:])
        return figures


def every_of(groups: Sequence[FactGroup]) -> Figures:
    """Every figure of the store's groups, as plain integers."""
    figures: Figures = {}
    for g in groups:
        key = (g.group.value, *(() if g.period is None else (g.period,)), *g.keys, g.currency)
        unknown = dict(g.unknown)
        money = [minor_units(getattr(g, c).amount, g.currency) or 0 for c in MONEY_COLUMNS]
        figures[key] = (
            g.lines,
            g.returns,
            g.orders,
            g.returned_orders,
            *(_units(getattr(g, c)) for c in QUANTITY_COLUMNS),
            *money,
            *(g.lines - unknown.get(c, 0) for c in MONEY_COLUMNS),
        )
    return figures


_OWNED: Final = frozenset({Dimension.OWNER, Dimension.TEAM, Dimension.SATISFACTION})
_COLUMNS: Final = {
    Dimension.REASON: "l.reason_code",
    Dimension.SKU: "l.sku",
    Dimension.CUSTOMER: "l.customer_id",
    Dimension.STATUS: "l.status",
    Dimension.SATISFACTION: "r.satisfaction",
}


def _basis(window: ReportWindow) -> str:
    return {
        DateBasis.ORDER_DATE: "ordered_at",
        DateBasis.RETURN_DATE: "returned_at",
        DateBasis.REFUND_DATE: "refund_paid_at",
    }[window.basis]


def parameters(window: ReportWindow) -> dict[str, Any]:
    """The tenant and the window's range in microseconds, for the hand-written queries."""
    return {
        "tenant": TENANT,
        "start": microseconds(start_of_day(window.start, window.zone)),
        "end": microseconds(start_of_day(window.end + timedelta(days=1), window.zone)),
    }


def _lines_and_units(groups: Sequence[FactGroup], width: int) -> Figures:
    figures: Figures = {}
    for g in _counted(groups):
        _add(figures, g.keys[:width], (g.lines, _units(g.quantity_returned)))
    return figures


def _pareto_sql(dialect: str) -> str:
    return (
        "SELECT l.reason_code, count(*), sum(l.quantity_returned) "  # noqa: S608 - our own text
        f"FROM {_LINES} {_where(dialect, 'returned_at', _COUNTED_SQL)} GROUP BY l.reason_code"
    )


def _matrix_sql(dialect: str) -> str:
    return (
        "SELECT l.sku, l.reason_code, count(*), sum(l.quantity_returned) "  # noqa: S608 - our own text
        f"FROM {_LINES} {_where(dialect, 'returned_at', _COUNTED_SQL)} "
        "GROUP BY l.sku, l.reason_code"
    )


def _cohorts(groups: Sequence[FactGroup]) -> Figures:
    figures: Figures = {}
    for g in _counted(groups):
        assert g.period is not None
        value = minor_units(g.merchandise_value.amount, g.currency) or 0
        _add(
            figures,
            (g.period, g.currency),
            (_units(g.quantity_returned), g.returned_orders, value),
        )
    return figures


def _cohorts_sql(dialect: str) -> str:
    month = _local(dialect, "l.ordered_at", month=True)
    return (
        f"SELECT {month} AS cohort, l.currency, sum(l.quantity_returned), "  # noqa: S608 - our own text
        "count(DISTINCT CASE WHEN l.quantity_returned > 0 THEN l.order_number END), "
        f"sum(l.merchandise_value) FROM {_LINES} "
        f"{_where(dialect, 'ordered_at', _COUNTED_SQL)} GROUP BY cohort, l.currency"
    )


def _customers(groups: Sequence[FactGroup]) -> Figures:
    figures: Figures = {}
    for g in _counted(groups):
        value = minor_units(g.merchandise_value.amount, g.currency) or 0
        _add(
            figures,
            (g.keys[0], g.currency),
            (g.returns, g.lines, _units(g.quantity_returned), value),
        )
    return figures


def _customers_sql(dialect: str) -> str:
    return (
        "SELECT l.customer_id, l.currency, count(DISTINCT l.return_id), count(*), "  # noqa: S608 - our own text
        f"sum(l.quantity_returned), sum(l.merchandise_value) FROM {_LINES} "
        f"{_where(dialect, 'returned_at', _COUNTED_SQL)} GROUP BY l.customer_id, l.currency"
    )


def _ages(groups: Sequence[FactGroup]) -> Figures:
    figures: Figures = {}
    for g in _counted(groups):
        assert g.period is not None
        _add(figures, (g.keys[0], g.period), (g.returns,))
    return figures


def _ages_sql(dialect: str) -> str:
    day = _local(dialect, "l.returned_at")
    return (
        f"SELECT l.status, {day} AS day, count(DISTINCT l.return_id) FROM {_LINES} "  # noqa: S608 - our own text
        f"{_where(dialect, 'returned_at', _OPEN_SQL)} GROUP BY l.status, day"
    )


def _scores(groups: Sequence[FactGroup]) -> Figures:
    figures: Figures = {}
    for g in _counted(groups):
        reason, score = g.keys
        if score is not None:
            _add(figures, (reason, int(score)), (g.returns,))
    return figures


def _scores_sql(dialect: str) -> str:
    return (
        "SELECT l.reason_code, r.satisfaction, count(DISTINCT l.return_id) "  # noqa: S608 - our own text
        f"FROM {_LINES} {_JOIN} {_where(dialect, 'returned_at', _COUNTED_SQL)} "
        "AND r.satisfaction IS NOT NULL GROUP BY l.reason_code, r.satisfaction"
    )


def shapes(today: date = LAST_DAY) -> list[Shape]:
    """The report shapes, over the whole generated history (open returns: as of ``today``)."""
    window = ReportWindow(start=FIRST_DAY, end=LAST_DAY, zone=ZONE)
    orders = attrs.evolve(window, basis=DateBasis.ORDER_DATE)
    opened = ReportWindow(
        start=today - timedelta(days=5 * 366), end=today, zone=ZONE, statuses=frozenset(OPEN)
    )
    return [
        Shape(
            "reasons (Pareto)",
            FactQuery(window=window, by=(Dimension.REASON,)),
            _pareto_sql,
            lambda groups: _lines_and_units(groups, 1),
            1,
        ),
        Shape(
            "SKU x reason",
            FactQuery(window=window, by=(Dimension.SKU, Dimension.REASON)),
            _matrix_sql,
            lambda groups: _lines_and_units(groups, 2),
            2,
        ),
        Shape(
            "monthly by order date",
            FactQuery(window=orders, period=ReportPeriod.MONTH),
            _cohorts_sql,
            _cohorts,
            2,
            lambda key: (_day(key[0]), key[1]),
        ),
        Shape(
            "by customer",
            FactQuery(window=window, by=(Dimension.CUSTOMER,)),
            _customers_sql,
            _customers,
            2,
        ),
        Shape(
            "open by age",
            FactQuery(window=opened, period=ReportPeriod.DAY, by=(Dimension.STATUS,)),
            _ages_sql,
            _ages,
            2,
            lambda key: (key[0], _day(key[1])),
        ),
        Shape(
            "satisfaction by reason",
            FactQuery(window=window, by=(Dimension.REASON, Dimension.SATISFACTION)),
            _scores_sql,
            _scores,
            2,
            lambda key: (key[0], int(key[1])),
        ),
    ]


#: The shapes' names, in the order they are measured.
SHAPES: Final = tuple(shape.name for shape in shapes())
