"""The customer side's enums that :mod:`crm_returns.labels` gives labels to."""

from __future__ import annotations

from typing import TypeAlias

from crm_returns.domain.evidence.records import AttachmentSubject
from crm_returns.domain.interactions.records import ContactChannel, Direction
from crm_returns.domain.ownership.records import Stage
from crm_returns.domain.requests.progress import MomentKind, NextStep, Party, Progress
from crm_returns.domain.requests.records import RequestStatus
from crm_returns.domain.shipments.records import ShipmentMethod, ShippingPayer, TrackingStatus

__all__ = ["CaseFileLabelled"]

#: A value of the customer side with a label in every language.
CaseFileLabelled: TypeAlias = (
    RequestStatus
    | Progress
    | NextStep
    | Party
    | MomentKind
    | ShipmentMethod
    | ShippingPayer
    | TrackingStatus
    | AttachmentSubject
    | ContactChannel
    | Direction
    | Stage
)
