"""LineFactsContract: a store's grouped and streamed line facts equal the pure reference."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_returns.domain.analytics import (
    COUNTED,
    EVERY_FIGURE,
    CycleGrouping,
    DateBasis,
    Dimension,
    Figure,
    LineFact,
    ReportPeriod,
    ReportWindow,
    StatusGroup,
    cycle_times,
    line_facts,
)
from crm_returns.domain.analytics.grouping import FactQuery, group_facts
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.money import Money, minor_unit
from crm_returns.domain.ownership.levels import ServiceLevel
from crm_returns.domain.ownership.records import Assignment
from crm_returns.domain.requests.records import RequestStatus
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments.records import Shipment, ShipmentMethod, ShippingPayer
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import History, history

__all__ = ["LineFactsContract"]

#: Zones with and without daylight saving, east and west, and one at a quarter hour.
ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC", "Pacific/Chatham")
_TEAMS = ("dock", "finance", None)


def _copy(template: ReturnOrder, n: int, shift: timedelta) -> ReturnOrder:
    """``template`` as return ``n``, ``shift`` later, on lines of its own.

    The statuses it entered move later still, each by more than the one
    before, so that the copies' stages take different times.
    """
    lines = []
    for line in template.lines:
        ref = attrs.evolve(line.ref, order_number=f"FACT-{n}")
        moved = attrs.evolve(
            line,
            ref=ref,
            pricing=attrs.evolve(line.pricing, ref=ref),
            ordered_at=None if line.ordered_at is None else line.ordered_at + shift,
        )
        lines.append(moved)
    return attrs.evolve(
        template,
        id=f"fact-{n}",
        number=f"RT-F-{n:03d}",
        created_at=template.created_at + shift,
        submitted_at=None if template.submitted_at is None else template.submitted_at + shift,
        # Each later status a little later again: the copies' stages last differently.
        entered=tuple(
            (status, at + shift + timedelta(minutes=(n % 7) * 53 * step))
            for step, (status, at) in enumerate(template.entered, start=1)
        ),
        lines=tuple(lines),
    )


_Record = Assignment | Feedback | RequestRecord | Shipment
#: Decline reasons of the declined requests.
_DECLINED = ("outside_window", "no_evidence")


def _cost(order: ReturnOrder, n: int, currency: str | None = None) -> Money:
    """An odd amount in the return's currency (or ``currency``): shares leave remainders."""
    code = currency or order.currency
    return Money(Decimal(1_001 + 37 * n).scaleb(-minor_unit(code)), code)


def _shipment(order: ReturnOrder, n: int, **changes: Any) -> Shipment:
    """Shipment ``n`` of ``order`` with ``changes``: a pickup by ``sf`` the merchant pays."""
    made = Shipment(
        tenant_id=order.tenant_id,
        id=f"ship-{order.id}-{n}",
        return_id=order.id,
        customer_id=order.customer_id,
        at=order.created_at,
        updated_at=order.created_at,
        method=ShipmentMethod.CARRIER_PICKUP,
        carrier="sf",
        tracking_number=f"SF{order.id}-{n}",
    )
    return attrs.evolve(made, **changes)


def _shipments(order: ReturnOrder, n: int) -> list[Shipment]:
    """What brings the goods of return ``n`` back, by ``n``: every case of the fee's rule.

    Costs known, unknown, paid by the customer, in another currency, handed
    over in store, several parcels, or no shipment at all.
    """
    case = n % 6
    if case == 0:
        return [_shipment(order, 1, cost=_cost(order, n))]
    if case == 1:
        return [
            _shipment(order, 1, cost=_cost(order, n)),
            _shipment(order, 2, cost=_cost(order, n + 1), carrier="jd"),
            _shipment(order, 3, cost=_cost(order, n), paid_by=ShippingPayer.CUSTOMER),
        ]
    if case == 2:  # no label yet: what it costs is not known
        return [_shipment(order, 1)]
    if case == 3:
        other = "JPY" if order.currency != "JPY" else "CNY"
        return [_shipment(order, 1, cost=_cost(order, n, other))]
    if case == 4:
        return [_shipment(order, 1, method=ShipmentMethod.IN_STORE, carrier="", tracking_number="")]
    return []


def _case_file(order: ReturnOrder, n: int) -> list[_Record]:
    """An owner for most returns, feedback for some, a customer's request for others.

    Shipments are apart (:func:`_shipments`).
    """
    records: list[_Record] = []
    team = _TEAMS[n % len(_TEAMS)]
    if team is not None:
        records.append(
            Assignment(
                id=f"owner-{n}",
                tenant_id=order.tenant_id,
                return_id=order.id,
                customer_id=order.customer_id,
                at=order.created_at,
                user_id=f"user-{n % 4}" if n % 2 else None,
                team=team,
                assigned_by="lead",
            )
        )
    if n % 3 == 0:
        records.append(
            Feedback(
                id=f"feedback-{n}",
                tenant_id=order.tenant_id,
                return_id=order.id,
                customer_id=order.customer_id,
                at=order.updated_at,
                score=1 + n % 5,
            )
        )
    if n % 4 in (1, 2):
        declined = n % 4 == 1
        records.append(
            RequestRecord(
                id=f"request-{n}",
                tenant_id=order.tenant_id,
                return_id=order.id,
                customer_id=order.customer_id,
                at=order.created_at,
                requested_by="customer",
                status=RequestStatus.DECLINED if declined else RequestStatus.PENDING,
                decline_reason=_DECLINED[n % 3 % 2] if declined else None,
            )
        )
    return records


def _store(factory: UnitOfWorkFactory, sample: History, count: int) -> list[LineFact]:
    """``count`` returns spread over a year and a half, written as a service would.

    Shipments are added with their return or after it; some costs become known
    later, in a transaction of their own (a label created), and one return
    moves on after its shipment was added: each write keeps the facts in step.
    """
    expected: list[LineFact] = []
    orders = sample.orders
    for n in range(count):
        # Thirteen hours and a bit apart: every hour of the day, both sides of each DST change.
        shift = -timedelta(hours=13 * n, minutes=7 * n)
        order = _copy(orders[n % len(orders)], n, shift)
        records = _case_file(order, n)
        shipments = _shipments(order, n)
        # A cost learnt later: the shipment is first stored without it, then labelled.
        labelled = shipments[:1] if n % 12 == 0 else []
        with factory() as uow:
            for record in records:  # an owner (or a shipment) may come before its return
                if isinstance(record, Assignment):
                    uow.casefile.add(record)
            for shipment in shipments[: n % 2]:
                uow.casefile.add(attrs.evolve(shipment, cost=None) if labelled else shipment)
            uow.returns.add(order)
            for record in records:
                if not isinstance(record, Assignment):
                    uow.casefile.add(record)
            for shipment in shipments[n % 2 :]:
                uow.casefile.add(attrs.evolve(shipment, cost=None) if labelled else shipment)
            uow.commit()
        for shipment in labelled:
            with factory() as uow:
                uow.casefile.update(attrs.evolve(shipment, version=2), expected_version=1)
                uow.commit()
        shipments = [attrs.evolve(s, version=2) if s in labelled else s for s in shipments]
        owner = next((r for r in records if isinstance(r, Assignment)), None)
        feedback = next((r for r in records if isinstance(r, Feedback)), None)
        request = next((r for r in records if isinstance(r, RequestRecord)), None)
        expected += line_facts(
            order, feedback=feedback, assignment=owner, request=request, shipments=shipments
        )
    # One return stored, then moved on version by version: its facts follow it.
    # Its shipment, added once it is approved, is shared out anew as its lines' values move.
    versions = sample.completed_versions
    moved = [_copy(v, 999, timedelta(0)) for v in versions]
    parcel = _shipment(moved[0], 1, cost=_cost(moved[0], 999))
    with factory() as uow:
        uow.returns.add(moved[0])
        uow.commit()
    for before, after in itertools.pairwise(moved):
        with factory() as uow:
            uow.returns.update(after, expected_version=before.version)
            if after.status is ReturnStatus.APPROVED:
                uow.casefile.add(parcel)
            uow.commit()
    expected += line_facts(moved[-1], shipments=[parcel])
    return expected


_STATUSES = st.sampled_from([COUNTED, frozenset(ReturnStatus), frozenset({ReturnStatus.COMPLETED})])


@st.composite
def _queries(draw: st.DrawFn, days: tuple[date, date]) -> FactQuery:
    first, last = days
    span = (last - first).days
    start = first + timedelta(days=draw(st.integers(-5, span)))
    end = start + timedelta(days=draw(st.integers(0, span)))
    window = ReportWindow(
        start=start,
        end=end,
        zone=ZoneInfo(draw(st.sampled_from(ZONES))),
        basis=draw(st.sampled_from(DateBasis)),
        statuses=draw(_STATUSES),
    )
    period = draw(st.none() | st.sampled_from(ReportPeriod))
    by = draw(st.lists(st.sampled_from(Dimension), max_size=2, unique=True))
    figures = draw(st.just(EVERY_FIGURE) | st.frozensets(st.sampled_from(Figure)))
    return FactQuery(
        window=window,
        period=period,
        by=tuple(by),
        figures=figures,
        counted_only=draw(st.booleans()),
        known=draw(st.sets(st.sampled_from(by))) if by else frozenset(),
    )


class LineFactsContract(Contract):
    """``uow.facts`` gives exactly the groups and facts the pure reference computes.

    The reference is :func:`~crm_returns.domain.analytics.group_facts` over
    :func:`~crm_returns.domain.analytics.line_facts` of the returns stored,
    with their owners and feedback.  Queries are generated: windows, zones
    (with and without daylight saving, one at a quarter hour), date bases,
    periods, status filters, dimensions, figures (every one, or any few: a
    figure not asked for must be ``None``, and without money no group is per
    currency), counted groups only or every status group, and dimensions
    whose unknown value is left out.
    """

    def test_grouped_facts_equal_the_reference_grouping(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Every generated query is answered with the reference's groups, to the unit."""
        sample = history()
        expected = _store(unit_of_work_factory, sample, 40)
        moments = [f.returned_at for f in expected]
        days = (min(moments).date(), max(moments).date())

        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(_queries(days))
        def answers(query: FactQuery) -> None:
            with unit_of_work_factory() as uow:
                found = uow.facts.group(sample.tenant_id, query)
            assert_identical(list(found), list(group_facts(expected, query)), f"{query}")

        answers()

    def test_cycle_times_equal_the_reference_per_stage_and_group(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Count, nearest-rank median and P90, max and share within the level, per group."""
        sample = history()
        expected = _store(unit_of_work_factory, sample, 40)
        moments = [f.returned_at for f in expected]
        level = ServiceLevel(
            approve=timedelta(hours=2), ship_back=timedelta(days=1), receive=timedelta(hours=1)
        )
        for zone, statuses in (("UTC", COUNTED), ("Europe/Berlin", frozenset(ReturnStatus))):
            window = ReportWindow(
                start=min(moments).date(),
                end=max(moments).date(),
                zone=ZoneInfo(zone),
                statuses=statuses,
            )
            counted = window.select(expected)[StatusGroup.COUNTED]
            for by in CycleGrouping:
                with unit_of_work_factory() as uow:
                    found = uow.facts.cycle_times(sample.tenant_id, window, by=by, level=level)
                reference = cycle_times(counted, by=by, level=level)
                assert reference, "the history times some stage"
                assert_identical(list(found), list(reference), f"cycle times by {by}")

    def test_facts_stream_in_window_order(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """``scan`` gives each fact of the window once, by date, return, order and line."""
        sample = history()
        expected = _store(unit_of_work_factory, sample, 12)
        zone = ZoneInfo("Europe/Berlin")
        moments = sorted(f.returned_at for f in expected)
        window = ReportWindow(
            start=moments[2].astimezone(zone).date(),
            end=moments[-3].astimezone(zone).date(),
            zone=zone,
        )
        inside = sorted(
            (f for f in expected if window.contains(f)),
            key=lambda f: (f.returned_at, f.return_number, f.order_number, f.line_id),
        )
        with unit_of_work_factory() as uow:
            streamed = list(uow.facts.scan(sample.tenant_id, window))
        assert inside, "the window holds facts"
        assert_identical(streamed, inside, "the facts of the window")

    def test_another_tenant_sees_no_facts(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """Facts are the tenant's own: another tenant's query finds nothing."""
        sample = history()
        expected = _store(unit_of_work_factory, sample, 6)
        moments = [f.returned_at for f in expected]
        window = ReportWindow(
            start=min(moments).date() - timedelta(days=1),
            end=max(moments).date() + timedelta(days=1),
            zone=ZoneInfo("UTC"),
            statuses=frozenset(ReturnStatus),
        )
        with unit_of_work_factory() as uow:
            assert uow.facts.group(sample.tenant_id, FactQuery(window=window))
            assert uow.facts.group("someone-else", FactQuery(window=window)) == ()
            assert list(uow.facts.scan("someone-else", window)) == []
