"""E-mail over SMTP: the production :class:`~crm_returns.ports.Mailer`.

:class:`SmtpMailer` opens one connection for each e-mail (plain, STARTTLS or
implicit TLS, as :class:`SmtpSettings` say), logs in if told to, sends, and
closes.  It holds no connection between sends, so one mailer serves any
number of threads, and a server that restarts costs nothing.

What the server answers decides the kind of failure the relay sees:

========================================================  ======================
what happened                                             raised
========================================================  ======================
a ``4xx`` reply at any step; the connection refused,       TransientFailure
dropped or timed out; any other network error
a ``5xx`` reply at any step (sender, recipients, data,     PermanentFailure
login ``535``); the server lacks a needed extension
(STARTTLS, SMTPUTF8 for non-ASCII addresses, AUTH); the
server's certificate fails verification
every recipient refused                                   PermanentFailure if every
                                                          refusal was ``5xx``, else
                                                          TransientFailure
some recipients refused, others accepted                  nothing (sent): see below
========================================================  ======================

*Some recipients accepted.*  Once the server took the message for one
recipient, sending it again would give that recipient a second copy, so
:meth:`SmtpMailer.send` returns normally and logs the refused addresses with
their replies at ``WARNING`` on the ``crm_returns.smtp`` logger.  A host that
needs each recipient tracked on its own sends one :class:`~crm_returns.ports.Email`
per recipient.

*A timeout after the message was sent* (while waiting for the server's answer
to the end of the data) is transient too, as SMTP itself treats it (RFC 5321
§4.5.4.1, RFC 1047): the resend may make a duplicate, which carries the same
``Message-ID`` so that mail programs can tell it is one.

Failure texts never contain the password: texts that would are scrubbed, and
the driver's exception is then not chained.
"""

from __future__ import annotations

import base64
import enum
import logging
import re
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from types import MappingProxyType

import attrs

from crm_returns.adapters.system import SystemClock
from crm_returns.domain._checks import value_of
from crm_returns.errors import (
    DeliveryFailed,
    InvalidInput,
    PermanentFailure,
    TransientFailure,
    quoted,
)
from crm_returns.ports.notify import Email
from crm_returns.ports.store import Clock

__all__ = ["SmtpMailer", "SmtpSecurity", "SmtpSettings", "message_id_header"]

log = logging.getLogger("crm_returns.smtp")


class SmtpSecurity(enum.Enum):
    """How the connection to the SMTP server is protected."""

    #: No TLS at all: only for a relay on the same host or a trusted network.
    NONE = "none"
    #: Connect in plain text, then upgrade with ``STARTTLS`` (usually port 587).
    STARTTLS = "starttls"
    #: TLS from the first byte ("implicit TLS", SMTPS; usually port 465).
    TLS = "tls"


_DEFAULT_PORTS = MappingProxyType(
    {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.TLS: 465}
)


def _port(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise InvalidInput(f"port must be a whole number from 1 to 65535, got {quoted(value)}")
    return value


def _timeout(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInput(f"timeout must be a timedelta longer than zero, got {quoted(value)}")
    return value


def _host(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"host must be a host name or address, got {quoted(value)}")
    return value.strip()


@attrs.frozen(kw_only=True)
class SmtpSettings:
    """Where and how :class:`SmtpMailer` reaches its SMTP server.

    Attributes:
        host: The server's host name or address.
        port: The server's port; by default 25, 587 or 465 by ``security``.
        security: Plain, STARTTLS (the default) or implicit TLS.
        username: The login name, if the server wants a login.
        password: The password; given exactly when ``username`` is.  It is
            left out of the settings' ``repr`` and of every failure text.
        timeout: How long any one network step may take.
        local_hostname: The name the mailer gives in ``EHLO``; the machine's
            fully qualified name by default.
        ssl_context: The TLS context for STARTTLS and implicit TLS (which
            certificates to trust); the system's default trust when ``None``.

    Raises:
        InvalidInput: A field is out of range, or a username comes without a
            password (or the other way round).
    """

    host: str = attrs.field(converter=_host)
    port: int | None = attrs.field(default=None, converter=_port)
    security: SmtpSecurity = attrs.field(
        default=SmtpSecurity.STARTTLS, validator=value_of(SmtpSecurity)
    )
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    timeout: timedelta = attrs.field(default=timedelta(seconds=30), converter=_timeout)
    local_hostname: str | None = None
    ssl_context: ssl.SSLContext | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if (self.username is None) != (self.password is None):
            raise InvalidInput("username and password must be given together")

    @property
    def effective_port(self) -> int:
        """The port the mailer connects to: :attr:`port`, or the usual one for :attr:`security`."""
        return self.port if self.port is not None else _DEFAULT_PORTS[self.security]


_ATEXT = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&'*+-/=?^_`{|}~"
)
_WHOLE_ID = re.compile(r"<?([^<>\s@]+)@([^<>\s@]+)>?")


def message_id_header(message_id: str, sender: str) -> str:
    """The ``Message-ID`` header for an e-mail with ``message_id``, sent by ``sender``.

    An id that already reads ``<left@right>`` (or ``left@right``) is kept as it
    is (in angle brackets).  Any other id, such as an outbox message id,
    becomes the part before the ``@``, with every character an id may not hold
    (dots included) written as ``%`` and its UTF-8 bytes in hex; the part after
    the ``@`` is the sender's domain.  The result depends on the e-mail alone,
    not on the machine that sends it, so that a resend from another
    application instance carries the same id.

    Args:
        message_id: The e-mail's id (:attr:`~crm_returns.ports.Email.message_id`).
        sender: The ``From`` address; its domain names the id.

    Raises:
        PermanentFailure: ``message_id`` is empty.
    """
    whole = _WHOLE_ID.fullmatch(message_id)
    if whole is not None:
        return f"<{whole[1]}@{whole[2]}>"
    if not message_id:
        raise PermanentFailure("the e-mail has no message id")
    left = "".join(
        char if char in _ATEXT else "".join(f"%{byte:02X}" for byte in char.encode())
        for char in message_id
    )
    _, at, domain = sender.rpartition("@")
    domain = domain.strip(" <>") if at else ""
    return f"<{left}@{domain or 'crm-returns.invalid'}>"


class SmtpMailer:
    """Sends :class:`~crm_returns.ports.Email` values through an SMTP server.

    Messages are written with the ``SMTP`` e-mail policy: CRLF line ends,
    non-ASCII headers (a Chinese subject) as RFC 2047 encoded words, and
    bodies in UTF-8 with a transfer encoding that 7-bit servers carry
    (base64 or quoted-printable for non-ASCII text).  Addresses with non-ASCII
    characters are sent with ``SMTPUTF8`` when the server offers it.

    Args:
        settings: The server and how to reach it.
        clock: Where the ``Date`` header's time comes from (the system clock
            by default).
    """

    def __init__(self, settings: SmtpSettings, clock: Clock | None = None) -> None:
        self._settings = settings
        self._clock: Clock = clock if clock is not None else SystemClock()

    @property
    def settings(self) -> SmtpSettings:
        """The server and how to reach it."""
        return self._settings

    def compose(self, email: Email) -> EmailMessage:
        """The message :meth:`send` would send for ``email`` (dated now).

        Raises:
            PermanentFailure: ``email`` has no message id.
            ValueError: A header holds a line break, or an address cannot be
                parsed (:meth:`send` reports it as a permanent failure).
        """
        message = EmailMessage(policy=SMTP_POLICY.clone(cte_type="7bit"))
        message["Message-ID"] = message_id_header(email.message_id, email.sender)
        message["Date"] = format_datetime(self._clock.now())
        message["From"] = email.sender
        message["To"] = ", ".join(email.to)
        message["Subject"] = email.subject
        message.set_content(email.text, charset="utf-8")
        if email.html is not None:
            message.add_alternative(email.html, subtype="html", charset="utf-8")
        return message

    def send(self, email: Email) -> None:
        """Send ``email`` over one new connection.

        Raises:
            TransientFailure: The server answered ``4xx``, or the network failed.
            PermanentFailure: The server answered ``5xx`` (or refused every
                recipient with ``5xx``), or lacks what the message or the
                settings need.
        """
        if not email.to:
            raise PermanentFailure("the e-mail has no recipients")
        try:
            message = self.compose(email)
        except ValueError as exc:
            # A header with a line break, or an address the e-mail package
            # cannot parse: this e-mail can never be written.
            raise PermanentFailure(f"the e-mail cannot be written: {exc}") from exc
        try:
            with self._connect() as client:
                self._secure_and_log_in(client)
                # The envelope takes bare addresses; the headers keep the names.
                refused = client.send_message(
                    message,
                    from_addr=parseaddr(email.sender)[1],
                    to_addrs=[parseaddr(address)[1] for address in email.to],
                )
        except (smtplib.SMTPException, OSError) as exc:
            failure = self._failure(exc)
            if self._secrets_in(str(exc)):
                raise failure from None
            raise failure from exc
        if refused:
            log.warning(
                "e-mail %s sent, but the server refused some recipients: %s",
                message["Message-ID"],
                self._scrub(_refusals(refused)),
            )

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        timeout = settings.timeout.total_seconds()
        if settings.security is SmtpSecurity.TLS:
            return smtplib.SMTP_SSL(
                settings.host,
                settings.effective_port,
                local_hostname=settings.local_hostname,
                timeout=timeout,
                context=self._context(),
            )
        return smtplib.SMTP(
            settings.host,
            settings.effective_port,
            local_hostname=settings.local_hostname,
            timeout=timeout,
        )

    def _context(self) -> ssl.SSLContext:
        context = self._settings.ssl_context
        return context if context is not None else ssl.create_default_context()

    def _secure_and_log_in(self, client: smtplib.SMTP) -> None:
        settings = self._settings
        if settings.security is SmtpSecurity.STARTTLS:
            client.starttls(context=self._context())
        if settings.username is None or settings.password is None:
            return
        if (settings.username + settings.password).isascii():
            client.login(settings.username, settings.password)
        else:
            _log_in_utf8(client, settings.username, settings.password)

    def _failure(self, exc: BaseException) -> DeliveryFailed:
        where = f"SMTP {self._settings.host}:{self._settings.effective_port}"
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in exc.recipients.values()]
            detail = f"{where}: every recipient refused: {_refusals(exc.recipients)}"
            kind: type[DeliveryFailed] = (
                PermanentFailure
                if codes and all(500 <= c < 600 for c in codes)
                else TransientFailure
            )
        elif isinstance(exc, smtplib.SMTPResponseException):
            reply = _text(exc.smtp_error)
            detail = f"{where}: {type(exc).__name__} {exc.smtp_code} {reply}"
            kind = PermanentFailure if 500 <= exc.smtp_code < 600 else TransientFailure
        elif isinstance(exc, smtplib.SMTPServerDisconnected):
            detail, kind = f"{where}: connection dropped: {exc}", TransientFailure
        elif isinstance(exc, smtplib.SMTPException | ssl.SSLCertVerificationError):
            # SMTPNotSupportedError and bare SMTPException: the server lacks
            # STARTTLS, SMTPUTF8 or a login method; retrying cannot help.
            detail, kind = f"{where}: {type(exc).__name__}: {exc}", PermanentFailure
        elif isinstance(exc, TimeoutError):
            detail, kind = f"{where}: timed out: {exc}", TransientFailure
        else:
            detail, kind = f"{where}: {type(exc).__name__}: {exc}", TransientFailure
        return kind(self._scrub(detail))

    def _secret_forms(self) -> list[str]:
        settings = self._settings
        if not settings.password:
            return []
        user = settings.username or ""
        forms = [settings.password]
        for raw in (settings.password, f"\0{user}\0{settings.password}"):
            forms.append(base64.b64encode(raw.encode()).decode("ascii"))
        return forms

    def _secrets_in(self, text: str) -> bool:
        return any(form in text for form in self._secret_forms())

    def _scrub(self, text: str) -> str:
        for form in self._secret_forms():
            text = text.replace(form, "***")
        return text


def _log_in_utf8(client: smtplib.SMTP, username: str, password: str) -> None:
    """``AUTH PLAIN`` with UTF-8 credentials, as RFC 4616 defines it.

    ``smtplib`` sends credentials as ASCII and fails on any other character
    (python/cpython#73936), so a non-ASCII name or password logs in here.
    """
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    if "PLAIN" not in client.esmtp_features["auth"].upper().split():
        raise smtplib.SMTPException("a non-ASCII login needs AUTH PLAIN, which the server lacks")
    blob = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {blob}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address} {code} {_text(reply)}" for address, (code, reply) in refused.items()
    )
