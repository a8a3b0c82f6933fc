"""Fixtures of the SQL store tests: fresh databases on SQLite and PostgreSQL, sample values.

Every test that asks for ``backend`` (or ``database``, made from it) runs on
both databases.  The PostgreSQL runs need a server: set
``CRM_RETURNS_TEST_POSTGRES_URL`` (for example
``postgresql://postgres@127.0.0.1:5432/crm_returns_dev``); each test then gets
a schema of its own, dropped afterwards.  Without the variable they are
skipped, saying so — unless ``CRM_RETURNS_REQUIRE_POSTGRES`` is set, as CI
sets it, and then they fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import make_url
from tests.adapters.postgres import postgres_url
from tests.adapters.sql.support import CHAIR, CLERK, MOUSE, Backend, picks, tell_the_story

from crm_returns import ReturnOrder
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import SqlDatabase, create_engine
from crm_returns.adapters.sql.codec import Codec
from crm_returns.testing import sample_wiring


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], Backend]]:
    """Make fresh, empty databases: SQLite files, or PostgreSQL schemas dropped afterwards."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sql")
        yield lambda: Backend(make_url(f"sqlite:///{folder / uuid.uuid4().hex}.db"))
        return
    given = postgres_url()
    admin = create_engine(given)
    schemas: list[str] = []

    def make() -> Backend:
        schemas.append(f"crm_returns_test_{uuid.uuid4().hex[:12]}")
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schemas[-1]}"')
        return Backend(make_url(given), {"schema": schemas[-1]})

    yield make
    with admin.begin() as connection:
        for schema in schemas:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture
def backend(fresh: Callable[[], Backend]) -> Backend:
    return fresh()


@pytest.fixture
def database(backend: Backend) -> Iterator[SqlDatabase]:
    """An empty store, its tables made by the migrations."""
    database = backend.database()
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def one_connection(backend: Backend) -> Iterator[SqlDatabase]:
    """PostgreSQL with a pool of one connection (its server can close it); skips on SQLite."""
    if backend.url.get_backend_name() != "postgresql":
        pytest.skip("a SQLite file has no server to close the connection")
    database = SqlDatabase.connect(backend.url, **backend.options, pool_size=1)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def memory_story() -> tuple[dict[str, object], MemoryDatabase]:
    database = MemoryDatabase()
    return tell_the_story(database.unit_of_work), database


@pytest.fixture(scope="module")
def drafts() -> tuple[ReturnOrder, ReturnOrder]:
    """Two drafts made by a real service: 2 mice (RT-…-000001) and the chair (…-000002)."""
    wiring = sample_wiring()
    mice = wiring.service.create_return(CLERK, picks((MOUSE, "2", "wrong_order")))
    chair = wiring.service.create_return(CLERK, picks((CHAIR, "1", "wrong_order")))
    return mice, chair


@pytest.fixture
def codec() -> Codec:
    """A codec of its own, as a database has: nothing remembered yet."""
    return Codec()
