"""``crm-returns report`` writes rows for BI tools (CSV, JSON Lines, Parquet) and draws charts.

The exports (``lines``, ``returns``) write every column of the line and
return facts; the other reports write one row per row of their table.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from tests.cli.report_support import AT, WINDOW, Stored, report, stored_demo

from crm_returns.analytics.columns import LINE_COLUMNS, RETURN_COLUMNS
from crm_returns.cli.report_output import RowProgress

BOM = b"\xef\xbb\xbf"
PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """The demo's database, read by every test of this module."""
    return stored_demo(tmp_path_factory.mktemp("report-files"))


def test_a_report_is_written_as_csv_rows_of_codes_and_exact_numbers_to_standard_output(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = report(stored, capsys, "reasons", *WINDOW, "--format", "csv")

    assert ran.status == 0, ran.err
    assert ran.out.splitlines() == [
        "reason,lines,units,share,cumulative_share",
        "damaged_in_transit,2,2,0.500000,0.500000",
        "changed_requirement,1,3,0.250000,0.750000",
        "quality_defect,1,2,0.250000,1.000000",
    ]
    assert ran.err == ""


def test_the_line_export_is_every_column_of_every_line_fact_with_a_bom_for_excel(
    stored: Stored, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ran = report(stored, capsys, "lines", *WINDOW, "--format", "csv", "--bom", "--output", "l.csv")
    plain = report(stored, capsys, "lines", *WINDOW, "--format", "csv", "--output", "p.csv")

    assert (ran.status, ran.err) == (0, "4 rows written to l.csv\n")
    written = (tmp_path / "l.csv").read_bytes()
    assert written.startswith(BOM)
    lines = written[len(BOM) :].decode().splitlines()
    assert lines[0].split(",") == [column.name for column in LINE_COLUMNS]
    assert len(lines) == 5
    assert f"{stored.tenant}," in lines[1]
    assert ",无线鼠标 Wireless mouse," in lines[1]
    assert plain.status == 0
    assert (tmp_path / "p.csv").read_bytes() == written[len(BOM) :]


def test_the_line_export_streams_as_json_lines_to_standard_output(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = report(stored, capsys, "lines", *WINDOW, "--format", "jsonl")

    records = [json.loads(line) for line in ran.out.splitlines()]
    assert [r["sku"] for r in records] == ["MSE-01", "CBL-02", "MON-27", "LMP-05"]
    assert [r["merchandise_value"] for r in records] == ["258.00", "75.82", "1899.00", "199.00"]
    assert records[0]["status"] == "completed"
    assert list(records[0]) == [column.name for column in LINE_COLUMNS]


@pytest.mark.parametrize("basis", ["return", "order", "refund"])
def test_the_return_export_adds_up_each_returns_lines_on_every_date_basis(
    stored: Stored, capsys: pytest.CaptureFixture[str], basis: str
) -> None:
    ran = report(stored, capsys, "returns", *WINDOW, "--basis", basis, "--format", "jsonl")

    records = [json.loads(line) for line in ran.out.splitlines()]
    assert list(records[0]) == [column.name for column in RETURN_COLUMNS]
    assert sorted(
        (r["return_number"], r["line_count"], r["merchandise_value"]) for r in records
    ) == [
        ("RT-20261127-000001", 3, "2232.82"),
        ("RT-20261203-000001", 1, "199.00"),
    ]


def test_the_return_export_comes_back_from_parquet_exactly(
    stored: Stored, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="needs the analytics extra")

    ran = report(stored, capsys, "returns", *WINDOW, "--format", "parquet", "--output", "r.pq")

    assert (ran.status, ran.err) == (0, "2 rows written to r.pq\n")
    table = pq.read_table(tmp_path / "r.pq")
    assert table.column_names == [column.name for column in RETURN_COLUMNS]
    rows = table.to_pylist()
    assert [(r["return_number"], r["refund_paid"]) for r in rows] == [
        ("RT-20261127-000001", Decimal("2212.82")),
        ("RT-20261203-000001", Decimal("199.00")),
    ]
    assert rows[0]["returned_at"].tzinfo is not None


def test_a_report_comes_back_from_parquet_with_its_columns_described(
    stored: Stored, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="needs the analytics extra")

    ran = report(stored, capsys, "rates", *WINDOW, *AT, "--format", "parquet", "--output", "r.pq")

    assert ran.status == 0, ran.err
    table = pq.read_table(tmp_path / "r.pq")
    assert table.to_pylist() == [
        {
            "cohort": "2026-11-01",
            "maturity": "immature",
            "units_returned": Decimal(7),
            "units_delivered": Decimal(21),
            "unit_rate": Decimal("0.333333"),
            "orders_returned": 2,
            "orders": 2,
            "order_rate": Decimal(1),
            "currency": "CNY",
            "value_returned": Decimal("2431.82"),
            "gross_sales": Decimal("7818.10"),
            "value_rate": Decimal("0.311050"),
        }
    ]
    described = table.schema.field("unit_rate").metadata[b"description"].decode()
    assert described == "Units returned ÷ delivered."


def test_durations_are_written_in_seconds_and_a_missing_value_as_an_empty_field(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = report(stored, capsys, "cycle-times", *WINDOW, "--format", "csv")

    lines = ran.out.splitlines()
    assert lines[0] == (
        "stage,returns,median_seconds,p90_seconds,max_seconds,allowance_seconds,within_level"
    )
    assert lines[1] == "approval,2,0,11100,11100,172800,1.000000"
    assert lines[-1] == "total,2,172800,487980,487980,,"


@pytest.mark.parametrize(
    ("name", "chart"),
    [
        ("reasons", "reasons.png"),
        ("sku-reasons", "matrix.svg"),
        ("rates", "rates.png"),
        ("cycle-times", "cycles.png"),
    ],
)
def test_a_chart_of_the_report_is_written_where_asked(
    stored: Stored, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, chart: str
) -> None:
    ran = report(stored, capsys, name, *WINDOW, *AT, "--chart", chart, lang="zh")

    assert ran.status == 0, ran.err
    assert ran.err == f"图表已写入 {chart}\n"
    drawn = (tmp_path / chart).read_bytes()
    assert drawn.startswith(PNG) if chart.endswith(".png") else b"<svg" in drawn


def test_a_chart_of_a_report_without_rows_is_not_drawn(
    stored: Stored, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ran = report(stored, capsys, "decline-reasons", *WINDOW, "--chart", "declines.png")

    assert ran.status == 1
    assert ran.err == "No chart drawn to declines.png: the report has no rows\n"
    assert not (tmp_path / "declines.png").exists()


def test_a_progress_bar_counts_the_rows_as_they_stream_on_a_terminal() -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80)

    with RowProgress(terminal, "Exporting", total=lambda: 3) as progress:
        passed = list(progress.counted(iter("abc")))

    assert passed == ["a", "b", "c"]
    assert progress.rows == 3
    assert "Exporting" in screen.getvalue()
    assert "3/3" in screen.getvalue()  # the bar ends at the total


def test_no_progress_bar_is_drawn_off_a_terminal_and_no_total_is_counted() -> None:
    screen = io.StringIO()
    totals: list[str] = []

    def total() -> int:
        totals.append("counted")
        return 5

    with RowProgress(Console(file=screen), "Exporting", total=total) as progress:
        assert list(progress.counted(range(5))) == [0, 1, 2, 3, 4]

    assert (progress.rows, screen.getvalue(), totals) == (5, "", [])
