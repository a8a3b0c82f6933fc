"""Wiring: functions that build a service from the host's orders and one settings value.

Nothing is built at import time; each call makes a new service.  Every
optional part (clock, ids, time zone, policies, formats) is a field of
:class:`~crm_returns.ServiceSettings`, so both functions take the same ones.
"""

from __future__ import annotations

from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.errors import InvalidInput, StorageError
from crm_returns.ports import OrderSource
from crm_returns.service.service import ReturnsService
from crm_returns.service.settings import ServiceSettings
from crm_returns.service.sql_types import URL, Engine

__all__ = ["DEFAULT_DATABASE_URL", "in_memory_service", "sql_service"]

#: Where :func:`sql_service` keeps returns when no URL is given: a SQLite file.
DEFAULT_DATABASE_URL = "sqlite:///crm-returns.sqlite3"


def in_memory_service(
    orders: OrderSource,
    settings: ServiceSettings | None = None,
    *,
    database: MemoryDatabase | None = None,
) -> ReturnsService:
    """A service keeping returns in memory, over the host's ``orders``.

    Args:
        orders: The host's delivered order lines.
        settings: Every optional part; the defaults of :class:`ServiceSettings`
            (system clock, random ids, no approval steps, default reasons, ...)
            when not given.
        database: Where returns live; a new, empty one when not given.  Pass
            the same one to several services to let them share returns.
    """
    database = MemoryDatabase() if database is None else database
    return ReturnsService(orders, database.unit_of_work, settings)


def sql_service(
    orders: OrderSource,
    url: str | URL | Engine = DEFAULT_DATABASE_URL,
    settings: ServiceSettings | None = None,
    *,
    migrate: bool = True,
    schema: str | None = None,
    table_prefix: str = "crm_returns_",
) -> ReturnsService:
    """A service keeping returns in a SQL database (needs the ``sql`` extra).

    The service holds a connection pool: close it when done, or use it as a
    context manager (``with sql_service(orders, url) as service: ...``).
    Given the host's own engine, it shares the host's pool instead, which
    closing the service leaves open, and it can run commands in the host's
    transactions (:meth:`~crm_returns.ReturnsService.in_transaction`).

    Args:
        orders: The host's delivered order lines.
        url: A SQLAlchemy URL: ``sqlite:///path.db`` (the default, a file in the
            working directory) for one process, or
            ``postgresql+psycopg://user@host/db`` (extra ``postgres``) for several
            application instances sharing one database.  Or the host's
            SQLAlchemy ``Engine`` (SQLite, or PostgreSQL through psycopg 3): on
            SQLite its transactions then begin with ``BEGIN IMMEDIATE`` and
            enforce foreign keys, the host's own included (see
            ``docs/persistence.md``).
        settings: Every optional part; the defaults of :class:`ServiceSettings`
            when not given.
        migrate: Apply the packaged migrations first (idempotent; any number
            of instances may start at once, they take turns).  With
            ``False`` — the choice when migrations are a release step
            (``crm-returns db upgrade``) — the tables are only checked.
        schema: PostgreSQL only: keep the library's tables in this schema (it
            must exist; ``CREATE SCHEMA crm_returns``), away from the host's own
            tables.  SQLite has no schemas: give the library a file of its own.
            With the host's engine, its ``search_path`` says where they are.
        table_prefix: What the name of every table of the library starts with
            (``crm_returns_returns``, ``crm_returns_outbox``, ...): lower-case
            letters, digits and ``_``.

    Raises:
        InvalidInput: ``url`` is neither a URL nor an engine, or
            ``table_prefix`` or ``schema`` is not a plain SQL name.
        SchemaMismatch: The tables are older than this version of the package
            needs (with ``migrate=False``), or newer (made by a newer version).
        StorageError: The database cannot be reached, the URL or the engine is
            not supported, a schema is given for SQLite or with an engine, or
            tables of the host have the names the library's would have.
    """
    import sqlalchemy  # the sql extra, only when asked for

    from crm_returns.adapters.sql import SqlDatabase

    if isinstance(url, sqlalchemy.Engine):
        if schema is not None:
            raise StorageError(
                "with your own engine, name the schema in its search_path, not in schema="
            )
        # The host disposes of its engine.
        database, on_close = SqlDatabase.sharing(url, table_prefix=table_prefix), None
    elif isinstance(url, str | sqlalchemy.URL):
        database = SqlDatabase.connect(url, schema=schema, table_prefix=table_prefix)
        on_close = database.dispose
    else:
        raise InvalidInput(f"url is a database URL or an Engine, got {type(url).__name__}")
    try:
        if migrate:
            database.upgrade()
        else:
            database.check_revision()
        return ReturnsService(
            orders,
            database.unit_of_work,
            settings,
            on_close=on_close,
            join_transaction=database.in_transaction,
        )
    except BaseException:
        if on_close is not None:
            on_close()
        raise
