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

__all__ = ["RECORD_KINDS"]

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
