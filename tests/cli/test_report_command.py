"""``crm-returns report NAME`` prints each report of a stored database as a readable table.

Every test reads the SQLite file the demo ran on (see ``report_support``):
two completed returns of the demo's tenant, in November and December 2026.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.adapters.postgres import postgres_url
from tests.cli.report_support import AT, WINDOW, Stored, add_requests, report, stored_demo

from crm_returns.cli import main

Rows = Callable[[str, str], list[list[str]]]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """The demo's database, read by every test of this module and changed by none."""
    return stored_demo(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def with_requests(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """The demo's database and two requests of 张伟: one declined, one still pending."""
    stored = stored_demo(tmp_path_factory.mktemp("requests"))
    add_requests(stored)
    return stored


def test_reasons_rank_the_counted_lines_with_their_shares_under_the_window_they_cover(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    ran = report(stored, capsys, "reasons", *WINDOW)

    assert ran.status == 0, ran.err
    assert (
        f"Tenant {stored.tenant} · 2026-11-01 to 2026-12-31 (Asia/Shanghai, by return date)"
        in ran.out
    )
    assert table_rows(ran.out, "Return reasons (Pareto)") == [
        ["Damaged in transit", "2", "2", "50.0%", "50.0%"],
        ["Changed requirement", "1", "3", "25.0%", "75.0%"],
        ["Quality problem", "1", "2", "25.0%", "100.0%"],
    ]


def test_reasons_are_ranked_by_category_and_units_when_asked(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    ran = report(stored, capsys, "reasons", *WINDOW, "--level", "category", "--measure", "units")

    assert ran.status == 0, ran.err
    assert table_rows(ran.out, "Return reasons (Pareto)") == [
        ["Customer's choice", "1", "3", "42.9%", "42.9%"],
        ["Logistics", "2", "2", "28.6%", "71.4%"],
        ["Quality", "1", "2", "28.6%", "100.0%"],
    ]


def test_reports_speak_chinese(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    ran = report(stored, capsys, "reasons", *WINDOW, lang="zh")

    assert (
        f"租户 {stored.tenant} · 2026-11-01 至 2026-12-31（Asia/Shanghai，按退货日期）" in ran.out
    )
    assert [row[0] for row in table_rows(ran.out, "退货原因（帕累托）")] == [
        "运输损坏",
        "需求变更",
        "质量问题",
    ]


def test_the_window_is_the_last_30_days_to_today_unless_told(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = report(stored, capsys, "reasons", "--at", "2026-12-10", "--tz", "UTC")

    assert "2026-11-11 to 2026-12-10 (UTC, by return date)" in ran.out
    assert "Damaged in transit" in ran.out


def test_the_date_basis_and_the_status_filter_choose_the_lines_counted(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    # 张伟 ordered on 2026-11-22, 李娜 on 2026-11-20: only 张伟's lines are in the window.
    by_order = report(
        stored, capsys, "reasons", "--from", "2026-11-21", "--to", "2026-11-30", "--basis", "order"
    )
    approved = report(stored, capsys, "reasons", *WINDOW, "--status", "approved,inspected")

    assert "(Asia/Shanghai, by order date)" in by_order.out
    assert [row[:2] for row in table_rows(by_order.out, "Return reasons (Pareto)")] == [
        ["Changed requirement", "1"],
        ["Quality problem", "1"],
        ["Damaged in transit", "1"],
    ]
    assert table_rows(approved.out, "Return reasons (Pareto)") == []
    assert "(nothing in this window)" in approved.out


def test_sku_reasons_show_a_row_per_top_sku_and_a_column_per_reason_by_its_label(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    every = report(stored, capsys, "sku-reasons", *WINDOW)
    top = report(stored, capsys, "sku-reasons", *WINDOW, "--top", "2")

    rows = table_rows(every.out, "SKU × reason (returned lines)")
    assert [row[0] for row in rows] == ["CBL-02", "LMP-05", "MON-27", "MSE-01"]
    assert rows[3] == ["MSE-01", "0", "0", "1"]
    assert "Damaged in transit" in every.out
    assert "damaged_in_transit" not in every.out
    assert len(table_rows(top.out, "SKU × reason (returned lines)")) == 2


def test_rates_divide_what_came_back_by_what_the_sample_shop_delivered(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    young = report(stored, capsys, "rates", *WINDOW, *AT)
    later = report(stored, capsys, "rates", *WINDOW, "--at", "2027-03-01")

    assert "(Asia/Shanghai, by order date)" in young.out
    assert table_rows(young.out, "Return rates by order cohort") == [
        ["2026-11-01", "immature", "7", "21", "33.3%", "2", "2", "100.0%", "CNY", "2431.82",
         "7818.10", "31.1%"],
    ]  # fmt: skip
    assert table_rows(later.out, "Return rates by order cohort")[0][1] == "mature"


def test_rates_are_broken_down_by_what_was_delivered_when_asked(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = report(stored, capsys, "rates", *WINDOW, *AT, "--by", "sku", "--format", "csv")

    assert ran.status == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[0].startswith("cohort,sku,maturity,units_returned,units_delivered,unit_rate,")
    assert [line.split(",")[:6] for line in lines[1:]] == [
        ["2026-11-01", "CBL-02", "immature", "3", "10", "0.300000"],
        ["2026-11-01", "CHR-10", "immature", "0", "1", "0.000000"],
        ["2026-11-01", "LMP-05", "immature", "1", "3", "0.333333"],
        ["2026-11-01", "MON-27", "immature", "1", "2", "0.500000"],
        ["2026-11-01", "MSE-01", "immature", "2", "5", "0.400000"],
    ]


#: The host's own order source (tests/cli/host_orders.py): 60 mice and 8 lamps on 2026-11-20.
HOST_ORDERS = ("--orders", "tests.cli.host_orders:orders")


def test_rates_divide_by_what_the_host_delivered_when_given_its_orders(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    ran = report(stored, capsys, "rates", *WINDOW, *AT, *HOST_ORDERS)

    assert ran.status == 0, ran.err
    # The same 7 units came back; the host delivered 68 (9332.00), not the sample shop's 21.
    assert table_rows(ran.out, "Return rates by order cohort") == [
        ["2026-11-01", "immature", "7", "68", "10.3%", "2", "2", "100.0%", "CNY", "2431.82",
         "9332.00", "26.1%"],
    ]  # fmt: skip
    assert ran.err == ""


def test_rates_of_any_tenant_are_read_from_the_host_s_orders(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    ran = report(Stored(stored.url, "acme"), capsys, "rates", *WINDOW, *AT, *HOST_ORDERS)

    assert ran.status == 0, ran.err
    assert table_rows(ran.out, "Return rates by order cohort") == [
        ["2026-11-01", "immature", "0", "68", "0.0%", "0", "2", "0.0%", "CNY", "0.00", "9332.00",
         "0.0%"],
    ]  # fmt: skip


def test_frequent_returners_unit_rates_divide_by_what_the_host_delivered_to_them(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    ran = report(stored, capsys, "frequent-returners", *WINDOW, "--min-returns", "1", *HOST_ORDERS)

    assert ran.status == 0, ran.err
    assert table_rows(ran.out, "Customers with many returns") == [
        ["C-1001", "1", "3", "6", "60", "10.0%", "CNY", "2232.82"],
        ["C-1002", "1", "1", "1", "8", "12.5%", "CNY", "199.00"],
    ]


def test_cycle_times_give_each_stage_against_the_service_level(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    ran = report(stored, capsys, "cycle-times", *WINDOW)

    rows = table_rows(ran.out, "Cycle time per stage")
    assert rows[0] == ["approval", "2", "0.0 h", "3.1 h", "3.1 h", "48.0 h", "100.0%"]
    assert rows[-1] == ["whole return", "2", "48.0 h", "135.6 h", "135.6 h", "—", "—"]


def test_frequent_returners_are_those_with_at_least_min_returns(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    by_default = report(stored, capsys, "frequent-returners", *WINDOW)
    any_return = report(stored, capsys, "frequent-returners", *WINDOW, "--min-returns", "1")

    assert table_rows(by_default.out, "Customers with many returns") == []
    assert table_rows(any_return.out, "Customers with many returns") == [
        ["C-1001", "1", "3", "6", "17", "35.3%", "CNY", "2232.82"],
        ["C-1002", "1", "1", "1", "4", "25.0%", "CNY", "199.00"],
    ]


def test_satisfaction_gives_the_scores_overall_or_per_reason(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    overall = report(stored, capsys, "satisfaction", *WINDOW)
    per_reason = report(stored, capsys, "satisfaction", *WINDOW, "--by", "reason")

    assert table_rows(overall.out, "Customer satisfaction") == [
        ["1", "5.00", "0", "0", "0", "0", "1"]
    ]
    assert [row[:3] for row in table_rows(per_reason.out, "Customer satisfaction")] == [
        ["Changed requirement", "1", "5.00"],
        ["Damaged in transit", "1", "5.00"],
        ["Quality problem", "1", "5.00"],
    ]


def test_a_breakdown_groups_money_by_period_and_reason_per_status_group_and_currency(
    stored: Stored,
    capsys: pytest.CaptureFixture[str],
    table_rows: Rows,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "180")  # 13 columns: a wide terminal shows them on one line
    ran = report(stored, capsys, "breakdown", *WINDOW, "--by", "reason", "--period", "month")

    rows = [row for row in table_rows(ran.out, "Returned lines, grouped") if row[0]]
    assert rows == [
        ["counted", "2026-11-01", "Changed requirement", "CNY", "1", "1", "3", "75.82", "55.82",
         "55.82", "20.00", "0.00", "0.00"],
        ["counted", "2026-11-01", "Damaged in transit", "CNY", "1", "1", "1", "1899.00", "1899.00",
         "1899.00", "0.00", "0.00", "0.00"],
        ["counted", "2026-11-01", "Quality problem", "CNY", "1", "1", "2", "258.00", "258.00",
         "258.00", "0.00", "0.00", "0.00"],
        ["counted", "2026-12-01", "Damaged in transit", "CNY", "1", "1", "1", "199.00", "199.00",
         "199.00", "0.00", "0.00", "0.00"],
    ]  # fmt: skip


def test_the_exports_show_their_lines_and_returns_on_screen(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    lines = report(stored, capsys, "lines", *WINDOW)
    returns = report(stored, capsys, "returns", *WINDOW, lang="zh")

    assert [row[:4] for row in table_rows(lines.out, "Returned lines")] == [
        ["RT-20261127-000001", "SO-1001/1", "MSE-01", "Quality problem"],
        ["RT-20261127-000001", "SO-1001/2", "CBL-02", "Changed requirement"],
        ["RT-20261127-000001", "SO-1001/3", "MON-27", "Damaged in transit"],
        ["RT-20261203-000001", "SO-1002/2", "LMP-05", "Damaged in transit"],
    ]
    assert table_rows(returns.out, "退货单") == [
        ["RT-20261127-000001", "C-1001", "已完成", "3", "6", "CNY", "2232.82", "2212.82",
         "2212.82"],
        ["RT-20261203-000001", "C-1002", "已完成", "1", "1", "CNY", "199.00", "199.00", "199.00"],
    ]  # fmt: skip


def test_declined_requests_are_ranked_by_their_decline_reason(
    with_requests: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    ran = report(with_requests, capsys, "decline-reasons", *WINDOW)

    assert table_rows(ran.out, "Why customers' requests were declined (Pareto)") == [
        ["Outside the return window", "1", "0", "100.0%", "100.0%"]  # a declined one claims none
    ]


def test_open_returns_are_counted_by_status_and_age_as_of_the_moment_asked(
    with_requests: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    # The pending request was made on 2026-11-27: ten local days before 2026-12-07.
    ran = report(with_requests, capsys, "open-by-age", *AT)

    assert f"Tenant {with_requests.tenant} · as of 2026-12-07 12:00 (Asia/Shanghai)" in ran.out
    assert table_rows(ran.out, "Open returns by status and age") == [
        ["Draft", "8–14", "8", "14", "1"]
    ]


def test_nothing_of_another_tenant_is_shown(
    stored: Stored, capsys: pytest.CaptureFixture[str], table_rows: Rows
) -> None:
    other = Stored(stored.url, "demo-00000000")

    ran = report(other, capsys, "reasons", *WINDOW)

    assert ran.status == 0
    assert table_rows(ran.out, "Return reasons (Pareto)") == []


def test_the_demo_ends_with_the_command_that_reports_on_its_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}", "--chart", ""]) == 0
    hint = capsys.readouterr().out.splitlines()[-1]
    assert hint.startswith("查看报表：crm-returns report reasons --db sqlite:///")

    argv = shlex.split(hint.removeprefix("查看报表：crm-returns "))
    assert main([*argv, "--at", "2026-12-10"]) == 0
    assert "运输损坏" in capsys.readouterr().out


def test_reports_run_on_postgresql(capsys: pytest.CaptureFixture[str], table_rows: Rows) -> None:
    url = postgres_url()
    assert main(["demo", "--db", url, "--lang", "en", "--chart", ""]) == 0
    found = re.search(r"tenant (demo-[0-9a-f]{8})", capsys.readouterr().out)
    assert found is not None

    ran = report(Stored(url, found.group(1)), capsys, "reasons", *WINDOW)

    assert [row[:2] for row in table_rows(ran.out, "Return reasons (Pareto)")] == [
        ["Damaged in transit", "2"],
        ["Changed requirement", "1"],
        ["Quality problem", "1"],
    ]
