"""Events of the customer side: requests, shipments, evidence, contacts, feedback, owners.

Each is a :class:`~crm_returns.domain.events.ReturnEvent` like the
workflow's, written to the audit trail and the outbox in the command's
transaction.  Most do not move the return (``from_status`` equals
``to_status``); their :class:`~crm_returns.domain.returns.states.Action`
says what changed in the case file.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from crm_returns.domain._checks import identifier, value_of
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.evidence.records import AttachmentSubject
from crm_returns.domain.returns.states import Action

__all__: list[str] = ["AttachmentAdded"]


@attrs.frozen(kw_only=True)
class AttachmentAdded(ReturnEvent):
    """A photo or file was attached to the return's request, receipt or inspection.

    The file's name, size and the uploader's note stay in the case file (the
    name and note are the customer's or staff's own words, and an event
    travels to other systems).

    Attributes:
        attachment_id: The attachment's id in the case file and the attachment store.
        subject: What it shows: the request, a receipt or an inspection.
        content_type: Its type, as detected from its bytes.
        sha256: Its SHA-256 digest, lower-case hex.
    """

    action: ClassVar[Action] = Action.ATTACH
    attachment_id: str = attrs.field(validator=identifier(64))
    subject: AttachmentSubject = attrs.field(validator=value_of(AttachmentSubject))
    content_type: str = attrs.field(validator=identifier(100))
    sha256: str = attrs.field(validator=identifier(64))
