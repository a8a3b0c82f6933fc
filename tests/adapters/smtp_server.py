"""A real SMTP server for the SMTP adapter's tests: aiosmtpd on 127.0.0.1, told how to answer.

:class:`RecordingHandler` keeps every message the server takes and can be
told to refuse recipients or data with a given reply, or to drop the
connection.  :func:`running_server` starts aiosmtpd on a free port in a
thread; :func:`self_signed_certificate` makes a certificate for 127.0.0.1
with the ``openssl`` command, so that STARTTLS and implicit TLS are tested
against a real handshake.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

LOGIN = "returns@example.com"
PASSWORD = "pässwörd-口令-42"  # noqa: S105 - the test server's password, on purpose
ASCII_LOGIN = "plain@example.com"
ASCII_PASSWORD = "plain-password-42"  # noqa: S105 - the test server's password, on purpose
ACCOUNTS = {LOGIN: PASSWORD, ASCII_LOGIN: ASCII_PASSWORD}


class RecordingHandler:
    """Keeps what the server takes; answers as told.

    Attributes:
        received: Each message taken: its envelope recipients and the parsed message.
        refuse_rcpt: Replies to give at ``RCPT TO`` for given addresses.
        refuse_data: A reply to give at the end of ``DATA`` instead of taking the message.
        drop_after_data: Take the message, then close the connection without answering.
    """

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.refuse_data: str | None = None
        self.drop_after_data = False
        self.logins: list[str] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.refuse_data is not None:
            return self.refuse_data
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        if self.drop_after_data:
            assert server.transport is not None
            server.transport.abort()  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode()
        ok = ACCOUNTS.get(login) == data.password.decode()
        if ok:
            self.logins.append(login)
        # handled=False: aiosmtpd answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(handler: RecordingHandler, **smtp_options: Any) -> Iterator[int]:
    """aiosmtpd on 127.0.0.1, answering through ``handler``; yields its port."""
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        server_hostname="mail.test",
        authenticator=handler.authenticate,
        # auth_require_tls=False lets the plain-connection tests log in.  Most
        # tests talk to a server without SMTPUTF8, the stricter case; the
        # SMTPUTF8 test turns it on.
        **{"auth_require_tls": False, "enable_SMTPUTF8": False, **smtp_options},
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path] | None:
    """A certificate and key for 127.0.0.1 made by ``openssl``, or ``None`` without it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - a fixed command line, no outside input
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side of TLS with ``cert``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
