"""``crm-returns report`` says what is wrong in one line and exits non-zero, never with a traceback.

Usage errors and a missing extra exit 2; a database or a value that cannot be
used exits 1.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from tests.cli.report_support import WINDOW, Stored, no_file_left, report, stored_demo

from crm_returns.cli import main
from crm_returns.cli.report import EXIT_USAGE


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """The demo's database."""
    return stored_demo(tmp_path_factory.mktemp("report-errors"))


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--tz", "Mars/Base"], "unknown time zone 'Mars/Base': give an IANA name"),
        (["--from", "2026-13-01"], "'2026-13-01' is not a day such as 2026-11-30"),
        (["--status", "done"], "'done' names no status: one of draft, submitted"),
        (["--top", "0"], "'0' is not a whole number of 1 or more"),
        (["--format", "xlsx"], "invalid choice: 'xlsx'"),
    ],
)
def test_a_value_argparse_cannot_read_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], options: list[str], said: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "reasons", "--tenant", "demo-1", *options])

    assert exited.value.code == EXIT_USAGE
    assert said in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "options", "said"),
    [
        ("reasons", ["--from", "2026-12-01", "--to", "2026-11-01"],
         "--to 2026-11-01 is before --from 2026-12-01"),
        ("lines", ["--format", "parquet"], "Parquet is written to a file: give --output FILE"),
        ("lines", ["--format", "jsonl", "--bom"], "--bom is for --format csv"),
        ("reasons", ["--output", "r.txt"], "--output is for --format csv, jsonl or parquet; a "
         "table goes to standard output"),
        ("reasons", ["--chart", "r.gif"], "--chart r.gif: a chart is a .png or .svg file"),
        ("satisfaction", ["--chart", "s.png"], "--chart is for the reports reasons, "
         "decline-reasons, sku-reasons, rates, cycle-times, not satisfaction"),
        ("reasons", ["--top", "3"], "--top is for the reports sku-reasons, not reasons"),
        ("reasons", ["--orders", "tests.cli.host_orders:orders"], "--orders is for the reports "
         "rates, frequent-returners, not reasons"),
        ("reasons", ["--by", "reason"], "--by is for the reports breakdown, satisfaction, "
         "cycle-times, rates, not reasons"),
        ("rates", ["--by", "reason"], "rates are broken down by one --by dimension of what was "
         "delivered: category, customer, product, sku"),
        ("rates", ["--by", "sku", "--chart", "r.png"], "--chart draws the rates of whole "
         "cohorts: leave out --by"),
        ("cycle-times", ["--by", "reason"], "cycle-times is grouped by --by owner or --by team"),
        ("satisfaction", ["--by", "reason", "--by", "sku"], "satisfaction is broken down by one "
         "--by dimension, other than satisfaction"),
        ("breakdown", ["--by", "sku", "--by", "sku"], "--by names a dimension twice"),
        ("breakdown", [f"--by={d}" for d in ("sku", "reason", "owner", "team")],
         "breakdown groups by at most three --by dimensions"),
    ],
)  # fmt: skip
def test_options_that_do_not_go_together_are_a_usage_error_before_any_database_is_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, options: list[str], said: str
) -> None:
    with no_file_left(tmp_path):
        status = main(["report", name, "--tenant", "demo-1", *options])

    assert status == EXIT_USAGE
    assert capsys.readouterr().err == f"crm-returns report: {said}\n"


@pytest.mark.parametrize("name", ["rates", "frequent-returners"])
def test_a_report_dividing_by_what_was_delivered_needs_the_host_s_orders_beyond_the_demo(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    # Rather than rates divided by nothing: the command line knows the demo's orders only.
    with no_file_left(tmp_path):
        status = main(["report", name, "--tenant", "acme"])

    assert status == EXIT_USAGE
    assert capsys.readouterr().err == (
        f"crm-returns report: the {name} report needs what tenant acme delivered: give --orders "
        "MODULE:CALLABLE, a function of yours that returns your OrderSource (only the demo's "
        "tenants, demo-…, have sample orders)\n"
    )


@pytest.mark.parametrize(
    ("orders", "said"),
    [
        ("my_crm", "must be 'package.module:callable'"),
        (":orders", "must be 'package.module:callable'"),
        (".host_orders:orders", "must be 'package.module:callable'"),
        ("no_such_module_here:orders", "cannot load no_such_module_here:orders: No module "
         "named 'no_such_module_here'"),
        ("tests.cli.host_orders:nothing", "cannot load tests.cli.host_orders:nothing: module "
         "'tests.cli.host_orders' has no attribute 'nothing'"),
        ("tests.cli.host_orders:LINES", "cannot load tests.cli.host_orders:LINES: a tuple is "
         "not callable"),
        ("tests.cli.host_orders:lines", "tests.cli.host_orders:lines() made a tuple, not an "
         "OrderSource (it has no search, get_lines, delivered_totals)"),
    ],
)  # fmt: skip
def test_orders_naming_no_order_source_are_a_usage_error_before_any_database_is_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, orders: str, said: str
) -> None:
    with no_file_left(tmp_path):
        status = main(["report", "rates", "--tenant", "acme", "--orders", orders])

    assert status == EXIT_USAGE
    assert capsys.readouterr().err == f"crm-returns report: --orders: {said}\n"


def test_without_a_database_file_the_report_says_to_run_the_demo_and_makes_none(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with no_file_left(tmp_path):
        status = main(["report", "reasons", "--tenant", "demo-1"])

    assert status == 1
    assert capsys.readouterr().err == (
        "crm-returns: no database at crm-returns-demo.sqlite3: run `crm-returns demo` first, "
        "or give --db URL\n"
    )


def test_a_database_without_the_tables_says_to_upgrade_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sqlite3.connect(tmp_path / "empty.db").close()

    status = main(
        ["report", "reasons", "--db", f"sqlite:///{tmp_path / 'empty.db'}", "--tenant", "t"]
    )

    assert status == 1
    assert "crm-returns db upgrade" in capsys.readouterr().err


def test_a_database_that_cannot_be_used_is_reported_not_raised(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", "reasons", "--db", "mysql://somewhere/db", "--tenant", "t"]) == 1
    assert "SQLite and PostgreSQL" in capsys.readouterr().err


def test_a_malformed_tenant_is_refused_with_the_reason(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = report(Stored(stored.url, "t" * 65), capsys, "reasons", *WINDOW)

    assert ran.status == 1
    assert ran.err.startswith("crm-returns: tenant_id")
    assert "64" in ran.err
    assert ran.out == ""


def test_parquet_without_pyarrow_asks_for_the_analytics_extra_and_writes_nothing(
    stored: Stored,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what an import of a missing module meets
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    monkeypatch.delitem(sys.modules, "crm_returns.analytics._parquet", raising=False)

    with no_file_left(tmp_path):
        ran = report(stored, capsys, "lines", *WINDOW, "--format", "parquet", "--output", "l.pq")

    assert ran.status == 2
    assert "pip install 'crm-returns[analytics]'" in ran.err


def test_a_chart_without_matplotlib_asks_for_the_charts_extra(
    stored: Stored,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)

    with no_file_left(tmp_path):
        ran = report(stored, capsys, "reasons", *WINDOW, "--chart", "r.png")

    assert ran.status == 2
    assert "Damaged in transit" in ran.out  # the table came first
    assert "pip install 'crm-returns[charts]'" in ran.err


def test_the_help_names_every_report_and_who_runs_them(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "--help"])

    said = " ".join(capsys.readouterr().out.split())
    assert exited.value.code == 0
    assert "as an analyst of the tenant ('crm-returns-report', role 'analyst'" in said
    for name in ("reasons", "decline-reasons", "open-by-age", "breakdown", "lines", "returns"):
        assert f"{name} —" in said
