"""Restocking fees, and the refund granted for a return: its lines, credit note and entry.

Returns here are built from the conftest fixtures: ``approved_return`` drafts
and auto-approves lines made by ``make_line`` from order lines made by
``make_delivered``; the goods are then received and inspected for real.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.refund_support import (
    A_REF,
    AT,
    B_REF,
    CHART,
    NOTE,
    Approved,
    MakeDelivered,
    MakeLine,
    cny,
    grant,
    postings,
    settle_goods,
    units,
)

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.journal import EntryKind, Side
from crm_returns.domain.events import RefundGranted
from crm_returns.domain.money import Money
from crm_returns.domain.reasons import Fault
from crm_returns.domain.refunds.fees import FeeRule, RefundPolicy
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.pricing import estimate
from crm_returns.domain.returns import refunding
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import (
    IllegalTransition,
    InvalidInput,
)

# -- fee rules ---------------------------------------------------------------------------


def test_a_fee_below_its_minimum_is_raised_to_the_minimum() -> None:
    rule = FeeRule(Decimal("0.15"), minimum=[cny("5.00")])
    # 15% of 20.00 = 3.00, less than the 5.00 minimum.
    assert rule.fee(cny("20.00")) == cny("5.00")
    # 15% of 100.00 = 15.00 is above the minimum and stays.
    assert rule.fee(cny("100.00")) == cny("15.00")


def test_a_fee_above_its_maximum_is_capped() -> None:
    rule = FeeRule(Decimal("0.15"), minimum=[cny("5.00")], maximum=[cny("25.00")])
    # 15% of 200.00 = 30.00, more than the 25.00 maximum.
    assert rule.fee(cny("200.00")) == cny("25.00")
    # 15% of 33.33 = 4.9995, half-up 5.00: exactly the minimum.
    assert rule.fee(cny("33.33")) == cny("5.00")


def test_fee_bounds_apply_in_their_own_currency_only() -> None:
    rule = FeeRule(Decimal("0.15"), minimum=[cny("5.00"), Money(500, "JPY")])
    # 15% of 2000 yen = 300, raised to the 500-yen minimum.
    assert rule.fee(Money(2000, "JPY")) == Money(500, "JPY")
    # No USD minimum: 15% of 20.00 = 3.00.
    assert rule.fee(Money("20.00", "USD")) == Money("3.00", "USD")


def test_a_fee_is_never_more_than_the_refund() -> None:
    rule = FeeRule(Decimal("0.15"), minimum=[cny("5.00")])
    # The 5.00 minimum on a 3.00 refund would charge the customer; it stops at 3.00.
    assert rule.fee(cny("3.00")) == cny("3.00")
    assert rule.fee(cny("0.00")) == cny("0.00")


@pytest.mark.parametrize(
    ("fault", "fee"), [(Fault.SELLER, "0.00"), (Fault.CARRIER, "0.00"), (Fault.CUSTOMER, "15.00")]
)
def test_no_fee_when_the_seller_or_the_carrier_is_at_fault(fault: Fault, fee: str) -> None:
    policy = RefundPolicy(fee_rules=[FeeRule(Decimal("0.15"))])
    assert policy.fee("any", "any", fault, cny("100.00")) == cny(fee)


@pytest.mark.parametrize(
    ("reason", "category", "fee"),
    [
        ("changed_requirement", "customer", "10.00"),  # the first rule names the reason
        ("bought_twice", "customer", "25.00"),  # the second names the category
        ("other", "general", "20.00"),  # only the catch-all applies
    ],
)
def test_the_first_fee_rule_that_applies_wins(reason: str, category: str, fee: str) -> None:
    policy = RefundPolicy(
        fee_rules=[
            FeeRule(Decimal("0.10"), reason_codes={"changed_requirement"}),
            FeeRule(Decimal("0.25"), reason_categories={"customer"}),
            FeeRule(Decimal("0.20")),
        ]
    )
    assert policy.fee(reason, category, Fault.CUSTOMER, cny("100.00")) == cny(fee)


def test_no_rule_no_fee() -> None:
    policy = RefundPolicy(fee_rules=[FeeRule(Decimal("0.10"), reason_codes={"other"})])
    assert policy.fee("changed_requirement", "customer", Fault.CUSTOMER, cny("100.00")).is_zero


@pytest.mark.parametrize(
    "build",
    [
        lambda: FeeRule(Decimal("1.5")),
        lambda: FeeRule(Decimal("-0.1")),
        lambda: FeeRule(0.15),
        lambda: FeeRule(Decimal("0.1"), minimum=[cny("1.00"), cny("2.00")]),
        lambda: FeeRule(Decimal("0.1"), maximum=[cny("-1.00")]),
        lambda: RefundPolicy(fee_waived_for={"seller"}),  # type: ignore[arg-type]
    ],
    ids=["over 100%", "negative", "float", "two minimums", "negative maximum", "fault names"],
)
def test_bad_fee_rules_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(InvalidInput):
        build()


@given(
    percent=st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100),
    low=st.none() | st.integers(min_value=0, max_value=10**6),
    high=st.none() | st.integers(min_value=0, max_value=10**6),
    refund=st.integers(min_value=0, max_value=10**9),
)
def test_a_fee_is_between_zero_and_the_refund(
    percent: Decimal, low: int | None, high: int | None, refund: int
) -> None:
    def bound(cents: int | None) -> list[Money]:
        return [] if cents is None else [Money(Decimal(cents).scaleb(-2), "CNY")]

    rule = FeeRule(percent, minimum=bound(low), maximum=bound(high))
    amount = Money(Decimal(refund).scaleb(-2), "CNY")
    assert Money.zero("CNY") <= rule.fee(amount) <= amount


# -- the grant -----------------------------------------------------------------------------


@pytest.fixture
def two_lines(make_delivered: MakeDelivered, make_line: MakeLine) -> tuple[ReturnLine, ...]:
    """A: 2 x 113.00 incl. 13% VAT with 10.00 shipping, quality defect (the seller's fault).

    B: 1 x 56.50 incl. 13% VAT with 5.00 shipping, changed requirement (the customer's).
    """
    a = make_delivered(A_REF, 2, "113.00", tax_rate="0.13", shipping="10.00")
    b = make_delivered(B_REF, 1, "56.50", tax_rate="0.13", shipping="5.00")
    return (
        make_line(A_REF, 2, delivered=a),
        make_line(
            B_REF, 1, delivered=b, reason_code="changed_requirement", reason_category="customer"
        ),
    )


TEN_PERCENT = RefundPolicy(fee_rules=[FeeRule(Decimal("0.10"))])


def settled_two_lines(
    approved_return: Approved, two_lines: tuple[ReturnLine, ...], warehouse: Actor
) -> ReturnOrder:
    order = approved_return(*two_lines)
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(1))}
    accepted = {A_REF: Inspection(accepted=units(2)), B_REF: Inspection(accepted=units(1))}
    return settle_goods(order, warehouse, receipts, accepted)


def test_a_grant_itemises_total_tax_shipping_and_fee_per_line(
    approved_return: Approved,
    two_lines: tuple[ReturnLine, ...],
    warehouse: Actor,
    clerk: Actor,
) -> None:
    order = settled_two_lines(approved_return, two_lines, warehouse)
    result = grant(order, clerk, policy=TEN_PERCENT)
    assert result.order.grant is not None
    a, b = result.order.grant.lines
    # A: 226.00 paid, tax 226.00 x 0.13 / 1.13 = 26.00; the seller's fault: shipping 10.00
    # refunded and no fee.  Payable 226.00 + 10.00 = 236.00.
    assert (a.units, a.total, a.tax, a.shipping, a.fee) == (
        units(2),
        cny("226.00"),
        cny("26.00"),
        cny("10.00"),
        cny("0.00"),
    )
    assert a.payable == cny("236.00")
    # B: 56.50 paid, tax 56.50 x 0.13 / 1.13 = 6.50; the customer's fault: shipping kept and
    # a 10% fee of 5.65.  Payable 56.50 - 5.65 = 50.85.
    assert (b.units, b.total, b.tax, b.shipping, b.fee) == (
        units(1),
        cny("56.50"),
        cny("6.50"),
        cny("0.00"),
        cny("5.65"),
    )
    assert b.payable == cny("50.85")
    granted = result.order.grant
    assert (granted.amount, granted.fee) == (cny("286.85"), cny("5.65"))  # 236.00 + 50.85
    assert (granted.method, granted.credit_note) == (RefundMethod.ORIGINAL_PAYMENT, NOTE)
    assert (granted.granted_at, granted.granted_by) == (AT, clerk.id)
    assert result.order.line(A_REF).refund == cny("236.00")
    assert result.order.line(B_REF).refund == cny("50.85")
    (event,) = result.events
    assert isinstance(event, RefundGranted)
    assert (event.amount, event.fee, event.credit_note) == (cny("286.85"), cny("5.65"), NOTE)
    assert event.missing_units_refunded == 0


def test_the_refund_entry_reverses_sales_tax_and_shipping_against_fee_and_receivable(
    approved_return: Approved,
    two_lines: tuple[ReturnLine, ...],
    warehouse: Actor,
    clerk: Actor,
) -> None:
    order = settled_two_lines(approved_return, two_lines, warehouse)
    (entry,) = grant(order, clerk, policy=TEN_PERCENT).entries
    assert (entry.kind, entry.number, entry.currency) == (EntryKind.REFUND, NOTE, "CNY")
    # Net 200.00 + 50.00, tax 26.00 + 6.50, shipping 10.00 (A only); the customer is owed
    # 286.85 and the fee 5.65 is income.  Debits 250.00 + 32.50 + 10.00 = 292.50
    # = credits 5.65 + 286.85.
    assert postings(entry) == {
        (CHART.sales_returns, Side.DEBIT, cny("250.00")),
        (CHART.tax_payable, Side.DEBIT, cny("32.50")),
        (CHART.shipping_revenue, Side.DEBIT, cny("10.00")),
        (CHART.restocking_fee_income, Side.CREDIT, cny("5.65")),
        (CHART.receivable, Side.CREDIT, cny("286.85")),
    }
    assert entry.total(Side.DEBIT) == entry.total(Side.CREDIT) == cny("292.50")


def test_store_credit_is_owed_as_customer_credit_and_counts_as_paid(
    approved_return: Approved,
    two_lines: tuple[ReturnLine, ...],
    warehouse: Actor,
    clerk: Actor,
) -> None:
    order = settled_two_lines(approved_return, two_lines, warehouse)
    result = grant(order, clerk, method=RefundMethod.STORE_CREDIT, policy=TEN_PERCENT)
    (entry,) = result.entries
    owed = {(p.account, p.side, p.amount) for p in entry.postings if p.side is Side.CREDIT}
    assert owed == {
        (CHART.restocking_fee_income, Side.CREDIT, cny("5.65")),
        (CHART.customer_credit, Side.CREDIT, cny("286.85")),
    }
    granted = result.order.grant
    assert granted is not None
    assert (granted.paid, granted.outstanding, granted.fully_paid) == (
        cny("286.85"),
        cny("0.00"),
        True,
    )
    with pytest.raises(IllegalTransition, match="original payment"):
        refunding.record_payment(result.order, clerk, AT, payment_id="p-1", amount=cny("1.00"))


def test_a_replacement_pays_no_money_issues_no_credit_note_and_posts_nothing(
    approved_return: Approved,
    two_lines: tuple[ReturnLine, ...],
    warehouse: Actor,
    clerk: Actor,
) -> None:
    order = settled_two_lines(approved_return, two_lines, warehouse)
    result = grant(order, clerk, method=RefundMethod.REPLACEMENT, credit_note="CN-IGNORED")
    granted = result.order.grant
    assert granted is not None
    assert (granted.amount, granted.credit_note) == (cny("0.00"), None)
    assert result.entries == ()
    assert [line.refund for line in result.order.lines] == [cny("0.00"), cny("0.00")]
    assert result.order.refund == cny("0.00")
    (event,) = result.events
    assert isinstance(event, RefundGranted)
    assert (event.method, event.amount, event.credit_note) == (
        RefundMethod.REPLACEMENT,
        cny("0.00"),
        None,
    )
    with pytest.raises(IllegalTransition):
        refunding.record_payment(result.order, clerk, AT, payment_id="p-1", amount=cny("1.00"))


def test_a_restocking_fee_with_a_minimum_on_a_granted_refund(
    make_delivered: MakeDelivered,
    make_line: MakeLine,
    approved_return: Approved,
    warehouse: Actor,
    clerk: Actor,
) -> None:
    delivered = make_delivered(A_REF, 1, "20.00")
    line = make_line(
        A_REF, 1, delivered=delivered, reason_code="changed_requirement", reason_category="customer"
    )
    order = settle_goods(
        approved_return(line),
        warehouse,
        {A_REF: Receipt(received=units(1))},
        {A_REF: Inspection(accepted=units(1))},
    )
    policy = RefundPolicy(fee_rules=[FeeRule(Decimal("0.15"), minimum=[cny("5.00")])])
    result = grant(order, clerk, policy=policy)
    # 15% of 20.00 = 3.00, raised to the 5.00 minimum: the customer gets 15.00.
    assert result.order.grant is not None
    assert (result.order.grant.fee, result.order.grant.amount) == (cny("5.00"), cny("15.00"))


def test_a_refund_is_granted_only_once(
    approved_return: Approved,
    two_lines: tuple[ReturnLine, ...],
    warehouse: Actor,
    clerk: Actor,
) -> None:
    granted = grant(settled_two_lines(approved_return, two_lines, warehouse), clerk).order
    with pytest.raises(IllegalTransition, match="already granted"):
        grant(granted, clerk, method=RefundMethod.STORE_CREDIT)


def test_the_preview_shows_what_the_grant_books(
    approved_return: Approved,
    two_lines: tuple[ReturnLine, ...],
    warehouse: Actor,
    clerk: Actor,
) -> None:
    _, preview = estimate(two_lines, TEN_PERCENT, {})
    order = settled_two_lines(approved_return, two_lines, warehouse)
    granted = grant(order, clerk, policy=TEN_PERCENT).order.grant
    assert granted is not None
    assert granted.lines == preview
