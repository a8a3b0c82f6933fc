"""Engines with the settings the store relies on, for SQLite and PostgreSQL.

SQLite (a file, ``sqlite:///returns.db``): write-ahead logging so readers do
not block the writer, foreign keys enforced, a busy timeout so a second
writer waits instead of failing, and transactions that start with ``BEGIN
IMMEDIATE``.  Python's ``sqlite3`` would otherwise begin a transaction only at
the first write, so two commands could both read "5 returnable" and then both
write; taking the write lock up front makes every unit of work serialisable,
which is the guard against over-return on SQLite (``SELECT … FOR UPDATE``
compiles to nothing there).  The recipe is SQLAlchemy's, from its SQLite
dialect documentation ("Transactions with SQLite and the sqlite3 driver").

PostgreSQL (``postgresql://`` or ``postgresql+psycopg://``): the psycopg 3
driver, ``READ COMMITTED``, and a lock timeout; the store takes row locks
where a read-then-write must not race (see
:meth:`~crm_returns.adapters.sql.returns.SqlReturns.lock_lines`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from crm_returns.adapters.sql.errors import StorageError
from crm_returns.adapters.sql.schema import plain_identifier
from crm_returns.adapters.sql.types import dumps
from crm_returns.errors import quoted

__all__ = ["MAX_SCHEMA_LENGTH", "create_engine", "share_engine"]

#: PostgreSQL keeps 63 characters of a name.
MAX_SCHEMA_LENGTH = 63

#: Marks a host's SQLite connection given the store's settings (in its record's ``info``).
_SHARED = "crm_returns.shared"


def create_engine(
    url: str | URL,
    *,
    busy_timeout: float = 30.0,
    lock_timeout: float = 30.0,
    schema: str | None = None,
    echo: bool = False,
    **options: Any,
) -> Engine:
    """An engine for the SQL store.

    Args:
        url: ``sqlite:///path/to/file.db``, or a PostgreSQL URL
            (``postgresql://`` is given the psycopg 3 driver).
        busy_timeout: SQLite: seconds a unit of work waits for the write lock
            before failing with :class:`~crm_returns.errors.ConcurrencyConflict`.
        lock_timeout: PostgreSQL: seconds a statement waits for a row lock
            before failing the same way.
        schema: PostgreSQL: keep the tables in this schema (it must exist),
            away from the host's own tables; a plain name (lower-case letters,
            digits and ``_``).  Statements name the tables without it: the
            schema is the connections' ``search_path``.
        echo: Log every statement.
        **options: Passed on to :func:`sqlalchemy.create_engine`.

    Raises:
        InvalidInput: ``schema`` is not a plain name.
        StorageError: The URL is not one, or names a database the store does
            not support, or a schema is given for SQLite.
    """
    if schema is not None:
        schema = plain_identifier(schema, "schema", MAX_SCHEMA_LENGTH)
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise StorageError(f"{quoted(url)} is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if schema is not None:
            raise StorageError("SQLite has no schemas; give the database a file of its own")
        return _sqlite(parsed, busy_timeout, echo, options)
    if backend == "postgresql":
        return _postgres(parsed, lock_timeout, schema, echo, options)
    raise StorageError(f"the SQL store supports SQLite and PostgreSQL, not {backend!r}")


def share_engine(engine: Engine) -> Engine:
    """Check the host's ``engine`` and give it what the store relies on; the same engine.

    SQLite (``pysqlite``): every connection the engine lends from now on —
    to the host too — has foreign keys enforced and begins its transactions
    with ``BEGIN IMMEDIATE`` (SQLAlchemy's recipe, as :func:`create_engine`
    does), which also makes savepoints work.  The journal mode and the busy
    timeout stay the host's.  Doing it twice changes nothing more.

    PostgreSQL: nothing is changed; the engine must use psycopg 3.

    Raises:
        StorageError: The engine reaches a database or driver the store does
            not support, or commits every statement by itself (``AUTOCOMMIT``).
    """
    dialect = engine.dialect
    # The level given to sqlalchemy.create_engine is kept on the dialect, privately.
    levels = (
        getattr(dialect, "_on_connect_isolation_level", None),
        engine.get_execution_options().get("isolation_level"),
    )
    if "AUTOCOMMIT" in levels:
        raise StorageError("the store needs transactions: give it an engine without AUTOCOMMIT")
    if (dialect.name, dialect.driver) == ("postgresql", "psycopg"):
        return engine
    if (dialect.name, dialect.driver) != ("sqlite", "pysqlite"):
        raise StorageError(
            "the SQL store supports SQLite (pysqlite) and PostgreSQL (psycopg 3), "
            f"not {dialect.name}+{dialect.driver}"
        )
    if event.contains(engine, "connect", _configure_sqlite):
        return engine  # made by create_engine
    # "checkout", not "connect": the pool may hold connections made before.
    if not event.contains(engine, "checkout", _configure_on_checkout):
        event.listen(engine, "checkout", _configure_on_checkout)
    if not event.contains(engine, "begin", _begin_immediate):
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Give a host's SQLite connection the store's settings, once."""
    if not record.info.get(_SHARED):
        _configure_shared_sqlite(dbapi_connection, record)
        record.info[_SHARED] = True


def _sqlite(url: URL, busy_timeout: float, echo: bool, options: dict[str, Any]) -> Engine:
    connect_args = {"timeout": busy_timeout, **options.pop("connect_args", {})}
    engine = sa.create_engine(
        url, echo=echo, json_serializer=dumps, connect_args=connect_args, **options
    )
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """A new SQLite connection of our own engine: write-ahead log, and the host's settings."""
    _cursor_run(dbapi_connection, "PRAGMA journal_mode=WAL")
    _configure_shared_sqlite(dbapi_connection, _record)


def _configure_shared_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """What every SQLite connection the store uses needs, on a host's engine too."""
    # Let SQLAlchemy say when transactions begin (the "begin" hook below).
    dbapi_connection.isolation_level = None
    _cursor_run(dbapi_connection, "PRAGMA foreign_keys=ON")


def _cursor_run(dbapi_connection: Any, sql: str) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _begin_immediate(connection: sa.Connection) -> None:
    """Begin every SQLAlchemy transaction by taking SQLite's write lock."""
    # The store's units of work may have begun on the driver already.
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres(
    url: URL, lock_timeout: float, schema: str | None, echo: bool, options: dict[str, Any]
) -> Engine:
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername != "postgresql+psycopg":
        # The store sends its statements through psycopg 3 itself (pipelines, arrays).
        raise StorageError(
            f"the SQL store talks to PostgreSQL through psycopg 3 (postgresql+psycopg://), "
            f"not {url.drivername!r}"
        )
    # Server settings travel in libpq's "options"; keep any the URL already has.
    given = url.query.get("options")
    settings = [given] if isinstance(given, str) else list(given or ())
    settings.append(f"-c lock_timeout={round(lock_timeout * 1000)}")
    if schema is not None:
        # A plain name (checked above), quoted all the same.
        settings.append(f'-c search_path="{schema}"')
    connect_args = {"options": " ".join(settings), **options.pop("connect_args", {})}
    return sa.create_engine(
        url,
        echo=echo,
        json_serializer=dumps,
        isolation_level="READ COMMITTED",
        connect_args=connect_args,
        **options,
    )
