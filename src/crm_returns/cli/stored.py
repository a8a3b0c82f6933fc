"""The demo's wiring over a SQL database, so that its data outlives the run (the ``sql`` extra)."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from crm_returns.adapters.attachments import LocalFileAttachmentStore
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import UuidIds
from crm_returns.cli import DEMO_TENANT_PREFIX
from crm_returns.cli.wiring import DemoWiring, wire_demo

__all__ = ["attachments_beside", "stored_wiring"]


def attachments_beside(url: str) -> Path:
    """The directory where the demo keeps the photos of the database at ``url``, made if need be.

    Beside a SQLite file (``demo.db`` → ``demo.db.attachments``); for another
    database, in the system's temporary directory.
    """
    parsed = sa.make_url(url)
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        directory = Path(f"{database}.attachments")
    else:
        directory = Path(tempfile.gettempdir()) / "crm-returns-demo-attachments"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@contextlib.contextmanager
def stored_wiring(url: str) -> Iterator[tuple[DemoWiring, str]]:
    """The demo's wiring over the database at ``url``, migrated, with a tenant of its own.

    Every run uses a new tenant, so that runs never collide in one database and
    each run's data can be told apart afterwards.  The database's connections
    are closed when the block ends.  Photos are kept in files (see
    :func:`attachments_beside`), so that they outlive the run with the database.

    Yields:
        The wiring and its tenant id.
    """
    database = SqlDatabase.connect(url)
    try:
        database.upgrade()
        tenant = f"{DEMO_TENANT_PREFIX}{uuid.uuid4().hex[:8]}"
        yield (
            wire_demo(
                tenant=tenant,
                unit_of_work=database.unit_of_work,
                ids=UuidIds(),
                attachments=LocalFileAttachmentStore(attachments_beside(url)),
            ),
            tenant,
        )
    finally:
        database.dispose()
