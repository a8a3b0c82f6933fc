"""Apply the packaged Alembic migrations, with no ``alembic.ini`` needed.

The migrations live in ``crm_returns/adapters/sql/migrations`` and record
their revision in table ``crm_returns_alembic_version``, so that a host whose
database has Alembic migrations of its own keeps its ``alembic_version``.

A new revision, for developers of this package::

    from alembic import command
    from crm_returns.adapters.sql.migrate import alembic_config

    command.revision(alembic_config(), "what changes", rev_id="0002")
"""

from __future__ import annotations

import sqlalchemy.exc
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL, Connection, Engine

from crm_returns.adapters.sql.engine import create_engine
from crm_returns.adapters.sql.errors import StorageError, described

__all__ = ["SCRIPT_LOCATION", "VERSION_TABLE", "alembic_config", "current_revision", "upgrade"]

#: Where the migration scripts are, as a package resource.
SCRIPT_LOCATION = "crm_returns.adapters.sql:migrations"

#: The table in which Alembic records the applied revision.
VERSION_TABLE = "crm_returns_alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration built in code; ``env.py`` migrates over ``connection``."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _engine(target: str | URL | Engine) -> tuple[Engine, bool]:
    if isinstance(target, Engine):
        return target, False
    return create_engine(target), True


def upgrade(target: str | URL | Engine, revision: str = "head") -> None:
    """Bring the database at ``target`` (a URL or an engine) up to ``revision``.

    The whole upgrade is one transaction where the database allows it
    (PostgreSQL and SQLite both do): it applies completely or not at all.

    Raises:
        StorageError: The database refused a migration or could not be reached.
    """
    engine, owned = _engine(target)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except sqlalchemy.exc.SQLAlchemyError as error:
        raise StorageError(
            f"migrating the database to {revision} failed: {described(error)}"
        ) from error
    finally:
        if owned:
            engine.dispose()


def current_revision(target: str | URL | Engine) -> str | None:
    """The revision the database at ``target`` is at, or ``None`` before the first."""
    engine, owned = _engine(target)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            return context.get_current_revision()
    except sqlalchemy.exc.SQLAlchemyError as error:
        raise StorageError(f"reading the schema revision failed: {described(error)}") from error
    finally:
        if owned:
            engine.dispose()
