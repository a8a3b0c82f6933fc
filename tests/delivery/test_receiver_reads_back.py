"""A receiver that reads the return back through the service, and runs a command, on SQL stores.

This was the bug of issue 13: the old relay called its sink inside its own
transaction, which on SQLite holds the write lock, so that a notifier
reading the return back waited 30 s and got ``ConcurrencyConflict`` (the
memory store's re-entrant lock hid it).  Here the stores wait at most a
second for a lock, so that any wait fails fast; the receiver reads each
return, submits the drafts it hears of, and on PostgreSQL also checks that
no connection of the database sits in an open transaction while it runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from tests.adapters.sql.support import Backend

from crm_returns import (
    LineRef,
    RelayReport,
    RelaySettings,
    RequestedLine,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
)
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.domain.actors import Actor
from crm_returns.domain.events import ReturnApproved, ReturnDrafted, ReturnSubmitted
from crm_returns.ports.delivery import OutboxMessage
from crm_returns.testing import Wiring, sample_wiring

MOUSE = LineRef("SO-1001", "1")
CABLE = LineRef("SO-1001", "2")
LAMP = LineRef("SO-1002", "2")

#: Longer than a read and a command take on a busy machine; far shorter than a lock wait was.
QUICK = 5.0


class ReadsBackAndSubmits:
    """Reads each event's return through the service; submits the drafts it hears of.

    Attributes:
        seen: Each event's type, the status the message says, and the status read back.
        slowest: The longest a delivery took, in seconds.
        open_transactions: On PostgreSQL, transactions other connections held
            open while a delivery ran.
    """

    name = "reads-back"

    def __init__(self, service: ReturnsService, clerk: Actor, probe: sa.Engine | None) -> None:
        self._service = service
        self._clerk = clerk
        self._probe = probe
        self.seen: list[tuple[type[object], ReturnStatus, ReturnStatus]] = []
        self.slowest = 0.0
        self.open_transactions: list[str] = []

    def deliver(self, message: OutboxMessage) -> None:
        started = time.perf_counter()
        if self._probe is not None:
            self.open_transactions += self._transactions_open()
        order = self._service.get_return(self._clerk, message.event.return_id)
        self.seen.append((type(message.event), message.summary.status, order.status))
        if isinstance(message.event, ReturnDrafted) and order.status is ReturnStatus.DRAFT:
            self._service.submit_return(self._clerk, order.id)
        self.slowest = max(self.slowest, time.perf_counter() - started)

    def _transactions_open(self) -> list[str]:
        assert self._probe is not None
        with self._probe.connect() as connection:
            return list(
                connection.execute(
                    sa.text(
                        "SELECT state || ': ' || query FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        " AND state LIKE 'idle in transaction%'"
                    )
                ).scalars()
            )


@pytest.fixture
def database(backend: Backend) -> Iterator[SqlDatabase]:
    """A migrated store whose units of work wait at most a second for a lock."""
    database = SqlDatabase.connect(
        backend.url, busy_timeout=1.0, lock_timeout=1.0, **backend.options
    )
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def wiring(database: SqlDatabase) -> Wiring:
    return sample_wiring(unit_of_work=database.unit_of_work)


def test_a_receiver_reads_the_return_back_and_runs_a_command_without_waiting(
    wiring: Wiring, database: SqlDatabase, backend: Backend
) -> None:
    service, clerk = wiring.service, wiring.clerk
    drafts = [
        service.create_return(
            clerk, ReturnRequest(lines=(RequestedLine(ref, Decimal(1), "wrong_order"),))
        )
        for ref in (MOUSE, CABLE, LAMP)
    ]
    probe = database.engine if backend.url.get_backend_name() == "postgresql" else None
    receiver = ReadsBackAndSubmits(service, clerk, probe)
    relay = service.relay([receiver], RelaySettings(relay_id="relay-reads-back"))

    # Rounds until all nine are out: on PostgreSQL a message waits to be fanned out while
    # any older transaction of the server is open, so an idle round does not mean done.
    report, deadline = RelayReport(), time.monotonic() + 60
    while report.delivered < 9 and not report.retried and time.monotonic() < deadline:
        round_report = relay.run_once()
        report += round_report
        if not round_report.tried:
            time.sleep(0.01)

    # Three drafts, each then submitted by the receiver and approved at once (small refunds).
    assert (report.delivered, report.retried, report.dead, report.held) == (9, 0, 0, 0)
    assert receiver.seen == [
        *[(ReturnDrafted, ReturnStatus.DRAFT, ReturnStatus.DRAFT)] * 3,
        *[
            (ReturnSubmitted, ReturnStatus.APPROVED, ReturnStatus.APPROVED),
            (ReturnApproved, ReturnStatus.APPROVED, ReturnStatus.APPROVED),
        ]
        * 3,
    ]
    assert all(
        service.get_return(clerk, draft.id).status is ReturnStatus.APPROVED for draft in drafts
    )
    assert receiver.slowest < QUICK
    assert receiver.open_transactions == []
