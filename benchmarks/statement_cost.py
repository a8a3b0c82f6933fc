"""What one statement costs through SQLAlchemy: ``python -m benchmarks.statement_cost``.

The same ``SELECT document FROM returns WHERE tenant_id = ? AND id = ?`` on a
SQLite store, three ways, inside one open transaction:

- built anew on every call, as the SQL adapter builds its statements;
- built once with ``bindparam``, executed with new values each time;
- through ``sqlite3`` directly.

Prints the median of five runs of 3,000 executions each, per execution.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import sqlalchemy as sa

from benchmarks.stores import SqliteFiles
from crm_returns.adapters.sql.schema import Tables

EXECUTIONS = 3_000


def _per_call(run: Callable[[], None]) -> float:
    """Median microseconds per execution over five runs."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        run()
        runs.append((time.perf_counter() - started) / EXECUTIONS * 1e6)
    return statistics.median(runs)


def main() -> int:
    """Time the three ways and print them."""
    files = SqliteFiles()
    try:
        database = files.database("statements")
        with database.engine.connect() as connection:
            connection.exec_driver_sql(
                "INSERT INTO crm_returns_returns (tenant_id, id, number, customer_id, status, "
                "created_at, updated_at, version, document) VALUES ('t', 'r', 'n', 'c', 'draft', "
                "'2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00', 1, '{}')"
            )
            returns = Tables().returns
            built_once = sa.select(returns.c.document).where(
                returns.c.tenant_id == sa.bindparam("tenant"), returns.c.id == sa.bindparam("id")
            )
            driver = connection.connection.driver_connection
            if driver is None:
                raise RuntimeError("no DBAPI connection")

            def every_call() -> None:
                for _ in range(EXECUTIONS):
                    statement = sa.select(returns.c.document).where(
                        returns.c.tenant_id == "t", returns.c.id == "r"
                    )
                    connection.execute(statement).scalar_one()

            def once() -> None:
                for _ in range(EXECUTIONS):
                    connection.execute(built_once, {"tenant": "t", "id": "r"}).scalar_one()

            def directly() -> None:
                for _ in range(EXECUTIONS):
                    driver.execute(
                        "SELECT document FROM crm_returns_returns WHERE tenant_id = ? AND id = ?",
                        ("t", "r"),
                    ).fetchone()

            for label, run in (
                ("statement built on every call (as the adapter does)", every_call),
                ("statement built once, with bindparams", once),
                ("sqlite3 directly", directly),
            ):
                print(f"{_per_call(run):7.1f} µs per SELECT by key: {label}")
            connection.rollback()
        database.dispose()
    finally:
        files.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
