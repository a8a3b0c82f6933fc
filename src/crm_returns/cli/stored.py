"""The demo's wiring over a SQL database, so that its data outlives the run (the ``sql`` extra)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import UuidIds
from crm_returns.cli.wiring import DemoWiring, wire_demo

__all__ = ["stored_wiring"]


@contextlib.contextmanager
def stored_wiring(url: str) -> Iterator[tuple[DemoWiring, str]]:
    """The demo's wiring over the database at ``url``, migrated, with a tenant of its own.

    Every run uses a new tenant, so that runs never collide in one database and
    each run's data can be told apart afterwards.  The database's connections
    are closed when the block ends.

    Yields:
        The wiring and its tenant id.
    """
    database = SqlDatabase.connect(url)
    try:
        database.upgrade()
        tenant = f"demo-{uuid.uuid4().hex[:8]}"
        yield (
            wire_demo(tenant=tenant, unit_of_work=database.unit_of_work, ids=UuidIds()),
            tenant,
        )
    finally:
        database.dispose()
