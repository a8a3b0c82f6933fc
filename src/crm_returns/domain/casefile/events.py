"""Events of the customer side: requests, shipments, evidence, contacts, feedback, owners.

Each is a :class:`~crm_returns.domain.events.ReturnEvent` like the
workflow's, written to the audit trail and the outbox in the command's
transaction.  Most do not move the return (``from_status`` equals
``to_status``); their :class:`~crm_returns.domain.returns.states.Action`
says what changed in the case file.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from crm_returns.domain._checks import flag, identifier, moment, value_of
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.interactions.records import ContactChannel, Direction
from crm_returns.domain.returns.states import Action
from crm_returns.errors import InvalidInput, quoted

__all__ = ["ContactLogged", "FeedbackGiven"]


@attrs.frozen(kw_only=True)
class ContactLogged(ReturnEvent):
    """A contact with the customer was logged; the return does not move.

    What was said stays in the contact log (it is personal text that the
    outbox would carry to every destination and that erasure could not find
    inside free text); the event says only that a contact took place.

    Attributes:
        contact_id: The contact's id in the case file.
        channel: Call, e-mail, SMS, chat or visit.
        direction: Inbound (the customer reached us) or outbound.
        contacted_at: When the contact took place (``at`` is when it was logged).
        automatic: Logged by the library for a notification it sent.
    """

    action: ClassVar[Action] = Action.CONTACT
    contact_id: str = attrs.field(validator=identifier(64))
    channel: ContactChannel = attrs.field(validator=value_of(ContactChannel))
    direction: Direction = attrs.field(validator=value_of(Direction))
    contacted_at: datetime = attrs.field(validator=moment)
    automatic: bool = attrs.field(default=False, validator=flag)


def _score(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (isinstance(value, Decimal) and value.is_finite() and value in range(1, 6)):
        raise InvalidInput(f"{attribute.name} must be a Decimal from 1 to 5, got {quoted(value)}")


@attrs.frozen(kw_only=True)
class FeedbackGiven(ReturnEvent):
    """The customer scored a completed return; the return does not move.

    The comment stays with the feedback in the case file (it is the
    customer's own words); the event says whether there is one.

    Attributes:
        feedback_id: The feedback's id in the case file.
        score: 1 (very unhappy) to 5 (very happy), a whole number.
        commented: Whether the customer wrote a comment.
    """

    action: ClassVar[Action] = Action.FEEDBACK
    feedback_id: str = attrs.field(validator=identifier(64))
    score: Decimal = attrs.field(validator=_score)
    commented: bool = attrs.field(default=False, validator=flag)
