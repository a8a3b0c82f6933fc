"""The SQL store passes the conformance kit every store adapter must pass."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.adapters.sql.support import Backend

from crm_returns.testing.conformance import StoreContract, UnitOfWorkFactory


class TestSqlStore(StoreContract):
    """The SQL store passes the kit every store adapter must pass, on both databases."""

    @pytest.fixture
    def unit_of_work_factory(self, backend: Backend) -> Iterator[UnitOfWorkFactory]:
        database = backend.database()
        database.tables.metadata.create_all(database.engine)
        yield database.unit_of_work
        database.dispose()
