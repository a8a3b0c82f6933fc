"""Line facts read from the SQL store: grouped with one ``GROUP BY``, or streamed.

:class:`SqlLineFacts` is the :class:`~crm_returns.ports.LineFacts` of a SQL
unit of work.  :meth:`~SqlLineFacts.group` runs one statement: an inner
``SELECT`` gives each line of the window its status group, period (see
:mod:`~crm_returns.adapters.sql.fact_buckets`), keys and measures; the outer
one groups them and adds up, with integer sums (exact on both databases).
The window is a range of the basis column, which an index of ``fact_lines``
covers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import sqlalchemy as sa

from crm_returns.adapters.sql.fact_buckets import local_day, offsets, period_start, period_value
from crm_returns.adapters.sql.fact_cycles import stage_times
from crm_returns.adapters.sql.fact_schema import DATE_COLUMNS, QUANTITY_SCALE, TEXT_COLUMNS
from crm_returns.adapters.sql.facts import EPOCH, microseconds
from crm_returns.adapters.sql.statements import code_point_order
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.analytics import (
    MONEY_COLUMNS,
    PENDING,
    REJECTED_OR_CANCELLED,
    CycleGrouping,
    CycleStats,
    Dimension,
    LineFact,
    ReportWindow,
    StatusGroup,
    start_of_day,
)
from crm_returns.domain.analytics.figures import (
    COUNT_FIGURES,
    MONEY_FIGURES,
    QUANTITY_COLUMNS,
    QUANTITY_FIGURES,
    Figure,
)
from crm_returns.domain.analytics.grouping import FactGroup, FactQuery, canonical_units
from crm_returns.domain.money import Money, minor_unit
from crm_returns.domain.ownership.levels import ServiceLevel
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Location

__all__ = ["SqlLineFacts"]

#: Dimensions read from ``fact_returns`` rather than ``fact_lines``.
_OWNED: Final = frozenset(
    {Dimension.OWNER, Dimension.TEAM, Dimension.SATISFACTION, Dimension.DECLINE_REASON}
)


def _quantity(units: Any) -> Decimal:
    # Whole units, by far the most common, skip the division and its
    # normalising: a third of the time a large report spends turning its
    # rows into groups (benchmarks/reports.py).
    whole, part = divmod(int(units or 0), QUANTITY_SCALE)
    if not part:
        return Decimal(whole)
    return canonical_units(Decimal(int(units)) / QUANTITY_SCALE)


def _money(minor: Any, currency: str) -> Money:
    if not minor:
        # Most sums of fees, credits and write-offs are nothing: shared zeros.
        return Money.zero(currency)
    return Money(Decimal(int(minor)).scaleb(-minor_unit(currency)), currency)


def _moment(value: object) -> datetime | None:
    return None if value is None else EPOCH + timedelta(microseconds=int(str(value)))


def _status_group(status: Any, counted: list[str]) -> Any:
    """Each line's status group, as a ``CASE`` on its status."""
    return sa.case(
        (status.in_(counted), StatusGroup.COUNTED.value),
        (status.in_(sorted(s.value for s in PENDING)), StatusGroup.PENDING.value),
        (
            status.in_(sorted(s.value for s in REJECTED_OR_CANCELLED)),
            StatusGroup.REJECTED_OR_CANCELLED.value,
        ),
        else_=StatusGroup.EXCLUDED.value,
    )


#: What each distinct count counts, by the name the inner ``SELECT`` gives it.
_COUNTED: Final = MappingProxyType(
    {
        Figure.RETURNS: "return_id",
        Figure.ORDERS: "order_number",
        Figure.RETURNED_ORDERS: "returned_order",
    }
)


class _Figures:
    """The totals of a query: the columns each line gives, their aggregates, and the groups.

    A row of the ``GROUP BY`` is its keys (status group unless counted only,
    period, dimensions, currency when by currency), the line count, the
    figures in :class:`Figure` order, then how many lines know each money
    figure.  Which is which is worked out once per query, not per row: a
    report of many groups spends its Python time here (``benchmarks/reports.py``).
    """

    def __init__(self, query: FactQuery) -> None:
        figures = query.figures
        self.counts = [f for f in COUNT_FIGURES if f in figures]
        self.sums = [f for f in (*QUANTITY_FIGURES, *MONEY_FIGURES) if f in figures]
        self.money = [f.value for f in MONEY_FIGURES if f in figures]
        self._counted_only = query.counted_only
        self._period = query.period is not None
        self._dimensions = len(query.by)
        self._by_currency = query.by_currency
        self._names = [f.value for f in (*self.counts, *self.sums)]
        self._readers = [
            *(_count for _ in self.counts),
            *(_money_of if f in MONEY_FIGURES else _quantity_of for f in self.sums),
        ]

    def columns(self, lines: Any) -> list[Any]:
        """What the inner ``SELECT`` gives of each line for the totals."""
        counted = {
            Figure.RETURNS: lines.c.return_id,
            Figure.ORDERS: lines.c.order_number,
            Figure.RETURNED_ORDERS: sa.case((lines.c.quantity_returned > 0, lines.c.order_number)),
        }
        columns = [counted[f].label(_COUNTED[f]) for f in self.counts]
        columns += [lines.c[f.value] for f in self.sums]
        # A line with nothing to total still counts: the subquery needs a column.
        return columns or [sa.literal(1).label("line")]

    def totals(self, rows: Any) -> list[Any]:
        """The aggregates of the outer ``SELECT``, in the order :meth:`group` reads them."""
        return [
            sa.func.count(),
            *(sa.func.count(sa.distinct(rows.c[_COUNTED[f]])) for f in self.counts),
            *(sa.func.sum(rows.c[f.value]) for f in self.sums),
            *(sa.func.count(rows.c[name]) for name in self.money),
        ]

    def group(self, row: Any) -> FactGroup:
        """The group of one row of the ``GROUP BY``."""
        values = list(row)
        status_group = StatusGroup.COUNTED
        if not self._counted_only:
            status_group = StatusGroup(values.pop(0))
        period = period_value(values.pop(0)) if self._period else None
        keys = tuple(None if v is None else str(v) for v in values[: self._dimensions])
        values = values[self._dimensions :]
        currency = values.pop(0) if self._by_currency else None
        lines = int(values[0])
        totals = values[1 : 1 + len(self._names)]
        known = values[1 + len(self._names) :]
        figures: dict[str, Any] = {
            name: read(total, currency)
            for name, read, total in zip(self._names, self._readers, totals, strict=True)
        }
        unknown = tuple(
            (name, lines - int(k)) for name, k in zip(self.money, known, strict=True) if k < lines
        )
        return FactGroup(
            group=status_group,
            period=period,
            keys=keys,
            currency=currency,
            lines=lines,
            unknown=unknown,
            **figures,
        )


def _count(total: Any, currency: str | None) -> int:
    return int(total)


def _quantity_of(total: Any, currency: str | None) -> Decimal:
    return _quantity(total)


def _money_of(total: Any, currency: str | None) -> Money:
    return _money(total, str(currency))  # a query with money is by currency


class SqlLineFacts:
    """The :class:`~crm_returns.ports.LineFacts` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    def _window(
        self, tenant_id: str, window: ReportWindow, *, owned: bool
    ) -> tuple[Any, Any, Any, tuple[datetime, datetime]]:
        """The tables read, the basis column, the window's condition, and its range.

        ``fact_returns`` is joined only when ``owned`` columns are read: the
        join costs a look-up per line (measured: ``benchmarks/reports.py``).
        """
        t = self._tx.tables
        lines, returns = t.fact_lines, t.fact_returns
        joined: sa.FromClause = lines
        if owned:
            joined = lines.outerjoin(
                returns,
                sa.and_(
                    returns.c.tenant_id == lines.c.tenant_id,
                    returns.c.return_id == lines.c.return_id,
                ),
            )
        basis = lines.c[window.basis.column]
        begins = start_of_day(window.start, window.zone)
        ends = start_of_day(window.end + timedelta(days=1), window.zone)
        inside = sa.and_(
            lines.c.tenant_id == tenant_id,
            basis >= microseconds(begins),
            basis < microseconds(ends),
        )
        return joined, basis, inside, (begins, ends)

    def _column(self, dimension: Dimension) -> Any:
        t = self._tx.tables
        table = t.fact_returns if dimension in _OWNED else t.fact_lines
        column = table.c[dimension.column]
        if dimension is Dimension.SATISFACTION:
            return sa.cast(column, sa.String)
        return column

    def group(self, tenant_id: str, query: FactQuery) -> tuple[FactGroup, ...]:
        """``query`` answered with one ``GROUP BY`` (see the module's text).

        Only what the query asks for is computed: the aggregates of its
        figures, the currency in the key only for money, and with
        ``counted_only`` the counted statuses filtered in the ``WHERE`` instead
        of a status group per line.
        """
        window = query.window
        owned = any(d in _OWNED for d in query.by)
        joined, basis, inside, (begins, ends) = self._window(tenant_id, window, owned=owned)
        lines = self._tx.tables.fact_lines
        counted = sorted(s.value for s in window.statuses)
        keys = []
        if query.counted_only:
            inside = sa.and_(inside, lines.c.status.in_(counted))
        else:
            keys.append(_status_group(lines.c.status, counted).label("status_group"))
        if query.period is not None:
            zone = offsets(window.zone, begins, ends)
            start = period_start(local_day(basis, zone), query.period, self._tx.dialect_name)
            keys.append(start.label("period"))
        keys += [self._column(d).label(f"key_{i}") for i, d in enumerate(query.by)]
        for dimension in query.known:
            inside = sa.and_(inside, self._column(dimension).is_not(None))
        if query.by_currency:
            keys.append(lines.c.currency.label("currency"))
        figures = _Figures(query)
        rows = (
            sa.select(*keys, *figures.columns(lines)).select_from(joined).where(inside).subquery()
        )
        grouped = [rows.c[k.name] for k in keys]
        statement = sa.select(*grouped, *figures.totals(rows)).select_from(rows).group_by(*grouped)
        if not grouped:
            # Totals without a key are one row even of no line: no line, no group.
            statement = statement.having(sa.func.count() > 0)
        found = self._tx.execute(statement, subject="the line facts").all()
        return tuple(sorted(map(figures.group, found), key=FactGroup.sort_key))

    def cycle_times(
        self,
        tenant_id: str,
        window: ReportWindow,
        *,
        by: CycleGrouping = CycleGrouping.ALL,
        level: ServiceLevel | None = None,
    ) -> tuple[CycleStats, ...]:
        """Cycle times of the counted returns of ``window`` (see :mod:`.fact_cycles`)."""
        joined, _, inside, _ = self._window(tenant_id, window, owned=by is not CycleGrouping.ALL)
        return stage_times(self._tx, tenant_id, window, inside, joined, by=by, level=level)

    def scan(self, tenant_id: str, window: ReportWindow) -> Iterator[LineFact]:
        """The facts inside ``window``, streamed in the port's order."""
        joined, basis, inside, _ = self._window(tenant_id, window, owned=True)
        t = self._tx.tables
        lines, owned = t.fact_lines, t.fact_returns
        dialect = self._tx.dialect_name
        statement = (
            sa.select(
                lines,
                owned.c.owner_user,
                owned.c.owner_team,
                owned.c.satisfaction,
                owned.c.decline_reason,
            )
            .select_from(joined)
            .where(inside)
            .order_by(
                basis,
                code_point_order(lines.c.return_number, dialect),
                code_point_order(lines.c.order_number, dialect),
                code_point_order(lines.c.line_id, dialect),
            )
            .execution_options(yield_per=1000)
        )
        for row in self._tx.execute(statement, subject="the line facts"):
            yield _fact(row._mapping)


def _fact(row: Any) -> LineFact:
    currency = row["currency"]
    values: dict[str, Any] = {name: row[name] for name, _ in TEXT_COLUMNS}
    values["status"] = ReturnStatus(row["status"])
    location = row["stock_location"]
    values["stock_location"] = None if location is None else Location(location)
    for name in QUANTITY_COLUMNS:
        values[name] = _quantity(row[name])
    for name in MONEY_COLUMNS:
        minor = row[name]
        values[name] = None if minor is None else _money(minor, currency).amount
    for name in DATE_COLUMNS:
        values[name] = _moment(row[name])
    satisfaction = row["satisfaction"]
    return LineFact(
        tenant_id=row["tenant_id"],
        return_id=row["return_id"],
        order_number=row["order_number"],
        line_id=row["line_id"],
        owner_user=row["owner_user"],
        owner_team=row["owner_team"],
        satisfaction=None if satisfaction is None else int(satisfaction),
        decline_reason=row["decline_reason"],
        **values,
    )
