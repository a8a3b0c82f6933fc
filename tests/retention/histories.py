"""Generated histories of returns for the retention properties, and how to play them.

A :class:`History` says which sample lines each return takes and how far it
goes (draft, submitted, rejected, cancelled, completed with store credit,
completed with its refund not yet paid), which customers and returns are held,
which closed returns are archived, how far the clock then moves (up to 40
years), the retention profile (china or neutral) and how many people approve a
plan.  :func:`histories` draws them; :func:`play` runs one through a service.
Every return stays within what was delivered, so that each command succeeds.

A return may be asked for by the customer (a request, which staff accept or
decline with a message, or the customer withdraws), and may have a case file:
a photo, a contact, a shipment with a tracking update, the customer's
feedback — each with the customer's name, e-mail address or phone number in
its free text, to be found or not.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from crm_returns import (
    Actor,
    AttachmentSubject,
    ContactChannel,
    Direction,
    HoldScope,
    Inspection,
    LineRef,
    Receipt,
    RequestedLine,
    ReturnOrder,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
    ShipmentMethod,
    ShipmentPlan,
    TrackingStatus,
)
from crm_returns.adapters.memory import ManualClock, MemoryAttachmentStore, SequentialIds
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.retention import CHINA, NEUTRAL, RetentionPolicy
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.ports import Backups, UnitOfWork
from crm_returns.samples import SAMPLE_START, SAMPLE_TENANT, sample_lines, sample_orders
from crm_returns.service.settings import ServiceSettings

TENANT = SAMPLE_TENANT
MOUSE, CABLE, MONITOR = LineRef("SO-1001", "1"), LineRef("SO-1001", "2"), LineRef("SO-1001", "3")
CHAIR, LAMP = LineRef("SO-1002", "1"), LineRef("SO-1002", "2")
DELIVERED = {line.ref: line for line in sample_lines(SAMPLE_START)}
CUSTOMERS = ("C-1001", "C-1002")
LINES_OF = {
    customer: tuple(ref for ref, line in DELIVERED.items() if line.customer_id == customer)
    for customer in CUSTOMERS
}
NAMES = {line.customer_id: line.customer_name for line in DELIVERED.values()}
#: What the tests write about each customer in notes and comments, to be found or not.
CONTACTS = {
    "C-1001": ("zhang.wei@example.com", "+8613800138000"),
    "C-1002": ("li.na@example.com", "+8613900139000"),
}


def _actor(actor_id: str, name: str, *roles: str) -> Actor:
    return Actor(actor_id, name, TENANT, frozenset(roles))


CLERK = _actor("u-clerk", "王芳 (客服)", "requester")
SERVICE_DESK = _actor("u-desk", "周杰 (客服)", "customer_service")
APPROVER = _actor("u-manager", "陈经理", "approver")
WAREHOUSE = _actor("u-warehouse", "刘强 (仓库)", "warehouse")
INSPECTOR = _actor("u-qa", "赵敏 (质检)", "inspector")
FINANCE = _actor("u-finance", "孙丽 (财务)", "finance")
AUDITOR = _actor("u-auditor", "吴审计", "auditor")
RECORDS = _actor("u-records", "档案管理员 Records", "records_manager")
LEGAL = _actor("u-legal", "法务 Legal", "legal")
COUNSEL = _actor("u-counsel", "法律顾问 Counsel", "legal")

#: Each customer through the host's portal, acting for themselves.
PORTAL = {
    customer: Actor(
        f"portal-{n}", NAMES[customer], TENANT, frozenset({"customer"}), customer_id=customer
    )
    for n, customer in enumerate(CUSTOMERS, 1)
}


#: A photo's bytes (JPEG), told apart by ``n``.
def photo(n: int) -> bytes:
    """The bytes of a small JPEG, different for each ``n``."""
    return bytes.fromhex("ffd8ffe000104a46494600010101004800480000") + n.to_bytes(4, "big")


#: Every return waits for one manager, so that "submitted" and "rejected" can be reached.
BY_A_MANAGER = ApprovalPolicy(
    rules=(ApprovalRule(ApprovalStep("manager", frozenset({"approver"}))),)
)


class Stage(enum.Enum):
    """How far a return of a history goes."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    STORE_CREDIT = "completed with store credit"
    UNPAID = "completed, refund not yet paid"

    @property
    def closed(self) -> bool:
        """Whether the return ends with no open matter (it may be archived)."""
        return self in (Stage.REJECTED, Stage.CANCELLED, Stage.STORE_CREDIT)


@attrs.frozen
class Planned:
    """One return of a history: its customer, ``(line, units)`` and how far it goes.

    ``requested``: the customer asked for it (staff accept, decline it, or the
    customer withdraws it); ``case_file``: it gets a photo, a contact, a
    shipment with tracking (once approved) and feedback (once completed).
    """

    customer: str
    lines: tuple[tuple[LineRef, int], ...]
    stage: Stage
    requested: bool = False
    case_file: bool = False


@attrs.frozen
class History:
    """Returns, then holds and archives, then the clock moves; the rules to judge by."""

    returns: tuple[Planned, ...]
    held_customers: frozenset[str]
    held_returns: frozenset[int]
    archived: frozenset[int]
    days: int
    policy: RetentionPolicy
    approvals: int


#: Days around the periods of both profiles (3, 6, 10 and 30 years), and the ends.
BOUNDARIES = tuple(
    round(years * 365.25) + shift
    for years in (0, 3, 4, 6, 7, 10, 11, 30, 31, 32, 40)
    for shift in (-2, 0, 2)
    if round(years * 365.25) + shift >= 0
)
DAYS = st.one_of(st.integers(0, 40 * 366), st.sampled_from(BOUNDARIES))


@st.composite
def returns(
    draw: st.DrawFn, *, closed: frozenset[str] = frozenset(), most: int = 4
) -> tuple[Planned, ...]:
    """Up to ``most`` returns within what was delivered; ``closed`` customers' all close."""
    left = {ref: int(line.quantity_delivered) for ref, line in DELIVERED.items()}
    planned = []
    for _ in range(draw(st.integers(1, most))):
        customer = draw(st.sampled_from(CUSTOMERS))
        open_refs = [ref for ref in LINES_OF[customer] if left[ref] > 0]
        if not open_refs:
            continue
        refs = draw(st.lists(st.sampled_from(open_refs), min_size=1, max_size=2, unique=True))
        lines = tuple((ref, draw(st.integers(1, min(left[ref], 3)))) for ref in refs)
        for ref, units in lines:
            left[ref] -= units
        stages = [s for s in Stage if s.closed] if customer in closed else list(Stage)
        stage = draw(st.sampled_from(stages))
        planned.append(Planned(customer, lines, stage, draw(st.booleans()), draw(st.booleans())))
    return tuple(planned)


@st.composite
def histories(
    draw: st.DrawFn,
    *,
    closed: frozenset[str] = frozenset(),
    unheld: frozenset[str] = frozenset(),
    holds: bool = True,
) -> History:
    """A history; ``closed`` customers' returns all close; no hold covers ``unheld`` customers."""
    planned = draw(returns(closed=closed))
    holdable = [i for i, p in enumerate(planned) if p.customer not in unheld]
    closing = [i for i, p in enumerate(planned) if p.stage.closed]
    free = [c for c in CUSTOMERS if c not in unheld]
    return History(
        returns=planned,
        held_customers=draw(st.frozensets(st.sampled_from(free)))
        if holds and free
        else frozenset(),
        held_returns=draw(st.frozensets(st.sampled_from(holdable)))
        if holds and holdable
        else frozenset(),
        archived=draw(st.frozensets(st.sampled_from(closing))) if closing else frozenset(),
        days=draw(DAYS),
        policy=draw(st.sampled_from([CHINA, NEUTRAL])),
        approvals=draw(st.integers(1, 2)),
    )


@attrs.frozen
class Played:
    """A service with a history played through it."""

    service: ReturnsService
    clock: ManualClock
    ids: tuple[str, ...]
    holds: tuple[str, ...]


def service_on(
    unit_of_work: Callable[[], UnitOfWork],
    backups: Backups | None,
    *,
    policy: RetentionPolicy = CHINA,
    approvals: int = 1,
) -> tuple[ReturnsService, ManualClock]:
    """A service over ``unit_of_work`` and the sample orders, on a manual clock."""
    clock = ManualClock(SAMPLE_START)
    settings = ServiceSettings(
        clock=clock,
        ids=SequentialIds(),
        approval_policy=BY_A_MANAGER,
        retention=policy,
        backups=backups,
        plan_approvals=approvals,
        attachments=MemoryAttachmentStore(),
    )
    return ReturnsService(sample_orders(SAMPLE_START), unit_of_work, settings), clock


def drive(
    service: ReturnsService, clock: ManualClock, planned: Planned, serials: list[str]
) -> ReturnOrder:
    """Create one return and take it as far as ``planned`` says; notes name its customer."""
    email, phone = CONTACTS[planned.customer]
    name = NAMES[planned.customer]
    request = ReturnRequest(
        tuple(
            RequestedLine(ref, Decimal(units), "wrong_order", note=f"call {phone}")
            for ref, units in planned.lines
        ),
        note=f"customer writes from {email}",
    )
    stage = planned.stage
    if planned.requested:
        customer = PORTAL[planned.customer]
        rid = service.request_return(customer, request).return_id
        order = service.get_return(CLERK, rid)
    else:
        order = service.create_return(CLERK, request)
        rid = order.id
    _case_file(service, clock, planned, rid, opening=True)
    clock.advance(timedelta(hours=1))
    if stage is Stage.DRAFT:
        return service.get_return(CLERK, rid)
    if stage is Stage.CANCELLED:
        if planned.requested:
            service.withdraw_return(PORTAL[planned.customer], rid)
            return service.get_return(CLERK, rid)
        return service.cancel_return(CLERK, rid, f"withdrawn, says {email}")
    if planned.requested and stage is Stage.REJECTED:
        return service.decline_request(SERVICE_DESK, rid, "other", f"Dear {name}, see {email}")
    if planned.requested:
        order = service.accept_request(SERVICE_DESK, rid)
    else:
        order = service.submit_return(CLERK, rid)
    clock.advance(timedelta(hours=2))
    if stage is Stage.SUBMITTED:
        return order
    if stage is Stage.REJECTED:
        return service.reject_return(APPROVER, rid, f"refused; told {phone}")
    service.approve_return(APPROVER, rid, f"ok, reached {phone}")
    _case_file(service, clock, planned, rid, opening=False)
    clock.advance(timedelta(days=1))
    receipts = {}
    for ref, units in planned.lines:
        own = tuple(serials.pop(0) for _ in range(units)) if DELIVERED[ref].serial_numbers else ()
        receipts[ref] = Receipt(received=Decimal(units), serial_numbers=own)
    order = service.receive_goods(WAREHOUSE, rid, receipts)
    if order.status is ReturnStatus.RECEIVED and not all(line.settled for line in order.lines):
        inspections = {
            ref: Inspection(accepted=Decimal(units), disposition=Disposition.RESTOCK)
            for ref, units in planned.lines
        }
        service.inspect_goods(INSPECTOR, rid, inspections)
    clock.advance(timedelta(hours=3))
    method = (
        RefundMethod.STORE_CREDIT if stage is Stage.STORE_CREDIT else RefundMethod.ORIGINAL_PAYMENT
    )
    order = service.complete_return(FINANCE, rid, f"closed; receipt mailed to {email}", method)
    if planned.case_file:
        comment = f"{name}: fine, write to {email}"
        service.give_feedback(PORTAL[planned.customer], rid, 4, comment)
    return order


def _case_file(
    service: ReturnsService, clock: ManualClock, planned: Planned, rid: str, *, opening: bool
) -> None:
    """A photo and a contact on a new return; a shipment with tracking once it is approved."""
    if not planned.case_file:
        return
    email, phone = CONTACTS[planned.customer]
    name = NAMES[planned.customer]
    if opening:
        who, subject = (
            (PORTAL[planned.customer], AttachmentSubject.REQUEST)
            if planned.requested
            else (SERVICE_DESK, AttachmentSubject.RECEIPT)
        )
        service.attach_file(
            who, rid, subject, f"{name} 破损.jpg", photo(len(rid)), note=f"by {name}, {phone}"
        )
        summary = f"called {name} on {phone} about the photo"
        service.log_contact(SERVICE_DESK, rid, ContactChannel.CALL, Direction.OUTBOUND, summary)
        return
    plan = ShipmentPlan(
        method=ShipmentMethod.CARRIER_PICKUP, carrier="manual", tracking_number=f"SF{rid}"
    )
    shipment = service.add_shipment(SERVICE_DESK, rid, plan)
    service.record_tracking(
        SERVICE_DESK,
        rid,
        shipment.id,
        TrackingStatus.IN_TRANSIT,
        clock.now(),
        location=f"picked up from {name}, {phone}",
        description=f"the courier wrote to {email}",
    )


def play(service: ReturnsService, clock: ManualClock, history: History) -> Played:
    """Play the returns, place the holds, archive, and move the clock on."""
    serials = list(DELIVERED[MONITOR].serial_numbers)
    orders = [drive(service, clock, planned, serials) for planned in history.returns]
    holds = [
        service.place_hold(LEGAL, HoldScope.CUSTOMER, customer, "lawsuit").id
        for customer in sorted(history.held_customers)
    ]
    holds += [
        service.place_hold(LEGAL, HoldScope.RETURN, orders[i].id, "tax inspection").id
        for i in sorted(history.held_returns)
    ]
    for i in sorted(history.archived):
        service.archive_return(RECORDS, orders[i].id)
    clock.advance(timedelta(days=history.days))
    return Played(service, clock, tuple(o.id for o in orders), tuple(holds))


def approve(service: ReturnsService, number: str, approvals: int) -> None:
    """Approve a plan by as many people (none of them the one who proposed it) as it needs."""
    for approver in (LEGAL, COUNSEL)[:approvals]:
        service.approve_retention_plan(approver, number)
