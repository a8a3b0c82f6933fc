"""Draw the report pictures of docs/analytics.md: `python docs/images/make_report_pictures.py`.

Runs a small month of the sample shop through the service — completed,
rejected and open returns, a customer's request declined, feedback — and
saves each report as ``crm-returns report`` shows it in a terminal, as an
SVG (``report-<name>.svg``).  Needs the ``cli`` extra.  The clock is the
sample's manual clock, so running it again gives the same pictures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from crm_returns import (
    Actor,
    Dimension,
    FactQuery,
    Inspection,
    LineRef,
    Receipt,
    ReportPeriod,
    ReportWindow,
    RequestedLine,
    ReturnRequest,
)
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.report_facts import BREAKDOWN_FIGURES, breakdown_table, satisfaction_table
from crm_returns.cli.report_rows import (
    ReportTable,
    age_table,
    decline_table,
    rates_table,
    returners_table,
)
from crm_returns.cli.report_tables import ReportLabels, report_table
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring, sample_wiring

HERE = Path(__file__).parent
ZONE = ZoneInfo("Asia/Shanghai")
MOUSE, CABLE, MONITOR = (LineRef("SO-1001", n) for n in ("1", "2", "3"))
CHAIR, LAMP = LineRef("SO-1002", "1"), LineRef("SO-1002", "2")
ANALYST = Actor("u-bi", "数据分析师", SAMPLE_TENANT, {"analyst"})
AGENT = Actor("u-cs", "客服小王", SAMPLE_TENANT, {"customer_service"})
ZHANG = Actor("p-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
LI = Actor("p-li", "李娜", SAMPLE_TENANT, {"customer"}, customer_id="C-1002")


def _month(w: Wiring) -> None:
    """Completed, rejected, declined and open returns of the sample shop, with feedback."""
    s = w.service

    def completed(ref: LineRef, units: int, reason: str, score: int, by: Actor) -> None:
        order = s.create_return(w.clerk, ReturnRequest(lines=[RequestedLine(ref, units, reason)]))
        s.submit_return(w.clerk, order.id)
        while (step := s.get_return(w.admin, order.id).current_step) is not None:
            s.approve_return(w.inspector if "inspector" in step.roles else w.approver, order.id)
        w.clock.advance(timedelta(days=1, hours=3))
        s.receive_goods(w.warehouse, order.id, {ref: Receipt(received=Decimal(units))})
        if s.get_return(w.admin, order.id).line(ref).awaiting_inspection:
            s.inspect_goods(w.inspector, order.id, {ref: Inspection(accepted=Decimal(units))})
        s.complete_return(w.finance, order.id, method=RefundMethod.STORE_CREDIT)
        s.give_feedback(by, order.id, score, "")

    completed(CABLE, 2, "wrong_order", 4, ZHANG)
    completed(MOUSE, 1, "quality_defect", 2, ZHANG)
    completed(LAMP, 1, "damaged_in_transit", 5, LI)
    completed(CABLE, 1, "wrong_order", 3, ZHANG)
    broken = RequestedLine(MONITOR, 1, "damaged_in_transit")
    asked = s.request_return(ZHANG, ReturnRequest(lines=[broken]))
    s.decline_request(AGENT, asked.return_id, "evidence_missing", "照片看不清")
    s.create_return(w.clerk, ReturnRequest(lines=[RequestedLine(CHAIR, 1, "wrong_order")]))
    w.clock.advance(timedelta(days=4))
    s.create_return(w.clerk, ReturnRequest(lines=[RequestedLine(MOUSE, 1, "quality_defect")]))


def _save(name: str, title: str, report: ReportTable, labels: ReportLabels) -> None:
    width = 150 if name == "breakdown" else 104  # its 13 columns need a wide terminal
    console = Console(record=True, width=width, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(report_table(labels, report, width))
    console.save_svg(str(HERE / f"report-{name}.svg"), title=title)


def main() -> None:
    """Write every report picture next to this script."""
    w = sample_wiring()
    _month(w)
    s, words = w.service, Phrasebook("zh")
    labels = ReportLabels(words, s.reason_catalog(w.admin), s.settings.decline_reasons)
    month = ReportWindow(start=date(2026, 11, 1), end=date(2026, 12, 31), zone=ZONE)
    weekly = FactQuery(
        window=month,
        period=ReportPeriod.WEEK,
        by=(Dimension.CATEGORY,),
        figures=BREAKDOWN_FIGURES,  # as the command asks
    )
    pictures: dict[str, tuple[str, Callable[[], ReportTable]]] = {
        "breakdown": (
            "crm-returns report breakdown --by category --period week",
            lambda: breakdown_table(words, weekly, s.grouped_facts(ANALYST, weekly)),
        ),
        "rates": (
            "crm-returns report rates --by sku",
            lambda: rates_table(
                words,
                s.return_rates(
                    ANALYST, start=month.start, end=month.end, zone=ZONE, by=Dimension.SKU
                ),
                Dimension.SKU,
            ),
        ),
        "decline-reasons": (
            "crm-returns report decline-reasons",
            lambda: decline_table(words, s.decline_reasons_report(ANALYST, month)),
        ),
        "frequent-returners": (
            "crm-returns report frequent-returners --min-returns 2",
            lambda: returners_table(words, s.frequent_returners(ANALYST, month, min_returns=2)),
        ),
        "open-by-age": (
            "crm-returns report open-by-age",
            lambda: age_table(words, s.open_returns_by_age(ANALYST, zone=ZONE)),
        ),
        "satisfaction": (
            "crm-returns report satisfaction --by reason",
            lambda: satisfaction_table(
                words, s.satisfaction_report(ANALYST, month, by=Dimension.REASON), Dimension.REASON
            ),
        ),
    }
    for name, (title, make) in pictures.items():
        _save(name, title, make(), labels)


if __name__ == "__main__":
    main()
