"""Reading exports back, independently of the writer, and what they must hold.

The readers parse each cell by its column's type with the standard library
only; ``exact`` turns a row into values compared digit for digit: decimals by
sign, digits and exponent (``100.00`` is not ``100``), moments by instant and
offset (so a moment written in another zone than UTC does not pass).
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from typing_extensions import Buffer

from crm_returns.analytics.columns import Column, ColumnType

Row = dict[str, object]
T = TypeVar("T")


class Sink(io.BytesIO):
    """A binary file that notes, at each write, how far ``counted`` rows were pulled."""

    def __init__(self) -> None:
        super().__init__()
        self.pulled = 0
        self.pulled_at_writes: list[int] = []

    def write(self, data: Buffer, /) -> int:
        self.pulled_at_writes.append(self.pulled)
        return super().write(data)

    def counted(self, rows: Iterable[T]) -> Iterator[T]:
        """``rows``, one at a time, counting in ``pulled`` how many were taken."""
        for row in rows:
            self.pulled += 1
            yield row


def expected(row: object, columns: Sequence[Column]) -> Row:
    """What an export of ``row`` must hold: enumerations as their value, moments in UTC."""
    values: Row = {}
    for column in columns:
        value = getattr(row, column.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, datetime):
            value = value.astimezone(UTC)
        values[column.name] = value
    return values


def _parsed(text: str | None, column: Column) -> object:
    if text is None:
        return None
    if column.type is ColumnType.DECIMAL:
        return Decimal(text)
    if column.type is ColumnType.TIMESTAMP:
        return datetime.fromisoformat(text)
    if column.type is ColumnType.INTEGER:
        return int(text)
    return text


def read_csv(data: bytes, columns: Sequence[Column]) -> list[Row]:
    """The rows of a CSV export (after any byte order mark); empty is ``None`` where allowed."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(reader)
    assert header == [column.name for column in columns]
    return [
        {
            column.name: _parsed(None if text == "" and column.nullable else text, column)
            for column, text in zip(columns, line, strict=True)
        }
        for line in reader
    ]


def read_jsonl(data: bytes, columns: Sequence[Column]) -> list[Row]:
    """The rows of a JSON Lines export; each line must hold every column, in order."""
    rows = []
    for line in data.split(b"\n")[:-1]:  # every line ends with \n, the last too
        assert b"\r" not in line
        record = json.loads(line.decode())
        assert list(record) == [column.name for column in columns]
        for column in columns:
            if column.type is ColumnType.DECIMAL and record[column.name] is not None:
                assert isinstance(record[column.name], str), "decimals are strings in JSON"
        rows.append({column.name: _parsed_json(record[column.name], column) for column in columns})
    return rows


def _parsed_json(value: object, column: Column) -> object:
    if isinstance(value, str) and column.type is not ColumnType.TEXT:
        return _parsed(value, column)
    return value


def _exact(value: object) -> object:
    if isinstance(value, Decimal):
        return ("decimal", value.as_tuple())
    if isinstance(value, datetime):
        return ("moment", value, value.utcoffset())
    return value


def exact(rows: Sequence[Row]) -> list[dict[str, object]]:
    """``rows`` with decimals as (sign, digits, exponent) and moments with their offset."""
    return [{name: _exact(value) for name, value in row.items()} for row in rows]
