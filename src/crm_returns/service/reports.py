"""Reports: return analytics over every return of the tenant, for staff.

Each report asks the store for grouped line facts (``uow.facts.group``: one
``GROUP BY`` on SQL) and shapes them with the pure functions of
:mod:`crm_returns.domain.analytics`; the rates add the host's delivered
totals (``OrderSource.delivered_totals``).  Cycle times and exports read the
facts one by one (``uow.facts.scan``).  Every report needs
:attr:`~crm_returns.Permission.VIEW_REPORTS` and is refused to an actor acting
for a customer, whatever the policy: it spans every customer.  Definitions:
``docs/analytics.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.analytics import (
    AGE_BANDS,
    AGE_FIGURES,
    COHORT_FIGURES,
    COUNTED,
    PARETO_FIGURES,
    PENDING,
    RETURNER_FIGURES,
    SATISFACTION_FIGURES,
    AgeBand,
    CohortRates,
    CycleGrouping,
    CycleStats,
    DateBasis,
    DeliveredTotals,
    DeliveredTotalsQuery,
    Dimension,
    FactGroup,
    FactQuery,
    FrequentReturner,
    LineFact,
    Measure,
    ParetoRow,
    ReasonLevel,
    ReportPeriod,
    ReportWindow,
    Satisfaction,
    SkuReasonMatrix,
    age_bands,
    counted_query,
    frequent_returners,
    pareto_of,
    rates_of,
    returned_by_cohort,
    satisfaction_of,
    sku_reason_matrix_of,
)
from crm_returns.domain.money import Money
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.policies.eligibility import ReturnWindow
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput
from crm_returns.service.checks import checked_moment
from crm_returns.service.template import ServiceCore

__all__ = ["Reports"]

#: Statuses of a return still under way (drafts and submitted ones included).
OPEN: frozenset[ReturnStatus] = PENDING | {
    ReturnStatus.APPROVED,
    ReturnStatus.PARTIALLY_RECEIVED,
    ReturnStatus.RECEIVED,
    ReturnStatus.INSPECTED,
}
#: How far back open returns are looked for.
_OPEN_SINCE = timedelta(days=5 * 366)


def _window(value: object) -> ReportWindow:
    if not isinstance(value, ReportWindow):
        raise InvalidInput(f"window must be a ReportWindow, got {value!r}")
    return value


def _measure(value: object) -> Measure:
    if not isinstance(value, Measure):
        raise InvalidInput(f"measure must be a Measure, got {value!r}")
    return value


def _zone(value: object) -> tzinfo:
    if not isinstance(value, tzinfo):
        raise InvalidInput(f"zone must be a time zone (zoneinfo.ZoneInfo), got {value!r}")
    return value


def _values(value: object) -> tuple[Money, ...]:
    if not isinstance(value, (tuple, list)) or not all(isinstance(m, Money) for m in value):
        raise InvalidInput(f"min_value must be Money, one per currency, got {value!r}")
    return tuple(value)


class Reports(ServiceCore):
    """The reports of :class:`~crm_returns.ReturnsService`."""

    def _analyst(self, actor: Actor) -> Actor:
        """``actor`` if it may run reports: staff with ``view_reports``."""
        actor = self._authorise(actor, Permission.VIEW_REPORTS)
        if actor.customer_id is not None:
            raise self._denied(actor, Permission.VIEW_REPORTS, None)
        return actor

    def _groups(self, actor: Actor, query: FactQuery) -> tuple[FactGroup, ...]:
        with self._uow() as uow:
            return uow.facts.group(actor.tenant_id, query)

    def grouped_facts(self, actor: Actor, query: FactQuery) -> tuple[FactGroup, ...]:
        """Line facts grouped as ``query`` says: every breakdown starts here.

        By period (day, week, month, quarter) and up to three dimensions
        (product, SKU, category, customer, reason, stock location, owner,
        team, status, satisfaction), per status group and currency.

        Raises:
            InvalidInput: ``query`` is not a :class:`FactQuery`.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        if not isinstance(query, FactQuery):
            raise InvalidInput(f"query must be a FactQuery, got {query!r}")
        return self._groups(actor, query)

    def reasons_report(
        self,
        actor: Actor,
        window: ReportWindow,
        *,
        level: ReasonLevel = ReasonLevel.REASON,
        measure: Measure = Measure.LINES,
    ) -> tuple[ParetoRow, ...]:
        """The reasons (or reason categories) Pareto of the counted lines of ``window``.

        Fold its tail with :func:`~crm_returns.domain.analytics.fold`.

        Raises:
            InvalidInput: A value of the wrong type.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        if not isinstance(level, ReasonLevel) or not isinstance(measure, Measure):
            raise InvalidInput("level must be a ReasonLevel and measure a Measure")
        by = Dimension.REASON if level is ReasonLevel.REASON else Dimension.REASON_CATEGORY
        query = counted_query(_window(window), by=(by,), figures=PARETO_FIGURES)
        return pareto_of(self._groups(actor, query), measure)

    def decline_reasons_report(
        self, actor: Actor, window: ReportWindow, *, measure: Measure = Measure.LINES
    ) -> tuple[ParetoRow, ...]:
        """Why customers' requests made in ``window`` were declined: a Pareto of decline reasons.

        Counts the declined requests' returns (rejected, with a decline
        reason), whatever the window's status filter says.

        Raises:
            InvalidInput: A value of the wrong type.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        measure = _measure(measure)
        declined = attrs.evolve(_window(window), statuses=frozenset({ReturnStatus.REJECTED}))
        query = counted_query(declined, by=(Dimension.DECLINE_REASON,), figures=PARETO_FIGURES)
        groups = self._groups(actor, query)
        return pareto_of((g for g in groups if g.keys[0] is not None), measure)

    def sku_reason_report(
        self, actor: Actor, window: ReportWindow, *, top: int = 10, measure: Measure = Measure.LINES
    ) -> SkuReasonMatrix:
        """The SKU × reason matrix of the ``top`` SKUs of ``window``.

        Raises:
            InvalidInput: ``top`` is not a whole number of at least 1, or a wrong type.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        by = (Dimension.SKU, Dimension.REASON)
        query = counted_query(_window(window), by=by, figures=PARETO_FIGURES)
        measure = _measure(measure)
        return sku_reason_matrix_of(self._groups(actor, query), top=top, measure=measure)

    def return_rates(
        self,
        actor: Actor,
        *,
        start: date,
        end: date,
        zone: tzinfo,
        period: ReportPeriod = ReportPeriod.MONTH,
        statuses: frozenset[ReturnStatus] = COUNTED,
        return_window: timedelta | None = None,
        at: datetime | None = None,
        by: Dimension | None = None,
    ) -> tuple[CohortRates, ...]:
        """Unit, order and value return rates of the order cohorts from ``start`` to ``end``.

        Args:
            actor: Who asks.
            start: First local order day (start it on a period's first day
                for whole cohorts).
            end: Last local order day.
            zone: The time zone days are read in.
            period: The cohorts' period.
            statuses: Statuses counted (approved onwards by default).
            return_window: How long a customer may still return after
                ordering, for maturity; by default the longest window of the
                settings' :class:`~crm_returns.ReturnWindow` rules (30 days
                without one).
            at: When the report is made; now by default.
            by: Rates per product, SKU, category or customer
                (:data:`~crm_returns.domain.analytics.DELIVERED_DIMENSIONS`): each
                key's returns over what was delivered of it; ordered by key,
                then cohort.  ``None``: whole cohorts.

        Raises:
            InvalidInput: A bad day, zone, period or status filter, or a
                dimension the delivered totals do not know.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        when = checked_moment(at, "at") or self._clock.now()
        if return_window is not None and (
            not isinstance(return_window, timedelta) or return_window <= timedelta(0)
        ):
            raise InvalidInput(f"return_window must be a positive timedelta, got {return_window!r}")
        asked = DeliveredTotalsQuery(start=start, end=end, zone=zone, period=period, by=by)
        window = ReportWindow(
            start=start, end=end, zone=zone, basis=DateBasis.ORDER_DATE, statuses=statuses
        )
        dims = () if by is None else (by,)
        query = counted_query(window, period=period, by=dims, figures=COHORT_FIGURES)
        groups = self._groups(actor, query)
        delivered = self._orders.delivered_totals(actor.tenant_id, asked)
        keyed: dict[str | None, list[DeliveredTotals]] = {}
        for total in delivered:
            keyed.setdefault(total.key, []).append(attrs.evolve(total, key=None))
        rates: list[CohortRates] = []
        for key in sorted(keyed, key=lambda k: k or ""):
            found = rates_of(
                returned_by_cohort(groups, key=key),
                keyed[key],
                period=period,
                zone=zone,
                as_of=when,
                return_window=return_window or self._longest_return_window(),
            )
            rates += (attrs.evolve(r, key=key) for r in found)
        return tuple(rates)

    def _longest_return_window(self) -> timedelta:
        rules = self.settings.eligibility_rules
        days = [rule.longest_days for rule in rules if isinstance(rule, ReturnWindow)]
        return timedelta(days=max(days, default=30))

    def cycle_time_report(
        self, actor: Actor, window: ReportWindow, *, by: CycleGrouping = CycleGrouping.ALL
    ) -> tuple[CycleStats, ...]:
        """Cycle time per stage of the counted returns of ``window``, against the service level.

        Raises:
            InvalidInput: A value of the wrong type.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        if not isinstance(by, CycleGrouping):
            raise InvalidInput(f"by must be a CycleGrouping, got {by!r}")
        with self._uow() as uow:
            return uow.facts.cycle_times(
                actor.tenant_id, _window(window), by=by, level=self.settings.service_level
            )

    def frequent_returners(
        self,
        actor: Actor,
        window: ReportWindow,
        *,
        min_returns: int = 3,
        min_value: Sequence[Money] = (),
    ) -> tuple[FrequentReturner, ...]:
        """Customers with many returns (or much value returned) in ``window``.

        Their unit rate divides the units they returned by the units
        delivered to them on orders placed in the window's days.

        Raises:
            InvalidInput: ``min_returns`` below 1, or a wrong type.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        window = _window(window)
        min_value = _values(min_value)
        query = counted_query(window, by=(Dimension.CUSTOMER,), figures=RETURNER_FIGURES)
        groups = self._groups(actor, query)
        asked = DeliveredTotalsQuery(
            start=window.start,
            end=window.end,
            zone=window.zone,
            period=ReportPeriod.QUARTER,
            by=Dimension.CUSTOMER,
        )
        delivered: dict[str, Decimal] = {}
        for total in self._orders.delivered_totals(actor.tenant_id, asked):
            key = total.key or ""
            delivered[key] = delivered.get(key, Decimal(0)) + total.units
        return frequent_returners(
            groups, min_returns=min_returns, min_value=min_value, delivered=delivered
        )

    def open_returns_by_age(
        self,
        actor: Actor,
        *,
        zone: tzinfo,
        at: datetime | None = None,
        bands: Sequence[int] = AGE_BANDS,
    ) -> tuple[AgeBand, ...]:
        """Returns still under way, by status and age in local days (made today: 0).

        Raises:
            InvalidInput: A bad zone or bands.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        now = checked_moment(at, "at") or self._clock.now()
        today = now.astimezone(_zone(zone)).date()
        window = ReportWindow(
            start=today - _OPEN_SINCE, end=today, zone=zone, statuses=frozenset(OPEN)
        )
        by = (Dimension.STATUS,)
        query = counted_query(window, period=ReportPeriod.DAY, by=by, figures=AGE_FIGURES)
        return age_bands(self._groups(actor, query), today=today, bands=bands)

    def satisfaction_report(
        self, actor: Actor, window: ReportWindow, *, by: Dimension | None = None
    ) -> tuple[Satisfaction, ...]:
        """The customers' scores of the returns of ``window``: overall, or per ``by``.

        Raises:
            InvalidInput: ``by`` is the satisfaction itself, or a wrong type.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        if by is Dimension.SATISFACTION:
            raise InvalidInput("satisfaction by satisfaction: choose another dimension")
        dims = (Dimension.SATISFACTION,) if by is None else (by, Dimension.SATISFACTION)
        query = counted_query(
            _window(window),
            by=dims,
            figures=SATISFACTION_FIGURES,
            known=frozenset({Dimension.SATISFACTION}),
        )
        return satisfaction_of(self._groups(actor, query))

    def export_facts(self, actor: Actor, window: ReportWindow) -> Iterator[LineFact]:
        """Every line fact of ``window`` (all status groups), streamed for an export.

        The store is read as the iterator is consumed, in one transaction:
        consume it (or close it) promptly.

        Raises:
            InvalidInput: ``window`` is not a :class:`ReportWindow`.
            NotAuthorised: The actor may not run reports.
        """
        actor = self._analyst(actor)
        window = _window(window)

        def stream() -> Iterator[LineFact]:
            with self._uow() as uow:
                yield from uow.facts.scan(actor.tenant_id, window)

        return stream()
