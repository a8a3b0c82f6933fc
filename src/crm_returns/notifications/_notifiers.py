"""The e-mail and SMS notifiers: relay destinations that send by the rules and templates.

Each notifier is a :class:`~crm_returns.ports.Destination`.  For each outbox
message it takes the rules of its channel that the event triggers, finds each
recipient's address and language through the host's contacts (``_audience``),
renders the template in that language (falling back to zh-CN) and hands one
e-mail or text message per recipient to its channel.

Failures: every recipient is tried; if any send failed, the notifier then
raises, so that the relay retries (or dead-letters) the message.  Of several
failures it raises the one that asks most of the relay: a transient one (or
any other exception) before an unknown outcome, before a permanent one.  A
retry sends to every recipient again, with the same ids (``Message-ID``,
``OutId``), so that duplicates can be told apart.

The contact log: given a ``contact_log`` (:meth:`~crm_returns.ReturnsService.notification_log`),
a notifier tells it each send to the return's customer that succeeded, right
after the send; staff and fixed addresses are not the customer and are not
logged.  The log keeps a send once however often a retry tells it.  A send
that failed is not told; if telling the log fails, the send counts as failed
and the relay tries the message again (the customer may get it twice, with
the same id, as with any retry; the log still keeps it once).
"""

from __future__ import annotations

import logging

from crm_returns.domain.notifications.defaults import DEFAULT_NOTIFICATION_RULES
from crm_returns.domain.notifications.rules import NotificationChannel, NotificationRules
from crm_returns.errors import InvalidInput, OutcomeUnknown, PermanentFailure, quoted
from crm_returns.notifications._audience import Reach, reached, send_id
from crm_returns.notifications._loading import load_notification_templates
from crm_returns.notifications._parameters import context
from crm_returns.notifications._templates import DEFAULT_LANGUAGE, NotificationTemplates
from crm_returns.ports.delivery import OutboxMessage
from crm_returns.ports.notify import (
    ContactDirectory,
    Email,
    Mailer,
    NotificationLog,
    SentNotification,
    Sms,
    SmsGateway,
)

__all__ = ["EmailNotifier", "SmsNotifier"]

log = logging.getLogger("crm_returns.notifications")


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be a non-blank string, got {quoted(value)}")
    return value


def _severity(error: Exception) -> int:
    """How much a failure asks of the relay: retry (2), look (1), give up (0)."""
    if isinstance(error, PermanentFailure):
        return 0
    if isinstance(error, OutcomeUnknown):
        return 1
    return 2


class _Notifier:
    """What both notifiers share: rules, templates, contacts, and sending to each reach."""

    channel: NotificationChannel

    def __init__(
        self,
        contacts: ContactDirectory,
        rules: NotificationRules | None,
        templates: NotificationTemplates | None,
        name: str,
        language: str,
        contact_log: NotificationLog | None,
    ) -> None:
        if contact_log is not None and not callable(getattr(contact_log, "sent", None)):
            raise InvalidInput(
                f"contact_log must have a sent(notification) method, got {quoted(contact_log)}"
            )
        self._contact_log = contact_log
        self._rules = DEFAULT_NOTIFICATION_RULES if rules is None else rules
        if not isinstance(self._rules, NotificationRules):
            raise InvalidInput(f"rules must be NotificationRules, got {quoted(self._rules)}")
        if templates is None:
            templates = load_notification_templates(rules=self._rules)
        elif not isinstance(templates, NotificationTemplates):
            raise InvalidInput(f"templates must be NotificationTemplates, got {quoted(templates)}")
        else:
            templates.check(self._rules)  # raises InvalidTemplates at start-up, not at send time
        self._templates = templates
        self._contacts = contacts
        self._name = _text(name, "name")
        self._language = _text(language, "language")

    @property
    def name(self) -> str:
        """The destination's name (its cursor and deliveries are kept under it)."""
        return self._name

    def deliver(self, message: OutboxMessage) -> None:
        """Send ``message``'s notifications on this channel to every recipient its rules name.

        Raises:
            DeliveryFailed: A send failed (the first of the most retry-worthy
                kind is raised after every recipient was tried).
        """
        event = message.event
        rules = self._rules.for_event(event, self.channel)
        failures: list[Exception] = []
        for reach in reached(rules, event, self._contacts, self._language):
            language = self._templates.language_for(reach.template, self.channel, reach.language)
            try:
                if language is None:
                    raise PermanentFailure(
                        f"no {self.channel.value} template {reach.template!r} in any language"
                    )
                self._send(message, reach, language)
                if reach.customer and self._contact_log is not None:
                    self._contact_log.sent(
                        SentNotification(
                            tenant_id=event.tenant_id,
                            return_id=event.return_id,
                            channel=self.channel,
                            template=reach.template,
                            send_id=send_id(message.id, reach),
                        )
                    )
            except Exception as error:  # noqa: BLE001 - tried for every recipient, raised below
                log.warning(
                    "%s %s of message %s failed: %s",
                    self.channel.value,
                    reach.template,
                    message.id,
                    error,
                )
                failures.append(error)
        if failures:
            raise max(failures, key=_severity)

    def _send(self, message: OutboxMessage, reach: Reach, language: str) -> None:
        raise NotImplementedError  # pragma: no cover - each notifier sends its own way


class EmailNotifier(_Notifier):
    """A relay destination that sends e-mails by the notification rules.

    One e-mail per recipient, in their language, with a ``Message-ID``
    derived from the outbox message id, the template and the address, so that
    a resend carries the same one.

    Args:
        mailer: Sends the e-mails (an :class:`~crm_returns.adapters.smtp.SmtpMailer`,
            a :class:`~crm_returns.adapters.memory.MemoryMailer`, ...).
        contacts: The host's customers and staff.
        sender: The ``From`` address, such as ``退货中心 <returns@shop.example>``.
        rules: Who is told what; :data:`~crm_returns.DEFAULT_NOTIFICATION_RULES`
            by default.
        templates: The templates; the shipped ones by default.  Checked
            against ``rules`` here.
        name: The destination's name.
        language: The language of fixed addresses, and the fallback.
        contact_log: Told each send to the return's customer that succeeded, for the
            contact log (:meth:`~crm_returns.ReturnsService.notification_log`).

    Raises:
        InvalidInput: An argument is of the wrong type or blank.
        InvalidTemplates: A rule's template is missing, or uses a parameter
            its event lacks.
    """

    channel = NotificationChannel.EMAIL

    def __init__(
        self,
        mailer: Mailer,
        contacts: ContactDirectory,
        *,
        sender: str,
        rules: NotificationRules | None = None,
        templates: NotificationTemplates | None = None,
        name: str = "email",
        language: str = DEFAULT_LANGUAGE,
        contact_log: NotificationLog | None = None,
    ) -> None:
        super().__init__(contacts, rules, templates, name, language, contact_log)
        self._mailer = mailer
        self._sender = _text(sender, "sender")

    def _send(self, message: OutboxMessage, reach: Reach, language: str) -> None:
        written = self._templates.email(
            reach.template, language, context(message, reach.name, language)
        )
        self._mailer.send(
            Email(
                message_id=send_id(message.id, reach),
                sender=self._sender,
                to=(reach.address,),
                subject=written.subject,
                text=written.text,
                html=written.html,
            )
        )


class SmsNotifier(_Notifier):
    """A relay destination that sends text messages by the notification rules.

    One message per recipient, from the gateway template the template names,
    with an ``out_id`` derived from the outbox message id, the template and
    the number, so that a resend carries the same one.

    Args:
        gateway: Sends the messages.
        contacts: The host's customers and staff.
        sign_name: The approved signature (签名), such as ``退货中心``.
        rules: Who is told what; :data:`~crm_returns.DEFAULT_NOTIFICATION_RULES`
            by default (their SMS rules).
        templates: The templates; the shipped ones by default.  Checked
            against ``rules`` here.
        name: The destination's name.
        language: The language of fixed numbers, and the fallback.
        contact_log: Told each send to the return's customer that succeeded, for the
            contact log (:meth:`~crm_returns.ReturnsService.notification_log`).

    Raises:
        InvalidInput: An argument is of the wrong type or blank.
        InvalidTemplates: A rule's template is missing, or uses a parameter
            its event lacks.
    """

    channel = NotificationChannel.SMS

    def __init__(
        self,
        gateway: SmsGateway,
        contacts: ContactDirectory,
        *,
        sign_name: str,
        rules: NotificationRules | None = None,
        templates: NotificationTemplates | None = None,
        name: str = "sms",
        language: str = DEFAULT_LANGUAGE,
        contact_log: NotificationLog | None = None,
    ) -> None:
        super().__init__(contacts, rules, templates, name, language, contact_log)
        self._gateway = gateway
        self._sign_name = _text(sign_name, "sign_name")

    def _send(self, message: OutboxMessage, reach: Reach, language: str) -> None:
        written = self._templates.sms(
            reach.template, language, context(message, reach.name, language)
        )
        self._gateway.send(
            Sms(
                out_id=send_id(message.id, reach),
                phone=reach.address,
                sign_name=self._sign_name,
                template_code=written.code,
                params=written.params,
                text=written.text,
            )
        )
