"""An outbox message as a CloudEvent: the envelope, and the event's data in it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from crm_returns.cloudevents._layout import write
from crm_returns.domain import events as ev
from crm_returns.domain.casefile import events as case
from crm_returns.ports.delivery import OutboxMessage

__all__ = [
    "CONTENT_TYPE",
    "DATA_CONTENT_TYPE",
    "EVENT_TYPES",
    "SPEC_VERSION",
    "SUMMARY_KEY",
    "event_type",
    "to_cloudevent",
    "to_json",
]

#: The CloudEvents version of every event.
SPEC_VERSION: Final = "1.0"

#: The media type of a CloudEvent in structured mode.
CONTENT_TYPE: Final = "application/cloudevents+json; charset=utf-8"

#: The media type of an event's ``data``.
DATA_CONTENT_TYPE: Final = "application/json"

#: The key of the return's summary in an event's ``data``.
SUMMARY_KEY: Final = "return"

_PREFIX: Final = "com.crm-returns.return."

#: Every event type, by its CloudEvents ``type``, in the order a return meets them.
EVENT_TYPES: Final[Mapping[str, type[ev.ReturnEvent]]] = MappingProxyType(
    {
        f"{_PREFIX}{name}.v1": kind
        for name, kind in (
            ("drafted", ev.ReturnDrafted),
            ("requested", case.ReturnRequested),
            ("request-accepted", case.RequestAccepted),
            ("request-declined", case.RequestDeclined),
            ("request-withdrawn", case.RequestWithdrawn),
            ("lines-edited", ev.ReturnLinesEdited),
            ("submitted", ev.ReturnSubmitted),
            ("approval-given", ev.ApprovalGiven),
            ("approved", ev.ReturnApproved),
            ("rejected", ev.ReturnRejected),
            ("cancelled", ev.ReturnCancelled),
            ("goods-received", ev.GoodsReceived),
            ("lines-inspected", ev.LinesInspected),
            ("completed", ev.ReturnCompleted),
            ("retired", ev.ReturnRetired),
            ("repair-finished", ev.RepairFinished),
            ("refund-granted", ev.RefundGranted),
            ("refund-payment-recorded", ev.RefundPaymentRecorded),
            ("refund-payment-settled", ev.RefundPaymentSettled),
            ("shipment-added", case.ShipmentAdded),
            ("shipment-labelled", case.ShipmentLabelled),
            ("shipment-tracked", case.ShipmentTracked),
            ("shipment-delivered", case.ShipmentDelivered),
            ("shipment-lost", case.ShipmentLost),
            ("contact-logged", case.ContactLogged),
            ("feedback-given", case.FeedbackGiven),
            ("assigned", case.ReturnAssigned),
            # The case file (customer side): domain/casefile/events.py.
            ("attachment-added", case.AttachmentAdded),
        )
    }
)

_TYPE_OF: Final[Mapping[type[ev.ReturnEvent], str]] = MappingProxyType(
    {kind: name for name, kind in EVENT_TYPES.items()}
)


def event_type(event: ev.ReturnEvent | type[ev.ReturnEvent]) -> str:
    """The CloudEvents ``type`` of an event or its class.

    Example: ``com.crm-returns.return.approved.v1`` for a
    :class:`~crm_returns.domain.events.ReturnApproved`.

    Raises:
        KeyError: The class is no event of a return.
    """
    kind = event if isinstance(event, type) else type(event)
    return _TYPE_OF[kind]


def to_cloudevent(message: OutboxMessage, source: str | None = None) -> dict[str, Any]:
    """``message`` as a CloudEvent in structured mode (a dict of JSON values, no numbers).

    The ``id`` is the message's id, the same on every delivery of it, so that a
    receiver deduplicates on it; ``subject`` is the return's number and
    ``time`` the event's ``at``.  ``data`` holds the event's fields and, under
    ``return``, the return as the command left it.

    Args:
        message: The outbox message.
        source: The CloudEvents ``source``; by default ``/crm-returns/<tenant>``.
    """
    event = message.event
    data: dict[str, Any] = write(event)
    data[SUMMARY_KEY] = write(message.summary)
    return {
        "specversion": SPEC_VERSION,
        "id": message.id,
        "source": source if source is not None else f"/crm-returns/{event.tenant_id}",
        "type": event_type(event),
        "subject": event.number,
        "time": write(event.at),
        "datacontenttype": DATA_CONTENT_TYPE,
        "data": data,
    }


def to_json(message: OutboxMessage, source: str | None = None) -> bytes:
    """``message`` as the UTF-8 bytes of its CloudEvent: keys sorted, the same bytes every time.

    Args:
        message: The outbox message.
        source: The CloudEvents ``source``; by default ``/crm-returns/<tenant>``.
    """
    return json.dumps(
        to_cloudevent(message, source), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
