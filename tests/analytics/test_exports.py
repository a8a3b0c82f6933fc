"""Facts stream to CSV and JSON Lines exactly, a batch at a time, and bad input writes nothing."""

from __future__ import annotations

import io
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.analytics.export_support import Sink, exact, expected, read_csv, read_jsonl
from tests.domain.analytics.fact_support import T0, fact
from tests.domain.analytics.return_support import many_returns

from crm_returns.analytics.columns import LINE_COLUMNS, RETURN_COLUMNS
from crm_returns.analytics.exports import ExportFormat, export_rows
from crm_returns.domain.analytics import LineFact, ReturnFact, return_facts
from crm_returns.errors import InvalidInput, ParquetUnavailable

TEXT_FORMATS = (ExportFormat.CSV, ExportFormat.JSONL)
READERS = {ExportFormat.CSV: read_csv, ExportFormat.JSONL: read_jsonl}
BOM = b"\xef\xbb\xbf"
#: A moment without a time zone, which no export writes.
NAIVE = T0.replace(tzinfo=None)


def _export(rows: Any, fmt: ExportFormat | str = ExportFormat.CSV, **options: Any) -> bytes:
    sink = io.BytesIO()
    export_rows(rows, sink, fmt, **options)
    return sink.getvalue()


@given(many_returns(), st.sampled_from(TEXT_FORMATS), st.integers(1, 5), st.booleans())
def test_line_facts_come_back_from_csv_and_json_lines_exactly(
    facts: list[LineFact], fmt: ExportFormat, batch_size: int, bom: bool
) -> None:
    sink = io.BytesIO()
    bom = bom and fmt is ExportFormat.CSV

    written = export_rows(facts, sink, fmt, batch_size=batch_size, bom=bom)

    assert written == len(facts)
    read = READERS[fmt](sink.getvalue(), LINE_COLUMNS)
    assert exact(read) == exact([expected(f, LINE_COLUMNS) for f in facts])


@given(many_returns(), st.sampled_from(TEXT_FORMATS), st.integers(1, 5))
def test_return_facts_come_back_from_csv_and_json_lines_exactly(
    facts: list[LineFact], fmt: ExportFormat, batch_size: int
) -> None:
    returns = return_facts(facts)
    sink = io.BytesIO()

    written = export_rows(returns, sink, fmt, row_type=ReturnFact, batch_size=batch_size)

    assert written == len(returns)
    read = READERS[fmt](sink.getvalue(), RETURN_COLUMNS)
    assert exact(read) == exact([expected(r, RETURN_COLUMNS) for r in returns])


def test_csv_starts_with_a_byte_order_mark_only_when_asked_for_excel() -> None:
    assert _export([fact()], bom=True).startswith(BOM + b"tenant_id,return_id,")
    assert _export([fact()]).startswith(b"tenant_id,return_id,")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_chinese_text_is_written_as_utf_8_and_comes_back(fmt: ExportFormat) -> None:
    row = fact(product_name="无线键盘, “静音”\n黑色", reason_code="质量问题", owner_team="华东仓")

    data = _export([row], fmt)

    assert "无线键盘".encode() in data  # not escaped as \u65e0...
    (read,) = READERS[fmt](data, LINE_COLUMNS)
    assert (read["product_name"], read["reason_code"], read["owner_team"]) == (
        "无线键盘, “静音”\n黑色",
        "质量问题",
        "华东仓",
    )


def test_a_json_line_holds_no_line_break_of_any_kind() -> None:
    row = fact(product_name="a\nb\rc\u2028d\u2029e\x85f")

    data = _export([row, fact(line_id="2")], "jsonl")

    assert len(data.decode().splitlines()) == 2  # as Python reads lines: at every Unicode break
    (read, _) = read_jsonl(data, LINE_COLUMNS)
    assert read["product_name"] == "a\nb\rc\u2028d\u2029e\x85f"


def test_decimals_are_plain_digits_with_their_places_never_an_exponent() -> None:
    row = fact(
        merchandise_value=Decimal("100.00"),
        refund_granted=Decimal("1E+3"),
        restocking_fee=Decimal("0.000001"),
        quantity_returned=Decimal("2.125"),
    )

    csv_row = _export([row]).decode().splitlines()[1]
    (json_row,) = read_jsonl(_export([row], "jsonl"), LINE_COLUMNS)

    assert ",100.00,1000," in csv_row
    assert ",0.000001," in csv_row
    assert ",2.125," in csv_row
    assert json_row["merchandise_value"] == Decimal("100.00")
    assert b'"refund_granted":"1000"' in _export([row], "jsonl")


def test_moments_are_written_in_utc_with_their_offset() -> None:
    shanghai = timezone(timedelta(hours=8))
    row = fact(returned_at=datetime(2026, 3, 5, 8, 30, tzinfo=shanghai))

    assert ",2026-03-05T00:30:00+00:00," in _export([row]).decode()
    assert b'"returned_at":"2026-03-05T00:30:00+00:00"' in _export([row], "jsonl")


def test_unknown_values_are_empty_in_csv_and_null_in_json_lines() -> None:
    row = fact(refund_granted=None, owner_user=None, satisfaction=None)

    (csv_row,) = read_csv(_export([row]), LINE_COLUMNS)
    data = _export([row], "jsonl")

    assert csv_row["refund_granted"] is csv_row["owner_user"] is csv_row["satisfaction"] is None
    assert b'"refund_granted":null' in data
    assert b'"satisfaction":null' in data


def test_an_empty_csv_export_still_names_its_columns() -> None:
    data = _export([], row_type=ReturnFact)

    assert data.decode().splitlines() == [",".join(c.name for c in RETURN_COLUMNS)]
    assert _export([], "jsonl") == b""


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_rows_are_pulled_one_batch_at_a_time(fmt: ExportFormat) -> None:
    sink = Sink()
    rows = [fact(line_id=str(n)) for n in range(10)]

    export_rows(sink.counted(rows), sink, fmt, batch_size=3)

    # Each batch is written before the next is pulled: the writer never held more than 3.
    assert sink.pulled_at_writes == [3, 6, 9, 10]


def test_a_path_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "returns.csv"

    assert export_rows((fact(line_id=str(n)) for n in range(5)), target, "csv", batch_size=2) == 5

    assert len(read_csv(target.read_bytes(), LINE_COLUMNS)) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["returns.csv"]


def test_a_path_may_be_given_as_text(tmp_path: Path) -> None:
    assert export_rows([fact()], str(tmp_path / "returns.jsonl"), "jsonl") == 1

    assert len(read_jsonl((tmp_path / "returns.jsonl").read_bytes(), LINE_COLUMNS)) == 1


def test_a_folder_that_does_not_exist_is_the_file_system_s_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        export_rows([fact()], tmp_path / "nowhere" / "returns.csv", "csv")


def test_a_failed_export_leaves_the_earlier_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "returns.jsonl"
    target.write_bytes(b"yesterday's export\n")
    rows = [fact(), fact(line_id="2"), fact(line_id="3", returned_at=NAIVE)]

    with pytest.raises(InvalidInput, match="row 3, column returned_at"):
        export_rows(rows, target, "jsonl", batch_size=2)

    assert target.read_bytes() == b"yesterday's export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["returns.jsonl"]


def test_a_refused_later_batch_leaves_the_earlier_batches_in_a_file_object() -> None:
    sink = io.BytesIO()
    rows = [fact(), fact(line_id="2"), fact(line_id="3", sku=None)]

    with pytest.raises(InvalidInput, match="row 3, column sku: got None"):
        export_rows(rows, sink, "jsonl", batch_size=2)

    assert len(sink.getvalue().splitlines()) == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"format": "xlsx"}, "no export format 'xlsx'"),
        ({"format": None}, "no export format None"),
        ({"batch_size": 0}, "at least 1 row"),
        ({"batch_size": -5}, "at least 1 row"),
        ({"batch_size": True}, "at least 1 row"),
        ({"batch_size": 2.5}, "at least 1 row"),
        ({"bom": True, "format": "jsonl"}, "byte order mark is for CSV"),
        ({"row_type": dict}, "LineFact or ReturnFact"),
        ({"row_type": ReturnFact}, "not a ReturnFact"),
        ({"rows": [fact(), {"sku": "SKU-1"}]}, "row 2 is {'sku': 'SKU-1'}, not a LineFact"),
        ({"rows": [fact(ordered_at=NAIVE)]}, "without a time zone"),
        ({"rows": [fact(merchandise_value=Decimal("NaN"))]}, "not a finite decimal"),
        ({"rows": [fact(merchandise_value=Decimal("0.0000001"))]}, "at most 6 places"),
        ({"rows": [fact(merchandise_value=Decimal("1E+32"))]}, "32 digits before the point"),
        ({"rows": [fact(merchandise_value=100)]}, "merchandise_value: expected Decimal, got 100"),
        ({"rows": [fact(satisfaction=True)]}, "column satisfaction: expected int, got True"),
        ({"rows": [fact(status="completed")]}, "expected ReturnStatus, got 'completed'"),
        ({"rows": [fact(sku="\ud800")]}, "UTF-8 cannot encode"),
        ({"target": io.StringIO()}, "binary file"),
        ({"target": 42}, "path or a binary file, not 42"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(
    arguments: dict[str, Any], message: str
) -> None:
    sink = Sink()
    rows = arguments.pop("rows", [fact(), fact(line_id="2")])
    call: dict[str, Any] = {"target": sink, "format": "csv", **arguments}

    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        export_rows(sink.counted(rows), call.pop("target"), call.pop("format"), **call)

    assert sink.getvalue() == b""


def test_a_refused_format_pulls_no_row() -> None:
    sink = Sink()

    with pytest.raises(InvalidInput):
        export_rows(sink.counted([fact()]), sink, "xlsx")

    assert sink.pulled == 0


def test_without_pyarrow_parquet_asks_for_the_analytics_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what an import of a missing module meets
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    monkeypatch.delitem(sys.modules, "crm_returns.analytics._parquet", raising=False)
    sink = Sink()

    extra = r"pip install 'crm-returns\[analytics\]'"
    with pytest.raises(ParquetUnavailable, match=extra) as caught:
        export_rows(sink.counted([fact()]), sink, ExportFormat.PARQUET)

    assert caught.value.missing == "pyarrow"
    assert (sink.getvalue(), sink.pulled) == (b"", 0)
    assert export_rows([fact()], io.BytesIO(), ExportFormat.CSV) == 1  # CSV needs nothing more


def test_each_format_has_its_usual_suffix() -> None:
    assert [f.suffix for f in ExportFormat] == [".csv", ".jsonl", ".parquet"]
