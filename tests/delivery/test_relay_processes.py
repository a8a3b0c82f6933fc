"""Relays in separate processes (spawned) over one SQL store: SQLite file and PostgreSQL.

Two relay processes, each with its own relay id, deliver to the same
destination, a receiver that appends a line per delivery to one journal
file, while the test process drives returns through the service.  Nothing
may be skipped, nothing delivered twice (no relay failed, so at least once
is exactly once here), and each return's messages reach the journal in the
order of the outbox.

Then a relay that claimed a batch is killed (SIGKILL) while it delivers the
first message: its lease keeps the batch, and the rest of those returns,
from another relay until it runs out; then the other relay delivers them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from tests.adapters.sql.support import Backend
from tests.delivery.relay_process import (
    DESTINATION,
    Journal,
    JournalLine,
    all_delivered,
    doomed_relay,
    read_journal,
    relay_until_done,
)
from tests.delivery.workload import drive_returns

from crm_returns import DeliveryStatus, EventRelay, RelaySettings
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import SystemClock
from crm_returns.domain.delivery.deliveries import Delivery
from crm_returns.service.relay_settings import RELAY_LIMIT
from crm_returns.testing import sample_wiring

SPAWN = multiprocessing.get_context("spawn")
#: Long enough to see the killed relay's lease hold; short enough to wait out.
LEASE = 5.0
#: What the killed relay claims at once.
DOOMED_BATCH = 10


@pytest.fixture
def database(backend: Backend) -> Iterator[SqlDatabase]:
    database = backend.database()
    database.upgrade()
    yield database
    database.dispose()


def url_of(backend: Backend) -> str:
    return backend.url.render_as_string(hide_password=False)


def outbox_order(database: SqlDatabase) -> list[Delivery]:
    """Every delivery to the journal's destination, oldest message first."""
    with database.unit_of_work() as uow:
        return list(
            uow.deliveries.find(tuple(DeliveryStatus), destination=DESTINATION, limit=RELAY_LIMIT)
        )


def wait_for(condition: Callable[[], bool], seconds: float = 120) -> None:
    """Until ``condition`` holds; fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the relays did not deliver everything in time"
        time.sleep(0.02)


def assert_each_return_in_order(lines: list[JournalLine], deliveries: list[Delivery]) -> None:
    """The first line of each message follows, within its return, the outbox's order."""
    first: dict[str, int] = {}
    for place, line in enumerate(lines):
        first.setdefault(line.message_id, place)
    places: dict[str, list[int]] = defaultdict(list)
    for delivery in deliveries:
        places[delivery.return_id].append(first[delivery.message_id])
    assert all(p == sorted(p) for p in places.values())


def test_two_relay_processes_deliver_every_message_once_each_return_in_order(
    backend: Backend, database: SqlDatabase, tmp_path: Path
) -> None:
    journal = tmp_path / "journal"
    ready, done = SPAWN.Barrier(3), SPAWN.Event()
    relays = [
        SPAWN.Process(
            target=relay_until_done,
            args=(url_of(backend), backend.options, journal, f"relay-{n}", ready, done),
        )
        for n in (1, 2)
    ]
    for process in relays:
        process.start()
    try:
        ready.wait(timeout=120)  # both relays are running before the first event
        drive_returns(sample_wiring(unit_of_work=database.unit_of_work), 300, seed=13)
        wait_for(lambda: all_delivered(database))
        done.set()
        for process in relays:
            process.join(timeout=120)
        assert [process.exitcode for process in relays] == [0, 0]
    finally:
        for process in relays:
            if process.is_alive():
                process.kill()
                process.join()

    lines, deliveries = read_journal(journal), outbox_order(database)
    assert len(deliveries) >= 300
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    delivered = Counter(line.message_id for line in lines)
    assert set(delivered) == {d.message_id for d in deliveries}, "nothing skipped"
    assert set(delivered.values()) == {1}, "nothing delivered twice"
    assert {line.relay for line in lines} == {"relay-1", "relay-2"}, "both relays delivered"
    assert_each_return_in_order(lines, deliveries)


def test_a_relay_killed_after_claiming_loses_its_lease_and_another_delivers(
    backend: Backend, database: SqlDatabase, tmp_path: Path
) -> None:
    journal = tmp_path / "journal"
    drive_returns(sample_wiring(unit_of_work=database.unit_of_work), 40, seed=17)
    sent = SPAWN.Event()
    doomed = SPAWN.Process(
        target=doomed_relay,
        args=(url_of(backend), backend.options, journal, LEASE, DOOMED_BATCH, sent),
    )
    doomed.start()
    try:
        assert sent.wait(timeout=120), "the doomed relay never delivered"
        lease_ends = time.monotonic() + LEASE
        os.kill(doomed.pid or 0, signal.SIGKILL)  # it sent one message and never recorded it
        doomed.join(timeout=60)
        assert doomed.exitcode == -signal.SIGKILL
    finally:
        if doomed.is_alive():
            doomed.kill()
            doomed.join()
    deliveries = outbox_order(database)
    claimed = {d.message_id for d in deliveries[:DOOMED_BATCH]}
    (sent_line,) = read_journal(journal)
    assert sent_line.message_id == deliveries[0].message_id

    rescuer = EventRelay(
        database.unit_of_work,
        SystemClock(),
        [Journal(journal, "rescuer")],
        RelaySettings(relay_id="rescuer", lease=timedelta(minutes=1)),
    )
    rescuer.run_once()
    assert time.monotonic() < lease_ends, "the machine was too slow to see the lease hold"
    early = {line.message_id for line in read_journal(journal)[1:]}
    assert not early & claimed, "a leased message went out before its lease ran out"

    time.sleep(max(lease_ends - time.monotonic(), 0) + 0.5)

    def rescued() -> bool:
        rescuer.run_once()
        return all_delivered(database)

    wait_for(rescued)
    lines = read_journal(journal)
    assert {d.status for d in outbox_order(database)} == {DeliveryStatus.DELIVERED}
    times = Counter(line.message_id for line in lines)
    # At least once: the message the dead relay sent is sent again, under the same id.
    assert times == {d.message_id: 1 + (d.message_id == sent_line.message_id) for d in deliveries}
    assert {line.relay for line in lines[1:]} == {"rescuer"}
    assert_each_return_in_order(lines, deliveries)
