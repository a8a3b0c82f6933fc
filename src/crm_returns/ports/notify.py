"""The ports of notifications: who to tell, and the channels that reach them.

The notifier (a :class:`~crm_returns.ports.Destination`) turns an event into
e-mails and text messages by the notification rules, asks the host's
:class:`ContactDirectory` where each recipient is reached, and hands each
message to a :class:`Mailer` or an :class:`SmsGateway`.  A channel says how a
send failed by raising a :class:`~crm_returns.errors.DeliveryFailed` kind.
Each send to a return's customer that succeeded is told to the notifier's
:class:`NotificationLog`, if it has one, for the return's contact log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import attrs

from crm_returns.domain._checks import identifier, text, value_of
from crm_returns.domain.notifications.rules import NotificationChannel

__all__ = [
    "Contact",
    "ContactDirectory",
    "Email",
    "Mailer",
    "NotificationLog",
    "SentNotification",
    "Sms",
    "SmsGateway",
]

#: Longest display name of a contact, in characters.
CONTACT_LIMIT = 200

#: Longest language tag, in characters (BCP 47 allows 35 in practice).
LANGUAGE_LIMIT = 35


@attrs.frozen(kw_only=True)
class Contact:
    """Where one person is reached, and in which language.

    Attributes:
        name: Their display name.
        email: Their e-mail address, if they have one.
        phone: Their mobile number, if they have one (E.164, such as ``+8613800138000``).
        language: ``zh-CN`` or ``en`` (or another language the templates have).

    Raises:
        InvalidInput: A field is of the wrong type, or the language is blank.
    """

    name: str = attrs.field(default="", validator=text(CONTACT_LIMIT, optional=True))
    email: str | None = attrs.field(default=None, validator=value_of(str, optional=True))
    phone: str | None = attrs.field(default=None, validator=value_of(str, optional=True))
    language: str = attrs.field(default="zh-CN", validator=text(LANGUAGE_LIMIT))


class ContactDirectory(Protocol):
    """The host's people: customers and staff, by id or by role."""

    def customer(self, tenant_id: str, customer_id: str) -> Contact | None:
        """How to reach a customer, or ``None`` if the host does not know them."""

    def staff(self, tenant_id: str, role: str) -> Sequence[Contact]:
        """The staff of ``tenant_id`` who hold ``role`` (approvers, warehouse, finance, ...)."""


@attrs.frozen(kw_only=True)
class Email:
    """One e-mail to send.

    Attributes:
        message_id: The ``Message-ID`` header, derived from the outbox message
            id, so that a resend carries the same one.
        sender: The ``From`` address.
        to: The recipients.
        subject: The subject (any Unicode).
        text: The plain-text body.
        html: The HTML body, if there is one.
    """

    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None


class Mailer(Protocol):
    """Sends e-mail (SMTP in production)."""

    def send(self, email: Email) -> None:
        """Send ``email``, or raise a :class:`~crm_returns.errors.DeliveryFailed` kind."""


@attrs.frozen(kw_only=True)
class Sms:
    """One text message, in the shape of the common Chinese SMS gateways.

    Attributes:
        out_id: The caller's id for the send (the gateway's ``OutId``),
            derived from the outbox message id, for deduplication.
        phone: The recipient's number.
        sign_name: The approved signature (签名).
        template_code: The approved template's code (模板编号).
        params: The template's parameters, by name, in order (gateways with
            ordered parameters take the values in this order).
        text: The message as it will read, for logs and console adapters.
    """

    out_id: str
    phone: str
    sign_name: str
    template_code: str
    params: tuple[tuple[str, str], ...]
    text: str = ""


class SmsGateway(Protocol):
    """Sends text messages through a gateway."""

    def send(self, sms: Sms) -> None:
        """Send ``sms``, or raise a :class:`~crm_returns.errors.DeliveryFailed` kind.

        A timeout after the request left must raise
        :class:`~crm_returns.errors.OutcomeUnknown`: the message may have gone.
        """


@attrs.frozen(kw_only=True)
class SentNotification:
    """A notification that reached a return's customer: what the contact log keeps of it.

    Attributes:
        tenant_id: The return's tenant.
        return_id: The return it was about.
        channel: E-mail or SMS.
        template: The template it was written from (``return-approved``, ...).
        send_id: The send's id (the ``Message-ID`` or ``OutId``): the outbox
            message's id, the template and a digest of the address; the same on
            every resend, so that the send is logged once.
    """

    tenant_id: str = attrs.field(validator=identifier(64))
    return_id: str = attrs.field(validator=identifier(64))
    channel: NotificationChannel = attrs.field(validator=value_of(NotificationChannel))
    template: str = attrs.field(validator=identifier(64))
    send_id: str = attrs.field(validator=identifier(200))


class NotificationLog(Protocol):
    """Where a notifier tells each send to a customer that succeeded (the contact log)."""

    def sent(self, notification: SentNotification) -> None:
        """Keep ``notification``; once per ``send_id``, however often it is told.

        Raises:
            CrmReturnsError: It could not be kept (the notifier then counts the
                send as failed, so that the relay tries the message again).
        """
