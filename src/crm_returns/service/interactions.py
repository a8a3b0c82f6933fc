"""Talking with the customer: the contact log (客户联系记录) and the customer's feedback (客户评价).

Who may do what (the default roles in brackets):

- ``log_contact`` — :attr:`~crm_returns.Permission.LOG_CONTACTS`
  (``customer_service``, ``requester``);
- ``contacts`` — :attr:`~crm_returns.Permission.LOG_CONTACTS` too: a summary
  is what was said to or by the customer, personal text, read by those who
  talk with customers, not by everyone who may see the return;
- ``give_feedback`` — :attr:`~crm_returns.Permission.GIVE_FEEDBACK` and
  acting for the return's own customer (role ``customer``);
- ``feedback`` — :attr:`~crm_returns.Permission.VIEW_RETURNS`: staff see it
  on the return.

A customer (an actor with ``customer_id``) is told :class:`~crm_returns.errors.NotFound`
for another customer's return, as for one that does not exist.  Logging a
contact or giving feedback does not move the return (nor change its
version); its event goes to the audit trail and the outbox in the same
transaction.  The rules are in :mod:`crm_returns.domain.interactions.rules`;
the contact log of notifications is :mod:`crm_returns.service.notified`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from crm_returns.domain.actors import Actor
from crm_returns.domain.interactions.records import (
    ContactChannel,
    CustomerContact,
    Direction,
    Feedback,
)
from crm_returns.domain.interactions.rules import (
    checked_score,
    contact_logged,
    feedback_given,
    given_feedback,
    logged_contact,
)
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.returns.order import Transition
from crm_returns.errors import NotFound
from crm_returns.service.checks import (
    checked_actor,
    checked_id,
    checked_moment,
    checked_text,
    checked_value,
    fingerprint,
)
from crm_returns.service.notified import NotificationContacts
from crm_returns.service.template import ServiceCore

__all__ = ["Interactions"]

_LOG_CONTACT = "log_contact"


def _keyed_source(key: str) -> str:
    """The unique key of a contact logged with idempotency ``key`` (digested: keys are long)."""
    return "request:" + hashlib.sha256(key.encode()).hexdigest()[:40]


class Interactions(ServiceCore):
    """Log contacts with the customer, read the log; the customer's feedback and its staff view."""

    def log_contact(
        self,
        actor: Actor,
        return_id: str,
        channel: ContactChannel,
        direction: Direction,
        summary: str,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CustomerContact:
        """Log a contact with the return's customer: a call, e-mail, SMS, chat or visit.

        The return may be in any status; it does not move.  A
        :class:`~crm_returns.ContactLogged` event (without the summary) goes
        to the audit trail and the outbox.

        Args:
            actor: Who talked with the customer.
            return_id: The return it was about.
            channel: How.
            direction: Inbound (the customer reached us) or outbound.
            summary: What was said (up to 2,000 characters).
            at: When it took place; now by default.  Never in the future.
            idempotency_key: A retry with the same key and arguments returns
                the first contact and logs nothing more.

        Raises:
            InvalidInput: An argument is malformed, or ``at`` is in the future.
            NotFound: The tenant has no such return (or, for a customer, it is
                another customer's).
            NotAuthorised: The actor may not log contacts.
            RecordArchived: The return is archived.
            IdempotencyConflict: The key was used for something else.
        """
        actor = checked_actor(actor)
        return_id = checked_id(return_id, "return id")
        channel = checked_value(channel, ContactChannel, "channel")
        direction = checked_value(direction, Direction, "direction")
        summary = checked_text(summary, "summary")
        at = checked_moment(at, "at")
        digest = ""
        if idempotency_key is not None:
            digest = fingerprint(_LOG_CONTACT, (return_id, channel, direction, summary, at))
        with self._uow() as uow:
            order = self._own(actor, uow.returns.get(actor.tenant_id, return_id), return_id)
            if self._allows(actor, Permission.LOG_CONTACTS, order):
                replayed = self._replayed(uow, actor, idempotency_key, _LOG_CONTACT, digest)
                key = None if idempotency_key is None else _keyed_source(idempotency_key)
                if replayed is not None and key is not None:
                    first = uow.casefile.find(actor.tenant_id, CustomerContact, key)
                    if first is None:
                        raise NotFound("contact", key)
                    return first
                now = self._clock.now()
                contact = logged_contact(
                    order,
                    actor,
                    contact_id=self._ids.new_id(),
                    channel=channel,
                    direction=direction,
                    summary=summary,
                    at=now if at is None else at,
                    now=now,
                    archived=uow.retention.archived(actor.tenant_id, order.id),
                    source=key,
                )
                uow.casefile.add(contact)
                self._record(uow, Transition(order, (contact_logged(order, contact, now),)))
                self._remember(uow, actor, idempotency_key, _LOG_CONTACT, digest, order)
                uow.commit()
                return contact
        raise self._denied(actor, Permission.LOG_CONTACTS, order)

    def contacts(self, actor: Actor, return_id: str) -> Sequence[CustomerContact]:
        """The return's contact log, oldest first (by when each took place).

        Logged by staff and, for the notifications the library sent to the
        customer, by the library (``automatic``).

        Raises:
            NotFound: The tenant has no such return.
            NotAuthorised: The actor may not log (nor read) contacts.
        """
        actor = self._authorise(actor, Permission.LOG_CONTACTS)
        return_id = checked_id(return_id, "return id")
        with self._uow() as uow:
            order = self._own(actor, uow.returns.get(actor.tenant_id, return_id), return_id)
            log = uow.casefile.for_return(actor.tenant_id, order.id, CustomerContact)
        if not self._allows(actor, Permission.LOG_CONTACTS, order):
            raise self._denied(actor, Permission.LOG_CONTACTS, order)
        return tuple(log)

    def give_feedback(
        self, actor: Actor, return_id: str, score: int, comment: str = ""
    ) -> Feedback:
        """The customer scores their completed return, once: 1 (very unhappy) to 5 (very happy).

        A :class:`~crm_returns.FeedbackGiven` event (the score, without the
        comment) goes to the audit trail and the outbox.

        Args:
            actor: The customer, acting for themselves (``actor.customer_id``,
                role ``customer``).
            return_id: Their return.
            score: A whole number from 1 to 5.
            comment: What they want to say (up to 2,000 characters; may be empty).

        Raises:
            InvalidInput: The score or the comment is malformed, or the actor
                acts for no customer (staff do not give feedback).
            NotFound: The tenant has no such return, or it is another customer's.
            NotAuthorised: The actor may not give feedback.
            IllegalTransition: The return is not completed.
            FeedbackAlreadyGiven: Feedback on it was given before.
            RecordArchived: The return is archived.
        """
        actor = checked_actor(actor)
        return_id = checked_id(return_id, "return id")
        score = checked_score(score)
        comment = checked_text(comment, "comment")
        with self._uow() as uow:
            order = self._own(actor, uow.returns.get(actor.tenant_id, return_id), return_id)
            if self._allows(actor, Permission.GIVE_FEEDBACK, order):
                feedback = given_feedback(
                    order,
                    actor,
                    feedback_id=self._ids.new_id(),
                    score=score,
                    comment=comment,
                    at=self._clock.now(),
                    earlier=uow.casefile.find(actor.tenant_id, Feedback, order.id),
                    archived=uow.retention.archived(actor.tenant_id, order.id),
                )
                uow.casefile.add(feedback)
                event = feedback_given(order, feedback, actor)
                self._record(uow, Transition(order, (event,)))
                uow.commit()
                return feedback
        raise self._denied(actor, Permission.GIVE_FEEDBACK, order)

    def feedback(self, actor: Actor, return_id: str) -> Feedback | None:
        """The customer's feedback on the return (score, comment, when), or ``None`` if none yet.

        Raises:
            NotFound: The tenant has no such return.
            NotAuthorised: The actor may not see returns.
        """
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        return_id = checked_id(return_id, "return id")
        with self._uow() as uow:
            order = self._own(actor, uow.returns.get(actor.tenant_id, return_id), return_id)
            found = uow.casefile.find(actor.tenant_id, Feedback, order.id)
        self._readable(actor, order)
        return found

    def notification_log(self) -> NotificationContacts:
        """The contact log as the notifiers write to it: pass it as their ``contact_log``.

        Each e-mail or text message a notifier sends to a return's customer
        is then logged on the return as an automatic, outbound contact, once
        however often the send is retried::

            log = service.notification_log()
            email = EmailNotifier(mailer, contacts, sender=..., contact_log=log)
            service.relay([email]).run_until_idle()
        """
        return NotificationContacts(self._uow, self._clock, self._ids)
