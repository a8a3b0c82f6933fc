"""The pictures of docs/analytics.md are drawn by a script that keeps working."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "images" / "make_charts.py"


def test_the_docs_script_draws_every_picture_the_docs_show(tmp_path: Path) -> None:
    shown = {
        line.split("(images/")[1].rstrip(")")
        for line in (ROOT / "docs" / "analytics.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("![") and "(images/" in line
    }

    runpy.run_path(str(SCRIPT))["main"](tmp_path)

    drawn = {path.name for path in tmp_path.iterdir()}
    assert len(shown) == 4
    assert drawn == shown
    assert all((SCRIPT.parent / name).is_file() for name in shown)
