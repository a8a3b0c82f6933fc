"""Prepared statements on the driver's cursor, and PostgreSQL's pipeline of deferred ones.

A :class:`~crm_returns.adapters.sql.transaction.Transaction` keeps the
statements whose outcome a command does not wait for (audit entries, outbox
messages, ledger rows) and the row locks taken ahead of the read they protect
as :class:`Deferred` records.  On PostgreSQL, when nobody watches statements,
:func:`in_pipeline` sends them with the next statement, or with the
``COMMIT``, in one psycopg pipeline: one round trip instead of one each.

The functions here speak to the driver's own connection and cursors and let
the driver's errors through: the transaction ends itself and raises them as
ours.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from crm_returns.adapters.sql.statements import Prepared

__all__ = ["Deferred", "Parameters", "in_pipeline", "outcome", "send"]

#: Parameters of one statement, or of an ``executemany``.
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]


class Deferred(NamedTuple):
    """A statement waiting for the next one, or for the commit.

    A named tuple rather than an attrs class: several are made in every unit
    of work, and a tuple is made in C.
    """

    statement: Prepared
    parameters: Parameters
    subject: str
    on_rows: Callable[[list[tuple[Any, ...]]], None] | None


def send(cursor: Any, sql: str, parameters: Parameters) -> None:
    """Run ``sql`` on the driver's ``cursor``: once, or once for each of a list of parameters."""
    # A dict is told apart without the Mapping ABC's slower isinstance check.
    if type(parameters) is dict or isinstance(parameters, Mapping):
        cursor.execute(sql, parameters)
    else:
        cursor.executemany(sql, parameters)


def outcome(cursor: Any) -> tuple[list[tuple[Any, ...]], int]:
    """The rows of the statement ``cursor`` ran (none if it returns none), and its row count."""
    rows: list[tuple[Any, ...]] = cursor.fetchall() if cursor.description is not None else []
    return rows, cursor.rowcount


def in_pipeline(
    driver: Any,
    writer: Any,
    sql: Callable[[Prepared], str],
    deferred: Sequence[Deferred],
    statement: Prepared | None,
    parameters: Parameters,
    commit: bool = True,
) -> tuple[list[tuple[Any, ...]], int]:
    """PostgreSQL: send ``deferred`` and ``statement`` at once, wait once.

    Without ``statement``, ``COMMIT`` goes last (if ``commit``: in the host's
    transaction nothing does).  Each deferred statement with ``on_rows`` gets
    its rows, in order.

    Args:
        driver: The psycopg connection, in the transaction.
        writer: The transaction's cursor, for the deferred statements whose rows
            nobody reads; the others, and ``statement``, get cursors of their
            own, closed before this returns.
        sql: The text of a statement, as the database runs it.
        deferred: The statements to send first, in order.
        statement: The statement to send last, or ``None`` for ``COMMIT``.
        parameters: ``statement``'s parameters.
        commit: Without ``statement``, whether ``COMMIT`` goes last.

    Returns:
        The rows and row count of ``statement`` (none and 0 for ``COMMIT``).
    """
    readers = [driver.cursor() if item.on_rows else writer for item in deferred]
    last = driver.cursor()
    try:
        with driver.pipeline():
            for cursor, item in zip(readers, deferred, strict=True):
                send(cursor, sql(item.statement), item.parameters)
            if statement is None:
                if commit:
                    driver.commit()
            else:
                send(last, sql(statement), parameters)
        for cursor, item in zip(readers, deferred, strict=True):
            if item.on_rows is not None:
                item.on_rows(list(cursor.fetchall()))
        if statement is None:
            return [], 0
        return outcome(last)
    finally:
        for cursor in {id(c): c for c in (*readers, last) if c is not writer}.values():
            cursor.close()
