"""Money and stock through the service: grants, credit notes, payments, journal, balances.

A small shop of its own, so that every number can be checked by hand::

    SO-9/1  C-9  KB-1  keyboards  4 x 50.00, 10% VAT added on top  -> 200.00 + 20.00 tax = 220.00
                                  shipping share 8.00, unit cost 30.00
    SO-9/2  C-9  MON-1 displays   2 x 1000.00, tax included (13%), serials S-1, S-2
                                  -> 2000.00, tax 2000 x 0.13 / 1.13 = 230.09
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from crm_returns import (
    Actor,
    DeliveredLine,
    Inspection,
    LineRef,
    Money,
    Receipt,
    RequestedLine,
    ReturnRequest,
    ReturnsService,
)
from crm_returns.adapters.memory import (
    ManualClock,
    MemoryDatabase,
    MemoryOrderSource,
    SequentialIds,
)
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.books.journal import EntryKind, Side
from crm_returns.domain.refunds.fees import FeeRule, RefundPolicy
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.errors import ExcessAmount, IllegalTransition, InvalidInput
from crm_returns.service.settings import ServiceSettings

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
KEYBOARD = LineRef("SO-9", "1")
MONITOR = LineRef("SO-9", "2")
CLERK = Actor("u-1", "Clerk", "shop", {"requester"})
WAREHOUSE = Actor("u-2", "Warehouse", "shop", {"warehouse"})
INSPECTOR = Actor("u-3", "Inspector", "shop", {"inspector"})
FINANCE = Actor("u-4", "Finance", "shop", {"finance"})


def _cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def _shop(policy: RefundPolicy | None = None) -> tuple[ReturnsService, MemoryDatabase]:
    delivered = NOW - timedelta(days=1)
    lines = [
        DeliveredLine(
            ref=KEYBOARD, customer_id="C-9", customer_name="Ada", sku="KB-1",
            product_name="Keyboard", category="keyboards", quantity_delivered=Decimal(4),
            unit_price=_cny("50.00"), tax_rate=Decimal("0.10"), prices_include_tax=False,
            shipping=_cny("8.00"), unit_cost=_cny("30.00"),
            ordered_at=delivered, delivered_at=delivered,
        ),
        DeliveredLine(
            ref=MONITOR, customer_id="C-9", customer_name="Ada", sku="MON-1",
            product_name="Monitor", category="displays", quantity_delivered=Decimal(2),
            unit_price=_cny("1000.00"), tax_rate=Decimal("0.13"), serial_numbers=("S-1", "S-2"),
            ordered_at=delivered, delivered_at=delivered,
        ),
    ]  # fmt: skip
    database = MemoryDatabase()
    service = ReturnsService(
        MemoryOrderSource({"shop": lines}),
        database.unit_of_work,
        ServiceSettings(
            clock=ManualClock(NOW), ids=SequentialIds(), refund_policy=policy or RefundPolicy()
        ),
    )
    return service, database


def _through_inspection(
    service: ReturnsService, units: int, reason: str, inspection: Inspection
) -> str:
    """A keyboard return, received and inspected; returns its id."""
    request = ReturnRequest([RequestedLine(KEYBOARD, units, reason)])
    order = service.create_return(CLERK, request)
    service.submit_return(CLERK, order.id)
    service.receive_goods(WAREHOUSE, order.id, {KEYBOARD: Receipt(received=units)})
    service.inspect_goods(INSPECTOR, order.id, {KEYBOARD: inspection})
    return order.id


def test_the_preview_shows_the_numbers_the_grant_books() -> None:
    policy = RefundPolicy(fee_rules=[FeeRule(Decimal("0.10"), minimum=[_cny("5.00")])])
    service, _ = _shop(policy)
    request = ReturnRequest([RequestedLine(KEYBOARD, 3, "changed_requirement")])
    preview = service.preview_return(CLERK, request)
    order_id = _through_inspection(service, 3, "changed_requirement", Inspection(accepted=3))
    granted = service.grant_refund(FINANCE, order_id).grant
    assert granted is not None
    assert granted.lines == preview.refund_lines
    assert granted.amount == preview.refund
    # 3 of 4 keyboards: 220.00 x 3/4 = 165.00 (tax 15.00); fee 10% = 16.50 (above the
    # 5.00 minimum); no shipping back, the customer is at fault: 165.00 - 16.50 = 148.50.
    assert granted.amount == _cny("148.50")
    assert granted.lines[0].tax == _cny("15.00")
    assert granted.fee == _cny("16.50")


def test_a_seller_fault_refunds_shipping_and_waives_the_fee() -> None:
    policy = RefundPolicy(fee_rules=[FeeRule(Decimal("0.10"))])
    service, _ = _shop(policy)
    order_id = _through_inspection(service, 4, "quality_defect", Inspection(accepted=4))
    grant = service.grant_refund(FINANCE, order_id).grant
    assert grant is not None
    # All 4: 220.00 paid plus the 8.00 shipping share, no fee.
    assert grant.amount == _cny("228.00")
    assert grant.fee == _cny("0.00")


def test_granting_issues_a_credit_note_and_a_balanced_journal_entry() -> None:
    service, _ = _shop()
    order_id = _through_inspection(service, 2, "quality_defect", Inspection(accepted=2))
    order = service.grant_refund(FINANCE, order_id)
    assert order.grant is not None
    assert order.grant.credit_note == "CN-20261127-000001"
    refunds = [
        e for e in service.journal(FINANCE, return_id=order_id) if e.kind is EntryKind.REFUND
    ]
    assert len(refunds) == 1
    entry = refunds[0]
    assert entry.number == "CN-20261127-000001"
    postings = {(p.account.code, p.side): p.amount for p in entry.postings}
    # 2 of 4: 110.00 paid (100.00 net + 10.00 tax) and 4.00 shipping, owed 114.00.
    assert postings[(DEFAULT_CHART.sales_returns.code, Side.DEBIT)] == _cny("100.00")
    assert postings[(DEFAULT_CHART.tax_payable.code, Side.DEBIT)] == _cny("10.00")
    assert postings[(DEFAULT_CHART.shipping_revenue.code, Side.DEBIT)] == _cny("4.00")
    assert postings[(DEFAULT_CHART.receivable.code, Side.CREDIT)] == _cny("114.00")
    assert entry.total(Side.DEBIT) == entry.total(Side.CREDIT)


def test_restocked_goods_post_their_cost_back_to_inventory() -> None:
    service, _ = _shop()
    order_id = _through_inspection(service, 2, "quality_defect", Inspection(accepted=2))
    restock = [
        e for e in service.journal(FINANCE, return_id=order_id) if e.kind is EntryKind.RESTOCK
    ]
    # 2 keyboards at a cost of 30.00: inventory up 60.00, cost of goods sold down 60.00.
    assert [(p.account, p.side, p.amount) for p in restock[0].postings] == [
        (DEFAULT_CHART.inventory, Side.DEBIT, _cny("60.00")),
        (DEFAULT_CHART.cost_of_goods_sold, Side.CREDIT, _cny("60.00")),
    ]


def test_payments_are_tracked_until_the_refund_is_paid() -> None:
    service, _ = _shop()
    order_id = _through_inspection(service, 2, "quality_defect", Inspection(accepted=2))
    service.grant_refund(FINANCE, order_id)  # owed 114.00, as above
    first = service.record_refund_payment(FINANCE, order_id, _cny("100.00"), "PSP-1").grant
    assert first is not None
    assert first.payments[0].status is PaymentStatus.PENDING
    with pytest.raises(ExcessAmount, match=r"114\.00"):
        service.record_refund_payment(FINANCE, order_id, _cny("14.01"))
    failed = service.settle_refund_payment(FINANCE, order_id, first.payments[0].id, False).grant
    assert failed is not None
    assert failed.paid == _cny("0.00")
    # The failed payment frees its amount: the whole 114.00 can be paid again.
    again = service.record_refund_payment(FINANCE, order_id, _cny("114.00")).grant
    assert again is not None
    paid = service.settle_refund_payment(FINANCE, order_id, again.payments[1].id, True).grant
    assert paid is not None
    assert paid.fully_paid
    balances = {b.account.code: b for b in service.trial_balance(FINANCE, return_id=order_id)}
    assert balances[DEFAULT_CHART.receivable.code].balance == _cny("0.00")
    assert balances[DEFAULT_CHART.cash.code].credit == _cny("114.00")


def test_store_credit_is_owed_to_the_customer_not_paid_out() -> None:
    service, _ = _shop()
    order_id = _through_inspection(service, 2, "quality_defect", Inspection(accepted=2))
    order = service.complete_return(FINANCE, order_id, method=RefundMethod.STORE_CREDIT)
    assert order.grant is not None
    assert order.grant.fully_paid
    with pytest.raises(IllegalTransition, match="original payment"):
        service.record_refund_payment(FINANCE, order_id, _cny("1.00"))
    balances = {b.account.code: b for b in service.trial_balance(FINANCE)}
    assert balances[DEFAULT_CHART.customer_credit.code].credit == _cny("114.00")


def test_a_replacement_moves_no_money() -> None:
    service, _ = _shop()
    order_id = _through_inspection(service, 1, "quality_defect", Inspection(accepted=1))
    order = service.complete_return(FINANCE, order_id, method=RefundMethod.REPLACEMENT)
    assert order.grant is not None
    assert order.grant.amount == _cny("0.00")
    assert order.grant.credit_note is None
    kinds = {e.kind for e in service.journal(FINANCE, return_id=order_id)}
    assert kinds == {EntryKind.RESTOCK}


def test_stock_moves_and_balances_follow_the_dispositions() -> None:
    service, _ = _shop()
    inspection = Inspection(
        accepted=2,
        rejected=1,
        dispositions={Disposition.RESTOCK: 1, Disposition.SCRAP: 1},
        rejected_outcome=RejectOutcome.SEND_BACK,
    )
    order_id = _through_inspection(service, 3, "quality_defect", inspection)
    moves = service.stock_moves(WAREHOUSE, return_id=order_id)
    assert [(m.source, m.destination, int(m.quantity)) for m in moves] == [
        (Location.CUSTOMER, Location.RECEIVING, 3),
        (Location.RECEIVING, Location.SELLABLE, 1),
        (Location.RECEIVING, Location.SCRAP, 1),
        (Location.RECEIVING, Location.CUSTOMER, 1),
    ]
    assert len({m.id for m in moves}) == len(moves)
    # 3 left the customer, 1 went back: -2; one sellable, one scrapped, receiving empty.
    assert service.stock_balances(WAREHOUSE, sku="KB-1") == {
        ("KB-1", Location.CUSTOMER): -2,
        ("KB-1", Location.SELLABLE): 1,
        ("KB-1", Location.SCRAP): 1,
    }


def test_a_serial_number_comes_back_only_once() -> None:
    service, _ = _shop()
    first = service.create_return(
        CLERK, ReturnRequest([RequestedLine(MONITOR, 1, "quality_defect")])
    )
    service.submit_return(CLERK, first.id)
    service.receive_goods(
        WAREHOUSE, first.id, {MONITOR: Receipt(received=1, serial_numbers=["S-1"])}
    )
    second = service.create_return(
        CLERK, ReturnRequest([RequestedLine(MONITOR, 1, "quality_defect")])
    )
    service.submit_return(CLERK, second.id)
    with pytest.raises(InvalidInput, match="S-1"):
        service.receive_goods(
            WAREHOUSE, second.id, {MONITOR: Receipt(received=1, serial_numbers=["S-1"])}
        )
    with pytest.raises(InvalidInput, match="S-9"):
        service.receive_goods(
            WAREHOUSE, second.id, {MONITOR: Receipt(received=1, serial_numbers=["S-9"])}
        )
    received = service.receive_goods(
        WAREHOUSE, second.id, {MONITOR: Receipt(received=1, serial_numbers=["S-2"])}
    )
    assert received.line(MONITOR).serial_numbers == ("S-2",)


def test_a_lost_parcel_is_refunded_only_under_a_policy_that_says_so() -> None:
    for refund_missing, expected in ((False, "0.00"), (True, "114.00")):
        service, _ = _shop(RefundPolicy(refund_missing_units=refund_missing))
        order = service.create_return(
            CLERK, ReturnRequest([RequestedLine(KEYBOARD, 2, "quality_defect")])
        )
        service.submit_return(CLERK, order.id)
        service.receive_goods(WAREHOUSE, order.id, {KEYBOARD: Receipt(missing=2)})
        granted = service.grant_refund(FINANCE, order.id)
        assert granted.refund == _cny(expected)
        trail = service.audit_trail(CLERK, order.id)
        assert ("missing_units_refunded", "2" if refund_missing else "0") in trail[-1].detail


def test_a_refused_grant_changes_nothing_and_draws_no_credit_note_number() -> None:
    service, database = _shop()
    order = service.create_return(
        CLERK, ReturnRequest([RequestedLine(KEYBOARD, 2, "quality_defect")])
    )
    service.submit_return(CLERK, order.id)
    before: Any = copy.deepcopy(database.committed)
    with pytest.raises(IllegalTransition):
        service.grant_refund(FINANCE, order.id)  # nothing received yet
    assert database.committed == before
    order_id = _through_inspection(service, 1, "quality_defect", Inspection(accepted=1))
    granted = service.grant_refund(FINANCE, order_id).grant
    assert granted is not None
    assert granted.credit_note == "CN-20261127-000001"


def test_the_journal_can_be_read_by_account_and_by_period() -> None:
    service, _ = _shop()
    clock_start = NOW
    order_id = _through_inspection(service, 2, "quality_defect", Inspection(accepted=2))
    service.grant_refund(FINANCE, order_id)
    receivable = service.journal(FINANCE, account_code=DEFAULT_CHART.receivable.code)
    assert [e.kind for e in receivable] == [EntryKind.REFUND]
    assert len(service.journal(FINANCE, start=clock_start, end=clock_start + timedelta(1))) == 2
    assert service.journal(FINANCE, start=clock_start + timedelta(days=1)) == ()
    with pytest.raises(InvalidInput, match="timezone"):
        service.journal(FINANCE, start=datetime(2026, 1, 1))  # noqa: DTZ001 - on purpose
