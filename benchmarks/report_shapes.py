"""The report shapes measured, each as our query and as hand-written SQL, and their figures.

Each :class:`Shape` is one report of :class:`~crm_returns.service.reports.Reports`
as the store is asked for it (the :class:`FactQuery` of ``counted_query``:
the counted lines and the report's figures only), beside two hand-written
SQL queries on the same tables:

- **lean** (:mod:`benchmarks.report_sql`): what someone writing that one
  report by hand would write — only the counted statuses, only the figures
  the report shows;
- **every figure** (:meth:`Shape.every_sql`): everything :class:`FactGroup`
  holds (every status group by a ``CASE``, every sum and count, the distinct
  returns and orders), in one flat ``GROUP BY`` without a subquery, joining
  ``fact_returns`` only for a score.  It is timed beside our default query,
  :attr:`Shape.every_query` (what ``grouped_facts`` asks for when told
  nothing): the same work, written by hand.

Ours ÷ lean is what a report costs beyond the hand-written query; every
figure ÷ lean what answering everything would cost.  Both answers are
reduced to the same plain integers, keyed alike, so that they can be
compared exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from benchmarks import report_sql as sql
from benchmarks.report_data import TENANT
from benchmarks.report_sql import Figures
from crm_returns.adapters.sql.facts import microseconds, minor_units
from crm_returns.domain.analytics import (
    AGE_FIGURES,
    COHORT_FIGURES,
    COUNT_FIGURES,
    EVERY_FIGURE,
    MONEY_COLUMNS,
    MONEY_FIGURES,
    PARETO_FIGURES,
    PENDING,
    QUANTITY_COLUMNS,
    QUANTITY_FIGURES,
    REJECTED_OR_CANCELLED,
    RETURNER_FIGURES,
    SATISFACTION_FIGURES,
    DateBasis,
    Dimension,
    FactGroup,
    FactQuery,
    ReportPeriod,
    ReportWindow,
    counted_query,
    start_of_day,
)
from crm_returns.service.reports import OPEN

__all__ = ["SHAPES", "Shape", "every_of", "parameters", "shapes"]

#: The whole generated history, on every basis (orders start up to 60 days before 2024).
FIRST_DAY: Final = date(2023, 11, 1)
LAST_DAY: Final = date(2026, 1, 1)
_BASES: Final = {
    DateBasis.ORDER_DATE: "ordered_at",
    DateBasis.RETURN_DATE: "returned_at",
    DateBasis.REFUND_DATE: "refund_paid_at",
}
_COLUMNS: Final = {
    Dimension.REASON: "l.reason_code",
    Dimension.SKU: "l.sku",
    Dimension.CUSTOMER: "l.customer_id",
    Dimension.STATUS: "l.status",
    Dimension.SATISFACTION: "r.satisfaction",
}
_OWNED: Final = frozenset({Dimension.OWNER, Dimension.TEAM, Dimension.SATISFACTION})


@attrs.frozen
class Shape:
    """One report: the store's query, the hand-written lean query, and how to compare them.

    Attributes:
        name: The report.
        query: What the store is asked (``uow.facts.group``), as the service asks
            it: the counted lines and the report's figures only (``counted_query``).
        lean_query: The hand-written query of the report's figures, per dialect and zone.
        ours: The report's figures from the store's groups.
        keys: How many columns of a lean row are its key.
        lean_key: Makes a figure's key from those columns.
    """

    name: str
    query: FactQuery
    lean_query: Callable[[str, str], str]
    ours: Callable[[Sequence[FactGroup]], Figures]
    keys: int
    lean_key: Callable[[tuple[Any, ...]], tuple[Any, ...]] = tuple

    @property
    def every_query(self) -> FactQuery:
        """The same grouping asking for every figure of every status group (the default)."""
        return attrs.evolve(self.query, figures=EVERY_FIGURE, counted_only=False, known=frozenset())

    @property
    def zone(self) -> str:
        """The report's time zone, by name."""
        return str(self.query.window.zone)

    def lean_sql(self, dialect: str) -> str:
        """The hand-written query of the report's figures."""
        return self.lean_query(dialect, self.zone)

    def lean_figures(self, rows: Sequence[Sequence[Any]]) -> Figures:
        """The report's figures from the rows of the lean query."""
        figures: Figures = {}
        for row in rows:
            key = self.lean_key(tuple(row[: self.keys]))
            sql.add(figures, key, tuple(sql.as_int(v) for v in row[self.keys :]))
        return figures

    def every_sql(self, dialect: str) -> str:
        """The hand-written query of every figure :class:`FactGroup` holds."""
        window = self.query.window
        groups = (
            f"CASE WHEN l.status IN ({sql.listed(window.statuses)}) THEN 'counted' "
            f"WHEN l.status IN ({sql.listed(PENDING)}) THEN 'pending' "
            f"WHEN l.status IN ({sql.listed(REJECTED_OR_CANCELLED)}) THEN 'rejected_or_cancelled' "
            "ELSE 'excluded' END"
        )
        basis = _BASES[window.basis]
        keys = [f"{groups} AS status_group"]
        if self.query.period is not None:
            month = self.query.period is ReportPeriod.MONTH
            keys.append(f"{sql.local(dialect, 'l.' + basis, self.zone, month=month)} AS period")
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
        tables = f"{sql.LINES} LEFT {sql.JOIN}" if owned else sql.LINES
        names = [k.rsplit(" AS ", 1)[1] for k in keys]
        return (
            f"SELECT {', '.join(keys + measures)} FROM {tables} "  # noqa: S608 - our own text
            f"{sql.where(dialect, basis, None)} GROUP BY {', '.join(names)}"
        )

    def every_figures(self, rows: Sequence[Sequence[Any]]) -> Figures:
        """Every figure of the rows of :meth:`every_sql`, keyed as :func:`every_of` keys them."""
        width = 2 + len(self.query.by) + (self.query.period is not None)
        figures: Figures = {}
        for row in rows:
            key: list[Any] = [None if k is None else str(k) for k in row[:width]]
            if self.query.period is not None:
                key[1] = sql.as_day(row[1])
            figures[tuple(key)] = tuple(sql.as_int(v) for v in row[width:])
        return figures


def every_of(groups: Sequence[FactGroup]) -> Figures:
    """Every figure of the store's groups (of an :attr:`Shape.every_query`), as plain integers."""
    figures: Figures = {}
    for g in groups:
        key = (g.group.value, *(() if g.period is None else (g.period,)), *g.keys, g.currency)
        unknown = dict(g.unknown)
        money = [g.money(f) for f in MONEY_FIGURES]
        figures[key] = (
            g.lines,
            *(g.count(f) for f in COUNT_FIGURES),
            *(int(g.units(f) * 10**6) for f in QUANTITY_FIGURES),
            *(minor_units(m.amount, m.currency) or 0 for m in money),
            *(g.lines - unknown.get(c, 0) for c in MONEY_COLUMNS),
        )
    return figures


def parameters(window: ReportWindow) -> dict[str, Any]:
    """The tenant and the window's range in microseconds, for the hand-written queries."""
    return {
        "tenant": TENANT,
        "start": microseconds(start_of_day(window.start, window.zone)),
        "end": microseconds(start_of_day(window.end + timedelta(days=1), window.zone)),
    }


def shapes(today: date = LAST_DAY) -> list[Shape]:
    """The report shapes, over the whole generated history (open returns: as of ``today``)."""
    shanghai = ZoneInfo("Asia/Shanghai")
    window = ReportWindow(start=FIRST_DAY, end=LAST_DAY, zone=shanghai)
    orders = attrs.evolve(window, basis=DateBasis.ORDER_DATE)
    berlin = attrs.evolve(orders, zone=ZoneInfo("Europe/Berlin"))
    since = today - timedelta(days=5 * 366)
    opened = ReportWindow(start=since, end=today, zone=shanghai, statuses=frozenset(OPEN))

    def cohort(key: tuple[Any, ...]) -> tuple[Any, ...]:
        return (sql.as_day(key[0]), key[1])

    return [
        Shape(
            "reasons (Pareto)",
            counted_query(window, by=(Dimension.REASON,), figures=PARETO_FIGURES),
            sql.pareto_sql,
            lambda groups: sql.lines_and_units(groups, 1),
            1,
        ),
        Shape(
            "SKU x reason",
            counted_query(window, by=(Dimension.SKU, Dimension.REASON), figures=PARETO_FIGURES),
            sql.matrix_sql,
            lambda groups: sql.lines_and_units(groups, 2),
            2,
        ),
        Shape(
            "monthly by order date",
            counted_query(orders, by=(), period=ReportPeriod.MONTH, figures=COHORT_FIGURES),
            sql.cohorts_sql,
            sql.cohorts,
            2,
            cohort,
        ),
        Shape(
            "monthly by order date, Berlin",
            counted_query(berlin, by=(), period=ReportPeriod.MONTH, figures=COHORT_FIGURES),
            sql.cohorts_sql,
            sql.cohorts,
            2,
            cohort,
        ),
        Shape(
            "by customer",
            counted_query(window, by=(Dimension.CUSTOMER,), figures=RETURNER_FIGURES),
            sql.customers_sql,
            sql.customers,
            2,
        ),
        Shape(
            "open by age",
            counted_query(
                opened, by=(Dimension.STATUS,), period=ReportPeriod.DAY, figures=AGE_FIGURES
            ),
            sql.ages_sql,
            sql.ages,
            2,
            lambda key: (key[0], sql.as_day(key[1])),
        ),
        Shape(
            "satisfaction by reason",
            counted_query(
                window,
                by=(Dimension.REASON, Dimension.SATISFACTION),
                figures=SATISFACTION_FIGURES,
                known=frozenset({Dimension.SATISFACTION}),
            ),
            sql.scores_sql,
            sql.scores,
            2,
            lambda key: (key[0], int(key[1])),
        ),
    ]


#: The shapes' names, in the order they are measured.
SHAPES: Final = tuple(shape.name for shape in shapes())
