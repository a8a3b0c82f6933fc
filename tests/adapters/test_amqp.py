"""The RabbitMQ destination, against a real broker.

The broker tests need ``CRM_RETURNS_TEST_AMQP_URL`` (for example
``amqp://guest:guest@127.0.0.1:5672/%2F``) and skip, saying so, without it —
unless ``CRM_RETURNS_REQUIRE_AMQP`` is set, as CI sets it, and then they
fail.  Each test declares exchanges and queues of its own and deletes them.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pika
import pytest
from tests.adapters.rabbitmq import Broker, amqp_url, close_connections_named, queue_types

from crm_returns import LineRef, RelaySettings, RequestedLine, ReturnRequest
from crm_returns.adapters.amqp import (
    AmqpDestination,
    AmqpSettings,
    TopologyError,
    declare_topology,
    routing_key,
)
from crm_returns.cloudevents import to_json
from crm_returns.errors import InvalidInput, TransientFailure
from crm_returns.ports.delivery import Destination, OutboxMessage
from crm_returns.testing import sample_wiring


def sample_messages() -> list[OutboxMessage]:
    """A return drafted and submitted: its two outbox messages, in order."""
    w = sample_wiring()
    line = RequestedLine(LineRef("SO-1001", "1"), Decimal(1), "quality_defect")
    drafted = w.service.create_return(w.clerk, ReturnRequest(lines=(line,)))
    w.service.submit_return(w.clerk, drafted.id)
    return [message for _, message in w.database.committed.outbox.values()]


@pytest.fixture(scope="module")
def messages() -> list[OutboxMessage]:
    return sample_messages()


@pytest.fixture
def broker() -> Iterator[Broker]:
    made = Broker(amqp_url())
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def events(broker: Broker) -> str:
    """The exchange (and queue) of the documented topology, declared for this test."""
    name = broker.name("events")
    declare_topology(broker.url, name, name)
    return name


def destination(broker: Broker, exchange: str, **settings: object) -> AmqpDestination:
    return AmqpDestination(
        AmqpSettings(url=broker.url, exchange=exchange, name=f"test-{broker.run}", **settings)  # type: ignore[arg-type]
    )


# Without a broker ----------------------------------------------------------------


def test_the_routing_key_is_the_event_type_without_the_domain(
    messages: list[OutboxMessage],
) -> None:
    assert [routing_key(m) for m in messages] == ["return.drafted.v1", "return.submitted.v1"]


def test_settings_never_show_the_password() -> None:
    settings = AmqpSettings(url="amqp://crm:s3cret@broker.example:5672/returns")
    assert "s3cret" not in repr(settings)
    assert "amqp://crm:***@broker.example:5672/returns" in repr(settings)
    assert "s3cret" not in repr(AmqpDestination(settings))


@pytest.mark.parametrize(
    "bad",
    [
        {"url": "http://broker.example/"},
        {"exchange": ""},
        {"name": "x" * 256},
        {"connect_timeout": timedelta(0)},
        {"heartbeat": 60},
        {"source": ""},
    ],
    ids=str,
)
def test_settings_refuse_what_cannot_work(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        AmqpSettings(**bad)  # type: ignore[arg-type]


def test_a_bad_url_is_refused_without_showing_its_password() -> None:
    with pytest.raises(InvalidInput) as refused:
        AmqpSettings(url="http://crm:s3cret@broker.example/")
    assert "s3cret" not in str(refused.value)


def test_nothing_connects_before_the_first_message() -> None:
    # A port nothing listens on: building and closing the destination must not fail.
    with AmqpDestination(AmqpSettings(url=f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F")) as d:
        port: Destination = d  # it is one, as mypy checks
        assert port.name == "amqp"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# Against the broker ----------------------------------------------------------------


def test_a_message_arrives_as_its_cloudevent_with_its_properties(
    broker: Broker, events: str, messages: list[OutboxMessage]
) -> None:
    with destination(broker, events) as d:
        d.deliver(messages[0])
    [(key, properties, body)] = broker.drain(events)
    message = messages[0]
    assert key == "return.drafted.v1"
    assert body == to_json(message)
    assert properties.message_id == message.id
    assert properties.type == "com.crm-returns.return.drafted.v1"
    assert properties.content_type == "application/cloudevents+json; charset=utf-8"
    assert properties.delivery_mode == 2
    assert properties.timestamp == int(message.event.at.timestamp())
    assert properties.app_id == "crm-returns"
    cloudevent = json.loads(body)
    assert properties.headers is not None
    for attribute in ("specversion", "id", "source", "type", "subject", "time"):
        assert properties.headers[f"ce-{attribute}"] == cloudevent[attribute]


def test_a_return_s_messages_arrive_in_order_under_their_types(
    broker: Broker, events: str, messages: list[OutboxMessage]
) -> None:
    with destination(broker, events) as d:
        for message in messages:
            d.deliver(message)
    arrived = broker.drain(events)
    assert [(key, p.message_id) for key, p, _ in arrived] == [
        ("return.drafted.v1", messages[0].id),
        ("return.submitted.v1", messages[1].id),
    ]


def test_a_message_sent_again_is_the_same_message(
    broker: Broker, events: str, messages: list[OutboxMessage]
) -> None:
    """At least once: a receiver deduplicates on message_id, which never changes."""
    with destination(broker, events) as d:
        d.deliver(messages[0])
    with destination(broker, events) as d:  # another relay, later
        d.deliver(messages[0])
    first, second = broker.drain(events)
    assert first[0] == second[0]
    assert first[2] == second[2]
    assert first[1].message_id == second[1].message_id == messages[0].id
    assert first[1].timestamp == second[1].timestamp


def test_the_cloudevents_source_can_be_set(
    broker: Broker, events: str, messages: list[OutboxMessage]
) -> None:
    with destination(broker, events, source="/crm/acme-prod") as d:
        d.deliver(messages[0])
    [(_, properties, body)] = broker.drain(events)
    assert json.loads(body)["source"] == "/crm/acme-prod"
    assert properties.headers is not None
    assert properties.headers["ce-source"] == "/crm/acme-prod"


def test_an_unroutable_message_is_transient_and_goes_once_a_queue_is_bound(
    broker: Broker, messages: list[OutboxMessage]
) -> None:
    exchange = broker.name("unbound")
    broker.channel.exchange_declare(exchange, "topic", durable=True)
    with destination(broker, exchange) as d:
        with pytest.raises(TransientFailure, match="to no queue"):
            d.deliver(messages[0])
        broker.channel.queue_declare(exchange, durable=True)
        broker.channel.queue_bind(exchange, exchange, routing_key="return.#")
        d.deliver(messages[0])  # on the same channel: a returned message does not close it
    assert [p.message_id for _, p, _ in broker.drain(exchange)] == [messages[0].id]


def test_a_missing_exchange_is_transient_and_the_next_message_opens_a_new_channel(
    broker: Broker, messages: list[OutboxMessage]
) -> None:
    name = broker.name("late")
    with destination(broker, name) as d:
        with pytest.raises(TransientFailure, match="NOT_FOUND"):
            d.deliver(messages[0])
        declare_topology(broker.url, name, name)
        d.deliver(messages[0])
    assert len(broker.drain(name)) == 1


def test_a_full_queue_that_refuses_a_message_is_a_transient_failure(
    broker: Broker, messages: list[OutboxMessage]
) -> None:
    name = broker.name("full")
    broker.channel.exchange_declare(name, "topic", durable=True)
    broker.channel.queue_declare(
        name, durable=True, arguments={"x-max-length": 1, "x-overflow": "reject-publish"}
    )
    broker.channel.queue_bind(name, name, routing_key="#")
    with destination(broker, name) as d:
        d.deliver(messages[0])
        with pytest.raises(TransientFailure, match=r"refused .*basic\.nack"):
            d.deliver(messages[1])
        broker.drain(name)  # room again
        d.deliver(messages[1])
    assert [p.message_id for _, p, _ in broker.drain(name)] == [messages[1].id]


def test_a_broker_that_is_down_is_a_transient_failure(messages: list[OutboxMessage]) -> None:
    url = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"
    d = AmqpDestination(AmqpSettings(url=url, connect_timeout=timedelta(seconds=2)))
    with pytest.raises(TransientFailure, match="could not publish"):
        d.deliver(messages[0])
    d.close()


def test_a_broker_that_refuses_the_login_is_a_transient_failure_that_hides_the_password(
    broker: Broker, events: str, messages: list[OutboxMessage]
) -> None:
    parsed = pika.URLParameters(broker.url)
    url = f"amqp://nobody:s3cret@{parsed.host}:{parsed.port}/%2F"
    with (
        AmqpDestination(AmqpSettings(url=url, exchange=events)) as d,
        pytest.raises(TransientFailure) as failed,
    ):
        d.deliver(messages[0])
    assert "s3cret" not in str(failed.value)
    assert broker.drain(events) == []


def test_a_connection_the_broker_closed_is_opened_again_for_the_next_message(
    broker: Broker, events: str, messages: list[OutboxMessage]
) -> None:
    with destination(broker, events) as d:
        d.deliver(messages[0])
        assert close_connections_named(f"crm-returns test-{broker.run}") == 1
        d.deliver(messages[1])
    assert [p.message_id for _, p, _ in broker.drain(events)] == [m.id for m in messages]


def test_a_closed_destination_connects_again_for_the_next_message(
    broker: Broker, events: str, messages: list[OutboxMessage]
) -> None:
    d = destination(broker, events)
    d.deliver(messages[0])
    d.close()
    d.deliver(messages[1])
    d.close()
    assert len(broker.drain(events)) == 2


# The topology ----------------------------------------------------------------------


def test_the_topology_is_a_quorum_queue_and_can_be_declared_again(
    broker: Broker, events: str
) -> None:
    topology = declare_topology(broker.channel, events, events)  # again, on a channel
    assert (topology.dead_letter_exchange, topology.dead_letter_queue) == (
        f"{events}.dead",
        f"{events}.dead",
    )
    assert queue_types(topology.queue, topology.dead_letter_queue) == {
        topology.queue: "quorum",
        topology.dead_letter_queue: "quorum",
    }


def test_a_message_a_consumer_rejects_goes_to_the_dead_letter_queue(
    broker: Broker, events: str, messages: list[OutboxMessage]
) -> None:
    with destination(broker, events) as d:
        d.deliver(messages[0])
    method, _, _ = broker.channel.basic_get(events, auto_ack=False)
    assert method is not None
    broker.channel.basic_reject(method.delivery_tag, requeue=False)
    key, properties, body = broker.await_one(f"{events}.dead")
    assert (key, properties.message_id, body) == (
        "return.drafted.v1",
        messages[0].id,
        to_json(messages[0]),
    )


def test_a_name_taken_with_other_arguments_is_a_topology_error(broker: Broker) -> None:
    name = broker.name("taken")
    broker.channel.queue_declare(name, durable=True)  # a classic queue
    with pytest.raises(TopologyError, match="PRECONDITION_FAILED"):
        declare_topology(broker.url, name, name)


def test_declaring_on_a_broker_that_is_down_is_a_topology_error() -> None:
    with pytest.raises(TopologyError):
        declare_topology(f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F", "x", "q")


# Behind the relay ------------------------------------------------------------------


def test_the_relay_keeps_a_return_s_events_until_the_topology_exists_then_sends_them_in_order(
    broker: Broker,
) -> None:
    w = sample_wiring()
    line = RequestedLine(LineRef("SO-1001", "1"), Decimal(1), "quality_defect")
    drafted = w.service.create_return(w.clerk, ReturnRequest(lines=(line,)))
    w.service.submit_return(w.clerk, drafted.id)
    name = broker.name("relayed")
    with destination(broker, name) as amqp:
        relay = w.service.relay([amqp], RelaySettings(relay_id="relay-amqp"))
        first = relay.run_once()  # no exchange yet: the first fails, the second waits for it
        assert (first.delivered, first.retried, first.held) == (0, 1, 1)
        declare_topology(broker.url, name, name)
        w.clock.advance(timedelta(hours=1))
        second = relay.run_once()
        assert (second.delivered, second.retried, second.held) == (2, 0, 0)
    assert [key for key, _, _ in broker.drain(name)] == ["return.drafted.v1", "return.submitted.v1"]
