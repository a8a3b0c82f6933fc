"""The demo's e-mails: a local SMTP server that keeps what it is sent, and the notifier to reach it.

The demo relays the return's events to the e-mail notifier, which sends
through a real :class:`~crm_returns.adapters.smtp.SmtpMailer` to an SMTP
server on 127.0.0.1 (aiosmtpd, started for the demo on a free port), so that
what the customer and the staff would receive can be printed as it arrived.
Needs the ``cli`` extra (``aiosmtpd``, ``jinja2``).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from crm_returns.adapters.smtp import SmtpMailer, SmtpSecurity, SmtpSettings
from crm_returns.notifications import EmailNotifier
from crm_returns.ports.notify import ContactDirectory, NotificationLog

__all__ = ["Mailbox", "local_mailbox", "notifier_to"]

#: Who the demo's e-mails come from.
DEMO_SENDER = "退货中心 Returns <returns@shop.example>"


class Mailbox:
    """Keeps every e-mail the local server takes, in the order it took them.

    Attributes:
        received: Each e-mail, parsed.
        port: The port the server listens on, on 127.0.0.1.
    """

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        """Keep the message."""
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        if isinstance(parsed, EmailMessage):
            self.received.append(parsed)
        return "250 Message accepted for delivery"


@contextmanager
def local_mailbox() -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 and a free port, for the block; what it took."""
    mailbox = Mailbox()
    with socket.socket() as probe:  # aiosmtpd needs the port before it listens
        probe.bind(("127.0.0.1", 0))
        mailbox.port = probe.getsockname()[1]
    controller: Any = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def notifier_to(
    mailbox: Mailbox, contacts: ContactDirectory, contact_log: NotificationLog | None = None
) -> EmailNotifier:
    """The e-mail notifier, sending over SMTP to ``mailbox`` (plain, no login).

    With ``contact_log``, each e-mail to a return's customer is logged as a contact.
    """
    mailer = SmtpMailer(
        SmtpSettings(host="127.0.0.1", port=mailbox.port, security=SmtpSecurity.NONE)
    )
    # Its own name: in a database the demo shares with a real relay, the demo's
    # printout must not take the deliveries of the real "email" destination.
    return EmailNotifier(
        mailer, contacts, sender=DEMO_SENDER, name="demo-email", contact_log=contact_log
    )


def plain_text(message: EmailMessage) -> str:
    """The plain-text body of ``message``."""
    body = message.get_body(preferencelist=("plain",))
    return body.get_content().strip() if isinstance(body, EmailMessage) else ""
