"""Hypothesis strategies for case-file records, one per kind (needs the ``testing`` extra).

Each draws records the domain accepts with awkward values: ids and texts of
any Unicode (NUL too, where the field allows it), times with offsets other
than UTC and with microseconds, optional fields present and absent.  Fix the
tenant, the return or the customer (a value or a strategy) to draw records
that belong together::

    from hypothesis import given
    from crm_returns.testing import casefile_strategies as st_case

    @given(st_case.case_records(tenant_id="acme"))
    def test_my_store_keeps_records(record): ...

:data:`RECORD_STRATEGIES` has one strategy for every kind of
:data:`~crm_returns.domain.casefile.kinds.RECORD_KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, TypeVar

from hypothesis import strategies as st

from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.evidence.records import Attachment, AttachmentSubject
from crm_returns.domain.interactions.records import (
    ContactChannel,
    CustomerContact,
    Direction,
    Feedback,
)
from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.domain.requests.records import RequestStatus, ReturnRequest
from crm_returns.domain.shipments.records import (
    Shipment,
    ShipmentMethod,
    ShippingPayer,
    TrackingStatus,
    TrackingUpdate,
)
from crm_returns.testing.strategies import money

__all__ = [
    "RECORD_STRATEGIES",
    "assignments",
    "attachments",
    "case_records",
    "contacts",
    "feedback",
    "identifiers",
    "moments",
    "request_records",
    "shipments",
    "tracking_updates",
]

_T = TypeVar("_T")
_R = TypeVar("_R", bound=CaseRecord)

#: A fixed value, a strategy, or ``None`` for the default strategy.
Given = str | st.SearchStrategy[str] | None

#: Offsets a CRM's users are in: UTC, China, India, Nepal, and a negative one.
_OFFSETS = (
    UTC,
    timezone(timedelta(hours=8)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=5, minutes=45)),
    timezone(timedelta(hours=-3, minutes=-30)),
)


def identifiers(limit: int = 64) -> st.SearchStrategy[str]:
    """Ids and codes as the domain takes them: any Unicode but NUL, not blank, up to ``limit``."""
    characters = st.characters(codec="utf-8", exclude_characters="\x00")
    return st.text(characters, min_size=1, max_size=limit).filter(str.strip)


def _texts(limit: int, *, optional: bool = True) -> st.SearchStrategy[str]:
    """Free text up to ``limit``: any Unicode, NUL and control characters too."""
    drawn = st.text(st.characters(codec="utf-8"), max_size=limit)
    return drawn if optional else drawn.filter(str.strip)


def _codes(limit: int) -> st.SearchStrategy[str]:
    """Optional codes up to ``limit``: any Unicode but NUL (they make up a unique key)."""
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=limit)


def moments() -> st.SearchStrategy[datetime]:
    """Timezone-aware times of this century, to the microsecond, at several UTC offsets."""
    return st.datetimes(
        # Naive bounds are what hypothesis asks for; the offsets come from ``timezones``.
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2099, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from(_OFFSETS),
    )


def _strategy(value: Given, default: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    if value is None:
        return default
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def _optional(strategy: st.SearchStrategy[_T]) -> st.SearchStrategy[_T | None]:
    return st.none() | strategy


def _record(
    cls: type[_R],
    tenant_id: Given,
    return_id: Given,
    customer_id: Given,
    **fields: st.SearchStrategy[Any],
) -> st.SearchStrategy[_R]:
    """Records of ``cls``: the base fields (fixed where given), and ``fields``."""
    return st.builds(
        cls,
        tenant_id=_strategy(tenant_id, identifiers()),
        id=identifiers(),
        return_id=_strategy(return_id, identifiers()),
        customer_id=_strategy(customer_id, identifiers()),
        at=moments(),
        version=st.integers(1, 1_000),
        **fields,
    )


def request_records(
    *, tenant_id: Given = None, return_id: Given = None, customer_id: Given = None
) -> st.SearchStrategy[ReturnRequest]:
    """Customers' requests in every status, decided or not."""
    return _record(
        ReturnRequest,
        tenant_id,
        return_id,
        customer_id,
        status=st.sampled_from(RequestStatus),
        note=_texts(2000),
        requested_by=identifiers(),
        decided_by=_optional(identifiers()),
        decided_at=_optional(moments()),
        decline_reason=_optional(identifiers()),
        message=_texts(2000),
    )


def shipments(
    *, tenant_id: Given = None, return_id: Given = None, customer_id: Given = None
) -> st.SearchStrategy[Shipment]:
    """Shipments of every method, payer and status, with a cost in any currency or none."""
    return _record(
        Shipment,
        tenant_id,
        return_id,
        customer_id,
        method=st.sampled_from(ShipmentMethod),
        carrier=_codes(64),
        tracking_number=_codes(128),
        label_reference=_texts(200),
        cost=_optional(money()),
        paid_by=st.sampled_from(ShippingPayer),
        status=st.sampled_from(TrackingStatus),
        updated_at=moments(),
    )


def tracking_updates(
    *, tenant_id: Given = None, return_id: Given = None, customer_id: Given = None
) -> st.SearchStrategy[TrackingUpdate]:
    """Carriers' tracking events, each with its carrier's event id."""
    return _record(
        TrackingUpdate,
        tenant_id,
        return_id,
        customer_id,
        shipment_id=identifiers(),
        carrier=identifiers(),
        event_id=identifiers(128),
        status=st.sampled_from(TrackingStatus),
        occurred_at=moments(),
        location=_texts(200),
        description=_texts(500),
    )


def attachments(
    *, tenant_id: Given = None, return_id: Given = None, customer_id: Given = None
) -> st.SearchStrategy[Attachment]:
    """Attachments on every subject, of any size, with a SHA-256 digest."""
    return _record(
        Attachment,
        tenant_id,
        return_id,
        customer_id,
        subject=st.sampled_from(AttachmentSubject),
        filename=_texts(255, optional=False),
        content_type=st.sampled_from(["image/jpeg", "image/png", "image/webp", "application/pdf"]),
        size=st.integers(0, 2**40),
        sha256=st.binary(min_size=32, max_size=32).map(bytes.hex),
        uploaded_by=identifiers(),
        note=_texts(500),
    )


def contacts(
    *, tenant_id: Given = None, return_id: Given = None, customer_id: Given = None
) -> st.SearchStrategy[CustomerContact]:
    """Contacts on every channel and in both directions, logged by hand or automatically."""
    return _record(
        CustomerContact,
        tenant_id,
        return_id,
        customer_id,
        channel=st.sampled_from(ContactChannel),
        direction=st.sampled_from(Direction),
        summary=_texts(2000, optional=False),
        by=identifiers(),
        by_name=_texts(200, optional=False),
        automatic=st.booleans(),
        source=_optional(identifiers(200)),
    )


def feedback(
    *, tenant_id: Given = None, return_id: Given = None, customer_id: Given = None
) -> st.SearchStrategy[Feedback]:
    """Satisfaction scores from 1 to 5, with a comment or without."""
    return _record(
        Feedback,
        tenant_id,
        return_id,
        customer_id,
        score=st.integers(1, 5),
        comment=_texts(2000),
    )


def assignments(
    *, tenant_id: Given = None, return_id: Given = None, customer_id: Given = None
) -> st.SearchStrategy[Assignment]:
    """Owners (a user, a team, or both) with a stage and its deadline, or nothing due."""
    owners = st.tuples(_optional(identifiers()), _optional(identifiers())).filter(
        lambda pair: pair != (None, None)
    )
    return owners.flatmap(
        lambda pair: _record(
            Assignment,
            tenant_id,
            return_id,
            customer_id,
            user_id=st.just(pair[0]),
            team=st.just(pair[1]),
            assigned_by=identifiers(),
            stage=_optional(st.sampled_from(Stage)),
            due_at=_optional(moments()),
        )
    )


#: A strategy for each kind of record, by the kind's name (read-only).
RECORD_STRATEGIES: Mapping[str, Callable[..., st.SearchStrategy[CaseRecord]]] = MappingProxyType(
    {
        ReturnRequest.kind: request_records,
        Shipment.kind: shipments,
        TrackingUpdate.kind: tracking_updates,
        Attachment.kind: attachments,
        CustomerContact.kind: contacts,
        Feedback.kind: feedback,
        Assignment.kind: assignments,
    }
)


def case_records(
    *, tenant_id: Given = None, return_id: Given = None, customer_id: Given = None
) -> st.SearchStrategy[CaseRecord]:
    """Records of any kind (see :data:`RECORD_STRATEGIES`)."""
    return st.one_of(
        [
            strategy(tenant_id=tenant_id, return_id=return_id, customer_id=customer_id)
            for strategy in RECORD_STRATEGIES.values()
        ]
    )
