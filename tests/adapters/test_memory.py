"""The in-memory adapters: transactions that roll back, a lock that serialises, searches.

Return orders, audit entries and outbox messages are made by a real service
(``sample_wiring``) and then stored in a fresh :class:`MemoryDatabase`, so
that these tests exercise the adapter alone with values the domain can
actually produce.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from crm_returns import (
    DEFAULT_CATALOG,
    DeliveredLine,
    LineQuery,
    LineRef,
    Page,
    RequestedLine,
    ReturnOrder,
    ReturnQuery,
    ReturnRequest,
    ReturnStatus,
)
from crm_returns.adapters.memory import (
    ManualClock,
    MemoryDatabase,
    MemoryDestination,
    MemoryOrderSource,
    SequentialIds,
)
from crm_returns.domain.audit import AuditEntry
from crm_returns.errors import ConcurrencyConflict, InvalidInput, NotFound
from crm_returns.ports import OutboxMessage
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.testing import sample_wiring

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MOUSE = LineRef("SO-1001", "1")
CABLE = LineRef("SO-1001", "2")
MONITOR = LineRef("SO-1001", "3")
CHAIR = LineRef("SO-1002", "1")
LAMP = LineRef("SO-1002", "2")
OTHER_TENANT = "globex"


@attrs.frozen
class Written:
    """What one command of a real service wrote: a return, its audit entry, its message."""

    order: ReturnOrder
    entry: AuditEntry
    message: OutboxMessage


@pytest.fixture(scope="module")
def written() -> tuple[Written, Written]:
    """Two drafts made by a real service: RT-20261127-000001 (mouse), ...000002 (chair).

    The second is drafted an hour after the first, for another customer.
    """
    wiring = sample_wiring()
    made = []
    for ref in (MOUSE, CHAIR):
        request = ReturnRequest(lines=[RequestedLine(ref, Decimal(1), "wrong_order")])
        order = wiring.service.create_return(wiring.clerk, request)
        [entry] = wiring.service.audit_trail(wiring.clerk, order.id)
        [message] = [
            m for _, m in wiring.database.committed.outbox.values() if m.event.return_id == order.id
        ]
        made.append(Written(order, entry, message))
        wiring.clock.advance(timedelta(hours=1))
    return made[0], made[1]


@pytest.fixture
def first(written: tuple[Written, Written]) -> Written:
    return written[0]


@pytest.fixture
def second(written: tuple[Written, Written]) -> Written:
    return written[1]


@pytest.fixture
def database() -> MemoryDatabase:
    return MemoryDatabase()


def write_everything(database: MemoryDatabase, written: Written, ending: str) -> None:
    """Write to every store, then ``"commit"``, ``"leave"`` without commit, or ``"raise"``."""
    with database.unit_of_work() as uow:
        uow.returns.add(written.order)
        uow.audit.append(written.entry)
        uow.outbox.add(written.message)
        uow.reasons.put(SAMPLE_TENANT, DEFAULT_CATALOG.retired("other"))
        uow.sequences.next("return:acme:2026-11-27")
        if ending == "commit":
            uow.commit()
        elif ending == "raise":
            raise RuntimeError("boom")


def assert_nothing_visible(database: MemoryDatabase, written: Written) -> None:
    order = written.order
    assert database.committed == MemoryDatabase().committed
    with database.unit_of_work() as uow:
        with pytest.raises(NotFound):
            uow.returns.get(order.tenant_id, order.id)
        with pytest.raises(NotFound):
            uow.returns.get_by_number(order.tenant_id, order.number)
        assert uow.returns.for_lines(order.tenant_id, [MOUSE]) == []
        assert uow.returns.search(order.tenant_id, ReturnQuery()).total == 0
        assert uow.audit.for_return(order.tenant_id, order.id) == []
        assert uow.deliveries.message(written.message.id) is None
        assert uow.reasons.get(SAMPLE_TENANT) is None
        assert uow.sequences.next("return:acme:2026-11-27") == 1


# -- transactions --------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["leave", "raise"])
def test_a_unit_of_work_ending_without_commit_rolls_back(
    database: MemoryDatabase, first: Written, ending: str
) -> None:
    if ending == "raise":
        with pytest.raises(RuntimeError, match="boom"):
            write_everything(database, first, ending)
    else:
        write_everything(database, first, ending)
    assert_nothing_visible(database, first)


def test_committed_writes_are_seen_by_the_next_unit_of_work(
    database: MemoryDatabase, first: Written
) -> None:
    write_everything(database, first, "commit")
    order = first.order
    with database.unit_of_work() as uow:
        assert uow.returns.get(order.tenant_id, order.id) == order
        assert uow.returns.get_by_number(order.tenant_id, order.number) == order
        assert uow.audit.for_return(order.tenant_id, order.id) == [first.entry]
        assert uow.deliveries.message(first.message.id) == first.message
        assert uow.reasons.get(SAMPLE_TENANT) == DEFAULT_CATALOG.retired("other")
        assert uow.sequences.next("return:acme:2026-11-27") == 2


def test_a_unit_of_work_reads_its_own_writes(database: MemoryDatabase, first: Written) -> None:
    order = first.order
    with database.unit_of_work() as uow:
        uow.returns.add(order)
        uow.audit.append(first.entry)
        uow.outbox.add(first.message)
        uow.reasons.put(SAMPLE_TENANT, DEFAULT_CATALOG.retired("other"))
        assert uow.returns.get(order.tenant_id, order.id) == order
        assert uow.returns.get_by_number(order.tenant_id, order.number) == order
        assert uow.returns.for_lines(order.tenant_id, [MOUSE, CABLE]) == [order]
        assert uow.returns.search(order.tenant_id, ReturnQuery()).items == (order,)
        assert uow.returns.uses_reason(order.tenant_id, "wrong_order")
        assert uow.audit.for_return(order.tenant_id, order.id) == [first.entry]
        assert uow.deliveries.message(first.message.id) == first.message
        assert uow.reasons.get(SAMPLE_TENANT) == DEFAULT_CATALOG.retired("other")
        assert [uow.sequences.next("k") for _ in range(3)] == [1, 2, 3]
        updated = attrs.evolve(order, note="改过了", version=2)
        uow.returns.update(updated, expected_version=1)
        assert uow.returns.get(order.tenant_id, order.id) == updated
        assert uow.returns.get_by_number(order.tenant_id, order.number) == updated


def test_writes_after_a_commit_need_a_commit_of_their_own(
    database: MemoryDatabase, first: Written, second: Written
) -> None:
    with database.unit_of_work() as uow:
        uow.returns.add(first.order)
        uow.commit()
        uow.returns.add(second.order)
    with database.unit_of_work() as uow:
        assert uow.returns.search(SAMPLE_TENANT, ReturnQuery()).items == (first.order,)


def test_a_unit_of_work_used_again_starts_with_nothing_pending(
    database: MemoryDatabase, first: Written, second: Written
) -> None:
    # Pending writes are emptied, not the stores made again: what a commit applied
    # or a rollback dropped must never come back in the next transaction.
    uow = database.unit_of_work()
    with uow:
        uow.audit.append(first.entry)
        uow.outbox.add(first.message)
        uow.commit()
        uow.commit()  # nothing left to apply: nothing is written twice
    with uow:
        uow.returns.add(second.order)
        uow.audit.append(second.entry)
        uow.outbox.add(second.message)
        assert uow.deliveries.fan_out("mail", NOW, 10) == 1
        uow.sequences.next("return:acme:2026-11-27")
    with uow:
        assert uow.returns.search(SAMPLE_TENANT, ReturnQuery()).total == 0
        assert uow.deliveries.message(second.message.id) is None
        assert uow.deliveries.get("mail", first.message.id) is None
        assert uow.sequences.next("return:acme:2026-11-27") == 1
        uow.commit()
    with database.unit_of_work() as reader:
        assert reader.audit.for_return(first.entry.tenant_id, first.entry.return_id) == [
            first.entry
        ]
        assert reader.audit.for_return(second.entry.tenant_id, second.entry.return_id) == []
        assert reader.deliveries.message(first.message.id) == first.message
        assert reader.deliveries.destinations() == []
        assert reader.sequences.next("return:acme:2026-11-27") == 2


def test_messages_keep_commit_order_and_deliveries_apply_only_when_committed(
    database: MemoryDatabase, first: Written, second: Written
) -> None:
    with database.unit_of_work() as uow:
        uow.outbox.add(first.message)
        uow.outbox.add(second.message)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.deliveries.fan_out("mail", NOW, 10) == 2
        assert [c.message for c in uow.deliveries.claim("mail", "r", NOW, NOW, 1)] == [
            first.message
        ]  # oldest first
    assert database.committed.deliveries.deliveries == {}
    with database.unit_of_work() as uow:
        assert uow.deliveries.fan_out("mail", NOW, 10) == 2
        uow.commit()
    assert [seq for seq, _ in database.committed.outbox.values()] == [1, 2]
    assert set(database.committed.deliveries.deliveries) == {
        ("mail", first.message.id),
        ("mail", second.message.id),
    }


# -- concurrency ---------------------------------------------------------------------


def test_updating_a_stale_version_is_a_concurrency_conflict(
    database: MemoryDatabase, first: Written
) -> None:
    order = first.order
    with database.unit_of_work() as uow:
        uow.returns.add(order)
        uow.commit()
    with database.unit_of_work() as uow:
        uow.returns.update(attrs.evolve(order, note="first writer", version=2), 1)
        uow.commit()
    with database.unit_of_work() as uow, pytest.raises(ConcurrencyConflict):
        uow.returns.update(attrs.evolve(order, note="second writer", version=2), 1)
    with database.unit_of_work() as uow:
        assert uow.returns.get(order.tenant_id, order.id).note == "first writer"


def test_adding_a_return_whose_id_is_taken_is_a_concurrency_conflict(
    database: MemoryDatabase, first: Written
) -> None:
    with database.unit_of_work() as uow:
        uow.returns.add(first.order)
        uow.commit()
    with database.unit_of_work() as uow, pytest.raises(ConcurrencyConflict):
        uow.returns.add(attrs.evolve(first.order, note="impostor"))
    with database.unit_of_work() as uow:
        assert uow.returns.get(SAMPLE_TENANT, first.order.id) == first.order


def test_updating_an_unknown_return_is_not_found(database: MemoryDatabase, first: Written) -> None:
    with database.unit_of_work() as uow, pytest.raises(NotFound):
        uow.returns.update(first.order, expected_version=1)


def test_the_lock_serialises_read_modify_write_across_threads(database: MemoryDatabase) -> None:
    drawn: list[int] = []
    start = threading.Barrier(2)

    def draw_200() -> None:
        start.wait()
        for _ in range(200):
            with database.unit_of_work() as uow:
                value = uow.sequences.next("shared")
                time.sleep(0)  # invite the other thread in between the read and the write
                uow.commit()
            drawn.append(value)

    threads = [threading.Thread(target=draw_200) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # 2 threads x 200 draws = 400 values, none drawn twice, none skipped.
    assert sorted(drawn) == list(range(1, 401))
    assert database.committed.sequences == {"shared": 400}


def test_a_second_unit_of_work_waits_until_the_first_ends(database: MemoryDatabase) -> None:
    holding, release, entered = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        with database.unit_of_work():
            holding.set()
            release.wait(timeout=10)

    def enter() -> None:
        with database.unit_of_work():
            entered.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=10)
    waiter = threading.Thread(target=enter)
    waiter.start()
    assert not entered.wait(timeout=0.2), "entered while another unit of work was open"
    release.set()
    assert entered.wait(timeout=10)
    holder.join(timeout=10)
    waiter.join(timeout=10)


# -- the return repository's reads are per tenant ------------------------------------


@pytest.fixture
def both_stored(database: MemoryDatabase, first: Written, second: Written) -> MemoryDatabase:
    with database.unit_of_work() as uow:
        uow.returns.add(first.order)
        uow.returns.add(second.order)
        uow.audit.append(first.entry)
        uow.commit()
    return database


def test_another_tenant_sees_none_of_the_stored_returns(
    both_stored: MemoryDatabase, first: Written
) -> None:
    order = first.order
    with both_stored.unit_of_work() as uow:
        with pytest.raises(NotFound):
            uow.returns.get(OTHER_TENANT, order.id)
        with pytest.raises(NotFound):
            uow.returns.get_by_number(OTHER_TENANT, order.number)
        assert uow.returns.for_lines(OTHER_TENANT, [MOUSE, CHAIR]) == []
        assert uow.returns.search(OTHER_TENANT, ReturnQuery()).total == 0
        assert not uow.returns.uses_reason(OTHER_TENANT, "wrong_order")
        assert uow.audit.for_return(OTHER_TENANT, order.id) == []


def test_stored_returns_are_searched_newest_first_by_status_and_customer(
    both_stored: MemoryDatabase, first: Written, second: Written
) -> None:
    draft = ReturnStatus.DRAFT
    with both_stored.unit_of_work() as uow:
        search = uow.returns.search
        assert search(SAMPLE_TENANT, ReturnQuery()).items == (second.order, first.order)
        assert search(SAMPLE_TENANT, ReturnQuery(customer_id="C-1001")).items == (first.order,)
        assert search(SAMPLE_TENANT, ReturnQuery(statuses={draft})).total == 2
        assert search(SAMPLE_TENANT, ReturnQuery(statuses={ReturnStatus.APPROVED})).total == 0
        an_hour_later = ReturnQuery(created_from=NOW + timedelta(hours=1))
        assert search(SAMPLE_TENANT, an_hour_later).items == (second.order,)
        assert uow.returns.for_lines(SAMPLE_TENANT, [CHAIR]) == [second.order]


# -- the order source ----------------------------------------------------------------


@pytest.fixture
def orders() -> MemoryOrderSource:
    """The sample lines for acme; globex has one line, with the same ref as acme's mouse."""
    globex_mouse = attrs.evolve(
        sample_lines(NOW)[0], customer_id="G-1", product_name="Globex mouse"
    )
    return MemoryOrderSource({SAMPLE_TENANT: sample_lines(NOW), OTHER_TENANT: [globex_mouse]})


def refs(page: Page[DeliveredLine]) -> set[LineRef]:
    return {line.ref for line in page.items}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (LineQuery(order_number="SO-1002"), {CHAIR, LAMP}),
        (LineQuery(customer_id="C-1002"), {CHAIR, LAMP}),
        (LineQuery(category="accessories"), {MOUSE, CABLE}),
        (LineQuery(product="WIRELESS"), {MOUSE}),
        (LineQuery(product="数据线"), {CABLE}),
        (LineQuery(product="mon-27"), {MONITOR}),
        (LineQuery(customer_id="C-1001", product="mouse"), {MOUSE}),
        (LineQuery(customer_id="C-1002", product="mouse"), set()),
        (LineQuery(delivered_from=NOW - timedelta(days=3)), {MOUSE, CABLE, MONITOR}),
        (LineQuery(delivered_to=NOW - timedelta(days=4)), {CHAIR, LAMP}),
    ],
)
def test_the_order_source_filters_by_every_criterion(
    orders: MemoryOrderSource, query: LineQuery, expected: set[LineRef]
) -> None:
    assert refs(orders.search(SAMPLE_TENANT, query)) == expected


def test_the_order_source_matches_products_by_casefold(orders: MemoryOrderSource) -> None:
    street = attrs.evolve(sample_lines(NOW)[0], ref=LineRef("SO-3", "1"), product_name="Straße")
    orders.add(SAMPLE_TENANT, street)
    # "ß".casefold() is "ss": a plain lower() would miss this.
    assert refs(orders.search(SAMPLE_TENANT, LineQuery(product="STRASSE"))) == {street.ref}


def test_a_date_range_leaves_out_undelivered_lines(orders: MemoryOrderSource) -> None:
    pending = attrs.evolve(sample_lines(NOW)[0], ref=LineRef("SO-4", "1"), delivered_at=None)
    orders.add(SAMPLE_TENANT, pending)
    assert pending.ref in refs(orders.search(SAMPLE_TENANT, LineQuery()))
    since = LineQuery(delivered_from=NOW - timedelta(days=30))
    assert pending.ref not in refs(orders.search(SAMPLE_TENANT, since))


def test_the_order_source_lists_the_newest_delivery_first(orders: MemoryOrderSource) -> None:
    base = sample_lines(NOW)[0]
    # Ordered long ago but delivered last: a back-order that has just arrived.
    late = attrs.evolve(
        base,
        ref=LineRef("SO-0999", "1"),
        ordered_at=NOW - timedelta(days=60),
        delivered_at=NOW - timedelta(hours=1),
    )
    orders.add(SAMPLE_TENANT, late)
    page = orders.search(SAMPLE_TENANT, LineQuery())
    assert page.items[0].ref == late.ref


def test_the_order_source_pages(orders: MemoryOrderSource) -> None:
    pages = [orders.search(SAMPLE_TENANT, LineQuery(offset=n, limit=2)) for n in (0, 2, 4)]
    # 5 sample lines: 2 + 2 + 1.
    assert [(len(p.items), p.total, p.has_more) for p in pages] == [
        (2, 5, True),
        (2, 5, True),
        (1, 5, False),
    ]
    assert set().union(*(refs(p) for p in pages)) == {line.ref for line in sample_lines(NOW)}


def test_the_order_source_keeps_tenants_apart(orders: MemoryOrderSource) -> None:
    theirs = orders.search(OTHER_TENANT, LineQuery())
    assert [(line.ref, line.customer_id) for line in theirs.items] == [(MOUSE, "G-1")]
    assert orders.get_lines(OTHER_TENANT, [MOUSE, CABLE])[MOUSE].customer_id == "G-1"
    assert orders.get_lines(SAMPLE_TENANT, [MOUSE])[MOUSE].customer_id == "C-1001"
    assert orders.search("nobody", LineQuery()).total == 0


def test_get_lines_leaves_unknown_refs_out(orders: MemoryOrderSource) -> None:
    found = orders.get_lines(SAMPLE_TENANT, [MOUSE, LineRef("SO-9", "9"), CHAIR])
    assert set(found) == {MOUSE, CHAIR}


def test_adding_a_line_again_replaces_it(orders: MemoryOrderSource) -> None:
    refunded = attrs.evolve(sample_lines(NOW)[0], fully_refunded=True)
    orders.add(SAMPLE_TENANT, refunded)
    assert orders.get_lines(SAMPLE_TENANT, [MOUSE])[MOUSE].fully_refunded
    assert orders.search(SAMPLE_TENANT, LineQuery()).total == 5


# -- clock, ids, sink ----------------------------------------------------------------


def test_the_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(NOW)
    assert clock.now() == clock.now() == NOW
    clock.advance(timedelta(days=1, minutes=5))
    assert clock.now() == datetime(2026, 11, 28, 9, 5, tzinfo=UTC)


def test_the_manual_clock_refuses_a_naive_time() -> None:
    with pytest.raises(InvalidInput, match="timezone"):
        ManualClock(datetime(2026, 11, 27, 9, 0))  # noqa: DTZ001 - the point of the test


def test_sequential_ids_never_repeat_across_threads() -> None:
    ids = SequentialIds("rt")
    made: list[str] = []

    def make() -> None:
        made.extend(ids.new_id() for _ in range(500))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(made) == sorted(f"rt-{n}" for n in range(1, 2001))  # 4 x 500


def test_the_memory_destination_keeps_what_it_is_given_unless_failing(first: Written) -> None:
    message = first.message
    destination = MemoryDestination("kept")
    destination.deliver(message)
    destination.failure = ConnectionError("down")
    with pytest.raises(ConnectionError):
        destination.deliver(message)
    assert destination.received == [message]
    assert destination.name == "kept"
