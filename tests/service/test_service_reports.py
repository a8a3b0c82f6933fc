"""Reports through the service, on the memory store and on SQLite, with the same answers.

The sample shop's returns (see ``conftest.py``) are taken through the
workflow; every report then says what they returned, why, how fast and how
the customers felt, only to staff allowed to run reports, and only of their
own tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from crm_returns import (
    DEFAULT_DECLINE_REASONS,
    Actor,
    CycleStage,
    Dimension,
    FactQuery,
    LineRef,
    Measure,
    Permission,
    Receipt,
    ReportPeriod,
    ReportWindow,
    RequestedLine,
    ReturnOrder,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
)
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.domain.analytics import StatusGroup
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.errors import InvalidInput, NotAuthorised
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring, sample_wiring

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOUSE, CABLE, CHAIR = LineRef("SO-1001", "1"), LineRef("SO-1001", "2"), LineRef("SO-1002", "1")
WINDOW = ReportWindow(start=date(2026, 11, 1), end=date(2026, 12, 31), zone=SHANGHAI)
ANALYST = Actor("u-bi", "数据分析师", SAMPLE_TENANT, {"analyst"})
AGENT = Actor("u-cs", "客服小王", SAMPLE_TENANT, {"customer_service"})
ZHANG = Actor("p-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")


@attrs.frozen
class Ignorant:
    """A host's access policy that allows anyone everything and knows nothing of customers."""

    def allows(self, actor: Actor, permission: Permission, order: ReturnOrder | None) -> bool:
        """Everything."""
        return True

    def granted_by(self, permission: Permission) -> frozenset[str]:
        """No role in particular."""
        return frozenset()


@pytest.fixture(params=["memory", "sqlite"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Wiring]:
    """The sample shop with four returns: two completed (one rated), one rejected, one draft."""
    database = None
    if request.param == "sqlite":
        database = SqlDatabase.connect(f"sqlite:///{tmp_path / 'reports.db'}")
        database.upgrade()
    w = sample_wiring(unit_of_work=None if database is None else database.unit_of_work)
    s = w.service

    def completed(ref: LineRef, units: int, reason: str) -> str:
        order = s.create_return(w.clerk, ReturnRequest(lines=[RequestedLine(ref, units, reason)]))
        s.submit_return(w.clerk, order.id)
        if s.get_return(w.admin, order.id).status is ReturnStatus.SUBMITTED:
            s.approve_return(w.approver, order.id)
        w.clock.advance(timedelta(days=1))
        s.receive_goods(w.warehouse, order.id, {ref: Receipt(received=Decimal(units))})
        w.clock.advance(timedelta(hours=5))
        s.complete_return(w.finance, order.id, method=RefundMethod.STORE_CREDIT)
        return order.id

    cable = completed(CABLE, 2, "wrong_order")
    completed(MOUSE, 1, "wrong_order")
    s.give_feedback(ZHANG, cable, 4, "快")
    rejected = s.create_return(
        w.clerk, ReturnRequest(lines=[RequestedLine(CHAIR, 1, "damaged_in_transit")])
    )
    s.submit_return(w.clerk, rejected.id)
    s.reject_return(w.approver, rejected.id, "超期")
    s.create_return(w.clerk, ReturnRequest(lines=[RequestedLine(MOUSE, 1, "quality_defect")]))
    yield w
    if database is not None:
        database.dispose()


def test_breakdowns_keep_counted_pending_and_rejected_returns_apart(shop: Wiring) -> None:
    query = FactQuery(window=WINDOW, period=ReportPeriod.MONTH, by=(Dimension.REASON,))

    groups = shop.service.grouped_facts(ANALYST, query)

    found = {(g.group, g.keys, g.returns, g.quantity_returned) for g in groups}
    assert found == {
        (StatusGroup.COUNTED, ("wrong_order",), 2, Decimal(3)),
        (StatusGroup.PENDING, ("quality_defect",), 1, Decimal(1)),
        (StatusGroup.REJECTED_OR_CANCELLED, ("damaged_in_transit",), 1, Decimal(0)),
    }
    assert {g.period for g in groups} == {date(2026, 11, 1)}


def test_the_reasons_pareto_counts_what_was_returned(shop: Wiring) -> None:
    [row] = shop.service.reasons_report(ANALYST, WINDOW, measure=Measure.UNITS)
    assert (row.key, row.lines, row.units, row.cumulative_share) == (
        "wrong_order",
        2,
        Decimal(3),
        Decimal(1),
    )


def test_return_rates_divide_by_what_the_host_delivered(shop: Wiring) -> None:
    [november] = shop.service.return_rates(
        ANALYST, start=date(2026, 11, 1), end=date(2026, 11, 30), zone=SHANGHAI
    )
    # Delivered in November: 5 + 10 + 2 units on SO-1001, 1 + 3 on SO-1002.
    assert (november.units_returned, november.units_delivered) == (Decimal(3), Decimal(21))
    assert november.unit_rate == Decimal("0.142857")
    assert (november.orders_returned, november.orders, november.order_rate) == (
        1,
        2,
        Decimal("0.5"),
    )
    assert not november.mature  # ordered days ago: returns may still come


def test_return_rates_by_sku_divide_each_sku_by_what_was_delivered_of_it(shop: Wiring) -> None:
    rates = shop.service.return_rates(
        ANALYST, start=date(2026, 11, 1), end=date(2026, 11, 30), zone=SHANGHAI, by=Dimension.SKU
    )
    by_sku = {r.key: (r.units_returned, r.units_delivered, r.unit_rate) for r in rates}
    assert by_sku == {
        "CBL-02": (Decimal(2), Decimal(10), Decimal("0.2")),
        "CHR-10": (Decimal(0), Decimal(1), Decimal(0)),
        "LMP-05": (Decimal(0), Decimal(3), Decimal(0)),
        "MON-27": (Decimal(0), Decimal(2), Decimal(0)),
        "MSE-01": (Decimal(1), Decimal(5), Decimal("0.2")),
    }
    with pytest.raises(InvalidInput):
        shop.service.return_rates(
            ANALYST, start=date(2026, 11, 1), end=date(2026, 11, 30), zone=SHANGHAI,
            by=Dimension.REASON,
        )  # fmt: skip


def test_cycle_times_satisfaction_and_ages(shop: Wiring) -> None:
    s = shop.service
    stages = {c.stage: c for c in s.cycle_time_report(ANALYST, WINDOW)}
    assert stages[CycleStage.COMPLETION].count == 2
    assert stages[CycleStage.TOTAL].max == timedelta(days=1, hours=5)

    [overall] = s.satisfaction_report(ANALYST, WINDOW)
    assert (overall.rated, overall.mean, overall.distribution) == (1, Decimal(4), (0, 0, 0, 1, 0))

    shop.clock.advance(timedelta(days=4))
    ages = s.open_returns_by_age(ANALYST, zone=SHANGHAI)
    assert [(a.status, a.youngest, a.returns) for a in ages] == [("draft", 3, 1)]


def test_an_export_streams_every_line_of_the_window(shop: Wiring) -> None:
    facts = list(shop.service.export_facts(ANALYST, WINDOW))
    assert [f.status for f in facts].count(ReturnStatus.COMPLETED) == 2
    assert len(facts) == 4
    assert facts == sorted(facts, key=lambda f: f.returned_at)


def test_declined_requests_are_counted_by_decline_reason(shop: Wiring) -> None:
    s = shop.service
    asked = s.request_return(
        ZHANG, ReturnRequest(lines=[RequestedLine(MOUSE, 1, "quality_defect")])
    )
    s.decline_request(AGENT, asked.return_id, "evidence_missing", "照片不清楚")

    [row] = s.decline_reasons_report(ANALYST, WINDOW)
    assert (row.key, row.lines, row.share) == (
        DEFAULT_DECLINE_REASONS.reasons[3].code,
        1,
        Decimal(1),
    )
    # Rejected by staff without a request: not a declined request.
    assert s.reasons_report(ANALYST, WINDOW)[0].key == "wrong_order"


def test_reports_are_for_staff_allowed_to_run_them(shop: Wiring) -> None:
    s = shop.service
    with pytest.raises(NotAuthorised):
        s.reasons_report(shop.clerk, WINDOW)  # a requester runs no reports
    with pytest.raises(NotAuthorised):
        s.reasons_report(ZHANG, WINDOW)
    # Reports span every customer: a customer is refused even where the host allows all.
    settings = attrs.evolve(s.settings, access_policy=Ignorant())
    open_house = ReturnsService(shop.orders, s._uow, settings)
    with pytest.raises(NotAuthorised):
        open_house.export_facts(ZHANG, WINDOW)
    other = Actor("u-bi2", "另一家", "globex", {"analyst"})
    assert s.reasons_report(other, WINDOW) == ()
    assert list(s.export_facts(other, WINDOW)) == []
    with pytest.raises(InvalidInput):
        s.reasons_report(ANALYST, "november")  # type: ignore[arg-type]
