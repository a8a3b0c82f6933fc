"""Owners and deadlines through the service: assign, reassign, late lists, deadlines that follow.

The sample wiring's clock stands still until a test moves it, so every
deadline below is the moment the return entered its stage plus the default
service level (approve 2 days, ship back 14, receive 2, inspect 2, refund 3).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crm_returns import (
    Actor,
    CarrierEvent,
    Inspection,
    LineRef,
    Receipt,
    RefundMethod,
    RequestedLine,
    ReturnOrder,
    ReturnQuery,
    ReturnRequest,
    ReturnsService,
    ServiceLevel,
    ServiceSettings,
    ShipmentMethod,
    ShipmentPlan,
    Stage,
    TrackingStatus,
)
from crm_returns.domain.returns.states import Action
from crm_returns.errors import InvalidInput, NotAuthorised, NotFound
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")
CABLE = LineRef("SO-1001", "2")
LAMP = LineRef("SO-1002", "2")
DAY = timedelta(days=1)

SUPERVISOR = Actor("u-sup", "主管 Supervisor", SAMPLE_TENANT, {"supervisor"})
AGENT = Actor("u-cs", "客服 Agent", SAMPLE_TENANT, {"customer_service"})

Drafted = Callable[..., ReturnOrder]


def _request(ref: LineRef, units: int) -> ReturnRequest:
    """A quality claim on ``units`` of ``ref``."""
    return ReturnRequest(lines=(RequestedLine(ref, Decimal(units), "quality_defect"),))


def _with(wiring: Wiring, **settings: Any) -> ReturnsService:
    """The wiring's service with some settings changed, on the same store and clock."""
    changed: ServiceSettings = attrs.evolve(wiring.service.settings, **settings)
    return ReturnsService(wiring.orders, wiring.database.unit_of_work, changed)


def test_an_assigned_return_shows_its_owner_stage_and_deadline(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    service = wiring.service
    order = drafted((MOUSE, 1, "wrong_order"))
    service.submit_return(clerk, order.id)  # 129.00: no step, approved at once
    approved_at = wiring.clock.now()
    wiring.clock.advance(timedelta(hours=5))

    owner = service.assign_return(SUPERVISOR, order.id, user_id="u-li", team="returns-desk")

    assert (owner.user_id, owner.team, owner.assigned_by) == ("u-li", "returns-desk", "u-sup")
    assert (owner.stage, owner.since, owner.due_at) == (
        Stage.SHIP_BACK,
        approved_at,
        approved_at + 14 * DAY,
    )
    assert not owner.late
    assert service.owner_of(clerk, order.id) == owner
    assert service.owner_of(clerk, order.id, at=approved_at + 15 * DAY).late


def test_an_unassigned_return_shows_no_owner_but_the_deadline_of_its_stage(
    wiring: Wiring, drafted: Drafted, clerk: Actor, warehouse: Actor
) -> None:
    service = wiring.service
    order = drafted((CABLE, 2, "wrong_order"))
    service.submit_return(clerk, order.id)
    wiring.clock.advance(DAY)
    received_at = wiring.clock.now()
    service.receive_goods(warehouse, order.id, {CABLE: Receipt(received=Decimal(1))})
    wiring.clock.advance(DAY)
    service.receive_goods(warehouse, order.id, {CABLE: Receipt(received=Decimal(1))})

    owner = service.owner_of(clerk, order.id)

    assert (owner.user_id, owner.team, owner.assigned_by) == (None, None, None)
    # Nothing to inspect (wrong order): the refund is due from the last receipt.
    assert (owner.stage, owner.since) == (Stage.REFUND, received_at + DAY)
    assert owner.due_at == received_at + DAY + 3 * DAY


def test_reassigning_is_audited_from_whom_to_whom_and_keeps_the_deadline(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    service = wiring.service
    order = service.submit_return(clerk, drafted((MOUSE, 1, "wrong_order")).id)
    first = service.assign_return(SUPERVISOR, order.id, team="returns-desk")
    wiring.clock.advance(DAY)

    second = service.assign_return(AGENT, order.id, user_id="u-wang", comment="王芳 接手")

    assert (second.user_id, second.team, second.assigned_by) == ("u-wang", None, "u-cs")
    assert (second.stage, second.since, second.due_at) == (first.stage, first.since, first.due_at)
    assigned = [e for e in service.audit_trail(clerk, order.id) if e.action is Action.ASSIGN]
    assert [(e.actor_id, e.from_status, e.to_status) for e in assigned] == [
        ("u-sup", order.status, order.status),
        ("u-cs", order.status, order.status),
    ]
    assert assigned[1].detail == (
        ("from_user_id", "None"),
        ("from_team", "returns-desk"),
        ("to_user_id", "u-wang"),
        ("to_team", "None"),
    )
    assert assigned[1].comment == "王芳 接手"


def test_giving_a_return_to_its_owner_again_records_nothing(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    service = wiring.service
    order = drafted((MOUSE, 1, "wrong_order"))
    service.assign_return(SUPERVISOR, order.id, user_id="u-li")
    service.assign_return(SUPERVISOR, order.id, user_id="u-li")

    trail = service.audit_trail(clerk, order.id)
    assert [e.action for e in trail].count(Action.ASSIGN) == 1


def test_a_retried_assignment_with_its_key_changes_nothing_more(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    service = wiring.service
    order = drafted((MOUSE, 1, "wrong_order"))
    service.assign_return(SUPERVISOR, order.id, user_id="u-li", idempotency_key="k-1")
    service.assign_return(SUPERVISOR, order.id, user_id="u-zhao")
    again = service.assign_return(SUPERVISOR, order.id, user_id="u-li", idempotency_key="k-1")

    assert again.user_id == "u-zhao"  # the retry answered, and moved nothing back
    trail = service.audit_trail(clerk, order.id)
    assert [e.action for e in trail].count(Action.ASSIGN) == 2


def test_the_late_lists_per_user_and_team_put_the_earliest_deadline_first(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    service = wiring.service
    early = service.submit_return(clerk, drafted((MOUSE, 1, "wrong_order")).id)
    wiring.clock.advance(DAY)
    later = service.submit_return(clerk, drafted((CABLE, 1, "wrong_order")).id)
    wiring.clock.advance(DAY)
    own = service.submit_return(clerk, drafted((LAMP, 1, "wrong_order")).id)
    service.assign_return(SUPERVISOR, later.id, user_id="u-li", team="desk")
    service.assign_return(SUPERVISOR, early.id, user_id="u-wang", team="desk")
    service.assign_return(SUPERVISOR, own.id, user_id="u-li", team="warehouse")

    assert service.late_returns(SUPERVISOR).items == ()
    wiring.clock.advance(12 * DAY + timedelta(minutes=1))  # early is a minute past 14 days

    assert [o.return_id for o in service.late_returns(SUPERVISOR).items] == [early.id]
    wiring.clock.advance(DAY)
    late = service.late_returns(SUPERVISOR, team="desk").items
    assert [o.number for o in late] == [early.number, later.number]
    assert all(o.late and o.stage is Stage.SHIP_BACK for o in late)
    assert [o.return_id for o in service.late_returns(AGENT, user_id="u-li").items] == [later.id]
    everyone = service.late_returns(SUPERVISOR, at=wiring.clock.now() + 5 * DAY)
    assert [o.return_id for o in everyone.items] == [early.id, later.id, own.id]
    by_user = service.late_returns(SUPERVISOR, user_id="u-li", team="warehouse", at=own.updated_at)
    assert by_user.items == ()


def test_the_deadline_follows_the_return_through_its_workflow(
    wiring: Wiring,
    clerk: Actor,
    inspector: Actor,
    warehouse: Actor,
    finance: Actor,
) -> None:
    level = ServiceLevel(approve=timedelta(hours=8), inspect=timedelta(hours=4))
    service = _with(wiring, default_team="returns-desk", service_level=level)
    order = service.create_return(clerk, _request(MOUSE, 2))

    def stage() -> tuple[Stage | None, datetime | None, datetime | None]:
        owner = service.owner_of(clerk, order.id)
        assert owner.team == "returns-desk"
        return owner.stage, owner.since, owner.due_at

    assert stage() == (None, None, None)  # a draft owes nothing yet
    wiring.clock.advance(DAY)
    service.submit_return(clerk, order.id)  # quality claim: the inspector's step
    t = wiring.clock.now()
    assert stage() == (Stage.APPROVE, t, t + timedelta(hours=8))
    wiring.clock.advance(DAY)
    service.approve_return(inspector, order.id)
    t = wiring.clock.now()
    assert stage() == (Stage.SHIP_BACK, t, t + 14 * DAY)
    wiring.clock.advance(DAY)
    service.receive_goods(warehouse, order.id, {MOUSE: Receipt(received=Decimal(1))})
    t = wiring.clock.now()
    assert stage() == (Stage.RECEIVE, t, t + 2 * DAY)
    wiring.clock.advance(DAY)
    service.inspect_goods(inspector, order.id, {MOUSE: Inspection(accepted=Decimal(1))})
    assert stage() == (Stage.RECEIVE, t, t + 2 * DAY)  # still receiving: the clock runs on
    wiring.clock.advance(DAY)
    service.receive_goods(warehouse, order.id, {MOUSE: Receipt(received=Decimal(1))})
    t = wiring.clock.now()
    assert stage() == (Stage.INSPECT, t, t + timedelta(hours=4))
    wiring.clock.advance(DAY)
    service.inspect_goods(inspector, order.id, {MOUSE: Inspection(accepted=Decimal(1))})
    t = wiring.clock.now()
    assert stage() == (Stage.REFUND, t, t + 3 * DAY)
    service.complete_return(finance, order.id, method=RefundMethod.STORE_CREDIT)
    assert stage() == (None, None, None)
    assert service.late_returns(SUPERVISOR, at=t + 365 * DAY).items == ()


def test_a_default_team_owns_every_new_return_and_says_so_in_the_audit_trail(
    wiring: Wiring, clerk: Actor
) -> None:
    service = _with(wiring, default_team="returns-desk")
    order = service.create_return(clerk, _request(MOUSE, 1))

    trail = service.audit_trail(clerk, order.id)
    assert [e.action for e in trail] == [Action.DRAFT, Action.ASSIGN]
    assert dict(trail[1].detail)["to_team"] == "returns-desk"


def test_a_rejected_or_cancelled_return_owes_nothing(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    service = wiring.service
    order = service.submit_return(clerk, drafted((MOUSE, 1, "wrong_order")).id)
    service.assign_return(SUPERVISOR, order.id, team="desk")
    service.cancel_return(clerk, order.id, "客户撤回")

    owner = service.owner_of(clerk, order.id)
    assert (owner.team, owner.stage, owner.due_at, owner.late) == ("desk", None, None, False)


@pytest.mark.parametrize("role", ["requester", "warehouse", "inspector", "finance", "auditor"])
def test_only_those_who_may_assign_returns_do(
    wiring: Wiring, drafted: Drafted, clerk: Actor, role: str
) -> None:
    order = drafted((MOUSE, 1, "wrong_order"))
    someone = Actor(f"u-{role}", role, SAMPLE_TENANT, {role})

    with pytest.raises(NotAuthorised, match="assign_returns"):
        wiring.service.assign_return(someone, order.id, user_id="u-li")

    trail = wiring.service.audit_trail(clerk, order.id)
    assert [e.action for e in trail] == [Action.DRAFT, Action.DENIED]


@pytest.mark.parametrize("role", ["requester", "warehouse", "finance", "customer"])
def test_only_those_who_may_see_the_workload_list_what_is_late(wiring: Wiring, role: str) -> None:
    someone = Actor(f"u-{role}", role, SAMPLE_TENANT, {role})
    with pytest.raises(NotAuthorised, match="view_workload"):
        wiring.service.late_returns(someone)


def test_another_tenant_finds_no_such_return(
    wiring: Wiring, drafted: Drafted, outsider: Actor
) -> None:
    order = drafted((MOUSE, 1, "wrong_order"))
    with pytest.raises(NotFound):
        wiring.service.assign_return(outsider, order.id, user_id="u-li")
    with pytest.raises(NotFound):
        wiring.service.owner_of(outsider, order.id)
    wiring.service.assign_return(SUPERVISOR, order.id, user_id="u-li")
    assert wiring.service.late_returns(outsider, at=order.created_at + 999 * DAY).items == ()


def test_an_assignment_names_someone(wiring: Wiring, drafted: Drafted, clerk: Actor) -> None:
    order = drafted((MOUSE, 1, "wrong_order"))
    with pytest.raises(InvalidInput, match="a user, a team, or both"):
        wiring.service.assign_return(SUPERVISOR, order.id)
    with pytest.raises(InvalidInput):
        wiring.service.assign_return(SUPERVISOR, order.id, team="x" * 65)
    assert [e.action for e in wiring.service.audit_trail(clerk, order.id)] == [Action.DRAFT]


def test_a_parcel_delivered_moves_an_owned_return_to_receiving_when_it_is_ingested(
    wiring: Wiring, clerk: Actor, warehouse: Actor
) -> None:
    service = _with(wiring, default_team="returns-desk")
    wrong = ReturnRequest(lines=(RequestedLine(CABLE, Decimal(1), "wrong_order"),))
    order = service.submit_return(clerk, service.create_return(clerk, wrong).id)
    assert order.status.value == "approved"  # below every approval threshold
    shipment = service.add_shipment(
        warehouse, order.id, ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
    )
    labelled = service.create_label(warehouse, order.id, shipment.id)
    wiring.clock.advance(DAY)
    delivered_at = wiring.clock.now()

    service.ingest_tracking(
        warehouse,
        "memory",
        [
            CarrierEvent(
                event_id="ev-1",
                tracking_number=labelled.tracking_number,
                status=TrackingStatus.DELIVERED,
                occurred_at=delivered_at,
            )
        ],
    )

    owner = service.owner_of(clerk, order.id)
    assert (owner.stage, owner.since, owner.due_at) == (
        Stage.RECEIVE,
        delivered_at,
        delivered_at + 2 * DAY,
    )


def test_a_customers_request_is_owned_by_the_default_team_from_the_start(
    wiring: Wiring, clerk: Actor
) -> None:
    service = _with(wiring, default_team="returns-desk")
    customer = Actor("p-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")

    asked = service.request_return(customer, _request(MOUSE, 1))

    assert service.owner_of(clerk, asked.return_id).team == "returns-desk"
    trail = service.audit_trail(clerk, asked.return_id)
    assert [e.action for e in trail] == [Action.DRAFT, Action.ASSIGN]


# -- the late list, page by page ---------------------------------------------------------


def _late_ids(service: ReturnsService, actor: Actor, **asked: Any) -> list[list[str]]:
    """The return ids of every page of a late list, read by cursor from the first."""
    pages = []
    page = service.late_returns(actor, **asked)
    while True:
        assert page.total is None, "a late list counts nothing"
        pages.append([owner.return_id for owner in page.items])
        if page.next_cursor is None:
            return pages
        assert page.has_more
        page = service.late_returns(actor, **asked, after=page.next_cursor)


def _three_late(wiring: Wiring, drafted: Drafted, clerk: Actor) -> list[str]:
    """Li's lamp, then Zhang's mouse and cable (due at one instant), all of team "desk", late."""
    service = wiring.service
    lamp = service.submit_return(clerk, drafted((LAMP, 1, "wrong_order")).id)
    wiring.clock.advance(DAY)
    mouse = service.submit_return(clerk, drafted((MOUSE, 1, "wrong_order")).id)
    cable = service.submit_return(clerk, drafted((CABLE, 1, "wrong_order")).id)
    for order in (lamp, mouse, cable):
        service.assign_return(SUPERVISOR, order.id, user_id="u-li", team="desk")
    wiring.clock.advance(30 * DAY)
    whole = service.late_returns(SUPERVISOR).items
    assert {o.return_id for o in whole} == {lamp.id, mouse.id, cable.id}
    return [o.return_id for o in whole]


def test_the_late_list_read_by_cursor_is_the_whole_list_once_in_order(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    whole = _three_late(wiring, drafted, clerk)
    service = wiring.service

    assert _late_ids(service, SUPERVISOR, limit=1) == [[whole[0]], [whole[1]], [whole[2]]]
    assert _late_ids(service, SUPERVISOR, team="desk", limit=2) == [whole[:2], whole[2:]]
    assert _late_ids(service, SUPERVISOR, user_id="u-li", limit=3) == [whole]
    assert _late_ids(service, SUPERVISOR, user_id="u-wang", limit=1) == [[]]


def test_a_late_list_cursor_stays_good_as_time_passes(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    service = wiring.service
    first = service.submit_return(clerk, drafted((MOUSE, 1, "wrong_order")).id)
    wiring.clock.advance(DAY)
    second = service.submit_return(clerk, drafted((CABLE, 1, "wrong_order")).id)
    for order in (first, second):
        service.assign_return(SUPERVISOR, order.id, team="desk")
    wiring.clock.advance(14 * DAY)  # the first is a day late, the second due now

    page = service.late_returns(SUPERVISOR, team="desk", limit=1)
    assert [o.return_id for o in page.items] == [first.id]
    assert page.next_cursor is None, "nothing else is late yet"
    earlier = service.late_returns(SUPERVISOR, team="desk", limit=1, at=wiring.clock.now() + DAY)
    assert earlier.next_cursor is not None
    wiring.clock.advance(DAY)
    after = service.late_returns(SUPERVISOR, team="desk", after=earlier.next_cursor)
    assert [o.return_id for o in after.items] == [second.id]


def test_a_page_skips_the_returns_the_actor_may_not_see_and_still_fills_up(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    whole = _three_late(wiring, drafted, clerk)
    # 张伟's own, as a host might wire a customer-bound supervisor by mistake.
    zhang = Actor("p-zhang", "张伟", SAMPLE_TENANT, {"supervisor"}, customer_id="C-1001")

    assert _late_ids(wiring.service, zhang, limit=1) == [[whole[1]], [whole[2]]]


def test_a_late_list_cursor_belongs_to_its_user_and_team(
    wiring: Wiring, drafted: Drafted, clerk: Actor
) -> None:
    _three_late(wiring, drafted, clerk)
    service = wiring.service
    cursor = service.late_returns(SUPERVISOR, team="desk", limit=1).next_cursor
    assert cursor is not None

    assert len(service.late_returns(AGENT, team="desk", after=cursor).items) == 2
    owners: list[tuple[str | None, str | None]] = [(None, None), (None, "yard"), ("u-li", "desk")]
    for user_id, team in owners:
        with pytest.raises(InvalidInput, match="not a cursor of this list"):
            service.late_returns(SUPERVISOR, user_id=user_id, team=team, after=cursor)
    listed = service.list_returns(clerk, ReturnQuery(limit=1)).next_cursor
    for forged in (listed, "not a cursor", "", cursor[::-1]):
        with pytest.raises(InvalidInput, match="after"):
            service.late_returns(SUPERVISOR, team="desk", after=forged)


@pytest.mark.parametrize("limit", [0, -1, 501, True, 2.5, "10"])
def test_a_late_page_size_out_of_range_is_refused(wiring: Wiring, limit: object) -> None:
    with pytest.raises(InvalidInput, match="limit"):
        wiring.service.late_returns(SUPERVISOR, limit=limit)  # type: ignore[arg-type]
