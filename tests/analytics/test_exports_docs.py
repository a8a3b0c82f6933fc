"""docs/analytics.md shows the export columns as they are, and its export example runs."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.domain.analytics.fact_support import fact

from crm_returns.analytics.columns import LINE_COLUMNS, RETURN_COLUMNS, Column

DOC = Path(__file__).resolve().parents[2] / "docs" / "analytics.md"
EXAMPLE = re.compile(r"<!-- export-example -->\s*```python\n(?P<code>.*?)```", re.DOTALL)


def schema_table(columns: Sequence[Column]) -> str:
    """The Markdown table of ``columns``, as the page shows it."""
    rows = [
        "| column | type | may be empty | what it holds |",
        "| --- | --- | --- | --- |",
        *(
            f"| `{c.name}` | {c.type.value} | {'yes' if c.nullable else 'no'} | "
            + c.description.replace("|", r"\|")
            + " |"
            for c in columns
        ),
    ]
    return "\n".join(rows)


@pytest.mark.parametrize("columns", [LINE_COLUMNS, RETURN_COLUMNS], ids=["lines", "returns"])
def test_the_page_shows_every_column_as_the_schema_has_it(columns: Sequence[Column]) -> None:
    assert schema_table(columns) in DOC.read_text(encoding="utf-8")


def test_the_export_example_writes_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow", reason="the example writes Parquet: the analytics extra")
    (match,) = EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    facts = [fact(), fact(line_id="2", product_name="无线键盘"), fact(return_id="r-2")]

    exec(compile(match["code"], str(DOC), "exec"), {"facts": facts})  # noqa: S102 - our own page

    assert sorted(os.listdir(tmp_path)) == ["return-lines.csv", "returns.parquet"]
