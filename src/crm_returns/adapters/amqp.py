"""The RabbitMQ destination: every outbox message published to a topic exchange, confirmed.

Needs the ``amqp`` extra (``pip install 'crm-returns[amqp]'``), which brings
pika; nothing else in the package imports it::

    from crm_returns.adapters.amqp import AmqpDestination, AmqpSettings, declare_topology

    settings = AmqpSettings(url="amqp://user:secret@broker:5672/%2F", exchange="crm-returns")
    declare_topology(settings.url, settings.exchange, "crm-returns.events")  # once, at deploy
    destination = AmqpDestination(settings)  # give it to the relay; close() it at shutdown

Each message is the CloudEvent of :func:`crm_returns.cloudevents.to_json`
(structured mode), published persistent and ``mandatory`` on a channel in
publisher-confirm mode, with the routing key ``return.<what>.v<n>``
(:func:`routing_key`).  A message counts as delivered only when the broker
has acknowledged it; every failure is a
:class:`~crm_returns.errors.TransientFailure`, so that the relay keeps the
message and tries again:

- a ``basic.nack`` (a queue refused it: full with ``reject-publish``, or failing);
- a message returned as unroutable (no queue is bound for its key: the
  topology is missing or incomplete, which an operator fixes; the broker has
  dropped the message, so dead-lettering it at once would leave only our copy);
- a channel the broker closed (the exchange does not exist) or a connection
  that failed, was refused or was closed: the next :meth:`AmqpDestination.deliver`
  connects again.

Delivery is at least once: a message whose acknowledgement was lost on the
way is published again, with the same ``message_id``; consumers deduplicate
on it.  ``docs/amqp.md`` has the topology, the properties and the
consumer's side.
"""

from __future__ import annotations

import contextlib
import threading
import urllib.parse
from datetime import timedelta
from types import MappingProxyType, TracebackType
from typing import Final, Self

import attrs
import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection

from crm_returns.cloudevents import CONTENT_TYPE, event_type, to_cloudevent, to_json
from crm_returns.errors import CrmReturnsError, InvalidInput, TransientFailure, quoted
from crm_returns.ports.delivery import OutboxMessage

__all__ = [
    "AmqpDestination",
    "AmqpSettings",
    "Topology",
    "TopologyError",
    "declare_topology",
    "message_properties",
    "routing_key",
]

#: What every CloudEvents type starts with and a routing key leaves out.
_TYPE_PREFIX: Final = "com.crm-returns."

#: AMQP 0-9-1 ``delivery-mode`` 2: the broker writes the message to disk.
_PERSISTENT: Final = 2

#: The CloudEvents attributes copied into the headers, so that a consumer can
#: filter without parsing the body (the body stays the whole event).
_HEADER_ATTRIBUTES: Final = ("specversion", "id", "source", "type", "subject", "time")

#: The queues of the documented topology are quorum queues: replicated, durable.
_QUORUM_QUEUE: Final = MappingProxyType({"x-queue-type": "quorum"})


class TopologyError(CrmReturnsError):
    """The broker could not be reached, or refused the topology.

    It refuses a declaration when an exchange or a queue of that name already
    exists with other arguments (a classic queue where a quorum queue is
    declared, say): delete it or choose other names.
    """


def _safe_url(url: str) -> str:
    """``url`` with its password masked, for messages and ``repr``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _masked(url: str) -> str:
    """The ``repr`` of a URL, its password masked."""
    return repr(_safe_url(url))


def _amqp_url(_instance: object, _attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or urllib.parse.urlsplit(value).scheme not in {"amqp", "amqps"}:
        shown = _safe_url(value) if isinstance(value, str) else value
        raise InvalidInput(f"url must be an amqp:// or amqps:// URL, got {quoted(shown)}")


def _short_name(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    # AMQP names are short strings: at most 255 bytes.
    if not isinstance(value, str) or not value or len(value.encode()) > 255:
        raise InvalidInput(
            f"{attribute.name} must be a name of 1 to 255 bytes, got {quoted(value)}"
        )


def _source(_instance: object, _attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise InvalidInput(f"source must be a non-empty text or None, got {quoted(value)}")


def _span(_instance: object, attribute: attrs.Attribute[timedelta], value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInput(f"{attribute.name} must be a timedelta above zero, got {quoted(value)}")


@attrs.frozen(kw_only=True)
class AmqpSettings:
    """Where and how :class:`AmqpDestination` publishes.

    Attributes:
        url: The broker, as ``amqp://user:password@host:port/vhost`` (the
            default vhost ``/`` is ``%2F``), or ``amqps://`` for TLS; its
            password is masked in ``repr`` and in messages.
        exchange: The topic exchange to publish to (see :func:`declare_topology`).
        name: The destination's name: the relay keeps its cursor, deliveries
            and dead letters under it, and the broker shows it as the
            connection's name.
        source: The CloudEvents ``source``; ``/crm-returns/<tenant>`` by default.
        connect_timeout: How long connecting (TCP, TLS and the AMQP handshake)
            may take.
        heartbeat: The heartbeat asked of the broker; a connection left idle
            longer than about twice this is closed by the broker and opened
            again on the next message.
        blocked_timeout: How long a publish may wait while the broker blocks
            publishers (a memory or disk alarm) before it fails as transient.

    Raises:
        InvalidInput: A URL that is not ``amqp://`` or ``amqps://``, an empty
            or over-long name, or a timeout that is not above zero.
    """

    url: str = attrs.field(
        default="amqp://guest:guest@127.0.0.1:5672/%2F", validator=_amqp_url, repr=_masked
    )
    exchange: str = attrs.field(default="crm-returns", validator=_short_name)
    name: str = attrs.field(default="amqp", validator=_short_name)
    source: str | None = attrs.field(default=None, validator=_source)
    connect_timeout: timedelta = attrs.field(default=timedelta(seconds=10), validator=_span)
    heartbeat: timedelta = attrs.field(default=timedelta(seconds=60), validator=_span)
    blocked_timeout: timedelta = attrs.field(default=timedelta(seconds=30), validator=_span)

    def parameters(self) -> pika.URLParameters:
        """The connection parameters for pika: the URL's, with these timeouts and name."""
        parameters = pika.URLParameters(self.url)
        seconds = self.connect_timeout.total_seconds()
        parameters.socket_timeout = seconds
        parameters.stack_timeout = seconds
        parameters.heartbeat = max(1, round(self.heartbeat.total_seconds()))
        parameters.blocked_connection_timeout = self.blocked_timeout.total_seconds()
        parameters.connection_attempts = 1  # the relay's schedule does the retrying
        parameters.client_properties = {"connection_name": f"crm-returns {self.name}"}
        return parameters


def routing_key(message: OutboxMessage) -> str:
    """The routing key of ``message``: its CloudEvents type less ``com.crm-returns.``.

    ``com.crm-returns.return.approved.v1`` is published as
    ``return.approved.v1``, so that a queue bound with ``return.#`` takes
    every event, ``return.approved.*`` every version of one, and
    ``return.*.v1`` every event of one version.
    """
    return event_type(message.event).removeprefix(_TYPE_PREFIX)


def message_properties(message: OutboxMessage, source: str | None = None) -> pika.BasicProperties:
    """The AMQP properties ``message`` is published with: the same every time it is published.

    ``message_id`` is the outbox message's id (deduplicate on it), ``type``
    the CloudEvents type, ``timestamp`` the event's time in whole seconds,
    the message is persistent, and the headers carry the CloudEvents
    attributes as ``ce-<attribute>``.

    Args:
        message: The outbox message.
        source: The CloudEvents ``source``; by default ``/crm-returns/<tenant>``.
    """
    event = to_cloudevent(message, source)
    # BasicProperties is the one class of pika's that the library left unannotated.
    return pika.BasicProperties(  # type: ignore[no-untyped-call]
        content_type=CONTENT_TYPE,
        delivery_mode=_PERSISTENT,
        message_id=message.id,
        type=event["type"],
        timestamp=int(message.event.at.timestamp()),
        app_id="crm-returns",
        headers={f"ce-{name}": event[name] for name in _HEADER_ATTRIBUTES},
    )


class AmqpDestination:
    """Publishes outbox messages to a RabbitMQ exchange and waits for the broker's confirm.

    Connects on the first message, keeps one connection and one channel, and
    connects again after either fails.  Safe to share between threads: one
    message is published at a time.  Close it when done (or use it as a
    context manager).

    Args:
        settings: The broker, the exchange and the timeouts.
    """

    def __init__(self, settings: AmqpSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._connection: BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    @property
    def name(self) -> str:
        """The destination's name (``settings.name``)."""
        return self._settings.name

    @property
    def settings(self) -> AmqpSettings:
        """Where and how it publishes."""
        return self._settings

    def deliver(self, message: OutboxMessage) -> None:
        """Publish ``message`` and return once the broker has confirmed it.

        Raises:
            TransientFailure: The broker refused the message (``basic.nack``),
                routed it to no queue, or could not be reached, or the
                connection or channel failed; the message may be published
                again later.
        """
        settings = self._settings
        body = to_json(message, settings.source)
        properties = message_properties(message, settings.source)
        key = routing_key(message)
        what = f"message {message.id} ({key}) to exchange {settings.exchange!r}"
        with self._lock:
            try:
                channel = self._open_channel()
                channel.basic_publish(settings.exchange, key, body, properties, mandatory=True)
            except pika.exceptions.UnroutableError as error:
                raise TransientFailure(
                    f"the broker routed {what} to no queue: bind a queue for {key!r}"
                    " (declare_topology binds one for every event)"
                ) from error
            except pika.exceptions.NackError as error:
                raise TransientFailure(
                    f"the broker refused {what} (basic.nack: a queue is full or failing)"
                ) from error
            except pika.exceptions.AMQPChannelError as error:
                self._drop_channel()
                raise TransientFailure(
                    f"the channel failed publishing {what}: {error!r}"
                ) from error
            except (pika.exceptions.AMQPError, OSError) as error:
                self._drop_connection()
                raise TransientFailure(
                    f"could not publish {what} at {_safe_url(settings.url)}: {error!r}"
                ) from error

    def close(self) -> None:
        """Close the connection, if one is open; the next message opens another."""
        with self._lock:
            self._drop_connection()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AmqpDestination({self._settings!r})"

    def _open_channel(self) -> BlockingChannel:
        """The channel to publish on: the open one, or a new one on a live connection."""
        connection = self._connection
        if connection is not None and connection.is_open:
            try:
                # Reads what the broker sent while we were idle (a close, say),
                # so that a connection it dropped is replaced before we publish.
                connection.process_data_events(time_limit=0)
            except pika.exceptions.AMQPConnectionError:
                self._drop_connection()
        if self._connection is None or not self._connection.is_open:
            self._drop_connection()
            self._connection = BlockingConnection(self._settings.parameters())
        if self._channel is None or not self._channel.is_open:
            channel = self._connection.channel()
            channel.confirm_delivery()
            self._channel = channel
        return self._channel

    def _drop_channel(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None and channel.is_open:
            with contextlib.suppress(pika.exceptions.AMQPError, OSError):
                channel.close()

    def _drop_connection(self) -> None:
        self._channel = None
        connection, self._connection = self._connection, None
        if connection is not None and connection.is_open:
            # A connection that failed may fail again while closing: it is gone either way.
            with contextlib.suppress(pika.exceptions.AMQPError, OSError):
                connection.close()


@attrs.frozen
class Topology:
    """The names :func:`declare_topology` declared.

    Attributes:
        exchange: The topic exchange events are published to.
        queue: The quorum queue bound to it for every event.
        dead_letter_exchange: Where the queue's rejected and expired messages go.
        dead_letter_queue: The queue that keeps them.
    """

    exchange: str
    queue: str
    dead_letter_exchange: str
    dead_letter_queue: str


def declare_topology(
    channel_or_url: BlockingChannel | str,
    exchange: str,
    queue: str,
    *,
    binding_key: str = "return.#",
    delivery_limit: int = 20,
) -> Topology:
    """Declare the documented topology; declaring it again changes nothing.

    - ``exchange``: a durable topic exchange, which :class:`AmqpDestination` publishes to;
    - ``queue``: a durable quorum queue bound to it with ``binding_key`` (every
      event by default, so that no message is unroutable), whose messages go
      to the dead-letter exchange when a consumer rejects them without
      requeueing, or after ``delivery_limit`` deliveries (a message that
      crashes its consumer every time);
    - ``<exchange>.dead``: a durable fanout exchange for those dead letters,
      bound to the durable quorum queue ``<queue>.dead``.

    Args:
        channel_or_url: An open pika channel, or a broker URL to connect to for
            the declarations (the connection is closed after).
        exchange: The topic exchange's name.
        queue: The queue's name.
        binding_key: What the queue takes (``return.#``: every event).
        delivery_limit: How many times a message is delivered before it is
            dead-lettered.

    Raises:
        InvalidInput: A ``delivery_limit`` below 1, or a URL that is not ``amqp://``
            or ``amqps://``.
        TopologyError: The broker could not be reached, or one of the names
            exists with other arguments.
    """
    if (
        isinstance(delivery_limit, bool)
        or not isinstance(delivery_limit, int)
        or delivery_limit < 1
    ):
        raise InvalidInput(
            f"delivery_limit must be a whole number from 1, got {quoted(delivery_limit)}"
        )
    dead_exchange, dead_queue = f"{exchange}.dead", f"{queue}.dead"
    arguments = {
        **_QUORUM_QUEUE,
        "x-dead-letter-exchange": dead_exchange,
        # Hand dead letters on at least once (the default drops one the dead-letter
        # queue did not confirm); RabbitMQ allows that only with reject-publish.
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
        "x-delivery-limit": delivery_limit,
    }
    connection: BlockingConnection | None = None
    try:
        if isinstance(channel_or_url, str):
            connection = BlockingConnection(AmqpSettings(url=channel_or_url).parameters())
            channel = connection.channel()
        else:
            channel = channel_or_url
        channel.exchange_declare(dead_exchange, "fanout", durable=True)
        channel.queue_declare(dead_queue, durable=True, arguments=dict(_QUORUM_QUEUE))
        channel.queue_bind(dead_queue, dead_exchange)
        channel.exchange_declare(exchange, "topic", durable=True)
        channel.queue_declare(queue, durable=True, arguments=arguments)
        channel.queue_bind(queue, exchange, routing_key=binding_key)
    except (pika.exceptions.AMQPError, OSError) as error:
        raise TopologyError(
            f"could not declare exchange {exchange!r} and queue {queue!r}: {error!r}"
        ) from error
    finally:
        if connection is not None and connection.is_open:
            with contextlib.suppress(pika.exceptions.AMQPError, OSError):
                connection.close()
    return Topology(exchange, queue, dead_exchange, dead_queue)
