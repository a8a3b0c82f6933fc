"""The SQL store: SQLite (a file, the default) and PostgreSQL, through SQLAlchemy 2.

Needs the ``sql`` extra (and ``postgres`` for PostgreSQL)::

    import crm_returns as cr
    from crm_returns.adapters.sql import SqlDatabase

    database = SqlDatabase.connect("sqlite:///returns.db")
    database.upgrade()  # apply the packaged migrations
    service = cr.ReturnsService(orders, database.unit_of_work, on_close=database.dispose)

(:func:`crm_returns.sql_service` does exactly this.)

Every storage port has a repository here; a unit of work is one database
transaction.  Driver errors never leak: a taken key or a lost race is a
:class:`~crm_returns.errors.ConcurrencyConflict`, a breach of the
over-return check an :class:`~crm_returns.errors.OverReturn`, and anything
else a :class:`StorageError`.
"""

from __future__ import annotations

from crm_returns.adapters.sql.engine import create_engine
from crm_returns.adapters.sql.errors import DocumentError, StorageError
from crm_returns.adapters.sql.migrate import current_revision, upgrade
from crm_returns.adapters.sql.returns import SqlReturns
from crm_returns.adapters.sql.schema import metadata
from crm_returns.adapters.sql.store import SqlDatabase, SqlUnitOfWork, sql_unit_of_work_factory

__all__ = [
    "DocumentError",
    "SqlDatabase",
    "SqlReturns",
    "SqlUnitOfWork",
    "StorageError",
    "create_engine",
    "current_revision",
    "metadata",
    "sql_unit_of_work_factory",
    "upgrade",
]
