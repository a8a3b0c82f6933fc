"""docs/notifications.md shows real output: each runnable snippet prints what follows it."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"

#: A python block followed at once by a plain block: the snippet and what it prints.
RUN = re.compile(r"```python\n(?P<code>[^`]*)```\n\n```\n(?P<output>[^`]*)```")


def snippets() -> list[tuple[str, str]]:
    return [(m["code"], m["output"]) for m in RUN.finditer(DOC.read_text(encoding="utf-8"))]


def test_the_page_has_runnable_snippets() -> None:
    assert len(snippets()) == 2


@pytest.mark.parametrize(("code", "output"), snippets())
def test_each_snippet_prints_what_the_page_shows(code: str, output: str) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    assert printed.getvalue().rstrip("\n") == output.rstrip("\n")
