"""Customers' requests through the service: request, accept, decline, withdraw, follow.

A customer (role ``customer``, ``Actor.customer_id``) asks for a return of
their own delivered lines; it is a draft that claims its units, with a
pending request.  Staff accept it (the approval workflow follows) or decline
it with a decline reason and a message (the customer is notified).  The
customer may withdraw it until the goods leave, and sees their own returns
only: another customer's, or another tenant's, does not exist for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from crm_returns import (
    Actor,
    EmailNotifier,
    LineQuery,
    LineRef,
    MemoryMailer,
    NextStep,
    Party,
    Progress,
    RequestedLine,
    RequestStatus,
    ReturnQuery,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
    TrackingStatus,
)
from crm_returns.domain.casefile.events import RequestAccepted, RequestDeclined, ReturnRequested
from crm_returns.domain.events import ReturnSubmitted
from crm_returns.domain.policies.access import DEFAULT_ROLES, Permission, RoleBasedAccess
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.returns.states import Action
from crm_returns.domain.shipments.records import Shipment, ShipmentMethod
from crm_returns.errors import (
    IllegalTransition,
    InvalidInput,
    NotAuthorised,
    NotFound,
    OverReturn,
    ReasonNotSelectable,
    SeparationOfDuties,
)
from crm_returns.samples import SAMPLE_TENANT, sample_contacts
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00, C-1001 张伟
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00, C-1001: the manager approves
CHAIR = LineRef("SO-1002", "1")  # C-1002 李娜

ZHANG = Actor("u-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
LI = Actor("u-li", "李娜", SAMPLE_TENANT, {"customer"}, customer_id="C-1002")
CS = Actor("u-cs", "客服小赵", SAMPLE_TENANT, {"customer_service"})
OUTSIDER = Actor("u-zhang", "张伟", "globex", {"customer"}, customer_id="C-1001")


def _asking(*picks: tuple[LineRef, int], note: str = "") -> ReturnRequest:
    return ReturnRequest(
        lines=tuple(RequestedLine(ref, Decimal(units), "wrong_order") for ref, units in picks),
        note=note,
    )


def _ship(wiring: Wiring, return_id: str, status: TrackingStatus) -> None:
    at = wiring.clock.now()
    uow = wiring.database.unit_of_work()
    with uow:
        uow.casefile.add(
            Shipment(
                tenant_id=SAMPLE_TENANT,
                id=f"s-{status.value}",
                return_id=return_id,
                customer_id="C-1001",
                at=at,
                method=ShipmentMethod.DROP_OFF,
                carrier="sf",
                tracking_number="SF100",
                status=status,
                updated_at=at,
            )
        )
        uow.commit()


# -- requesting ------------------------------------------------------------------------


def test_a_customer_finds_only_their_own_lines_whatever_the_query_says(wiring: Wiring) -> None:
    page = wiring.service.search_my_lines(ZHANG, LineQuery(customer_id="C-1002"))
    assert {line.line.customer_id for line in page.items} == {"C-1001"}
    assert page.total == 3


def test_a_request_is_a_pending_draft_that_claims_its_units(wiring: Wiring) -> None:
    s = wiring.service
    timeline = s.request_return(ZHANG, _asking((MOUSE, 2), note="颜色不对"))
    assert (timeline.progress, timeline.next_step, timeline.owed_by) == (
        Progress.REQUESTED,
        NextStep.DECIDE,
        Party.US,
    )
    assert timeline.request is RequestStatus.PENDING
    assert timeline.note == "颜色不对"
    order = s.get_return(wiring.admin, timeline.return_id)
    assert order.status is ReturnStatus.DRAFT
    assert order.requested_by == ZHANG.id
    [mouse] = s.search_my_lines(ZHANG, LineQuery(product="MSE")).items
    assert mouse.returnable_quantity == 3
    trail = s.audit_trail(wiring.admin, order.id)
    assert [entry.action for entry in trail] == [Action.DRAFT]
    events = [m.event for _, m in sorted(wiring.database.committed.outbox.values())]
    assert [type(e) for e in events] == [ReturnRequested]


def test_the_preview_of_a_customer_names_no_approval_step(wiring: Wiring) -> None:
    preview = wiring.service.preview_my_return(ZHANG, _asking((MONITOR, 1)))
    assert preview.steps == ()
    assert preview.refund.amount == Decimal("1899.00")


def test_a_retried_request_makes_one_return(wiring: Wiring) -> None:
    s = wiring.service
    first = s.request_return(ZHANG, _asking((MOUSE, 1)), idempotency_key="portal-1")
    again = s.request_return(ZHANG, _asking((MOUSE, 1)), idempotency_key="portal-1")
    assert again.return_id == first.return_id
    assert s.my_returns(ZHANG).total == 1


def test_a_customer_cannot_ask_for_another_customers_line(wiring: Wiring) -> None:
    with pytest.raises(NotFound, match="order line"):
        wiring.service.request_return(ZHANG, _asking((CHAIR, 1)))
    with pytest.raises(NotFound, match="order line"):
        wiring.service.preview_my_return(ZHANG, _asking((CHAIR, 1)))
    assert wiring.database.committed.returns == {}


def test_over_return_is_refused_across_a_pending_request_and_a_staff_return(
    wiring: Wiring,
) -> None:
    s = wiring.service
    s.request_return(ZHANG, _asking((MOUSE, 3)))
    s.create_return(wiring.clerk, _asking((MOUSE, 2)))
    with pytest.raises(OverReturn):
        s.request_return(ZHANG, _asking((MOUSE, 1)))
    with pytest.raises(OverReturn):
        s.create_return(wiring.clerk, _asking((MOUSE, 1)))


def test_staff_cannot_use_the_customers_use_cases(wiring: Wiring) -> None:
    with pytest.raises(InvalidInput, match="acts for no customer"):
        wiring.service.request_return(wiring.admin, _asking((MOUSE, 1)))
    with pytest.raises(NotAuthorised):
        wiring.service.request_return(wiring.clerk, _asking((MOUSE, 1)))


# -- staff deciding ----------------------------------------------------------------------


def test_an_accepted_request_goes_through_the_approval_workflow(wiring: Wiring) -> None:
    s = wiring.service
    asked = s.request_return(ZHANG, _asking((MONITOR, 1)))
    assert [o.id for o in s.pending_requests(CS).items] == [asked.return_id]
    accepted = s.accept_request(CS, asked.return_id, "looks fine")
    assert accepted.status is ReturnStatus.SUBMITTED
    assert s.pending_requests(CS).total == 0
    approved = s.approve_return(wiring.approver, accepted.id, "同意")
    assert approved.status is ReturnStatus.APPROVED
    timeline = s.return_timeline(ZHANG, asked.return_id)
    assert timeline.request is RequestStatus.ACCEPTED
    assert (timeline.progress, timeline.owed_by) == (Progress.SEND_GOODS, Party.CUSTOMER)
    kinds = [type(m.event) for _, m in sorted(wiring.database.committed.outbox.values())]
    assert kinds[:3] == [ReturnRequested, RequestAccepted, ReturnSubmitted]


def test_the_customer_who_requested_never_approves(wiring: Wiring) -> None:
    s = wiring.service
    asked = s.request_return(ZHANG, _asking((MONITOR, 1)))
    s.accept_request(CS, asked.return_id)
    both = Actor(ZHANG.id, "张伟", SAMPLE_TENANT, {"approver"})
    with pytest.raises(SeparationOfDuties):
        s.approve_return(both, asked.return_id, "mine")


def test_a_declined_request_frees_its_units_and_the_customer_is_told(wiring: Wiring) -> None:
    s = wiring.service
    asked = s.request_return(ZHANG, _asking((MOUSE, 5)))
    declined = s.decline_request(
        wiring.approver, asked.return_id, "evidence_missing", "请上传商品照片"
    )
    assert declined.status is ReturnStatus.REJECTED
    [mouse] = s.search_my_lines(ZHANG, LineQuery(product="MSE")).items
    assert mouse.returnable_quantity == 5
    timeline = s.return_timeline(ZHANG, asked.return_id)
    assert timeline.progress is Progress.DECLINED
    assert timeline.decline_reason is not None
    assert timeline.decline_reason.label("zh-CN") == "缺少凭证"
    assert timeline.decline_message == "请上传商品照片"
    mailer = MemoryMailer()
    notifier = EmailNotifier(mailer, sample_contacts(), sender="returns@shop.example")
    s.relay([notifier]).run_until_idle()
    [mail] = [m for m in mailer.sent if m.to == ("zhang.wei@example.com",)]
    assert "未被受理" in mail.subject
    assert "缺少凭证" in mail.text
    assert "请上传商品照片" in mail.text


def test_a_decline_needs_a_known_active_reason_and_a_message(wiring: Wiring) -> None:
    s = wiring.service
    asked = s.request_return(ZHANG, _asking((MOUSE, 1)))
    with pytest.raises(NotFound, match="decline reason"):
        s.decline_request(wiring.approver, asked.return_id, "too_ugly", "sorry")
    with pytest.raises(InvalidInput, match="message"):
        s.decline_request(wiring.approver, asked.return_id, "other", "  ")
    retired = s.settings.decline_reasons
    assert retired.reason("duplicate").active
    from crm_returns import DeclineReason, DeclineReasons

    reasons = DeclineReasons((DeclineReason("gone", {"en": "Gone", "zh-CN": "无"}, active=False),))
    with pytest.raises(ReasonNotSelectable):
        reasons.choose("gone")


def test_a_decided_request_cannot_be_decided_again(wiring: Wiring) -> None:
    s = wiring.service
    asked = s.request_return(ZHANG, _asking((MOUSE, 1)))
    s.decline_request(wiring.approver, asked.return_id, "duplicate", "已有相同申请")
    with pytest.raises(IllegalTransition):
        s.accept_request(wiring.approver, asked.return_id)
    staff_draft = s.create_return(wiring.clerk, _asking((MOUSE, 1)))
    with pytest.raises(IllegalTransition, match="did not request"):
        s.accept_request(wiring.approver, staff_draft.id)


def test_a_customer_may_not_decide_requests(wiring: Wiring) -> None:
    asked = wiring.service.request_return(ZHANG, _asking((MOUSE, 1)))
    with pytest.raises(NotAuthorised):
        wiring.service.accept_request(ZHANG, asked.return_id)
    with pytest.raises(NotAuthorised):
        wiring.service.pending_requests(ZHANG)


# -- withdrawing -------------------------------------------------------------------------


def test_a_customer_withdraws_before_the_goods_leave(wiring: Wiring) -> None:
    s = wiring.service
    pending = s.request_return(ZHANG, _asking((MOUSE, 1)))
    assert s.withdraw_return(ZHANG, pending.return_id).progress is Progress.WITHDRAWN
    approved = s.request_return(ZHANG, _asking((MOUSE, 1)))
    s.accept_request(CS, approved.return_id)
    _ship(wiring, approved.return_id, TrackingStatus.LABEL_CREATED)
    withdrawn = s.withdraw_return(ZHANG, approved.return_id)
    assert withdrawn.request is RequestStatus.WITHDRAWN
    assert s.get_return(wiring.admin, approved.return_id).status is ReturnStatus.CANCELLED


def test_a_customer_cannot_withdraw_once_the_goods_left(wiring: Wiring) -> None:
    s = wiring.service
    asked = s.request_return(ZHANG, _asking((MOUSE, 1)))
    s.accept_request(CS, asked.return_id)
    _ship(wiring, asked.return_id, TrackingStatus.IN_TRANSIT)
    with pytest.raises(IllegalTransition, match="on their way"):
        s.withdraw_return(ZHANG, asked.return_id)
    timeline = s.return_timeline(ZHANG, asked.return_id)
    assert (timeline.progress, timeline.owed_by) == (Progress.ON_THE_WAY, Party.CARRIER)
    assert timeline.tracking is not None
    assert timeline.tracking.tracking_number == "SF100"


def test_a_customer_cannot_withdraw_a_declined_request_or_a_staff_return(
    wiring: Wiring,
) -> None:
    s = wiring.service
    asked = s.request_return(ZHANG, _asking((MOUSE, 1)))
    s.decline_request(wiring.approver, asked.return_id, "other", "不符合条件")
    with pytest.raises(IllegalTransition):
        s.withdraw_return(ZHANG, asked.return_id)
    staff = s.create_return(wiring.clerk, _asking((MOUSE, 1)))
    with pytest.raises(IllegalTransition, match="did not request"):
        s.withdraw_return(ZHANG, staff.id)


# -- isolation ---------------------------------------------------------------------------


def test_a_customer_sees_only_their_own_returns(wiring: Wiring) -> None:
    s = wiring.service
    mine = s.request_return(ZHANG, _asking((MOUSE, 1)))
    wiring.clock.advance(timedelta(minutes=1))
    by_staff = s.create_return(wiring.clerk, _asking((MONITOR, 1)))
    s.request_return(LI, _asking((CHAIR, 1)))
    page = s.my_returns(ZHANG)
    assert [entry.return_id for entry in page.items] == [by_staff.id, mine.return_id]
    assert page.items[1].request is RequestStatus.PENDING
    assert page.items[0].request is None


def test_a_customer_reads_their_returns_page_by_cursor_newest_first(wiring: Wiring) -> None:
    s = wiring.service
    made = []
    for ref in (MOUSE, MOUSE, MONITOR):
        made.append(s.request_return(ZHANG, _asking((ref, 1))).return_id)
        wiring.clock.advance(timedelta(minutes=1))
    s.request_return(LI, _asking((CHAIR, 1)))

    first = s.my_returns(ZHANG, limit=2, with_total=False)
    assert [entry.return_id for entry in first.items] == made[:0:-1]
    assert (first.total, first.has_more) == (None, True)
    assert first.next_cursor is not None
    rest = s.my_returns(ZHANG, limit=2, after=first.next_cursor)
    assert [entry.return_id for entry in rest.items] == made[:1]
    assert (rest.total, rest.next_cursor, rest.has_more) == (3, None, False)
    assert rest.items[0].request is RequestStatus.PENDING


def test_a_customers_cursor_is_theirs_alone(wiring: Wiring) -> None:
    s = wiring.service
    for lis in (CHAIR, LineRef("SO-1002", "2")):  # her chair, then a desk lamp
        s.request_return(ZHANG, _asking((MOUSE, 1)))
        s.request_return(LI, _asking((lis, 1)))
    cursor = s.my_returns(ZHANG, limit=1).next_cursor
    assert cursor is not None

    for refused in (
        lambda: s.my_returns(LI, after=cursor),  # another customer's list
        lambda: s.my_returns(ZHANG, offset=1, after=cursor),
        lambda: s.my_returns(ZHANG, after="not a cursor"),
        lambda: s.list_returns(CS, ReturnQuery(after=cursor)).items,  # all returns: another list
    ):
        with pytest.raises(InvalidInput):
            refused()


def test_another_customers_return_does_not_exist_for_a_customer(wiring: Wiring) -> None:
    s = wiring.service
    theirs = s.request_return(LI, _asking((CHAIR, 1)))
    attempts: list[Callable[[], object]] = [
        lambda: s.return_timeline(ZHANG, theirs.return_id),
        lambda: s.withdraw_return(ZHANG, theirs.return_id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    # Nor through the staff use cases, whatever roles a host gives the customer.
    staffed = Actor(ZHANG.id, "张伟", SAMPLE_TENANT, {"admin"}, customer_id="C-1001")
    staff_attempts: list[Callable[[], object]] = [
        lambda: s.get_return(staffed, theirs.return_id),
        lambda: s.audit_trail(staffed, theirs.return_id),
        lambda: s.cancel_return(staffed, theirs.return_id, "mine now"),
        lambda: s.accept_request(staffed, theirs.return_id),
    ]
    for attempt in staff_attempts:
        with pytest.raises(NotFound):
            attempt()
    listed = s.list_returns(staffed, ReturnQuery(customer_id="C-1002"))
    assert listed.total == 0
    found = s.search_returnable_lines(staffed, LineQuery(customer_id="C-1002"))
    assert {line.line.customer_id for line in found.items} == {"C-1001"}


def test_another_tenants_return_does_not_exist_for_a_customer(wiring: Wiring) -> None:
    asked = wiring.service.request_return(ZHANG, _asking((MOUSE, 1)))
    with pytest.raises(NotFound):
        wiring.service.return_timeline(OUTSIDER, asked.return_id)
    with pytest.raises(NotFound):
        wiring.service.withdraw_return(OUTSIDER, asked.return_id)
    assert wiring.service.my_returns(OUTSIDER).total == 0


def test_the_request_record_follows_each_decision(wiring: Wiring) -> None:
    s = wiring.service
    asked = s.request_return(ZHANG, _asking((MOUSE, 1)))
    s.decline_request(wiring.approver, asked.return_id, "outside_window", "已超过30天")
    uow = wiring.database.unit_of_work()
    with uow:
        record = uow.casefile.find(SAMPLE_TENANT, RequestRecord, asked.return_id)
    assert record is not None
    assert (record.status, record.decided_by, record.decline_reason, record.version) == (
        RequestStatus.DECLINED,
        wiring.approver.id,
        "outside_window",
        2,
    )
    declined = [
        m.event
        for _, m in sorted(wiring.database.committed.outbox.values())
        if isinstance(m.event, RequestDeclined)
    ]
    assert [(e.reason, e.reason_zh, e.reason_en) for e in declined] == [
        ("outside_window", "超出退货期限", "Outside the return window")
    ]


def test_a_declined_or_withdrawn_request_expects_no_refund(wiring: Wiring) -> None:
    s = wiring.service
    declined = s.request_return(ZHANG, _asking((MOUSE, 1)))
    withdrawn = s.request_return(ZHANG, _asking((MOUSE, 1)))
    asked = s.request_return(ZHANG, _asking((MOUSE, 1)))
    s.decline_request(CS, declined.return_id, "duplicate", "已有申请")
    s.withdraw_return(ZHANG, withdrawn.return_id)

    refunds = {entry.return_id: entry.refund for entry in s.my_returns(ZHANG).items}
    assert refunds[declined.return_id].amount == refunds[withdrawn.return_id].amount == 0
    assert refunds[asked.return_id].amount == Decimal("129.00")
    for ended in (declined, withdrawn):
        timeline = s.return_timeline(ZHANG, ended.return_id)
        assert timeline.refund.amount == 0
        assert "129" not in timeline.render("zh-CN")


def test_asking_and_withdrawing_need_no_right_to_follow_and_are_never_denied_after_the_fact(
    wiring: Wiring,
) -> None:
    # A host's role that may ask and withdraw, but not browse its returns.
    roles = {**DEFAULT_ROLES, "asker": frozenset({Permission.REQUEST_RETURN})}
    settings = attrs.evolve(wiring.service.settings, access_policy=RoleBasedAccess(roles))
    s = ReturnsService(wiring.orders, wiring.database.unit_of_work, settings)
    asker = Actor("u-asker", "张伟", SAMPLE_TENANT, {"asker"}, customer_id="C-1001")

    asked = s.request_return(asker, _asking((MOUSE, 1)))
    withdrawn = s.withdraw_return(asker, asked.return_id)

    assert withdrawn.progress is Progress.WITHDRAWN
    trail = s.audit_trail(wiring.admin, asked.return_id)
    assert Action.DENIED not in [entry.action for entry in trail]
    with pytest.raises(NotAuthorised):
        s.return_timeline(asker, asked.return_id)
