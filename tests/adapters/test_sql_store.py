"""The SQL store on SQLite (a temporary file) and on PostgreSQL.

Every test marked with the ``backend`` fixture runs on both databases.  The
PostgreSQL runs need a server: set ``CRM_RETURNS_TEST_POSTGRES_URL`` (for
example ``postgresql://postgres@127.0.0.1:5432/crm_returns_dev``); each test
then gets a schema of its own, dropped afterwards.  Without the variable they
are skipped, saying so — unless ``CRM_RETURNS_REQUIRE_POSTGRES`` is set, as CI
sets it, and then they fail.

The reference for "right" is the in-memory store: the same story told through
``ReturnsService`` on both must read back identically, field by field.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url
from tests.adapters.postgres import postgres_url

from crm_returns import (
    Action,
    Actor,
    Fault,
    Inspection,
    LineQuery,
    LineRef,
    Money,
    Reason,
    ReasonCategory,
    Receipt,
    RequestedLine,
    ReturnOrder,
    ReturnQuery,
    ReturnStatus,
)
from crm_returns.adapters.memory import (
    ManualClock,
    MemoryDatabase,
    MemoryEventSink,
    MemoryOrderSource,
    SequentialIds,
)
from crm_returns.adapters.sql import (
    DocumentError,
    SqlDatabase,
    SqlUnitOfWork,
    StorageError,
    create_engine,
    current_revision,
    metadata,
    upgrade,
)
from crm_returns.adapters.sql.codec import EVENT_TYPES, decode, decode_text, encode, encode_text
from crm_returns.adapters.sql.migrate import VERSION_TABLE, alembic_config
from crm_returns.adapters.sql.schema import line_claims, return_lines
from crm_returns.adapters.sql.schema import returns as returns_table
from crm_returns.adapters.sql.types import ExactDecimal, Instant
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.errors import ConcurrencyConflict, CrmReturnsError, NotFound, OverReturn
from crm_returns.ports import OutboxMessage, UnitOfWork
from crm_returns.samples import SAMPLE_POLICY, SAMPLE_REFUND_POLICY, SAMPLE_TENANT, sample_lines
from crm_returns.service import ReturnRequest, ReturnsService
from crm_returns.service.settings import ServiceSettings
from crm_returns.testing import sample_wiring
from crm_returns.testing.conformance import StoreContract, UnitOfWorkFactory, assert_identical

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MOUSE = LineRef("SO-1001", "1")  # 5 delivered, 129.00 each
CABLE = LineRef("SO-1001", "2")  # 10 delivered
MONITOR = LineRef("SO-1001", "3")  # 2 delivered, serial numbers MON27-0001 and -0002
CHAIR = LineRef("SO-1002", "1")  # 1 delivered
LAMP = LineRef("SO-1002", "2")  # 3 delivered
PEOPLE = sample_wiring()
CLERK, APPROVER, WAREHOUSE, INSPECTOR, FINANCE, ADMIN = (
    PEOPLE.clerk,
    PEOPLE.approver,
    PEOPLE.warehouse,
    PEOPLE.inspector,
    PEOPLE.finance,
    PEOPLE.admin,
)
AUDITOR = Actor("u-audit", "吴审计", SAMPLE_TENANT, {"auditor"})


# -- databases -----------------------------------------------------------------------


@attrs.frozen
class Backend:
    """Where a fresh, empty database is, and the engine options that reach it."""

    url: URL
    options: dict[str, Any] = attrs.field(factory=dict)

    def database(self) -> SqlDatabase:
        return SqlDatabase.connect(self.url, **self.options)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], Backend]]:
    """Make fresh, empty databases: SQLite files, or PostgreSQL schemas dropped afterwards."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sql")
        yield lambda: Backend(make_url(f"sqlite:///{folder / uuid.uuid4().hex}.db"))
        return
    given = postgres_url()
    admin = create_engine(given)
    schemas: list[str] = []

    def make() -> Backend:
        schemas.append(f"crm_returns_test_{uuid.uuid4().hex[:12]}")
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schemas[-1]}"')
        return Backend(make_url(given), {"schema": schemas[-1]})

    yield make
    with admin.begin() as connection:
        for schema in schemas:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture
def backend(fresh: Callable[[], Backend]) -> Backend:
    return fresh()


@pytest.fixture
def database(backend: Backend) -> Iterator[SqlDatabase]:
    """An empty store, its tables made by the migrations."""
    database = backend.database()
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def one_connection(backend: Backend) -> Iterator[SqlDatabase]:
    """PostgreSQL with a pool of one connection (its server can close it); skips on SQLite."""
    if backend.url.get_backend_name() != "postgresql":
        pytest.skip("a SQLite file has no server to close the connection")
    database = SqlDatabase.connect(backend.url, **backend.options, pool_size=1)
    database.upgrade()
    yield database
    database.dispose()


# -- a story told through the service ------------------------------------------------


def _picks(*picks: tuple[LineRef, str, str]) -> ReturnRequest:
    return ReturnRequest(
        lines=tuple(RequestedLine(ref, Decimal(units), reason) for ref, units, reason in picks)
    )


def tell_the_story(unit_of_work: Callable[[], UnitOfWork]) -> dict[str, object]:
    """Run every command the service has, a few failing, and read everything back.

    Returns what each step gave (a value, or the error's type and message).
    """
    clock = ManualClock(START)
    service = ReturnsService(
        MemoryOrderSource({SAMPLE_TENANT: sample_lines(START)}),
        unit_of_work,
        ServiceSettings(
            clock=clock,
            ids=SequentialIds(),
            approval_policy=SAMPLE_POLICY,
            refund_policy=SAMPLE_REFUND_POLICY,
        ),
    )
    seen: dict[str, object] = {}

    def step(name: str, command: Callable[[], object]) -> Any:
        clock.advance(timedelta(minutes=7))
        try:
            seen[name] = command()
        except CrmReturnsError as error:
            seen[name] = (type(error).__name__, str(error))
        return seen[name]

    s = service
    # A monitor with a dead pixel: edited, two approval steps, received in two
    # parcels, half restocked and half repaired, refunded in two payments.
    monitor = step(
        "monitor", lambda: s.create_return(CLERK, _picks((MONITOR, "1", "quality_defect")))
    )
    mid = monitor.id
    step("edit", lambda: s.edit_return(CLERK, mid, _picks((MONITOR, "2", "quality_defect")).lines))
    step("submit", lambda: s.submit_return(CLERK, mid))
    step("approve 1", lambda: s.approve_return(APPROVER, mid, "同意"))
    step("approve 2", lambda: s.approve_return(INSPECTOR, mid))
    for n, serial in enumerate(("MON27-0001", "MON27-0002")):
        receipt = {MONITOR: Receipt(received=Decimal(1), serial_numbers=[serial])}
        step(f"receive {n}", lambda r=receipt: s.receive_goods(WAREHOUSE, mid, r))  # type: ignore[misc]
    split = {Disposition.RESTOCK: Decimal(1), Disposition.REPAIR: Decimal(1)}
    inspection = {MONITOR: Inspection(accepted=Decimal(2), dispositions=split, note="一台可修")}
    step("inspect", lambda: s.inspect_goods(INSPECTOR, mid, inspection))
    step("repaired", lambda: s.finish_repair(WAREHOUSE, mid, MONITOR, Decimal(1)))
    step("clerk grants", lambda: s.grant_refund(CLERK, mid, comment="我来退款"))
    granted = step("grant", lambda: s.grant_refund(FINANCE, mid, comment="质量问题全额退款"))
    owed = granted.grant.amount
    part = Money(Decimal("1000.00"), "CNY")
    paid = step("pay", lambda: s.record_refund_payment(FINANCE, mid, part, "PSP-1"))
    step("settle", lambda: s.settle_refund_payment(FINANCE, mid, paid.grant.payments[0].id, True))
    rest = step("pay rest", lambda: s.record_refund_payment(FINANCE, mid, owed - part, "PSP-2"))
    step("bounce", lambda: s.settle_refund_payment(FINANCE, mid, rest.grant.payments[1].id, False))
    step("complete", lambda: s.complete_return(FINANCE, mid))
    # Rejected, cancelled, and a small one approved at once and completed.
    chair = step(
        "chair", lambda: s.create_return(CLERK, _picks((CHAIR, "1", "changed_requirement")))
    )
    step("submit chair", lambda: s.submit_return(CLERK, chair.id))
    step("reject", lambda: s.reject_return(APPROVER, chair.id, "超出退货期"))
    lamp = step("lamp", lambda: s.create_return(CLERK, _picks((LAMP, "1", "wrong_order"))))
    step("cancel", lambda: s.cancel_return(CLERK, lamp.id, "客户撤回"))
    small = ((MOUSE, "2", "wrong_order"), (CABLE, "3", "wrong_order"))
    step("preview", lambda: s.preview_return(CLERK, _picks(*small)))
    kept = step("small", lambda: s.create_return(CLERK, _picks(*small), idempotency_key="k-1"))
    step("retried", lambda: s.create_return(CLERK, _picks(*small), idempotency_key="k-1"))
    step("other payload", lambda: s.create_return(CLERK, _picks(small[0]), idempotency_key="k-1"))
    step("submit small", lambda: s.submit_return(CLERK, kept.id))
    everything = {MOUSE: Receipt(received=Decimal(2)), CABLE: Receipt(received=Decimal(3))}
    step("receive small", lambda: s.receive_goods(WAREHOUSE, kept.id, everything))
    step("warehouse completes", lambda: s.complete_return(WAREHOUSE, kept.id))
    step("complete small", lambda: s.complete_return(FINANCE, kept.id))
    step("too many", lambda: s.create_return(CLERK, _picks((MOUSE, "4", "wrong_order"))))
    step("stale", lambda: s.submit_return(CLERK, kept.id))
    # The reason catalog, customised.
    box = ReasonCategory("packaging", {"en": "Packaging", "zh-CN": "包装"})
    torn = Reason("torn_box", "packaging", {"en": "Torn box", "zh-CN": "包装破损"}, Fault.CARRIER)
    step("clerk's category", lambda: s.add_reason_category(CLERK, box))
    step("category", lambda: s.add_reason_category(ADMIN, box))
    step("reason", lambda: s.add_reason(ADMIN, torn))
    step(
        "relabel", lambda: s.relabel_reason(ADMIN, "torn_box", {"en": "Box torn", "zh-CN": "箱破"})
    )
    step("retire", lambda: s.retire_reason(ADMIN, "other"))
    step("remove used", lambda: s.remove_reason(ADMIN, "wrong_order"))
    step("remove unused", lambda: s.remove_reason(ADMIN, "torn_box"))
    # Reading it all back.
    sink = MemoryEventSink()
    sink.failing = True
    step("relay down", lambda: s.relay_events(sink, 5))
    sink.failing = False
    step("relay some", lambda: s.relay_events(sink, 5))
    step("relay rest", lambda: s.relay_events(sink, 500))
    seen["published"] = tuple(sink.published)
    for order in (monitor, chair, lamp, kept):
        step(f"audit {order.number}", lambda o=order: s.audit_trail(CLERK, o.id))  # type: ignore[misc]
        step(f"find {order.number}", lambda o=order: s.find_return(CLERK, o.number))  # type: ignore[misc]
    step("page 1", lambda: s.list_returns(CLERK, ReturnQuery(limit=2)))
    step("page 2", lambda: s.list_returns(CLERK, ReturnQuery(offset=2, limit=2)))
    done = ReturnQuery(statuses={ReturnStatus.COMPLETED, ReturnStatus.CANCELLED})
    step("by status", lambda: s.list_returns(CLERK, done))
    step("by customer", lambda: s.list_returns(CLERK, ReturnQuery(customer_id="C-1002")))
    later = ReturnQuery(created_from=START + timedelta(hours=2))
    step("by time", lambda: s.list_returns(CLERK, later))
    step("returnable", lambda: s.search_returnable_lines(CLERK, LineQuery()))
    step("clerk's journal", lambda: s.journal(CLERK))
    step("journal", lambda: s.journal(FINANCE))
    step("inventory", lambda: s.journal(FINANCE, account_code="1405"))
    hour = START + timedelta(hours=1)
    step("period", lambda: s.journal(FINANCE, start=hour, end=hour + timedelta(hours=1)))
    step("moves", lambda: s.stock_moves(WAREHOUSE))
    step("monitor moves", lambda: s.stock_moves(WAREHOUSE, sku="MON-27", return_id=mid))
    step("balances", lambda: s.stock_balances(WAREHOUSE))
    step("trial balance", lambda: s.trial_balance(FINANCE))
    step("catalog", lambda: s.reason_catalog(CLERK))
    step("tenant audit", lambda: s.tenant_audit_trail(AUDITOR))
    return seen


@pytest.fixture(scope="module")
def memory_story() -> tuple[dict[str, object], MemoryDatabase]:
    database = MemoryDatabase()
    return tell_the_story(database.unit_of_work), database


def test_the_story_covers_every_event_and_status(
    memory_story: tuple[dict[str, object], MemoryDatabase],
) -> None:
    story, database = memory_story
    events = {type(m.event).__name__ for m in story["published"]}  # type: ignore[attr-defined]
    assert events == set(EVENT_TYPES)
    statuses = {order.status for order in database.committed.returns.values()}
    assert statuses == {ReturnStatus.COMPLETED, ReturnStatus.REJECTED, ReturnStatus.CANCELLED}
    failures = {
        name: value
        for name, value in story.items()
        if isinstance(value, tuple) and value and isinstance(value[0], str)
    }
    assert set(failures) == {
        "other payload",
        "too many",
        "stale",
        "remove used",
        "clerk grants",
        "warehouse completes",
        "clerk's category",
        "clerk's journal",
    }
    denials = {name for name, (error, _) in failures.items() if error == "NotAuthorised"}
    assert denials == {"clerk grants", "warehouse completes", "clerk's category", "clerk's journal"}
    denied = [entry for entry in story["tenant audit"] if entry.action is Action.DENIED]  # type: ignore[attr-defined]
    assert [dict(entry.detail)["permission"] for entry in denied] == [
        "manage_reasons",
        "view_books",
    ]
    assert all(entry.to_status is None and entry.return_id == "" for entry in denied)


def test_the_same_story_reads_back_identically_from_sql(
    database: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    told = tell_the_story(database.unit_of_work)
    assert_identical(told, memory_story[0], "story")


def test_every_line_claim_is_in_step_with_the_stored_returns(
    database: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    tell_the_story(database.unit_of_work)
    orders = memory_story[1].committed.returns.values()
    expected = {
        line.ref: sum((order.claimed(line.ref) for order in orders), Decimal(0))
        for order in orders
        for line in order.lines
    }
    with database.engine.connect() as connection:
        rows = connection.execute(sa.select(line_claims)).all()
    assert {LineRef(r.order_number, r.line_id): r.claimed for r in rows} == expected
    delivered = {line.ref: line.quantity_delivered for line in sample_lines(START)}
    assert {LineRef(r.order_number, r.line_id): r.delivered for r in rows} == {
        ref: delivered[ref] for ref in expected
    }


# -- values round-trip exactly -------------------------------------------------------

EIGHT_HOURS_EAST = timezone(timedelta(hours=8))


def _exotic(order: ReturnOrder) -> ReturnOrder:
    """``order`` cancelled, with fractional quantities, scales to keep and a +08:00 clock."""
    lines = tuple(
        attrs.evolve(line, requested=Decimal("1.50"), approved=Decimal("1.0"), note="第一行\n")
        for line in order.lines
    )
    return attrs.evolve(
        order,
        id="exotic",
        number="RT-EXOTIC-😀",
        status=ReturnStatus.CANCELLED,
        lines=lines,
        created_at=datetime(2026, 11, 27, 17, 0, 0, 123456, tzinfo=EIGHT_HOURS_EAST),
        note='引号 " 反斜杠 \\ 与 NUL 之外的一切',
    )


def test_every_stored_value_round_trips_exactly(
    database: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    story, memory = memory_story
    committed = memory.committed
    orders = [*committed.returns.values(), _exotic(next(iter(committed.returns.values())))]
    entries = [entry for trail in committed.audit.values() for entry in trail]
    entries.append(
        attrs.evolve(entries[0], id="east", at=entries[0].at.astimezone(EIGHT_HOURS_EAST))
    )
    messages = story["published"]
    assert isinstance(messages, tuple)
    with database.unit_of_work() as uow:
        for order in orders:
            uow.returns.add(order)
        for entry in entries:
            uow.audit.append(entry)
        for message in messages:
            uow.outbox.add(message)
        uow.reasons.put(SAMPLE_TENANT, committed.reasons[SAMPLE_TENANT])
        uow.stock.add(committed.moves)
        uow.journal.add(committed.entries)
        for (tenant_id, key), result in committed.idempotency.items():
            uow.idempotency.put(tenant_id, key, result)
        uow.commit()
    with database.unit_of_work() as uow:
        for order in orders:
            assert_identical(uow.returns.get(order.tenant_id, order.id), order, order.number)
        found = [e for o in orders for e in uow.audit.for_return(o.tenant_id, o.id)]
        found.extend(uow.audit.for_return(SAMPLE_TENANT, ""))
        assert_identical(sorted(found, key=lambda e: e.id), sorted(entries, key=lambda e: e.id))
        assert_identical(tuple(uow.outbox.pending(1000)), messages, "outbox")
        assert_identical(uow.reasons.get(SAMPLE_TENANT), committed.reasons[SAMPLE_TENANT])
        assert_identical(list(uow.stock.moves(SAMPLE_TENANT)), committed.moves, "moves")
        assert_identical(list(uow.journal.entries(SAMPLE_TENANT)), committed.entries, "journal")
        for (tenant_id, key), result in committed.idempotency.items():
            assert_identical(uow.idempotency.get(tenant_id, key), result, key)


def test_an_audit_entry_keeps_its_utc_offset(
    database: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    [first, *_] = next(iter(memory_story[1].committed.audit.values()))
    entry = attrs.evolve(first, at=datetime(2026, 11, 27, 17, 0, tzinfo=EIGHT_HOURS_EAST))
    with database.unit_of_work() as uow:
        uow.audit.append(entry)
        uow.commit()
    with database.unit_of_work() as uow:
        [found] = uow.audit.for_return(entry.tenant_id, entry.return_id)
    assert found.at.utcoffset() == timedelta(hours=8)
    assert_identical(found, entry)


EXACT = sa.MetaData()
exact_values = sa.Table(
    "exact_values",
    EXACT,
    sa.Column("n", sa.Integer(), primary_key=True),
    sa.Column("amount", ExactDecimal()),
    sa.Column("at", Instant()),
)


@pytest.mark.parametrize(
    "text",
    ["10.00", "0.5", "-3", "0", "0E-8", "0.000001", "123456789012345678901234567890.123456789"],
)
def test_an_exact_column_keeps_the_value_and_its_scale(database: SqlDatabase, text: str) -> None:
    moment = datetime(2026, 11, 27, 17, 0, 0, 1, tzinfo=EIGHT_HOURS_EAST)
    with database.engine.begin() as connection:
        EXACT.create_all(connection)
        connection.execute(sa.insert(exact_values).values(n=1, amount=Decimal(text), at=moment))
        row = connection.execute(sa.select(exact_values)).one()
    assert row.amount.as_tuple() == Decimal(text).as_tuple()
    assert row.at == moment
    assert row.at.utcoffset() == timedelta(0)


def test_a_float_or_a_naive_time_is_refused_before_it_reaches_the_database(
    database: SqlDatabase,
) -> None:
    with database.engine.begin() as connection:
        EXACT.create_all(connection)
        for values in ({"amount": 0.1}, {"at": datetime(2026, 11, 27, 9, 0)}):  # noqa: DTZ001
            with pytest.raises(sa.exc.StatementError, match="takes a"):
                connection.execute(sa.insert(exact_values).values(n=2, **values))


# -- transactions --------------------------------------------------------------------


@pytest.fixture(scope="module")
def drafts() -> tuple[ReturnOrder, ReturnOrder]:
    """Two drafts made by a real service: 2 mice (RT-…-000001) and the chair (…-000002)."""
    wiring = sample_wiring()
    mice = wiring.service.create_return(CLERK, _picks((MOUSE, "2", "wrong_order")))
    chair = wiring.service.create_return(CLERK, _picks((CHAIR, "1", "wrong_order")))
    return mice, chair


def _write_everything(uow: UnitOfWork, order: ReturnOrder, story: MemoryDatabase) -> None:
    committed = story.committed
    uow.returns.add(order)
    uow.audit.append(next(iter(committed.audit.values()))[0])
    uow.reasons.put(SAMPLE_TENANT, committed.reasons[SAMPLE_TENANT])
    uow.sequences.next("return:acme:2026-11-27")
    uow.stock.add(committed.moves)
    uow.journal.add(committed.entries)


def _nothing_is_stored(database: SqlDatabase) -> None:
    with database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            assert count == 0, f"{table.name} kept {count} rows"


@pytest.mark.parametrize("ending", ["leave", "raise"])
def test_a_unit_of_work_ending_without_commit_keeps_nothing(
    database: SqlDatabase,
    drafts: tuple[ReturnOrder, ReturnOrder],
    memory_story: tuple[dict[str, object], MemoryDatabase],
    ending: str,
) -> None:
    failing = ending == "raise"
    expected = pytest.raises(RuntimeError, match="boom") if failing else contextlib.nullcontext()
    with expected, database.unit_of_work() as uow:
        _write_everything(uow, drafts[0], memory_story[1])
        if failing:
            raise RuntimeError("boom")
    _nothing_is_stored(database)
    with database.unit_of_work() as uow:
        assert uow.sequences.next("return:acme:2026-11-27") == 1


def test_an_append_that_fails_at_commit_keeps_nothing_of_the_unit_of_work(
    database: SqlDatabase,
    drafts: tuple[ReturnOrder, ReturnOrder],
    memory_story: tuple[dict[str, object], MemoryDatabase],
) -> None:
    """Appends are sent with the next statement or the commit; their failure fails the commit."""
    mice = drafts[0]
    entry = next(iter(memory_story[1].committed.audit.values()))[0]
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.audit.append(entry)
        uow.commit()
    changed = attrs.evolve(mice, note="changed", version=2)
    with database.unit_of_work() as uow:
        uow.returns.update(changed, expected_version=1)
        uow.audit.append(entry)  # the same id again: refused by the unique key
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
        with pytest.raises(RuntimeError, match="rolled this unit of work back"):
            uow.returns.get(SAMPLE_TENANT, mice.id)
    with database.unit_of_work() as uow:
        assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)
        assert len(uow.audit.for_return(entry.tenant_id, entry.return_id)) == 1


def test_statements_watched_through_sqlalchemy_events_are_all_seen_and_work_the_same(
    database: SqlDatabase,
) -> None:
    """A host's logging or tracing on the engine sees every statement, deferred ones too."""
    seen: list[str] = []

    def watch(*event: Any) -> None:
        seen.append(" ".join(str(event[2]).split()[:3]))

    sa.event.listen(database.engine, "before_cursor_execute", watch)
    try:
        story = _service(database)
        draft = story.create_return(CLERK, _picks((MOUSE, "2", "wrong_order")))
        submitted = story.submit_return(CLERK, draft.id)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", watch)
    assert "INSERT INTO audit_entries" in seen
    assert "INSERT INTO outbox" in seen
    assert "UPDATE returns SET" in seen
    with database.unit_of_work() as uow:
        assert_identical(uow.returns.get(SAMPLE_TENANT, draft.id), submitted)
        trail = uow.audit.for_return(SAMPLE_TENANT, draft.id)
    assert (trail[0].to_status, trail[-1].to_status) == (ReturnStatus.DRAFT, submitted.status)


def _claims_match_lines(database: SqlDatabase) -> None:
    """``line_claims`` holds, per line, the sum of what the stored returns claim."""
    with database.engine.connect() as connection:
        totals: dict[tuple[str, str], Decimal] = {}
        for order_number, line_id, claimed in connection.execute(
            sa.select(return_lines.c.order_number, return_lines.c.line_id, return_lines.c.claimed)
        ):
            key = (order_number, line_id)
            totals[key] = totals.get(key, Decimal(0)) + claimed
        claims = {
            (order_number, line_id): claimed
            for order_number, line_id, claimed in connection.execute(
                sa.select(line_claims.c.order_number, line_claims.c.line_id, line_claims.c.claimed)
            )
        }
    assert {key: total for key, total in claims.items() if total} == {
        key: total for key, total in totals.items() if total
    }


def _asking(order: ReturnOrder, units: int, version: int) -> ReturnOrder:
    lines = tuple(attrs.evolve(line, requested=Decimal(units)) for line in order.lines)
    return attrs.evolve(order, lines=lines, version=version)


def test_a_return_rewritten_at_the_same_version_between_two_transactions_keeps_claims_true(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """What one transaction read is not trusted in the next: the claims stay the lines' sum."""
    mice = drafts[0]  # 2 of the 5 mice
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
    reader = database.unit_of_work()
    with reader:
        reader.returns.get(SAMPLE_TENANT, mice.id)
        reader.commit()
        with database.unit_of_work() as other:  # rewrites it without raising the version
            other.returns.update(_asking(mice, 1, version=1), expected_version=1)
            other.commit()
        reader.returns.update(_asking(mice, 3, version=2), expected_version=1)
        reader.commit()
    _claims_match_lines(database)
    greedy = attrs.evolve(_asking(mice, 3, version=1), id="greedy", number="RT-GREEDY")
    with pytest.raises(OverReturn), database.unit_of_work() as uow:  # 3 + 3 > 5
        uow.returns.add(greedy)


def test_a_return_rewritten_after_it_was_read_is_a_conflict_on_postgres(
    backend: Backend, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """Within one transaction too: the update checks the document it took the lines from."""
    if backend.url.get_backend_name() != "postgresql":
        pytest.skip("on SQLite the reader holds the write lock: nobody rewrites it meanwhile")
    database = backend.database()
    database.upgrade()
    try:
        mice = drafts[0]
        with database.unit_of_work() as uow:
            uow.returns.add(mice)
            uow.commit()
        with database.unit_of_work() as reader:
            reader.returns.get(SAMPLE_TENANT, mice.id)
            with database.unit_of_work() as other:
                other.returns.update(_asking(mice, 1, version=1), expected_version=1)
                other.commit()
            with pytest.raises(ConcurrencyConflict):
                reader.returns.update(_asking(mice, 3, version=2), expected_version=1)
        _claims_match_lines(database)
    finally:
        database.dispose()


def test_an_over_return_on_a_line_that_replaces_another_is_an_over_return(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """Dropping a line and asking too much of a new one: ``OverReturn``, nothing kept."""
    mice, chair = drafts  # one chair delivered
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
    greedy_chair = attrs.evolve(chair.lines[0], requested=Decimal(2))
    edited = attrs.evolve(mice, version=2, lines=(greedy_chair,))
    with pytest.raises(OverReturn) as refused, database.unit_of_work() as uow:
        uow.returns.update(edited, expected_version=1)
    assert (refused.value.line, refused.value.requested) == (str(CHAIR), Decimal(2))
    with database.unit_of_work() as uow:
        assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)
    _claims_match_lines(database)


def _row_of(database: SqlDatabase, return_id: str) -> tuple[Any, ...]:
    with database.engine.connect() as connection:
        row = connection.execute(
            sa.select(
                returns_table.c.number, returns_table.c.customer_id, returns_table.c.created_at
            ).where(returns_table.c.id == return_id)
        ).one()
    return tuple(row)


def test_an_update_that_renumbers_a_return_rewrites_the_row_it_is_found_by(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """Commands leave number, customer and creation time alone; a caller that changes them
    still finds the return by its new number, read in the same unit of work or not."""
    mice = drafts[0]
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
    later = mice.created_at + timedelta(hours=1)
    renamed = attrs.evolve(
        mice, number="RT-RENAMED", customer_id="C-OTHER", created_at=later, version=2
    )
    moved_again = attrs.evolve(renamed, number="RT-AGAIN", version=3)
    with database.unit_of_work() as uow:
        uow.returns.get(SAMPLE_TENANT, mice.id)  # known to the unit of work
        uow.returns.update(renamed, expected_version=1)
        uow.commit()
    assert _row_of(database, mice.id) == ("RT-RENAMED", "C-OTHER", later)
    with database.unit_of_work() as uow:  # not read first
        uow.returns.update(moved_again, expected_version=2)
        uow.commit()
    with database.unit_of_work() as uow:
        assert_identical(uow.returns.get_by_number(SAMPLE_TENANT, "RT-AGAIN"), moved_again)
        with pytest.raises(NotFound):
            uow.returns.get_by_number(SAMPLE_TENANT, mice.number)
        mine = uow.returns.search(SAMPLE_TENANT, ReturnQuery(customer_id="C-OTHER"))
    assert [order.id for order in mine.items] == [mice.id]
    number, customer, created = _row_of(database, mice.id)
    assert (number, customer, created) == ("RT-AGAIN", "C-OTHER", later)


def test_a_command_rewrites_only_what_changes_of_a_return_and_its_lines(
    database: SqlDatabase,
) -> None:
    """A command's ``UPDATE`` of the return leaves the indexed number, customer and creation
    time out, and a line whose units change is updated in place, not deleted and inserted."""
    story = _service(database)
    draft = story.create_return(CLERK, _picks((MOUSE, "2", "wrong_order")))
    seen: list[str] = []

    def watch(*event: Any) -> None:
        seen.append(" ".join(str(event[2]).split()))

    sa.event.listen(database.engine, "before_cursor_execute", watch)
    try:
        story.submit_return(CLERK, draft.id)
        story.cancel_return(CLERK, draft.id, "changed my mind")
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", watch)
    updates = [sql for sql in seen if sql.startswith("UPDATE returns SET")]
    assert len(updates) == 2
    assert not any(
        column in sql.split("WHERE")[0]
        for sql in updates
        for column in ("number", "customer_id", "created_at")
    )
    assert any(sql.startswith("UPDATE return_lines SET") for sql in seen)  # the cancel frees them
    assert not any(
        sql.startswith(("DELETE FROM return_lines", "INSERT INTO return_lines")) for sql in seen
    )
    _claims_match_lines(database)
    with database.engine.connect() as connection:
        claimed = connection.execute(sa.select(return_lines.c.claimed)).scalars().all()
    assert claimed == [Decimal(0)]


def test_a_commit_on_a_connection_the_server_closed_is_not_made_twice(
    one_connection: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    """A failed round trip that carried the COMMIT may have committed: it is not repeated."""
    database = one_connection
    entry = next(iter(memory_story[1].committed.audit.values()))[0]
    _server_closes(database)
    with database.unit_of_work() as uow:
        uow.audit.append(entry)  # deferred: the commit is the first round trip
        with pytest.raises(StorageError):
            uow.commit()
    with database.unit_of_work() as uow:
        assert list(uow.audit.for_return(entry.tenant_id, entry.return_id)) == []


def test_writes_after_a_commit_need_a_commit_of_their_own(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    mice, chair = drafts
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
        uow.returns.add(chair)
    with database.unit_of_work() as uow:
        assert uow.returns.search(SAMPLE_TENANT, ReturnQuery()).items == (mice,)


def test_a_stale_version_is_a_conflict_and_keeps_the_first_writer(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    mice = drafts[0]
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
    with database.unit_of_work() as uow:
        uow.returns.update(attrs.evolve(mice, note="first writer", version=2), 1)
        uow.commit()
    with database.unit_of_work() as uow, pytest.raises(ConcurrencyConflict, match=mice.number):
        uow.returns.update(attrs.evolve(mice, note="second writer", version=2), 1)
    with database.unit_of_work() as uow:
        assert uow.returns.get(SAMPLE_TENANT, mice.id).note == "first writer"
        with pytest.raises(NotFound):
            uow.returns.update(attrs.evolve(mice, id="nobody"), 1)


@pytest.mark.parametrize("taken", ["id", "number"])
def test_a_taken_id_or_number_is_a_conflict_that_leaves_the_unit_of_work_usable(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder], taken: str
) -> None:
    mice, chair = drafts
    impostor = attrs.evolve(chair, **{taken: getattr(mice, taken)})
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        with pytest.raises(ConcurrencyConflict):
            uow.returns.add(impostor)
        uow.returns.add(chair)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.returns.search(SAMPLE_TENANT, ReturnQuery()).total == 2
        assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)


# -- the database's own guard against over-return ------------------------------------


def test_the_check_constraint_refuses_more_returned_than_delivered(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    mice, chair = drafts  # 2 of the 5 mice
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
    # A buggy caller skips the service's check: 4 more mice, 6 of 5 in all.
    greedy = attrs.evolve(
        mice,
        id="greedy",
        number="RT-GREEDY",
        lines=tuple(attrs.evolve(line, requested=Decimal(4)) for line in mice.lines),
    )
    uow = database.unit_of_work()
    with uow:
        uow.returns.add(chair)  # written first in the same transaction: must go too
        with pytest.raises(OverReturn) as refused:
            uow.returns.add(greedy)
        with pytest.raises(RuntimeError, match="rolled this unit of work back"):
            uow.returns.get(SAMPLE_TENANT, chair.id)
        with pytest.raises(RuntimeError, match="rolled this unit of work back"):
            uow.commit()
    error = refused.value
    assert (error.line, error.requested, error.delivered, error.already_returned) == (
        str(MOUSE),
        Decimal(4),
        Decimal(5),
        Decimal(2),
    )
    assert isinstance(error.__cause__, sa.exc.IntegrityError)
    with database.unit_of_work() as uow:
        assert [o.id for o in uow.returns.for_lines(SAMPLE_TENANT, [MOUSE, CHAIR])] == [mice.id]


def test_the_check_also_guards_updates_and_a_cancelled_return_frees_its_units(
    database: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    mice = drafts[0]
    three = attrs.evolve(
        mice,
        id="three",
        number="RT-THREE",
        lines=tuple(attrs.evolve(line, requested=Decimal(3)) for line in mice.lines),
    )
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.returns.add(three)  # 2 + 3 = all 5 mice
        uow.commit()
    more = attrs.evolve(mice, version=2, lines=three.lines)
    with database.unit_of_work() as uow, pytest.raises(OverReturn):
        uow.returns.update(more, expected_version=1)  # 3 + 3 > 5
    with database.unit_of_work() as uow:
        uow.returns.update(attrs.evolve(three, status=ReturnStatus.CANCELLED, version=2), 1)
        uow.returns.update(more, expected_version=1)  # 3 + 0 now
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.returns.get(SAMPLE_TENANT, mice.id).lines[0].requested == 3


# -- concurrency ---------------------------------------------------------------------


def _service(database: SqlDatabase) -> ReturnsService:
    return ReturnsService(
        MemoryOrderSource({SAMPLE_TENANT: sample_lines(START)}),
        database.unit_of_work,
        ServiceSettings(
            clock=ManualClock(START),
            ids=SequentialIds(),
            approval_policy=SAMPLE_POLICY,
            refund_policy=SAMPLE_REFUND_POLICY,
        ),
    )


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
    service = _service(database)

    def create() -> ReturnOrder:
        # A line returned for the first time has no claims row to lock yet: two
        # clerks may both insert one, and the loser is told to retry, as a host would.
        for _ in range(19):
            try:
                return service.create_return(CLERK, _picks((MOUSE, "1", "wrong_order")))
            except ConcurrencyConflict:
                continue
        return service.create_return(CLERK, _picks((MOUSE, "1", "wrong_order")))

    outcomes = _race(8, create)
    # 5 mice were delivered: five clerks win, three are told why they lost.
    assert outcomes.count("ok") == 5, outcomes
    assert set(outcomes) <= {"ok", "OverReturn"}, outcomes
    with database.unit_of_work() as uow:
        stored = uow.returns.for_lines(SAMPLE_TENANT, [MOUSE])
    assert sum(order.claimed(MOUSE) for order in stored) == 5
    assert len({order.number for order in stored}) == 5


def test_approvers_racing_for_one_return_approve_it_once(database: SqlDatabase) -> None:
    service = _service(database)
    order = service.create_return(CLERK, _picks((CHAIR, "1", "changed_requirement")))
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


def _server_closes(database: SqlDatabase) -> None:
    """End the backend of the connection the pool holds, as a server restart would."""
    with database.engine.connect() as pooled:
        pid = pooled.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        pooled.rollback()
    admin = sa.create_engine(database.engine.url)
    try:
        with admin.connect() as closer:
            closer.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            closer.commit()
    finally:
        admin.dispose()


@pytest.mark.parametrize("watched", [False, True], ids=["", "watched"])
@pytest.mark.parametrize("first", ["a read", "a command", "a search"])
def test_a_connection_the_server_closed_is_replaced_by_the_first_round_trip(
    one_connection: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder], first: str, watched: bool
) -> None:
    """Without a ping at every checkout, the first round trip proves the connection.

    Also when the host watches statements, and they all go through SQLAlchemy.
    """
    database, mice = one_connection, drafts[0]
    with database.unit_of_work() as uow:
        uow.returns.add(mice)
        uow.commit()
    _server_closes(database)
    seen: list[str] = []
    if watched:
        sa.event.listen(database.engine, "before_cursor_execute", lambda *e: seen.append(e[2]))
    with database.unit_of_work() as uow:
        if first == "a read":
            assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)
        elif first == "a command":  # a lock and a read, sent together
            uow.returns.lock_lines(SAMPLE_TENANT, [MOUSE])
            assert [o.id for o in uow.returns.for_lines(SAMPLE_TENANT, [MOUSE])] == [mice.id]
        else:  # through SQLAlchemy
            assert uow.returns.search(SAMPLE_TENANT, ReturnQuery()).total == 1
    assert bool(seen) is watched


@pytest.mark.parametrize(
    ("first", "then"),
    [("a read", "a read"), ("a search", "a read"), ("a search", "a search")],
)
def test_a_connection_lost_after_the_first_round_trip_fails_the_unit_of_work(
    one_connection: SqlDatabase, drafts: tuple[ReturnOrder, ReturnOrder], first: str, then: str
) -> None:
    """Once a unit of work has read, it cannot be silently moved to another connection.

    A search goes through SQLAlchemy, whose own connection then sees the loss
    too: still a ``StorageError``, and no warning about the closed connection.
    """
    database, mice = one_connection, drafts[0]
    admin = sa.create_engine(database.engine.url)

    def use(how: str, uow: SqlUnitOfWork) -> None:
        if how == "a search":
            uow.returns.search(SAMPLE_TENANT, ReturnQuery())
        else:
            uow.returns.get(SAMPLE_TENANT, mice.id)

    try:
        with database.unit_of_work() as uow:
            uow.returns.add(mice)
            uow.commit()
        with pytest.raises(StorageError), database.unit_of_work() as uow:  # noqa: PT012
            use(first, uow)
            with admin.connect() as closer:
                closer.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                        "AND state = 'idle in transaction'"
                    )
                )
                closer.commit()
            use(then, uow)
        with database.unit_of_work() as uow:  # the next one gets a working connection
            assert_identical(uow.returns.get(SAMPLE_TENANT, mice.id), mice)
    finally:
        admin.dispose()


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


def test_relays_side_by_side_share_the_outbox_on_postgres(
    database: SqlDatabase, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one unit of work at a time: there is no second relay to skip")
    messages = memory_story[0]["published"]
    assert isinstance(messages, tuple)
    with database.unit_of_work() as uow:
        for message in messages[:4]:
            uow.outbox.add(message)
        uow.commit()
    with database.unit_of_work() as first, database.unit_of_work() as second:
        taken = first.outbox.pending(2)
        rest = second.outbox.pending(10)
    assert [m.id for m in taken] == [m.id for m in messages[:2]]
    assert [m.id for m in rest] == [m.id for m in messages[2:4]]


# -- migrations ----------------------------------------------------------------------


def _schema_of(engine: sa.Engine) -> dict[str, object]:
    """Everything about the store's tables that a migration could get wrong."""
    inspector = sa.inspect(engine)
    described: dict[str, object] = {}
    for table in metadata.sorted_tables:
        name = table.name
        described[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)
            ],
            "primary key": inspector.get_pk_constraint(name),
            "foreign keys": sorted(
                (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), ix["unique"])
                for ix in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (uq["name"], tuple(uq["column_names"]))
                for uq in inspector.get_unique_constraints(name)
            ),
            "checks": sorted(
                (ck["name"], ck["sqltext"]) for ck in inspector.get_check_constraints(name)
            ),
        }
    return described


def test_the_migrations_build_the_schema_the_tables_describe(
    fresh: Callable[[], Backend],
) -> None:
    migrated, created = fresh().database(), fresh().database()
    try:
        assert current_revision(migrated.engine) is None
        migrated.upgrade()
        migrated.upgrade()  # a database already at head is left alone
        assert current_revision(migrated.engine) == "0001"
        metadata.create_all(created.engine)
        with migrated.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
        assert _schema_of(migrated.engine) == _schema_of(created.engine)
        checks = _schema_of(migrated.engine)["line_claims"]
        assert isinstance(checks, dict)
        assert {name for name, _ in checks["checks"]} == {
            "ck_line_claims_within_delivered",
            "ck_line_claims_claimed_not_negative",
        }
    finally:
        migrated.dispose()
        created.dispose()


def test_upgrading_step_by_step_ends_with_the_same_schema_as_a_fresh_database(
    fresh: Callable[[], Backend],
) -> None:
    revisions = [
        script.revision
        for script in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
    ]
    stepped, created = fresh().database(), fresh().database()
    try:
        for revision in revisions:
            stepped.upgrade(revision)
            assert current_revision(stepped.engine) == revision
        metadata.create_all(created.engine)
        assert _schema_of(stepped.engine) == _schema_of(created.engine)
    finally:
        stepped.dispose()
        created.dispose()


def test_upgrade_takes_a_url_and_the_store_then_works(backend: Backend) -> None:
    if backend.options:
        engine = create_engine(backend.url, **backend.options)
        upgrade(engine)
        engine.dispose()
    else:
        upgrade(backend.url)
    database = backend.database()
    try:
        with database.unit_of_work() as uow:
            assert uow.sequences.next("k") == 1
        assert current_revision(database.engine) == "0001"
    finally:
        database.dispose()


# -- engine settings and plans -------------------------------------------------------


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Any) -> None:
    database = SqlDatabase.connect(f"sqlite:///{tmp_path / 'returns.db'}", busy_timeout=12.5)
    try:
        with database.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 12500
    finally:
        database.dispose()


def test_the_returnable_quantity_look_up_goes_through_the_line_index(
    tmp_path: Any, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    database = SqlDatabase.connect(f"sqlite:///{tmp_path / 'returns.db'}")
    database.upgrade()
    with database.unit_of_work() as uow:
        for order in memory_story[1].committed.returns.values():
            uow.returns.add(order)
        uow.commit()
    statements: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        statements.append((args[2], args[3]))

    sa.event.listen(database.engine, "before_cursor_execute", capture)
    with database.unit_of_work() as uow:
        assert uow.returns.for_lines(SAMPLE_TENANT, [MOUSE, CABLE])
    sa.event.remove(database.engine, "before_cursor_execute", capture)
    [(statement, parameters)] = [s for s in statements if "return_lines" in s[0]]
    with database.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    details = " | ".join(row[-1] for row in plan)
    index = "ix_return_lines_tenant_id_order_number_line_id_return_id"
    assert f"{index} (tenant_id=? AND order_number=? AND line_id=?)" in details, details
    assert "SCAN return_lines" not in details, details
    database.dispose()


# -- errors --------------------------------------------------------------------------


def test_a_database_the_store_does_not_support_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="mysql"):
        create_engine("mysql://somewhere/returns")


def test_an_unreachable_database_is_a_storage_error_not_a_driver_error(tmp_path: Any) -> None:
    nowhere = SqlDatabase.connect(f"sqlite:///{tmp_path / 'missing' / 'returns.db'}")
    with pytest.raises(StorageError) as failed, nowhere.unit_of_work():
        pass  # pragma: no cover - never entered
    assert isinstance(failed.value.__cause__, sa.exc.OperationalError)
    with pytest.raises(StorageError):
        upgrade(f"sqlite:///{tmp_path / 'missing' / 'returns.db'}")


def test_the_store_is_used_only_inside_a_unit_of_work(database: SqlDatabase) -> None:
    uow = database.unit_of_work()
    with pytest.raises(RuntimeError, match="inside"):
        uow.sequences.next("k")
    with uow:
        uow.sequences.next("k")
    with pytest.raises(RuntimeError, match="inside"):
        uow.commit()


# -- the conformance kit -------------------------------------------------------------


class TestSqlStore(StoreContract):
    """The SQL store passes the kit every store adapter must pass, on both databases."""

    @pytest.fixture
    def unit_of_work_factory(self, backend: Backend) -> Iterator[UnitOfWorkFactory]:
        database = backend.database()
        metadata.create_all(database.engine)
        yield database.unit_of_work
        database.dispose()


# -- documents -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        {"order_number": "SO-1", "line_id": "1", "extra": "?"},
        {"order_number": "SO-1"},
        {"order_number": 1, "line_id": "1"},
        ["SO-1", "1"],
    ],
)
def test_a_malformed_document_is_a_document_error(document: object) -> None:
    with pytest.raises(DocumentError):
        decode(document, LineRef)


def test_an_event_is_stored_with_its_type_and_read_back_as_that_type(
    memory_story: tuple[dict[str, object], MemoryDatabase],
) -> None:
    messages = memory_story[0]["published"]
    assert isinstance(messages, tuple)
    for message in messages:
        document = encode(message)
        assert document["event"]["type"] == type(message.event).__name__
        assert_identical(decode(document, OutboxMessage), message)
    with pytest.raises(DocumentError, match="tagged"):
        decode({**encode(messages[0]), "event": {"type": "Nope"}}, OutboxMessage)


def test_a_return_written_is_read_back_without_decoding_and_any_other_text_is_checked(
    drafts: tuple[ReturnOrder, ReturnOrder],
) -> None:
    mice = drafts[0]
    written = encode_text(mice, remember=True)
    assert decode_text(written, ReturnOrder) is mice  # the value it was made from
    # The same document as other text (another writer's spacing): parsed and validated.
    spaced = json.dumps(json.loads(written), indent=1, ensure_ascii=False)
    read = decode_text(spaced, ReturnOrder)
    assert read is not mice
    assert_identical(read, mice)
    tampered = json.loads(written)
    tampered["lines"][0]["unit_price"]["currency"] = "XXX"  # refused by Money
    with pytest.raises(CrmReturnsError):
        decode_text(json.dumps(tampered, ensure_ascii=False), ReturnOrder)
    with pytest.raises(DocumentError, match="not JSON"):
        decode_text(written[:-1], ReturnOrder)


def test_only_the_very_text_remembered_is_answered_with_its_value(
    drafts: tuple[ReturnOrder, ReturnOrder],
) -> None:
    """Texts are filed by their beginning (a return's id): the rest must match too."""
    first = drafts[0]
    second = attrs.evolve(first, note="second version", version=first.version + 1)
    first_text = encode_text(first, remember=True)
    second_text = encode_text(second, remember=True)
    assert first_text[:200] == second_text[:200]  # one return: the same beginning
    assert decode_text(second_text, ReturnOrder) is second
    older = decode_text(first_text, ReturnOrder)  # the latest version took its place
    assert older is not second
    assert_identical(older, first)
    # A text that begins alike but ends otherwise is decoded, never answered from memory.
    changed = second_text.replace('"version":2', '"version":7')
    assert changed != second_text
    read = decode_text(changed, ReturnOrder)
    assert read is not second
    assert read.version == 7


def test_equal_times_with_other_offsets_keep_their_own_text(
    drafts: tuple[ReturnOrder, ReturnOrder],
) -> None:
    """Times are remembered by identity: an equal time with another offset has its own text."""
    utc = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    beijing = utc.astimezone(timezone(timedelta(hours=8)))
    assert utc == beijing
    in_utc = json.loads(encode_text(attrs.evolve(drafts[0], created_at=utc, updated_at=utc)))
    in_beijing = json.loads(
        encode_text(attrs.evolve(drafts[0], created_at=beijing, updated_at=beijing))
    )
    assert in_utc["created_at"] == "2026-11-27T09:00:00+00:00"
    assert in_beijing["created_at"] == "2026-11-27T17:00:00+08:00"


def test_a_return_with_times_in_a_named_zone_reads_back_as_decoding_gives_it(
    drafts: tuple[ReturnOrder, ReturnOrder],
) -> None:
    """Remembering never changes what is read: a zone comes back as its offset, every time."""
    shanghai = datetime(2026, 11, 27, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    zoned = attrs.evolve(drafts[0], created_at=shanghai, updated_at=shanghai)
    text = encode_text(zoned, remember=True)
    read = decode_text(text, ReturnOrder)
    assert read.created_at == shanghai
    assert read.created_at.tzinfo == timezone(timedelta(hours=8))
    assert_identical(read, decode(json.loads(text), ReturnOrder))


def test_postgresql_is_reached_through_psycopg_3_only() -> None:
    with pytest.raises(StorageError, match="psycopg 3"):
        create_engine("postgresql+psycopg2://somewhere/returns")
