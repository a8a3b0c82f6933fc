"""The statements of :class:`~crm_returns.adapters.sql.returns.SqlReturns`, built once.

Each is a :class:`~crm_returns.adapters.sql.statements.Prepared` over a
database's :class:`~crm_returns.adapters.sql.schema.Tables`.  Statements over
a set of order lines come in two forms: on PostgreSQL one statement takes the
lines as arrays, whatever their number; on SQLite one statement per number of
lines takes them as numbered parameters.  Those are made by the functions here
and kept by each database
(:meth:`~crm_returns.adapters.sql.statements.StatementTexts.shaped`), the most
recent shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import ClauseElement

from crm_returns.adapters.sql.schema import Tables
from crm_returns.adapters.sql.statements import (
    Prepared,
    as_text,
    code_point_order,
    dialect_insert,
    one_of,
    param,
    text_array,
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

BY_ID = Prepared(
    lambda t: sa.select(as_text(t.returns.c.document)).where(this_return(t.returns, "id"))
)
BY_NUMBER = Prepared(
    lambda t: sa.select(as_text(t.returns.c.document)).where(
        t.returns.c.tenant_id == param("tenant_id"), t.returns.c.number == param("number")
    )
)


def returns_by_ids(count: int) -> Prepared:
    """The documents of the tenant's returns among ``count`` ids (0: an array), by primary key."""

    def build(t: Tables, dialect: str) -> ClauseElement:
        returns = t.returns.c
        return sa.select(as_text(returns.document)).where(
            returns.tenant_id == param("tenant_id"), one_of(returns.id, dialect, count)
        )

    return Prepared.per_dialect(build)


VERSION = Prepared(lambda t: sa.select(t.returns.c.version).where(this_return(t.returns, "id")))


def insert_unless_taken(table: sa.Table, dialect: str, columns: Iterable[str]) -> ClauseElement:
    """An ``INSERT`` of one row that does nothing when a unique key is taken."""
    insert = dialect_insert(table, dialect)
    return insert.values({name: param(name) for name in columns}).on_conflict_do_nothing().inline()


INSERT = Prepared.per_dialect(
    lambda t, dialect: insert_unless_taken(t.returns, dialect, ("tenant_id", "id", *RETURN_COLUMNS))
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

    def build(t: Tables) -> ClauseElement:
        where = [this_return(t.returns, "id"), t.returns.c.version == param("expected_version")]
        if if_unchanged:
            where.append(as_text(t.returns.c.document) == param("read_as"))
        return sa.update(t.returns).where(*where).values({name: param(name) for name in columns})

    return Prepared(build)


UPDATE = _update(RETURN_COLUMNS, if_unchanged=False)
UPDATE_IF_UNCHANGED = _update(RETURN_COLUMNS, if_unchanged=True)
UPDATE_STATE = _update(STATE_COLUMNS, if_unchanged=False)
UPDATE_STATE_IF_UNCHANGED = _update(STATE_COLUMNS, if_unchanged=True)
LINES = Prepared(
    lambda t: sa.select(
        t.return_lines.c.order_number,
        t.return_lines.c.line_id,
        t.return_lines.c.reason_code,
        t.return_lines.c.claimed,
        t.return_lines.c.refunded_units,
    ).where(this_return(t.return_lines))
)
DELETE_LINES = Prepared(lambda t: sa.delete(t.return_lines).where(this_return(t.return_lines)))
#: The units a line claims and the units refunded, which change as the return
#: moves on; its other columns (the reason) stay, and so do their indexes.
SET_LINE = Prepared(
    lambda t: (
        sa.update(t.return_lines)
        .where(
            this_return(t.return_lines),
            t.return_lines.c.order_number == param("order_number"),
            t.return_lines.c.line_id == param("line_id"),
        )
        .values(claimed=param("claimed"), refunded_units=param("refunded_units"))
    )
)
_LINE_COLUMNS = (
    "tenant_id",
    "return_id",
    "order_number",
    "line_id",
    "reason_code",
    "claimed",
    "refunded_units",
)
INSERT_LINES = Prepared(
    lambda t: (
        sa.insert(t.return_lines).values({name: param(name) for name in _LINE_COLUMNS}).inline()
    )
)


def _new_claims_from_arrays(t: Tables) -> ClauseElement:
    given = (
        sa.func.unnest(
            text_array("orders"),
            text_array("lines"),
            sa.cast(param("delivered"), postgresql.ARRAY(sa.Numeric)),
            sa.cast(param("claimed"), postgresql.ARRAY(sa.Numeric)),
        )
        .table_valued("o", "l", "d", "c")
        .render_derived(name="u")
    )
    claims = t.line_claims
    return (
        postgresql.insert(claims)
        .from_select(
            ["tenant_id", "order_number", "line_id", "delivered", "claimed"],
            sa.select(param("tenant_id"), given.c.o, given.c.l, given.c.d, given.c.c),
        )
        .on_conflict_do_nothing()
        .returning(claims.c.order_number, claims.c.line_id)
    )


#: PostgreSQL: the first claim rows of a set of lines, from arrays (see ``of_lines``);
#: the keys of the rows inserted.
NEW_CLAIMS_FROM_ARRAYS = Prepared(_new_claims_from_arrays)


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
        lambda t: (
            sqlite.insert(t.line_claims)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(t.line_claims.c.order_number, t.line_claims.c.line_id)
        )
    )


SET_CLAIMS = Prepared(
    lambda t: (
        sa.update(t.line_claims)
        .where(
            t.line_claims.c.tenant_id == param("tenant_id"),
            t.line_claims.c.order_number == param("order_number"),
            t.line_claims.c.line_id == param("line_id"),
        )
        .values(delivered=param("delivered"), claimed=param("claimed"))
    )
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
    line = sa.tuple_(table.c.order_number, table.c.line_id)
    if dialect == "postgresql":
        orders, lines = text_array("orders"), text_array("lines")
        return sa.and_(
            table.c.tenant_id == param("tenant_id"),
            # ANY lists the planner searches the order-line index with, as IN lists.
            table.c.order_number == sa.any_(orders),
            table.c.line_id == sa.any_(lines),
            line.in_(sa.select(sa.text("*")).select_from(sa.func.unnest(orders, lines))),
        )
    return sa.and_(
        table.c.tenant_id == param("tenant_id"),
        table.c.order_number.in_([param(f"o{index}") for index in range(count)]),
        table.c.line_id.in_([param(f"l{index}") for index in range(count)]),
        # A row value in a list of them, each pair of parameters written out.
        line.in_([sa.tuple_(param(f"o{index}"), param(f"l{index}")) for index in range(count)]),
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

    def build(t: Tables, dialect: str) -> ClauseElement:
        lines = t.return_lines
        matching = sa.select(lines.c.return_id).where(of_lines(lines, dialect, count))
        return sa.select(as_text(t.returns.c.document)).where(
            t.returns.c.tenant_id == param("tenant_id"), t.returns.c.id.in_(matching)
        )

    return Prepared.per_dialect(build)


def claims_of_lines(count: int) -> Prepared:
    """The claim rows of ``count`` order lines (0: arrays), locked, in code-point order."""

    def build(t: Tables, dialect: str) -> ClauseElement:
        claims = t.line_claims
        return (
            sa.select(claims.c.order_number, claims.c.line_id, claims.c.delivered, claims.c.claimed)
            .where(of_lines(claims, dialect, count))
            # One order for every transaction (Python's, as new rows are inserted
            # in), so that two of them never wait for each other's rows.
            .order_by(
                code_point_order(claims.c.order_number, dialect),
                code_point_order(claims.c.line_id, dialect),
            )
            .with_for_update()
        )

    return Prepared.per_dialect(build)
