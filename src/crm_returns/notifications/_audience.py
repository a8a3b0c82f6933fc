"""Who a rule reaches: each recipient turned into addresses through the host's contacts.

The customer and staff by role are looked up in the host's
:class:`~crm_returns.ports.ContactDirectory`; someone it does not know, or
who has no address on the channel, is skipped with a log line (not a
failure: sending again would not find them either).  Fixed addresses are
used as they are, in the notifier's default language.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator

import attrs

from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.notifications.rules import (
    NotificationChannel,
    NotificationRule,
    Recipient,
    RecipientKind,
)
from crm_returns.ports.notify import Contact, ContactDirectory

__all__ = ["Reach", "reached", "send_id"]

log = logging.getLogger("crm_returns.notifications")


@attrs.frozen
class Reach:
    """One address to send one template to.

    Attributes:
        template: The template.
        address: The e-mail address or mobile number.
        name: The person's display name (empty for a fixed address).
        language: The language they read.
        customer: Whether it is the return's customer (whose contact log a
            send to them joins).
    """

    template: str
    address: str
    name: str
    language: str
    customer: bool = False


def send_id(message_id: str, reach: Reach) -> str:
    """The id of one send: the outbox message's id, the template, and a digest of the address.

    The same on every resend of the message, and different for each recipient
    and template, so that a receiver (or a mail program) can tell a duplicate.
    The address is digested, not written out, so that the id shows no
    personal data.
    """
    digest = hashlib.sha256(reach.address.strip().lower().encode()).hexdigest()[:12]
    return f"{message_id}+{reach.template}+{digest}"


def _address(contact: Contact, channel: NotificationChannel) -> str | None:
    return contact.email if channel is NotificationChannel.EMAIL else contact.phone


def _contacts(
    recipient: Recipient, event: ReturnEvent, contacts: ContactDirectory
) -> list[Contact] | None:
    if recipient.kind is RecipientKind.CUSTOMER:
        found = contacts.customer(event.tenant_id, event.customer_id)
        if found is None:
            log.info(
                "return %s: customer %s is not in the contact directory; not notified",
                event.number,
                event.customer_id,
            )
            return []
        return [found]
    if recipient.kind is RecipientKind.ROLE:
        staff = list(contacts.staff(event.tenant_id, recipient.value))
        if not staff:
            log.info(
                "return %s: nobody holds role %s in tenant %s; not notified",
                event.number,
                recipient.value,
                event.tenant_id,
            )
        return staff
    return None


def reached(
    rules: tuple[NotificationRule, ...],
    event: ReturnEvent,
    contacts: ContactDirectory,
    language: str,
) -> Iterator[Reach]:
    """Every address ``rules`` reach for ``event``, each template and address once, in rule order.

    Args:
        rules: The rules of one channel that the event triggers.
        event: The event.
        contacts: The host's contacts.
        language: The language of fixed addresses.
    """
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        for recipient in rule.recipients:
            found = _contacts(recipient, event, contacts)
            if found is None:  # a fixed address
                reaches = [Reach(rule.template, recipient.value, "", language)]
            else:
                reaches = []
                for contact in found:
                    address = _address(contact, rule.channel)
                    if not address:
                        log.info(
                            "return %s: %s (%s) has no %s address; not notified",
                            event.number,
                            contact.name or "a contact",
                            recipient,
                            rule.channel.value,
                        )
                        continue
                    reaches.append(
                        Reach(
                            rule.template,
                            address,
                            contact.name,
                            contact.language or language,
                            customer=recipient.kind is RecipientKind.CUSTOMER,
                        )
                    )
            for reach in reaches:
                key = (reach.template, reach.address.strip().lower())
                if key not in seen:
                    seen.add(key)
                    yield reach
