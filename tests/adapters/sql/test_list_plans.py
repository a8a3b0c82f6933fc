"""Each daily list reads its first page, and a page after a cursor, through an index in order.

The statement checked is the one the store sends (caught as it goes out), and
its plan is asked of the database: ``EXPLAIN QUERY PLAN`` on SQLite,
``EXPLAIN`` on PostgreSQL.  A plan passes when it scans the list's index and
sorts nothing whole: SQLite builds no temporary B-tree for the ``ORDER BY``;
PostgreSQL has no ``Sort`` node (an ``Incremental Sort`` of the rows of one
creation instant, by number in code-point order, is not a sort of the list).

A few thousand returns are enough for the shape of a plan; PostgreSQL is told
its statistics (``ANALYZE``) and that sequential and bitmap scans are
unwelcome, so that the question is whether an index serves the list in order,
not whether a small table is cheaper to read whole.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import attrs
import pytest
import sqlalchemy as sa
from tests.adapters.sql.query_plans import explained, sent_statement

from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.queries import ReturnQuery
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.testing.conformance._history import history

TENANT = "plans"
COUNT = 3_000
START = datetime(2024, 1, 1, tzinfo=UTC)
STATUSES = [status.value for status in ReturnStatus]
WINDOW = ReturnQuery(
    created_from=START + timedelta(hours=10), created_to=START + timedelta(hours=40)
)
#: Each daily list, and the index (after the prefix) that must serve it.
LISTS = {
    "all": (ReturnQuery(), "returns_tenant_id_created_at_number"),
    "completed": (ReturnQuery(statuses={ReturnStatus.COMPLETED}), "returns_by_status"),
    "one customer": (ReturnQuery(customer_id="C-7"), "returns_by_customer"),
    "creation-date window": (WINDOW, "returns_tenant_id_created_at_number"),
}


@pytest.fixture
def filled(database: SqlDatabase) -> SqlDatabase:
    """A store of ``COUNT`` returns of many statuses and customers, one a minute."""
    document = Codec().encode(history().cancelled)
    rows = [
        {
            "tenant_id": TENANT,
            "id": f"p-{n}",
            "number": f"RT-P-{n:06d}",
            "customer_id": f"C-{n % 40}",
            "status": STATUSES[n % len(STATUSES)] if n % 3 else "completed",
            "created_at": START + timedelta(minutes=n),
            "updated_at": START + timedelta(minutes=n),
            "version": 1,
            "document": document,
        }
        for n in range(COUNT)
    ]
    returns = database.tables.returns
    with database.engine.begin() as connection:
        connection.execute(sa.insert(returns), rows)
        connection.execute(sa.text(f'ANALYZE "{returns.name}"'))
    return database


def _plan(database: SqlDatabase, query: ReturnQuery) -> str:
    statement, parameters = sent_statement(
        database, lambda uow: uow.returns.search(TENANT, query).items, str(query)
    )
    return explained(database, statement, parameters)


def _pages(query: ReturnQuery) -> dict[str, ReturnQuery]:
    first = attrs.evolve(query, limit=50, with_total=False)
    after = first.cursor_after(START + timedelta(minutes=COUNT // 2), f"RT-P-{COUNT // 2:06d}")
    return {"first page": first, "page after a cursor": attrs.evolve(first, after=after)}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_daily_list_reads_its_pages_through_its_index_without_sorting(
    filled: SqlDatabase, name: str
) -> None:
    query, index = LISTS[name]
    expected = f"ix_{filled.tables.prefix}{index}"
    for page, asked in _pages(query).items():
        plan = _plan(filled, asked)
        print(f"{name}, {page}:\n{plan}")  # shown when the test fails
        if filled.engine.dialect.name == "sqlite":
            assert f"INDEX {expected} " in plan, f"{name}, {page}: {plan}"
            assert "TEMP B-TREE" not in plan, f"{name}, {page} sorts: {plan}"
        else:
            assert f"Index Scan Backward using {expected} " in plan, f"{name}, {page}: {plan}"
            nodes = [line.strip().removeprefix("->  ") for line in plan.splitlines()]
            sorts = [node for node in nodes if re.match(r"Sort(\s+\(|$)", node)]
            assert not sorts, f"{name}, {page} sorts: {plan}"
