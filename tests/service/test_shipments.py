"""Return shipments through the service: add, label, track, ingest; lost and delivered parcels."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from crm_returns import (
    DEFAULT_NOTIFICATION_RULES,
    Actor,
    CarrierEvent,
    LineRef,
    ManualCarrier,
    MemoryCarrier,
    Money,
    RefundMethod,
    RefundPolicy,
    ReportWindow,
    RequestedLine,
    ReturnOrder,
    ReturnRequest,
    ReturnsService,
    Shipment,
    ShipmentDelivered,
    ShipmentLost,
    ShipmentMethod,
    ShipmentPlan,
    ShipmentTracked,
    ShippingPayer,
    TrackingStatus,
    lost_parcel_receipts,
)
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.domain.analytics import line_facts
from crm_returns.domain.returns.states import Action
from crm_returns.errors import (
    IllegalTransition,
    InvalidInput,
    LabelsNotOffered,
    NotAuthorised,
    NotFound,
    RecordArchived,
)
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring, sample_wiring

CHAIR = LineRef("SO-1002", "1")  # 1 x 2399.00, customer C-1002
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90
PICKUP = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
T = TrackingStatus


def _carrier(service: ReturnsService) -> MemoryCarrier:
    carrier = service.settings.carrier("memory")
    assert isinstance(carrier, MemoryCarrier)
    return carrier


def _approved(w: Wiring, ref: LineRef = CHAIR, units: int = 1) -> ReturnOrder:
    order = w.service.create_return(w.clerk, _request(ref, units))
    w.service.submit_return(w.clerk, order.id)
    approved = w.service.get_return(w.admin, order.id)
    if approved.status.value == "submitted":
        approved = w.service.approve_return(w.approver, order.id, "同意")
    assert approved.status.value == "approved"
    return approved


def _request(ref: LineRef, units: int) -> ReturnRequest:
    return ReturnRequest((RequestedLine(ref, Decimal(units), "wrong_order"),))


def _event(
    number: str, event_id: str, status: TrackingStatus, w: Wiring, hours: int
) -> CarrierEvent:
    return CarrierEvent(
        event_id=event_id,
        tracking_number=number,
        status=status,
        occurred_at=w.clock.now() + timedelta(hours=hours),
        location="上海",
        description=status.value,
    )


def _told(w: Wiring) -> list[object]:
    """The events in the outbox, in commit order."""
    return [message.event for _, message in sorted(w.database.committed.outbox.values())]


def _labelled(w: Wiring) -> tuple[ReturnOrder, Shipment]:
    order = _approved(w)
    shipment = w.service.add_shipment(w.warehouse, order.id, PICKUP)
    return order, w.service.create_label(w.warehouse, order.id, shipment.id)


def test_a_shipment_is_added_to_an_approved_return_and_audited(wiring: Wiring) -> None:
    order = _approved(wiring)
    plan = ShipmentPlan(
        method=ShipmentMethod.DROP_OFF,
        carrier="manual",
        tracking_number="SF1234567890",
        paid_by=ShippingPayer.CUSTOMER,
        cost=Money(Decimal("12.00"), "CNY"),
    )

    shipment = wiring.service.add_shipment(wiring.warehouse, order.id, plan, "客户自行寄回")

    assert wiring.service.shipments(wiring.admin, order.id) == (shipment,)
    assert (shipment.carrier, shipment.tracking_number) == ("manual", "SF1234567890")
    assert shipment.index().key == "manual:SF1234567890"
    assert shipment.status is T.PENDING
    entry = wiring.service.audit_trail(wiring.admin, order.id)[-1]
    assert entry.action is Action.TRACK
    assert entry.from_status is entry.to_status is order.status
    assert entry.comment == "客户自行寄回"
    # The return did not move: same status, same version.
    assert wiring.service.get_return(wiring.admin, order.id) == order


def test_a_draft_cannot_ship_and_an_unknown_carrier_is_refused(wiring: Wiring) -> None:
    draft = wiring.service.create_return(wiring.clerk, _request(CHAIR, 1))
    with pytest.raises(IllegalTransition):
        wiring.service.add_shipment(wiring.warehouse, draft.id, PICKUP)
    order = _approved(wiring, CABLE)
    with pytest.raises(InvalidInput, match="manual, memory"):
        wiring.service.add_shipment(wiring.warehouse, order.id, attrs.evolve(PICKUP, carrier="ups"))
    assert wiring.service.shipments(wiring.admin, order.id) == ()


def test_the_memory_carrier_labels_a_shipment(wiring: Wiring) -> None:
    order, shipment = _labelled(wiring)

    assert shipment.tracking_number == "MEM0000000001"
    assert shipment.label_reference == "label-MEM0000000001"
    assert shipment.status is T.LABEL_CREATED
    assert shipment.version == 3  # added, labelled, its status followed the label
    [update] = wiring.service.tracking(wiring.admin, order.id)
    assert (update.status, update.shipment_id) == (T.LABEL_CREATED, shipment.id)
    actions = [e.action for e in wiring.service.audit_trail(wiring.admin, order.id)]
    assert actions[-3:] == [Action.TRACK] * 3  # added, labelled, tracked


def test_the_manual_carrier_creates_no_label_and_nothing_changes(wiring: Wiring) -> None:
    order = _approved(wiring)
    plan = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="manual")
    shipment = wiring.service.add_shipment(wiring.warehouse, order.id, plan)
    trail = wiring.service.audit_trail(wiring.admin, order.id)

    with pytest.raises(LabelsNotOffered, match="type the tracking number"):
        wiring.service.create_label(wiring.warehouse, order.id, shipment.id)

    assert wiring.service.shipments(wiring.admin, order.id) == (shipment,)
    assert wiring.service.audit_trail(wiring.admin, order.id) == trail


def test_ingesting_the_same_events_twice_keeps_them_once(wiring: Wiring) -> None:
    order, shipment = _labelled(wiring)
    number = shipment.tracking_number
    events = [
        _event(number, "e2", T.IN_TRANSIT, wiring, 5),
        _event(number, "e1", T.IN_TRANSIT, wiring, 2),
        _event(number, "e2", T.IN_TRANSIT, wiring, 5),
    ]

    first = wiring.service.ingest_tracking(wiring.warehouse, "memory", events)
    outbox = len(wiring.database.committed.outbox)
    second = wiring.service.ingest_tracking(wiring.warehouse, "memory", events)

    assert [u.event_id for u in first.added] == ["e2", "e1"]
    assert first.duplicates == (events[2],)
    assert second.added == ()
    assert second.duplicates == tuple(events)
    assert len(wiring.database.committed.outbox) == outbox  # nothing more to tell
    [now] = wiring.service.shipments(wiring.admin, order.id)
    assert now.status is T.IN_TRANSIT
    assert len(wiring.service.tracking(wiring.admin, order.id)) == 3  # label, e2, e1


def test_an_unknown_tracking_number_is_reported_and_changes_nothing(wiring: Wiring) -> None:
    _labelled(wiring)
    stray = _event("NOPE-1", "x1", T.IN_TRANSIT, wiring, 1)
    other_carrier = _event("MEM0000000001", "x2", T.IN_TRANSIT, wiring, 1)
    before = len(wiring.database.committed.outbox)

    report = wiring.service.ingest_tracking(wiring.warehouse, "memory", [stray])
    manual = wiring.service.ingest_tracking(wiring.warehouse, "manual", [other_carrier])

    assert report.unknown == (stray,)
    assert report.added == ()
    assert manual.unknown == (other_carrier,)
    assert len(wiring.database.committed.outbox) == before


def test_polling_asks_the_carrier_and_ingests_once(wiring: Wiring) -> None:
    order, shipment = _labelled(wiring)
    carrier = _carrier(wiring.service)
    carrier.push(_event(shipment.tracking_number, "p1", T.IN_TRANSIT, wiring, 1))

    assert len(wiring.service.poll_tracking(wiring.warehouse, order.id).added) == 1
    again = wiring.service.poll_tracking(wiring.warehouse, order.id)
    assert again.added == ()
    assert len(again.duplicates) == 1


def test_a_delivered_parcel_prompts_the_warehouse(wiring: Wiring) -> None:
    order, shipment = _labelled(wiring)
    number = shipment.tracking_number
    events = [
        _event(number, "d1", T.DELIVERED, wiring, 9),
        _event(number, "t1", T.IN_TRANSIT, wiring, 3),  # arrives late: changes nothing
    ]

    wiring.service.ingest_tracking(wiring.warehouse, "memory", events)

    told = _told(wiring)
    tracked = [e for e in told if isinstance(e, ShipmentTracked)]
    assert [type(e) for e in tracked[-2:]] == [ShipmentDelivered, ShipmentTracked]
    assert tracked[-1].shipment_status is T.DELIVERED
    [rule] = DEFAULT_NOTIFICATION_RULES.for_event(ShipmentDelivered)
    assert [str(r) for r in rule.recipients] == ["warehouse"]
    assert wiring.service.shipments(wiring.admin, order.id)[0].status is T.DELIVERED


def test_a_lost_parcel_leads_to_the_refund_of_the_missing_units(wiring: Wiring) -> None:
    # The policy refunds units declared missing (a lost parcel).
    policy = RefundPolicy(refund_missing_units=True)
    service = ReturnsService(
        wiring.orders,
        wiring.database.unit_of_work,
        attrs.evolve(wiring.service.settings, refund_policy=policy),
    )
    w = attrs.evolve(wiring, service=service)
    order, shipment = _labelled(w)
    lost = _event(shipment.tracking_number, "L1", T.LOST, w, 30)

    w.service.ingest_tracking(w.warehouse, "memory", [lost])

    told = _told(w)
    assert isinstance(told[-1], ShipmentLost)
    [rule] = DEFAULT_NOTIFICATION_RULES.for_event(ShipmentLost)
    assert [str(r) for r in rule.recipients] == ["customer_service"]
    # Staff confirm the loss: every unit still expected is declared missing ...
    order = w.service.get_return(w.warehouse, order.id)
    receipts = lost_parcel_receipts(order)
    assert {ref: r.missing for ref, r in receipts.items()} == {CHAIR: Decimal(1)}
    w.service.receive_goods(w.warehouse, order.id, receipts, "包裹丢失")
    # ... and finance grants the refund, which pays for them.
    granted = w.service.grant_refund(w.finance, order.id, RefundMethod.ORIGINAL_PAYMENT)
    assert granted.grant is not None
    assert granted.grant.amount == Money(Decimal("2399.00"), "CNY")
    refund = _told(w)[-1]
    assert getattr(refund, "missing_units_refunded", None) == Decimal(1)


def test_staff_record_tracking_by_hand(wiring: Wiring) -> None:
    order = _approved(wiring)
    plan = ShipmentPlan(method=ShipmentMethod.DROP_OFF, carrier="manual", tracking_number="SF9")
    shipment = wiring.service.add_shipment(wiring.warehouse, order.id, plan)

    tracked = wiring.service.record_tracking(
        wiring.warehouse, order.id, shipment.id, T.IN_TRANSIT, wiring.clock.now(), location="杭州"
    )

    assert tracked.status is T.IN_TRANSIT
    [update] = wiring.service.tracking(wiring.admin, order.id)
    assert (update.carrier, update.location) == ("manual", "杭州")


def test_a_role_without_manage_shipments_is_refused(wiring: Wiring) -> None:
    order = _approved(wiring)
    with pytest.raises(NotAuthorised):
        wiring.service.add_shipment(wiring.finance, order.id, PICKUP)
    with pytest.raises(NotAuthorised):
        wiring.service.ingest_tracking(wiring.finance, "memory", [])
    assert wiring.service.shipments(wiring.admin, order.id) == ()


def test_another_tenants_return_is_not_found(wiring: Wiring, outsider: Actor) -> None:
    order, shipment = _labelled(wiring)
    with pytest.raises(NotFound):
        wiring.service.add_shipment(outsider, order.id, PICKUP)
    with pytest.raises(NotFound):
        wiring.service.shipments(outsider, order.id)
    with pytest.raises(NotFound):
        wiring.service.tracking(outsider, order.id)
    event = _event(shipment.tracking_number, "o1", T.LOST, wiring, 1)
    assert wiring.service.ingest_tracking(outsider, "memory", [event]).unknown == (event,)
    assert wiring.service.shipments(wiring.admin, order.id) == (shipment,)


def test_an_archived_return_takes_no_tracking(wiring: Wiring) -> None:
    order, shipment = _labelled(wiring)
    wiring.service.cancel_return(wiring.admin, order.id, "取消")
    archivist = Actor("u-archivist", "档案员", SAMPLE_TENANT, {"records_manager"})
    wiring.service.archive_return(archivist, order.id)
    event = _event(shipment.tracking_number, "a1", T.IN_TRANSIT, wiring, 1)

    assert wiring.service.ingest_tracking(wiring.warehouse, "memory", [event]).archived == (event,)
    with pytest.raises(RecordArchived):
        wiring.service.record_tracking(
            wiring.warehouse, order.id, shipment.id, T.LOST, wiring.clock.now()
        )


def test_tracking_reads_in_the_order_things_happened_not_the_order_reported(
    wiring: Wiring,
) -> None:
    order, shipment = _labelled(wiring)
    number = shipment.tracking_number
    late, early = (
        _event(number, "b", T.IN_TRANSIT, wiring, 5),
        _event(number, "a", T.IN_TRANSIT, wiring, 1),
    )
    wiring.service.ingest_tracking(wiring.warehouse, "memory", [late])
    wiring.clock.advance(timedelta(hours=6))
    wiring.service.ingest_tracking(wiring.warehouse, "memory", [early])

    read = wiring.service.tracking(wiring.admin, order.id)

    # The label came first, when it was created (before either report).
    assert [update.event_id for update in read][1:] == ["a", "b"]
    assert [u.occurred_at for u in read] == sorted(u.occurred_at for u in read)


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_what_the_merchant_pays_to_bring_the_goods_back_reaches_the_reports(
    store: str, tmp_path: Path
) -> None:
    database = None
    if store == "sqlite":
        database = SqlDatabase.connect(f"sqlite:///{tmp_path / 'shipping.db'}")
        database.upgrade()
    w = sample_wiring(unit_of_work=None if database is None else database.unit_of_work)
    label_cost = Money(Decimal("18.53"), "CNY")
    settings = attrs.evolve(
        w.service.settings, carriers=(ManualCarrier(), MemoryCarrier(label_cost=label_cost))
    )
    unit_of_work = w.database.unit_of_work if database is None else database.unit_of_work
    w = attrs.evolve(w, service=ReturnsService(w.orders, unit_of_work, settings))
    analyst = Actor("u-bi", "数据分析师", SAMPLE_TENANT, {"analyst"})
    window = ReportWindow(start=date(2026, 11, 1), end=date(2026, 12, 31), zone=ZoneInfo("UTC"))
    order = w.service.create_return(
        w.clerk,
        ReturnRequest(
            (
                RequestedLine(LineRef("SO-1001", "1"), Decimal(1), "wrong_order"),
                RequestedLine(CABLE, Decimal(2), "wrong_order"),
            )
        ),
    )
    w.service.submit_return(w.clerk, order.id)
    if w.service.get_return(w.admin, order.id).status.value == "submitted":
        w.service.approve_return(w.approver, order.id, "同意")

    def fees() -> list[Decimal | None]:
        return [f.return_shipping_fee for f in w.service.export_facts(analyst, window)]

    assert fees() == [Decimal("0.00"), Decimal("0.00")]  # nothing sent back yet
    pickup = w.service.add_shipment(w.warehouse, order.id, PICKUP)
    assert fees() == [None, None]  # the merchant pays; what, the label will say
    w.service.create_label(w.warehouse, order.id, pickup.id)
    theirs = ShipmentPlan(
        method=ShipmentMethod.DROP_OFF, paid_by=ShippingPayer.CUSTOMER, cost=Money("9.00", "CNY")
    )
    w.service.add_shipment(w.warehouse, order.id, theirs)

    shares = fees()
    expected = line_facts(
        w.service.get_return(w.admin, order.id),
        shipments=w.service.shipments(w.admin, order.id),
    )
    assert shares == [fact.return_shipping_fee for fact in expected]
    assert sum(share or 0 for share in shares) == label_cost.amount
    if database is not None:
        database.dispose()
