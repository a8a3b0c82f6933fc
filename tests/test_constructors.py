"""Every public value refuses a wrong type with the library's error, never a bare one.

``crm_returns.__all__`` lists every value a host builds or receives.  For each
attrs class there, a real specimen (from a service's own history, or built
here) is rebuilt with one field at a time replaced by a value of the wrong
type: a dict, a list, a bare ``object()``, ``None``, a float, bytes, text, a
number, a flag.  The constructor may accept it (results such as ``ReturnLine``
do not re-check what the library made) or refuse it, but refusing is always a
``crm_returns.errors.CrmReturnsError`` (``InvalidInput`` and its kind): never
``TypeError``, ``AttributeError``, ``KeyError`` or anything else a host cannot
catch as ours.

The values a host builds to call the service with (:data:`INPUTS`) go further:
they must refuse with ``InvalidInput`` every one of those values that is not of
the type the field is declared to hold.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

import crm_returns
from crm_returns import (
    CHINA,
    DEFAULT_NOTIFICATION_RULES,
    RETURN_ORDERS,
    Actor,
    AmqpSettings,
    AttachmentAdded,
    AttachmentRules,
    AttachmentSubject,
    CarrierEvent,
    CarrierLabel,
    Contact,
    ContactChannel,
    Decision,
    DestinationState,
    Direction,
    EligibilityContext,
    Email,
    Erasure,
    Expiry,
    FeeRule,
    HoldScope,
    HoldTarget,
    Inspection,
    LineQuery,
    LogBreak,
    MemoryBackups,
    Money,
    MustBeDelivered,
    MustNotBeRefunded,
    NotificationChannel,
    OverdueApproval,
    Page,
    Period,
    Receipt,
    RecordDates,
    RecordKey,
    RefundMethod,
    RefundPolicy,
    Refusal,
    RelaySettings,
    RequestedLine,
    RetainedRecord,
    RetentionPolicy,
    RetentionRule,
    RetrySchedule,
    ReturnAssigned,
    ReturnEvent,
    ReturnQuery,
    ReturnRequest,
    ReturnRetired,
    ReturnsService,
    ReturnWindow,
    RoleBasedAccess,
    SentNotification,
    ServiceLevel,
    ServiceSettings,
    ShipmentMethod,
    ShipmentPlan,
    Sms,
    SmtpSettings,
    Tombstone,
    TrackingStatus,
    Trigger,
    WebhookEndpoint,
)
from crm_returns.analytics.columns import LINE_COLUMNS
from crm_returns.domain.analytics import (
    AgeBand,
    DeliveredTotals,
    DeliveredTotalsQuery,
    Dimension,
    FactQuery,
    Figure,
    FrequentReturner,
    ReportPeriod,
    ReportWindow,
    Satisfaction,
    cohort_rates,
    cycle_times,
    delivered_totals_of,
    group_facts,
    line_facts,
    money_totals,
    pareto,
    return_facts,
    sku_reason_matrix,
)
from crm_returns.domain.books.journal import trial_balance
from crm_returns.domain.ownership import deadline
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments.records import Shipment
from crm_returns.errors import CrmReturnsError, InvalidInput
from crm_returns.samples import SAMPLE_POLICY, SAMPLE_REFUND_POLICY, SAMPLE_TENANT, sample_lines
from crm_returns.testing import sample_wiring
from crm_returns.testing.conformance._history import history

#: Values of the wrong type for (nearly) every field.
WRONG: tuple[tuple[str, Any], ...] = (
    ("a dict", {"order_number": "SO-1001", "line_id": "1"}),
    ("a list", [["x"], {"y": 1}]),
    ("an object", object()),
    ("None", None),
    ("a float", 2.5),
    ("bytes", b"SO-1001"),
    ("text", "x"),
    ("a number", -1),
    ("a flag", True),
)

#: The values a host builds to pass to the service: every wrong value is refused.
#: (Result values, which the library builds, only need to refuse with our errors.)
INPUTS: frozenset[str] = frozenset(
    {
        "Account",
        "Actor",
        "ApprovalPolicy",
        "ApprovalRule",
        "ApprovalStep",
        "AttachmentRules",
        "ChartOfAccounts",
        "DeliveredLine",
        "DeliveredTotals",
        "DeliveredTotalsQuery",
        "FactQuery",
        "FeeRule",
        "Inspection",
        "Labels",
        "LineQuery",
        "LineRef",
        "Money",
        "NotificationRule",
        "NotificationRules",
        "NumberFormat",
        "Contact",
        "Reason",
        "ReasonCategory",
        "Recipient",
        "Receipt",
        "ReportWindow",
        "SentNotification",
        "RefundPolicy",
        "RequestedLine",
        "ReturnQuery",
        "ReturnRequest",
        "ReturnWindow",
        "RoleBasedAccess",
        "ServiceSettings",
        "ServiceLevel",
        "RetentionRule",
        "RetentionPolicy",
        "Period",
        "FiscalYearEnd",
        "ShipmentPlan",
        "CarrierEvent",
        "CarrierLabel",
    }
)


def _kinds(hint: object) -> Iterator[type]:
    """The classes a value of type ``hint`` may be an instance of (a Decimal: int and text too)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for argument in typing.get_args(hint):
            yield from _kinds(argument)
    elif hint is None or hint is type(None):
        yield type(None)
    elif isinstance(origin, type):
        yield origin  # tuple[str, ...] -> tuple, Mapping[str, int] -> Mapping
        if origin is frozenset and typing.get_args(hint) == (str,):
            yield str  # a lone name is a set of one (roles="approver")
    elif getattr(hint, "_is_protocol", False):
        yield object  # a port: the settings check its methods, not its class
    elif hint is Decimal:
        yield from (Decimal, int, str)  # what the converters of quantities and amounts take
    elif isinstance(hint, type):
        yield hint
    else:
        yield object  # Any, a type variable: anything is of that type


def of_declared_type(kind: type, field: str, value: object) -> bool:
    """Whether ``value`` is an instance of what ``kind.field`` is declared to hold."""
    return isinstance(value, tuple(_kinds(typing.get_type_hints(kind)[field])))


def _reachable(value: Any, seen: dict[type, Any]) -> None:
    """Every attrs value inside ``value`` (itself included), the first of each class."""
    if attrs.has(type(value)):
        seen.setdefault(type(value), value)
        for field in attrs.fields(type(value)):
            _reachable(getattr(value, field.name), seen)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            _reachable(item, seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            _reachable(key, seen)
            _reachable(item, seen)


@functools.cache
def specimens() -> dict[type, Any]:
    """A valid value of every attrs class a service's history and its inputs hold."""
    past = history()
    seen: dict[type, Any] = {}
    for part in attrs.astuple(past, recurse=False):
        _reachable(part, seen)
    wiring = sample_wiring()
    service, clerk = wiring.service, wiring.clerk
    line = sample_lines()[0]
    request = ReturnRequest((RequestedLine(line.ref, 1, "quality_defect"),))
    at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    order = past.submitted
    step = order.current_step
    assert step is not None
    drafted = past.messages[0].event
    built: list[object] = [
        line,
        request,
        Actor("u-1", "Clerk", SAMPLE_TENANT, frozenset({"requester"})),
        LineQuery(order_number="SO-1001"),
        ReturnQuery(customer_id="C-1001"),
        Receipt(received=1),
        Inspection(accepted=1),
        Money(Decimal("1.00"), "CNY"),
        FeeRule(Decimal("0.1")),
        RefundPolicy(fee_rules=(FeeRule(Decimal("0.1")),)),
        SAMPLE_POLICY,
        SAMPLE_REFUND_POLICY,
        ReturnWindow(),
        MustBeDelivered(),
        MustNotBeRefunded(),
        RoleBasedAccess(),
        ServiceSettings(),
        EligibilityContext(line, past.catalog.reason("quality_defect"), at, Decimal(0)),
        OverdueApproval(order, step, at, at + timedelta(days=1)),
        Page.of((order,), 0, 50),
        service.preview_return(clerk, request),
        service.search_returnable_lines(clerk, LineQuery()),
        trial_balance(past.journal),
        ReturnEvent(**{f.name: getattr(drafted, f.name) for f in attrs.fields(ReturnEvent)}),
        RetrySchedule((timedelta(seconds=5),)),
        RelaySettings(relay_id="relay-1", spin=lambda: 0.5),
        DestinationState(name="mail"),
        DEFAULT_NOTIFICATION_RULES,
        *_deliveries(),
        Contact(name="张伟", email="zhang.wei@example.com", phone="+8613800138000"),
        Email(
            message_id="<m-1@crm-returns>",
            sender="returns@example.com",
            to=("zhang.wei@example.com",),
            subject="退货已批准",
            text="您的退货已批准。",
        ),
        Sms(
            out_id="m-1",
            phone="+8613800138000",
            sign_name="示例商城",
            template_code="SMS_1",
            params=(("number", "RT-1"),),
        ),
        SmtpSettings(host="127.0.0.1"),
        WebhookEndpoint(
            name="erp",
            url="https://erp.example.com/hooks",
            secrets=("whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",),
        ),
        AmqpSettings(url="amqp://guest:guest@127.0.0.1:5672/%2F"),
        *_retention(),
        *_shipping(),
        *_interactions(),
        *_ownership(),
        *_requests(),
        *_evidence(),
        *_analytics(),
    ]
    for value in built:
        _reachable(value, seen)
    return seen


def _analytics() -> list[object]:
    """Line facts of a return, and every figure built from them."""
    past = history()
    facts = line_facts(past.completed)
    delivered = DeliveredTotals(
        cohort=date(2026, 11, 1), orders=3, units=Decimal(9), gross_sales=(Money("900.00", "CNY"),)
    )
    at = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)
    window = ReportWindow(start=date(2026, 11, 1), end=date(2026, 11, 30), zone=UTC)
    asked = DeliveredTotalsQuery(
        start=date(2026, 10, 1), end=date(2026, 12, 31), zone=UTC, period=ReportPeriod.MONTH
    )
    by_sku = attrs.evolve(asked, by=Dimension.SKU)
    returned = ReportWindow(
        start=date(2026, 1, 1), end=date(2027, 12, 31), zone=UTC, statuses=frozenset(ReturnStatus)
    )
    grouped = FactQuery(window=returned, period=ReportPeriod.MONTH, by=(Dimension.REASON,))
    narrowed = attrs.evolve(
        grouped, figures={Figure.RETURNS}, counted_only=True, known={Dimension.REASON}
    )
    dated = [attrs.evolve(f, ordered_at=at - timedelta(days=40)) for f in facts]
    timed = attrs.evolve(facts[0], submitted_at=at, approved_at=at + timedelta(hours=1))
    return [
        *facts,
        window,
        delivered,
        by_sku,
        *delivered_totals_of(sample_lines(at - timedelta(days=40)), by_sku),
        *cohort_rates(
            dated,
            (delivered,),
            period=ReportPeriod.MONTH,
            zone=UTC,
            as_of=at,
            return_window=timedelta(days=30),
        ),
        *pareto(facts),
        sku_reason_matrix(facts, top=3),
        *cycle_times([timed]),
        *money_totals(facts),
        grouped,
        narrowed,
        *group_facts(facts, grouped),
        *return_facts(facts),
        *LINE_COLUMNS[:2],
        AgeBand(status="draft", youngest=0, oldest=2, returns=1),
        FrequentReturner(
            customer_id="C-1", returns=3, lines=4, units=Decimal(5), value=(Money("9.00", "CNY"),)
        ),
        Satisfaction(key="wrong_order", rated=2, mean=Decimal("4.5"), distribution=(0, 0, 0, 1, 1)),
    ]


def _ownership() -> list[object]:
    """A return's owner as the service shows it, the event assigning it, and a deadline."""
    wiring = sample_wiring()
    service, clerk = wiring.service, wiring.clerk
    line = sample_lines()[0]
    order = service.create_return(
        clerk, ReturnRequest((RequestedLine(line.ref, 1, "wrong_order"),))
    )
    order = service.submit_return(clerk, order.id)
    supervisor = Actor("u-sup", "主管", SAMPLE_TENANT, {"supervisor"})
    owner = service.assign_return(supervisor, order.id, team="returns-desk")
    assigned = next(
        message.event
        for _, message in wiring.database.committed.outbox.values()
        if isinstance(message.event, ReturnAssigned)
    )
    return [owner, assigned, deadline(order, ServiceLevel())]


def _deliveries() -> list[object]:
    """A relay's report, a failed delivery and its attempt."""
    wiring = sample_wiring()
    line = sample_lines()[0]
    request = ReturnRequest((RequestedLine(line.ref, 1, "quality_defect"),))
    wiring.service.create_return(wiring.clerk, request)
    wiring.destination.failure = TimeoutError("down")
    report = wiring.relay.run_once()
    ((_, message),) = wiring.database.committed.outbox.values()
    (delivery,) = wiring.relay.deliveries(message.id)
    return [report, delivery, *wiring.relay.attempts(message.id, wiring.destination.name)]


def _interactions() -> list[object]:
    """A contact logged, feedback given, their events, and a notification sent."""
    wiring = sample_wiring()
    service = wiring.service
    line = sample_lines()[1]
    order = service.create_return(
        wiring.clerk, ReturnRequest((RequestedLine(line.ref, 1, "wrong_order"),))
    )
    service.submit_return(wiring.clerk, order.id)
    service.receive_goods(wiring.warehouse, order.id, {line.ref: Receipt(received=1)})
    service.complete_return(wiring.finance, order.id, method=RefundMethod.STORE_CREDIT)
    agent = Actor("u-cs", "客服", SAMPLE_TENANT, {"customer_service"})
    customer = Actor("p-1", "张伟", SAMPLE_TENANT, {"customer"}, customer_id=order.customer_id)
    contact = service.log_contact(agent, order.id, ContactChannel.CALL, Direction.INBOUND, "来电")
    feedback = service.give_feedback(customer, order.id, 5, "很好")
    events = [m.event for _, m in sorted(wiring.database.committed.outbox.values())][-2:]
    sent = SentNotification(
        tenant_id=SAMPLE_TENANT,
        return_id=order.id,
        channel=NotificationChannel.SMS,
        template="return-completed",
        send_id="m-1+return-completed+0123456789ab",
    )
    return [contact, feedback, *events, sent]


def _requests() -> list[object]:
    """Customers' requests (declined, accepted and shipped, withdrawn), timelines, events."""
    wiring = sample_wiring()
    service = wiring.service
    customer = Actor("u-c", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
    desk = Actor("u-cs", "客服", SAMPLE_TENANT, {"customer_service"})
    line = sample_lines()[0]
    request = ReturnRequest((RequestedLine(line.ref, 1, "wrong_order"),), "颜色不对")
    declined = service.request_return(customer, request)
    service.decline_request(desk, declined.return_id, "duplicate", "已有相同申请")
    accepted = service.request_return(customer, request)
    service.accept_request(desk, accepted.return_id)
    withdrawn = service.request_return(customer, request)
    service.withdraw_return(customer, withdrawn.return_id)
    at = wiring.clock.now()
    uow = wiring.database.unit_of_work()
    with uow:
        uow.casefile.add(
            Shipment(
                tenant_id=SAMPLE_TENANT,
                id="s-1",
                return_id=accepted.return_id,
                customer_id="C-1001",
                at=at,
                method=ShipmentMethod.DROP_OFF,
                carrier="sf",
                tracking_number="SF1",
                status=TrackingStatus.IN_TRANSIT,
                updated_at=at,
            )
        )
        uow.commit()
    return [
        service.return_timeline(customer, declined.return_id),
        service.return_timeline(customer, accepted.return_id),
        *service.my_returns(customer).items,
        *(message.event for _, message in sorted(wiring.database.committed.outbox.values())),
    ]


def _evidence() -> list[object]:
    """An attachment on a return, the event it made, and the rules it passed."""
    wiring = sample_wiring()
    line = sample_lines()[0]
    request = ReturnRequest((RequestedLine(line.ref, 1, "quality_defect"),))
    order = wiring.service.create_return(wiring.clerk, request)
    photo = bytes.fromhex("ffd8ffe000104a464946000101") + bytes(20)
    attachment = wiring.service.attach_file(
        wiring.admin, order.id, AttachmentSubject.REQUEST, "photo.jpg", photo
    )
    added = next(
        message.event
        for _, message in wiring.database.committed.outbox.values()
        if isinstance(message.event, AttachmentAdded)
    )
    return [attachment, added, AttachmentRules(content_types=["image/png"], max_size=1024)]


def _retention() -> list[object]:
    """Holds, a plan applied with its backup, an erasure, the log, and their parts."""
    wiring = sample_wiring()
    backups = MemoryBackups()
    service = ReturnsService(
        wiring.orders,
        wiring.database.unit_of_work,
        attrs.evolve(wiring.service.settings, backups=backups),
    )
    clerk, finance = wiring.clerk, wiring.finance
    archivist = Actor("u-archivist", "档案员", SAMPLE_TENANT, {"records_manager"})
    counsel = Actor("u-counsel", "法务", SAMPLE_TENANT, {"legal"})
    line = sample_lines()[1]
    order = service.create_return(
        clerk, ReturnRequest((RequestedLine(line.ref, 1, "wrong_order"),))
    )
    service.submit_return(clerk, order.id)
    service.receive_goods(wiring.warehouse, order.id, {line.ref: Receipt(received=1)})
    service.complete_return(finance, order.id, method=RefundMethod.STORE_CREDIT)
    service.archive_return(archivist, order.id)
    hold = service.place_hold(counsel, HoldScope.CUSTOMER, "C-1002", "诉讼保全")
    erasure = service.request_erasure(archivist, "C-1001")
    wiring.clock.advance(timedelta(days=366 * 31))
    plan = service.propose_retention_plan(archivist)
    service.approve_retention_plan(counsel, plan.number)
    applied = service.apply_retention_plan(archivist, plan.number)
    items = service.retention_plan_items(archivist, plan.number)
    reference = backups.find(plan.number)
    key = RecordKey(SAMPLE_TENANT, RETURN_ORDERS, order.id)
    dates = RecordDates(date(2026, 1, 1), date(2026, 1, 2))
    record = RetainedRecord(key, dates)
    retention = CHINA.retain_until(RETURN_ORDERS, dates)
    retired = next(
        message.event
        for _, message in wiring.database.committed.outbox.values()
        if isinstance(message.event, ReturnRetired)
    )
    return [
        retired,
        hold,
        erasure,
        Refusal("journal_entries/j-1", "a posted journal entry is never changed"),
        applied,
        *items,
        reference,
        *service.retention_log(archivist),
        LogBreak(1, "it was changed after it was written"),
        Decision(record, retention, Expiry.DESTROY),
        HoldTarget(key, "C-1001", order.id),
        Tombstone(key, plan.number, "2057-01-01T00:00:00+00:00", (("return_orders", 1),)),
        Erasure((("return_orders", 1),), ()),
        RetentionPolicy(
            "custom",
            (
                RetentionRule(
                    RETURN_ORDERS,
                    Period(years=3),
                    Trigger.COMPLETION,
                    Expiry.DESTROY,
                    maximum=Period(years=5),
                ),
            ),
        ),
    ]


def _shipping() -> list[object]:
    """A shipment labelled and tracked to the warehouse, another lost: records, events, report."""
    wiring = sample_wiring()
    service, warehouse = wiring.service, wiring.warehouse
    line = sample_lines()[1]
    order = service.create_return(
        wiring.clerk, ReturnRequest((RequestedLine(line.ref, 1, "wrong_order"),))
    )
    service.submit_return(wiring.clerk, order.id)
    plan = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
    shipment = service.create_label(
        warehouse, order.id, service.add_shipment(warehouse, order.id, plan).id
    )
    at = wiring.clock.now()
    scans = [
        CarrierEvent(
            event_id=f"e{n}",
            tracking_number=shipment.tracking_number,
            status=status,
            occurred_at=at + timedelta(hours=n),
            location="上海",
        )
        for n, status in enumerate((TrackingStatus.LOST, TrackingStatus.DELIVERED), 1)
    ]
    report = service.ingest_tracking(warehouse, "memory", [*scans, scans[0]])
    events = [message.event for _, message in wiring.database.committed.outbox.values()]
    return [
        plan,
        report,
        *service.shipments(warehouse, order.id),
        *service.tracking(warehouse, order.id),
        *events,
        CarrierLabel(tracking_number="MEM1", label_reference="label-1"),
    ]


def public_classes() -> list[type]:
    """Every attrs class in ``crm_returns.__all__``."""
    found = (getattr(crm_returns, name) for name in crm_returns.__all__)
    return [kind for kind in found if isinstance(kind, type) and attrs.has(kind)]


def test_every_public_value_has_a_specimen() -> None:
    missing = [kind.__name__ for kind in public_classes() if kind not in specimens()]
    assert not missing, f"no specimen of {missing}: add one to specimens()"


def test_the_specimens_rebuild_as_they_are() -> None:
    """The probe below changes one field at a time: unchanged, every specimen is accepted."""
    for kind in public_classes():
        specimen = specimens()[kind]
        assert attrs.evolve(specimen) == specimen


def rebuilt(kind: type) -> Iterator[tuple[str, str, object]]:
    """``(field, what was given, outcome)`` for each field of ``kind`` and each wrong value.

    The outcome is the value built, or the exception raised.
    """
    specimen = specimens()[kind]
    for field in attrs.fields(kind):
        if not field.init:
            continue
        for what, wrong in WRONG:
            try:
                outcome: object = attrs.evolve(specimen, **{field.alias: wrong})
            except Exception as error:  # noqa: BLE001 - the test is which kind comes out
                outcome = error
            yield field.name, what, outcome


@pytest.mark.parametrize("kind", public_classes(), ids=lambda kind: kind.__name__)
def test_a_wrong_type_is_refused_with_our_error_or_accepted(kind: type) -> None:
    escaped = [
        f"{kind.__name__}.{field} given {what}: {type(outcome).__name__}: {outcome}"
        for field, what, outcome in rebuilt(kind)
        if isinstance(outcome, BaseException) and not isinstance(outcome, CrmReturnsError)
    ]
    assert not escaped, "\n".join(escaped)


@pytest.mark.parametrize(
    "kind", [kind for kind in public_classes() if kind.__name__ in INPUTS], ids=lambda k: k.__name__
)
def test_an_input_value_refuses_every_wrong_type(kind: type) -> None:
    wrong = dict(WRONG)
    accepted = [
        f"{kind.__name__}.{field} given {what}: {outcome!r}"[:300]
        for field, what, outcome in rebuilt(kind)
        if not isinstance(outcome, InvalidInput) and not of_declared_type(kind, field, wrong[what])
    ]
    assert not accepted, "\n".join(accepted)


def test_every_input_value_is_public() -> None:
    assert {kind.__name__ for kind in public_classes()} >= INPUTS


def test_a_dict_as_a_line_reference_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="ref must be a LineRef, got dict"):
        RequestedLine({"order_number": "SO-1001", "line_id": "1"}, 1, "other")  # type: ignore[arg-type]


def test_a_list_among_statuses_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="statuses must be ReturnStatus values"):
        ReturnQuery(statuses=[["submitted"]])  # type: ignore[list-item]
