"""The contact log of the notifications the library sends: one contact per send to a customer.

The notifiers (:class:`~crm_returns.notifications.EmailNotifier`,
:class:`~crm_returns.notifications.SmsNotifier`) tell their ``contact_log``
each send to a return's customer right after it succeeded.  Logging it is a
transaction of its own, after the send and before the relay records the
delivery, so that:

- a send that failed logs nothing;
- a retried send (the relay tries the message again, for this recipient or
  another) is logged once: the send's id is the contact's unique key, and a
  second relay racing the first finds it taken;
- a failure to log fails the send, and the relay tries again: a contact is
  never lost, at the price of a possible second e-mail with the same id.

Sends to staff and fixed addresses are no contact with the customer, and
the notifiers do not tell them.  An automatic contact is written to the
return's audit trail but not to the outbox: it echoes an event that was
published already, and a rule notifying on it would notify forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from crm_returns.domain.audit import audit_entry
from crm_returns.domain.interactions.records import ContactChannel, CustomerContact
from crm_returns.domain.interactions.rules import contact_logged, notified_contact
from crm_returns.domain.notifications.rules import NotificationChannel
from crm_returns.errors import ConcurrencyConflict, InvalidInput, NotFound, quoted
from crm_returns.ports.notify import SentNotification
from crm_returns.ports.store import Clock, IdGenerator, UnitOfWork

__all__ = ["NotificationContacts"]

log = logging.getLogger("crm_returns.notifications")

#: The contact channel of each notification channel (read-only).
_CHANNELS: Final[Mapping[NotificationChannel, ContactChannel]] = MappingProxyType(
    {
        NotificationChannel.EMAIL: ContactChannel.EMAIL,
        NotificationChannel.SMS: ContactChannel.SMS,
    }
)


class NotificationContacts:
    """A :class:`~crm_returns.ports.NotificationLog` that writes to the returns' contact logs.

    Build one with :meth:`~crm_returns.ReturnsService.notification_log`.

    Args:
        unit_of_work: Makes a unit of work over the service's database.
        clock: The service's clock: a contact's time is when it is logged.
        ids: The service's ids.
    """

    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._ids = ids

    def sent(self, notification: SentNotification) -> None:
        """Log ``notification`` as an automatic, outbound contact on its return, once.

        Nothing is logged for a return that is gone (destroyed by retention)
        or archived (read-only): the send happened, but its return keeps no
        more records.

        Raises:
            InvalidInput: ``notification`` is not a :class:`~crm_returns.ports.SentNotification`.
            StorageError: The database failed.
        """
        if not isinstance(notification, SentNotification):
            raise InvalidInput(
                f"notification must be a SentNotification, got {quoted(notification)}"
            )
        tenant, key = notification.tenant_id, notification.send_id
        with self._uow() as uow:
            if uow.casefile.find(tenant, CustomerContact, key) is not None:
                return  # a retried send, logged the first time
            try:
                order = uow.returns.get(tenant, notification.return_id)
            except NotFound:
                log.info("return %s is gone: send %s not logged", notification.return_id, key)
                return
            if uow.retention.archived(tenant, order.id):
                log.info("return %s is archived: send %s not logged", order.number, key)
                return
            now = self._clock.now()
            contact = notified_contact(
                order,
                contact_id=self._ids.new_id(),
                channel=_CHANNELS[notification.channel],
                template=notification.template,
                send_id=key,
                at=now,
            )
            event = contact_logged(order, contact, now)
            try:
                uow.casefile.add(contact)
                uow.audit.append(audit_entry(event, self._ids.new_id()))
                uow.commit()
            except ConcurrencyConflict:
                # Another relay logged the same send a moment ago (a store may
                # find the unique key taken on add, or only on commit).
                log.info("send %s was logged by another relay", key)
