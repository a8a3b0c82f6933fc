"""Parquet files of export rows, written with pyarrow (the ``analytics`` extra).

Imported only when a Parquet export is asked for; :mod:`.exports` turns a
missing pyarrow into :class:`~crm_returns.errors.ParquetUnavailable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from crm_returns.analytics._cells import Cell
from crm_returns.analytics.columns import DECIMAL_PRECISION, DECIMAL_SCALE, Column, ColumnType

__all__ = ["ParquetEncoder"]


def _arrow_type(kind: ColumnType) -> Any:
    """The Arrow type of a column of ``kind`` (pyarrow is untyped: ``Any``)."""
    match kind:
        case ColumnType.TEXT:
            return pa.string()
        case ColumnType.INTEGER:
            return pa.int64()
        case ColumnType.DECIMAL:
            return pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
        case ColumnType.TIMESTAMP:
            return pa.timestamp("us", tz="UTC")


def arrow_schema(columns: Sequence[Column]) -> Any:
    """The Arrow schema of ``columns``, each field's description in its metadata."""
    return pa.schema(
        [
            pa.field(
                column.name,
                _arrow_type(column.type),
                nullable=column.nullable,
                metadata={"description": column.description},
            )
            for column in columns
        ]
    )


class ParquetEncoder:
    """Writes batches of checked rows as row groups of one Parquet file.

    Args:
        sink: A binary file object; it is written to, never closed.
        columns: The columns of every row.
    """

    def __init__(self, sink: object, columns: Sequence[Column]) -> None:
        self._schema = arrow_schema(columns)
        self._writer = pq.ParquetWriter(sink, self._schema)

    def write(self, rows: Sequence[tuple[Cell, ...]]) -> None:
        """Write ``rows`` as one row group."""
        arrays = [
            pa.array(values, type=field.type)
            for values, field in zip(zip(*rows, strict=True), self._schema, strict=True)
        ]
        batch = pa.RecordBatch.from_arrays(arrays, schema=self._schema)
        self._writer.write_batch(batch, row_group_size=len(rows))

    def close(self) -> None:
        """Write the footer (the schema, and where each row group is)."""
        self._writer.close()
