"""The packaged migrations build exactly the schema the tables describe."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from tests.adapters.sql.support import Backend

from crm_returns import ReturnOrder
from crm_returns.adapters.sql import SqlDatabase, Tables, create_engine, current_revision, upgrade
from crm_returns.adapters.sql.facts import minor_units
from crm_returns.adapters.sql.migrate import alembic_config
from crm_returns.domain.analytics import line_facts
from crm_returns.domain.money import Money
from crm_returns.domain.shipments import Shipment, ShipmentMethod, ShippingPayer
from crm_returns.testing.conformance._history import history

#: The default prefix, and one a host might choose.
PREFIXES = ("crm_returns_", "rma_")


def _schema_of(engine: sa.Engine, tables: Tables) -> dict[str, object]:
    """Everything about the store's tables that a migration could get wrong."""
    inspector = sa.inspect(engine)
    described: dict[str, object] = {}
    for table in tables.metadata.sorted_tables:
        name = table.name
        described[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)
            ],
            "primary key": inspector.get_pk_constraint(name),
            "foreign keys": sorted(
                (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), ix["unique"])
                for ix in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (uq["name"], tuple(uq["column_names"]))
                for uq in inspector.get_unique_constraints(name)
            ),
            "checks": sorted(
                (ck["name"], ck["sqltext"]) for ck in inspector.get_check_constraints(name)
            ),
        }
    return described


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_migrations_build_the_schema_the_tables_describe(
    fresh: Callable[[], Backend], prefix: str
) -> None:
    migrated, created = fresh().database(prefix), fresh().database(prefix)
    tables = migrated.tables
    try:
        assert migrated.revisions().found is None
        migrated.upgrade()
        migrated.upgrade()  # a database already at head is left alone
        assert current_revision(migrated.engine, table_prefix=prefix) == "0006"
        tables.metadata.create_all(created.engine)
        with migrated.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": tables.version_table, "compare_type": True}
            )
            assert compare_metadata(context, tables.metadata) == []
            names = set(sa.inspect(connection).get_table_names())
        assert names == {*tables.names(), f"{prefix}alembic_version"}
        assert _schema_of(migrated.engine, tables) == _schema_of(created.engine, tables)
        checks = _schema_of(migrated.engine, tables)[f"{prefix}line_claims"]
        assert isinstance(checks, dict)
        assert {name for name, _ in checks["checks"]} == {
            f"ck_{prefix}line_claims_within_delivered",
            f"ck_{prefix}line_claims_claimed_not_negative",
        }
    finally:
        migrated.dispose()
        created.dispose()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_upgrading_step_by_step_ends_with_the_same_schema_as_a_fresh_database(
    fresh: Callable[[], Backend], prefix: str
) -> None:
    revisions = [
        script.revision
        for script in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
    ]
    stepped, created = fresh().database(prefix), fresh().database(prefix)
    try:
        for revision in revisions:
            stepped.upgrade(revision)
            assert stepped.revisions().found == revision
        stepped.tables.metadata.create_all(created.engine)
        assert _schema_of(stepped.engine, stepped.tables) == _schema_of(
            created.engine, created.tables
        )
    finally:
        stepped.dispose()
        created.dispose()


def test_upgrade_takes_a_url_and_the_store_then_works(backend: Backend) -> None:
    if backend.options:
        engine = create_engine(backend.url, **backend.options)
        upgrade(engine)
        engine.dispose()
    else:
        upgrade(backend.url)
    database = backend.database()
    try:
        with database.unit_of_work() as uow:
            assert uow.sequences.next("k") == 1
        assert current_revision(database.engine) == "0006"
    finally:
        database.dispose()


def test_migration_0006_makes_the_facts_of_stored_returns_with_their_shipping_fees(
    database: SqlDatabase,
) -> None:
    sample = history()
    completed, cancelled, submitted = sample.completed, sample.cancelled, sample.submitted
    cost = Money(Decimal("12.35"), completed.currency)
    shipments = {
        completed.id: [
            _parcel(completed, "1", cost),
            _parcel(completed, "2", cost, paid_by=ShippingPayer.CUSTOMER),
        ],
        cancelled.id: [_parcel(cancelled, "3", None)],  # no label: unknown
        submitted.id: [],
    }
    with database.unit_of_work() as uow:
        for order in (completed, cancelled, submitted):
            uow.returns.add(order)
        for shipment in itertools.chain(*shipments.values()):
            uow.casefile.add(shipment)
        uow.commit()
    kept = _shipping_fees(database)
    # As stored before revision 0006: no fact tables.
    with database.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0005")

    database.upgrade()

    expected = {
        (fact.return_id, fact.line_id): minor_units(fact.return_shipping_fee, fact.currency)
        for order in (completed, cancelled, submitted)
        for fact in line_facts(order, shipments=shipments[order.id])
    }
    assert _shipping_fees(database) == kept == expected
    assert sum(v for (r, _), v in expected.items() if r == completed.id and v) == 1235
    assert {v for (r, _), v in expected.items() if r == cancelled.id} == {None}


def _parcel(order: ReturnOrder, n: str, cost: Money | None, **changes: Any) -> Shipment:
    return Shipment(
        tenant_id=order.tenant_id, id=f"s-{n}", return_id=order.id, customer_id=order.customer_id,
        at=order.created_at, updated_at=order.created_at, method=ShipmentMethod.DROP_OFF,
        carrier="sf", tracking_number=f"SF{n}", cost=cost, **changes,
    )  # fmt: skip


def _shipping_fees(database: SqlDatabase) -> dict[tuple[str, str], int | None]:
    f = database.tables.fact_lines
    with database.engine.connect() as connection:
        rows = connection.execute(sa.select(f.c.return_id, f.c.line_id, f.c.return_shipping_fee))
        return {(return_id, line_id): fee for return_id, line_id, fee in rows}
