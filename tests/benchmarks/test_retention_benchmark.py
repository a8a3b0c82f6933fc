"""The retention benchmark still runs: a tiny store on SQLite, end to end (no timing is checked)."""

import json
from pathlib import Path

import pytest

from benchmarks import retention


def test_the_retention_benchmark_destroys_the_same_rows_as_the_hand_written_delete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "retention.json"
    assert retention.main(["--lines", "200", "--store", "sqlite", "--json", str(results)]) == 0
    measured = json.loads(results.read_text(encoding="utf-8"))["SQLite"]
    large = measured["large"]
    assert large["hand_written"]["left"] == large["hand_written"]["ours_left"]
    assert large["hand_written"]["left"]["returns"] == large["returns"] - large["past_returns"]
    assert large["past_returns"] > 0
    assert measured["small"]["plan"]["records"] < large["plan"]["records"]
    assert "the same" in capsys.readouterr().out
