"""The ``crm-returns demo`` command: one return from search to refund, in zh and en."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from rich.console import Console

from crm_returns import Action, ReturnStatus
from crm_returns.cli import main
from crm_returns.cli.demo import run_demo
from crm_returns.cli.labels import ACTIONS, LANGUAGES, STATUSES, WORDS, Language
from crm_returns.testing import sample_wiring

NUMBER = "RT-20261127-000001"

ENGLISH_REASONS = ("Quality problem", "Changed requirement", "Damaged in transit")
CHINESE_REASONS = ("质量问题", "需求变更", "运输损坏")

# The audit trail of the demo, one action per entry, oldest first.
ENGLISH_ACTIONS = [
    "Create draft",
    "Submit",
    "Approve",
    "Approve",
    "Receive goods",
    "Receive goods",
    "Inspect",
    "Complete",
]
CHINESE_ACTIONS = ["创建退货单", "提交", "审批通过", "审批通过", "收货", "收货", "质检", "完成退货"]


@pytest.fixture(autouse=True)
def plain_120_column_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich reads these when a console is made: 120 columns, and no colour codes."""
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


def table_rows(text: str, title: str) -> list[list[str]]:
    """The body rows of the table titled ``title``, as stripped cells, one per text line."""
    lines = text.splitlines()
    start = next(index for index, line in enumerate(lines) if line.strip() == title)
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if line.startswith("│"):
            rows.append([cell.strip() for cell in line.split("│")[1:-1]])
    return rows


def column(rows: list[list[str]], index: int) -> list[str]:
    """The non-empty cells of column ``index`` (wrapped rows leave it empty)."""
    return [row[index] for row in rows if row[index]]


def test_english_demo_prints_the_completed_return_its_reasons_and_audit_actions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--lang", "en"]) == 0

    out = capsys.readouterr().out
    assert f"Return number: {NUMBER}" in out
    assert "Status: Completed" in out
    for reason in ENGLISH_REASONS:
        assert reason in out
    assert column(table_rows(out, "Audit trail"), 2) == ENGLISH_ACTIONS
    assert not any(reason in out for reason in CHINESE_REASONS)


@pytest.mark.parametrize("argv", [["demo"], ["demo", "--lang", "zh"]], ids=["default", "zh"])
def test_chinese_demo_is_the_default_and_speaks_chinese_throughout(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 0

    out = capsys.readouterr().out
    assert f"退货单号: {NUMBER}" in out
    assert "状态: 已完成" in out
    for reason in CHINESE_REASONS:
        assert reason in out
    assert column(table_rows(out, "操作日志"), 2) == CHINESE_ACTIONS
    for english in ("Completed", "Audit trail", "Refund", *ENGLISH_REASONS):
        assert english not in out


def test_printed_refund_is_the_completed_orders_refund() -> None:
    wiring = sample_wiring()
    console = Console(record=True, width=160, file=io.StringIO())

    order = run_demo("en", console, wiring)

    text = console.export_text()
    assert order.status is ReturnStatus.COMPLETED
    assert wiring.service.get_return(wiring.clerk, order.id) == order
    assert f"Refund: {order.refund}" in text
    rows = table_rows(text, "Return lines")
    assert column(rows, 0) == [str(line.ref) for line in order.lines]
    assert column(rows, -1) == [str(line.refund) for line in order.lines]
    # One cable was rejected at inspection, so less is refunded than was estimated.
    assert [row[7] for row in rows] == ["0", "1", "0"]
    assert f"Estimated refund: {order.refund}" not in text


def test_main_prints_the_refund_the_demo_completes_with(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = run_demo("en", Console(file=io.StringIO())).refund

    assert main(["demo", "--lang", "en"]) == 0

    assert f"Refund: {expected}" in capsys.readouterr().out


def test_output_to_a_pipe_is_120_columns_wide(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS")

    assert main(["demo", "--lang", "en"]) == 0

    widths = {len(line) for line in capsys.readouterr().out.splitlines()}
    assert max(widths) == 120


def test_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--lang", "fr"])

    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert "--lang: invalid choice: 'fr'" in captured.err
    assert captured.out == ""


def test_missing_rich_asks_for_the_cli_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [name for name in sys.modules if name.startswith("rich.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "rich", None)
    monkeypatch.setitem(sys.modules, "rich.console", None)

    assert main(["demo"]) == 2

    captured = capsys.readouterr()
    assert "pip install 'crm-returns[cli]'" in captured.err
    assert captured.out == ""


def run_python(*arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(  # noqa: S603 - runs this interpreter on fixed arguments
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=60,
    )


def test_python_dash_m_runs_the_demo() -> None:
    result = run_python("-m", "crm_returns", "demo", "--lang", "en")

    assert result.returncode == 0, result.stderr
    assert f"Return number: {NUMBER}" in result.stdout
    assert "Status: Completed" in result.stdout


def test_importing_the_library_and_its_cli_does_not_import_rich() -> None:
    result = run_python(
        "-c",
        "import sys, crm_returns, crm_returns.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_status_action_and_word_has_a_label(language: Language) -> None:
    assert set(STATUSES[language]) == {status.value for status in ReturnStatus}
    assert set(ACTIONS[language]) == {action.value for action in Action}
    assert set(WORDS[language]) == set(WORDS["zh"])
