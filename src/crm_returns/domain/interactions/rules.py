"""The rules of the contact log and of feedback, as pure functions.

- A contact is logged on a return of the actor's tenant, in any status, but
  not on an archived return (read-only until restored).  It may be logged
  after the fact, never ahead of it: its time is not in the future.
- A notification the library sent to the return's customer is a contact too
  (outbound, by e-mail or SMS, ``automatic``), logged once per send: its
  ``source`` (the send's id) is its unique key.
- Feedback is the customer's own: only an actor acting for the return's
  customer gives it, once per return, on a completed return, with a score
  from 1 to 5 and an optional comment.  Staff see the feedback record whole.
- Events carry no personal text: a contact's summary and a feedback comment
  stay in the case file, where erasure removes them whole
  (:func:`erased_contact`, :func:`erased_feedback`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.casefile.events import ContactLogged, FeedbackGiven
from crm_returns.domain.interactions.records import (
    ContactChannel,
    CustomerContact,
    Direction,
    Feedback,
)
from crm_returns.domain.retention.erasure import ERASED_TEXT
from crm_returns.domain.returns.order import ReturnOrder, emit
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import (
    FeedbackAlreadyGiven,
    IllegalTransition,
    InvalidInput,
    NotFound,
    RecordArchived,
    quoted,
)

__all__ = [
    "NOTIFIER_ID",
    "NOTIFIER_NAME",
    "checked_score",
    "contact_logged",
    "erased_contact",
    "erased_feedback",
    "feedback_given",
    "given_feedback",
    "logged_contact",
    "notified_contact",
]

#: Who logs the contacts of the notifications the library sends.
NOTIFIER_ID: Final = "crm-returns"

#: Its display name in the contact log and the audit trail.
NOTIFIER_NAME: Final = "通知 notifications"


def checked_score(value: object) -> int:
    """``value`` if it is a score: a whole number from 1 to 5 (``True`` is no score).

    Raises:
        InvalidInput: It is not.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput(f"score must be a whole number from 1 to 5, got {quoted(value)}")
    return value


def _same_tenant(order: ReturnOrder, actor: Actor) -> None:
    if actor.tenant_id != order.tenant_id:
        # Another tenant's return does not exist, as far as this actor can tell.
        raise NotFound("return", order.id)


def logged_contact(
    order: ReturnOrder,
    actor: Actor,
    *,
    contact_id: str,
    channel: ContactChannel,
    direction: Direction,
    summary: str,
    at: datetime,
    now: datetime,
    archived: bool,
    source: str | None = None,
) -> CustomerContact:
    """A contact with ``order``'s customer, logged by ``actor``.

    Args:
        order: The return it was about.
        actor: Who logs it (and took part in it).
        contact_id: The new record's id.
        channel: How the customer was reached, or reached us.
        direction: Who started it.
        summary: What was said.
        at: When it took place.
        now: The time of logging; ``at`` may not be later.
        archived: Whether the return is archived.
        source: Its unique key, when the caller has one (a retried request's).

    Raises:
        NotFound: The return is another tenant's.
        RecordArchived: The return is archived.
        InvalidInput: ``at`` is in the future, or a field is malformed.
    """
    _same_tenant(order, actor)
    if archived:
        raise RecordArchived(f"return {order.number} is archived: restore it to log a contact")
    if at > now:
        raise InvalidInput(f"a contact cannot be logged ahead of time: {at} is after {now}")
    return CustomerContact(
        tenant_id=order.tenant_id,
        id=contact_id,
        return_id=order.id,
        customer_id=order.customer_id,
        at=at,
        channel=channel,
        direction=direction,
        summary=summary,
        by=actor.id,
        by_name=actor.name,
        source=source,
    )


def notified_contact(
    order: ReturnOrder,
    *,
    contact_id: str,
    channel: ContactChannel,
    template: str,
    send_id: str,
    at: datetime,
) -> CustomerContact:
    """The contact that a notification sent to ``order``'s customer is, logged by the library.

    Args:
        order: The return the notification was about.
        contact_id: The new record's id.
        channel: E-mail or SMS.
        template: The notification's template (what it said, in words the staff know).
        send_id: The send's id: the outbox message, the template and the address
            digested (never the address itself); the record's unique key.
        at: When it was sent.

    Raises:
        InvalidInput: The channel is not e-mail or SMS, or a field is malformed.
    """
    if channel not in (ContactChannel.EMAIL, ContactChannel.SMS):
        raise InvalidInput(f"a notification goes by e-mail or SMS, not {channel.value}")
    return CustomerContact(
        tenant_id=order.tenant_id,
        id=contact_id,
        return_id=order.id,
        customer_id=order.customer_id,
        at=at,
        channel=channel,
        direction=Direction.OUTBOUND,
        summary=f"notification {template!r} sent by {channel.value}",
        by=NOTIFIER_ID,
        by_name=NOTIFIER_NAME,
        automatic=True,
        source=send_id,
    )


def contact_logged(order: ReturnOrder, contact: CustomerContact, at: datetime) -> ContactLogged:
    """The event that says ``contact`` was logged on ``order`` at ``at`` (without its summary)."""
    by = Actor(contact.by, contact.by_name, order.tenant_id)
    return emit(
        order,
        by,
        at,
        ContactLogged,
        order.status,
        contact_id=contact.id,
        channel=contact.channel,
        direction=contact.direction,
        contacted_at=contact.at,
        automatic=contact.automatic,
    )


def given_feedback(
    order: ReturnOrder,
    actor: Actor,
    *,
    feedback_id: str,
    score: int,
    comment: str,
    at: datetime,
    earlier: Feedback | None,
    archived: bool,
) -> Feedback:
    """The customer's feedback on ``order``.

    Args:
        order: The return.
        actor: The customer, acting for themselves (``actor.customer_id``).
        feedback_id: The new record's id.
        score: 1 (very unhappy) to 5 (very happy).
        comment: What they wrote (may be empty).
        at: When.
        earlier: The feedback already given on ``order``, if any.
        archived: Whether the return is archived.

    Raises:
        NotFound: The return is another tenant's, or another customer's (a
            customer cannot tell it from a return that does not exist).
        InvalidInput: The actor acts for no customer (staff do not give feedback).
        IllegalTransition: The return is not completed.
        FeedbackAlreadyGiven: The customer gave feedback on it before.
        RecordArchived: The return is archived.
        InvalidInput: The score or the comment is malformed.
    """
    _same_tenant(order, actor)
    if actor.customer_id is None:
        raise InvalidInput(
            f"actor {actor.id!r} acts for no customer: feedback is the customer's own "
            "(give the Actor a customer_id)"
        )
    if actor.customer_id != order.customer_id:
        raise NotFound("return", order.id)
    if archived:
        raise RecordArchived(f"return {order.number} is archived: restore it to give feedback")
    if order.status is not ReturnStatus.COMPLETED:
        raise IllegalTransition(
            order.number, order.status.value, "give feedback", "feedback follows completion"
        )
    if earlier is not None:
        raise FeedbackAlreadyGiven(order.number)
    return Feedback(
        tenant_id=order.tenant_id,
        id=feedback_id,
        return_id=order.id,
        customer_id=order.customer_id,
        at=at,
        score=score,
        comment=comment,
    )


def feedback_given(order: ReturnOrder, feedback: Feedback, actor: Actor) -> FeedbackGiven:
    """The event that says the customer scored ``order`` (without their comment)."""
    return emit(
        order,
        actor,
        feedback.at,
        FeedbackGiven,
        order.status,
        feedback_id=feedback.id,
        score=Decimal(feedback.score),
        commented=bool(feedback.comment),
    )


def erased_contact(contact: CustomerContact, surrogate: str) -> CustomerContact:
    """``contact`` with its customer erased: the surrogate id, and the summary removed whole.

    The summary is free text about the customer (erasure could not find every
    personal detail inside it); channel, direction, time and who logged it stay.
    """
    return attrs.evolve(
        contact, customer_id=surrogate, summary=ERASED_TEXT, version=contact.version + 1
    )


def erased_feedback(feedback: Feedback, surrogate: str) -> Feedback:
    """``feedback`` with its customer erased: the surrogate id, and the comment emptied.

    The score and its time stay, for the figures.
    """
    return attrs.evolve(feedback, customer_id=surrogate, comment="", version=feedback.version + 1)
