"""Three real receivers that misbehave when told: an SMTP server, a webhook endpoint, a broker.

Each sits behind a :class:`~tests.delivery.gate.Gate`, which refuses
connections (``refuse``) or accepts and never answers (``hold``); the server
itself answers the other faults.  Each keeps what arrived, in order, as
``(message id, payload)`` — the id being the one its protocol carries (the
e-mail's Message-ID, ``webhook-id``, the AMQP ``message_id``), which a real
receiver deduplicates on — and the ids it refused for good (a permanent
answer), so that a test can tell which dead letters were deserved.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.parse
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs
import pika
from aiosmtpd.smtp import SMTP, Envelope, Session
from tests.adapters.rabbitmq import Broker
from tests.adapters.smtp_server import RecordingHandler
from tests.delivery.faults import CALM
from tests.delivery.gate import Gate, GateMode

from crm_returns.adapters.amqp import declare_topology
from crm_returns.adapters.smtp import SmtpMailer
from crm_returns.adapters.webhooks import verify
from crm_returns.cloudevents import to_json
from crm_returns.errors import WebhookVerificationFailed
from crm_returns.ports.delivery import OutboxMessage
from crm_returns.ports.notify import Email
from crm_returns.ports.store import Clock

__all__ = [
    "SENDER",
    "FaultyBroker",
    "FaultyMailHandler",
    "FaultyWebhookReceiver",
    "MailEachEvent",
]

SENDER = "退货中心 <returns@shop.example>"
DESK = "ops@shop.example"

#: How long a server that "answers slowly" waits: longer than any client's timeout.
HOLD_SECONDS = 1.0

#: Faults every receiver's gate makes.
_GATE_MODES = {"refuse": GateMode.REFUSE, "hold": GateMode.HOLD}


@attrs.frozen
class MailEachEvent:
    """A destination that mails each event to the operations desk, its Message-ID from the id.

    (Until the e-mail notifier lands, the plainest way to put SMTP behind the relay.)
    """

    name: str
    mailer: SmtpMailer

    def deliver(self, message: OutboxMessage) -> None:
        """Mail the event's CloudEvent as the body."""
        event = message.event
        self.mailer.send(
            Email(
                message_id=message.id,
                sender=SENDER,
                to=(DESK,),
                subject=f"退货单 {event.number}: {type(event).__name__}",
                text=to_json(message).decode(),
            )
        )


class FaultyMailHandler(RecordingHandler):
    """aiosmtpd's handler: takes mail, or answers 421, 451, 550, or takes it and stalls.

    Faults: ``421`` (at MAIL FROM), ``451`` and ``550`` (at the end of DATA),
    ``slow`` (the message is taken, the reply comes after the client gave up),
    and the gate's ``refuse`` and ``hold``.
    """

    FAULTS = ("refuse", "hold", "421", "451", "550", "slow")
    #: The faults that cost the client a timeout.
    SLOW = frozenset({"hold", "slow"})

    def __init__(self) -> None:
        super().__init__()
        self.mode = CALM
        self.gate: Gate | None = None
        self.arrivals: list[tuple[str, bytes]] = []
        self.refused_for_good: set[str] = set()

    def behave(self, mode: str) -> None:
        """Answer as ``mode`` says from now on."""
        assert self.gate is not None
        self.mode = mode
        self.gate.set_mode(_GATE_MODES.get(mode, GateMode.PASS))

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.mode == "421":
            return "421 4.3.2 shutting down for maintenance, try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        message_id = str(parsed["Message-ID"])
        if self.mode == "451":
            return "451 4.3.0 mailbox busy, try again later"
        if self.mode == "550":
            self.refused_for_good.add(message_id)
            return "550 5.7.1 message refused by policy"
        body = parsed.get_body(("plain",))
        assert body is not None
        self.arrivals.append((message_id, str(body.get_content()).encode()))
        if self.mode == "slow":
            await asyncio.sleep(HOLD_SECONDS)
        return "250 Message accepted for delivery"


class FaultyWebhookReceiver:
    """A webhook endpoint on a real socket that checks signatures; answers as told.

    Faults: ``500``, ``503`` (``Retry-After: 30``), ``429`` (``Retry-After: 3``),
    ``400`` (permanent), ``slow`` (the request is taken, no answer in time),
    and the gate's ``refuse`` and ``hold``.

    Args:
        secrets: The endpoint's secrets, to verify each request with.
        clock: The relay's clock (the signatures' timestamps come from it).
    """

    FAULTS = ("refuse", "hold", "500", "503", "429", "400", "slow")
    SLOW = frozenset({"hold", "slow"})

    def __init__(self, secrets: tuple[str, ...], clock: Clock) -> None:
        self.mode = CALM
        self.arrivals: list[tuple[str, bytes]] = []
        self.refused_for_good: set[str] = set()
        #: Requests whose signature did not verify (none, if all is well).
        self.forged: list[str] = []
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.take(self)

            def log_message(self, format: str, *args: object) -> None:
                """Keep the test output quiet."""

        self._secrets = secrets
        self._clock = clock
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.gate = Gate(("127.0.0.1", self._server.server_address[1]))
        self.url = f"http://127.0.0.1:{self.gate.port}/hooks/returns"

    def behave(self, mode: str) -> None:
        """Answer as ``mode`` says from now on."""
        self.mode = mode
        self.gate.set_mode(_GATE_MODES.get(mode, GateMode.PASS))

    def take(self, request: BaseHTTPRequestHandler) -> None:
        """Answer one request as the mode says."""
        body = request.rfile.read(int(request.headers.get("content-length", "0")))
        message_id = request.headers.get("webhook-id", "")
        try:
            verify(self._secrets, dict(request.headers.items()), body, now=self._clock.now())
        except WebhookVerificationFailed as failure:
            self.forged.append(f"{message_id}: {failure}")
        mode, status, headers = self.mode, 204, {}
        if mode == "slow":
            self.arrivals.append((message_id, body))
            self._release.wait(HOLD_SECONDS)
            return
        if mode in ("500", "503", "429", "400"):
            status = int(mode)
            headers = {"503": {"Retry-After": "30"}, "429": {"Retry-After": "3"}}.get(mode, {})
            if mode == "400":
                self.refused_for_good.add(message_id)
        else:
            self.arrivals.append((message_id, body))
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("content-length", "0")
        request.end_headers()

    def close(self) -> None:
        """Stop the gate and the server."""
        self._release.set()
        self.gate.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class FaultyBroker:
    """The real broker behind a gate, with the documented topology; nacks or drops when told.

    Faults: ``nack`` (a queue that takes nothing, ``x-max-length`` 0 with
    ``reject-publish``, is bound beside the events' queue: the broker nacks,
    though the events' queue kept a copy), ``unroutable`` (the events' queue
    is unbound: the message comes back unroutable), and the gate's ``refuse``
    and ``hold``.

    Args:
        broker: The test broker (names made there are deleted after the test).
    """

    FAULTS = ("refuse", "hold", "nack", "unroutable")
    SLOW = frozenset({"hold"})
    BINDING = "return.#"

    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self.exchange = self.queue = broker.name("faults")
        self._full = broker.name("full")
        channel = broker.channel
        declare_topology(channel, self.exchange, self.queue, binding_key=self.BINDING)
        channel.queue_declare(
            self._full, durable=True, arguments={"x-max-length": 0, "x-overflow": "reject-publish"}
        )
        parts = urllib.parse.urlsplit(broker.url)
        self.gate = Gate((parts.hostname or "127.0.0.1", parts.port or 5672))
        self.url = urllib.parse.urlunsplit(
            parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{self.gate.port}")
        )
        self.refused_for_good: set[str] = set()  # a broker never refuses for good
        self._bound = {self.queue: True, self._full: False}

    def behave(self, mode: str) -> None:
        """Answer as ``mode`` says from now on."""
        self.gate.set_mode(_GATE_MODES.get(mode, GateMode.PASS))
        self._bind(self.queue, mode != "unroutable")
        self._bind(self._full, mode == "nack")

    def _bind(self, queue: str, bound: bool) -> None:
        if self._bound[queue] is bound:
            return
        change: Callable[..., object] = (
            self._broker.channel.queue_bind if bound else self._broker.channel.queue_unbind
        )
        change(queue, self.exchange, routing_key=self.BINDING)
        self._bound[queue] = bound

    def arrivals(self) -> list[tuple[str, bytes]]:
        """What reached the events' queue, in order (taken from it)."""
        taken = []
        for _, properties, body in self._broker.drain(self.queue):
            assert isinstance(properties, pika.BasicProperties)
            taken.append((str(properties.message_id), body))
        return taken

    def close(self) -> None:
        """Stop the gate (the broker's names go with the test broker)."""
        self.gate.close()
