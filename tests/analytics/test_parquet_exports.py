"""Facts stream to Parquet exactly: a row group per batch, decimals at 6 places, moments in UTC."""

from __future__ import annotations

import io
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.analytics.export_support import Row, Sink, exact, expected
from tests.domain.analytics.fact_support import fact
from tests.domain.analytics.return_support import many_returns

from crm_returns.analytics.columns import DECIMAL_SCALE, LINE_COLUMNS, RETURN_COLUMNS, Column
from crm_returns.analytics.exports import ExportFormat, export_rows
from crm_returns.domain.analytics import LineFact, ReturnFact, return_facts
from crm_returns.errors import InvalidInput

pa = pytest.importorskip("pyarrow", reason="needs the analytics extra")
pq = pytest.importorskip("pyarrow.parquet", reason="needs the analytics extra")

PARQUET = ExportFormat.PARQUET
#: Every decimal column holds 6 places: 100.00 comes back as 100.000000.
SCALE = Decimal(1).scaleb(-DECIMAL_SCALE)


def _read(data: bytes) -> Any:
    return pq.ParquetFile(io.BytesIO(data))


def _at_scale(rows: list[Row]) -> list[Row]:
    return [
        {k: v.quantize(SCALE) if isinstance(v, Decimal) else v for k, v in row.items()}
        for row in rows
    ]


@given(many_returns(), st.integers(1, 5))
def test_line_facts_come_back_from_parquet_exactly(facts: list[LineFact], batch_size: int) -> None:
    sink = io.BytesIO()

    assert export_rows(facts, sink, PARQUET, batch_size=batch_size) == len(facts)

    parquet = _read(sink.getvalue())
    assert exact(parquet.read().to_pylist()) == exact(
        _at_scale([expected(f, LINE_COLUMNS) for f in facts])
    )
    assert parquet.num_row_groups == math.ceil(len(facts) / batch_size)


@given(many_returns(), st.integers(1, 5))
def test_return_facts_come_back_from_parquet_exactly(
    facts: list[LineFact], batch_size: int
) -> None:
    returns = return_facts(facts)
    sink = io.BytesIO()

    export_rows(returns, sink, PARQUET, row_type=ReturnFact, batch_size=batch_size)

    assert exact(_read(sink.getvalue()).read().to_pylist()) == exact(
        _at_scale([expected(r, RETURN_COLUMNS) for r in returns])
    )


@pytest.mark.parametrize("columns", [LINE_COLUMNS, RETURN_COLUMNS], ids=["lines", "returns"])
def test_the_parquet_schema_is_the_documented_one(columns: tuple[Column, ...]) -> None:
    row_type = LineFact if columns is LINE_COLUMNS else ReturnFact
    sink = io.BytesIO()

    export_rows([], sink, PARQUET, row_type=row_type)  # an empty export keeps its schema

    schema = _read(sink.getvalue()).schema_arrow
    types = {
        "text": pa.string(),
        "integer": pa.int64(),
        "decimal": pa.decimal128(38, 6),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    assert schema.names == [c.name for c in columns]
    for column in columns:
        field = schema.field(column.name)
        assert field.type == types[column.type.value]
        assert field.nullable is column.nullable
        assert field.metadata[b"description"].decode() == column.description


def test_each_batch_is_a_row_group() -> None:
    sink = io.BytesIO()

    export_rows([fact(line_id=str(n)) for n in range(7)], sink, PARQUET, batch_size=3)

    parquet = _read(sink.getvalue())
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
    assert sizes == [3, 3, 1]


def test_rows_are_pulled_one_batch_at_a_time() -> None:
    sink = Sink()
    rows = [fact(line_id=str(n)) for n in range(10)]

    export_rows(sink.counted(rows), sink, PARQUET, batch_size=3)

    # Nothing is written before the first batch is in; each batch before the next is pulled.
    assert sink.pulled_at_writes[0] == 3
    assert sorted(set(sink.pulled_at_writes)) == [3, 6, 9, 10]


def test_chinese_text_and_unknown_values_come_back() -> None:
    sink = io.BytesIO()

    export_rows([fact(product_name="无线键盘“静音”", refund_granted=None)], sink, "parquet")

    (row,) = _read(sink.getvalue()).read().to_pylist()
    assert (row["product_name"], row["refund_granted"]) == ("无线键盘“静音”", None)


def test_a_refused_first_batch_writes_not_even_the_parquet_header() -> None:
    sink = Sink()

    with pytest.raises(InvalidInput, match="row 2, column sku"):
        export_rows([fact(), fact(line_id="2", sku=None)], sink, PARQUET)

    assert sink.getvalue() == b""


def test_a_refused_later_batch_leaves_no_parquet_file(tmp_path: Path) -> None:
    rows = [fact(), fact(line_id="2"), fact(line_id="3", merchandise_value=Decimal("1.0000001"))]

    with pytest.raises(InvalidInput, match="row 3, column merchandise_value"):
        export_rows(rows, tmp_path / "lines.parquet", PARQUET, batch_size=2)

    assert list(tmp_path.iterdir()) == []
