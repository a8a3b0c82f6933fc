"""The webhook destination, against a real HTTP server on 127.0.0.1.

The receiver fixture is a ``ThreadingHTTPServer`` in a thread: it records each
request and answers with what the test planned (a status, headers, a body, or
a stall that outlasts the destination's timeout).  Signatures are checked with
our :func:`verify` and, as a peer, with the ``standardwebhooks`` package.
"""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs
import hypothesis.strategies as st
import pytest
from hypothesis import given

from crm_returns import LineRef, RequestedLine
from crm_returns.adapters.memory import ManualClock
from crm_returns.adapters.system import SystemClock
from crm_returns.cloudevents import CONTENT_TYPE, to_json
from crm_returns.errors import (
    DeliveryFailed,
    DestinationGone,
    InvalidInput,
    PermanentFailure,
    TransientFailure,
    WebhookVerificationFailed,
)
from crm_returns.ports.delivery import Destination, OutboxMessage
from crm_returns.service import ReturnRequest
from crm_returns.testing import sample_wiring

# The suite also runs without the optional extras; then this module is skipped.
pytest.importorskip("httpx", reason="needs the webhooks extra")
pytest.importorskip("standardwebhooks", reason="needs the dev extra")

import standardwebhooks

from crm_returns.adapters.webhooks import (
    WebhookDestination,
    WebhookEndpoint,
    sign,
    verify,
)

OLD_SECRET = "whsec_" + base64.b64encode(b"the old secret, 32 bytes long!!!").decode()
NEW_SECRET = "whsec_" + base64.b64encode(b"the new secret, 32 bytes long!!!").decode()
STRANGER = "whsec_" + base64.b64encode(b"someone else's secret, 32 bytes").decode()
SECRETS = (OLD_SECRET, NEW_SECRET)
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@attrs.frozen
class Answer:
    """What the receiver answers to one request."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    stall: bool = False


@attrs.frozen
class Received:
    """One request as the receiver saw it (header names in lower case)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A webhook receiver on a real socket: records requests, answers as planned."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[Answer] = []
        #: Set at teardown, so that a stalled handler lets the server close.
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.received.append(
                    Received(
                        "POST",
                        self.path,
                        {name.lower(): value for name, value in self.headers.items()},
                        body,
                    )
                )
                answer = receiver.answers.pop(0) if receiver.answers else Answer()
                if answer.stall:
                    receiver.release.wait(timeout=10)
                    return
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                """Keep the test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host!s}:{port}/hooks/returns"

    def answer(self, *answers: Answer) -> None:
        """Answer the next requests with ``answers``, in order; then 200."""
        self.answers.extend(answers)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(
        target=receiver.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield receiver
    receiver.release.set()
    receiver.server.shutdown()
    receiver.server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def messages() -> list[OutboxMessage]:
    """The outbox after one return is created and submitted: drafted, submitted, approved."""
    wiring = sample_wiring()
    line = RequestedLine(LineRef("SO-1001", "1"), Decimal(1), "wrong_order")
    draft = wiring.service.create_return(wiring.clerk, ReturnRequest(lines=(line,)))
    wiring.service.submit_return(wiring.clerk, draft.id)
    return [message for _, message in wiring.database.committed.outbox.values()]


@pytest.fixture
def message(messages: list[OutboxMessage]) -> OutboxMessage:
    return messages[0]


def _endpoint(receiver: Receiver, **changes: object) -> WebhookEndpoint:
    fields: dict[str, object] = {
        "name": "crm-hooks",
        "url": receiver.url,
        "secrets": SECRETS,
        "timeout": timedelta(seconds=2),
        "headers": {"Authorization": "Bearer host-token-42"},
    }
    fields.update(changes)
    return WebhookEndpoint(**fields)  # type: ignore[arg-type]


@pytest.fixture
def destination(receiver: Receiver) -> Iterator[WebhookDestination]:
    with WebhookDestination(_endpoint(receiver), clock=ManualClock(NOW)) as destination:
        yield destination


def _failure(destination: WebhookDestination, message: OutboxMessage) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        destination.deliver(message)
    return caught.value


def _assert_no_secret_in(text: str) -> None:
    for secret in (*SECRETS, STRANGER):
        assert secret not in text
        assert secret.removeprefix("whsec_") not in text


# --- what is sent ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_a_2xx_answer_delivers_the_cloudevent_with_standard_webhooks_headers(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage, status: int
) -> None:
    receiver.answer(Answer(status))
    destination.deliver(message)

    [request] = receiver.received
    assert request.method == "POST"
    assert request.path == "/hooks/returns"
    assert request.body == to_json(message)
    assert request.headers["content-type"] == CONTENT_TYPE
    assert request.headers["webhook-id"] == message.id
    assert request.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert request.headers["authorization"] == "Bearer host-token-42"
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2
    assert all(signature.startswith("v1,") for signature in signatures)


def test_every_retry_carries_the_same_webhook_id_for_deduplication(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage
) -> None:
    receiver.answer(Answer(500))
    _failure(destination, message)
    destination.deliver(message)
    assert [r.headers["webhook-id"] for r in receiver.received] == [message.id, message.id]
    assert receiver.received[0].body == receiver.received[1].body


def test_the_signature_verifies_with_ours_and_with_the_standardwebhooks_package(
    receiver: Receiver, message: OutboxMessage
) -> None:
    # The system clock, because the peer library checks the timestamp against it.
    with WebhookDestination(_endpoint(receiver)) as destination:
        destination.deliver(message)
    [request] = receiver.received

    verify(SECRETS, request.headers, request.body, now=SystemClock().now())
    for secret in SECRETS:
        event = standardwebhooks.Webhook(secret).verify(request.body, request.headers)
        assert event["id"] == message.id
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(STRANGER).verify(request.body, request.headers)


@pytest.mark.parametrize("known", [OLD_SECRET, NEW_SECRET], ids=["old", "new"])
def test_during_a_rotation_a_receiver_knowing_either_secret_accepts(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage, known: str
) -> None:
    destination.deliver(message)
    [request] = receiver.received
    verify(known, request.headers, request.body, now=NOW)
    verify([STRANGER, known], request.headers, request.body, now=NOW)
    with pytest.raises(WebhookVerificationFailed):
        verify(STRANGER, request.headers, request.body, now=NOW)


# --- what each answer means -------------------------------------------------------------------


def test_410_says_the_destination_is_gone(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage
) -> None:
    receiver.answer(Answer(410, body=b"endpoint deleted"))
    error = _failure(destination, message)
    assert type(error) is DestinationGone
    assert "HTTP 410" in str(error)
    assert "endpoint deleted" in str(error)


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_are_transient_and_keep_retry_after_in_seconds(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage, status: int
) -> None:
    receiver.answer(Answer(status, headers=(("Retry-After", "120"),)))
    error = _failure(destination, message)
    assert type(error) is TransientFailure
    assert error.retry_after == timedelta(seconds=120)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_as_an_http_date_is_a_wait_from_the_clock(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage, status: int
) -> None:
    later = format_datetime(NOW + timedelta(minutes=3), usegmt=True)
    receiver.answer(Answer(status, headers=(("Retry-After", later),)))
    error = _failure(destination, message)
    assert type(error) is TransientFailure
    assert error.retry_after == timedelta(minutes=3)


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        (None, None),
        ("soon", None),
        ("-5", None),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), timedelta(0)),
    ],
    ids=["absent", "garbage", "negative", "a-past-date"],
)
def test_a_missing_or_unusable_retry_after_leaves_the_wait_to_the_schedule(
    receiver: Receiver,
    destination: WebhookDestination,
    message: OutboxMessage,
    retry_after: str | None,
    wait: timedelta | None,
) -> None:
    headers = () if retry_after is None else (("Retry-After", retry_after),)
    receiver.answer(Answer(429, headers=headers))
    error = _failure(destination, message)
    assert type(error) is TransientFailure
    assert error.retry_after == wait


@pytest.mark.parametrize("status", [408, 500, 502, 504, 599])
def test_other_5xx_and_408_are_transient(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage, status: int
) -> None:
    # A Retry-After here is not asked for by the rules, and is not taken.
    receiver.answer(Answer(status, headers=(("Retry-After", "60"),)))
    error = _failure(destination, message)
    assert type(error) is TransientFailure
    assert error.retry_after is None
    assert f"HTTP {status}" in str(error)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 413, 422])
def test_other_4xx_are_permanent(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage, status: int
) -> None:
    receiver.answer(Answer(status, body=b'{"error": "no such tenant"}'))
    error = _failure(destination, message)
    assert type(error) is PermanentFailure
    assert f"HTTP {status}" in str(error)
    assert "no such tenant" in str(error)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_is_permanent(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage, status: int
) -> None:
    receiver.answer(Answer(status, headers=(("Location", "http://127.0.0.1:9/elsewhere"),)))
    error = _failure(destination, message)
    assert type(error) is PermanentFailure
    assert len(receiver.received) == 1


def test_an_endpoint_that_stalls_is_a_transient_timeout(
    receiver: Receiver, message: OutboxMessage
) -> None:
    receiver.answer(Answer(stall=True))
    endpoint = _endpoint(receiver, timeout=timedelta(milliseconds=300))
    started = time.monotonic()
    with WebhookDestination(endpoint, clock=ManualClock(NOW)) as destination:
        error = _failure(destination, message)
    assert time.monotonic() - started < 3
    assert type(error) is TransientFailure
    assert "no answer within 0.3s" in str(error)


def test_an_endpoint_that_cannot_be_reached_is_transient(message: OutboxMessage) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port now; the token in the URL must not reach the error.
    endpoint = WebhookEndpoint(
        name="closed", url=f"http://127.0.0.1:{port}/hook?token=url-token-7", secrets=OLD_SECRET
    )
    with WebhookDestination(endpoint, clock=ManualClock(NOW)) as destination:
        error = _failure(destination, message)
    assert type(error) is TransientFailure
    assert "ConnectError" in str(error)
    assert "url-token-7" not in str(error)


def test_error_text_names_the_status_and_a_cut_body(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage
) -> None:
    receiver.answer(Answer(400, body=b"invalid payload: " + b"x" * 100_000))
    text = str(_failure(destination, message))
    assert text.startswith("webhook crm-hooks: HTTP 400: 'invalid payload: xxx")
    assert len(text) < 300


def test_no_failure_shows_a_secret(
    receiver: Receiver, destination: WebhookDestination, message: OutboxMessage
) -> None:
    # A receiver that echoes what it was sent must not make us print it either.
    receiver.answer(
        *(Answer(status, body=to_json(message)) for status in (400, 410, 429, 500, 503, 301))
    )
    for _ in range(6):
        error = _failure(destination, message)
        _assert_no_secret_in(str(error))
        _assert_no_secret_in(repr(error))
    _assert_no_secret_in(repr(destination.endpoint))
    assert "host-token-42" not in repr(destination.endpoint)


# --- the endpoint ---------------------------------------------------------------------------


def test_a_lone_secret_string_is_one_secret() -> None:
    endpoint = WebhookEndpoint(name="one", url="https://example.com/hook", secrets=OLD_SECRET)
    assert endpoint.secrets == (OLD_SECRET,)


@pytest.mark.parametrize(
    "changes",
    [
        {"secrets": ()},
        {"secrets": ("not-a-whsec-secret",)},
        {"secrets": ("whsec_***not base64***",)},
        {"secrets": ("whsec_",)},
        {"url": "ftp://example.com/hook"},
        {"url": "not a url"},
        {"timeout": timedelta(0)},
        {"headers": {"Webhook-Signature": "v1,forged"}},
        {"headers": {"Content-Type": "text/plain"}},
    ],
    ids=[
        "no-secret",
        "no-prefix",
        "not-base64",
        "empty-key",
        "not-http",
        "not-a-url",
        "no-timeout",
        "our-header",
        "content-type",
    ],
)
def test_an_endpoint_refuses_bad_settings_without_echoing_secrets(
    receiver: Receiver, changes: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _endpoint(receiver, **changes)
    assert "***not base64***" not in str(caught.value)
    assert "not-a-whsec-secret" not in str(caught.value)


# --- verify ---------------------------------------------------------------------------------


@pytest.fixture
def signed(message: OutboxMessage) -> tuple[dict[str, str], bytes]:
    """Headers and body of a request signed with both secrets at :data:`NOW`."""
    body = to_json(message)
    stamp = int(NOW.timestamp())
    headers = {
        "Webhook-Id": message.id,
        "Webhook-Timestamp": str(stamp),
        "Webhook-Signature": sign(SECRETS, message.id, stamp, body),
    }
    return headers, body


def test_verify_accepts_header_names_in_any_case(signed: tuple[dict[str, str], bytes]) -> None:
    headers, body = signed
    verify(SECRETS, headers, body, now=NOW)
    verify(SECRETS, {name.upper(): value for name, value in headers.items()}, body, now=NOW)


def test_verify_wants_the_body_as_the_bytes_received(
    signed: tuple[dict[str, str], bytes],
) -> None:
    headers, body = signed
    with pytest.raises(InvalidInput, match="body as bytes, not str"):
        verify(SECRETS, headers, body.decode(), now=NOW)  # type: ignore[arg-type]


def test_verify_refuses_a_tampered_body(signed: tuple[dict[str, str], bytes]) -> None:
    headers, body = signed
    tampered = body.replace(b"RT-20261127-000001", b"RT-20261127-000002")
    assert tampered != body
    with pytest.raises(WebhookVerificationFailed, match="no signature matches"):
        verify(SECRETS, headers, tampered, now=NOW)


def test_verify_refuses_a_changed_id_or_timestamp(signed: tuple[dict[str, str], bytes]) -> None:
    headers, body = signed
    for name, value in (
        ("Webhook-Id", "id-999"),
        ("Webhook-Timestamp", str(int(NOW.timestamp()) + 1)),
    ):
        with pytest.raises(WebhookVerificationFailed, match="no signature matches"):
            verify(SECRETS, {**headers, name: value}, body, now=NOW)


@pytest.mark.parametrize("skew", [timedelta(minutes=6), timedelta(minutes=-6)], ids=["old", "new"])
def test_verify_refuses_a_timestamp_outside_the_tolerance(
    signed: tuple[dict[str, str], bytes], skew: timedelta
) -> None:
    headers, body = signed
    with pytest.raises(WebhookVerificationFailed, match="beyond the tolerance of 300s"):
        verify(SECRETS, headers, body, now=NOW + skew)
    verify(SECRETS, headers, body, now=NOW + skew, tolerance=timedelta(minutes=7))
    verify(SECRETS, headers, body, now=NOW + timedelta(minutes=5))


def test_verify_refuses_a_wrong_secret_without_showing_any(
    signed: tuple[dict[str, str], bytes],
) -> None:
    headers, body = signed
    with pytest.raises(WebhookVerificationFailed) as caught:
        verify(STRANGER, headers, body, now=NOW)
    assert isinstance(caught.value, InvalidInput)
    _assert_no_secret_in(str(caught.value))
    assert sign(STRANGER, headers["Webhook-Id"], int(NOW.timestamp()), body)[3:] not in str(
        caught.value
    )


@pytest.mark.parametrize("missing", ["Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"])
def test_verify_refuses_a_request_missing_a_header(
    signed: tuple[dict[str, str], bytes], missing: str
) -> None:
    headers, body = signed
    del headers[missing]
    with pytest.raises(WebhookVerificationFailed, match=missing.lower()):
        verify(SECRETS, headers, body, now=NOW)


@pytest.mark.parametrize("stamp", ["1.5e9", "-1", "soon", "１２３"])
def test_verify_refuses_a_timestamp_that_is_not_unix_seconds(
    signed: tuple[dict[str, str], bytes], stamp: str
) -> None:
    headers, body = signed
    with pytest.raises(WebhookVerificationFailed, match="not unix seconds"):
        verify(SECRETS, {**headers, "Webhook-Timestamp": stamp}, body, now=NOW)


def test_verify_refuses_a_naive_now(signed: tuple[dict[str, str], bytes]) -> None:
    headers, body = signed
    with pytest.raises(InvalidInput, match="timezone-aware"):
        verify(SECRETS, headers, body, now=NOW.replace(tzinfo=None))


# --- properties -----------------------------------------------------------------------------

_secrets = st.binary(min_size=1, max_size=64).map(
    lambda key: "whsec_" + base64.b64encode(key).decode()
)
_ids = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40)


@given(
    secret=_secrets,
    message_id=_ids,
    timestamp=st.integers(0, 2**34),
    body=st.binary(min_size=1, max_size=512),
    data=st.data(),
)
def test_sign_then_verify_holds_and_any_changed_byte_of_the_body_fails(
    secret: str, message_id: str, timestamp: int, body: bytes, data: st.DataObject
) -> None:
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    now = datetime.fromtimestamp(timestamp, UTC)
    verify(secret, headers, body, now=now)

    at = data.draw(st.integers(0, len(body) - 1), label="at")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != body[at]), label="byte")
    changed = body[:at] + bytes([byte]) + body[at + 1 :]
    with pytest.raises(WebhookVerificationFailed):
        verify(secret, headers, changed, now=now)


@given(secret=_secrets, message_id=_ids, timestamp=st.integers(0, 2**34), body=st.binary())
def test_our_signature_is_the_standardwebhooks_signature(
    secret: str, message_id: str, timestamp: int, body: bytes
) -> None:
    peer = standardwebhooks.Webhook(secret).sign(
        message_id, datetime.fromtimestamp(timestamp, UTC), body
    )
    assert sign(secret, message_id, timestamp, body) == peer


# --- through the relay ----------------------------------------------------------------------


def test_the_relay_delivers_a_returns_events_in_order_through_the_webhook(
    receiver: Receiver,
) -> None:
    wiring = sample_wiring()
    line = RequestedLine(LineRef("SO-1001", "1"), Decimal(1), "wrong_order")
    draft = wiring.service.create_return(wiring.clerk, ReturnRequest(lines=(line,)))
    wiring.service.submit_return(wiring.clerk, draft.id)
    outbox = [message.id for _, message in wiring.database.committed.outbox.values()]

    with WebhookDestination(_endpoint(receiver), clock=wiring.clock) as destination:
        port: Destination = destination  # mypy checks it implements the port
        report = wiring.service.relay([port]).run_until_idle()

    assert report.delivered == len(outbox) == 3
    assert [request.headers["webhook-id"] for request in receiver.received] == outbox


def test_a_410_through_the_relay_disables_the_destination(receiver: Receiver) -> None:
    wiring = sample_wiring()
    line = RequestedLine(LineRef("SO-1001", "1"), Decimal(1), "wrong_order")
    wiring.service.create_return(wiring.clerk, ReturnRequest(lines=(line,)))
    receiver.answer(Answer(410, body=b"gone for good"))

    with WebhookDestination(_endpoint(receiver), clock=wiring.clock) as destination:
        relay = wiring.service.relay([destination])
        relay.run_once()

    [state] = relay.states()
    assert state.name == "crm-hooks"
    assert state.disabled_at is not None
    assert "HTTP 410" in state.disabled_reason
    assert len(receiver.received) == 1
