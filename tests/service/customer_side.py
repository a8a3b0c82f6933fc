"""A tenant's customer side, populated: what the isolation probes try to reach from outside.

:func:`populate` fills the sample wiring (lines in tests/service/conftest.py)
with one of everything the customer side keeps, for 李娜 (C-1002), and a
little for 张伟 (C-1001), so that the probes can try each use case on
another customer's (or tenant's) return, shipment and attachment:

- ``requested``: 李娜 asked for a lamp back and attached a photo (pending);
- ``shipped``: staff's approved chair return, with a labelled shipment, a
  tracking event ingested, a contact, an owner and a receipt photo;
- ``completed``: a completed lamp return with 李娜's feedback;
- ``own``: 张伟's pending request with a photo and his approved mouse
  return with a shipment (in another tenant, for the tenant probes), for
  trying another customer's shipment or attachment id on a return of one's own.

The clock then moves a month on, so that the owned returns are late.
:func:`state` is everything committed plus the attachment store's bytes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import sqlalchemy as sa

from crm_returns import (
    Actor,
    AttachmentSubject,
    CarrierEvent,
    ContactChannel,
    Direction,
    LineRef,
    MemoryCarrier,
    Receipt,
    RefundMethod,
    RequestedLine,
    ReturnRequest,
    ReturnsService,
    ShipmentMethod,
    ShipmentPlan,
    TrackingStatus,
)
from crm_returns.adapters.memory import MemoryAttachmentStore
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.samples import SAMPLE_TENANT, sample_staff
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00, C-1001 张伟
CHAIR = LineRef("SO-1002", "1")  # 1 x 2399.00, C-1002 李娜: the manager approves
LAMP = LineRef("SO-1002", "2")  # 3 x 199.00, C-1002 李娜

#: A small JPEG: the attachment rules allow it.
JPEG = bytes.fromhex("ffd8ffe000104a46494600010101004800480000") + bytes(200)

ZHANG = Actor("p-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
LI = Actor("p-li", "李娜", SAMPLE_TENANT, {"customer"}, customer_id="C-1002")
AGENT = Actor("u-cs", "客服小赵", SAMPLE_TENANT, {"customer_service"})
PICKUP = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")


@attrs.frozen
class Foreign:
    """What one customer of the tenant has, by id.

    Attributes:
        requested: A pending request (a draft) with a photo.
        shipped: An approved return with a labelled, tracked shipment, a
            contact, an owner and a receipt photo.
        completed: A completed return with the customer's feedback.
        shipment: The shipment of ``shipped``.
        tracking_number: Its tracking number (the memory carrier's).
        photo: The photo on ``requested``'s request.
        receipt_photo: The receipt photo on ``shipped``.
        numbers: The readable numbers of the three returns.
    """

    requested: str
    shipped: str
    completed: str
    shipment: str
    tracking_number: str
    photo: str
    receipt_photo: str
    numbers: tuple[str, ...]

    @property
    def returns(self) -> tuple[str, str, str]:
        """The three returns' ids."""
        return (self.requested, self.shipped, self.completed)


@attrs.frozen
class Own:
    """What 张伟 (C-1001) has: a pending request with a photo, an approved return shipping."""

    request: str
    shipped: str
    shipment: str
    photo: str


@attrs.frozen
class World:
    """The populated wiring: 李娜's records (``foreign``) and 张伟's (``own``)."""

    foreign: Foreign
    own: Own


def carrier(service: ReturnsService) -> MemoryCarrier:
    """The sample wiring's memory carrier."""
    found = service.settings.carrier("memory")
    assert isinstance(found, MemoryCarrier)
    return found


def store(service: ReturnsService) -> MemoryAttachmentStore:
    """The sample wiring's attachment store."""
    found = service.settings.attachments
    assert isinstance(found, MemoryAttachmentStore)
    return found


def asking(ref: LineRef, units: int = 1) -> ReturnRequest:
    """A request for ``units`` of ``ref``, as the wrong order."""
    return ReturnRequest(lines=(RequestedLine(ref, Decimal(units), "wrong_order"),))


def state(wiring: Wiring, database: SqlDatabase | None = None) -> object:
    """Everything committed, and the ids the attachment store keeps bytes under.

    The store keeps bytes once per id (other bytes under a kept id are
    refused), so its ids say all that a command could have changed there.

    Args:
        wiring: The sample wiring.
        database: The SQL store the wiring's service keeps returns in, if not
            its memory store: then every row of every table is what is committed.
    """
    files = store(wiring.service)
    kept = {tenant: files.ids(tenant) for tenant in (SAMPLE_TENANT, "globex")}
    if database is None:
        return copy.deepcopy((wiring.database.committed, kept))
    with database.engine.connect() as connection:
        rows = {
            table.name: sorted(map(repr, connection.execute(sa.select(table))))
            for table in database.tables.metadata.sorted_tables
        }
    return rows, kept


def _shipped(w: Wiring, ref: LineRef, tenant: str) -> tuple[str, str, str]:
    """An approved return of ``ref`` with a labelled shipment; its id, shipment, tracking no."""
    s, staff = w.service, sample_staff(tenant)
    agent = attrs.evolve(AGENT, tenant_id=tenant)
    order = s.create_return(staff.clerk, asking(ref))
    s.submit_return(staff.clerk, order.id)
    if s.get_return(staff.admin, order.id).status.value == "submitted":
        s.approve_return(staff.approver, order.id, "同意 internal")
    shipment = s.add_shipment(agent, order.id, PICKUP, "内部备注")
    labelled = s.create_label(agent, order.id, shipment.id)
    return order.id, labelled.id, labelled.tracking_number


def _own(w: Wiring, tenant: str) -> Own:
    """张伟's (C-1001's) request with a photo and approved return with a shipment, in ``tenant``."""
    zhang = attrs.evolve(ZHANG, tenant_id=tenant)
    request = w.service.request_return(zhang, asking(MOUSE)).return_id
    photo = w.service.attach_file(zhang, request, AttachmentSubject.REQUEST, "m.jpg", JPEG)
    shipped, shipment, _ = _shipped(w, MOUSE, tenant)
    return Own(request, shipped, shipment, photo.id)


def populate(w: Wiring, own_tenant: str = SAMPLE_TENANT) -> World:
    """Fill ``w`` with 李娜's and 张伟's customer side (see the module's docstring).

    Args:
        w: The sample wiring.
        own_tenant: The tenant of 张伟's records: another than 李娜's (whose
            orders must hold the sample lines) for the tenant probes.
    """
    s = w.service
    requested = s.request_return(LI, asking(LAMP)).return_id
    photo = s.attach_file(LI, requested, AttachmentSubject.REQUEST, "lamp.jpg", JPEG, "坏了")

    shipped, shipment, number = _shipped(w, CHAIR, SAMPLE_TENANT)
    carrier(s).push(
        CarrierEvent(
            event_id="ev-li-1",
            tracking_number=number,
            status=TrackingStatus.IN_TRANSIT,
            occurred_at=w.clock.now(),
            location="上海",
        )
    )
    s.poll_tracking(AGENT, shipped)
    s.log_contact(AGENT, shipped, ContactChannel.CALL, Direction.INBOUND, "李娜来电 secret")
    s.assign_return(AGENT, shipped, user_id="u-cs", team="east")
    receipt_photo = s.attach_file(
        w.warehouse, shipped, AttachmentSubject.RECEIPT, "box.jpg", JPEG, "箱子破损"
    )

    completed = s.create_return(w.clerk, asking(LAMP))
    s.submit_return(w.clerk, completed.id)
    s.receive_goods(w.warehouse, completed.id, {LAMP: Receipt(received=Decimal(1))})
    s.complete_return(w.finance, completed.id, method=RefundMethod.STORE_CREDIT)
    s.give_feedback(LI, completed.id, 4, "还行")

    own = _own(w, own_tenant)
    numbers = tuple(s.get_return(w.admin, i).number for i in (requested, shipped, completed.id))
    w.clock.advance(timedelta(days=30))
    return World(
        Foreign(
            requested=requested,
            shipped=shipped,
            completed=completed.id,
            shipment=shipment,
            tracking_number=number,
            photo=photo.id,
            receipt_photo=receipt_photo.id,
            numbers=numbers,
        ),
        own,
    )


# -- what the probes try ---------------------------------------------------------------------

NOON = datetime(2026, 12, 27, 12, 0, tzinfo=UTC)
R, Q = AttachmentSubject.RECEIPT, AttachmentSubject.REQUEST

ById = Callable[[ReturnsService, Actor, str], object]

#: Use cases a customer may call that name a return.
CUSTOMER_BY_RETURN: dict[str, ById] = {
    "withdraw_return": lambda s, who, rid: s.withdraw_return(who, rid),
    "return_timeline": lambda s, who, rid: s.return_timeline(who, rid),
    "give_feedback": lambda s, who, rid: s.give_feedback(who, rid, 5, "好"),
    "attach_file": lambda s, who, rid: s.attach_file(who, rid, Q, "p.jpg", JPEG, "mine"),
    "attachments": lambda s, who, rid: s.attachments(who, rid),
}

#: Staff's use cases that name a return.
STAFF_BY_RETURN: dict[str, ById] = {
    "accept_request": lambda s, who, rid: s.accept_request(who, rid, "ok"),
    "decline_request": lambda s, who, rid: s.decline_request(who, rid, "outside_window", "不"),
    "add_shipment": lambda s, who, rid: s.add_shipment(who, rid, PICKUP),
    "poll_tracking": lambda s, who, rid: s.poll_tracking(who, rid),
    "shipments": lambda s, who, rid: s.shipments(who, rid),
    "tracking": lambda s, who, rid: s.tracking(who, rid),
    "attach_file/receipt": lambda s, who, rid: s.attach_file(who, rid, R, "r.jpg", JPEG),
    "log_contact": lambda s, who, rid: s.log_contact(
        who, rid, ContactChannel.CHAT, Direction.OUTBOUND, "hi"
    ),
    "contacts": lambda s, who, rid: s.contacts(who, rid),
    "feedback": lambda s, who, rid: s.feedback(who, rid),
    "assign_return": lambda s, who, rid: s.assign_return(who, rid, user_id="u-me"),
    "owner_of": lambda s, who, rid: s.owner_of(who, rid),
    "get_return": lambda s, who, rid: s.get_return(who, rid),
    "audit_trail": lambda s, who, rid: s.audit_trail(who, rid),
    "cancel_return": lambda s, who, rid: s.cancel_return(who, rid, "mine now"),
}

Targeted = Callable[[ReturnsService, Actor, World], object]

#: Another customer's shipment or attachment, through her return or one's own;
#: another customer's lines in a request.  Customers' use cases first.
CUSTOMER_TARGETED: dict[str, Targeted] = {
    "attachment_content": lambda s, who, w: s.attachment_content(
        who, w.foreign.requested, w.foreign.photo
    ),
    "attachment_content/own return": lambda s, who, w: s.attachment_content(
        who, w.own.request, w.foreign.photo
    ),
    "preview_my_return": lambda s, who, w: s.preview_my_return(who, asking(CHAIR)),
    "request_return": lambda s, who, w: s.request_return(who, asking(LAMP)),
}
STAFF_TARGETED: dict[str, Targeted] = {
    "create_label": lambda s, who, w: s.create_label(who, w.foreign.shipped, w.foreign.shipment),
    "create_label/own return": lambda s, who, w: s.create_label(
        who, w.own.shipped, w.foreign.shipment
    ),
    "record_tracking": lambda s, who, w: s.record_tracking(
        who, w.foreign.shipped, w.foreign.shipment, TrackingStatus.LOST, NOON
    ),
    "record_tracking/own return": lambda s, who, w: s.record_tracking(
        who, w.own.shipped, w.foreign.shipment, TrackingStatus.LOST, NOON
    ),
    "attachment_content/receipt": lambda s, who, w: s.attachment_content(
        who, w.foreign.shipped, w.foreign.receipt_photo
    ),
    "attachment_content/receipt on own return": lambda s, who, w: s.attachment_content(
        who, w.own.shipped, w.foreign.receipt_photo
    ),
    "create_return": lambda s, who, w: s.create_return(who, asking(CHAIR)),
    "preview_return": lambda s, who, w: s.preview_return(who, asking(CHAIR)),
    "edit_return": lambda s, who, w: s.edit_return(
        who, w.own.request, [RequestedLine(CHAIR, 1, "wrong_order")]
    ),
}
