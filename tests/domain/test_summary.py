"""What a notifier is told of a return: every field of the summary, before and after the grant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.money import Money
from crm_returns.domain.returns import goods
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.summary import ReturnSummary, SummaryLine, summarize


def test_a_summary_says_who_what_and_how_much_as_the_return_stands(
    approved_return: Callable[..., ReturnOrder], standard_lines: tuple[ReturnLine, ...]
) -> None:
    order = approved_return(*standard_lines)
    a, b = order.lines
    assert summarize(order) == ReturnSummary(
        number=order.number,
        status=ReturnStatus.APPROVED,
        customer_id="C-1",
        customer_name="Customer One",
        currency="CNY",
        lines=tuple(
            SummaryLine(
                ref=line.ref,
                sku=line.sku,
                product_name=line.product_name,
                product_category=line.product_category,
                reason_code=line.reason_code,
                reason_category=line.reason_category,
                requested=line.requested,
                approved=line.approved,
                received=Decimal(0),
                accepted=Decimal(0),
                rejected=Decimal(0),
                unit_price=line.unit_price,
                refund=line.refund,
            )
            for line in (a, b)
        ),
        refund=Money("250.00", "CNY"),
        created_at=order.created_at,
        submitted_at=order.submitted_at,
    )
    assert [line.sku for line in summarize(order).lines] == [a.sku, b.sku]
    assert [line.product_category for line in summarize(order).lines] == ["peripherals", "cables"]


def test_after_the_grant_each_line_shows_what_the_grant_gives_it(
    approved_return: Callable[..., ReturnOrder],
    standard_lines: tuple[ReturnLine, ...],
    warehouse: Actor,
    clerk: Actor,
    t0: datetime,
    grant: Callable[[ReturnOrder, Actor, datetime], Transition],
) -> None:
    order = approved_return(*standard_lines)
    a, b = (line.ref for line in order.lines)
    received = goods.receive(
        order, warehouse, t0, {a: Receipt(received=Decimal(2)), b: Receipt(received=Decimal(1))},
        DEFAULT_CHART,
    ).order  # fmt: skip
    # Line A: one unit accepted, one rejected; only the accepted one is refunded.
    inspected = goods.inspect(
        received, warehouse, t0, {a: Inspection(accepted=Decimal(1), rejected=Decimal(1))},
        DEFAULT_CHART,
    ).order  # fmt: skip
    granted = grant(inspected, clerk, t0).order
    assert granted.grant is not None
    summary = summarize(granted)
    paid = {line.ref: line.payable for line in granted.grant.lines}
    assert [(line.received, line.accepted, line.rejected) for line in summary.lines] == [
        (Decimal(2), Decimal(1), Decimal(1)),
        (Decimal(1), Decimal(1), Decimal(0)),
    ]
    assert [line.refund for line in summary.lines] == [paid[a], paid[b]]
    assert summary.refund == granted.grant.amount
    assert summary.status is granted.status


def test_a_line_the_grant_leaves_out_shows_no_refund(
    approved_return: Callable[..., ReturnOrder],
    standard_lines: tuple[ReturnLine, ...],
    clerk: Actor,
    t0: datetime,
    grant: Callable[[ReturnOrder, Actor, datetime], Transition],
    warehouse: Actor,
) -> None:
    order = approved_return(*standard_lines)
    a, b = (line.ref for line in order.lines)
    received = goods.receive(
        order, warehouse, t0, {a: Receipt(received=Decimal(2)), b: Receipt(received=Decimal(1))},
        DEFAULT_CHART,
    ).order  # fmt: skip
    inspected = goods.inspect(
        received, warehouse, t0, {a: Inspection(accepted=Decimal(2))}, DEFAULT_CHART
    ).order
    granted = grant(inspected, clerk, t0).order
    assert granted.grant is not None
    without_b = attrs.evolve(
        granted,
        grant=attrs.evolve(
            granted.grant, lines=tuple(line for line in granted.grant.lines if line.ref == a)
        ),
    )
    refunds = {line.ref: line.refund for line in summarize(without_b).lines}
    assert refunds[b] == Money("0.00", "CNY")
