"""The customer's request for a return, as the case file keeps it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

import attrs

from crm_returns.domain._checks import aware, identifier, text, value_of
from crm_returns.domain.casefile.records import CaseIndex, CaseRecord

__all__ = ["RequestStatus", "ReturnRequest"]


class RequestStatus(enum.Enum):
    """Where a customer's request stands."""

    #: Waiting for staff to accept or decline it.
    PENDING = "pending"
    #: Accepted: the return went into the approval workflow.
    ACCEPTED = "accepted"
    #: Declined by staff, with a decline reason and a message to the customer.
    DECLINED = "declined"
    #: Withdrawn by the customer before the goods left.
    WITHDRAWN = "withdrawn"


def _optional_id(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        identifier(64)(instance, attribute, value)


@attrs.frozen(kw_only=True)
class ReturnRequest(CaseRecord):
    """A return the customer asked for; one per return.

    Attributes:
        status: Where it stands.
        note: What the customer wrote.
        requested_by: The customer actor's id.
        decided_by: Who accepted or declined it (staff), or withdrew it.
        decided_at: When.
        decline_reason: The decline reason's code, when declined.
        message: What staff told the customer about the decision.
    """

    kind: ClassVar[str] = "request"

    status: RequestStatus = attrs.field(
        default=RequestStatus.PENDING, validator=value_of(RequestStatus)
    )
    note: str = attrs.field(default="", validator=text(2000, optional=True))
    requested_by: str = attrs.field(validator=identifier(64))
    decided_by: str | None = attrs.field(default=None, validator=_optional_id)
    decided_at: datetime | None = attrs.field(default=None, validator=aware)
    decline_reason: str | None = attrs.field(default=None, validator=_optional_id)
    message: str = attrs.field(default="", validator=text(2000, optional=True))

    def index(self) -> CaseIndex:
        """One request per return."""
        return CaseIndex(key=self.return_id)
