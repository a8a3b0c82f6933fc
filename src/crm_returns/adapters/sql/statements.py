"""Statements built once and run on the driver's own cursor: the store's hot path.

Every command of the service reads a return and writes a handful of rows.
Building a SQLAlchemy statement for each of those, and letting SQLAlchemy
find its compiled form and process each parameter, cost several times what
the database itself spends on them (``benchmarks/statement_cost.py``).  The
statements of that path are therefore written once, as functions making
SQLAlchemy Core constructs over a database's
:class:`~crm_returns.adapters.sql.schema.Tables` (so that the names, with the
database's prefix, and their quoting come from one place), compiled on first
use by each database that runs them (:class:`StatementTexts`, one per
:class:`~crm_returns.adapters.sql.SqlDatabase`), and run with the driver's
``cursor.execute``.

The price is that nothing converts their parameters: the repositories pass
values the driver takes as they are, through :class:`Binder` — decimals and
instants as text on SQLite (as :class:`~crm_returns.adapters.sql.types.ExactDecimal`
and :class:`~crm_returns.adapters.sql.types.Instant` keep them), as
themselves on PostgreSQL, and documents as their JSON text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import ClauseElement

from crm_returns.adapters.sql.errors import DocumentError
from crm_returns.adapters.sql.schema import Tables

__all__ = [
    "Binder",
    "Prepared",
    "StatementTexts",
    "as_text",
    "code_point_order",
    "dialect_insert",
    "ids_parameters",
    "ids_shape",
    "insert_row",
    "one_of",
    "param",
    "text_array",
]

#: How many statements made for a number of lines (:meth:`StatementTexts.shaped`)
#: a database keeps, with their texts.
_SHAPES_KEPT = 96


def param(name: str) -> sa.BindParameter[Any]:
    """A parameter of a prepared statement, typed as nothing: no processing happens."""
    return sa.bindparam(name, type_=sa.types.NullType())


def as_text(column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    """A document column read as the text it was written as (PostgreSQL would parse it)."""
    return sa.cast(column, sa.Text)


def dialect_insert(table: sa.Table, dialect: str) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` into ``table`` that can say what to do on a conflict, for ``dialect``."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def code_point_order(column: sa.ColumnElement[str], dialect: str) -> sa.ColumnElement[str]:
    """``column`` ordered by code point, as Python sorts strings, whatever the collation."""
    if dialect == "postgresql":
        return column.collate("C")
    return column  # SQLite's default collation, BINARY, already is


def text_array(name: str) -> sa.ColumnElement[Any]:
    """Parameter ``name``, a list of strings, as a PostgreSQL ``text[]``."""
    return sa.cast(param(name), postgresql.ARRAY(sa.Text))


def one_of(column: sa.ColumnElement[str], dialect: str, count: int) -> sa.ColumnElement[bool]:
    """``column`` is one of a set of ids: a condition an index on it can seek with.

    PostgreSQL takes the ids as one array parameter ``ids``, so that the
    statement is the same for any number of them; SQLite takes ``count``
    numbered parameters ``id0``, ``id1``, … in an ``IN`` list (see
    :func:`ids_parameters` and :func:`ids_shape`).
    """
    if dialect == "postgresql":
        return column == sa.any_(text_array("ids"))
    return column.in_([param(f"id{index}") for index in range(count)])


def ids_shape(arrays: bool, ids: Sequence[str]) -> int:
    """The ``count`` of a statement over ``ids`` (:func:`one_of`): 0 for an array, or how many."""
    return 0 if arrays else len(ids)


def ids_parameters(arrays: bool, ids: Sequence[str]) -> dict[str, Any]:
    """The parameters of :func:`one_of` for ``ids``: one array (PostgreSQL), or numbered."""
    if arrays:
        return {"ids": list(ids)}
    return {f"id{index}": value for index, value in enumerate(ids)}


class Prepared:
    """One statement, written once; each database compiles it over its tables on first use.

    Holds nothing that changes: the text compiled for a database is kept by
    that database's :class:`StatementTexts`.

    Args:
        build: Makes the statement, a Core construct whose parameters are
            :func:`param`, over a database's tables.  An ``INSERT`` should be
            ``.inline()``, so that PostgreSQL is not asked to return the keys
            it made.
    """

    __slots__ = ("_build",)

    def __init__(self, build: Callable[[Tables], ClauseElement]) -> None:
        self._build: Callable[[Tables, str], ClauseElement] = lambda tables, _: build(tables)

    @classmethod
    def per_dialect(cls, build: Callable[[Tables, str], ClauseElement]) -> Prepared:
        """A statement the databases need in different forms.

        Args:
            build: Makes it over a database's tables, for the name of its
                dialect (``"sqlite"``, ``"postgresql"``).
        """
        statement = cls.__new__(cls)
        statement._build = build
        return statement

    def compile(self, tables: Tables, dialect: Dialect) -> str:
        """The statement's text over ``tables``, for ``dialect``."""
        return str(self._build(tables, dialect.name).compile(dialect=dialect))


class StatementTexts:
    """The texts of prepared statements as one database runs them, compiled on first use.

    Each :class:`~crm_returns.adapters.sql.SqlDatabase` keeps its own, so that
    two databases share nothing.  Safe across threads: a dict's get and set
    are atomic, and what would be compiled twice comes out the same.

    Args:
        dialect: The database's dialect.
        tables: The database's tables.
    """

    def __init__(self, dialect: Dialect, tables: Tables) -> None:
        # SQLite statements are compiled with named parameters (``:name``), which
        # ``sqlite3`` takes from a dict as psycopg takes ``%(name)s``.
        self._dialect = sqlite.dialect(paramstyle="named") if dialect.name == "sqlite" else dialect
        #: The tables the statements are compiled over.
        self.tables = tables
        self._texts: dict[Prepared, str] = {}
        self._shapes: dict[tuple[Callable[[int], Prepared], int], Prepared] = {}
        self._lock = threading.Lock()

    def sql(self, statement: Prepared) -> str:
        """The text of ``statement``, with named parameters."""
        text = self._texts.get(statement)
        if text is None:
            text = self._texts[statement] = statement.compile(self.tables, self._dialect)
        return text

    def shaped(self, build: Callable[[int], Prepared], count: int) -> Prepared:
        """The statement ``build`` makes for ``count`` (a number of lines), made once.

        The most recent shapes are kept, with their texts; the oldest is
        dropped first.
        """
        key = (build, count)
        statement = self._shapes.get(key)
        if statement is None:
            statement = build(count)
            with self._lock:
                shapes = self._shapes
                while len(shapes) >= _SHAPES_KEPT:
                    self._texts.pop(shapes.pop(next(iter(shapes))), None)
                statement = shapes.setdefault(key, statement)
        return statement


class Binder:
    """Values as the driver of one database takes them, and back.

    SQLite has neither decimals nor times: an exact decimal is kept as its
    canonical text, an instant as fixed-width ISO 8601 text in UTC, whose
    text order is its time order.  PostgreSQL's driver takes both as they are.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.as_text = dialect.name == "sqlite"
        #: Whether the driver takes lists as arrays (PostgreSQL), for statements over
        #: any number of rows that do not change with it.
        self.arrays = dialect.name == "postgresql"
        # The last instant converted: a command stamps most rows with one moment.
        self._last: tuple[datetime | None, datetime | str] = (None, "")

    def exact(self, value: Decimal) -> Decimal | str:
        """A finite decimal for an exact column."""
        if not value.is_finite():
            raise DocumentError(f"an exact column takes a finite Decimal, not {value!r}")
        return str(value) if self.as_text else value

    def instant(self, value: datetime) -> datetime | str:
        """A timezone-aware moment for an instant column, in UTC."""
        last, converted = self._last
        if value is last:
            return converted
        if value.utcoffset() is None:
            raise DocumentError(f"an instant column takes a timezone-aware time, not {value!r}")
        utc = value.astimezone(UTC)
        converted = utc.isoformat(timespec="microseconds") if self.as_text else utc
        self._last = (value, converted)
        return converted

    @staticmethod
    def decimal(value: Any) -> Decimal:
        """An exact column's value as read: text on SQLite, a Decimal on PostgreSQL."""
        return value if isinstance(value, Decimal) else Decimal(value)


def insert_row(table: Callable[[Tables], sa.Table], *columns: str) -> Prepared:
    """An ``INSERT`` of one row of ``columns``, each a parameter of the same name.

    Args:
        table: Picks the table from a database's tables (``lambda t: t.outbox``).
        *columns: The columns given.
    """
    return Prepared(
        lambda tables: (
            sa.insert(table(tables)).values({name: param(name) for name in columns}).inline()
        )
    )
