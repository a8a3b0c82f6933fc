"""The stage a return is in, since when, and its deadline (``domain/ownership``).

Hypothesis varies one real return of the sample shop: its status, when it was
submitted and approved, its last change, whether its lines are settled,
whether its refund is granted and paid, its parcels, and the service level.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns import (
    Approval,
    ApprovalStep,
    LineRef,
    Receipt,
    RefundMethod,
    RequestedLine,
    ReturnOrder,
    ReturnRequest,
    ReturnStatus,
    ServiceLevel,
    Stage,
)
from crm_returns.domain.ownership import STAGES, Assignment, deadline, followed, stage_of
from crm_returns.domain.returns.states import TERMINAL
from crm_returns.domain.shipments.records import Shipment, ShipmentMethod, TrackingStatus
from crm_returns.errors import InvalidInput
from crm_returns.testing import sample_wiring

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CABLE = LineRef("SO-1001", "2")
S = ReturnStatus


@functools.cache
def _received() -> ReturnOrder:
    """A real return of the sample shop, received and granted its refund (nothing inspected)."""
    w = sample_wiring()
    order = w.service.create_return(
        w.clerk, ReturnRequest((RequestedLine(CABLE, Decimal(2), "wrong_order"),))
    )
    w.service.submit_return(w.clerk, order.id)
    w.service.receive_goods(w.warehouse, order.id, {CABLE: Receipt(received=Decimal(2))})
    return w.service.grant_refund(w.finance, order.id, method=RefundMethod.ORIGINAL_PAYMENT)


ALLOWANCES = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=366))
LEVELS = st.builds(
    ServiceLevel,
    approve=ALLOWANCES,
    ship_back=ALLOWANCES,
    receive=ALLOWANCES,
    inspect=ALLOWANCES,
    refund=ALLOWANCES,
)
GAPS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))


@st.composite
def returns(draw: st.DrawFn) -> ReturnOrder:
    """The sample return in any status, with consistent times and any settling and paying."""
    base = _received()
    status = draw(st.sampled_from(ReturnStatus))
    submitted = T0 + draw(GAPS)
    approvals = []
    at = submitted
    steps = draw(st.lists(st.sampled_from([None, timedelta(hours=4)]), max_size=2))
    for index, _limit in enumerate(steps):
        if status is S.SUBMITTED and index == len(steps) - 1:
            break  # the last step is still waiting
        at += draw(GAPS)
        approvals.append(Approval(f"step-{index}", "u-boss", "Boss", at, ""))
    if status is S.SUBMITTED and not steps:
        steps = [None]
    updated = at + draw(GAPS)
    line = base.lines[0]
    if draw(st.booleans()):  # a line still waits for inspection
        line = attrs.evolve(line, accepted=Decimal(0))
    granted = status in (S.RECEIVED, S.INSPECTED, S.COMPLETED)  # money is decided after goods
    grant = draw(st.sampled_from([None, base.grant])) if granted else None
    if grant is not None and draw(st.booleans()):
        grant = attrs.evolve(grant, method=RefundMethod.STORE_CREDIT)  # paid when granted
    return attrs.evolve(
        base,
        status=status,
        submitted_at=None if status is S.DRAFT else submitted,
        steps=tuple(
            ApprovalStep(f"step-{i}", {"approver"}, time_limit=limit)
            for i, limit in enumerate(steps)
        ),
        approvals=tuple(approvals),
        updated_at=updated,
        lines=(line,),
        grant=grant,
    )


@st.composite
def parcels(draw: st.DrawFn, order: ReturnOrder) -> tuple[Shipment, ...]:
    found = []
    for index in range(draw(st.integers(0, 2))):
        found.append(
            Shipment(
                tenant_id=order.tenant_id,
                id=f"s-{index}",
                return_id=order.id,
                customer_id=order.customer_id,
                at=T0,
                method=ShipmentMethod.DROP_OFF,
                status=draw(st.sampled_from(TrackingStatus)),
                updated_at=T0 + draw(GAPS) + draw(GAPS),
            )
        )
    return tuple(found)


def _approved(order: ReturnOrder) -> datetime:
    assert order.submitted_at is not None
    return max([order.submitted_at, *(a.at for a in order.approvals)])


@given(data=st.data(), level=LEVELS, entered=st.none() | st.just(T0 + timedelta(days=90)))
def test_the_deadline_is_the_stage_start_plus_its_allowance(
    data: st.DataObject, level: ServiceLevel, entered: datetime | None
) -> None:
    order = data.draw(returns())
    shipments = data.draw(parcels(order))
    found = deadline(order, level, shipments=shipments, entered=entered)

    stage = stage_of(order, shipments)
    if stage is None:
        assert found is None
        return
    assert found is not None
    assert found.stage is stage
    allowed = level.allowance(stage)
    step = order.current_step
    if stage is Stage.APPROVE and step is not None and step.time_limit is not None:
        allowed = step.time_limit
    assert found.due_at == found.since + allowed
    assert not found.late(found.due_at)
    assert found.late(found.due_at + timedelta(microseconds=1))


@given(data=st.data(), level=LEVELS, entered=st.none() | st.just(T0 - timedelta(days=90)))
def test_a_later_stage_never_starts_before_the_return_was_approved(
    data: st.DataObject, level: ServiceLevel, entered: datetime | None
) -> None:
    order = data.draw(returns())
    shipments = data.draw(parcels(order))
    found = deadline(order, level, shipments=shipments, entered=entered)
    if found is None or found.stage is Stage.APPROVE:
        return
    assert found.since >= _approved(order)


@given(data=st.data(), level=LEVELS)
def test_nothing_is_due_in_a_draft_or_a_terminal_status_or_once_the_refund_is_paid(
    data: st.DataObject, level: ServiceLevel
) -> None:
    order = data.draw(returns())
    shipments = data.draw(parcels(order))
    # Paid ends the refund stage; a line still to inspect is owed even after a refund paid
    # up front (store credit, paid when granted).
    settled = all(line.settled for line in order.lines)
    paid = order.grant is not None and order.grant.fully_paid and settled
    if order.status in TERMINAL or order.status is S.DRAFT or paid:
        assert deadline(order, level, shipments=shipments) is None
        assert stage_of(order, shipments) is None


@given(data=st.data(), level=LEVELS)
def test_an_assignment_keeps_its_stage_start_while_the_stage_stays(
    data: st.DataObject, level: ServiceLevel
) -> None:
    order = data.draw(returns())
    first = deadline(order, level)
    if first is None or first.stage in (Stage.APPROVE, Stage.SHIP_BACK):
        return  # those the order dates itself
    assignment = Assignment(
        tenant_id=order.tenant_id,
        id="a-1",
        return_id=order.id,
        customer_id=order.customer_id,
        at=T0,
        team="desk",
        assigned_by="u-sup",
        stage=first.stage,
        since=first.since,
        due_at=first.due_at,
    )
    later = attrs.evolve(order, updated_at=order.updated_at + timedelta(days=1))

    kept = followed(assignment, later, level, at=later.updated_at)

    assert (kept.stage, kept.since, kept.due_at) == (first.stage, first.since, first.due_at)


def test_the_table_gives_every_status_a_stage_or_none() -> None:
    assert set(STAGES) == set(ReturnStatus)
    assert {s for s, stage in STAGES.items() if stage is None} == {S.DRAFT, *TERMINAL}


def test_a_delivered_parcel_starts_the_receive_stage_when_it_arrived() -> None:
    order = attrs.evolve(_received(), status=S.APPROVED, submitted_at=T0, approvals=(), grant=None)
    delivered = Shipment(
        tenant_id=order.tenant_id,
        id="s-1",
        return_id=order.id,
        customer_id=order.customer_id,
        at=T0,
        method=ShipmentMethod.CARRIER_PICKUP,
        status=TrackingStatus.DELIVERED,
        updated_at=T0 + timedelta(days=5),
    )
    found = deadline(order, ServiceLevel(), shipments=(delivered,))
    assert found is not None
    assert (found.stage, found.since) == (Stage.RECEIVE, T0 + timedelta(days=5))
    assert found.due_at == T0 + timedelta(days=7)


@pytest.mark.parametrize(
    "allowance", [timedelta(0), timedelta(seconds=-1), timedelta(days=367), 2, "2 days", None]
)
def test_a_service_level_refuses_a_time_that_is_not_positive_or_too_long(allowance: object) -> None:
    with pytest.raises(InvalidInput, match="service level ship_back"):
        ServiceLevel(ship_back=allowance)  # type: ignore[arg-type]


def test_the_default_service_level_keeps_seven_days_from_delivery_to_refund() -> None:
    level = ServiceLevel()
    assert level.receive + level.inspect + level.refund == timedelta(days=7)
    assert (level.approve, level.ship_back) == (timedelta(days=2), timedelta(days=14))


def test_an_assignment_is_not_due_before_its_stage_began() -> None:
    with pytest.raises(InvalidInput, match="before the stage began"):
        Assignment(
            tenant_id="acme",
            id="a-1",
            return_id="r-1",
            customer_id="C-1",
            at=T0,
            user_id="u-1",
            assigned_by="u-sup",
            stage=Stage.INSPECT,
            since=T0,
            due_at=T0 - timedelta(seconds=1),
        )
