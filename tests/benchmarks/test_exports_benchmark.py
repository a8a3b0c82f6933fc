"""The export benchmark still runs: two tiny sizes of every format (no figure is checked)."""

import json
from pathlib import Path

import pytest

from benchmarks import exports


def test_the_export_benchmark_measures_every_format_at_every_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "exports.json"

    assert exports.main(["--sizes", "20", "50", "--batch-size", "8", "--json", str(results)]) == 0

    measured = json.loads(results.read_text(encoding="utf-8"))
    for fmt in exports._formats():
        runs = measured[fmt.value]["runs"]
        assert {size: run["rows"] for size, run in runs.items()} == {"20": 20, "50": 50}
        assert measured[fmt.value]["rss_ratio"] > 0
    assert "target: RSS ratio ≤ 1.2" in capsys.readouterr().out
