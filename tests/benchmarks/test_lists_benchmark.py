"""The list benchmark still runs: two tiny SQLite stores, end to end (no timing is checked)."""

import json
from pathlib import Path

import pytest

from benchmarks import lists


def test_the_list_benchmark_times_every_page_of_every_daily_list_on_both_sizes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "lists.json"
    argv = ["--sizes", "300", "600", "--rounds", "2", "--store", "sqlite", "--json", str(results)]
    assert lists.main(argv) == 0
    measured = json.loads(results.read_text(encoding="utf-8"))["SQLite"]["ms"]
    assert set(measured) == {"300", "600"}
    for size in measured.values():
        assert set(size) == {"all", "completed", "one customer", "one-day window"}
        for pages in size.values():
            assert set(pages) == {
                "first page",
                "deep page (cursor)",
                "first page with total",
                "deep page (offset)",
            }
            assert all(ms > 0 for ms in pages.values())
    assert "target ≤ 1.2" in capsys.readouterr().out
