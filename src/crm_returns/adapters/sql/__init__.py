"""The SQL store: SQLite (a file, the default) and PostgreSQL, through SQLAlchemy 2.

Needs the ``sql`` extra (and ``postgres`` for PostgreSQL)::

    import crm_returns as cr
    from crm_returns.adapters.sql import SqlDatabase

    database = SqlDatabase.connect("sqlite:///returns.db")  # table_prefix="crm_returns_"
    database.upgrade()  # apply the packaged migrations, under a lock
    service = cr.ReturnsService(orders, database.unit_of_work, on_close=database.dispose)

(:func:`crm_returns.sql_service` does exactly this.)

Every table's name starts with a prefix, ``crm_returns_`` unless told
otherwise (``table_prefix=``), so that the library's tables live beside a
host's own; on PostgreSQL they can also have a schema of their own
(``schema=``).  A database whose tables are not at the package's revision is
refused with :class:`SchemaMismatch` unless it is migrated.

Every storage port has a repository here; a unit of work is one database
transaction.  Driver errors never leak: a taken key or a lost race is a
:class:`~crm_returns.errors.ConcurrencyConflict`, a breach of the
over-return check an :class:`~crm_returns.errors.OverReturn`, and anything
else a :class:`StorageError`.
"""

from __future__ import annotations

from crm_returns.adapters.sql.engine import create_engine
from crm_returns.adapters.sql.errors import DocumentError, SchemaMismatch, StorageError
from crm_returns.adapters.sql.migrate import (
    Revisions,
    check_revision,
    current_revision,
    head_revision,
    revisions,
    upgrade,
)
from crm_returns.adapters.sql.returns import SqlReturns
from crm_returns.adapters.sql.schema import DEFAULT_TABLE_PREFIX, Tables
from crm_returns.adapters.sql.store import SqlDatabase, SqlUnitOfWork, sql_unit_of_work_factory

__all__ = [
    "DEFAULT_TABLE_PREFIX",
    "DocumentError",
    "Revisions",
    "SchemaMismatch",
    "SqlDatabase",
    "SqlReturns",
    "SqlUnitOfWork",
    "StorageError",
    "Tables",
    "check_revision",
    "create_engine",
    "current_revision",
    "head_revision",
    "revisions",
    "sql_unit_of_work_factory",
    "upgrade",
]
