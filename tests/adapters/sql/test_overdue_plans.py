"""A page of one user's or one team's late returns reads through its index, in list order.

As in ``test_list_plans.py``: the statement the store sends is caught and its
plan asked of the database.  A plan passes when it scans the list's index and
sorts nothing whole (an ``Incremental Sort`` of the records due at one instant,
by id in code-point order, on PostgreSQL is not a sort of the list).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from tests.adapters.sql.query_plans import explained, sent_statement

from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.ownership.records import Assignment, Stage

TENANT = "plans"
COUNT = 3_000
START = datetime(2024, 1, 1, tzinfo=UTC)
LATER = START + timedelta(days=365)
#: Each list, its filter, and the index (after the prefix) that must serve it.
LISTS = {
    "one user": ({"owner": "u-7"}, "case_records_by_user"),
    "one team": ({"team": "team-3"}, "case_records_by_team"),
}


@pytest.fixture
def filled(database: SqlDatabase) -> SqlDatabase:
    """``COUNT`` assignments of many users and teams, one due a minute."""
    document = Codec().encode(
        Assignment(
            tenant_id=TENANT,
            id="a-0",
            return_id="r-0",
            customer_id="C-1",
            at=START,
            user_id="u-0",
            team="team-0",
            assigned_by="supervisor",
            stage=Stage.INSPECT,
            due_at=START,
        )
    )
    rows = [
        {
            "tenant_id": TENANT,
            "kind": Assignment.kind,
            "id": f"a-{n}",
            "return_id": f"r-{n}",
            "customer_id": "C-1",
            "key": f"r-{n}",
            "owner": f"u-{n % 40}",
            "team": f"team-{n % 7}",
            "due_at": START + timedelta(minutes=n),
            "at": START,
            "version": 1,
            "document": document,
        }
        for n in range(COUNT)
    ]
    records = database.tables.case_records
    with database.engine.begin() as connection:
        connection.execute(sa.insert(records), rows)
        connection.execute(sa.text(f'ANALYZE "{records.name}"'))
    return database


def _plan(database: SqlDatabase, page: dict[str, Any]) -> str:
    statement, parameters = sent_statement(
        database, lambda uow: uow.casefile.overdue(TENANT, Assignment, LATER, **page), str(page)
    )
    return explained(database, statement, parameters)


@pytest.mark.parametrize("name", list(LISTS))
def test_a_page_of_one_owners_late_returns_reads_its_index_without_sorting(
    filled: SqlDatabase, name: str
) -> None:
    owned_by, index = LISTS[name]
    expected = f"ix_{filled.tables.prefix}{index}"
    middle = (START + timedelta(minutes=COUNT // 2), f"a-{COUNT // 2}")
    pages = {
        "first page": {**owned_by, "limit": 50},
        "page after a position": {**owned_by, "limit": 50, "after": middle},
    }
    for page, asked in pages.items():
        plan = _plan(filled, asked)
        print(f"{name}, {page}:\n{plan}")  # shown when the test fails
        if filled.engine.dialect.name == "sqlite":
            assert f"INDEX {expected} " in plan, f"{name}, {page}: {plan}"
            assert "TEMP B-TREE" not in plan, f"{name}, {page} sorts: {plan}"
        else:
            assert f"Index Scan using {expected} " in plan, f"{name}, {page}: {plan}"
            nodes = [line.strip().removeprefix("->  ") for line in plan.splitlines()]
            sorts = [node for node in nodes if re.match(r"Sort(\s+\(|$)", node)]
            assert not sorts, f"{name}, {page} sorts: {plan}"
