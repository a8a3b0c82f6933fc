"""The case file the retention contracts store beside the shared history.

The completed return gets one record of every kind — a request, a shipment
with a tracking update, a photo, a contact, feedback and an assignment — whose
free text names its customer (their name and :data:`PERSONAL`); another
customer's return gets a contact of its own, which erasing the first customer
leaves alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta

from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.casefile.kinds import RECORD_KINDS
from crm_returns.domain.evidence.records import Attachment, AttachmentSubject
from crm_returns.domain.interactions.records import (
    ContactChannel,
    CustomerContact,
    Direction,
    Feedback,
)
from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.domain.requests.records import RequestStatus, ReturnRequest
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.shipments.records import (
    Shipment,
    ShipmentMethod,
    TrackingStatus,
    TrackingUpdate,
)
from crm_returns.ports import UnitOfWork
from crm_returns.testing.conformance._base import UnitOfWorkFactory
from crm_returns.testing.conformance._history import History
from crm_returns.testing.conformance._retention_seed import PERSONAL

__all__ = ["PHOTO", "case_file_of", "other_customers_return", "read_case_file", "seed_case_file"]

#: The bytes of the photo the completed return's attachment names (a JPEG's start).
PHOTO = bytes.fromhex("ffd8ffe000104a46494600010101004800480000") + bytes(40)


def case_file_of(order: ReturnOrder) -> tuple[CaseRecord, ...]:
    """One record of every kind on ``order``, naming its customer in their free text."""
    name, at = order.customer_name, order.updated_at
    tenant, rid, customer = order.tenant_id, order.id, order.customer_id
    later = at + timedelta(minutes=5)
    return (
        ReturnRequest(
            tenant_id=tenant,
            return_id=rid,
            customer_id=customer,
            id=f"{order.id}-request",
            at=at,
            status=RequestStatus.ACCEPTED,
            note=f"{name} asks; pay to {PERSONAL}",
            requested_by="portal-1",
            decided_by="u-desk",
            decided_at=later,
            message=f"Dear {name}, accepted ({PERSONAL})",
        ),
        Shipment(
            tenant_id=tenant,
            return_id=rid,
            customer_id=customer,
            id=f"{order.id}-parcel",
            at=at,
            method=ShipmentMethod.CARRIER_PICKUP,
            carrier="sf",
            tracking_number=f"SF{order.number}",
            status=TrackingStatus.IN_TRANSIT,
            updated_at=later,
        ),
        TrackingUpdate(
            tenant_id=tenant,
            return_id=rid,
            customer_id=customer,
            id=f"{order.id}-scan",
            at=later,
            shipment_id=f"{order.id}-parcel",
            carrier="sf",
            event_id=f"{order.number}-1",
            status=TrackingStatus.IN_TRANSIT,
            occurred_at=later,
            location=f"picked up from {name}",
            description=f"courier called {PERSONAL}",
        ),
        Attachment(
            tenant_id=tenant,
            return_id=rid,
            customer_id=customer,
            id=f"{order.id}-photo",
            at=at,
            subject=AttachmentSubject.REQUEST,
            filename=f"{name[:200]}.jpg",
            content_type="image/jpeg",
            size=len(PHOTO),
            sha256=hashlib.sha256(PHOTO).hexdigest(),
            uploaded_by="portal-1",
            note=f"sent by {PERSONAL}",
        ),
        CustomerContact(
            tenant_id=tenant,
            return_id=rid,
            customer_id=customer,
            id=f"{order.id}-call",
            at=later,
            channel=ContactChannel.CALL,
            direction=Direction.OUTBOUND,
            summary=f"called {name} about {PERSONAL}",
            by="u-desk",
            by_name="周杰",
        ),
        Feedback(
            tenant_id=tenant,
            return_id=rid,
            customer_id=customer,
            id=f"{order.id}-feedback",
            at=later,
            score=4,
            comment=f"{PERSONAL} ok",
        ),
        Assignment(
            tenant_id=tenant,
            return_id=rid,
            customer_id=customer,
            id=f"{order.id}-owner",
            at=at,
            user_id="u-desk",
            assigned_by="u-lead",
            stage=Stage.REFUND,
            since=at,
            due_at=later,
        ),
    )


def other_customers_return(past: History) -> ReturnOrder:
    """A return of the shared history whose customer is not the completed return's."""
    return next(o for o in past.orders if o.customer_id != past.completed.customer_id)


def seed_case_file(factory: UnitOfWorkFactory, past: History) -> tuple[CaseRecord, ...]:
    """Store the completed return's case file and a contact of another customer's return."""
    other = other_customers_return(past)
    records = case_file_of(past.completed)
    theirs = next(r for r in case_file_of(other) if isinstance(r, CustomerContact))
    with factory() as uow:
        for record in (*records, theirs):
            uow.casefile.add(record)
        uow.commit()
    return records


def read_case_file(uow: UnitOfWork, tenant_id: str, return_id: str) -> list[CaseRecord]:
    """Every case-file record of the return, kind by kind."""
    return [
        record
        for kind in RECORD_KINDS.values()
        for record in uow.casefile.for_return(tenant_id, return_id, kind)
    ]


def kinds_of(records: Sequence[CaseRecord]) -> list[str]:
    """The kinds of ``records``, in their order."""
    return [record.kind for record in records]
