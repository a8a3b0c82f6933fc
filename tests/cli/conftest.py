"""Fixtures for the command-line tests: a plain terminal, runs of the demo, and its tables.

The demo runs once per module and language on a fresh
:func:`crm_returns.cli.wiring.wire_demo`, printing 120 columns wide; tests
read what it printed (``*_text``) and check it against the service it ran on
(``*_wiring``) and the return it completed (``*_order``).  ``demo_*`` fixtures
run every test that uses them in both languages; ``english_*`` ones in English.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from crm_returns.cli.demo import run_demo
from crm_returns.cli.wiring import DemoWiring, wire_demo
from crm_returns.cli.words import LANGUAGES, Language
from crm_returns.domain.returns.order import ReturnOrder

#: What one run of the demo leaves: the text it printed, its service, the return.
_Run = tuple[str, DemoWiring, ReturnOrder]


def _run(language: Language) -> _Run:
    wiring = wire_demo()
    console = Console(record=True, width=120, file=io.StringIO())
    order = run_demo(language, console, wiring)
    return console.export_text(), wiring, order


@pytest.fixture(autouse=True)
def in_a_scratch_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo keeps its SQLite file in the working directory: make that a scratch one."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def plain_120_column_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich reads these when a console is made: 120 columns, and no colour codes."""
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def _english() -> _Run:
    return _run("en")


@pytest.fixture(scope="module")
def english_text(_english: _Run) -> str:
    """What the English demo printed."""
    return _english[0]


@pytest.fixture(scope="module")
def english_wiring(_english: _Run) -> DemoWiring:
    """The in-memory service the English demo ran on."""
    return _english[1]


@pytest.fixture(scope="module")
def english_order(_english: _Run) -> ReturnOrder:
    """The return the English demo completed."""
    return _english[2]


@pytest.fixture(scope="module", params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> Language:
    """Each language the command line speaks, in turn."""
    chosen: Language = request.param
    return chosen


@pytest.fixture(scope="module")
def _demo(language: Language) -> _Run:
    return _run(language)


@pytest.fixture(scope="module")
def demo_text(_demo: _Run) -> str:
    """What the demo printed in ``language``."""
    return _demo[0]


@pytest.fixture(scope="module")
def demo_wiring(_demo: _Run) -> DemoWiring:
    """The in-memory service the demo in ``language`` ran on."""
    return _demo[1]


@pytest.fixture(scope="module")
def demo_order(_demo: _Run) -> ReturnOrder:
    """The return the demo in ``language`` completed."""
    return _demo[2]


def _table_rows(text: str, title: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(index for index, line in enumerate(lines) if line.strip() == title)
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if line.startswith("│"):
            rows.append([cell.strip() for cell in line.split("│")[1:-1]])
    return rows


@pytest.fixture(scope="session")
def table_rows() -> Callable[[str, str], list[list[str]]]:
    """Reads the body and footer rows of the table titled ``title`` in printed text.

    Each text line of the table is one row of stripped cells; a cell that
    wraps leaves the rows below it empty in the other columns.
    """
    return _table_rows
