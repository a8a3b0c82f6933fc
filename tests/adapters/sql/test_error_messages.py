"""What the database says reaches a person without the SQL it ran.

SQLAlchemy's text of an error quotes the statement and its parameters, and
PostgreSQL adds ``LINE 1: INSERT ...``; a ``StorageError`` says what went wrong
in the database's words only, and keeps the driver's error as its cause.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
import sqlalchemy as sa
import sqlalchemy.exc

from crm_returns import LineRef, ReturnRequest
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.errors import described, translate
from crm_returns.domain.returns.lines import RequestedLine
from crm_returns.errors import StorageError
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import sample_wiring

#: What a statement or its parameters look like in a message.
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|VALUES)\b|\[SQL|\[parameters|LINE \d")


def test_a_driver_error_is_described_in_its_own_words_without_the_statement() -> None:
    error = sqlalchemy.exc.DBAPIError.instance(
        "SELECT secret FROM returns WHERE id = ?",
        ("id-1",),
        sqlite3.OperationalError("no such table: returns"),
        sqlite3.Error,
    )
    assert "SELECT secret" in str(error)  # what SQLAlchemy would have shown
    assert described(error) == "no such table: returns"
    translated = translate(error, "return id-1")
    assert isinstance(translated, StorageError)
    assert str(translated) == "the database failed on return id-1: no such table: returns"


def test_an_error_in_binding_a_parameter_names_its_kind_not_the_statement() -> None:
    error = sqlalchemy.exc.StatementError(
        "bad value", "INSERT INTO returns VALUES (?)", ("x",), orig=None
    )
    assert not SQL.search(described(error))


def test_a_failing_statement_raises_storage_error_without_sql(database: SqlDatabase) -> None:
    """The outbox is gone: the command fails in the database, and says so plainly."""
    with database.engine.begin() as connection:
        database.tables.outbox.drop(connection)
    wiring = sample_wiring(unit_of_work=database.unit_of_work)
    request = ReturnRequest((RequestedLine(LineRef("SO-1001", "1"), 1, "other"),))
    with pytest.raises(StorageError) as failed:
        wiring.service.create_return(wiring.clerk, request)
    message = str(failed.value)
    assert "outbox" in message
    assert not SQL.search(message), message
    assert isinstance(failed.value.__cause__, sa.exc.SQLAlchemyError)
    assert SAMPLE_TENANT not in message  # no parameters either
