"""Contacts with the customer about a return, and their feedback."""

from __future__ import annotations

import enum
from typing import Any, ClassVar

import attrs

from crm_returns.domain._checks import flag, identifier, text, value_of
from crm_returns.domain.casefile.records import CaseIndex, CaseRecord
from crm_returns.errors import InvalidInput

__all__ = ["ContactChannel", "CustomerContact", "Direction", "Feedback"]


class ContactChannel(enum.Enum):
    """How the customer was reached, or reached us."""

    CALL = "call"
    EMAIL = "email"
    SMS = "sms"
    CHAT = "chat"
    VISIT = "visit"
    WEBHOOK = "webhook"


class Direction(enum.Enum):
    """Who started the contact."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


def _optional_key(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        identifier(200)(instance, attribute, value)


@attrs.frozen(kw_only=True)
class CustomerContact(CaseRecord):
    """One contact with the customer about a return.

    Attributes:
        channel: Call, e-mail, SMS, chat or visit.
        direction: Inbound (the customer reached us) or outbound.
        summary: What was said.
        by: The staff member's (or the library's) id.
        by_name: Their display name.
        automatic: Logged by the library for a notification it sent.
        source: What it was logged from, unique when given (a notification's
            message id and recipient), so that it is logged once.
    """

    kind: ClassVar[str] = "contact"

    channel: ContactChannel = attrs.field(validator=value_of(ContactChannel))
    direction: Direction = attrs.field(validator=value_of(Direction))
    summary: str = attrs.field(validator=text(2000))
    by: str = attrs.field(validator=identifier(64))
    by_name: str = attrs.field(validator=text(200))
    automatic: bool = attrs.field(default=False, validator=flag)
    source: str | None = attrs.field(default=None, validator=_optional_key)

    def index(self) -> CaseIndex:
        """Unique by its source, when it has one."""
        return CaseIndex(key=self.source)


def _score(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput(f"{attribute.name} must be a whole number from 1 to 5, got {value!r}")


@attrs.frozen(kw_only=True)
class Feedback(CaseRecord):
    """The customer's satisfaction with a completed return; one per return.

    Attributes:
        score: 1 (very unhappy) to 5 (very happy).
        comment: What they wrote.
    """

    kind: ClassVar[str] = "feedback"

    score: int = attrs.field(validator=_score)
    comment: str = attrs.field(default="", validator=text(2000, optional=True))

    def index(self) -> CaseIndex:
        """One feedback per return."""
        return CaseIndex(key=self.return_id)
