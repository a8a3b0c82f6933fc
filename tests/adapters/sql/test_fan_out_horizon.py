"""On PostgreSQL a message is fanned out once no transaction of this database may precede it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from crm_returns import DeliveryStatus
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.ports import OutboxMessage

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def messages(memory_story: tuple[dict[str, object], MemoryDatabase]) -> tuple[OutboxMessage, ...]:
    published = memory_story[0]["published"]
    assert isinstance(published, tuple)
    return published


@pytest.fixture
def postgres(database: SqlDatabase) -> SqlDatabase:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: commit order is seq order")
    return database


def _fan_out(database: SqlDatabase) -> int:
    with database.unit_of_work() as uow:
        made = uow.deliveries.fan_out("mail", AT, 100)
        uow.commit()
    return made


def _add(database: SqlDatabase, message: OutboxMessage) -> None:
    with database.unit_of_work() as uow:
        uow.outbox.add(message)
        uow.commit()


def test_a_transaction_still_open_holds_back_the_messages_committed_after_it(
    postgres: SqlDatabase, messages: tuple[OutboxMessage, ...]
) -> None:
    first, second = messages[:2]
    late = postgres.unit_of_work()
    with late:
        late.outbox.add(first)
        late.sequences.next("force the write now")  # the transaction has its id from here
        _add(postgres, second)  # commits after `late` began writing
        assert _fan_out(postgres) == 0, "a message overtook one still being written"
        late.commit()
    assert _fan_out(postgres) == 2
    with postgres.unit_of_work() as uow:
        found = uow.deliveries.find([DeliveryStatus.PENDING], destination="mail", limit=10)
    assert [d.message_id for d in found] == [first.id, second.id]


def test_a_transaction_open_in_another_database_holds_nothing_back(
    postgres: SqlDatabase, messages: tuple[OutboxMessage, ...]
) -> None:
    other = sa.create_engine(postgres.engine.url.set(database="postgres"))
    try:
        with other.connect() as connection, connection.begin():
            connection.execute(sa.text("CREATE TEMPORARY TABLE busy (x int)"))
            connection.execute(sa.text("INSERT INTO busy VALUES (1)"))  # holds an id
            _add(postgres, messages[0])
            assert _fan_out(postgres) == 1
    finally:
        other.dispose()
