"""Rows of plain values export under the columns given, checked as facts are, in every format."""

from __future__ import annotations

import enum
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.analytics.columns import Column, ColumnType
from crm_returns.analytics.exports import ExportFormat, export_table
from crm_returns.errors import InvalidInput


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


COLUMNS = (
    Column(name="reason", type=ColumnType.TEXT, nullable=False, description="R.", source=str),
    Column(name="lines", type=ColumnType.INTEGER, nullable=False, description="L.", source=int),
    Column(name="share", type=ColumnType.DECIMAL, nullable=True, description="S.", source=Decimal),
    Column(name="colour", type=ColumnType.TEXT, nullable=False, description="C.", source=Colour),
)
ROWS = [
    ("quality_defect", 2, Decimal("0.666667"), Colour.RED),
    ("运输损坏", 1, None, Colour.BLUE),
]


def _export(rows: Any, fmt: ExportFormat | str, **options: Any) -> bytes:
    sink = io.BytesIO()
    export_table(rows, sink, fmt, columns=COLUMNS, **options)
    return sink.getvalue()


def test_a_table_is_written_as_csv_with_its_header_and_plain_values() -> None:
    written = _export(ROWS, "csv", bom=True)

    assert written.decode("utf-8-sig").splitlines() == [
        "reason,lines,share,colour",
        "quality_defect,2,0.666667,red",
        "运输损坏,1,,blue",
    ]
    assert written.startswith(b"\xef\xbb\xbf")


def test_a_table_is_written_as_json_lines_with_decimals_as_strings_and_null() -> None:
    lines = _export(ROWS, ExportFormat.JSONL).decode().splitlines()

    assert [json.loads(line) for line in lines] == [
        {"reason": "quality_defect", "lines": 2, "share": "0.666667", "colour": "red"},
        {"reason": "运输损坏", "lines": 1, "share": None, "colour": "blue"},
    ]


def test_a_table_is_written_as_parquet_with_the_columns_types_and_descriptions() -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="needs the analytics extra")

    table = pq.read_table(io.BytesIO(_export(ROWS, "parquet")))

    assert table.column_names == ["reason", "lines", "share", "colour"]
    assert table.to_pylist()[0] == {
        "reason": "quality_defect",
        "lines": 2,
        "share": Decimal("0.666667"),
        "colour": "red",
    }
    assert table.schema.field("lines").metadata == {b"description": b"L."}


@given(st.lists(st.tuples(st.text(), st.integers(0, 2**62)), max_size=8), st.integers(1, 3))
def test_every_row_comes_back_from_json_lines_in_order_whatever_the_batches(
    pairs: list[tuple[str, int]], batch_size: int
) -> None:
    rows = [(text, count, None, Colour.RED) for text, count in pairs]
    sink = io.BytesIO()

    written = export_table(rows, sink, "jsonl", columns=COLUMNS, batch_size=batch_size)

    read = [json.loads(line) for line in sink.getvalue().decode().split("\n") if line]
    assert written == len(rows)
    assert [(r["reason"], r["lines"]) for r in read] == pairs


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (("a", 1, None), "row 2 is ('a', 1, None), not a tuple of 4 values"),
        (("a", "1", None, Colour.RED), "row 2, column lines: expected int, got '1'"),
        ((None, 1, None, Colour.RED), "row 2, column reason: got None, and the column is never"),
        (("a", 1, Decimal("0.1234567"), Colour.RED), "row 2, column share: got 0.1234567"),
        (("a", True, None, Colour.RED), "row 2, column lines: expected int, got True"),
    ],
)
def test_a_row_that_does_not_fit_its_columns_is_refused_before_its_batch_is_written(
    row: tuple[object, ...], problem: str
) -> None:
    sink = io.BytesIO()

    with pytest.raises(InvalidInput, match=re.escape(problem)):
        export_table([ROWS[0], row], sink, "csv", columns=COLUMNS)

    assert sink.getvalue() == b""


def test_a_table_needs_columns() -> None:
    with pytest.raises(InvalidInput, match="one or more Columns"):
        export_table([], io.BytesIO(), "csv", columns=())
    with pytest.raises(InvalidInput, match="one or more Columns"):
        export_table([], io.BytesIO(), "csv", columns=("reason",))  # type: ignore[arg-type]


def test_an_empty_table_is_its_header_alone() -> None:
    assert _export([], "csv") == b"reason,lines,share,colour\r\n"
