"""Alembic's entry point: migrates over the connection that ``upgrade`` hands it.

The table prefix comes from the configuration's attributes too: the target
metadata, the version table and the migration scripts
(:func:`~crm_returns.adapters.sql.migrate.migration_prefix`) all follow it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from crm_returns.adapters.sql.schema import DEFAULT_TABLE_PREFIX, Tables


def run_migrations() -> None:
    """Run the pending migrations in the caller's transaction."""
    attributes = context.config.attributes
    connection = attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "run the migrations with crm_returns.adapters.sql.upgrade(url), "
            "which hands them a connection"
        )
    tables = Tables(attributes.get("table_prefix", DEFAULT_TABLE_PREFIX))
    context.configure(
        connection=connection,
        target_metadata=tables.metadata,
        version_table=tables.version_table,
        # SQLite alters tables by copying them; let later migrations say so.
        render_as_batch=connection.dialect.name == "sqlite",
        # Read by the migration scripts through migration_prefix().
        table_prefix=tables.prefix,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
