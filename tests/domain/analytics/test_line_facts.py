"""A return becomes one line fact per line, with its dates from the order and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import attrs
from tests.domain.conftest import LINE_A, LINE_B, T0

from crm_returns.domain.actors import Actor
from crm_returns.domain.analytics import line_facts
from crm_returns.domain.audit import AuditEntry, audit_entry
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine
from crm_returns.domain.ownership.records import Assignment
from crm_returns.domain.policies.approval import ApprovalPolicy
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import approving, drafting, goods, refunding
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, Location

HOUR = timedelta(hours=1)


def _lifecycle(
    lines: tuple[ReturnLine, ...],
    clerk: Actor,
    approver: Actor,
    warehouse: Actor,
    policy: ApprovalPolicy,
    *,
    pay: bool,
) -> tuple[ReturnOrder, tuple[AuditEntry, ...]]:
    """Drive a return to completion, one hour per step, keeping its audit trail."""
    trail: list[AuditEntry] = []

    def kept(result: Transition) -> ReturnOrder:
        trail.extend(audit_entry(e, f"a-{len(trail)}") for e in result.events)
        return result.order

    order = kept(
        drafting.draft(
            return_id="r-1", number="RT-20261127-000001", actor=clerk, at=T0,
            customer_id="C-1", customer_name="Customer One", lines=lines,
        )
    )  # fmt: skip
    order = kept(approving.submit(order, clerk, T0 + HOUR, policy))
    order = kept(approving.approve(order, approver, T0 + 2 * HOUR, "ok"))
    receipts = {LINE_A: Receipt(received=Decimal(2)), LINE_B: Receipt(received=Decimal(1))}
    order = kept(goods.receive(order, warehouse, T0 + 3 * HOUR, receipts, DEFAULT_CHART))
    inspection = Inspection(
        accepted=Decimal(2),
        dispositions={Disposition.SCRAP: Decimal(1), Disposition.RESTOCK: Decimal(1)},
    )
    order = kept(
        goods.inspect(order, warehouse, T0 + 4 * HOUR, {LINE_A: inspection}, DEFAULT_CHART)
    )
    order = kept(
        refunding.grant_refund(
            order, clerk, T0 + 5 * HOUR, method=RefundMethod.ORIGINAL_PAYMENT,
            policy=RefundPolicy(), refunded_before={}, credit_note="CN-1", chart=DEFAULT_CHART,
        )
    )  # fmt: skip
    if pay:
        amount = order.refund
        order = kept(
            refunding.record_payment(order, clerk, T0 + 6 * HOUR, payment_id="p-1", amount=amount)
        )
        order = kept(
            refunding.settle_payment(
                order, clerk, T0 + 7 * HOUR, payment_id="p-1", succeeded=True, chart=DEFAULT_CHART
            )
        )
    order = kept(goods.complete(order, clerk, T0 + 8 * HOUR))
    return order, tuple(trail)


def test_a_completed_paid_return_gives_every_column_its_value(
    make_line: Callable[..., ReturnLine],
    make_delivered: Callable[..., DeliveredLine],
    standard_lines: tuple[ReturnLine, ...],
    clerk: Actor,
    approver: Actor,
    warehouse: Actor,
    one_step_policy: ApprovalPolicy,
) -> None:
    delivered = make_delivered(LINE_A, 2, "100.00", unit_cost="30.00")
    lines = (make_line(LINE_A, 2, "100.00", delivered=delivered), standard_lines[1])
    order, trail = _lifecycle(lines, clerk, approver, warehouse, one_step_policy, pay=True)
    feedback = Feedback(
        tenant_id=order.tenant_id, id="f-1", return_id=order.id, customer_id="C-1",
        at=T0 + 9 * HOUR, score=4,
    )  # fmt: skip
    owner = Assignment(
        tenant_id=order.tenant_id, id="as-1", return_id=order.id, customer_id="C-1",
        at=T0, user_id="u-7", team="returns-east", assigned_by=clerk.id,
    )  # fmt: skip

    a, b = line_facts(
        order, delivered={LINE_A: delivered}, trail=trail, feedback=feedback, assignment=owner
    )

    assert (a.return_number, a.order_number, a.line_id, a.status) == (
        "RT-20261127-000001", "SO-1", "1", ReturnStatus.COMPLETED
    )  # fmt: skip
    assert (a.quantity_requested, a.quantity_received, a.quantity_accepted) == (
        Decimal(2), Decimal(2), Decimal(2)
    )  # fmt: skip
    assert a.quantity_returned == 2
    assert (a.merchandise_value, a.refund_granted, a.refund_paid) == (
        Decimal("200.00"), Decimal("200.00"), Decimal("200.00")
    )  # fmt: skip
    assert (a.store_credit, a.replacement_value, a.restocking_fee) == (
        Decimal(0), Decimal(0), Decimal(0)
    )  # fmt: skip
    assert a.write_off == Decimal("30.00")  # one unit scrapped at its cost
    assert a.stock_location is None  # split between sellable and scrap
    assert b.stock_location is Location.SELLABLE  # accepted on arrival, restocked
    assert a.return_shipping_fee is None
    assert (a.owner_user, a.owner_team, a.satisfaction) == ("u-7", "returns-east", 4)
    assert (a.ordered_at, a.delivered_at) == (delivered.ordered_at, delivered.delivered_at)
    assert (b.ordered_at, b.delivered_at) == (None, None)  # not given
    assert (a.returned_at, a.submitted_at, a.approved_at) == (T0, T0 + HOUR, T0 + 2 * HOUR)
    assert (a.goods_back_at, a.inspected_at) == (T0 + 3 * HOUR, T0 + 4 * HOUR)
    assert (a.refund_paid_at, a.completed_at) == (T0 + 7 * HOUR, T0 + 8 * HOUR)
    assert b.merchandise_value == Decimal("50.00")


def test_an_unpaid_refund_and_a_missing_trail_leave_their_columns_empty(
    standard_lines: tuple[ReturnLine, ...],
    clerk: Actor,
    approver: Actor,
    warehouse: Actor,
    one_step_policy: ApprovalPolicy,
) -> None:
    order, _ = _lifecycle(standard_lines, clerk, approver, warehouse, one_step_policy, pay=False)

    # A return stored before it recorded when it entered each status.
    a, _b = line_facts(attrs.evolve(order, entered=()))

    assert a.refund_granted == Decimal("200.00")
    assert a.refund_paid == Decimal("0.00")
    assert a.refund_paid_at is None
    assert a.write_off is None  # a unit scrapped, at a cost nobody gave
    # The order dates its approval itself; the later dates need the trail.
    assert a.approved_at == T0 + 2 * HOUR
    assert (a.goods_back_at, a.inspected_at, a.completed_at) == (None, None, None)
    assert (a.owner_user, a.owner_team, a.satisfaction) == (None, None, None)


def test_a_return_records_the_dates_the_trail_would_give(
    standard_lines: tuple[ReturnLine, ...],
    clerk: Actor,
    approver: Actor,
    warehouse: Actor,
    one_step_policy: ApprovalPolicy,
) -> None:
    order, trail = _lifecycle(standard_lines, clerk, approver, warehouse, one_step_policy, pay=True)

    without_trail = line_facts(order)
    with_trail = line_facts(attrs.evolve(order, entered=()), trail=trail)

    assert without_trail == with_trail
    assert without_trail[0].goods_back_at is not None


def test_a_draft_has_no_money_decided_and_values_what_it_requests(
    standard_lines: tuple[ReturnLine, ...], clerk: Actor
) -> None:
    order = drafting.draft(
        return_id="r-2", number="RT-20261127-000002", actor=clerk, at=T0,
        customer_id="C-1", customer_name="Customer One", lines=standard_lines,
    ).order  # fmt: skip

    a, b = line_facts(order)

    assert (a.quantity_returned, a.merchandise_value) == (Decimal(2), Decimal("200.00"))
    assert (a.refund_granted, a.refund_paid, a.restocking_fee, a.approved_at) == (
        None, None, None, None
    )  # fmt: skip
    assert Money(b.merchandise_value, b.currency) == Money("50.00", "CNY")
