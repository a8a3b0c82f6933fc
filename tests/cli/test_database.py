"""The demo keeps its data in a database, and ``crm-returns db upgrade`` prepares one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.adapters.postgres import postgres_url

from crm_returns.adapters.sql import SqlDatabase, current_revision
from crm_returns.cli import DEMO_DATABASE_URL, main
from crm_returns.cli.wiring import wire_demo
from crm_returns.domain.queries import ReturnQuery
from crm_returns.domain.returns.states import ReturnStatus

TENANT = re.compile(r"tenant (demo-[0-9a-f]{8})")


def _stored_returns(url: str, tenant: str) -> list[tuple[str, ReturnStatus]]:
    database = SqlDatabase.connect(url)
    try:
        wiring = wire_demo(tenant=tenant, unit_of_work=database.unit_of_work)
        page = wiring.service.list_returns(wiring.staff.clerk, ReturnQuery())
        return [(order.number, order.status) for order in page.items]
    finally:
        database.dispose()


def test_the_demo_keeps_its_return_in_a_sqlite_file_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--lang", "en"]) == 0
    found = TENANT.search(capsys.readouterr().out)
    assert found is not None
    assert (tmp_path / "crm-returns-demo.sqlite3").exists()
    stored = _stored_returns(DEMO_DATABASE_URL, found.group(1))
    assert stored == [("RT-20261127-000001", ReturnStatus.COMPLETED)]


def test_each_run_keeps_its_data_apart(capsys: pytest.CaptureFixture[str]) -> None:
    tenants = []
    for _ in range(2):
        assert main(["demo", "--lang", "en"]) == 0
        found = TENANT.search(capsys.readouterr().out)
        assert found is not None
        tenants.append(found.group(1))
    assert tenants[0] != tenants[1]
    for tenant in tenants:
        assert len(_stored_returns(DEMO_DATABASE_URL, tenant)) == 1


def test_the_demo_can_stay_in_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--lang", "en", "--db", "memory"]) == 0
    assert "tenant demo-" not in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_the_demo_runs_on_postgresql(capsys: pytest.CaptureFixture[str]) -> None:
    url = postgres_url()
    assert main(["demo", "--lang", "zh", "--db", url]) == 0
    found = TENANT.search(capsys.readouterr().out.replace("租户 ", "tenant "))
    assert found is not None
    assert _stored_returns(url, found.group(1)) == [("RT-20261127-000001", ReturnStatus.COMPLETED)]


def test_db_upgrade_brings_a_new_database_to_the_latest_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert current_revision(url) is None
    assert main(["db", "upgrade", "--url", url]) == 0
    revision = current_revision(url)
    assert revision is not None
    assert f"revision {revision}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", url]) == 0  # again: nothing to do, no error


def test_db_upgrade_of_an_unsupported_database_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--url", "mysql://somewhere/db"]) == 1
    assert "SQLite and PostgreSQL" in capsys.readouterr().err


def test_a_database_that_cannot_be_used_is_reported_not_raised(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--db", "mysql://somewhere/db"]) == 1
    assert "SQLite and PostgreSQL" in capsys.readouterr().err
