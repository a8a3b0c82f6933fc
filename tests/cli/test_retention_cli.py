"""``crm-returns retention``: review, plan, approve, apply, holds, archive, erasure, the log.

Every test runs on a fresh SQLite file holding the demo's two returns (the
demo's tenant in ``tenant``); commands act "as of" 2058, when the China
profile lets even the journal entries go.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from crm_returns.cli import main

LATER = "2058-01-01"
FIRST = "RT-20261127-000001"


@pytest.fixture
def database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """The URL of a SQLite file the demo ran on, and the demo's tenant."""
    url = f"sqlite:///{tmp_path / 'returns.db'}"
    assert main(["demo", "--db", url, "--lang", "en"]) == 0
    found = re.search(r"tenant (demo-[0-9a-f]{8})", capsys.readouterr().out)
    assert found is not None
    return url, found.group(1)


def _run(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str], *words: str
) -> tuple[int, str, str]:
    url, tenant = database
    status = main(["retention", *words, "--url", url, "--tenant", tenant, "--lang", "en"])
    out, err = capsys.readouterr()
    return status, out, err


def _plan(database: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    status, out, err = _run(database, capsys, "plan", "--at", LATER, "--actor", "alice")
    assert status == 0, err
    found = re.search(r"Plan (RP-\d{8}-\d{6}) \(proposed\)", out)
    assert found is not None
    return found.group(1), out


def test_review_prints_the_appraisal_report_with_each_class_and_legal_basis(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(database, capsys, "review", "--at", LATER)

    assert status == 0
    assert "Appraisal report (as of 2058-01-01, profile china)" in out
    assert re.search(r"journal entries\s+│ destroy\s+│ 会计档案管理办法", out)
    assert re.search(r"return orders\s+│ destroy", out)
    assert re.search(r"\d+ records appraised, 0 overdue", out)


def test_a_plan_approved_by_another_and_applied_destroys_the_returns_after_a_backup(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    number, out = _plan(database, capsys)
    assert "Legal basis" in out
    assert re.search(r"return orders\s+│ destroy\s+│\s+2 │", out)

    status, _, err = _run(database, capsys, "approve", number, "--actor", "alice")
    assert status == 1
    assert f"alice proposed plan {number} and may not approve it" in err

    assert _run(database, capsys, "approve", number, "--actor", "bob")[0] == 0
    backups = tmp_path / "backups"
    backups.mkdir()
    status, out, err = _run(
        database, capsys, "apply", number, "--at", LATER, "--backups", str(backups)
    )
    assert status == 0, err
    assert f"Plan {number}: applied" in out
    assert f"Backup: {backups / number}.jsonl" in out
    assert re.search(r"Checksum: sha256:[0-9a-f]{64}", out)
    assert (backups / f"{number}.jsonl").stat().st_size > 0
    assert (backups / f"{number}.jsonl.sha256").exists()

    status, _, err = _run(database, capsys, "restore", FIRST)
    assert status == 1
    assert FIRST in err
    status, out, _ = _run(database, capsys, "plans")
    assert re.search(rf"{number}\s+│ applied", out)


def test_a_plan_that_destroys_is_not_applied_without_a_backup_directory(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    number, _ = _plan(database, capsys)
    assert _run(database, capsys, "approve", number, "--actor", "bob")[0] == 0

    status, _, err = _run(database, capsys, "apply", number, "--at", LATER)

    assert status == 1
    assert "give --backups DIR" in err


def test_a_hold_on_a_customer_keeps_their_returns_out_of_the_next_plan(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(
        database, capsys, "hold", "--customer", "C-1001", "--reason", "tax inspection 2057"
    )
    assert status == 0
    hold = re.search(r"Hold (\S+) placed on customer C-1001", out)
    assert hold is not None

    _, out = _plan(database, capsys)

    assert re.search(r"return orders\s+│ destroy\s+│\s+1 │", out)  # only the other customer's
    assert "held by hold" in out
    assert not re.search(r"Plan \S+ \(proposed\): \d+ items to act on, 0 records kept", out)
    status, out, _ = _run(database, capsys, "holds")
    assert hold.group(1) in out
    assert re.search(r"│ customer │ C-1001 │ tax", out)
    status, out, _ = _run(database, capsys, "release", hold.group(1))
    assert status == 0
    assert f"Hold {hold.group(1)} released" in out


def test_archive_and_restore_take_a_return_number(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(database, capsys, "archive", FIRST)
    assert status == 0
    assert f"Return {FIRST} archived" in out

    status, _, err = _run(database, capsys, "archive", FIRST)
    assert status == 1
    assert "archived already" in err

    status, out, _ = _run(database, capsys, "restore", FIRST)
    assert status == 0
    assert f"Return {FIRST} restored" in out


def test_erase_prints_the_request_its_status_and_what_it_erased(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(database, capsys, "erase", "C-1001", "--personal", "张伟")

    assert status == 0, err
    assert re.search(r"Erasure request ER-\d{8}-\d{6}: (completed|partly refused)", out)
    assert "Personal data erased" in out


def test_verify_log_passes_then_names_the_entry_changed_behind_its_back(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url, tenant = database
    assert _run(database, capsys, "plan", "--at", LATER)[0] == 0
    status, out, _ = _run(database, capsys, "log")
    assert status == 0
    assert "plan" in out
    assert "archive" in out

    assert main(["retention", "verify-log", "--url", url, "--lang", "en"]) == 0
    assert f"Tenant {tenant}: the operation log checks" in capsys.readouterr().out

    with sqlite3.connect(tmp_path / "returns.db") as connection:
        (text,) = connection.execute(
            "SELECT document FROM crm_returns_retention_log WHERE tenant_id = ? AND position = 1",
            (tenant,),
        ).fetchone()
        document = json.loads(text)
        document["outcome"] = "never happened"
        connection.execute(
            "UPDATE crm_returns_retention_log SET document = ? "
            "WHERE tenant_id = ? AND position = 1",
            (json.dumps(document), tenant),
        )

    assert main(["retention", "verify-log", "--url", url, "--lang", "en"]) == 1
    assert f"the retention log of tenant '{tenant}' breaks at entry 1" in capsys.readouterr().err


def test_a_plan_that_does_not_exist_is_one_line_and_exit_1(
    database: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(database, capsys, "items", "RP-20000101-000009")

    assert status == 1
    assert out == ""
    assert err.startswith("crm-returns: ")
    assert err.count("\n") == 1
