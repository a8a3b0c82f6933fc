"""The reports benchmark still runs: two tiny SQLite stores, end to end (no timing is checked)."""

import json
from pathlib import Path

import pytest

from benchmarks import report_shapes, reports


def test_the_reports_benchmark_times_every_shape_beside_hand_written_sql_that_agrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "reports.json"
    argv = ["--sizes", "60", "300", "--rounds", "1", "--store", "sqlite", "--decompose"]
    argv += ["--json", str(results)]
    assert reports.main(argv) == 0
    measured = json.loads(results.read_text(encoding="utf-8"))["SQLite"]
    assert set(measured["ms"]) == {"60", "300"}
    for shapes in measured["ms"].values():
        assert tuple(shapes) == report_shapes.SHAPES
        for shape in shapes.values():
            # The figures were compared before they were timed: a report with groups.
            assert shape["groups"] > 0
            assert shape["lean_rows"] > 0
            assert all(shape[side] > 0 for side in ("ours", "lean", "every"))
    exported = measured["export"]
    assert {size: exported[size]["facts"] for size in exported} == {"60": 60, "300": 300}
    # The Pareto grown step by step, from the lean query to every figure.
    assert len(measured["steps"]) == 5
    assert "target ≤ 1.5" in capsys.readouterr().out


def test_a_report_that_disagrees_with_its_hand_written_query_stops_the_run() -> None:
    with pytest.raises(reports.Mismatch, match="1 of 2 figures differ"):
        reports.compare(
            "a shape", {("R1",): (1, 2), ("R2",): (3, 4)}, {("R1",): (1, 2), ("R2",): (3, 5)}
        )
