"""The demo keeps its data in a database; ``crm-returns db`` upgrades and checks one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from tests.adapters.postgres import fresh_schema, postgres_url

from crm_returns.adapters.sql import SqlDatabase, create_engine, current_revision
from crm_returns.cli import DEMO_CHART, DEMO_DATABASE_URL, main
from crm_returns.cli.database import EXIT_CANNOT_CHECK, EXIT_NEWER, EXIT_OLDER, EXIT_UP_TO_DATE
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
    assert main(["demo", "--lang", "en", "--db", "memory", "--chart", ""]) == 0
    assert "tenant demo-" not in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_the_demo_ends_with_a_report_and_writes_its_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--lang", "zh", "--db", "memory"]) == 0
    out = capsys.readouterr().out
    report = out[out.index("第 12 步") :]
    assert "退货原因（帕累托）" in report
    assert "质量问题" in report  # the reasons by their labels
    assert "2232.82" in report  # merchandise value returned, in CNY
    assert f"图表已写入 {DEMO_CHART}" in report
    chart = tmp_path / DEMO_CHART
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in tmp_path.iterdir()] == [DEMO_CHART]


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


def test_db_check_and_current_follow_a_new_database_through_its_upgrade(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert main(["db", "check", "--url", url]) == EXIT_OLDER
    said = capsys.readouterr()
    assert "revision none, this crm_returns needs 0006: run `crm-returns db upgrade`" in said.err
    assert main(["db", "current", "--url", url]) == 0
    assert "revision none" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", url]) == 0
    capsys.readouterr()
    assert main(["db", "check", "--url", url]) == EXIT_UP_TO_DATE
    assert "revision 0006, the one this crm_returns needs: up to date" in capsys.readouterr().out
    assert main(["db", "current", "--url", url]) == 0
    assert "tables crm_returns_*: revision 0006" in capsys.readouterr().out


def test_db_check_tells_tables_of_a_newer_package_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert main(["db", "upgrade", "--url", url]) == 0
    database = SqlDatabase.connect(url)
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE \"crm_returns_alembic_version\" SET version_num = '0009'"
        )
    database.dispose()
    capsys.readouterr()
    assert main(["db", "check", "--url", url]) == EXIT_NEWER
    assert "revision 0009, unknown to this crm_returns (it needs 0006)" in capsys.readouterr().err
    assert main(["db", "upgrade", "--url", url]) == 1  # an older package does not touch them
    assert "0009" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments",
    [
        ["--url", "mysql://somewhere/db"],
        ["--url", "not a url"],
        ["--url", "sqlite:///x.db", "--table-prefix", "Returns"],
        ["--url", "sqlite:///x.db", "--schema", "crm"],
    ],
)
@pytest.mark.parametrize("action", ["check", "current", "upgrade"])
def test_a_db_command_on_a_database_it_cannot_use_says_why_and_exits_1(
    action: str, arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", action, *arguments]) == EXIT_CANNOT_CHECK
    said = capsys.readouterr()
    assert said.err.startswith("crm-returns: ")
    assert "Traceback" not in said.err
    assert list(tmp_path.iterdir()) == []  # nothing was made


def test_db_commands_take_a_schema_and_a_table_prefix_and_hide_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The test server trusts its clients: the password is only there to be hidden.
    secret = make_url(postgres_url()).set(password="s3cret")  # noqa: S106 - see above
    url = secret.render_as_string(hide_password=False)
    with fresh_schema(url, "cli") as schema:
        where = ["--url", url, "--schema", schema]
        assert main(["db", "upgrade", *where, "--table-prefix", "rma_"]) == 0
        assert main(["db", "check", *where, "--table-prefix", "rma_"]) == EXIT_UP_TO_DATE
        assert main(["db", "check", *where]) == EXIT_OLDER  # crm_returns_* are not there
        said = capsys.readouterr()
        assert f"schema {schema}, tables rma_*: schema at revision 0006" in said.out
        assert "s3cret" not in said.out + said.err
        engine = create_engine(url)
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names(schema=schema))
        engine.dispose()
        assert {"rma_returns", "rma_alembic_version"} <= tables
        assert not any(name.startswith("crm_returns_") for name in tables)
