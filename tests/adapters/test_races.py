"""Racing commands on the SQL store: nothing is over-returned, approved, received or refunded twice.

Each race starts its racers together (a barrier) on a fresh database and
asserts outcomes, never timings: how many won, that every loser got a
``CrmReturnsError`` (a ``ConcurrencyConflict`` is retried, as a host would),
and that the store is whole afterwards (see :func:`check_store`).

Racers are threads on SQLite (sharing one engine, or each with its own) and
forked processes (Linux), each connecting on its own, on SQLite and PostgreSQL.  The
PostgreSQL races need ``CRM_RETURNS_TEST_POSTGRES_URL`` and are skipped
without it, unless ``CRM_RETURNS_REQUIRE_POSTGRES`` is set (as CI sets it):
then they fail.  The thread races of tests/adapters/sql/test_concurrency.py (clerks
for the last mice, approvers of a one-step return) are not repeated here.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from tests.adapters.postgres import fresh_schema, postgres_url

from crm_returns.adapters.memory import ManualClock, MemoryOrderSource, SequentialIds
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import audit_entry
from crm_returns.domain.books.journal import EntryKind, Side, trial_balance
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.drafting import draft
from crm_returns.domain.returns.lines import Receipt, RequestedLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.domain.stock.dispositions import Location
from crm_returns.domain.summary import summarize
from crm_returns.errors import ConcurrencyConflict, CrmReturnsError
from crm_returns.ports import OutboxMessage, UnitOfWork
from crm_returns.samples import SAMPLE_POLICY, SAMPLE_REFUND_POLICY, SAMPLE_TENANT, sample_lines
from crm_returns.service import ReturnRequest, ReturnsService
from crm_returns.service.settings import ServiceSettings
from crm_returns.testing import sample_wiring

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MOUSE = LineRef("SO-1001", "1")  # 5 delivered, 129.00 each
CABLE = LineRef("SO-1001", "2")  # 10 delivered
MONITOR = LineRef("SO-1001", "3")  # 2 delivered, serial numbers
CHAIR = LineRef("SO-1002", "1")  # 1 delivered
LAMP = LineRef("SO-1002", "2")  # 3 delivered
DELIVERED = {line.ref: line.quantity_delivered for line in sample_lines(START)}
PEOPLE = sample_wiring()
CLERK, APPROVER, WAREHOUSE = PEOPLE.clerk, PEOPLE.approver, PEOPLE.warehouse
RETRIES = 50  # a ConcurrencyConflict is retried: each retry follows another racer's commit
Outcome = str  # "ok", the CrmReturnsError's class name, or "untyped ..." (a bug)


@attrs.frozen
class Racer:
    """One contender: its number, its own connection and service, and who it acts as."""

    who: int
    database: SqlDatabase
    service: ReturnsService
    actor: Actor


Contender = Callable[[Racer], object]


def make_service(database: SqlDatabase, prefix: str) -> ReturnsService:
    return ReturnsService(
        MemoryOrderSource({SAMPLE_TENANT: sample_lines(START)}),
        database.unit_of_work,
        ServiceSettings(
            clock=ManualClock(START),
            ids=SequentialIds(prefix),
            approval_policy=SAMPLE_POLICY,
            refund_policy=SAMPLE_REFUND_POLICY,
        ),
    )


def attempt(racer: Racer, contender: Contender) -> Outcome:
    """Run ``contender`` once, and again after each ConcurrencyConflict; say how it ended."""
    for _ in range(RETRIES):
        try:
            contender(racer)
        except ConcurrencyConflict:
            continue
        except CrmReturnsError as error:
            return type(error).__name__
        except Exception as error:  # noqa: BLE001 - a leaked driver error is what we look for
            return f"untyped {type(error).__module__}.{type(error).__name__}: {error}"[:500]
        return "ok"
    return "ConcurrencyConflict"


@attrs.define
class Arena:
    """A fresh database, and how racers reach it (threads or forked processes)."""

    url: str
    options: dict[str, Any]
    mode: str  # "threads, one engine" | "threads, own engines" | "processes"
    runs: int
    database: SqlDatabase = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.database = self.connect()

    def connect(self) -> SqlDatabase:
        return SqlDatabase.connect(self.url, **self.options)

    def service(self) -> ReturnsService:
        return make_service(self.database, "setup")

    def race(self, contender: Contender, runs: int | None = None) -> list[Outcome]:
        runs = runs or self.runs
        if self.mode == "processes":
            return self._processes(contender, runs)
        return self._threads(contender, runs, own_engines=self.mode == "threads, own engines")

    def _racer(self, who: int, database: SqlDatabase) -> Racer:
        roles = {"requester", "approver", "inspector", "warehouse", "finance"}
        actor = Actor(f"u-racer-{who}", f"racer {who}", SAMPLE_TENANT, frozenset(roles))
        with database.engine.connect():
            pass  # connect before the start, so that racers start level
        return Racer(who, database, make_service(database, f"r{who}"), actor)

    def _threads(self, contender: Contender, runs: int, *, own_engines: bool) -> list[Outcome]:
        start = threading.Barrier(runs)
        outcomes = ["did not finish"] * runs

        def run(who: int) -> None:
            database = self.connect() if own_engines else self.database
            try:
                racer = self._racer(who, database)
                start.wait(timeout=60)
                outcomes[who] = attempt(racer, contender)
            finally:
                if own_engines:
                    database.dispose()

        threads = [threading.Thread(target=run, args=(who,)) for who in range(runs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return outcomes

    def _processes(self, contender: Contender, runs: int) -> list[Outcome]:
        # Forked children inherit the closures (nothing is pickled); they must not
        # inherit open connections, so the parent gives its pool back first.
        context = multiprocessing.get_context("fork")
        start = context.Barrier(runs)
        results: multiprocessing.Queue[tuple[int, Outcome]] = context.Queue()
        self.database.dispose()

        def run(who: int) -> None:
            database = self.connect()
            racer = self._racer(who, database)
            start.wait(timeout=60)
            results.put((who, attempt(racer, contender)))
            database.dispose()

        workers = [context.Process(target=run, args=(who,)) for who in range(runs)]
        for worker in workers:
            worker.start()
        try:
            for worker in workers:
                worker.join(timeout=120)
            assert [w.exitcode for w in workers] == [0] * runs, "a racing process crashed"
        finally:
            for worker in workers:
                if worker.is_alive():
                    worker.kill()
        outcomes = dict(results.get(timeout=10) for _ in workers)
        return [outcomes[who] for who in range(runs)]


MODES = [
    pytest.param(("sqlite", "threads, one engine", 12), id="sqlite-threads-one-engine"),
    pytest.param(("sqlite", "threads, own engines", 10), id="sqlite-threads-own-engines"),
    pytest.param(("sqlite", "processes", 6), id="sqlite-processes"),
    pytest.param(("postgresql", "processes", 6), id="postgresql-processes"),
]


@pytest.fixture(params=MODES)
def arena(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Arena]:
    """A fresh database (an SQLite file, or a PostgreSQL schema dropped afterwards)."""
    backend, mode, runs = request.param
    if backend == "sqlite":
        arena = Arena(f"sqlite:///{tmp_path / 'race.db'}", {}, mode, runs)
        arena.database.upgrade()
        yield arena
        arena.database.dispose()
        return
    given = postgres_url()
    # fresh_schema keeps no connection open for the racing processes to inherit.
    with fresh_schema(given, "crm_returns_race") as schema:
        arena = Arena(given, {"schema": schema}, mode, runs)
        arena.database.upgrade()
        yield arena
        arena.database.dispose()


def ask(*picks: tuple[LineRef, str, str]) -> ReturnRequest:
    return ReturnRequest(
        lines=tuple(RequestedLine(ref, Decimal(units), reason) for ref, units, reason in picks)
    )


# -- what must hold after every race ---------------------------------------------------


def units_held(order: ReturnOrder, ref: LineRef) -> Decimal:
    """Units of ``ref`` that ``order`` takes out of the returnable quantity, worked out here."""
    line = next((line for line in order.lines if line.ref == ref), None)
    if line is None or order.status in (ReturnStatus.CANCELLED, ReturnStatus.REJECTED):
        return Decimal(0)
    if order.status is ReturnStatus.DRAFT:
        return line.requested
    if order.status is ReturnStatus.COMPLETED:
        lost = order.grant.lines if order.grant is not None else ()
        return line.received + sum((g.missing_units for g in lost if g.ref == ref), Decimal(0))
    return line.approved


def check_store(arena: Arena) -> dict[str, ReturnOrder]:
    """Returned ≤ delivered, claims in step, ledgers balanced, no half-written return.

    Read straight from the tables and the unit of work, past any access policy.
    """
    codec = Codec()
    tables = arena.database.tables
    with arena.database.engine.connect() as connection:
        stored = connection.scalars(sa.select(tables.returns.c.document))
        orders = {o.id: o for o in (codec.decode(d, ReturnOrder) for d in stored)}
        claims = {
            LineRef(row.order_number, row.line_id): (row.delivered, row.claimed)
            for row in connection.execute(sa.select(tables.line_claims))
        }
        claimed_rows = connection.execute(sa.select(tables.return_lines)).all()
        postings = connection.execute(sa.select(tables.journal_postings)).all()
        messages = Counter(connection.scalars(sa.select(tables.outbox.c.return_id)))
    held = {
        ref: sum((units_held(o, ref) for o in orders.values()), Decimal(0)) for ref in DELIVERED
    }
    for ref, units in held.items():
        assert units <= DELIVERED[ref], f"{ref}: {units} returned of {DELIVERED[ref]}"
        assert claims.get(ref, (DELIVERED[ref], Decimal(0))) == (DELIVERED[ref], units), ref
        rows = [r.claimed for r in claimed_rows if LineRef(r.order_number, r.line_id) == ref]
        assert sum(rows, Decimal(0)) == units, ref
    assert set(claims) <= set(DELIVERED)
    sides: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for posting in postings:
        sides[(posting.entry_id, posting.side)] += posting.amount
    for entry_id in {p.entry_id for p in postings}:
        assert sides[(entry_id, Side.DEBIT.value)] == sides[(entry_id, Side.CREDIT.value)]
    with arena.database.unit_of_work() as uow:
        totals = trial_balance(uow.journal.entries(SAMPLE_TENANT))
        assert sum(b.debit.amount for b in totals) == sum(b.credit.amount for b in totals)
        for order in orders.values():
            check_return(uow, order, messages[order.id])
    return orders


def check_return(uow: UnitOfWork, order: ReturnOrder, messages: int) -> None:
    """The return's audit trail, outbox, stock moves and journal all match its state."""
    trail = uow.audit.for_return(SAMPLE_TENANT, order.id)
    trail = [entry for entry in trail if entry.action.value != "denied"]  # refusals move nothing
    assert (trail[0].action, trail[0].from_status) == (Action.DRAFT, None), order.number
    for before, after in itertools.pairwise(trail):
        assert after.from_status is before.to_status, order.number
    assert trail[-1].to_status is order.status, order.number
    # Submitting with no step to take approves at once: two entries, one new version.
    automatic = sum(
        1
        for before, after in itertools.pairwise(trail)
        if (before.action, after.action) == (Action.SUBMIT, Action.APPROVE)
        and (before.actor_id, before.at) == (after.actor_id, after.at)
    )
    assert order.version == len(trail) - automatic, order.number
    approvals = sum(1 for entry in trail if entry.action is Action.APPROVE) - automatic
    assert approvals == len(order.approvals), order.number
    assert messages == len(trail), order.number
    moves = uow.stock.moves(SAMPLE_TENANT, return_id=order.id)
    for line in order.lines:
        arrived = [
            m.quantity for m in moves if m.line == line.ref and m.source is Location.CUSTOMER
        ]
        assert sum(arrived, Decimal(0)) == line.received, order.number
    journal = uow.journal.entries(SAMPLE_TENANT, return_id=order.id)
    refunds = [entry for entry in journal if entry.kind is EntryKind.REFUND]
    granted = order.grant is not None and order.grant.credit_note is not None
    assert len(refunds) == (1 if granted else 0), order.number


def typed(outcomes: list[Outcome], *losses: str) -> None:
    """Every racer won or lost with one of the typed errors ``losses``."""
    assert set(outcomes) <= {"ok", *losses}, outcomes


# -- the races ---------------------------------------------------------------------------


def test_racing_for_the_last_units_of_a_line_leaves_exactly_them(arena: Arena) -> None:
    arena.service().create_return(CLERK, ask((CABLE, "7", "wrong_order")))
    outcomes = arena.race(lambda r: r.service.create_return(CLERK, ask((CABLE, "1", "other"))))
    typed(outcomes, "OverReturn")
    assert outcomes.count("ok") == 3, outcomes
    orders = check_store(arena).values()
    assert sum(units_held(o, CABLE) for o in orders) == 10
    assert len(orders) == 4


def test_racing_for_a_line_never_returned_before(arena: Arena) -> None:
    outcomes = arena.race(lambda r: r.service.create_return(CLERK, ask((LAMP, "1", "other"))))
    typed(outcomes, "OverReturn")
    assert outcomes.count("ok") == 3, outcomes
    assert sum(units_held(o, LAMP) for o in check_store(arena).values()) == 3


def test_only_the_database_check_settles_a_first_return_it_never_planned(arena: Arena) -> None:
    # A buggy caller stores drafts straight through the repository, with no
    # returnable check and no line_claims row yet: only the CHECK can refuse.
    preview = sample_wiring().service.preview_return(CLERK, ask((CHAIR, "1", "other")))

    def store(racer: Racer) -> None:
        made = draft(
            return_id=f"chair-{racer.who}",
            number=f"RT-CHAIR-{racer.who}",
            actor=CLERK,
            at=START,
            customer_id=preview.customer_id,
            customer_name=preview.customer_name,
            lines=preview.lines,
        )
        with racer.database.unit_of_work() as uow:
            uow.returns.add(made.order)
            for event in made.events:
                uow.audit.append(audit_entry(event, f"a-{racer.who}"))
                uow.outbox.add(OutboxMessage(f"m-{racer.who}", event, summarize(made.order)))
            uow.commit()

    outcomes = arena.race(store)
    typed(outcomes, "OverReturn")
    assert outcomes.count("ok") == 1, outcomes
    assert sum(units_held(o, CHAIR) for o in check_store(arena).values()) == 1


def test_approvers_racing_through_two_steps_take_each_step_once(arena: Arena) -> None:
    setup = arena.service()
    order = setup.create_return(CLERK, ask((MONITOR, "2", "quality_defect")))
    assert [s.name for s in setup.submit_return(CLERK, order.id).steps] == ["manager", "quality"]
    outcomes = arena.race(lambda r: r.service.approve_return(r.actor, order.id, f"#{r.who}"))
    typed(outcomes, "IllegalTransition")
    assert outcomes.count("ok") == 2, outcomes
    approved = check_store(arena)[order.id]
    assert approved.status is ReturnStatus.APPROVED
    assert [a.step for a in approved.approvals] == ["manager", "quality"]
    assert len({a.actor_id for a in approved.approvals}) == 2


def _received(arena: Arena, units: str) -> ReturnOrder:
    """Five mice approved, ``units`` of them received (no inspection for a wrong order)."""
    setup = arena.service()
    order = setup.create_return(CLERK, ask((MOUSE, "5", "wrong_order")))
    setup.submit_return(CLERK, order.id)
    setup.approve_return(APPROVER, order.id)
    return setup.receive_goods(WAREHOUSE, order.id, {MOUSE: Receipt(received=Decimal(units))})


def test_warehouse_staff_racing_to_receive_the_last_units_receive_each_once(
    arena: Arena,
) -> None:
    order = _received(arena, "2")
    one = {MOUSE: Receipt(received=Decimal(1))}
    outcomes = arena.race(lambda r: r.service.receive_goods(r.actor, order.id, one))
    typed(outcomes, "IllegalTransition", "ExcessQuantity")
    assert outcomes.count("ok") == 3, outcomes
    received = check_store(arena)[order.id]
    assert (received.status, received.lines[0].received) == (ReturnStatus.RECEIVED, Decimal(5))


def test_clerks_racing_to_grant_one_refund_grant_it_once(arena: Arena) -> None:
    order = _received(arena, "5")
    outcomes = arena.race(lambda r: r.service.grant_refund(r.actor, order.id, comment=f"#{r.who}"))
    typed(outcomes, "IllegalTransition")
    assert outcomes.count("ok") == 1, outcomes
    granted = check_store(arena)[order.id]
    assert granted.grant is not None
    assert granted.grant.credit_note is not None


def test_retries_racing_with_one_idempotency_key_create_one_return(arena: Arena) -> None:
    request = ask((CABLE, "2", "wrong_order"))
    outcomes = arena.race(
        lambda r: r.service.create_return(CLERK, request, idempotency_key="k-race")
    )
    assert outcomes == ["ok"] * arena.runs, outcomes
    assert len(check_store(arena)) == 1


def test_cancelling_and_receiving_one_return_at_once_lets_one_side_win(arena: Arena) -> None:
    setup = arena.service()
    order = setup.create_return(CLERK, ask((CABLE, "10", "wrong_order")))
    assert setup.submit_return(CLERK, order.id).status is ReturnStatus.APPROVED  # no step
    one = {CABLE: Receipt(received=Decimal(1))}

    def cancel_or_receive(racer: Racer) -> object:  # odd racers cancel, even ones receive
        if racer.who % 2:
            return racer.service.cancel_return(racer.actor, order.id, f"#{racer.who}")
        return racer.service.receive_goods(racer.actor, order.id, one)

    outcomes = arena.race(cancel_or_receive, runs=6)
    typed(outcomes, "IllegalTransition")
    won = [outcomes[who::2].count("ok") for who in (1, 0)]  # cancels, receipts
    assert won in ([1, 0], [0, 3]), outcomes
    ended = check_store(arena)[order.id]
    assert ended.status in (ReturnStatus.CANCELLED, ReturnStatus.PARTIALLY_RECEIVED)
    assert ended.lines[0].received == won[1]
