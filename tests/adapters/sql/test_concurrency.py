"""Commands racing on both databases: never more returned than delivered, no double work."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from tests.adapters.sql.support import (
    APPROVER,
    CABLE,
    CHAIR,
    CLERK,
    MOUSE,
    Backend,
    picks,
    sql_service,
)

from crm_returns import LineRef, ReturnOrder
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.errors import ConcurrencyConflict, CrmReturnsError
from crm_returns.ports import Claim
from crm_returns.samples import SAMPLE_TENANT


def _race(runs: int, contender: Callable[[], object]) -> list[str]:
    """Start ``runs`` threads at once; each tells how its call ended."""
    start = threading.Barrier(runs)
    outcomes: list[str] = []

    def run() -> None:
        start.wait()
        try:
            contender()
            outcomes.append("ok")
        except CrmReturnsError as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_clerks_racing_for_the_last_units_never_return_more_than_delivered(
    database: SqlDatabase,
) -> None:
    service = sql_service(database)

    def create() -> ReturnOrder:
        # A line returned for the first time has no claims row to lock yet: two
        # clerks may both insert one, and the loser is told to retry, as a host would.
        for _ in range(19):
            try:
                return service.create_return(CLERK, picks((MOUSE, "1", "wrong_order")))
            except ConcurrencyConflict:
                continue
        return service.create_return(CLERK, picks((MOUSE, "1", "wrong_order")))

    outcomes = _race(8, create)
    # 5 mice were delivered: five clerks win, three are told why they lost.
    assert outcomes.count("ok") == 5, outcomes
    assert set(outcomes) <= {"ok", "OverReturn"}, outcomes
    with database.unit_of_work() as uow:
        stored = uow.returns.for_lines(SAMPLE_TENANT, [MOUSE])
    assert sum(order.claimed(MOUSE) for order in stored) == 5
    assert len({order.number for order in stored}) == 5


def test_approvers_racing_for_one_return_approve_it_once(database: SqlDatabase) -> None:
    service = sql_service(database)
    order = service.create_return(CLERK, picks((CHAIR, "1", "changed_requirement")))
    service.submit_return(CLERK, order.id)  # 2399.00: needs the manager
    outcomes = _race(6, lambda: service.approve_return(APPROVER, order.id))
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) <= {"ok", "ConcurrencyConflict", "IllegalTransition"}, outcomes
    trail = service.audit_trail(CLERK, order.id)
    assert [entry.action.value for entry in trail] == ["draft", "submit", "approve"]


def test_a_second_unit_of_work_on_the_same_lines_waits_for_the_first(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    with database.unit_of_work() as uow:
        uow.returns.add(drafts[0])
        uow.commit()
    holding, release, entered = threading.Event(), threading.Event(), threading.Event()

    # The lock holds from the read it protects on (PostgreSQL sends the two together).
    def hold() -> None:
        with database.unit_of_work() as uow:
            uow.returns.lock_lines(SAMPLE_TENANT, [MOUSE])
            uow.returns.for_lines(SAMPLE_TENANT, [MOUSE])
            holding.set()
            release.wait(timeout=10)

    def enter() -> None:
        with database.unit_of_work() as uow:
            uow.returns.lock_lines(SAMPLE_TENANT, [MOUSE, CABLE])
            uow.returns.for_lines(SAMPLE_TENANT, [MOUSE, CABLE])
            entered.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=10)
    waiter = threading.Thread(target=enter)
    waiter.start()
    assert not entered.wait(timeout=0.3), "locked the same line while another held it"
    release.set()
    assert entered.wait(timeout=10)
    holder.join(timeout=10)
    waiter.join(timeout=10)


def _read_locked(database: SqlDatabase, refs: list[LineRef]) -> None:
    with database.unit_of_work() as uow:
        uow.returns.lock_lines(SAMPLE_TENANT, refs)
        uow.returns.for_lines(SAMPLE_TENANT, refs)


def test_waiting_longer_than_the_timeout_is_a_concurrency_conflict(
    backend: Backend, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    patient = backend.database()
    patient.upgrade()
    hasty = SqlDatabase.connect(backend.url, **backend.options, busy_timeout=0.1, lock_timeout=0.1)
    with patient.unit_of_work() as uow:
        uow.returns.add(drafts[0])
        uow.commit()
    try:
        with patient.unit_of_work() as holder:
            holder.returns.lock_lines(SAMPLE_TENANT, [MOUSE])
            holder.returns.for_lines(SAMPLE_TENANT, [MOUSE])
            with pytest.raises(ConcurrencyConflict):
                _read_locked(hasty, [MOUSE])
    finally:
        hasty.dispose()
        patient.dispose()


def test_relays_side_by_side_take_turns_and_never_overtake_a_return_on_postgres(
    database: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one unit of work at a time: there is no second relay to skip")
    published = memory_story[0]["published"]
    assert isinstance(published, tuple)
    # Three messages of one return, then the first of every other return.
    head = published[0].event.return_id
    mine = [m for m in published if m.event.return_id == head][:3]
    firsts = {m.event.return_id: m for m in reversed(published) if m.event.return_id != head}
    messages = [*mine, *firsts.values()]
    with database.unit_of_work() as uow:
        for message in messages:
            uow.outbox.add(message)
        uow.commit()
    start = datetime(2026, 11, 27, tzinfo=UTC)
    lease = start + timedelta(minutes=1)
    with database.unit_of_work() as uow:
        uow.deliveries.fan_out("mail", start, 100)
        uow.commit()
    rest: list[Claim] = []

    def second_relay() -> None:
        with database.unit_of_work() as uow:
            rest.extend(uow.deliveries.claim("mail", "second", start, lease, 10))
            uow.commit()

    with database.unit_of_work() as first:
        taken = first.deliveries.claim("mail", "first", start, lease, 2)
        waiting = threading.Thread(target=second_relay)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the second claim did not wait for the first"
        first.commit()
    waiting.join(30)
    assert [c.message.id for c in taken] == [m.id for m in messages[:2]]
    held = {c.message.event.return_id for c in taken}
    assert rest, "the second relay found nothing to do"
    assert not {c.message.id for c in rest} & {c.message.id for c in taken}
    assert not {c.message.event.return_id for c in rest} & held, "a return was overtaken"
    assert {c.message.id for c in rest} == {m.id for m in firsts.values()}
