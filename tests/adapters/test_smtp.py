"""The SMTP mailer against a real SMTP server (aiosmtpd on 127.0.0.1).

Every send goes through a real connection; the server is told to refuse,
require a login or drop the line, and each test checks the failure kind the
relay would see.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import attrs
import pytest
from tests.adapters.smtp_server import (
    ASCII_LOGIN,
    ASCII_PASSWORD,
    LOGIN,
    PASSWORD,
    RecordingHandler,
    free_port,
    running_server,
    self_signed_certificate,
    server_context,
)

from crm_returns.adapters.memory import ManualClock, MemoryMailer
from crm_returns.adapters.smtp import SmtpMailer, SmtpSecurity, SmtpSettings, message_id_header
from crm_returns.errors import InvalidInput, PermanentFailure, TransientFailure
from crm_returns.ports import Email

SENT_AT = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

CHINESE = Email(
    message_id="3f2a9c1e-7b4d-4e8a-9c61-0d5e2b7a4f10",
    sender="退货中心 <returns@example.com>",
    to=("张伟 <zhang.wei@example.com>",),
    subject="退货单 RO-0001 已批准：请寄回商品",
    text="您好，张伟：\n\n您的退货单 RO-0001 已批准，退款金额 ¥128.50。\n请在 7 天内寄回商品。\n",
    html="<p>您好，<b>张伟</b>：</p><p>退货单 RO-0001 已批准，退款 ¥128.50。</p>",
)


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def port(handler: RecordingHandler) -> Iterator[int]:
    with running_server(handler) as port:
        yield port


def plain(port: int, **changes: object) -> SmtpSettings:
    options: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": SmtpSecurity.NONE,
        "timeout": timedelta(seconds=5),
        "local_hostname": "crm.test",
    }
    options.update(changes)
    return SmtpSettings(**options)  # type: ignore[arg-type]


def mailer(settings: SmtpSettings) -> SmtpMailer:
    return SmtpMailer(settings, clock=ManualClock(SENT_AT))


def only(handler: RecordingHandler) -> EmailMessage:
    assert len(handler.received) == 1
    return handler.received[0][1]


def test_chinese_subject_and_body_arrive_equal(handler: RecordingHandler, port: int) -> None:
    mailer(plain(port)).send(CHINESE)

    message = only(handler)
    assert message["Subject"] == CHINESE.subject
    assert message["From"] == CHINESE.sender
    assert message["To"] == CHINESE.to[0]
    text = message.get_body(("plain",))
    assert text is not None
    # MIME text travels with CRLF line ends (RFC 2045 canonical form).
    assert text.get_content().replace("\r\n", "\n") == CHINESE.text
    assert text.get_content_charset() == "utf-8"


def test_the_html_is_an_alternative_to_the_text(handler: RecordingHandler, port: int) -> None:
    mailer(plain(port)).send(CHINESE)

    message = only(handler)
    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(("html",))
    assert html is not None
    assert html.get_content().rstrip("\r\n") == CHINESE.html


def test_without_html_the_message_is_plain_text(handler: RecordingHandler, port: int) -> None:
    mailer(plain(port)).send(attrs.evolve(CHINESE, html=None))

    assert only(handler).get_content_type() == "text/plain"


def test_the_wire_is_seven_bit_so_any_server_carries_it() -> None:
    wire = mailer(plain(25)).compose(CHINESE).as_bytes()

    assert wire.isascii()


def test_message_id_and_date_are_set(handler: RecordingHandler, port: int) -> None:
    mailer(plain(port)).send(CHINESE)

    message = only(handler)
    assert message["Message-ID"] == "<3f2a9c1e-7b4d-4e8a-9c61-0d5e2b7a4f10@example.com>"
    assert message["Date"].datetime == SENT_AT


def test_a_resend_carries_the_same_message_id(handler: RecordingHandler, port: int) -> None:
    # Another mailer with other settings stands for another application instance.
    mailer(plain(port)).send(CHINESE)
    mailer(plain(port, local_hostname="other.test")).send(CHINESE)

    ids = {message["Message-ID"] for _, message in handler.received}
    assert len(handler.received) == 2
    assert ids == {"<3f2a9c1e-7b4d-4e8a-9c61-0d5e2b7a4f10@example.com>"}


@pytest.mark.parametrize(
    ("given", "header"),
    [
        ("<abc@mail.example.org>", "<abc@mail.example.org>"),
        ("abc@mail.example.org", "<abc@mail.example.org>"),
        ("msg 1.2", "<msg%201%2E2@example.com>"),
        ("退货-1", "<%E9%80%80%E8%B4%A7-1@example.com>"),
        ("a<b>", "<a%3Cb%3E@example.com>"),
    ],
)
def test_any_message_id_becomes_a_valid_header(given: str, header: str) -> None:
    assert message_id_header(given, "退货中心 <returns@example.com>") == header


def test_a_sender_without_a_domain_still_gives_a_valid_id() -> None:
    assert message_id_header("m-1", "returns") == "<m-1@crm-returns.invalid>"


def test_an_email_without_a_message_id_is_refused_for_good(port: int) -> None:
    with pytest.raises(PermanentFailure, match="no message id"):
        mailer(plain(port)).send(attrs.evolve(CHINESE, message_id=""))


def test_a_subject_with_a_line_break_is_refused_for_good(
    handler: RecordingHandler, port: int
) -> None:
    injected = attrs.evolve(CHINESE, subject="hi\r\nBcc: victim@example.com")

    with pytest.raises(PermanentFailure, match="cannot be written"):
        mailer(plain(port)).send(injected)
    assert handler.received == []


def test_names_in_addresses_stay_out_of_the_envelope(handler: RecordingHandler, port: int) -> None:
    # The server offers no SMTPUTF8: Chinese display names must not need it.
    mailer(plain(port)).send(CHINESE)

    assert [rcpts for rcpts, _ in handler.received] == [["zhang.wei@example.com"]]


def test_a_non_ascii_address_needs_a_server_with_smtputf8(port: int) -> None:
    to_chinese_mailbox = attrs.evolve(CHINESE, to=("张伟 <张伟@example.com>",))

    with pytest.raises(PermanentFailure, match="SMTPUTF8"):
        mailer(plain(port)).send(to_chinese_mailbox)


def test_a_non_ascii_address_goes_through_a_server_with_smtputf8(
    handler: RecordingHandler,
) -> None:
    to_chinese_mailbox = attrs.evolve(CHINESE, to=("张伟 <张伟@example.com>",))
    with running_server(handler, enable_SMTPUTF8=True) as port:
        mailer(plain(port)).send(to_chinese_mailbox)

    assert [rcpts for rcpts, _ in handler.received] == [["张伟@example.com"]]
    assert only(handler)["Subject"] == CHINESE.subject


@pytest.mark.parametrize(("login", "password"), [(LOGIN, PASSWORD), (ASCII_LOGIN, ASCII_PASSWORD)])
def test_a_login_with_the_right_password_sends(
    handler: RecordingHandler, port: int, login: str, password: str
) -> None:
    # A non-ASCII password goes through the adapter's own AUTH PLAIN (smtplib
    # cannot send one); an ASCII one through smtplib's login.
    mailer(plain(port, username=login, password=password)).send(CHINESE)

    assert handler.logins == [login]
    assert len(handler.received) == 1


@pytest.mark.parametrize(
    ("login", "wrong"), [(LOGIN, "wrong-秘密-password"), (ASCII_LOGIN, "wrong-password")]
)
def test_a_wrong_password_is_permanent_and_never_shown(port: int, login: str, wrong: str) -> None:
    settings = plain(port, username=login, password=wrong)
    with pytest.raises(PermanentFailure, match="535") as raised:
        mailer(settings).send(CHINESE)

    assert wrong not in str(raised.value)
    assert wrong not in repr(settings)


@pytest.mark.parametrize(("login", "password"), [(LOGIN, PASSWORD), (ASCII_LOGIN, ASCII_PASSWORD)])
def test_a_login_to_a_server_without_auth_is_permanent(
    handler: RecordingHandler, login: str, password: str
) -> None:
    # aiosmtpd offers no AUTH on a plain connection when it requires TLS for it.
    with running_server(handler, auth_require_tls=True) as port:
        settings = plain(port, username=login, password=password)
        with pytest.raises(PermanentFailure, match="AUTH"):
            mailer(settings).send(CHINESE)
    assert handler.received == []


def test_a_non_ascii_login_needs_auth_plain(handler: RecordingHandler) -> None:
    with running_server(handler, auth_exclude_mechanism=["PLAIN"]) as port:
        mailer(plain(port, username=ASCII_LOGIN, password=ASCII_PASSWORD)).send(CHINESE)
        with pytest.raises(PermanentFailure, match="AUTH PLAIN"):
            mailer(plain(port, username=LOGIN, password=PASSWORD)).send(CHINESE)

    assert handler.logins == [ASCII_LOGIN]


def test_a_reply_that_echoes_the_password_is_scrubbed(handler: RecordingHandler, port: int) -> None:
    handler.refuse_rcpt["zhang.wei@example.com"] = f"550 no such user; you said {ASCII_PASSWORD}"

    settings = plain(port, username=ASCII_LOGIN, password=ASCII_PASSWORD)
    with pytest.raises(PermanentFailure, match="550") as raised:
        mailer(settings).send(CHINESE)

    assert ASCII_PASSWORD not in str(raised.value)
    assert "***" in str(raised.value)
    assert raised.value.__cause__ is None


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("450 4.2.1 Mailbox busy, try later", TransientFailure),
        ("550 5.1.1 No such user", PermanentFailure),
    ],
)
def test_a_refused_recipient_maps_by_reply_class(
    handler: RecordingHandler, port: int, reply: str, kind: type[Exception]
) -> None:
    handler.refuse_rcpt["zhang.wei@example.com"] = reply

    with pytest.raises(kind, match=reply[:3]):
        mailer(plain(port)).send(CHINESE)
    assert handler.received == []


def test_every_recipient_refused_with_one_temporary_reply_is_transient(
    handler: RecordingHandler, port: int
) -> None:
    handler.refuse_rcpt = {"a@example.com": "550 5.1.1 No such user", "b@example.com": "451 Later"}
    both = attrs.evolve(CHINESE, to=("a@example.com", "b@example.com"))

    with pytest.raises(TransientFailure):
        mailer(plain(port)).send(both)


def test_some_recipients_refused_is_sent_and_logged(
    handler: RecordingHandler, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    handler.refuse_rcpt = {"gone@example.com": "550 5.1.1 No such user"}
    two = attrs.evolve(CHINESE, to=("zhang.wei@example.com", "gone@example.com"))

    with caplog.at_level(logging.WARNING, logger="crm_returns.smtp"):
        mailer(plain(port)).send(two)

    assert [rcpts for rcpts, _ in handler.received] == [["zhang.wei@example.com"]]
    assert "gone@example.com 550" in caplog.text


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("451 4.3.0 Local error, try later", TransientFailure),
        ("554 5.6.0 Message rejected as spam", PermanentFailure),
    ],
)
def test_a_refused_message_maps_by_reply_class(
    handler: RecordingHandler, port: int, reply: str, kind: type[Exception]
) -> None:
    handler.refuse_data = reply

    with pytest.raises(kind, match=reply[:3]):
        mailer(plain(port)).send(CHINESE)


def test_a_connection_dropped_after_the_data_is_transient(
    handler: RecordingHandler, port: int
) -> None:
    # The server took the message; the resend that follows is a duplicate
    # with the same Message-ID, as the module documents.
    handler.drop_after_data = True

    with pytest.raises(TransientFailure, match="connection dropped"):
        mailer(plain(port)).send(CHINESE)
    assert len(handler.received) == 1


def test_a_refused_connection_is_transient() -> None:
    with pytest.raises(TransientFailure, match="ConnectionRefusedError"):
        mailer(plain(free_port())).send(CHINESE)


def test_a_server_that_never_answers_times_out_as_transient() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = plain(silent.getsockname()[1], timeout=timedelta(seconds=0.3))
        with pytest.raises(TransientFailure, match="timed out"):
            mailer(settings).send(CHINESE)


def test_a_connect_timeout_is_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    # A host that drops SYNs cannot be made on loopback; the connect call
    # fails as it would after the timeout.
    def unreachable(*args: object, **kwargs: object) -> socket.socket:
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(TransientFailure, match="timed out"):
        mailer(plain(25)).send(CHINESE)


def test_a_server_without_starttls_is_permanent_for_a_starttls_mailer(port: int) -> None:
    with pytest.raises(PermanentFailure, match="STARTTLS"):
        mailer(plain(port, security=SmtpSecurity.STARTTLS)).send(CHINESE)


def test_an_email_without_recipients_is_refused_for_good(port: int) -> None:
    with pytest.raises(PermanentFailure, match="no recipients"):
        mailer(plain(port)).send(attrs.evolve(CHINESE, to=()))


# TLS: a certificate for 127.0.0.1 made for the test by the openssl command.


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    made = self_signed_certificate(tmp_path)
    if made is None:
        pytest.skip("the openssl command is not installed")
    return made


def trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def test_starttls_upgrades_logs_in_and_sends(
    handler: RecordingHandler, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    options = {"tls_context": server_context(cert, key), "require_starttls": True}
    with running_server(handler, **options) as port:
        settings = plain(
            port,
            security=SmtpSecurity.STARTTLS,
            ssl_context=trusting(cert),
            username=LOGIN,
            password=PASSWORD,
        )
        mailer(settings).send(CHINESE)

    assert handler.logins == [LOGIN]
    assert only(handler)["Subject"] == CHINESE.subject


def test_an_untrusted_certificate_is_permanent(
    handler: RecordingHandler, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    options = {"tls_context": server_context(cert, key), "require_starttls": True}
    with running_server(handler, **options) as port:
        # The system's trust store does not know the test's certificate.
        settings = plain(port, security=SmtpSecurity.STARTTLS)
        with pytest.raises(PermanentFailure, match="SSLCertVerificationError"):
            mailer(settings).send(CHINESE)
    assert handler.received == []


def test_implicit_tls_sends(handler: RecordingHandler, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with running_server(handler, ssl_context=server_context(cert, key)) as port:
        settings = plain(port, security=SmtpSecurity.TLS, ssl_context=trusting(cert))
        mailer(settings).send(CHINESE)

    assert only(handler)["Subject"] == CHINESE.subject


# Settings


@pytest.mark.parametrize(
    ("security", "port"),
    [(SmtpSecurity.NONE, 25), (SmtpSecurity.STARTTLS, 587), (SmtpSecurity.TLS, 465)],
)
def test_the_port_defaults_by_security(security: SmtpSecurity, port: int) -> None:
    assert SmtpSettings(host="smtp.example.com", security=security).effective_port == port


def test_starttls_is_the_default_security() -> None:
    settings = SmtpSettings(host="smtp.example.com")

    assert settings.security is SmtpSecurity.STARTTLS
    assert SmtpMailer(settings).settings is settings


@pytest.mark.parametrize(
    "changes",
    [
        {"host": " "},
        {"port": 0},
        {"port": 70000},
        {"port": True},
        {"timeout": timedelta(0)},
        {"timeout": 5},
        {"username": "someone"},
        {"password": "secret"},
    ],
)
def test_settings_refuse_what_cannot_work(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        SmtpSettings(**{"host": "smtp.example.com", **changes})  # type: ignore[arg-type]


# The in-memory mailer


def test_the_memory_mailer_keeps_what_it_sends() -> None:
    memory = MemoryMailer()
    memory.send(CHINESE)

    assert memory.sent == [CHINESE]
    assert memory.attempted == [CHINESE]


def test_the_memory_mailer_fails_as_told_and_counts_the_attempt() -> None:
    memory = MemoryMailer()
    memory.failure = PermanentFailure("550 no such user")

    with pytest.raises(PermanentFailure):
        memory.send(CHINESE)
    memory.failure = None
    memory.send(CHINESE)

    assert memory.sent == [CHINESE]
    assert memory.attempted == [CHINESE, CHINESE]
