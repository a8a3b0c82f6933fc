"""What a relay process of the tests runs: a relay over a SQL store, writing to a journal file.

The functions here are the targets of ``multiprocessing`` (spawn): each
process connects to the database on its own and relays to a
:class:`Journal`, a receiver that appends one line per delivery to a shared
file opened with ``O_APPEND``, so that lines of several processes never mix.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa

from crm_returns import DeliveryStatus, EventRelay, RelaySettings
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import SystemClock
from crm_returns.ports.delivery import OutboxMessage

__all__ = [
    "DESTINATION",
    "Journal",
    "JournalLine",
    "doomed_relay",
    "read_journal",
    "relay_until_done",
]

#: The one destination every relay process delivers to.
DESTINATION = "journal"

#: Rounds in a row that try nothing before a relay that was told to finish stops.
IDLE_ROUNDS = 20


@attrs.frozen
class JournalLine:
    """One delivery, as the receiver wrote it."""

    relay: str
    message_id: str
    return_id: str


class Journal:
    """A receiver that appends ``relay message-id return-id`` to a file, one write each.

    Args:
        path: The file.
        relay: Who delivers (written on each line).
        pause: Seconds each delivery takes, so that relays overlap.
    """

    def __init__(self, path: Path, relay: str, pause: float = 0.0) -> None:
        self.name = DESTINATION
        self._path = path
        self._relay = relay
        self._pause = pause

    def deliver(self, message: OutboxMessage) -> None:
        """Append the message's line."""
        line = f"{self._relay} {message.id} {message.event.return_id}\n".encode()
        descriptor = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
        if self._pause:
            time.sleep(self._pause)


def read_journal(path: Path) -> list[JournalLine]:
    """Every line of the journal, in the order written."""
    if not path.exists():
        return []
    return [JournalLine(*line.split(" ")) for line in path.read_text().splitlines()]


def all_delivered(database: SqlDatabase) -> bool:
    """Whether every message of the outbox is delivered to the journal.

    On PostgreSQL a message is fanned out only once every transaction older
    than its own has ended, in any database of the server (the snapshot's
    ``xmin``), so a relay may find nothing to do for a moment while messages
    wait: tests wait for this, not for a relay to be idle.
    """
    outbox, deliveries = database.tables.outbox, database.tables.deliveries
    with database.engine.connect() as connection:
        messages = connection.execute(sa.select(sa.func.count()).select_from(outbox)).scalar()
        delivered = connection.execute(
            sa.select(sa.func.count())
            .select_from(deliveries)
            .where(
                deliveries.c.destination == DESTINATION,
                deliveries.c.status == DeliveryStatus.DELIVERED.value,
            )
        ).scalar()
    return messages == delivered


def _relay(
    url: str, options: dict[str, Any], destination: Journal, relay_id: str, lease: float, batch: int
) -> tuple[SqlDatabase, EventRelay]:
    database = SqlDatabase.connect(url, **options)
    settings = RelaySettings(relay_id=relay_id, lease=timedelta(seconds=lease), batch=batch)
    return database, EventRelay(database.unit_of_work, SystemClock(), [destination], settings)


def relay_until_done(
    url: str,
    options: dict[str, Any],
    journal: Path,
    relay_id: str,
    ready: Barrier,
    done: Event,
) -> None:
    """Relay from when every process is ready until ``done`` is set and nothing is left.

    The test sets ``done`` once every message is delivered (:func:`all_delivered`).
    """
    database, relay = _relay(url, options, Journal(journal, relay_id, 0.001), relay_id, 60, 7)
    try:
        ready.wait(timeout=60)
        idle = 0
        while idle < IDLE_ROUNDS:
            finishing = done.is_set()
            if relay.run_once().tried:
                idle = 0
                continue
            idle += finishing
            time.sleep(0.01)
    finally:
        database.dispose()


class _Stalls(Journal):
    """A journal that, after its first line, says so and then hangs (until the process dies)."""

    def __init__(self, path: Path, relay: str, sent: Event) -> None:
        super().__init__(path, relay)
        self._sent = sent

    def deliver(self, message: OutboxMessage) -> None:
        super().deliver(message)
        self._sent.set()
        time.sleep(600)


def doomed_relay(
    url: str, options: dict[str, Any], journal: Path, lease: float, batch: int, sent: Event
) -> None:
    """Claim a batch, deliver its first message, and hang there until killed."""
    journal_writer = _Stalls(journal, "doomed", sent)
    database, relay = _relay(url, options, journal_writer, "doomed", lease, batch)
    relay.run_once()
    database.dispose()  # never reached: the test kills the process first
