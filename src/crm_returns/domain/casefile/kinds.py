"""Every kind of case-file record, by the name stores and retention give it."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from crm_returns.domain.casefile.records import CaseRecord
from crm_returns.domain.evidence.records import Attachment
from crm_returns.domain.interactions.records import CustomerContact, Feedback
from crm_returns.domain.ownership.records import Assignment
from crm_returns.domain.requests.records import ReturnRequest
from crm_returns.domain.shipments.records import Shipment, TrackingUpdate
from crm_returns.errors import InvalidInput

__all__ = ["RECORD_KINDS", "registered_kind"]

#: Each record class by its ``kind`` (read-only).
RECORD_KINDS: Mapping[str, type[CaseRecord]] = MappingProxyType(
    {
        cls.kind: cls
        for cls in (
            ReturnRequest,
            Shipment,
            TrackingUpdate,
            Attachment,
            CustomerContact,
            Feedback,
            Assignment,
        )
    }
)


def registered_kind(kind: type[CaseRecord]) -> str:
    """``kind``'s name, if it is the class :data:`RECORD_KINDS` names for it.

    A store keeps only these: it reads each record back as the class its kind names.

    Raises:
        InvalidInput: It is not a kind of record the stores keep.
    """
    if RECORD_KINDS.get(kind.kind) is not kind:
        raise InvalidInput(f"{kind.__qualname__} is not a kind of case-file record the store keeps")
    return kind.kind
