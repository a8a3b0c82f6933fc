"""Apply the packaged Alembic migrations, with no ``alembic.ini`` needed.

The migrations live in ``crm_returns/adapters/sql/migrations``.  Every table
they make starts with the database's table prefix (``crm_returns_`` unless
told otherwise), and they record their revision in ``<prefix>alembic_version``,
so that a host whose database has tables and Alembic migrations of its own
keeps them apart from ours.

Any number of application instances may start at once on a new database:
:func:`upgrade` migrates under a lock — an advisory lock on PostgreSQL (one
per schema and prefix), the write lock on SQLite — so that one of them makes
the tables while the others wait, and then find them made.

A new revision, for developers of this package::

    from alembic import command
    from crm_returns.adapters.sql.migrate import alembic_config

    command.revision(alembic_config(), "what changes", rev_id="0002")
"""

from __future__ import annotations

import hashlib

import attrs
import sqlalchemy as sa
import sqlalchemy.exc
from alembic import command, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL, Connection, Engine

from crm_returns.adapters.sql.engine import create_engine
from crm_returns.adapters.sql.errors import SchemaMismatch, StorageError, described
from crm_returns.adapters.sql.schema import (
    DEFAULT_TABLE_PREFIX,
    Tables,
    checked_prefix,
    version_table,
)

__all__ = [
    "SCRIPT_LOCATION",
    "Revisions",
    "alembic_config",
    "check_revision",
    "current_revision",
    "head_revision",
    "migration_prefix",
    "revisions",
    "upgrade",
]

#: Where the migration scripts are, as a package resource.
SCRIPT_LOCATION = "crm_returns.adapters.sql:migrations"


def alembic_config(
    connection: Connection | None = None, *, table_prefix: str = DEFAULT_TABLE_PREFIX
) -> Config:
    """An Alembic configuration built in code.

    Args:
        connection: ``env.py`` migrates over it.
        table_prefix: What the tables' names start with.

    Raises:
        InvalidInput: ``table_prefix`` is not a plain SQL name.
    """
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    config.attributes["table_prefix"] = checked_prefix(table_prefix)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migration_prefix() -> str:
    """In a migration script: what the tables' names start with in this database."""
    prefix: str = op.get_context().opts["table_prefix"]
    return prefix


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The revision of the package's last migration."""
    return _scripts().get_current_head() or ""


@attrs.frozen
class Revisions:
    """Where a database's tables are, beside where this package's migrations end.

    Attributes:
        found: The revision the tables are at; ``None`` when there are none yet.
        head: The revision of the package's last migration.
        known: Whether ``found`` is one of the package's revisions (``None`` is).
    """

    found: str | None
    head: str
    known: bool

    @property
    def up_to_date(self) -> bool:
        """Whether the tables are at the package's last revision."""
        return self.found == self.head

    @property
    def newer(self) -> bool:
        """Whether the tables were made by a newer version of the package."""
        return not self.known

    def mismatch(self, prefix: str) -> SchemaMismatch:
        """The error a service started on these tables raises (unless up to date)."""
        return SchemaMismatch(self.found, self.head, newer=self.newer, tables=f"{prefix}*")


def _engine(target: str | URL | Engine) -> tuple[Engine, bool]:
    if isinstance(target, Engine):
        return target, False
    return create_engine(target), True


def _found(connection: Connection, prefix: str) -> Revisions:
    context = MigrationContext.configure(connection, opts={"version_table": version_table(prefix)})
    found = context.get_current_revision()
    scripts = _scripts()
    known = found is None or found in {script.revision for script in scripts.walk_revisions()}
    return Revisions(found, scripts.get_current_head() or "", known)


def _lock_key(schema: str, prefix: str) -> int:
    """The advisory lock of migrations of the tables under ``prefix`` in ``schema``."""
    digest = hashlib.blake2b(f"crm_returns:{schema}:{prefix}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock(connection: Connection, prefix: str) -> None:
    """Hold the migrations' lock until the transaction ends.

    SQLite: the write lock, which the engine's ``BEGIN IMMEDIATE`` took
    already.  PostgreSQL: a transaction's advisory lock for the schema the
    tables go to and their prefix.

    Raises:
        StorageError: PostgreSQL has no schema to make the tables in.
    """
    if connection.dialect.name == "sqlite":
        if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    schema = connection.execute(sa.select(sa.func.current_schema())).scalar()
    if schema is None:
        path = connection.exec_driver_sql("SHOW search_path").scalar()
        raise StorageError(
            f"the database has no schema to make the tables in (search_path: {path}): "
            "create it first (CREATE SCHEMA ...)"
        )
    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_key(schema, prefix))))


def _refuse_taken_names(connection: Connection, tables: Tables) -> None:
    """Refuse to make tables whose names the host's tables already have."""
    taken = sorted(set(tables.names()) & set(sa.inspect(connection).get_table_names()))
    if taken:
        raise StorageError(
            f"the database already has tables named {', '.join(taken)}, which crm_returns did "
            f"not make ({tables.version_table} records no revision): give crm_returns another "
            "table prefix (table_prefix=...), or a schema of its own on PostgreSQL"
        )


def upgrade(
    target: str | URL | Engine, revision: str = "head", *, table_prefix: str = DEFAULT_TABLE_PREFIX
) -> None:
    """Bring the tables under ``table_prefix`` in the database at ``target`` up to ``revision``.

    The whole upgrade is one transaction, under the migrations' lock: it
    applies completely or not at all, and an instance starting meanwhile
    waits for it (for the engine's lock or busy timeout) and then finds the
    tables at ``revision``.

    Args:
        target: A URL, or an engine from
            :func:`~crm_returns.adapters.sql.create_engine`.
        revision: Where to go; the package's last revision by default.
        table_prefix: What the tables' names start with.

    Raises:
        InvalidInput: ``table_prefix`` is not a plain SQL name.
        SchemaMismatch: The tables are at a revision this package does not know.
        StorageError: Tables of the host have the names of ours; or the
            database refused a migration, or could not be reached.
    """
    tables = Tables(table_prefix)
    engine, owned = _engine(target)
    try:
        with engine.begin() as connection:
            _lock(connection, tables.prefix)
            found = _found(connection, tables.prefix)
            if found.newer:
                raise found.mismatch(tables.prefix)
            if found.found is None:
                _refuse_taken_names(connection, tables)
            command.upgrade(alembic_config(connection, table_prefix=tables.prefix), revision)
    except (sqlalchemy.exc.SQLAlchemyError, CommandError) as error:
        raise StorageError(
            f"migrating the database to {revision} failed: {described(error)}"
        ) from error
    finally:
        if owned:
            engine.dispose()


def revisions(target: str | URL | Engine, *, table_prefix: str = DEFAULT_TABLE_PREFIX) -> Revisions:
    """Where the tables under ``table_prefix`` at ``target`` are, and the package's last revision.

    Raises:
        InvalidInput: ``table_prefix`` is not a plain SQL name.
        StorageError: The database could not be read.
    """
    prefix = checked_prefix(table_prefix)
    engine, owned = _engine(target)
    try:
        with engine.connect() as connection:
            return _found(connection, prefix)
    except sqlalchemy.exc.SQLAlchemyError as error:
        raise StorageError(f"reading the schema revision failed: {described(error)}") from error
    finally:
        if owned:
            engine.dispose()


def current_revision(
    target: str | URL | Engine, *, table_prefix: str = DEFAULT_TABLE_PREFIX
) -> str | None:
    """The revision the tables under ``table_prefix`` are at, or ``None`` before the first.

    Raises:
        InvalidInput: ``table_prefix`` is not a plain SQL name.
        StorageError: The database could not be read.
    """
    return revisions(target, table_prefix=table_prefix).found


def check_revision(target: str | URL | Engine, *, table_prefix: str = DEFAULT_TABLE_PREFIX) -> None:
    """Make sure the tables under ``table_prefix`` are at the package's last revision.

    Raises:
        InvalidInput: ``table_prefix`` is not a plain SQL name.
        SchemaMismatch: They are older (or not there), or newer.
        StorageError: The database could not be read.
    """
    found = revisions(target, table_prefix=table_prefix)
    if not found.up_to_date:
        raise found.mismatch(table_prefix)
