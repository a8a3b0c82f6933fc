"""What the SQL store tests share: the sample lines, the people, a story, a service.

The fixtures that make databases are in ``conftest.py`` beside this module.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from sqlalchemy.engine import URL

from crm_returns import (
    Actor,
    AttachmentSubject,
    CarrierEvent,
    ContactChannel,
    Direction,
    Fault,
    HoldScope,
    Inspection,
    LineQuery,
    LineRef,
    Money,
    Reason,
    ReasonCategory,
    Receipt,
    RequestedLine,
    ReturnQuery,
    ReturnStatus,
    ShipmentMethod,
    ShipmentPlan,
    TrackingStatus,
)
from crm_returns.adapters.carriers import ManualCarrier, MemoryCarrier
from crm_returns.adapters.memory import (
    ManualClock,
    MemoryAttachmentStore,
    MemoryDestination,
    MemoryOrderSource,
    SequentialIds,
)
from crm_returns.adapters.sql import DEFAULT_TABLE_PREFIX, SqlDatabase
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.errors import CrmReturnsError
from crm_returns.ports import UnitOfWork
from crm_returns.samples import SAMPLE_POLICY, SAMPLE_REFUND_POLICY, SAMPLE_TENANT, sample_lines
from crm_returns.service import ReturnRequest, ReturnsService
from crm_returns.service.relay_settings import RelaySettings
from crm_returns.service.settings import ServiceSettings
from crm_returns.testing import sample_wiring

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MOUSE = LineRef("SO-1001", "1")  # 5 delivered, 129.00 each
CABLE = LineRef("SO-1001", "2")  # 10 delivered
MONITOR = LineRef("SO-1001", "3")  # 2 delivered, serial numbers MON27-0001 and -0002
CHAIR = LineRef("SO-1002", "1")  # 1 delivered
LAMP = LineRef("SO-1002", "2")  # 3 delivered
PEOPLE = sample_wiring()
CLERK, APPROVER, WAREHOUSE, INSPECTOR, FINANCE, ADMIN = (
    PEOPLE.clerk,
    PEOPLE.approver,
    PEOPLE.warehouse,
    PEOPLE.inspector,
    PEOPLE.finance,
    PEOPLE.admin,
)
AUDITOR = Actor("u-audit", "吴审计", SAMPLE_TENANT, {"auditor"})


@attrs.frozen
class Backend:
    """Where a fresh, empty database is, and the engine options that reach it."""

    url: URL
    options: dict[str, Any] = attrs.field(factory=dict)

    def database(self, table_prefix: str = DEFAULT_TABLE_PREFIX) -> SqlDatabase:
        return SqlDatabase.connect(self.url, table_prefix=table_prefix, **self.options)


def picks(*chosen: tuple[LineRef, str, str]) -> ReturnRequest:
    """A request for the ``(line, units, reason)`` chosen."""
    return ReturnRequest(
        lines=tuple(RequestedLine(ref, Decimal(units), reason) for ref, units, reason in chosen)
    )


def tell_the_story(
    unit_of_work: Callable[[], UnitOfWork], *, retire: bool = True
) -> dict[str, object]:
    """Run every command the service has, a few failing, and read everything back.

    Returns what each step gave (a value, or the error's type and message).
    Without ``retire``, no record is archived or erased (for tests that retire
    the story's records themselves).
    """
    clock = ManualClock(START)
    service = ReturnsService(
        MemoryOrderSource({SAMPLE_TENANT: sample_lines(START)}),
        unit_of_work,
        ServiceSettings(
            clock=clock,
            ids=SequentialIds(),
            approval_policy=SAMPLE_POLICY,
            refund_policy=SAMPLE_REFUND_POLICY,
            carriers=(ManualCarrier(), MemoryCarrier()),
            attachments=MemoryAttachmentStore(),
        ),
    )
    seen: dict[str, object] = {}

    def step(name: str, command: Callable[[], object]) -> Any:
        clock.advance(timedelta(minutes=7))
        try:
            seen[name] = command()
        except CrmReturnsError as error:
            seen[name] = (type(error).__name__, str(error))
        return seen[name]

    s = service
    # A monitor with a dead pixel: edited, two approval steps, received in two
    # parcels, half restocked and half repaired, refunded in two payments.
    monitor = step(
        "monitor", lambda: s.create_return(CLERK, picks((MONITOR, "1", "quality_defect")))
    )
    mid = monitor.id
    step("edit", lambda: s.edit_return(CLERK, mid, picks((MONITOR, "2", "quality_defect")).lines))
    step("submit", lambda: s.submit_return(CLERK, mid))
    step("approve 1", lambda: s.approve_return(APPROVER, mid, "同意"))
    step("approve 2", lambda: s.approve_return(INSPECTOR, mid))
    for n, serial in enumerate(("MON27-0001", "MON27-0002")):
        receipt = {MONITOR: Receipt(received=Decimal(1), serial_numbers=[serial])}
        step(f"receive {n}", lambda r=receipt: s.receive_goods(WAREHOUSE, mid, r))  # type: ignore[misc]
    split = {Disposition.RESTOCK: Decimal(1), Disposition.REPAIR: Decimal(1)}
    inspection = {MONITOR: Inspection(accepted=Decimal(2), dispositions=split, note="一台可修")}
    step("inspect", lambda: s.inspect_goods(INSPECTOR, mid, inspection))
    step("repaired", lambda: s.finish_repair(WAREHOUSE, mid, MONITOR, Decimal(1)))
    step("clerk grants", lambda: s.grant_refund(CLERK, mid, comment="我来退款"))
    granted = step("grant", lambda: s.grant_refund(FINANCE, mid, comment="质量问题全额退款"))
    owed = granted.grant.amount
    part = Money(Decimal("1000.00"), "CNY")
    paid = step("pay", lambda: s.record_refund_payment(FINANCE, mid, part, "PSP-1"))
    step("settle", lambda: s.settle_refund_payment(FINANCE, mid, paid.grant.payments[0].id, True))
    rest = step("pay rest", lambda: s.record_refund_payment(FINANCE, mid, owed - part, "PSP-2"))
    step("bounce", lambda: s.settle_refund_payment(FINANCE, mid, rest.grant.payments[1].id, False))
    step("complete", lambda: s.complete_return(FINANCE, mid))
    # Rejected, cancelled, and a small one approved at once and completed.
    chair = step(
        "chair", lambda: s.create_return(CLERK, picks((CHAIR, "1", "changed_requirement")))
    )
    step("submit chair", lambda: s.submit_return(CLERK, chair.id))
    step("reject", lambda: s.reject_return(APPROVER, chair.id, "超出退货期"))
    lamp = step("lamp", lambda: s.create_return(CLERK, picks((LAMP, "1", "wrong_order"))))
    step("cancel", lambda: s.cancel_return(CLERK, lamp.id, "客户撤回"))
    small = ((MOUSE, "2", "wrong_order"), (CABLE, "3", "wrong_order"))
    step("preview", lambda: s.preview_return(CLERK, picks(*small)))
    kept = step("small", lambda: s.create_return(CLERK, picks(*small), idempotency_key="k-1"))
    step("retried", lambda: s.create_return(CLERK, picks(*small), idempotency_key="k-1"))
    step("other payload", lambda: s.create_return(CLERK, picks(small[0]), idempotency_key="k-1"))
    step("submit small", lambda: s.submit_return(CLERK, kept.id))
    everything = {MOUSE: Receipt(received=Decimal(2)), CABLE: Receipt(received=Decimal(3))}
    step("receive small", lambda: s.receive_goods(WAREHOUSE, kept.id, everything))
    step("warehouse completes", lambda: s.complete_return(WAREHOUSE, kept.id))
    step("complete small", lambda: s.complete_return(FINANCE, kept.id))
    step("too many", lambda: s.create_return(CLERK, picks((MOUSE, "4", "wrong_order"))))
    step("stale", lambda: s.submit_return(CLERK, kept.id))
    # The reason catalog, customised.
    box = ReasonCategory("packaging", {"en": "Packaging", "zh-CN": "包装"})
    torn = Reason("torn_box", "packaging", {"en": "Torn box", "zh-CN": "包装破损"}, Fault.CARRIER)
    step("clerk's category", lambda: s.add_reason_category(CLERK, box))
    step("category", lambda: s.add_reason_category(ADMIN, box))
    step("reason", lambda: s.add_reason(ADMIN, torn))
    step(
        "relabel", lambda: s.relabel_reason(ADMIN, "torn_box", {"en": "Box torn", "zh-CN": "箱破"})
    )
    step("retire", lambda: s.retire_reason(ADMIN, "other"))
    step("remove used", lambda: s.remove_reason(ADMIN, "wrong_order"))
    step("remove unused", lambda: s.remove_reason(ADMIN, "torn_box"))
    _customer_side(s, step)
    # Retiring records: a rejected return archived, a cancelled one archived and
    # restored, a hold placed and released, the customer of both erased.
    if retire:
        step("archive chair", lambda: s.archive_return(ADMIN, chair.id))
        step("archive lamp", lambda: s.archive_return(ADMIN, lamp.id))
        step("restore lamp", lambda: s.restore_return(ADMIN, lamp.id))
        hold = step("hold", lambda: s.place_hold(ADMIN, HoldScope.CUSTOMER, "C-1001", "审计"))
        step("release", lambda: s.release_hold(ADMIN, hold.id))
        step("erase", lambda: s.request_erasure(ADMIN, "C-1002", personal=["lina@example.com"]))
    # Reading it all back.
    sink = MemoryDestination("story")
    relay = s.relay([sink], RelaySettings(relay_id="story", batch=5, spin=lambda: 0.5))
    sink.failure = ConnectionError("down")
    step("relay down", relay.run_once)
    sink.failure = None
    step("relay some", relay.run_once)
    step("relay rest", relay.run_until_idle)
    step("dead letters", relay.dead_letters)
    seen["published"] = tuple(sink.received)
    for order in (monitor, chair, lamp, kept):
        step(f"audit {order.number}", lambda o=order: s.audit_trail(CLERK, o.id))  # type: ignore[misc]
        step(f"find {order.number}", lambda o=order: s.find_return(CLERK, o.number))  # type: ignore[misc]
    step("page 1", lambda: s.list_returns(CLERK, ReturnQuery(limit=2)))
    step("page 2", lambda: s.list_returns(CLERK, ReturnQuery(offset=2, limit=2)))
    done = ReturnQuery(statuses={ReturnStatus.COMPLETED, ReturnStatus.CANCELLED})
    step("by status", lambda: s.list_returns(CLERK, done))
    step("by customer", lambda: s.list_returns(CLERK, ReturnQuery(customer_id="C-1002")))
    later = ReturnQuery(created_from=START + timedelta(hours=2))
    step("by time", lambda: s.list_returns(CLERK, later))
    step("returnable", lambda: s.search_returnable_lines(CLERK, LineQuery()))
    step("clerk's journal", lambda: s.journal(CLERK))
    step("journal", lambda: s.journal(FINANCE))
    step("inventory", lambda: s.journal(FINANCE, account_code="1405"))
    hour = START + timedelta(hours=1)
    step("period", lambda: s.journal(FINANCE, start=hour, end=hour + timedelta(hours=1)))
    step("moves", lambda: s.stock_moves(WAREHOUSE))
    step("monitor moves", lambda: s.stock_moves(WAREHOUSE, sku="MON-27", return_id=mid))
    step("balances", lambda: s.stock_balances(WAREHOUSE))
    step("trial balance", lambda: s.trial_balance(FINANCE))
    step("catalog", lambda: s.reason_catalog(CLERK))
    step("tenant audit", lambda: s.tenant_audit_trail(AUDITOR))
    step("holds", lambda: s.legal_holds(AUDITOR))
    step("erasures", lambda: s.erasure_requests(AUDITOR))
    step("retention log", lambda: s.retention_log(AUDITOR))
    step("verify log", lambda: s.verify_retention_log(AUDITOR))
    step("review", lambda: s.review_retention(AUDITOR))
    return seen


#: 张伟 (C-1001) through the shop's portal, and customer service.
CUSTOMER = Actor("p-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
AGENT = Actor("u-agent", "林静", SAMPLE_TENANT, {"customer_service"})
#: The smallest PNG the attachment rules take: its signature and an IHDR chunk.
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)


def _customer_side(s: ReturnsService, step: Callable[[str, Callable[[], object]], Any]) -> None:
    """Requests declined, withdrawn and accepted; a photo, parcels, a call, an owner, feedback."""
    declined = step(
        "ask mouse", lambda: s.request_return(CUSTOMER, picks((MOUSE, "1", "wrong_order")))
    )
    step("decline", lambda: s.decline_request(AGENT, declined.return_id, "duplicate", "已有申请"))
    withdrawn = step(
        "ask again", lambda: s.request_return(CUSTOMER, picks((MOUSE, "1", "wrong_order")))
    )
    step("withdraw", lambda: s.withdraw_return(CUSTOMER, withdrawn.return_id))
    asked = step(
        "ask cable", lambda: s.request_return(CUSTOMER, picks((CABLE, "2", "wrong_order")))
    )
    rid = asked.return_id
    step("photo", lambda: s.attach_file(CUSTOMER, rid, AttachmentSubject.REQUEST, "a.png", PHOTO))
    step("pending", lambda: s.pending_requests(AGENT))
    step("accept", lambda: s.accept_request(AGENT, rid, "受理"))
    step("assign", lambda: s.assign_return(ADMIN, rid, user_id="u-agent", team="desk"))
    pickup = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
    parcel = step("ship", lambda: s.add_shipment(AGENT, rid, pickup))
    labelled = step("label", lambda: s.create_label(AGENT, rid, parcel.id))
    number = labelled.tracking_number
    moved = [
        CarrierEvent(
            event_id=f"e{n}", tracking_number=number, status=status, occurred_at=START + hours
        )
        for n, (status, hours) in enumerate(
            ((TrackingStatus.IN_TRANSIT, timedelta(hours=5)),
             (TrackingStatus.DELIVERED, timedelta(hours=9))),
        )
    ]  # fmt: skip
    step("tracked", lambda: s.ingest_tracking(WAREHOUSE, "memory", [moved[1], moved[0]]))
    step("tracked again", lambda: s.ingest_tracking(WAREHOUSE, "memory", moved))
    dropped = ShipmentPlan(method=ShipmentMethod.DROP_OFF, carrier="manual", tracking_number="SF1")
    lost = step("second parcel", lambda: s.add_shipment(AGENT, rid, dropped))
    step("lost", lambda: s.record_tracking(AGENT, rid, lost.id, TrackingStatus.LOST, START))
    step(
        "call", lambda: s.log_contact(AGENT, rid, ContactChannel.CALL, Direction.INBOUND, "问进度")
    )
    step(
        "receive cable",
        lambda: s.receive_goods(WAREHOUSE, rid, {CABLE: Receipt(received=Decimal(2))}),
    )
    step("complete cable", lambda: s.complete_return(FINANCE, rid))
    step("feedback", lambda: s.give_feedback(CUSTOMER, rid, 4, "还行"))
    # Reading the customer's side back, as staff and as the customer.
    step("shipments", lambda: s.shipments(AGENT, rid))
    step("tracking", lambda: s.tracking(AGENT, rid))
    step("attachments", lambda: s.attachments(AGENT, rid))
    step("contacts", lambda: s.contacts(AGENT, rid))
    step("scored", lambda: s.feedback(AGENT, rid))
    step("owner", lambda: s.owner_of(AGENT, rid))
    step("late", lambda: s.late_returns(AGENT, at=START + timedelta(days=400)))
    step("my returns", lambda: s.my_returns(CUSTOMER))
    step("timeline", lambda: s.return_timeline(CUSTOMER, rid))


def sql_service(database: SqlDatabase) -> ReturnsService:
    """A service over ``database`` that sells the sample lines, its clock standing at START."""
    return ReturnsService(
        MemoryOrderSource({SAMPLE_TENANT: sample_lines(START)}),
        database.unit_of_work,
        ServiceSettings(
            clock=ManualClock(START),
            ids=SequentialIds(),
            approval_policy=SAMPLE_POLICY,
            refund_policy=SAMPLE_REFUND_POLICY,
        ),
    )
