"""The statements of :class:`~crm_returns.adapters.sql.returns.SqlReturns`, built once.

Each is a :class:`~crm_returns.adapters.sql.statements.Prepared` over the
tables of :mod:`~crm_returns.adapters.sql.schema`.  Statements over a set of
order lines come in two forms: on PostgreSQL one statement takes the lines as
arrays, whatever their number; on SQLite one statement per number of lines
takes them as numbered parameters.  Those are made by the functions here and
kept by each database (:meth:`~crm_returns.adapters.sql.statements.StatementTexts.shaped`),
the most recent shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.expression import ClauseElement

from crm_returns.adapters.sql.schema import line_claims, return_lines, returns
from crm_returns.adapters.sql.statements import (
    Prepared,
    as_text,
    code_point_order,
    dialect_insert,
    param,
)
from crm_returns.domain.orders import LineRef


def this_return(table: sa.Table, id_column: str = "return_id") -> sa.ColumnElement[bool]:
    """``table``'s rows of one return: parameters ``tenant_id`` and ``id``."""
    return sa.and_(table.c.tenant_id == param("tenant_id"), table.c[id_column] == param("id"))


RETURN_COLUMNS = (
    "number",
    "customer_id",
    "status",
    "created_at",
    "updated_at",
    "version",
    "document",
)

BY_ID = Prepared(sa.select(as_text(returns.c.document)).where(this_return(returns, "id")))
BY_NUMBER = Prepared(
    sa.select(as_text(returns.c.document)).where(
        returns.c.tenant_id == param("tenant_id"), returns.c.number == param("number")
    )
)
VERSION = Prepared(sa.select(returns.c.version).where(this_return(returns, "id")))


def insert_unless_taken(table: sa.Table, dialect: str, columns: Iterable[str]) -> ClauseElement:
    """An ``INSERT`` of one row that does nothing when a unique key is taken."""
    insert = dialect_insert(table, dialect)
    return insert.values({name: param(name) for name in columns}).on_conflict_do_nothing().inline()


INSERT = Prepared(
    lambda dialect: insert_unless_taken(returns, dialect, ("tenant_id", "id", *RETURN_COLUMNS))
)
#: What a command changes of a return's row.  The other columns (number,
#: customer, creation time) never change, and an ``UPDATE`` that leaves them out
#: leaves their indexes alone: fewer pages written, and on PostgreSQL an update
#: that can stay on the row's page (HOT).
STATE_COLUMNS = ("status", "updated_at", "version", "document")


def _update(columns: Sequence[str], *, if_unchanged: bool) -> Prepared:
    """``UPDATE returns`` of ``columns`` at the expected version.

    With ``if_unchanged`` (PostgreSQL, when the return's lines are taken from
    the document read earlier in the unit of work), only if the stored
    document is still that very text (parameter ``read_as``): another writer
    might have replaced it without raising the version.
    """
    where = [this_return(returns, "id"), returns.c.version == param("expected_version")]
    if if_unchanged:
        where.append(as_text(returns.c.document) == param("read_as"))
    return Prepared(
        sa.update(returns).where(*where).values({name: param(name) for name in columns})
    )


UPDATE = _update(RETURN_COLUMNS, if_unchanged=False)
UPDATE_IF_UNCHANGED = _update(RETURN_COLUMNS, if_unchanged=True)
UPDATE_STATE = _update(STATE_COLUMNS, if_unchanged=False)
UPDATE_STATE_IF_UNCHANGED = _update(STATE_COLUMNS, if_unchanged=True)
LINES = Prepared(
    sa.select(
        return_lines.c.order_number,
        return_lines.c.line_id,
        return_lines.c.reason_code,
        return_lines.c.claimed,
        return_lines.c.refunded_units,
    ).where(this_return(return_lines))
)
DELETE_LINES = Prepared(sa.delete(return_lines).where(this_return(return_lines)))
#: The units a line claims and the units refunded, which change as the return
#: moves on; its other columns (the reason) stay, and so do their indexes.
SET_LINE = Prepared(
    sa.update(return_lines)
    .where(
        this_return(return_lines),
        return_lines.c.order_number == param("order_number"),
        return_lines.c.line_id == param("line_id"),
    )
    .values(claimed=param("claimed"), refunded_units=param("refunded_units"))
)
INSERT_LINES = Prepared(
    sa.insert(return_lines)
    .values(
        {
            name: param(name)
            for name in (
                "tenant_id",
                "return_id",
                "order_number",
                "line_id",
                "reason_code",
                "claimed",
                "refunded_units",
            )
        }
    )
    .inline()
)


#: PostgreSQL: the first claim rows of a set of lines, from arrays (see ``of_lines``).
NEW_CLAIMS_FROM_ARRAYS = Prepared(
    sa.text(
        "INSERT INTO line_claims (tenant_id, order_number, line_id, delivered, claimed) "
        "SELECT :tenant_id, u.o, u.l, u.d, u.c FROM unnest(CAST(:orders AS text[]), "
        "CAST(:lines AS text[]), CAST(:delivered AS numeric[]), CAST(:claimed AS numeric[])) "
        "AS u(o, l, d, c) "
        "ON CONFLICT DO NOTHING RETURNING line_claims.order_number, line_claims.line_id"
    )
)


def new_claims(count: int) -> Prepared:
    """SQLite: claim rows for ``count`` lines that have none; the keys of the rows inserted.

    Parameters: ``tenant_id``, and ``o<i>``, ``l<i>``, ``d<i>`` (delivered), ``c<i>`` (claimed).
    """
    rows = [
        {
            "tenant_id": param("tenant_id"),
            "order_number": param(f"o{index}"),
            "line_id": param(f"l{index}"),
            "delivered": param(f"d{index}"),
            "claimed": param(f"c{index}"),
        }
        for index in range(count)
    ]
    return Prepared(
        sqlite.insert(line_claims)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(line_claims.c.order_number, line_claims.c.line_id)
    )


SET_CLAIMS = Prepared(
    sa.update(line_claims)
    .where(
        line_claims.c.tenant_id == param("tenant_id"),
        line_claims.c.order_number == param("order_number"),
        line_claims.c.line_id == param("line_id"),
    )
    .values(delivered=param("delivered"), claimed=param("claimed"))
)


def of_lines(table: sa.Table, dialect: str, count: int) -> sa.ColumnElement[bool]:
    """``table``'s rows of the tenant for a set of order lines.

    PostgreSQL takes the lines as two arrays, ``orders`` and ``lines``, so that
    the statement is the same for any number of lines (a thousand lines as
    numbered parameters cost psycopg and the planner a tenth of a second).
    SQLite takes ``count`` numbered parameters ``o<i>``, ``l<i>``: the pairs
    say which rows, and the two ``IN`` lists lead its planner to the
    order-line index.
    """
    name = table.name
    if dialect == "postgresql":
        return sa.and_(
            table.c.tenant_id == param("tenant_id"),
            # ANY lists the planner searches the order-line index with, as IN lists.
            sa.text(f"{name}.order_number = ANY(CAST(:orders AS text[]))"),
            sa.text(f"{name}.line_id = ANY(CAST(:lines AS text[]))"),
            sa.text(
                f"({name}.order_number, {name}.line_id) IN (SELECT * FROM "  # noqa: S608 - a table of ours
                "unnest(CAST(:orders AS text[]), CAST(:lines AS text[])))"
            ),
        )
    pairs = ", ".join(f"(:o{index}, :l{index})" for index in range(count))
    return sa.and_(
        table.c.tenant_id == param("tenant_id"),
        table.c.order_number.in_([param(f"o{index}") for index in range(count)]),
        table.c.line_id.in_([param(f"l{index}") for index in range(count)]),
        # A row value in a list of them (SQLAlchemy would make this one expanding parameter).
        sa.text(f"({name}.order_number, {name}.line_id) IN ({pairs})"),
    )


def shape_of(arrays: bool, refs: Sequence[LineRef]) -> int:
    """The ``count`` of a statement over ``refs``: 0 (arrays, any number of lines), or how many."""
    return 0 if arrays else len(refs)


def line_parameters(arrays: bool, tenant_id: str, refs: Sequence[LineRef]) -> dict[str, Any]:
    """The parameters of ``of_lines`` for ``refs``: as arrays (PostgreSQL), or numbered."""
    if arrays:
        return {
            "tenant_id": tenant_id,
            "orders": [ref.order_number for ref in refs],
            "lines": [ref.line_id for ref in refs],
        }
    parameters = {"tenant_id": tenant_id}
    for index, ref in enumerate(refs):
        parameters[f"o{index}"] = ref.order_number
        parameters[f"l{index}"] = ref.line_id
    return parameters


def returns_of_lines(count: int) -> Prepared:
    """The documents of the returns with a line among ``count`` order lines (0: arrays)."""

    def build(dialect: str) -> ClauseElement:
        matching = sa.select(return_lines.c.return_id).where(of_lines(return_lines, dialect, count))
        return sa.select(as_text(returns.c.document)).where(
            returns.c.tenant_id == param("tenant_id"), returns.c.id.in_(matching)
        )

    return Prepared(build)


def claims_of_lines(count: int) -> Prepared:
    """The claim rows of ``count`` order lines (0: arrays), locked, in code-point order."""

    def build(dialect: str) -> ClauseElement:
        return (
            sa.select(
                line_claims.c.order_number,
                line_claims.c.line_id,
                line_claims.c.delivered,
                line_claims.c.claimed,
            )
            .where(of_lines(line_claims, dialect, count))
            # One order for every transaction (Python's, as new rows are inserted
            # in), so that two of them never wait for each other's rows.
            .order_by(
                code_point_order(line_claims.c.order_number, dialect),
                code_point_order(line_claims.c.line_id, dialect),
            )
            .with_for_update()
        )

    return Prepared(build)
