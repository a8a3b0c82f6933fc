"""The SQL retention store over a real history, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from tests.adapters.sql.support import START, Backend, tell_the_story

from crm_returns import ReturnOrder, ReturnQuery
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.retention import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    STOCK_MOVES,
    LogEntry,
    Operation,
    RecordKey,
    RecordState,
    sealed,
)
from crm_returns.errors import ConcurrencyConflict, InvalidInput
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing.conformance._history import history

T = SAMPLE_TENANT
LATER = START + timedelta(days=4000)


@pytest.fixture
def told(database: SqlDatabase) -> SqlDatabase:
    """A store holding the story: five returns, their audit, moves, journal, outbox, a key."""
    tell_the_story(database.unit_of_work, retire=False)
    return database


def _returns(database: SqlDatabase) -> list[ReturnOrder]:
    with database.unit_of_work() as uow:
        page = uow.returns.search(T, ReturnQuery(limit=100, include_archived=True))
    return sorted(page.items, key=lambda o: o.id)


def _key(order: ReturnOrder) -> RecordKey:
    return RecordKey(T, RETURN_ORDERS, order.id)


def _every_row(database: SqlDatabase) -> list[tuple[str, str]]:
    """``(table, str(row))`` for every row of every table of the store."""
    rows = []
    with database.engine.connect() as connection:
        for table in database.tables.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                rows.append((table.name, str(tuple(row))))
    return rows


def test_pages_of_records_cover_every_record_once_in_id_order(told: SqlDatabase) -> None:
    with told.unit_of_work() as uow:
        assert uow.retention.classes() == (
            RETURN_ORDERS,
            JOURNAL_ENTRIES,
            OUTBOX_MESSAGES,
            IDEMPOTENCY_KEYS,
        )
        for record_class in uow.retention.classes():
            seen: list[str] = []
            after: str | None = None
            while page := uow.retention.records(T, record_class, after, 2):
                assert len(page) <= 2
                seen.extend(r.key.record_id for r in page)
                after = page[-1].key.record_id
            assert seen == sorted(set(seen)), record_class
            assert seen, record_class
        with pytest.raises(InvalidInput):
            uow.retention.records(T, AUDIT_ENTRIES, None, 10)
        returns = uow.retention.records(T, RETURN_ORDERS, None, 100)
        journal = uow.retention.records(T, JOURNAL_ENTRIES, None, 100)
        keys = uow.retention.records(T, IDEMPOTENCY_KEYS, None, 100)
    orders = _returns(told)
    assert [r.key.record_id for r in returns] == [o.id for o in orders]
    by_id = {r.key.record_id: r for r in returns}
    for order in orders:
        record = by_id[order.id]
        assert record.customer_id == order.customer_id
        assert record.state is RecordState.ACTIVE
        assert dict(record.counts)["return_lines"] == len(order.lines)
        assert record.referenced_by == tuple(
            sorted(RecordKey(T, JOURNAL_ENTRIES, j.key.record_id) for j in journal
                   if j.return_id == order.id)
        )  # fmt: skip
    completed = [r for r in returns if r.dates.completed is not None]
    assert completed
    assert any(STOCK_MOVES in dict(r.owned) for r in completed)
    assert [k.key.record_id for k in keys] == ["k-1"]


def test_archived_returns_leave_lists_and_come_back_exactly(told: SqlDatabase) -> None:
    orders = _returns(told)
    chosen = orders[0]
    with told.unit_of_work() as uow:
        uow.retention.archive([_key(chosen)])
        uow.commit()
    with told.unit_of_work() as uow:
        assert uow.retention.archived(T, chosen.id)
        listed = uow.returns.search(T, ReturnQuery(limit=100))
        assert chosen.id not in {o.id for o in listed.items}
        assert listed.total == len(orders) - 1
        everything = uow.returns.search(T, ReturnQuery(limit=100, include_archived=True))
        assert everything.total == len(orders)
        record = uow.retention.records(T, RETURN_ORDERS, None, 1)[0]
        assert record.state is RecordState.ARCHIVED
        uow.retention.restore([_key(chosen)])
        uow.commit()
    with told.unit_of_work() as uow:
        assert not uow.retention.archived(T, chosen.id)
        assert uow.returns.get(T, chosen.id) == chosen
        assert uow.returns.search(T, ReturnQuery(limit=100)).total == len(orders)
        with pytest.raises(InvalidInput):
            uow.retention.archive([RecordKey(T, JOURNAL_ENTRIES, "x")])


def test_destroying_a_return_leaves_a_tombstone_and_its_claims(told: SqlDatabase) -> None:
    kept = next(o for o in _returns(told) if len(o.lines) == 2)  # the keyed small return
    claimed = {line.ref: kept.claimed(line.ref) for line in kept.lines}
    claims_before = _claims(told)
    with told.unit_of_work() as uow:
        exported = list(uow.retention.export([_key(kept)]))
        entries = uow.journal.entries(T, return_id=kept.id)
        deleted = uow.retention.destroy([_key(kept)], "RP-1", LATER)
        uow.retention.destroy([RecordKey(T, JOURNAL_ENTRIES, e.id) for e in entries], "RP-1", LATER)
        uow.commit()
    assert exported[0]["document"]["id"] == kept.id
    assert exported[0][AUDIT_ENTRIES]
    assert exported[0][STOCK_MOVES]
    assert _json_safe(exported)
    assert deleted[RETURN_ORDERS] == 1
    assert deleted[IDEMPOTENCY_KEYS] == 1
    assert deleted["return_lines"] == 2
    for table, row in _every_row(told):
        if not table.endswith(("tombstones", "retired_claims", "outbox", "deliveries")):
            assert kept.id not in row, table
    with told.unit_of_work() as uow:
        assert uow.retention.retired_claims(T, claimed) == {
            ref: units for ref, units in claimed.items() if units
        }
        stones = uow.retention.tombstones(T, None, 100)
        assert [str(s.key) for s in stones] == sorted(str(s.key) for s in stones)
        mine = next(s for s in stones if s.key == _key(kept))
        assert (mine.plan_number, dict(mine.counts)[RETURN_ORDERS]) == ("RP-1", 1)
        after = uow.retention.tombstones(T, str(stones[0].key), 100)
        assert after == stones[1:]
        assert uow.retention.destroy([_key(kept)], "RP-2", LATER) == {}
        assert kept.id not in {r.key.record_id for r in uow.retention.records(
            T, RETURN_ORDERS, None, 100)}  # fmt: skip
    assert _claims(told) == claims_before


def _json_safe(value: object) -> bool:
    """Whether ``value`` is JSON with no floats (exact numbers are strings)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_safe(item) for item in value)
    return value is None or isinstance(value, (str, int, bool))


def _claims(database: SqlDatabase) -> list[Any]:
    with database.engine.connect() as connection:
        table = database.tables.line_claims
        return [tuple(row) for row in connection.execute(sa.select(table).order_by(*table.c))]


def _totals(database: SqlDatabase) -> tuple[Decimal, Decimal]:
    with database.unit_of_work() as uow:
        postings = sum(
            (p.amount.amount for e in uow.journal.entries(T) for p in e.postings), Decimal(0)
        )
        moved = sum((m.quantity for m in uow.stock.moves(T)), Decimal(0))
    return postings, moved


def test_erasure_leaves_no_trace_of_the_customer_and_keeps_the_books(told: SqlDatabase) -> None:
    orders = [o for o in _returns(told) if o.customer_id == "C-1002"]
    assert orders
    name = orders[0].customer_name
    personal = ("chair-buyer@example.com",)
    totals = _totals(told)
    with told.unit_of_work() as uow:
        erasure = uow.retention.erase(T, "C-1002", "erased-0123456789abcdef0123", personal)
        uow.commit()
    assert dict(erasure.erased)[RETURN_ORDERS] == len(orders)
    refused = {r.record.split("/", 1)[1] for r in erasure.refusals}
    for table, row in _every_row(told):
        for value in ("C-1002", name, *personal):
            if value in row:
                assert table.endswith("journal_entries"), (table, value)
                assert any(entry_id in row for entry_id in refused)
    assert _totals(told) == totals
    with told.unit_of_work() as uow:
        for order in orders:
            erased = uow.returns.get(T, order.id)
            assert erased.customer_id == "erased-0123456789abcdef0123"
            assert erased.version == order.version + 1
            assert (erased.updated_at, erased.lines[0].ref) == (
                order.updated_at,
                order.lines[0].ref,
            )
        assert uow.returns.search(T, ReturnQuery(customer_id="C-1002")).total == 0


def test_a_log_position_is_taken_once(database: SqlDatabase) -> None:
    first = sealed(LogEntry(T, 0, START, "u-1", Operation.PLAN), None)
    second = sealed(LogEntry(T, 0, START, "u-1", Operation.ARCHIVE), first)
    with database.unit_of_work() as uow:
        uow.retention.append_log(first)
        uow.retention.append_log(second)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.retention.last_log_entry(T) == second
        assert uow.retention.log(T, 0, 10) == [first, second]
        assert uow.retention.log(T, 1, 10) == [second]
        assert uow.retention.log_tenants() == [T]
        with pytest.raises(ConcurrencyConflict):
            uow.retention.append_log(sealed(LogEntry(T, 0, START), first))


def test_upgrading_from_0002_keeps_the_returns_active_and_makes_their_facts(
    fresh: Callable[[], Backend],
) -> None:
    database = fresh().database()
    order = history().cancelled
    try:
        database.upgrade("0002")
        with database.engine.begin() as connection:
            returns = sa.table(
                f"{database.tables.prefix}returns",
                *(sa.column(c) for c in ("tenant_id", "id", "number", "customer_id", "status",
                                         "created_at", "updated_at", "version", "document")),
            )  # fmt: skip
            connection.execute(
                returns.insert().values(
                    tenant_id=order.tenant_id, id=order.id, number=order.number,
                    customer_id=order.customer_id, status=order.status.value, created_at=START,
                    updated_at=START, version=order.version,
                    document=Codec().encode_text(order),
                )
            )  # fmt: skip
        database.upgrade()
        with database.engine.connect() as connection:
            r = database.tables.returns
            rows = connection.execute(sa.select(r.c.id, r.c.archived)).all()
            f = database.tables.fact_lines
            facts = connection.execute(sa.select(f.c.return_id, f.c.sku)).all()
        assert [tuple(row) for row in rows] == [(order.id, False)]
        # Migration 0006 made the line facts of the return stored before it.
        assert [tuple(row) for row in facts] == [(order.id, line.sku) for line in order.lines]
    finally:
        database.dispose()
