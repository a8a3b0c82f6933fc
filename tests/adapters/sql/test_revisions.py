"""A service refuses tables older or newer than the package, naming both revisions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.adapters.sql.support import Backend

import crm_returns
from crm_returns.adapters.memory import MemoryOrderSource
from crm_returns.adapters.sql import (
    Revisions,
    SchemaMismatch,
    SqlDatabase,
    StorageError,
    check_revision,
    head_revision,
    sql_unit_of_work_factory,
)
from crm_returns.samples import SAMPLE_TENANT, sample_lines

ORDERS = MemoryOrderSource({SAMPLE_TENANT: sample_lines()})


def _start(backend: Backend, *, migrate: bool, prefix: str = "crm_returns_") -> None:
    """Start a service as a host would, and close it."""
    crm_returns.sql_service(
        ORDERS,
        backend.url.render_as_string(hide_password=False),
        migrate=migrate,
        schema=backend.options.get("schema"),
        table_prefix=prefix,
    ).close()


def _tables(database: SqlDatabase) -> set[str]:
    with database.engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def _stamp(database: SqlDatabase, revision: str) -> None:
    """Record ``revision`` as the tables' one, as a newer package would have."""
    version = database.tables.version_table
    with database.engine.begin() as connection:
        connection.execute(
            sa.table(version, sa.column("version_num")).update().values(version_num=revision)
        )


def test_the_package_knows_its_revision() -> None:
    assert head_revision() == "0006"


def test_a_service_on_a_database_without_the_tables_refuses_unless_it_migrates(
    backend: Backend,
) -> None:
    with pytest.raises(SchemaMismatch) as refused:
        _start(backend, migrate=False)
    error = refused.value
    assert (error.found, error.needed, error.newer) == (None, "0006", False)
    assert "revision: none" in str(error)
    assert "needs revision 0006" in str(error)
    assert "crm-returns db upgrade" in str(error)
    database = backend.database()
    try:
        assert _tables(database) == set()  # refusing made nothing
        _start(backend, migrate=True)
        _start(backend, migrate=False)  # now at the package's revision: it starts
        assert database.revisions() == Revisions("0006", "0006", known=True)
    finally:
        database.dispose()


def test_tables_made_by_a_newer_package_are_refused_with_or_without_migrating(
    backend: Backend,
) -> None:
    database = backend.database()
    try:
        database.upgrade()
        _stamp(database, "0007")
        for migrate in (False, True):
            with pytest.raises(SchemaMismatch) as refused:
                _start(backend, migrate=migrate)
            error = refused.value
            assert (error.found, error.needed, error.newer) == ("0007", "0006", True)
            assert "revision 0007" in str(error)
            assert "needs revision 0006" in str(error)
            assert "newer version of crm_returns" in str(error)
        with pytest.raises(SchemaMismatch, match="0007"):
            sql_unit_of_work_factory(backend.url, **backend.options)
        assert database.revisions().found == "0007"  # left as it was
    finally:
        database.dispose()


def test_each_prefix_has_its_own_revision(backend: Backend) -> None:
    _start(backend, migrate=True, prefix="shop_a_")
    with pytest.raises(SchemaMismatch, match=r"shop_b_\*.*revision: none"):
        _start(backend, migrate=False, prefix="shop_b_")
    _start(backend, migrate=False, prefix="shop_a_")


def test_an_older_revision_is_named_with_the_one_the_package_needs() -> None:
    older = Revisions("0001", "0006", known=True)
    assert not older.up_to_date
    assert not older.newer
    error = older.mismatch("crm_returns_")
    assert (error.found, error.needed, error.newer) == ("0001", "0006", False)
    assert "revision 0001, older than this package's" in str(error)
    assert "needs revision 0006: run `crm-returns db upgrade`" in str(error)
    assert isinstance(error, StorageError)


def test_checking_a_database_that_cannot_be_reached_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="reading the schema revision failed") as failed:
        check_revision("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    assert not isinstance(failed.value, SchemaMismatch)
