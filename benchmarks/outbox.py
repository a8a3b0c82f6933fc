"""What the relay benchmark delivers, where it delivers it, and the plain loop it is compared with.

- :func:`outbox_messages`: the events of full return lifecycles, made once on
  the memory store, so that every store and both contenders deliver the very
  same messages;
- :class:`FilledOutbox`: a store whose outbox holds them, written through the
  store's own outbox (so that each row is what a command writes), and a plain
  outbox table beside it with the same rows and a ``delivered_at`` column, for
  the plain loop; :meth:`FilledOutbox.reset` makes everything undelivered again;
- :class:`Receivers`: the in-process receiver and the local broker, and the
  check that each got every message once;
- :func:`plain_loop`: the floor — undelivered rows selected in batches
  straight from the table with SQLAlchemy, each message handed to the same
  destination, the batch marked delivered, one transaction per batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import pika
import pika.exceptions
import sqlalchemy as sa

from benchmarks.workload import Lifecycles, order_source, returns_service
from crm_returns import MemoryDestination, RelaySettings
from crm_returns.adapters.amqp import AmqpDestination, AmqpSettings, declare_topology
from crm_returns.adapters.memory import MemoryDatabase, MemoryOrderSource
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.adapters.sql.types import Document
from crm_returns.adapters.system import SystemClock
from crm_returns.ports import Destination, OutboxMessage
from crm_returns.service import ReturnsService

__all__ = [
    "EVENTS_PER_LIFECYCLE",
    "FilledOutbox",
    "Receivers",
    "outbox_messages",
    "plain_loop",
]

#: Events one lifecycle of :mod:`benchmarks.workload` writes (draft to completion).
EVENTS_PER_LIFECYCLE = 7

#: Messages written per unit of work while filling the outbox.
_FILL_BATCH = 500


def outbox_messages(count: int) -> list[OutboxMessage]:
    """The first ``count`` messages of enough lifecycles, in the order they were written."""
    now = SystemClock().now()
    lifecycles = -(-count // EVENTS_PER_LIFECYCLE)
    database = MemoryDatabase()
    service = returns_service(database.unit_of_work, order_source(now, lifecycles), SystemClock())
    Lifecycles(service).run(lifecycles)
    collected = MemoryDestination("collect")
    service.relay([collected], RelaySettings(batch=10_000)).run_until_idle()
    if len(collected.received) < count:
        raise RuntimeError(f"{lifecycles} lifecycles wrote {len(collected.received)} events")
    return collected.received[:count]


def _plain_table(metadata: sa.MetaData) -> sa.Table:
    """A hand-written outbox: the store's outbox rows and a ``delivered_at`` column."""
    table = sa.Table(
        "bench_plain_outbox",
        metadata,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    )
    # The undelivered rows in order, as a hand-written outbox would index them.
    undelivered = table.c.delivered_at.is_(None)
    sa.Index(
        "bench_plain_outbox_undelivered",
        table.c.seq,
        sqlite_where=undelivered,
        postgresql_where=undelivered,
    )
    return table


class FilledOutbox:
    """A migrated store whose outbox holds ``messages``, and the plain table beside it.

    Args:
        database: A new, migrated store.
        messages: What to write to its outbox, in order.
    """

    def __init__(self, database: SqlDatabase, messages: Sequence[OutboxMessage]) -> None:
        self.database = database
        self.service: ReturnsService = returns_service(
            database.unit_of_work, MemoryOrderSource(), SystemClock()
        )
        self.plain = _plain_table(sa.MetaData())
        self.plain.create(database.engine)
        for start in range(0, len(messages), _FILL_BATCH):
            with database.unit_of_work() as uow:
                for message in messages[start : start + _FILL_BATCH]:
                    uow.outbox.add(message)
                uow.commit()
        self.reset()

    @property
    def postgresql(self) -> bool:
        """Whether the store is PostgreSQL."""
        return self.database.engine.dialect.name == "postgresql"

    def reset(self) -> None:
        """No destination has anything yet, and every plain row is undelivered.

        The relay's tables are emptied and the plain table filled again from
        the outbox (on PostgreSQL then ``ANALYZE``d, as autovacuum would in
        time), so that every run starts from the same state.
        """
        tables = self.database.tables
        outbox = tables.outbox
        relay_tables = (tables.delivery_attempts, tables.deliveries, tables.delivery_cursors)
        columns = ["seq", "id", "tenant_id", "return_id", "event_type", "document"]
        with self.database.engine.begin() as connection:
            if self.postgresql:
                names = ", ".join(t.name for t in (*relay_tables, self.plain))
                connection.execute(sa.text(f"TRUNCATE {names}"))
            else:
                for table in (*relay_tables, self.plain):
                    connection.execute(sa.delete(table))
            connection.execute(
                sa.insert(self.plain).from_select(
                    columns, sa.select(*(outbox.c[name] for name in columns))
                )
            )
        if self.postgresql:
            with self.database.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    sa.text(f"ANALYZE {outbox.name}, {self.plain.name}")
                )

    def plain_delivered(self) -> int:
        """Rows of the plain table marked delivered."""
        with self.database.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).where(self.plain.c.delivered_at.is_not(None))
                ).scalar_one()
            )


def plain_loop(outbox: FilledOutbox, destination: Destination, batch: int) -> int:
    """Deliver every undelivered row of the plain table to ``destination``; how many went.

    One transaction per batch: select the oldest undelivered rows, hand each
    message to the destination, mark the batch delivered, commit.  The
    documents are decoded with a codec of the loop's own (nothing remembered),
    because the destinations take messages, not text.
    """
    table = outbox.plain
    codec = Codec()
    clock = SystemClock()
    undelivered = (
        sa.select(table.c.seq, sa.cast(table.c.document, sa.Text))
        .where(table.c.delivered_at.is_(None))
        .order_by(table.c.seq)
        .limit(batch)
    )
    sent = 0
    engine = outbox.database.engine
    while True:
        with engine.begin() as connection:
            rows = connection.execute(undelivered).all()
            if not rows:
                return sent
            for _, document in rows:
                destination.deliver(codec.decode_text(document, OutboxMessage))
            connection.execute(
                sa.update(table)
                .where(table.c.seq.in_([seq for seq, _ in rows]))
                .values(delivered_at=clock.now())
            )
        sent += len(rows)


class Receivers:
    """The in-process receiver and, if reachable, the local broker.

    The broker's topology (a topic exchange and a quorum queue bound for
    every event, as :func:`declare_topology` declares it) gets names of this
    process's own and is deleted by :meth:`close`.

    Args:
        amqp_url: The broker, or ``None`` to leave it out.
        name: What the exchange and the queue are called.
    """

    def __init__(self, amqp_url: str | None, name: str) -> None:
        self.memory = MemoryDestination("memory")
        self.amqp: AmqpDestination | None = None
        self.skipped = ""
        self._connection: pika.BlockingConnection | None = None
        self._names: tuple[str, ...] = ()
        if amqp_url is None:
            self.skipped = "not asked for"
            return
        try:
            self._connection = pika.BlockingConnection(AmqpSettings(url=amqp_url).parameters())
            topology = declare_topology(self._connection.channel(), name, name)
        except (pika.exceptions.AMQPError, OSError) as error:
            self.skipped = f"the broker at {amqp_url} did not answer: {error!r}"
            return
        self._queue = topology.queue
        self._names = (
            topology.queue,
            topology.dead_letter_queue,
            topology.exchange,
            topology.dead_letter_exchange,
        )
        self.amqp = AmqpDestination(AmqpSettings(url=amqp_url, exchange=name, name="amqp"))

    def destinations(self) -> list[Destination]:
        """The receivers to measure."""
        return [self.memory] if self.amqp is None else [self.memory, self.amqp]

    def warm_up(self, message: OutboxMessage) -> None:
        """Open the broker's connection with one message, so that no run pays for it."""
        if self.amqp is not None:
            self.amqp.deliver(message)
            self.check(self.amqp, [message.id])

    def check(self, destination: Destination, expected: Sequence[str]) -> None:
        """Make sure ``destination`` got the ``expected`` messages, then forget them.

        The in-process receiver must hold exactly those ids, in that order; the
        broker's queue must hold as many messages, and is purged.

        Raises:
            RuntimeError: It did not (the run would have measured something else).
        """
        if destination is self.memory:
            got = [message.id for message in self.memory.received]
            self.memory.received.clear()
            if got != list(expected):
                raise RuntimeError(f"the receiver got {len(got)} messages, not the expected ones")
            return
        assert self._connection is not None
        channel = self._connection.channel()
        try:
            queued = channel.queue_declare(self._queue, passive=True).method.message_count
            channel.queue_purge(self._queue)
        finally:
            channel.close()
        if queued != len(expected):
            raise RuntimeError(f"the broker's queue held {queued} messages, not {len(expected)}")

    def close(self) -> None:
        """Close the broker's connections and delete what was declared."""
        if self.amqp is not None:
            self.amqp.close()
        if self._connection is None:
            return
        with contextlib.suppress(pika.exceptions.AMQPError, OSError):
            channel = self._connection.channel()
            for queue in self._names[:2]:
                channel.queue_delete(queue)
            for exchange in self._names[2:]:
                channel.exchange_delete(exchange)
            self._connection.close()
