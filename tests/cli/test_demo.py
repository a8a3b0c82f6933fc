"""The ``crm-returns demo`` command: one return from the customer's request to their feedback."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from rich.console import Console

from crm_returns import Action, Actor, ReturnStatus
from crm_returns.cli import main
from crm_returns.cli.demo import demo_request, run_demo
from crm_returns.cli.wiring import DemoWiring, wire_demo
from crm_returns.cli.words import WORDS, Language
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.books.journal import EntryKind
from crm_returns.domain.money import Money
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.dispositions import Location
from crm_returns.labels import label

TableRows = Callable[[str, str], list[list[str]]]

NUMBER = "RT-20261127-000001"

ENGLISH_REASONS = ("Quality problem", "Changed requirement", "Damaged in transit")
CHINESE_REASONS = ("质量问题", "需求变更", "运输损坏")

# The audit trail of the demo as printed, one action per entry, oldest first.
ENGLISH_ACTIONS = [
    "Create draft", "File attached", "Accept request", "Submit", "Approve", "Approve",
    "Shipment tracked", "Shipment tracked", "Shipment tracked", "Contact logged",
    "Shipment tracked", "Shipment tracked", "Shipment tracked", "Receive goods", "Receive goods",
    "Inspect", "Finish repair", "Grant refund", "Record payment", "Settle payment", "Complete",
    "Contact logged", "Feedback given",
]  # fmt: skip
CHINESE_ACTIONS = [
    "创建退货单", "上传附件", "受理退货申请", "提交", "审批通过", "审批通过",
    "物流更新", "物流更新", "物流更新", "联系客户", "物流更新", "物流更新", "物流更新",
    "收货", "收货",
    "质检", "维修完成", "核定退款", "发起退款付款", "确认付款结果", "完成退货",
    "联系客户", "客户评价",
]  # fmt: skip

#: The e-mails to the customer (approved, refund granted, completed), each logged as a
#: contact by the notifier after the audit trail was printed.
AUTOMATIC_CONTACTS = 3


def _people(wiring: DemoWiring) -> list[Actor]:
    """Who takes each step of the demo, in the order of ``ENGLISH_ACTIONS``."""
    s = wiring.staff
    return [
        s.customer, s.customer, s.agent, s.agent, s.approver, s.inspector,
        s.agent, s.agent, s.agent, s.agent, s.warehouse, s.warehouse, s.warehouse,
        s.warehouse, s.warehouse, s.inspector, s.warehouse,
        s.finance, s.finance, s.finance, s.finance, s.agent, s.customer,
    ]  # fmt: skip


def column(rows: list[list[str]], index: int) -> list[str]:
    """The non-empty cells of column ``index`` (wrapped rows leave it empty)."""
    return [row[index] for row in rows if row[index]]


def test_english_demo_prints_the_completed_return_its_reasons_and_audit_actions(
    capsys: pytest.CaptureFixture[str], table_rows: TableRows
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
    capsys: pytest.CaptureFixture[str], table_rows: TableRows, argv: list[str]
) -> None:
    assert main(argv) == 0

    out = capsys.readouterr().out
    assert f"退货单号: {NUMBER}" in out
    assert "状态: 已完成" in out
    for reason in CHINESE_REASONS:
        assert reason in out
    assert column(table_rows(out, "操作日志"), 2) == CHINESE_ACTIONS
    english = {
        *ENGLISH_REASONS,
        *WORDS["en"].values(),
        *(label(value, "en") for kind in (Location, EntryKind, RefundMethod) for value in kind),
        *(account.name for account in DEFAULT_CHART.accounts()),
    }
    assert sorted(text for text in english if text in out) == []


def test_each_step_is_taken_by_the_person_whose_job_it_is(
    demo_text: str,
    demo_wiring: DemoWiring,
    demo_order: ReturnOrder,
    language: Language,
    table_rows: TableRows,
) -> None:
    people = _people(demo_wiring)
    trail = demo_wiring.service.audit_trail(demo_wiring.staff.clerk, demo_order.id)
    printed, logged = trail[: len(people)], trail[len(people) :]
    assert [entry.actor_id for entry in printed] == [person.id for person in people]
    assert [entry.action for entry in printed] == [
        Action.DRAFT, Action.ATTACH, Action.ACCEPT, Action.SUBMIT, Action.APPROVE,
        Action.APPROVE, Action.TRACK, Action.TRACK, Action.TRACK, Action.CONTACT, Action.TRACK,
        Action.TRACK, Action.TRACK, Action.RECEIVE, Action.RECEIVE, Action.INSPECT,
        Action.FINISH_REPAIR, Action.GRANT_REFUND, Action.RECORD_PAYMENT, Action.SETTLE_PAYMENT,
        Action.COMPLETE, Action.CONTACT, Action.FEEDBACK,
    ]  # fmt: skip
    # The notifier logged each e-mail to the customer as a contact, once.
    assert [entry.action for entry in logged] == [Action.CONTACT] * AUTOMATIC_CONTACTS
    title = WORDS[language]["audit"]
    assert column(table_rows(demo_text, title), 1) == [person.name for person in people]
    # Finance (孙丽) grants, pays and completes; nobody was refused anything.
    assert demo_wiring.staff.finance.name == "孙丽 (财务)"
    assert demo_wiring.service.tenant_audit_trail(demo_wiring.staff.admin) == ()


def test_printed_refund_is_the_completed_orders_refund(
    english_text: str, english_wiring: DemoWiring, english_order: ReturnOrder, table_rows: TableRows
) -> None:
    order = english_order

    assert order.status is ReturnStatus.COMPLETED
    assert english_wiring.service.get_return(english_wiring.staff.clerk, order.id) == order
    assert f"Refund: {order.refund}" in english_text
    rows = table_rows(english_text, "Return lines")
    assert column(rows, 0) == [str(line.ref) for line in order.lines]
    assert column(rows, -1) == [str(line.refund) for line in order.lines]
    # One cable was rejected at inspection, so less is refunded than was estimated.
    assert column(rows, 7) == ["0", "1", "0"]
    assert f"Estimated refund: {order.refund}" not in english_text


def test_preview_shows_the_estimate_net_of_the_restocking_fee(
    english_text: str, table_rows: TableRows
) -> None:
    wiring = wire_demo()
    preview = wiring.service.preview_return(wiring.staff.clerk, demo_request("en"))
    fee = Money.total((line.fee for line in preview.refund_lines), preview.refund.currency)

    rows = table_rows(english_text, "Customer: 张伟 (C-1001)")

    assert column(rows, 0) == [str(line.ref) for line in preview.lines]
    assert column(rows, -1) == [str(line.refund) for line in preview.lines]
    assert f"Estimated refund: {preview.refund}" in english_text
    assert f"Restocking fee deducted: {fee}" in english_text
    assert fee.amount > 0


def test_return_lines_show_where_the_units_went(english_text: str, table_rows: TableRows) -> None:
    # A line's cells may wrap onto the rows below it: join them back per line.
    decided: dict[str, list[str]] = {}
    ref = ""
    for row in table_rows(english_text, "Return lines"):
        ref = row[0] or ref
        decided.setdefault(ref, []).extend(row[3].split())

    assert {ref: " ".join(words) for ref, words in decided.items()} == {
        "SO-1001/1": "2 × restock",
        "SO-1001/2": "2 × restock 1 × back to customer",
        "SO-1001/3": "1 × repair",
    }


def test_main_prints_the_refund_the_demo_completes_with(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = run_demo("en", Console(file=io.StringIO())).refund

    assert main(["demo", "--lang", "en"]) == 0

    assert f"Refund: {expected}" in capsys.readouterr().out


def test_output_to_a_pipe_is_120_columns_wide(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, language: Language
) -> None:
    monkeypatch.delenv("COLUMNS")

    assert main(["demo", "--lang", language]) == 0

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


@pytest.mark.parametrize(
    ("language", "heading", "subject"),
    [
        (
            "en",
            "Step 9 · Notification e-mails (the 8 a local SMTP server received)",
            "Subject: Your return RT-20261127-000001 is approved",
        ),
        (
            "zh",
            "第 9 步 · 通知邮件（本机 SMTP 服务器收到的 8 封）",
            "主题: 您的退货单 RT-20261127-000001 已批准",
        ),
    ],
)
def test_the_demo_prints_the_emails_a_local_smtp_server_received(
    capsys: pytest.CaptureFixture[str], language: Language, heading: str, subject: str
) -> None:
    assert main(["demo", "--db", "memory", "--lang", language]) == 0
    out = capsys.readouterr().out
    mail = out[out.index(heading) :]
    assert subject in mail
    to = "To" if language == "en" else "收件人"
    assert [line.split()[-1] for line in mail.splitlines() if line.startswith(f"{to}:")] == [
        "lin.service@shop.example",  # the customer's request, to decide
        "chen.manager@shop.example",  # asked to approve
        "zhang.wei@example.com",  # approved
        "liu.warehouse@shop.example",  # goods on their way
        "liu.warehouse@shop.example",  # the parcel delivered
        "sun.finance@shop.example",  # inspected: grant the refund
        "zhang.wei@example.com",  # refund granted
        "zhang.wei@example.com",  # complete
    ]


def test_the_local_mailbox_keeps_what_an_smtp_mailer_sends_it() -> None:
    from crm_returns.adapters.smtp import SmtpMailer, SmtpSecurity, SmtpSettings
    from crm_returns.cli.mailbox import local_mailbox, plain_text
    from crm_returns.ports import Email

    with local_mailbox() as mailbox:
        settings = SmtpSettings(host="127.0.0.1", port=mailbox.port, security=SmtpSecurity.NONE)
        SmtpMailer(settings).send(
            Email(
                message_id="<m-1@crm-returns>",
                sender="returns@shop.example",
                to=("zhang.wei@example.com",),
                subject="退货单已批准",
                text="您好，张伟",
            )
        )
    (message,) = mailbox.received
    assert (str(message["Subject"]), plain_text(message)) == ("退货单已批准", "您好，张伟")
    assert str(message["Message-ID"]) == "<m-1@crm-returns>"


def test_the_demo_archives_a_second_return_and_shows_a_plan_for_the_first(
    english_text: str, table_rows: TableRows
) -> None:
    assert "Step 11 · Retiring records: archive, and a destruction plan" in english_text
    assert "Another return, RT-20261203-000001 (customer C-1002), completed" in english_text
    assert "archives return RT-20261203-000001: read-only" in english_text
    assert "The clock moves to 2057-12-05 (31 years on)" in english_text
    plan = re.search(r"Plan (RP-20571205-\d{6}) \(proposed\): (\d+) items", english_text)
    assert plan is not None
    title = f"Plan {plan[1]}: records of return {NUMBER} (4 of {plan[2]} items)"
    items = table_rows(english_text, title)
    assert next(row[1] for row in items if row[1]) == "return orders"
    assert all(row[3] == "destroy" for row in items if row[3])
    assert any(row[5].startswith("会计档案管理办法") for row in items)
    assert "Appraisal report (as of 2057-12-05, profile china)" in english_text
