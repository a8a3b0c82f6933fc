"""Alembic's entry point: migrates over the connection that ``upgrade`` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from crm_returns.adapters.sql.migrate import VERSION_TABLE
from crm_returns.adapters.sql.schema import metadata


def run_migrations() -> None:
    """Run the pending migrations in the caller's transaction."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "run the migrations with crm_returns.adapters.sql.upgrade(url), "
            "which hands them a connection"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        # SQLite alters tables by copying them; let later migrations say so.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
