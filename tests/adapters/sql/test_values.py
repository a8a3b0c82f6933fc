"""Every stored value round-trips exactly: documents, offsets, exact columns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
import sqlalchemy as sa

from crm_returns import ReturnOrder, ReturnStatus
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.types import ExactDecimal, Instant
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing.conformance import assert_identical

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
        kept = tuple(uow.deliveries.message(message.id) for message in messages)
        assert_identical(kept, messages, "outbox")
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
