"""How the plan tests read a list's query plan: the one statement a list sends, explained.

Shared by ``test_list_plans.py`` (return lists) and ``test_overdue_plans.py``
(the late lists of the case file).
"""

from __future__ import annotations

from collections.abc import Callable, Sized
from typing import Any

import sqlalchemy as sa

from crm_returns.adapters.sql import SqlDatabase
from crm_returns.ports import UnitOfWork


def sent_statement(
    database: SqlDatabase, read: Callable[[UnitOfWork], Sized], what: str
) -> tuple[str, Any]:
    """The one ordered statement ``read`` sends (and its parameters) to read a page.

    Fails when the page is empty: a plan of nothing proves nothing.
    """
    sent: list[tuple[str, Any]] = []

    def catch(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "ORDER BY" in statement:
            sent.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", catch)
    try:
        with database.unit_of_work() as uow:
            found = read(uow)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", catch)
    assert len(found), f"{what} lists nothing: the plan would prove nothing"
    assert len(sent) == 1, sent
    return sent[0]


def explained(database: SqlDatabase, statement: str, parameters: Any) -> str:
    """``statement``'s plan as the database would run it (PostgreSQL: no sequential scans)."""
    with database.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return "\n".join(str(row[-1]) for row in plan)
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_bitmapscan = off")
        plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        text = "\n".join(str(row[0]) for row in plan)
        connection.rollback()
        return text
