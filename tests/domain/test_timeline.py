"""The customer's timeline: plain words, the next step and who owes it, and nothing internal.

The property test runs generated histories through the service — customers'
requests declined, withdrawn or accepted, staff returns cancelled, rejected or
approved, shipped with a cost, received, completed — where every comment,
note, staff name and id, label reference, carrier description and contact
summary carries a unique marker, and every shipment cost a unique amount.  No
marker and no cost may appear in any customer view: the customer's list, the
timeline of each return rendered as text and JSON and as its repr, in zh-CN
and in English.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_returns import (
    Actor,
    LineRef,
    Money,
    NextStep,
    Party,
    Progress,
    Receipt,
    RequestedLine,
    ReturnRequest,
    ReturnStatus,
    customer_timeline,
)
from crm_returns.domain.interactions.records import (
    ContactChannel,
    CustomerContact,
    Direction,
    Feedback,
)
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.shipments.records import (
    Shipment,
    ShipmentMethod,
    TrackingStatus,
    TrackingUpdate,
)
from crm_returns.errors import InvalidInput, OverReturn
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring, sample_wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00: the manager approves
ZHANG = Actor("u-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
LANGUAGES = ("zh-CN", "en")


class History:
    """A service and the marked internal text written into it."""

    def __init__(self) -> None:
        self.wiring: Wiring = sample_wiring()
        self.markers: list[str] = []
        self.costs: list[str] = []

    def marker(self) -> str:
        text = f"SECRET{len(self.markers):03d}Q"
        self.markers.append(text)
        return text

    def staff(self, role: str) -> Actor:
        mark = self.marker()
        return Actor(f"u-{mark}", f"员工{mark}", SAMPLE_TENANT, {role})

    def add(self, record: Shipment | TrackingUpdate | CustomerContact | Feedback) -> None:
        uow = self.wiring.database.unit_of_work()
        with uow:
            uow.casefile.add(record)
            uow.commit()

    def ship(self, return_id: str) -> None:
        at = self.wiring.clock.now()
        n = len(self.costs)
        cost = Decimal(f"{8100 + n}.37")
        self.costs.append(str(cost))
        common: dict[str, Any] = {
            "tenant_id": SAMPLE_TENANT,
            "return_id": return_id,
            "customer_id": "C-1001",
        }
        self.add(
            Shipment(
                **common,
                id=f"s-{n}",
                at=at,
                method=ShipmentMethod.CARRIER_PICKUP,
                carrier="sf",
                tracking_number=f"SF{n}",
                label_reference=self.marker(),
                cost=Money(cost, "CNY"),
                status=TrackingStatus.IN_TRANSIT,
                updated_at=at,
            )
        )
        self.add(
            TrackingUpdate(
                **common,
                id=f"t-{n}",
                at=at,
                shipment_id=f"s-{n}",
                carrier="sf",
                event_id=f"e-{n}",
                status=TrackingStatus.IN_TRANSIT,
                occurred_at=at,
                location=self.marker(),
                description=self.marker(),
            )
        )
        mark = self.marker()
        self.add(
            CustomerContact(
                **common,
                id=f"c-{n}",
                at=at,
                channel=ContactChannel.CALL,
                direction=Direction.OUTBOUND,
                summary=f"内部备注 {self.marker()}",
                by=f"u-{mark}",
                by_name=mark,
            )
        )


def _one_return(history: History, data: st.DataObject) -> None:
    s, w = history.wiring.service, history.wiring
    w.clock.advance(timedelta(minutes=7))
    ref = data.draw(st.sampled_from([MOUSE, CABLE, MONITOR]), label="line")
    line = RequestedLine(ref, 1, "wrong_order", note=history.marker())
    try:
        if data.draw(st.booleans(), label="asked by the customer"):
            asked = s.request_return(ZHANG, ReturnRequest((line,), "请尽快处理"))
            decision = data.draw(st.sampled_from(["decline", "withdraw", "accept"]))
            if decision == "decline":
                s.decline_request(
                    history.staff("customer_service"), asked.return_id, "other", "很抱歉"
                )
                return
            if decision == "withdraw":
                s.withdraw_return(ZHANG, asked.return_id)
                return
            order = s.accept_request(
                history.staff("customer_service"), asked.return_id, history.marker()
            )
        else:
            order = s.create_return(
                history.staff("requester"), ReturnRequest((line,), history.marker())
            )
            if data.draw(st.booleans(), label="cancel the staff draft"):
                s.cancel_return(history.staff("requester"), order.id, history.marker())
                return
            order = s.submit_return(history.staff("requester"), order.id)
    except OverReturn:
        return
    while order.status is ReturnStatus.SUBMITTED:
        if data.draw(st.booleans(), label="reject"):
            s.reject_return(history.staff("approver"), order.id, history.marker())
            return
        order = s.approve_return(history.staff("approver"), order.id, history.marker())
    history.ship(order.id)
    if data.draw(st.booleans(), label="stop in transit"):
        return
    serials = order.line(ref).delivered_serials[:1]
    receipt = Receipt(received=Decimal(1), serial_numbers=serials, lot=history.marker())
    s.receive_goods(history.staff("warehouse"), order.id, {ref: receipt}, history.marker())
    if data.draw(st.booleans(), label="complete"):
        s.complete_return(
            history.staff("finance"), order.id, history.marker(), RefundMethod.STORE_CREDIT
        )


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_no_internal_text_leaks_into_any_customer_view(data: st.DataObject) -> None:
    history = History()
    for _ in range(data.draw(st.integers(1, 4), label="returns")):
        _one_return(history, data)
    s = history.wiring.service
    views: list[str] = []
    page = s.my_returns(ZHANG)
    for entry in page.items:
        views.append(repr(entry))
        timeline = s.return_timeline(ZHANG, entry.return_id)
        views.append(repr(timeline))
        for language in LANGUAGES:
            views.extend([str(entry.as_dict(language)), timeline.render(language)])
            views.append(timeline.to_json(language))
    seen = "\n".join(views)
    assert page.total == len(page.items) >= 0
    for secret in [*history.markers, *history.costs]:
        assert secret not in seen
    for entry in page.items:
        assert entry.number in seen


# -- the plain words ---------------------------------------------------------------------


def _completed(w: Wiring) -> str:
    s = w.service
    order = s.create_return(w.clerk, ReturnRequest((RequestedLine(MOUSE, 1, "wrong_order"),)))
    s.submit_return(w.clerk, order.id)
    s.receive_goods(w.warehouse, order.id, {MOUSE: Receipt(received=Decimal(1))})
    return s.complete_return(w.finance, order.id, method=RefundMethod.STORE_CREDIT).id


def test_a_completed_return_asks_the_customer_for_feedback_until_given() -> None:
    w = sample_wiring()
    order = w.service.get_return(w.admin, _completed(w))
    timeline = customer_timeline(order)
    assert (timeline.progress, timeline.next_step, timeline.owed_by) == (
        Progress.COMPLETED,
        NextStep.GIVE_FEEDBACK,
        Party.CUSTOMER,
    )
    given = Feedback(
        tenant_id=SAMPLE_TENANT,
        id="f-1",
        return_id=order.id,
        customer_id="C-1001",
        at=datetime(2026, 11, 28, tzinfo=UTC),
        score=5,
        comment="很好",
    )
    after = customer_timeline(order, feedback=[given])
    assert (after.next_step, after.owed_by, after.feedback_score) == (
        NextStep.NOTHING,
        Party.NOBODY,
        5,
    )
    assert after.moments[-1].kind.value == "feedback_given"


def test_the_timeline_speaks_chinese_and_english_only() -> None:
    w = sample_wiring()
    timeline = w.service.return_timeline(ZHANG, _completed(w))
    assert timeline.status_text("zh-CN") == "退货已完成"
    assert timeline.status_text("en") == "Your return is complete"
    assert [m.kind.value for m in timeline.moments] == [
        "created",
        "submitted",
        "approved",
        "goods_received",
        "refund_granted",
        "completed",
    ]
    assert timeline.moments[4].amount == timeline.refund
    with pytest.raises(InvalidInput, match="language"):
        timeline.render("fr")
