"""Who may do what: every use case needs its permission, and every denial is audited.

The default access policy grants permissions by role (``DEFAULT_ROLES``).  A
command the policy refuses raises ``NotAuthorised`` naming the actor, the
permission and the return, changes nothing, and leaves one ``DENIED`` entry
in the audit trail: the return's, or — for a use case that concerns no
return — the tenant's, which ``tenant_audit_trail`` reads.  A host can
replace the whole policy; the requester of a return never approves it,
whatever either policy says.

Each test builds the same scene on the sample wiring (lines are listed in
tests/service/conftest.py), so that every use case has a return it can
succeed on:

    draft      LMP-05 x1   wrong_order         a draft of the clerk's
    waiting    MON-27 x1   changed_requirement waits for the manager (1899.00)
    approved   CHR-10 x1   wrong_order         approved, nothing received
    received   MSE-01 x2   quality_defect      received, waits for inspection
    settled    CBL-02 x3   wrong_order         received, nothing to inspect
    paying     MSE-01 x1   wrong_order         refund granted, 100.00 of 129.00 pending
    repairing  LMP-05 x1   quality_defect      inspected, the lamp in repair
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crm_returns import (
    Actor,
    AttachmentSubject,
    ContactChannel,
    Direction,
    FactQuery,
    Fault,
    HoldScope,
    Inspection,
    LineQuery,
    LineRef,
    Money,
    Reason,
    ReasonCategory,
    Receipt,
    RefundMethod,
    ReportWindow,
    RequestedLine,
    ReturnOrder,
    ReturnQuery,
    ReturnRequest,
    ReturnsService,
    ShipmentMethod,
    ShipmentPlan,
    TrackingStatus,
)
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.policies.access import (
    ADMIN,
    DEFAULT_ROLES,
    AccessPolicy,
    Permission,
    RoleBasedAccess,
)
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.returns.states import Action
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.errors import NotAuthorised, SeparationOfDuties
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.service.settings import ServiceSettings
from crm_returns.testing import Wiring

P = Permission
MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00, customer C-1001
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00
CHAIR = LineRef("SO-1002", "1")  # 1 x 2399.00, customer C-1002
LAMP = LineRef("SO-1002", "2")  # 3 x 199.00

#: A photo's leading bytes: enough for its type to be detected.
JPEG = bytes.fromhex("ffd8ffe000104a464946000101") + bytes(20)

#: A role no policy knows: it grants nothing, not even viewing returns.
GUEST = "guest"
ROLES = [*DEFAULT_ROLES, GUEST]

SplitDenials = Callable[[object], tuple[object, list[AuditEntry]]]


def _request(*picks: tuple[LineRef, int, str]) -> ReturnRequest:
    return ReturnRequest(
        lines=tuple(RequestedLine(ref, Decimal(units), reason) for ref, units, reason in picks)
    )


#: What ``create_return`` and ``preview_return`` are tried with: the last monitor.
NEW_REQUEST = _request((MONITOR, 1, "wrong_order"))


def _member(role: str) -> Actor:
    """Someone of the sample tenant holding ``role`` alone."""
    return Actor(f"u-{role}", f"{role} 测试员", SAMPLE_TENANT, {role})


def _state(wiring: Wiring) -> Any:
    return copy.deepcopy(wiring.database.committed)


# -- the scene -----------------------------------------------------------------------


@attrs.frozen
class Scene:
    """Returns in the states the use cases act on (see the module docstring)."""

    draft: ReturnOrder
    waiting: ReturnOrder
    approved: ReturnOrder
    received: ReturnOrder
    settled: ReturnOrder
    paying: ReturnOrder
    repairing: ReturnOrder
    closed: ReturnOrder
    shelved: ReturnOrder
    requested: ReturnOrder
    hold_id: str = ""
    proposed_plan: str = ""
    approved_plan: str = ""
    pickup_id: str = ""
    attachment_id: str = ""

    @property
    def payment_id(self) -> str:
        """The pending payment of ``paying``."""
        assert self.paying.grant is not None
        return self.paying.grant.payments[-1].id


def build_scene(w: Wiring) -> Scene:
    """Take each return of the scene where it should be, by the people whose job it is."""
    s, clerk = w.service, w.clerk

    def drafted(*picks: tuple[LineRef, int, str]) -> ReturnOrder:
        w.clock.advance(timedelta(minutes=5))
        return s.create_return(clerk, _request(*picks))

    draft = drafted((LAMP, 1, "wrong_order"))
    waiting = drafted((MONITOR, 1, "changed_requirement"))
    waiting = s.submit_return(clerk, waiting.id)
    approved = drafted((CHAIR, 1, "wrong_order"))
    s.submit_return(clerk, approved.id)
    approved = s.approve_return(w.approver, approved.id, "同意")
    pickup = s.add_shipment(w.warehouse, approved.id, PICKUP)
    received = drafted((MOUSE, 2, "quality_defect"))
    s.submit_return(clerk, received.id)
    s.approve_return(w.inspector, received.id, "质检同意")
    received = s.receive_goods(w.warehouse, received.id, {MOUSE: Receipt(received=Decimal(2))})
    settled = drafted((CABLE, 3, "wrong_order"))
    s.submit_return(clerk, settled.id)
    settled = s.receive_goods(w.warehouse, settled.id, {CABLE: Receipt(received=Decimal(3))})
    paying = drafted((MOUSE, 1, "wrong_order"))
    s.submit_return(clerk, paying.id)
    s.receive_goods(w.warehouse, paying.id, {MOUSE: Receipt(received=Decimal(1))})
    s.grant_refund(w.finance, paying.id)  # 129.00, of which 100.00 is being paid
    paying = s.record_refund_payment(w.finance, paying.id, Money(Decimal(100), "CNY"), "PSP-1")
    repairing = drafted((LAMP, 1, "quality_defect"))
    s.submit_return(clerk, repairing.id)
    s.approve_return(w.inspector, repairing.id)
    s.receive_goods(w.warehouse, repairing.id, {LAMP: Receipt(received=Decimal(1))})
    repair = Inspection(accepted=Decimal(1), disposition=Disposition.REPAIR)
    repairing = s.inspect_goods(w.inspector, repairing.id, {LAMP: repair})
    closed = drafted((CABLE, 2, "wrong_order"))
    s.submit_return(clerk, closed.id)
    s.receive_goods(w.warehouse, closed.id, {CABLE: Receipt(received=Decimal(2))})
    closed = s.complete_return(w.finance, closed.id, method=RefundMethod.STORE_CREDIT)
    shelved = drafted((CABLE, 1, "wrong_order"))
    s.submit_return(clerk, shelved.id)
    s.receive_goods(w.warehouse, shelved.id, {CABLE: Receipt(received=Decimal(1))})
    shelved = s.complete_return(w.finance, shelved.id, method=RefundMethod.STORE_CREDIT)
    s.archive_return(ARCHIVIST, shelved.id)
    hold = s.place_hold(COUNSEL, HoldScope.RETURN, waiting.id, "税务检查")
    proposed = s.propose_retention_plan(ARCHIVIST)
    approved_plan = s.propose_retention_plan(ARCHIVIST)
    s.approve_retention_plan(COUNSEL, approved_plan.number)
    asked = s.request_return(
        _for_customer(_member("customer")), _request((CABLE, 1, "wrong_order"))
    )
    requested = s.get_return(w.admin, asked.return_id)
    photo = s.attach_file(w.warehouse, received.id, AttachmentSubject.RECEIPT, "box.jpg", JPEG)
    w.clock.advance(timedelta(hours=1))
    return Scene(
        draft,
        waiting,
        approved,
        received,
        settled,
        paying,
        repairing,
        closed,
        shelved,
        requested,
        hold.id,
        proposed.number,
        approved_plan.number,
        pickup.id,
        photo.id,
    )


#: A carrier pickup with the memory carrier (which creates labels).
PICKUP = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
#: When staff say a parcel moved.
SCANNED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _for_customer(actor: Actor) -> Actor:
    """``actor`` acting for customer C-1001 (张伟), as through the host's portal."""
    return attrs.evolve(actor, customer_id="C-1001")


#: Runs the sweeps and keeps the register (role ``records_manager``).
ARCHIVIST = Actor("u-archivist", "档案员", SAMPLE_TENANT, {"records_manager"})
#: Places holds and approves plans (role ``legal``).
COUNSEL = Actor("u-counsel", "法务", SAMPLE_TENANT, {"legal"})


# -- every use case, the permission it needs, and how to try it ----------------------

Call = Callable[[ReturnsService, Actor, Scene], object]


@attrs.frozen
class Case:
    """One use case.

    Attributes:
        permission: What it needs (what a denial names).
        target: The scene's return it acts on (``None``: it concerns no return,
            so a denial goes to the tenant-wide trail).
        call: Tries it.
        also: Other permissions that open it as well.
    """

    permission: Permission
    target: str | None
    call: Call
    also: frozenset[Permission] = frozenset()

    @property
    def opened_by(self) -> frozenset[Permission]:
        """Every permission that opens it."""
        return self.also | {self.permission}


#: The window the reports are asked for.
REPORTED = ReportWindow(start=date(2026, 11, 1), end=date(2026, 12, 31), zone=UTC)
PACKAGING = ReasonCategory("packaging", {"en": "Packaging", "zh-CN": "包装原因"})
BOX_CRUSHED = Reason(
    "box_crushed", "general", {"en": "Box crushed", "zh-CN": "外箱压坏"}, Fault.CARRIER
)
RELABELLED = {"en": "Something else", "zh-CN": "其他原因"}

CASES: dict[str, Case] = {
    # Choosing and drafting.
    "search_returnable_lines": Case(
        P.VIEW_RETURNS, None, lambda s, a, x: s.search_returnable_lines(a, LineQuery())
    ),
    "preview_return": Case(P.CREATE_RETURN, None, lambda s, a, x: s.preview_return(a, NEW_REQUEST)),
    "create_return": Case(P.CREATE_RETURN, None, lambda s, a, x: s.create_return(a, NEW_REQUEST)),
    "edit_return": Case(
        P.EDIT_RETURN,
        "draft",
        lambda s, a, x: s.edit_return(a, x.draft.id, [RequestedLine(LAMP, 2, "wrong_order")]),
    ),
    "submit_return": Case(P.SUBMIT_RETURN, "draft", lambda s, a, x: s.submit_return(a, x.draft.id)),
    "cancel_return": Case(
        P.CANCEL_RETURN, "draft", lambda s, a, x: s.cancel_return(a, x.draft.id, "客户撤回")
    ),
    # A customer's own side (the actor acts for C-1001) and staff deciding on requests.
    "search_my_lines": Case(
        P.REQUEST_RETURN, None, lambda s, a, x: s.search_my_lines(_for_customer(a), LineQuery())
    ),
    "preview_my_return": Case(
        P.REQUEST_RETURN, None, lambda s, a, x: s.preview_my_return(_for_customer(a), NEW_REQUEST)
    ),
    "request_return": Case(
        P.REQUEST_RETURN, None, lambda s, a, x: s.request_return(_for_customer(a), NEW_REQUEST)
    ),
    "withdraw_return": Case(
        P.REQUEST_RETURN,
        None,
        lambda s, a, x: s.withdraw_return(_for_customer(a), x.requested.id),
    ),
    "my_returns": Case(P.FOLLOW_RETURNS, None, lambda s, a, x: s.my_returns(_for_customer(a))),
    "return_timeline": Case(
        P.FOLLOW_RETURNS,
        None,
        lambda s, a, x: s.return_timeline(_for_customer(a), x.requested.id),
    ),
    "pending_requests": Case(P.DECIDE_REQUESTS, None, lambda s, a, x: s.pending_requests(a)),
    "accept_request": Case(
        P.DECIDE_REQUESTS, "requested", lambda s, a, x: s.accept_request(a, x.requested.id)
    ),
    "decline_request": Case(
        P.DECIDE_REQUESTS,
        "requested",
        lambda s, a, x: s.decline_request(a, x.requested.id, "other", "很抱歉"),
    ),
    # Deciding.
    "approve_return": Case(
        P.APPROVE_RETURN, "waiting", lambda s, a, x: s.approve_return(a, x.waiting.id, "同意")
    ),
    "reject_return": Case(
        P.APPROVE_RETURN, "waiting", lambda s, a, x: s.reject_return(a, x.waiting.id, "不同意")
    ),
    # Goods.
    "receive_goods": Case(
        P.RECEIVE_GOODS,
        "approved",
        lambda s, a, x: s.receive_goods(a, x.approved.id, {CHAIR: Receipt(received=Decimal(1))}),
    ),
    "inspect_goods": Case(
        P.INSPECT_GOODS,
        "received",
        lambda s, a, x: s.inspect_goods(a, x.received.id, {MOUSE: Inspection(accepted=Decimal(2))}),
    ),
    "finish_repair": Case(
        P.FINISH_REPAIR,
        "repairing",
        lambda s, a, x: s.finish_repair(a, x.repairing.id, LAMP, Decimal(1)),
    ),
    # Money.
    "grant_refund": Case(
        P.GRANT_REFUND, "settled", lambda s, a, x: s.grant_refund(a, x.settled.id)
    ),
    "record_refund_payment": Case(
        P.PAY_REFUND,
        "paying",
        lambda s, a, x: s.record_refund_payment(a, x.paying.id, Money(Decimal("1.00"), "CNY")),
    ),
    "settle_refund_payment": Case(
        P.PAY_REFUND,
        "paying",
        lambda s, a, x: s.settle_refund_payment(a, x.paying.id, x.payment_id, True),
    ),
    "complete_return": Case(
        P.COMPLETE_RETURN, "settled", lambda s, a, x: s.complete_return(a, x.settled.id)
    ),
    # Reading.
    "get_return": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.get_return(a, x.waiting.id)),
    "find_return": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.find_return(a, x.waiting.number)),
    "list_returns": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.list_returns(a, ReturnQuery())),
    "audit_trail": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.audit_trail(a, x.waiting.id)),
    "overdue_approvals": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.overdue_approvals(a)),
    # Analysts read it too, to label their reports: it holds no return and no personal data.
    "reason_catalog": Case(
        P.VIEW_RETURNS, None, lambda s, a, x: s.reason_catalog(a), also=frozenset({P.VIEW_REPORTS})
    ),
    # Owners and deadlines.
    "assign_return": Case(
        P.ASSIGN_RETURNS,
        "waiting",
        lambda s, a, x: s.assign_return(a, x.waiting.id, team="returns-desk"),
    ),
    "owner_of": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.owner_of(a, x.waiting.id)),
    "late_returns": Case(P.VIEW_WORKLOAD, None, lambda s, a, x: s.late_returns(a)),
    "grouped_facts": Case(
        P.VIEW_REPORTS, None, lambda s, a, x: s.grouped_facts(a, FactQuery(window=REPORTED))
    ),
    "reasons_report": Case(P.VIEW_REPORTS, None, lambda s, a, x: s.reasons_report(a, REPORTED)),
    "decline_reasons_report": Case(
        P.VIEW_REPORTS, None, lambda s, a, x: s.decline_reasons_report(a, REPORTED)
    ),
    "sku_reason_report": Case(
        P.VIEW_REPORTS, None, lambda s, a, x: s.sku_reason_report(a, REPORTED)
    ),
    "return_rates": Case(
        P.VIEW_REPORTS,
        None,
        lambda s, a, x: s.return_rates(
            a, start=REPORTED.start, end=REPORTED.end, zone=REPORTED.zone
        ),
    ),
    "cycle_time_report": Case(
        P.VIEW_REPORTS, None, lambda s, a, x: s.cycle_time_report(a, REPORTED)
    ),
    "frequent_returners": Case(
        P.VIEW_REPORTS, None, lambda s, a, x: s.frequent_returners(a, REPORTED)
    ),
    "open_returns_by_age": Case(
        P.VIEW_REPORTS, None, lambda s, a, x: s.open_returns_by_age(a, zone=REPORTED.zone)
    ),
    "satisfaction_report": Case(
        P.VIEW_REPORTS, None, lambda s, a, x: s.satisfaction_report(a, REPORTED)
    ),
    "export_facts": Case(P.VIEW_REPORTS, None, lambda s, a, x: list(s.export_facts(a, REPORTED))),
    # The reason catalog.
    "add_reason_category": Case(
        P.MANAGE_REASONS, None, lambda s, a, x: s.add_reason_category(a, PACKAGING)
    ),
    "add_reason": Case(P.MANAGE_REASONS, None, lambda s, a, x: s.add_reason(a, BOX_CRUSHED)),
    "relabel_reason": Case(
        P.MANAGE_REASONS, None, lambda s, a, x: s.relabel_reason(a, "other", RELABELLED)
    ),
    "retire_reason": Case(P.MANAGE_REASONS, None, lambda s, a, x: s.retire_reason(a, "other")),
    "remove_reason": Case(
        P.MANAGE_REASONS, None, lambda s, a, x: s.remove_reason(a, "damaged_in_transit")
    ),
    # The books and the tenant-wide audit trail.
    "stock_moves": Case(P.VIEW_BOOKS, None, lambda s, a, x: s.stock_moves(a)),
    "stock_balances": Case(P.VIEW_BOOKS, None, lambda s, a, x: s.stock_balances(a)),
    "journal": Case(P.VIEW_BOOKS, None, lambda s, a, x: s.journal(a)),
    "trial_balance": Case(P.VIEW_BOOKS, None, lambda s, a, x: s.trial_balance(a)),
    "tenant_audit_trail": Case(P.VIEW_AUDIT, None, lambda s, a, x: s.tenant_audit_trail(a)),
    # Retention: holds, archive, erasure, the log, sweeps and plans.
    "place_hold": Case(
        P.PLACE_HOLDS,
        None,
        lambda s, a, x: s.place_hold(a, HoldScope.CUSTOMER, "C-1002", "诉讼保全"),
    ),
    "release_hold": Case(P.PLACE_HOLDS, None, lambda s, a, x: s.release_hold(a, x.hold_id)),
    "legal_holds": Case(P.VIEW_RETENTION, None, lambda s, a, x: s.legal_holds(a)),
    "archive_return": Case(
        P.MANAGE_RETENTION, None, lambda s, a, x: s.archive_return(a, x.closed.id)
    ),
    "restore_return": Case(
        P.MANAGE_RETENTION, None, lambda s, a, x: s.restore_return(a, x.shelved.id)
    ),
    "request_erasure": Case(
        P.MANAGE_RETENTION, None, lambda s, a, x: s.request_erasure(a, "C-1002")
    ),
    "retry_erasures": Case(P.MANAGE_RETENTION, None, lambda s, a, x: s.retry_erasures(a)),
    "reapply_erasures": Case(P.MANAGE_RETENTION, None, lambda s, a, x: s.reapply_erasures(a)),
    "erasure_requests": Case(P.VIEW_RETENTION, None, lambda s, a, x: s.erasure_requests(a)),
    "retention_log": Case(P.VIEW_RETENTION, None, lambda s, a, x: s.retention_log(a)),
    "verify_retention_log": Case(P.VIEW_RETENTION, None, lambda s, a, x: s.verify_retention_log(a)),
    "review_retention": Case(P.VIEW_RETENTION, None, lambda s, a, x: s.review_retention(a)),
    "propose_retention_plan": Case(
        P.MANAGE_RETENTION, None, lambda s, a, x: s.propose_retention_plan(a)
    ),
    "approve_retention_plan": Case(
        P.APPROVE_RETENTION,
        None,
        lambda s, a, x: s.approve_retention_plan(a, x.proposed_plan),
    ),
    "cancel_retention_plan": Case(
        P.MANAGE_RETENTION, None, lambda s, a, x: s.cancel_retention_plan(a, x.proposed_plan)
    ),
    "apply_retention_plan": Case(
        P.MANAGE_RETENTION, None, lambda s, a, x: s.apply_retention_plan(a, x.approved_plan)
    ),
    "retention_plans": Case(P.VIEW_RETENTION, None, lambda s, a, x: s.retention_plans(a)),
    "retention_plan": Case(
        P.VIEW_RETENTION, None, lambda s, a, x: s.retention_plan(a, x.proposed_plan)
    ),
    "retention_plan_items": Case(
        P.VIEW_RETENTION, None, lambda s, a, x: s.retention_plan_items(a, x.proposed_plan)
    ),
    # Shipments and tracking.
    "add_shipment": Case(
        P.MANAGE_SHIPMENTS, "approved", lambda s, a, x: s.add_shipment(a, x.approved.id, PICKUP)
    ),
    "create_label": Case(
        P.MANAGE_SHIPMENTS,
        "approved",
        lambda s, a, x: s.create_label(a, x.approved.id, x.pickup_id),
    ),
    "record_tracking": Case(
        P.MANAGE_SHIPMENTS,
        "approved",
        lambda s, a, x: s.record_tracking(
            a, x.approved.id, x.pickup_id, TrackingStatus.IN_TRANSIT, SCANNED
        ),
    ),
    "ingest_tracking": Case(
        P.MANAGE_SHIPMENTS, None, lambda s, a, x: s.ingest_tracking(a, "memory", [])
    ),
    "poll_tracking": Case(
        P.MANAGE_SHIPMENTS, None, lambda s, a, x: s.poll_tracking(a, x.approved.id)
    ),
    "shipments": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.shipments(a, x.approved.id)),
    "tracking": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.tracking(a, x.approved.id)),
    # The contact log and feedback.
    "log_contact": Case(
        P.LOG_CONTACTS,
        "closed",
        lambda s, a, x: s.log_contact(
            a, x.closed.id, ContactChannel.CALL, Direction.INBOUND, "来电"
        ),
    ),
    "contacts": Case(P.LOG_CONTACTS, None, lambda s, a, x: s.contacts(a, x.closed.id)),
    # Feedback is the customer's own: each role tries it acting for the return's customer.
    "give_feedback": Case(
        P.GIVE_FEEDBACK,
        "closed",
        lambda s, a, x: s.give_feedback(
            attrs.evolve(a, customer_id=x.closed.customer_id), x.closed.id, 5
        ),
    ),
    "feedback": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.feedback(a, x.closed.id)),
    # Evidence: photos and files.
    "attach_file": Case(
        P.ADD_ATTACHMENTS,
        "received",
        lambda s, a, x: s.attach_file(
            a, x.received.id, AttachmentSubject.INSPECTION, "qa.pdf", b"%PDF-1.7\n"
        ),
    ),
    "attachments": Case(P.VIEW_RETURNS, None, lambda s, a, x: s.attachments(a, x.received.id)),
    "attachment_content": Case(
        P.VIEW_RETURNS,
        None,
        lambda s, a, x: s.attachment_content(a, x.received.id, x.attachment_id),
    ),
    "orphaned_attachments": Case(
        P.MANAGE_RETENTION, None, lambda s, a, x: s.orphaned_attachments(a)
    ),
}

#: Approving and rejecting also need the waiting step's role (``approver`` for the manager).
STEP_ROLES = {"approve_return": "approver", "reject_return": "approver"}


def _grants(role: str, permission: Permission) -> bool:
    return permission in DEFAULT_ROLES.get(role, frozenset())


def _opens(role: str, case: Case) -> bool:
    return any(_grants(role, permission) for permission in case.opened_by)


#: Every use case with every role: refused where the role lacks its permissions, else allowed.
MATRIX = [(name, role) for name in CASES for role in ROLES]
REFUSED = [(name, role) for name, role in MATRIX if not _opens(role, CASES[name])]
ALLOWED = [(name, role) for name, role in MATRIX if _opens(role, CASES[name])]


# -- the role table ------------------------------------------------------------------


def test_the_default_roles_are_the_documented_table() -> None:
    # Read off docs/access-control.md, not the code: the tests below trust the table.
    viewing = {P.VIEW_RETURNS}
    assert dict(DEFAULT_ROLES) == {
        "requester": viewing
        | {P.CREATE_RETURN, P.EDIT_RETURN, P.SUBMIT_RETURN, P.CANCEL_RETURN, P.LOG_CONTACTS},
        "approver": viewing
        | {P.APPROVE_RETURN, P.CANCEL_RETURN, P.DECIDE_REQUESTS, P.VIEW_WORKLOAD},
        "warehouse": viewing
        | {P.RECEIVE_GOODS, P.FINISH_REPAIR, P.VIEW_BOOKS, P.MANAGE_SHIPMENTS, P.ADD_ATTACHMENTS},
        "inspector": viewing
        | {P.INSPECT_GOODS, P.FINISH_REPAIR, P.APPROVE_RETURN, P.ADD_ATTACHMENTS},
        "finance": viewing
        | {P.GRANT_REFUND, P.PAY_REFUND, P.COMPLETE_RETURN, P.VIEW_BOOKS, P.VIEW_REPORTS},
        "auditor": viewing | {P.VIEW_BOOKS, P.VIEW_AUDIT, P.VIEW_RETENTION},
        "records_manager": viewing | {P.VIEW_AUDIT, P.VIEW_RETENTION, P.MANAGE_RETENTION},
        "legal": viewing | {P.VIEW_RETENTION, P.PLACE_HOLDS, P.APPROVE_RETENTION},
        "customer_service": viewing
        | {
            P.CREATE_RETURN,
            P.EDIT_RETURN,
            P.SUBMIT_RETURN,
            P.CANCEL_RETURN,
            P.DECIDE_REQUESTS,
            P.MANAGE_SHIPMENTS,
            P.ADD_ATTACHMENTS,
            P.LOG_CONTACTS,
            P.ASSIGN_RETURNS,
            P.VIEW_WORKLOAD,
        },
        "supervisor": viewing | {P.ASSIGN_RETURNS, P.VIEW_WORKLOAD, P.VIEW_AUDIT, P.VIEW_REPORTS},
        "analyst": {P.VIEW_REPORTS},
        "customer": {P.REQUEST_RETURN, P.FOLLOW_RETURNS, P.GIVE_FEEDBACK},
        ADMIN: set(Permission),
    }


def test_every_use_case_of_the_service_is_in_the_table() -> None:
    # A new method that takes an actor must say which permission it needs, here.
    public = {
        name
        for name, method in inspect.getmembers(ReturnsService, inspect.isfunction)
        if not name.startswith("_") and "actor" in inspect.signature(method).parameters
    }
    assert public == set(CASES)
    assert {case.permission for case in CASES.values()} == set(Permission)


# -- refused -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "role"), REFUSED, ids=[f"{n}-{r}" for n, r in REFUSED])
def test_a_use_case_is_refused_to_a_role_without_its_permission(
    wiring: Wiring, split_denials: SplitDenials, name: str, role: str
) -> None:
    case, actor = CASES[name], _member(role)
    scene = build_scene(wiring)
    order: ReturnOrder | None = getattr(scene, case.target) if case.target else None
    before = _state(wiring)
    wiring.clock.advance(timedelta(minutes=17))

    with pytest.raises(NotAuthorised) as refused:
        case.call(wiring.service, actor, scene)

    # The error names the actor, the permission, the return, and who would do.
    error, message = refused.value, str(refused.value)
    assert (error.actor, error.action) == (actor.id, case.permission.value)
    assert actor.id in message
    assert case.permission.value in message
    policy = RoleBasedAccess()
    assert set(error.needed) == set().union(*map(policy.granted_by, case.opened_by))
    assert set(error.needed) == {r for r in DEFAULT_ROLES if _opens(r, case)}
    if order is not None:
        assert error.subject == f"return {order.number}"
        assert order.number in message
    # Nothing changed but one audit entry: who tried what, when, on which return.
    after, denials = split_denials(_state(wiring))
    assert after == before
    [denied] = denials
    assert denied.action is Action.DENIED
    assert (denied.tenant_id, denied.actor_id, denied.actor_name) == (
        SAMPLE_TENANT,
        actor.id,
        actor.name,
    )
    assert denied.at == wiring.clock.now()
    assert denied.detail == (("permission", case.permission.value),)
    assert denied.comment == ""
    auditor = _member("auditor")
    if order is not None:
        assert (denied.return_id, denied.number) == (order.id, order.number)
        assert denied.from_status is denied.to_status is order.status
        assert wiring.service.audit_trail(auditor, order.id)[-1] == denied
        assert wiring.service.tenant_audit_trail(auditor) == ()
    else:
        assert (denied.return_id, denied.number) == ("", "")
        assert denied.from_status is denied.to_status is None
        assert wiring.service.tenant_audit_trail(auditor) == (denied,)


# -- allowed -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "role"), ALLOWED, ids=[f"{n}-{r}" for n, r in ALLOWED])
def test_a_use_case_is_open_to_every_role_with_its_permission(
    wiring: Wiring, split_denials: SplitDenials, name: str, role: str
) -> None:
    case, actor = CASES[name], _member(role)
    scene = build_scene(wiring)
    step_role = STEP_ROLES.get(name)
    if step_role is None or step_role == role:
        case.call(wiring.service, actor, scene)
    else:
        # Let through by the access policy, the approval policy still wants the
        # waiting step's role: a refusal of its own, naming the step, not audited.
        with pytest.raises(NotAuthorised) as refused:
            case.call(wiring.service, actor, scene)
        assert refused.value.action != case.permission.value
        assert "manager" in refused.value.action
        assert refused.value.needed == (step_role,)
    denials = split_denials(_state(wiring))[1]
    if step_role is None or step_role == role:
        assert denials == []
    else:
        # A refusal by the approval rules is a denial too, and is audited.
        assert [(d.actor_id, d.detail) for d in denials] == [
            (actor.id, (("permission", case.permission.value),))
        ]


def test_the_scene_gives_every_use_case_something_to_succeed_on(wiring: Wiring) -> None:
    # The allowed cases above succeed because the scene is right, not by accident.
    scene = build_scene(wiring)
    statuses = {
        name: getattr(scene, name).status.value
        for name in attrs.fields_dict(Scene)
        if isinstance(getattr(scene, name), ReturnOrder)
    }
    assert statuses == {
        "draft": "draft",
        "waiting": "submitted",
        "approved": "approved",
        "received": "received",
        "settled": "received",
        "paying": "received",
        "repairing": "inspected",
        "closed": "completed",
        "shelved": "completed",
        "requested": "draft",
    }
    assert scene.waiting.current_step is not None
    assert scene.waiting.current_step.name == "manager"


def test_completing_a_return_not_yet_granted_also_needs_the_right_to_grant(
    wiring: Wiring, split_denials: SplitDenials
) -> None:
    closer = Actor("u-closer", "Closer", SAMPLE_TENANT, {"closer"})
    roles = {**DEFAULT_ROLES, "closer": {P.VIEW_RETURNS, P.COMPLETE_RETURN}}
    w = _rewired(wiring, RoleBasedAccess(roles))
    scene = build_scene(w)
    before = _state(w)

    with pytest.raises(NotAuthorised) as refused:
        w.service.complete_return(closer, scene.settled.id)

    assert refused.value.action == P.GRANT_REFUND.value
    assert set(refused.value.needed) == {"finance", ADMIN}
    after, [denied] = split_denials(_state(w))
    assert after == before
    assert denied.detail == (("permission", "grant_refund"),)
    # Once finance granted the refund, closing it is all that is left.
    w.service.grant_refund(w.finance, scene.settled.id)
    done = w.service.complete_return(closer, scene.settled.id)
    assert done.status.value == "completed"


# -- the auditor ---------------------------------------------------------------------


def test_an_auditor_reads_everything_and_changes_nothing(
    wiring: Wiring, split_denials: SplitDenials
) -> None:
    auditor = _member("auditor")
    scene = build_scene(wiring)
    before = _state(wiring)
    refused: dict[str, NotAuthorised] = {}
    for name, case in CASES.items():
        try:
            case.call(wiring.service, auditor, scene)
        except NotAuthorised as error:
            refused[name] = error
    assert {name: error.action for name, error in refused.items()} == {
        name: CASES[name].permission.value for name in refused
    }
    # It read every return, the books and the tenant-wide trail...
    reads = {"search_returnable_lines", "get_return", "find_return", "list_returns"}
    reads |= {"audit_trail", "overdue_approvals", "reason_catalog", "tenant_audit_trail"}
    reads |= {"owner_of"}
    reads |= {"stock_moves", "stock_balances", "journal", "trial_balance"}
    # ...and what retention keeps, its sweeps' verdicts and its log, changing none.
    reads |= {"legal_holds", "erasure_requests", "retention_log", "verify_retention_log"}
    reads |= {"review_retention", "retention_plans", "retention_plan", "retention_plan_items"}
    # ...and the customer's feedback and the shipments, but not the contact log (personal text).
    reads |= {"feedback", "shipments", "tracking"}
    # ...and the photos and files on returns.
    reads |= {"attachments", "attachment_content"}
    assert set(CASES) - set(refused) == reads
    # ...and every change it tried was refused and written down, nothing else.
    after, denials = split_denials(_state(wiring))
    assert after == before
    assert sorted(dict(entry.detail)["permission"] for entry in denials) == sorted(
        CASES[name].permission.value for name in refused
    )
    assert {entry.actor_id for entry in denials} == {auditor.id}
    assert wiring.service.tenant_audit_trail(auditor) == tuple(
        entry for entry in denials if entry.return_id == ""
    )


# -- the analyst ---------------------------------------------------------------------


def test_an_analyst_runs_the_reports_and_labels_them_from_the_reason_catalog_alone(
    wiring: Wiring,
) -> None:
    analyst = _member("analyst")
    scene = build_scene(wiring)
    allowed = set()
    for name, case in CASES.items():
        try:
            case.call(wiring.service, analyst, scene)
        except NotAuthorised:
            continue
        allowed.add(name)

    reports = {name for name, case in CASES.items() if case.permission is P.VIEW_REPORTS}
    assert allowed == reports | {"reason_catalog"}
    # The labels a Pareto is charted with, and nothing of any return or customer.
    catalog = wiring.service.reason_catalog(analyst)
    assert catalog == wiring.service.reason_catalog(wiring.admin)
    assert {"get_return", "list_returns", "feedback", "contacts", "attachments"}.isdisjoint(allowed)


# -- a policy of the host's ----------------------------------------------------------


@attrs.frozen
class OwnCustomers:
    """The host's policy: a sales rep acts only on their own customers' returns.

    Roles mean nothing to it; uses that concern no return are open to everyone.
    """

    customers: Mapping[str, frozenset[str]]

    def allows(self, actor: Actor, permission: Permission, order: ReturnOrder | None) -> bool:
        return order is None or order.customer_id in self.customers.get(actor.id, frozenset())

    def granted_by(self, permission: Permission) -> frozenset[str]:
        return frozenset()


def _rewired(wiring: Wiring, access_policy: AccessPolicy) -> Wiring:
    """``wiring`` with its service replaced by one under ``access_policy``."""
    service = ReturnsService(
        wiring.orders,
        wiring.database.unit_of_work,
        attrs.evolve(wiring.service.settings, access_policy=access_policy),
    )
    return attrs.evolve(wiring, service=service)


def test_a_host_policy_replaces_the_default_one(
    wiring: Wiring, split_denials: SplitDenials
) -> None:
    zhang = Actor("u-rep-1", "张伟的销售", SAMPLE_TENANT)  # no roles at all
    li = Actor("u-rep-2", "李娜的销售", SAMPLE_TENANT)
    boss = Actor("u-boss", "老板", SAMPLE_TENANT, {ADMIN, "approver"})
    w = _rewired(wiring, OwnCustomers({zhang.id: frozenset({"C-1001"}), li.id: frozenset()}))
    s = w.service

    # Zhang's rep does the whole job for Zhang's return, holding no role.
    order = s.create_return(zhang, _request((MOUSE, 2, "wrong_order")))
    s.submit_return(zhang, order.id)
    s.receive_goods(zhang, order.id, {MOUSE: Receipt(received=Decimal(2))})
    before = _state(w)

    # Anyone else is refused, whatever roles they hold: the default policy is gone.
    for stranger in (li, boss):
        with pytest.raises(NotAuthorised) as refused:
            s.complete_return(stranger, order.id)
        message = str(refused.value)
        assert stranger.id in message
        assert "complete_return" in message
        assert order.number in message
        assert refused.value.needed == ()
    after, denials = split_denials(_state(w))
    assert after == before
    assert [(entry.actor_id, entry.return_id) for entry in denials] == [
        (li.id, order.id),
        (boss.id, order.id),
    ]
    done = s.complete_return(zhang, order.id)
    assert done.status.value == "completed"


# -- separation of duties ------------------------------------------------------------


class AllowEverything:
    """A host policy that lets everyone do everything."""

    def allows(self, actor: Actor, permission: Permission, order: ReturnOrder | None) -> bool:
        return True

    def granted_by(self, permission: Permission) -> frozenset[str]:
        return frozenset(DEFAULT_ROLES)


@pytest.mark.parametrize("access", ["default", "allow everything"])
def test_the_requester_never_approves_their_own_return(
    wiring: Wiring, access: str, split_denials: SplitDenials
) -> None:
    # Even holding approver and admin, and even with a step admin may take.
    policy = ApprovalPolicy(
        [ApprovalRule(ApprovalStep("manager", {"approver", ADMIN}))], version="sod"
    )
    service = ReturnsService(
        wiring.orders,
        wiring.database.unit_of_work,
        ServiceSettings(
            clock=wiring.clock,
            ids=wiring.ids,
            approval_policy=policy,
            access_policy=AllowEverything() if access != "default" else RoleBasedAccess(),
        ),
    )
    boss = Actor("u-boss", "周总", SAMPLE_TENANT, {"requester", "approver", ADMIN})
    order = service.create_return(boss, _request((CHAIR, 1, "wrong_order")))
    order = service.submit_return(boss, order.id)
    assert order.current_step is not None
    before = _state(wiring)

    with pytest.raises(SeparationOfDuties, match=order.number):
        service.approve_return(boss, order.id, "我批我自己")
    with pytest.raises(SeparationOfDuties, match=order.number):
        service.reject_return(boss, order.id, "我驳回我自己")

    rest, denials = split_denials(_state(wiring))
    assert rest == split_denials(before)[0]
    assert [(d.actor_id, d.return_id) for d in denials] == [("u-boss", order.id)] * 2
    # Someone else holding the step's role approves it.
    approved = service.approve_return(wiring.approver, order.id, "同意")
    assert approved.status.value == "approved"


# -- idempotent retries -------------------------------------------------------------


def test_a_retry_by_someone_without_the_permission_is_refused(
    wiring: Wiring, split_denials: SplitDenials
) -> None:
    # Keys are the tenant's: reusing the warehouse's key does not lend its rights.
    scene = build_scene(wiring)
    receipt = {CHAIR: Receipt(received=Decimal(1))}
    first = wiring.service.receive_goods(
        wiring.warehouse, scene.approved.id, receipt, idempotency_key="k"
    )
    before = _state(wiring)

    with pytest.raises(NotAuthorised) as refused:
        wiring.service.receive_goods(wiring.clerk, scene.approved.id, receipt, idempotency_key="k")

    assert refused.value.action == P.RECEIVE_GOODS.value
    after, [denied] = split_denials(_state(wiring))
    assert after == before
    assert (denied.actor_id, denied.return_id) == (wiring.clerk.id, first.id)
    # The warehouse's own retry is still answered with the first result.
    again = wiring.service.receive_goods(
        wiring.warehouse, scene.approved.id, receipt, idempotency_key="k"
    )
    assert again == first
