"""Command sequences that make every kind of event, on the sample wiring.

Shared by the CloudEvents tests: :func:`every_event` runs three returns
through the sample shop so that the outbox holds at least one message of each
of every event type.  The sample lines and policy are described in
``tests/service/conftest.py``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from crm_returns import (
    Actor,
    AttachmentSubject,
    CarrierEvent,
    ContactChannel,
    Direction,
    Inspection,
    LineRef,
    Money,
    Receipt,
    RequestedLine,
    ReturnRequest,
    ShipmentMethod,
    ShipmentPlan,
    ShippingPayer,
    TrackingStatus,
)
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.ports import OutboxMessage
from crm_returns.testing import Wiring, sample_wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90 off
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00
CHAIR = LineRef("SO-1002", "1")  # 1 x 2399.00: the manager must approve


def every_event(wiring: Wiring | None = None, *, requests: bool = True) -> list[OutboxMessage]:
    """Run returns through every step; the outbox's messages, in commit order.

    With ``requests``, customers' requests too (declined, accepted, withdrawn).
    """
    w = wiring or sample_wiring()
    s, hour = w.service, timedelta(hours=1)

    # 1. Drafted, edited, submitted, approved in two steps, received, inspected
    #    (a split, and a repair), repaired, completed, granted, paid, settled.
    first = s.create_return(
        w.clerk,
        ReturnRequest(lines=[RequestedLine(MONITOR, 1, "quality_defect")], note="屏幕有坏点"),
    )
    w.clock.advance(hour)
    s.edit_return(
        w.clerk,
        first.id,
        [RequestedLine(MONITOR, 2, "quality_defect"), RequestedLine(MOUSE, 2, "other")],
    )
    s.submit_return(w.clerk, first.id)
    w.clock.advance(hour)
    s.approve_return(w.approver, first.id, "ok")  # the manager step; quality remains
    approved = s.approve_return(w.inspector, first.id, "checked")
    w.clock.advance(hour)
    # Shipped back: a pickup labelled and tracked to the warehouse; a drop-off lost.
    plan = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
    pickup = s.add_shipment(w.warehouse, first.id, plan)
    pickup = s.create_label(w.warehouse, first.id, pickup.id)
    scans = [
        CarrierEvent(
            event_id=f"scan-{n}",
            tracking_number=pickup.tracking_number,
            status=status,
            occurred_at=w.clock.now() + n * hour,
            location="上海 Shanghai",
            description=status.value,
        )
        for n, status in enumerate((TrackingStatus.IN_TRANSIT, TrackingStatus.DELIVERED), 1)
    ]
    s.ingest_tracking(w.warehouse, "memory", scans)
    dropped = s.add_shipment(
        w.warehouse,
        first.id,
        ShipmentPlan(
            method=ShipmentMethod.DROP_OFF,
            carrier="manual",
            tracking_number="SF1000000001",
            paid_by=ShippingPayer.CUSTOMER,
            cost=Money(Decimal("12.00"), "CNY"),
        ),
    )
    s.record_tracking(
        w.warehouse, first.id, dropped.id, TrackingStatus.LOST, w.clock.now(), description="遗失"
    )
    w.clock.advance(hour)
    serials = approved.line(MONITOR).delivered_serials
    s.receive_goods(
        w.warehouse,
        first.id,
        {
            MONITOR: Receipt(
                received=Decimal(2), damaged_in_transit=Decimal(1), serial_numbers=serials
            ),
            MOUSE: Receipt(received=Decimal(2)),
        },
    )
    w.clock.advance(hour)
    s.inspect_goods(
        w.inspector,
        first.id,
        {
            MONITOR: Inspection(
                accepted=Decimal(2),
                dispositions={Disposition.RESTOCK: Decimal(1), Disposition.REPAIR: Decimal(1)},
                note="one to fix",
            ),
            MOUSE: Inspection(accepted=Decimal(2)),
        },
    )
    w.clock.advance(hour)
    s.finish_repair(w.warehouse, first.id, MONITOR, Decimal(1), Disposition.RESTOCK)
    # The case file: a photo of the repaired monitor (attachment-added).
    photo = bytes.fromhex("ffd8ffe000104a464946000101") + bytes(20)
    s.attach_file(w.inspector, first.id, AttachmentSubject.INSPECTION, "monitor.jpg", photo)
    # Completing grants the refund first: refund-granted, then completed.
    completed = s.complete_return(w.finance, first.id, "", RefundMethod.ORIGINAL_PAYMENT)
    assert completed.grant is not None
    paid = s.record_refund_payment(w.finance, first.id, completed.grant.outstanding)
    assert paid.grant is not None
    s.settle_refund_payment(w.finance, first.id, paid.grant.payments[-1].id, True)

    # 2. Rejected.
    second = s.create_return(
        w.clerk, ReturnRequest(lines=[RequestedLine(CHAIR, 1, "changed_requirement")])
    )
    s.submit_return(w.clerk, second.id)
    s.reject_return(w.approver, second.id, "outside the policy")

    # 3. Cancelled.
    third = s.create_return(w.clerk, ReturnRequest(lines=[RequestedLine(CABLE, 3, "wrong_order")]))
    s.cancel_return(w.clerk, third.id, "customer changed their mind")

    # 4. The customer called about the paid return, and scored it.
    agent = Actor("u-cs", "客服", w.clerk.tenant_id, {"customer_service"})
    s.log_contact(agent, first.id, ContactChannel.CALL, Direction.INBOUND, "询问退款到账时间")
    customer = Actor("p-1", "张伟", w.clerk.tenant_id, {"customer"}, customer_id=first.customer_id)
    s.give_feedback(customer, first.id, 4, "退款很快")

    # 5. Assigned: the cancelled return's owner recorded (case-file events do not move it).
    supervisor = Actor("u-sup", "主管", w.clerk.tenant_id, {"supervisor"})
    s.assign_return(supervisor, third.id, user_id="u-li", team="returns-desk")

    # 6. Customers' requests: one declined, one accepted, one withdrawn.
    if requests:
        _customer_requests(w)

    # 7. Retired: the paid return archived by the records manager.
    archivist = Actor("u-archivist", "档案员", w.clerk.tenant_id, {"records_manager"})
    s.archive_return(archivist, first.id)
    return [message for _, message in sorted(w.database.committed.outbox.values())]


def _customer_requests(w: Wiring) -> None:
    s = w.service
    customer = Actor("u-c1001", "李娜", w.clerk.tenant_id, {"customer"}, customer_id="C-1001")
    cable = ReturnRequest(lines=[RequestedLine(CABLE, 1, "wrong_order")], note="买多了")
    declined = s.request_return(customer, cable)
    s.decline_request(w.approver, declined.return_id, "evidence_missing", "请补充照片")
    accepted = s.request_return(
        customer, ReturnRequest(lines=[RequestedLine(MOUSE, 1, "wrong_order")])
    )
    s.accept_request(w.approver, accepted.return_id)
    withdrawn = s.request_return(customer, cable)
    s.withdraw_return(customer, withdrawn.return_id)
