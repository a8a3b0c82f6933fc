"""Facts streamed to files for BI tools: CSV, JSON Lines and Parquet, a batch at a time.

:func:`export_rows` writes line facts or return facts in the columns of
:mod:`crm_returns.analytics.columns`.  It pulls ``batch_size`` rows, checks
them, writes them and forgets them, so that memory is bounded by the batch,
never by the export.  Every format keeps every value exactly:

- **CSV** — UTF-8 (with a byte order mark on request, for Excel), a header
  row of the column names, RFC 4180 quoting and line ends; decimals as plain
  digits (``1234.50``, never an exponent), moments as ISO 8601 in UTC with
  their offset (``2026-03-02T09:00:00+00:00``), an unknown value as an
  empty field.
- **JSON Lines** — one UTF-8 object per line, keys in column order; decimals
  as strings of plain digits (a JSON number would become a float in most
  readers), moments as in CSV, an unknown value as ``null``.
- **Parquet** — one row group per batch; decimals as
  ``decimal128(38, 6)``, moments as timestamps in microseconds, UTC; each
  field's description in its metadata.  Needs the ``analytics`` extra.
"""

from __future__ import annotations

import codecs
import csv
import enum
import io
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import IO, Final, Protocol, cast

from typing_extensions import Buffer

from crm_returns.analytics._cells import Cell, checked, checked_cells
from crm_returns.analytics.columns import Column, columns_of
from crm_returns.domain.analytics import LineFact, ReturnFact
from crm_returns.errors import InvalidInput, ParquetUnavailable, quoted

__all__ = ["DEFAULT_BATCH_SIZE", "ExportFormat", "export_rows", "export_table"]

#: Rows pulled, checked and written at a time, unless told otherwise.
DEFAULT_BATCH_SIZE: Final = 10_000

#: The UTF-8 byte order mark, by which Excel knows a CSV file is UTF-8.
_BOM: Final = codecs.BOM_UTF8


class ExportFormat(enum.Enum):
    """The file formats of the exports."""

    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"

    @property
    def suffix(self) -> str:
        """The usual file name suffix: ``.csv``, ``.jsonl`` or ``.parquet``."""
        return f".{self.value}"


class _Sink(Protocol):
    """Where an encoder writes: a binary file, or anything with its ``write``."""

    def write(self, data: Buffer, /) -> object:
        """Write ``data``."""


class _Encoder(Protocol):
    """Writes checked rows in one format to a binary sink."""

    def write(self, rows: Sequence[tuple[Cell, ...]]) -> None:
        """Write one batch of rows."""

    def close(self) -> None:
        """Write what ends the file (the CSV header of an empty export, Parquet's footer)."""


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _text(cell: Cell) -> str:
    """``cell`` as CSV writes it: an unknown value is an empty field."""
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return _decimal_text(cell)
    if isinstance(cell, datetime):
        return cell.isoformat()
    return str(cell)


def _json(cell: Cell) -> str | int | None:
    """``cell`` as JSON Lines writes it: decimals and moments as strings."""
    if isinstance(cell, Decimal | datetime):
        return _text(cell)
    return cell


class _CsvEncoder:
    def __init__(self, sink: _Sink, columns: Sequence[Column], *, bom: bool) -> None:
        self._sink = sink
        self._head = (_BOM if bom else b"") + self._lines([[c.name for c in columns]])

    @staticmethod
    def _lines(rows: Iterable[Sequence[str]]) -> bytes:
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode()

    def write(self, rows: Sequence[tuple[Cell, ...]]) -> None:
        body = self._lines([_text(cell) for cell in row] for row in rows)
        self._sink.write(self._head + body)
        self._head = b""

    def close(self) -> None:
        if self._head:  # no row came: the header alone says what the columns are
            self._sink.write(self._head)


#: Line ends JSON leaves raw in strings, escaped all the same: readers that split lines on
#: every Unicode line break (Python's ``str.splitlines``) then still see one record a line.
_LINE_BREAKS: Final = re.compile("[\x85\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


class _JsonLinesEncoder:
    def __init__(self, sink: _Sink, columns: Sequence[Column]) -> None:
        self._sink = sink
        self._names = tuple(column.name for column in columns)

    def write(self, rows: Sequence[tuple[Cell, ...]]) -> None:
        lines = (
            json.dumps(
                dict(zip(self._names, map(_json, row), strict=True)),
                ensure_ascii=False,
                separators=(",", ":"),
            )
            + "\n"
            for row in rows
        )
        # Such breaks can only be inside strings, where their escapes mean the same.
        self._sink.write(_LINE_BREAKS.sub(_escaped, "".join(lines)).encode())

    def close(self) -> None:
        """Nothing ends a JSON Lines file."""


def _encoder_for(
    chosen: ExportFormat, columns: Sequence[Column], *, bom: bool
) -> Callable[[_Sink], _Encoder]:
    """How to start an encoder of ``chosen`` on a sink.

    Raises:
        ParquetUnavailable: Parquet without pyarrow.
    """
    if chosen is ExportFormat.CSV:
        return lambda sink: _CsvEncoder(sink, columns, bom=bom)
    if chosen is ExportFormat.JSONL:
        return lambda sink: _JsonLinesEncoder(sink, columns)
    try:
        from crm_returns.analytics._parquet import ParquetEncoder
    except ImportError as error:
        if (error.name or "").partition(".")[0] != "pyarrow":
            raise
        raise ParquetUnavailable(error.name or "pyarrow") from error
    return lambda sink: ParquetEncoder(sink, columns)


def _batches(rows: Iterable[object], size: int) -> Iterator[list[object]]:
    pulled = iter(rows)
    while batch := list(islice(pulled, size)):
        yield batch
        del batch  # before the next is pulled: one batch is held at a time, not two


class _Gate(io.RawIOBase):
    """Passes bytes on to the target until shut: after a failure, nothing more reaches it."""

    def __init__(self, target: _Sink) -> None:
        super().__init__()
        self._target: _Sink | None = target

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        if self._target is not None:
            self._target.write(data)
        return memoryview(data).nbytes

    def shut(self) -> None:
        self._target = None


@contextmanager
def _opened(target: object) -> Iterator[_Sink]:
    """A binary sink on ``target``: a path is written whole or not at all.

    A path is written to a hidden file beside it, renamed over it once
    complete and removed on failure, so that a failed export leaves any
    earlier file as it was.  A file object is written as it is.
    """
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        part = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        file = part.open("xb")
        try:
            with file:
                yield file
            part.replace(path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    elif isinstance(target, io.TextIOBase):
        raise InvalidInput(
            "exports are written to a binary file (open(path, 'wb'), sys.stdout.buffer), "
            "not a text file"
        )
    elif callable(getattr(target, "write", None)):
        yield cast(_Sink, target)
    else:
        raise InvalidInput(f"exports are written to a path or a binary file, not {quoted(target)}")


def _format(value: object) -> ExportFormat:
    if isinstance(value, ExportFormat):
        return value
    try:
        return ExportFormat(value)
    except ValueError:
        known = ", ".join(f.value for f in ExportFormat)
        raise InvalidInput(f"no export format {quoted(value)}: one of {known}") from None


def export_rows(
    rows: Iterable[LineFact] | Iterable[ReturnFact],
    target: str | os.PathLike[str] | IO[bytes],
    format: ExportFormat | str,
    *,
    row_type: type[LineFact] | type[ReturnFact] = LineFact,
    bom: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Write ``rows`` to ``target`` in ``format``, ``batch_size`` rows at a time.

    ``rows`` is pulled lazily, one batch at a time: a generator over a
    million returns is never held whole.  Every row of a batch is checked
    before any of it is written.  Writing to a path, a failed export leaves
    nothing (and any earlier file at that path as it was); writing to a file
    object, the batches before the failing one stay written, and nothing at
    all when the first one fails.

    Args:
        rows: Line facts or return facts (all of ``row_type``).
        target: A path, or a binary file open for writing (which is left
            open).
        format: ``ExportFormat.CSV``, ``JSONL`` or ``PARQUET``, or the
            value of one (``"csv"``).
        row_type: :class:`LineFact` (the line-level export, the default) or
            :class:`ReturnFact` (the return-level export); it sets the
            columns, which an empty export writes too (the CSV header, the
            Parquet schema).
        bom: Start a CSV file with a UTF-8 byte order mark, so that Excel
            reads it as UTF-8 (Chinese text included).
        batch_size: Rows held, checked and written at a time; a Parquet
            row group each.

    Returns:
        How many rows were written.

    Raises:
        InvalidInput: An unknown format or row type, a batch size below 1,
            ``bom`` for a format other than CSV, a target that is neither a
            path nor a binary file, a row that is not a ``row_type``, or a
            value that does not belong in its column (``None`` in a column
            never empty, a moment without a time zone, a decimal with more
            than 6 places, text with a lone surrogate).
        ParquetUnavailable: Parquet, and pyarrow (the ``analytics`` extra) is
            not installed.
        OSError: The path cannot be written (a missing folder, a full disk).
    """
    columns = columns_of(row_type)
    return _export(
        rows,
        target,
        _started(format, columns, bom=bom, batch_size=batch_size),
        lambda batch, first: checked(batch, row_type, columns, first=first),
        batch_size,
    )


def export_table(
    rows: Iterable[Sequence[object]],
    target: str | os.PathLike[str] | IO[bytes],
    format: ExportFormat | str,
    *,
    columns: Sequence[Column],
    bom: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Write rows of plain values under ``columns``, as :func:`export_rows` writes facts.

    For tables that are not facts (a report's rows, say): each row is a tuple
    of one value per column, checked against its column (its ``source``
    type, whether it may be empty, the decimal places) before any of its
    batch is written.  Formats, targets and streaming are those of
    :func:`export_rows`.

    Args:
        rows: Tuples of values, one per column, in the columns' order.
        target: A path, or a binary file open for writing (which is left open).
        format: ``ExportFormat.CSV``, ``JSONL`` or ``PARQUET``, or the value of one.
        columns: The columns: names, types and descriptions (Parquet's metadata).
        bom: Start a CSV file with a UTF-8 byte order mark.
        batch_size: Rows held, checked and written at a time.

    Returns:
        How many rows were written.

    Raises:
        InvalidInput: As for :func:`export_rows`; or no columns, or a row
            that is not a tuple of one value per column.
        ParquetUnavailable: Parquet, and pyarrow is not installed.
        OSError: The path cannot be written.
    """
    given = tuple(columns)
    if not given or not all(isinstance(column, Column) for column in given):
        raise InvalidInput(f"a table has one or more Columns, not {quoted(columns)}")
    return _export(
        rows,
        target,
        _started(format, given, bom=bom, batch_size=batch_size),
        lambda batch, first: checked_cells(batch, given, first=first),
        batch_size,
    )


def _started(
    format: object, columns: Sequence[Column], *, bom: bool, batch_size: object
) -> Callable[[_Sink], _Encoder]:
    """How to start the encoder asked for, once the format, BOM and batch size are checked.

    Raises:
        InvalidInput: An unknown format, a batch size below 1, a BOM for another format than CSV.
        ParquetUnavailable: Parquet without pyarrow.
    """
    chosen = _format(format)
    if type(batch_size) is not int or batch_size < 1:
        raise InvalidInput(f"a batch holds at least 1 row, not {quoted(batch_size)}")
    if bom and chosen is not ExportFormat.CSV:
        raise InvalidInput(f"a byte order mark is for CSV, not {chosen.value}")
    return _encoder_for(chosen, columns, bom=bom)


def _export(
    rows: Iterable[object],
    target: object,
    start: Callable[[_Sink], _Encoder],
    check: Callable[[list[object], int], list[tuple[Cell, ...]]],
    batch_size: int,
) -> int:
    """Pull, check (rows numbered from 1) and write ``rows`` a batch at a time; how many written."""
    written = 0
    with _opened(target) as file:
        gate = _Gate(file)
        encoder: _Encoder | None = None
        try:
            for batch in _batches(rows, batch_size):
                cells = check(batch, written + 1)
                if (
                    encoder is None
                ):  # started once a batch passed: a refused first one writes nothing
                    encoder = start(gate)
                encoder.write(cells)
                written += len(cells)
                del batch, cells  # before the next is pulled: one batch is held at a time
            if encoder is None:
                encoder = start(gate)
            encoder.close()
        except BaseException:
            gate.shut()  # an encoder closed later (Parquet's, when collected) writes nothing more
            raise
    return written
