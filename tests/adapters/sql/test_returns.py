"""Return rows, their lines, and the database's own guard against over-return."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from tests.adapters.sql.support import CABLE, CHAIR, CLERK, MOUSE, Backend, picks, sql_service

from crm_returns import ReturnOrder, ReturnQuery, ReturnStatus
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.errors import ConcurrencyConflict, NotFound, OverReturn
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing.conformance import assert_identical


def _claims_match_lines(database: SqlDatabase) -> None:
    """``line_claims`` holds, per line, the sum of what the stored returns claim."""
    return_lines, line_claims = database.tables.return_lines, database.tables.line_claims
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
    returns_table = database.tables.returns
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
    story = sql_service(database)
    draft = story.create_return(CLERK, picks((MOUSE, "2", "wrong_order")))
    seen: list[str] = []

    def watch(*event: Any) -> None:
        seen.append(" ".join(str(event[2]).split()))

    sa.event.listen(database.engine, "before_cursor_execute", watch)
    try:
        story.submit_return(CLERK, draft.id)
        story.cancel_return(CLERK, draft.id, "changed my mind")
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", watch)
    updates = [sql for sql in seen if sql.startswith('UPDATE "crm_returns_returns" SET')]
    assert len(updates) == 2
    assert not any(
        column in sql.split("WHERE")[0]
        for sql in updates
        for column in ("number", "customer_id", "created_at")
    )
    assert any(sql.startswith('UPDATE "crm_returns_return_lines" SET') for sql in seen)  # cancel
    assert not any(
        sql.startswith(
            ('DELETE FROM "crm_returns_return_lines"', 'INSERT INTO "crm_returns_return_lines"')
        )
        for sql in seen
    )
    _claims_match_lines(database)
    with database.engine.connect() as connection:
        claimed = (
            connection.execute(sa.select(database.tables.return_lines.c.claimed)).scalars().all()
        )
    assert claimed == [Decimal(0)]


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


# -- query plans ---------------------------------------------------------------------


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
    index = "ix_crm_returns_return_lines_tenant_id_order_number_line_id_return_id"
    assert f"{index} (tenant_id=? AND order_number=? AND line_id=?)" in details, details
    assert "SCAN crm_returns_return_lines" not in details, details
    database.dispose()
