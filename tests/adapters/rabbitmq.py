"""RabbitMQ for the AMQP destination's tests: its URL from the environment, names of their own.

Locally the RabbitMQ tests skip, saying why, when no URL is given; CI sets
``CRM_RETURNS_REQUIRE_AMQP`` so that there a missing URL fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import pika
import pytest
from pika.adapters.blocking_connection import BlockingChannel

__all__ = [
    "AMQP_URL",
    "REQUIRE_AMQP",
    "Broker",
    "amqp_url",
    "close_connections_named",
    "queue_types",
]

AMQP_URL = "CRM_RETURNS_TEST_AMQP_URL"
REQUIRE_AMQP = "CRM_RETURNS_REQUIRE_AMQP"  # set by CI, where skipping is failing


def amqp_url() -> str:
    """The test broker's URL; skips the test (fails it in CI) when none is given."""
    url = os.environ.get(AMQP_URL, "")
    if not url:
        reason = f"RabbitMQ tests need {AMQP_URL}=amqp://guest:guest@127.0.0.1:5672/%2F"
        if os.environ.get(REQUIRE_AMQP):
            pytest.fail(f"{reason} ({REQUIRE_AMQP} is set: they must run, not skip)")
        pytest.skip(reason)
    return url


class Broker:
    """A connection to the test broker that makes unique names and deletes them after.

    Args:
        url: The broker.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.run = uuid.uuid4().hex[:10]
        self._connection = pika.BlockingConnection(pika.URLParameters(url))
        self._channel: BlockingChannel | None = None
        self._exchanges: list[str] = []
        self._queues: list[str] = []

    @property
    def channel(self) -> BlockingChannel:
        """An open channel (a new one after the broker closed the last)."""
        if self._channel is None or not self._channel.is_open:
            self._channel = self._connection.channel()
        return self._channel

    def name(self, what: str) -> str:
        """A name no other test uses, deleted with its ``.dead`` sibling after the test."""
        name = f"crm-returns-test.{self.run}.{what}"
        self._exchanges += [name, f"{name}.dead"]
        self._queues += [name, f"{name}.dead"]
        return name

    def get(self, queue: str) -> tuple[str, pika.BasicProperties, bytes] | None:
        """Take the next message of ``queue``: its routing key, properties and body."""
        method, properties, body = self.channel.basic_get(queue, auto_ack=True)
        if method is None:
            return None
        assert properties is not None
        assert body is not None
        return method.routing_key, properties, body

    def drain(self, queue: str) -> list[tuple[str, pika.BasicProperties, bytes]]:
        """Every message waiting in ``queue``, in order."""
        taken = []
        while (message := self.get(queue)) is not None:
            taken.append(message)
        return taken

    def await_one(self, queue: str, seconds: float = 10) -> tuple[str, pika.BasicProperties, bytes]:
        """The next message of ``queue``, waiting for it (dead-lettering happens a moment later)."""
        deadline = time.monotonic() + seconds
        while (message := self.get(queue)) is None:
            assert time.monotonic() < deadline, f"no message reached {queue} in {seconds} s"
            time.sleep(0.05)
        return message

    def close(self) -> None:
        """Delete every name made and close the connection."""
        for queue in self._queues:
            self.channel.queue_delete(queue)
        for exchange in self._exchanges:
            self.channel.exchange_delete(exchange)
        self._connection.close()


def _rabbitmqctl(*arguments: str) -> str:
    """What ``rabbitmqctl`` prints; skips the test when it is not here (a remote broker)."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.skip("this test asks the broker's own rabbitmqctl, which is not on this machine")
    return subprocess.run(  # noqa: S603 - our own arguments, no shell
        [ctl, *arguments], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def queue_types(*names: str) -> dict[str, str]:
    """The type (``quorum``, ``classic``) of each queue named, by name."""
    listed = _rabbitmqctl("list_queues", "-q", "--no-table-headers", "name", "type")
    rows = (line.split("\t") for line in listed.splitlines())
    return {row[0]: row[1] for row in rows if row[0] in names}


def close_connections_named(connection_name: str) -> int:
    """Have the broker close every connection of that name; how many it closed."""
    listed = _rabbitmqctl(
        "list_connections", "-q", "--no-table-headers", "pid", "client_properties"
    )
    pids = [
        line.split("\t", 1)[0]
        for line in listed.splitlines()
        if f'{{"connection_name","{connection_name}"}}' in line
    ]
    for pid in pids:
        _rabbitmqctl("close_connection", pid, "closed by a crm_returns test")
    return len(pids)
