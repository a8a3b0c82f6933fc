"""Commands in the host's own transaction: kept with the host's work, or dropped with it.

The host shares its engine with the service (``sql_service(orders, engine)``),
begins a transaction, writes its own row and runs commands through
``service.in_transaction(connection)``; its commit keeps both, its rollback
neither.  Every test runs on a SQLite file and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.adapters.sql.support import (
    CABLE,
    CLERK,
    MOUSE,
    START,
    Backend,
    picks,
    tell_the_story,
)

import crm_returns as cr
from crm_returns.adapters.memory import ManualClock, MemoryDatabase, MemoryDestination
from crm_returns.adapters.sql import SqlDatabase, Tables
from crm_returns.errors import ConcurrencyConflict, InvalidInput, NotAuthorised, OverReturn
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.testing.conformance import assert_identical

#: The host's own table: its order status changes with the return, or not at all.
HOST = sa.MetaData()
HOST_ORDERS = sa.Table(
    "host_orders",
    HOST,
    sa.Column("number", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(64), nullable=False),
)

#: The library's tables, named as a service with the default prefix names them.
LIBRARY = Tables()


class SwitchableIds:
    """Ids ``id-1``, ``id-2``, ...; while ``repeating``, always ``dup``."""

    def __init__(self) -> None:
        self.repeating = False
        self._count = 0

    def new_id(self) -> str:
        if self.repeating:
            return "dup"
        self._count += 1
        return f"id-{self._count}"


def host_engine(backend: Backend) -> sa.Engine:
    """The host's own engine, made with SQLAlchemy alone, over the fresh database."""
    if backend.url.get_backend_name() == "sqlite":
        return sa.create_engine(backend.url)
    search_path = f"-c search_path={backend.options['schema']}"
    return sa.create_engine(
        backend.url.set(drivername="postgresql+psycopg"), connect_args={"options": search_path}
    )


@pytest.fixture
def engine(backend: Backend) -> Iterator[sa.Engine]:
    engine = host_engine(backend)
    HOST.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def ids() -> SwitchableIds:
    return SwitchableIds()


@pytest.fixture
def service(engine: sa.Engine, ids: SwitchableIds) -> Iterator[cr.ReturnsService]:
    settings = cr.ServiceSettings(clock=ManualClock(START), ids=ids)
    orders = cr.MemoryOrderSource({SAMPLE_TENANT: sample_lines(START)})
    with cr.sql_service(orders, engine, settings) as service:
        yield service


def _rows(engine: sa.Engine) -> dict[str, int]:
    """How many rows each table holds, the host's and the library's (named without the prefix)."""
    with engine.connect() as connection:
        return {
            table.name.removeprefix(LIBRARY.prefix): connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).one()[0]
            for table in [HOST_ORDERS, *LIBRARY.metadata.sorted_tables]
        }


def _mark(connection: sa.Connection, status: str) -> None:
    """The host's own write: its order SO-1's status."""
    changed = connection.execute(
        sa.update(HOST_ORDERS).where(HOST_ORDERS.c.number == "SO-1").values(status=status)
    )
    if changed.rowcount == 0:
        connection.execute(sa.insert(HOST_ORDERS).values(number="SO-1", status=status))


def _status(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(HOST_ORDERS.c.status)).scalar()


def test_a_host_commit_keeps_its_row_and_the_return_together(
    engine: sa.Engine, service: cr.ReturnsService
) -> None:
    with engine.begin() as connection, service.in_transaction(connection) as scoped:
        _mark(connection, "return requested")
        drafted = scoped.create_return(CLERK, picks((MOUSE, "2", "wrong_order")))
        submitted = scoped.submit_return(CLERK, drafted.id)
        # The host's transaction sees the return before it commits.
        assert scoped.get_return(CLERK, drafted.id) == submitted

    assert _status(engine) == "return requested"
    assert service.get_return(CLERK, drafted.id) == submitted
    trail = [entry.action for entry in service.audit_trail(CLERK, drafted.id)]
    assert trail == [cr.Action.DRAFT, cr.Action.SUBMIT, cr.Action.APPROVE]
    rows = _rows(engine)
    assert (rows["returns"], rows["line_claims"], rows["outbox"]) == (1, 1, 3)
    assert service.preview_return(CLERK, picks((MOUSE, "3", "wrong_order"))).lines
    with pytest.raises(OverReturn):  # the claim was committed with the host's row
        service.create_return(CLERK, picks((MOUSE, "4", "wrong_order")))


def test_a_host_rollback_leaves_neither_its_row_nor_the_return(
    engine: sa.Engine, service: cr.ReturnsService
) -> None:
    with engine.connect() as connection:
        with connection.begin(), service.in_transaction(connection) as scoped:
            _mark(connection, "return requested")
            drafted = scoped.create_return(CLERK, picks((MOUSE, "2", "wrong_order")))
            scoped.submit_return(CLERK, drafted.id)
            assert _rows_in(connection)["audit_entries"] == 3
            connection.rollback()
        assert not connection.in_transaction()

    assert set(_rows(engine).values()) == {0}  # no return, claim, audit entry, message, number
    assert service.list_returns(CLERK, cr.ReturnQuery()).total == 0
    again = service.create_return(CLERK, picks((MOUSE, "5", "wrong_order")))
    assert again.number.endswith("000001")  # the rolled back number is drawn again


def _rows_in(connection: sa.Connection) -> dict[str, int]:
    return {
        table.name.removeprefix(LIBRARY.prefix): connection.execute(
            sa.select(sa.func.count()).select_from(table)
        ).one()[0]
        for table in LIBRARY.metadata.sorted_tables
    }


def test_a_failing_command_undoes_only_its_own_work_and_the_host_goes_on(
    engine: sa.Engine, service: cr.ReturnsService, ids: SwitchableIds
) -> None:
    with engine.begin() as connection, service.in_transaction(connection) as scoped:
        _mark(connection, "return requested")
        drafted = scoped.create_return(CLERK, picks((MOUSE, "2", "wrong_order")))
        # Refused by the rules, before anything is written.
        with pytest.raises(OverReturn):
            scoped.create_return(CLERK, picks((MOUSE, "4", "wrong_order")))
        # Refused by the database itself: two audit entries with one id.
        ids.repeating = True
        with pytest.raises(ConcurrencyConflict):
            scoped.submit_return(CLERK, drafted.id)
        ids.repeating = False
        assert scoped.get_return(CLERK, drafted.id).status is cr.ReturnStatus.DRAFT
        _mark(connection, "return submitted")  # the host's transaction is usable
        submitted = scoped.submit_return(CLERK, drafted.id)

    assert _status(engine) == "return submitted"
    assert service.get_return(CLERK, drafted.id) == submitted
    trail = service.audit_trail(CLERK, drafted.id)
    assert [entry.action for entry in trail] == [
        cr.Action.DRAFT,
        cr.Action.SUBMIT,
        cr.Action.APPROVE,
    ]
    assert "dup" not in {entry.id for entry in trail}
    assert _rows(engine)["returns"] == 1


def test_a_denied_attempt_is_audited_in_the_host_transaction_and_leaves_with_it(
    engine: sa.Engine, service: cr.ReturnsService
) -> None:
    stranger = cr.Actor("u-x", "Nobody", SAMPLE_TENANT, set())
    with engine.connect() as connection, connection.begin():
        with service.in_transaction(connection) as scoped:
            drafted = scoped.create_return(CLERK, picks((CABLE, "1", "wrong_order")))
            with pytest.raises(NotAuthorised):
                scoped.submit_return(stranger, drafted.id)
            audited = scoped.audit_trail(CLERK, drafted.id)
        assert [entry.action for entry in audited] == [cr.Action.DRAFT, cr.Action.DENIED]
        connection.rollback()
    assert _rows(engine)["audit_entries"] == 0


#: Steps of the story that relay events: in the host's transaction they are refused.
RELAYS = ("relay down", "relay some", "relay rest")


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_the_whole_story_told_in_one_host_transaction_reads_back_as_on_memory(
    engine: sa.Engine,
    service: cr.ReturnsService,
    memory_story: tuple[dict[str, object], MemoryDatabase],
    ending: str,
) -> None:
    # Every command, a few failing or denied, each a savepoint of the host's transaction.
    database = SqlDatabase.sharing(engine)
    with engine.connect() as connection, connection.begin() as transaction:
        with database.in_transaction(connection) as unit_of_work:
            told = tell_the_story(unit_of_work)
            _mark(connection, "story told")
        if ending == "rollback":
            transaction.rollback()

    expected = dict(memory_story[0])
    for name in RELAYS:
        assert told.pop(name)[0] == "InvalidInput"  # type: ignore[index]
        expected.pop(name)
    assert told.pop("published") == ()
    expected.pop("published")
    assert_identical(told, expected, "story")
    rows = _rows(engine)
    if ending == "rollback":
        assert set(rows.values()) == {0}
        return
    assert rows["host_orders"] == 1
    assert rows["returns"] == len(memory_story[1].committed.returns)
    sink = MemoryDestination()
    report = service.relay([sink]).run_until_idle()  # relayed once committed
    assert report.delivered == len(sink.received) == rows["outbox"]


def test_on_sqlite_the_host_transaction_holds_the_write_lock(backend: Backend) -> None:
    if backend.url.get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL locks the claimed lines with SELECT ... FOR UPDATE instead")
    # No waiting: a second writer fails at once while the host's transaction is open.
    engine = sa.create_engine(backend.url, connect_args={"timeout": 0})
    orders = cr.MemoryOrderSource({SAMPLE_TENANT: sample_lines(START)})
    settings = cr.ServiceSettings(clock=ManualClock(START))
    with cr.sql_service(orders, engine, settings) as service:
        with engine.begin() as connection:
            # The host has not written yet: its BEGIN took the lock all the same.
            with pytest.raises(ConcurrencyConflict):
                service.create_return(CLERK, picks((MOUSE, "5", "wrong_order")))
            with service.in_transaction(connection) as scoped:
                scoped.create_return(CLERK, picks((MOUSE, "5", "wrong_order")))
        with pytest.raises(OverReturn):
            service.create_return(CLERK, picks((MOUSE, "1", "wrong_order")))
    engine.dispose()


def test_the_service_and_the_host_share_one_pool(
    engine: sa.Engine, service: cr.ReturnsService
) -> None:
    lent: list[object] = []
    sa.event.listen(engine, "checkout", lambda dbapi, record, proxy: lent.append(dbapi))
    pool = engine.pool
    assert isinstance(pool, sa.QueuePool)
    service.list_returns(CLERK, cr.ReturnQuery())
    assert len(lent) == 1  # the service's own command borrowed from the host's pool
    assert pool.checkedout() == 0  # and gave it back
    with engine.begin() as connection, service.in_transaction(connection) as scoped:
        scoped.create_return(CLERK, picks((MOUSE, "1", "wrong_order")))
        scoped.list_returns(CLERK, cr.ReturnQuery())
        assert pool.checkedout() == 1  # the host's connection, and no other
    assert len(lent) == 2  # the host's one checkout

    service.close()
    assert engine.pool is pool  # not disposed: the engine is the host's
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(HOST_ORDERS)).one()[0] == 0


def test_only_a_connection_of_the_engine_in_a_transaction_is_joined(
    engine: sa.Engine, backend: Backend, service: cr.ReturnsService
) -> None:
    other = host_engine(backend)
    with engine.connect() as idle, other.connect() as foreign, foreign.begin():
        for wrong in (idle, foreign, engine, "connection"):
            with pytest.raises(InvalidInput), service.in_transaction(wrong):  # type: ignore[arg-type]
                pytest.fail("joined a connection it must refuse")
    other.dispose()
    assert set(_rows(engine).values()) == {0}


def test_the_scoped_service_is_refused_outside_its_block_and_the_host_transaction(
    engine: sa.Engine, service: cr.ReturnsService
) -> None:
    with engine.connect() as connection:
        with connection.begin(), service.in_transaction(connection) as scoped:
            scoped.create_return(CLERK, picks((MOUSE, "1", "wrong_order")))
            with pytest.raises(InvalidInput), scoped.in_transaction(connection):
                pytest.fail("a scoped service joined again")
            connection.commit()  # the host ends its transaction inside the block
            with pytest.raises(InvalidInput, match="not in a transaction"):
                scoped.create_return(CLERK, picks((MOUSE, "1", "wrong_order")))
        with pytest.raises(InvalidInput, match="with block"):
            scoped.list_returns(CLERK, cr.ReturnQuery())
    assert _rows(engine)["returns"] == 1


def test_a_memory_service_joins_no_host_transaction(engine: sa.Engine) -> None:
    service = cr.in_memory_service(cr.MemoryOrderSource({}))
    refused = pytest.raises(InvalidInput, match="sql_service")
    with engine.begin() as connection, refused, service.in_transaction(connection):
        pytest.fail("a memory service joined a SQL transaction")


def test_writes_after_a_commit_in_the_host_transaction_need_a_commit_of_their_own(
    engine: sa.Engine, service: cr.ReturnsService
) -> None:
    database = SqlDatabase.sharing(engine)
    with engine.begin() as connection, database.in_transaction(connection) as unit_of_work:
        with unit_of_work() as uow:
            uow.sequences.next("kept")
            uow.commit()
            uow.sequences.next("dropped")
        with unit_of_work() as uow:
            assert uow.sequences.next("kept") == 2
            assert uow.sequences.next("dropped") == 1
    assert _rows(engine)["sequences"] == 1
