"""Refunds stay within what was paid and what came back; paying a granted refund out.

Returns here are built from the conftest fixtures: ``approved_return`` drafts
and auto-approves lines made by ``make_line`` from order lines made by
``make_delivered``; the goods are then received and inspected for real.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.domain.refund_support import (
    A_REF,
    AT,
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
from crm_returns.domain.events import RefundGranted, RefundPaymentRecorded, RefundPaymentSettled
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine
from crm_returns.domain.reasons import Fault
from crm_returns.domain.refunds.fees import FeeRule, RefundPolicy
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.refunds.pricing import price_refund
from crm_returns.domain.returns import goods, refunding
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import (
    ExcessAmount,
    IllegalTransition,
    InvalidInput,
    InvalidQuantity,
    NotFound,
)

# -- never more than was paid, nor for more than came back ------------------------------


def test_partial_returns_of_a_line_are_granted_exactly_what_was_paid(
    make_delivered: MakeDelivered,
    make_line: MakeLine,
    approved_return: Approved,
    warehouse: Actor,
    clerk: Actor,
) -> None:
    # 7 x 15.00 - 5.00 = 100.00 paid; returned as 3 then 4 units.
    delivered = make_delivered(A_REF, 7, "15.00", discount="5.00")
    first = settle_goods(
        approved_return(make_line(A_REF, 3, delivered=delivered), return_id="r-1"),
        warehouse,
        {A_REF: Receipt(received=units(3))},
        {A_REF: Inspection(accepted=units(3))},
    )
    second = settle_goods(
        approved_return(make_line(A_REF, 4, delivered=delivered), return_id="r-2"),
        warehouse,
        {A_REF: Receipt(received=units(4))},
        {A_REF: Inspection(accepted=units(4))},
    )
    # R(3) = 300/7 = 42.857 -> 42.86; then R(7) - R(3) = 100.00 - 42.86 = 57.14.
    assert grant(first, clerk).order.refund == cny("42.86")
    assert grant(second, clerk, refunded_before={A_REF: units(3)}).order.refund == cny("57.14")
    # A third grant for units already refunded would pay more than was paid: refused.
    with pytest.raises(InvalidQuantity, match="SO-1/1"):
        grant(second, clerk, refunded_before={A_REF: units(4)})


def test_rejected_and_missing_units_are_not_refunded(
    make_delivered: MakeDelivered,
    make_line: MakeLine,
    approved_return: Approved,
    warehouse: Actor,
    clerk: Actor,
) -> None:
    line = make_line(A_REF, 4, delivered=make_delivered(A_REF, 4, "10.00"))
    order = settle_goods(
        approved_return(line),
        warehouse,
        {A_REF: Receipt(received=units(3), missing=units(1))},
        {A_REF: Inspection(accepted=units(1), rejected=units(2))},
    )
    result = grant(order, clerk)
    assert result.order.grant is not None
    (refund,) = result.order.grant.lines
    # 1 accepted of 4 paid 40.00: 10.00; the rejected and the missing units earn nothing.
    assert (refund.units, refund.missing_units, refund.total) == (units(1), units(0), cny("10.00"))
    (event,) = result.events
    assert isinstance(event, RefundGranted)
    assert event.missing_units_refunded == 0


def test_a_lost_parcel_policy_refunds_missing_units_and_says_how_many(
    make_delivered: MakeDelivered,
    make_line: MakeLine,
    approved_return: Approved,
    warehouse: Actor,
    clerk: Actor,
) -> None:
    line = make_line(A_REF, 4, delivered=make_delivered(A_REF, 4, "10.00"))
    order = settle_goods(
        approved_return(line),
        warehouse,
        {A_REF: Receipt(received=units(3), missing=units(1))},
        {A_REF: Inspection(accepted=units(1), rejected=units(2))},
    )
    result = grant(order, clerk, policy=RefundPolicy(refund_missing_units=True))
    assert result.order.grant is not None
    (refund,) = result.order.grant.lines
    # 1 accepted + 1 missing = 2 of 4 units paid 40.00: 20.00; still nothing for the rejected.
    assert (refund.units, refund.missing_units, refund.total) == (units(2), units(1), cny("20.00"))
    (event,) = result.events
    assert isinstance(event, RefundGranted)
    assert event.missing_units_refunded == 1


def test_a_lost_parcel_refunded_cannot_be_returned_again(
    make_delivered: MakeDelivered,
    make_line: MakeLine,
    approved_return: Approved,
    warehouse: Actor,
    clerk: Actor,
) -> None:
    # 2 delivered, both on the return; 1 arrives, 1 is lost and refunded under the policy.
    line = make_line(A_REF, 2, delivered=make_delivered(A_REF, 2, "10.00"))
    order = settle_goods(
        approved_return(line),
        warehouse,
        {A_REF: Receipt(received=units(1), missing=units(1))},
        {A_REF: Inspection(accepted=units(1))},
    )
    order = grant(order, clerk, policy=RefundPolicy(refund_missing_units=True)).order
    completed = goods.complete(order, clerk, AT).order
    # Both units are refunded, so neither may be returned again: the return must keep
    # claiming the refunded lost unit, or a second return of it is accepted and then
    # cannot be priced (2 refunded before + 1 more > 2 delivered).
    assert completed.claimed(A_REF) == 2


def test_granting_on_a_nearly_free_line_posts_a_balanced_entry(
    make_delivered: MakeDelivered,
    make_line: MakeLine,
    approved_return: Approved,
    warehouse: Actor,
    clerk: Actor,
) -> None:
    # 9 x 0.01 - 0.01 = 0.08 paid, tax 0.01 inside (9% VAT); 4 units were refunded before.
    # The fifth unit's slice is 0.00 of money with 0.01 of tax (see test_pricing.py): a
    # negative net that no posting can carry.  Granting must still work.
    delivered = make_delivered(A_REF, 9, "0.01", discount="0.01", tax_rate="0.09")
    order = settle_goods(
        approved_return(make_line(A_REF, 1, delivered=delivered)),
        warehouse,
        {A_REF: Receipt(received=units(1))},
        {A_REF: Inspection(accepted=units(1))},
    )
    result = grant(order, clerk, refunded_before={A_REF: units(4)})
    assert result.order.grant is not None
    (refund,) = result.order.grant.lines
    assert Money.zero("CNY") <= refund.tax <= refund.total


# -- payments ------------------------------------------------------------------------------


@pytest.fixture
def owed_236(
    make_delivered: MakeDelivered, make_line: MakeLine, approved_return: Approved, warehouse: Actor
) -> Callable[[Actor], ReturnOrder]:
    """A return whose refund of 236.00 CNY (226.00 + 10.00 shipping) is granted to the card."""
    delivered = make_delivered(A_REF, 2, "113.00", tax_rate="0.13", shipping="10.00")
    order = settle_goods(
        approved_return(make_line(A_REF, 2, delivered=delivered)),
        warehouse,
        {A_REF: Receipt(received=units(2))},
        {A_REF: Inspection(accepted=units(2))},
    )
    return lambda actor: grant(order, actor).order


def pay(order: ReturnOrder, actor: Actor, payment_id: str, amount: Money) -> Transition:
    return refunding.record_payment(
        order, actor, AT, payment_id=payment_id, amount=amount, reference=f"bank-{payment_id}"
    )


def settle(order: ReturnOrder, actor: Actor, payment_id: str, *, succeeded: bool) -> Transition:
    return refunding.settle_payment(
        order, actor, AT, payment_id=payment_id, succeeded=succeeded, chart=CHART
    )


def test_a_refund_may_be_paid_in_parts_up_to_what_was_granted(
    owed_236: Callable[[Actor], ReturnOrder], clerk: Actor
) -> None:
    first = pay(owed_236(clerk), clerk, "p-1", cny("200.00"))
    (event,) = first.events
    assert isinstance(event, RefundPaymentRecorded)
    assert (event.payment_id, event.amount, event.reference) == ("p-1", cny("200.00"), "bank-p-1")
    assert first.entries == ()
    grant_now = first.order.grant
    assert grant_now is not None
    payment = grant_now.payment("p-1")
    assert payment is not None
    assert (payment.status, payment.amount, payment.created_at) == (
        PaymentStatus.PENDING,
        cny("200.00"),
        AT,
    )
    # Pending money is committed but not yet paid.
    assert (grant_now.committed, grant_now.paid) == (cny("200.00"), cny("0.00"))
    # 236.00 - 200.00 = 36.00 is all that may still be paid.
    with pytest.raises(ExcessAmount, match=r"236\.00"):
        pay(first.order, clerk, "p-2", cny("36.01"))
    second = pay(first.order, clerk, "p-2", cny("36.00"))
    assert second.order.grant is not None
    assert second.order.grant.committed == cny("236.00")


@pytest.mark.parametrize(
    "amount",
    [cny("0.00"), cny("-1.00"), Money("1.00", "USD"), Decimal("1.00")],
    ids=["zero", "negative", "another currency", "not money"],
)
def test_a_payment_is_more_than_zero_in_the_returns_currency(
    owed_236: Callable[[Actor], ReturnOrder], clerk: Actor, amount: object
) -> None:
    with pytest.raises(InvalidInput):
        refunding.record_payment(
            owed_236(clerk),
            clerk,
            AT,
            payment_id="p-1",
            amount=amount,  # type: ignore[arg-type]
        )


def test_a_refund_not_yet_granted_cannot_be_paid(
    order_in: Callable[[ReturnStatus], ReturnOrder], clerk: Actor
) -> None:
    with pytest.raises(IllegalTransition, match="original payment"):
        pay(order_in(ReturnStatus.INSPECTED), clerk, "p-1", cny("1.00"))


def test_a_successful_payment_moves_the_debt_from_receivable_to_cash(
    owed_236: Callable[[Actor], ReturnOrder], clerk: Actor
) -> None:
    pending = pay(owed_236(clerk), clerk, "p-1", cny("200.00")).order
    result = settle(pending, clerk, "p-1", succeeded=True)
    (entry,) = result.entries
    assert (entry.kind, entry.number) == (EntryKind.REFUND_PAYMENT, NOTE)
    assert postings(entry) == {
        (CHART.receivable, Side.DEBIT, cny("200.00")),
        (CHART.cash, Side.CREDIT, cny("200.00")),
    }
    granted = result.order.grant
    assert granted is not None
    payment = granted.payment("p-1")
    assert payment is not None
    assert (payment.status, payment.settled_at) == (PaymentStatus.SUCCEEDED, AT)
    assert (granted.paid, granted.outstanding, granted.fully_paid) == (
        cny("200.00"),
        cny("36.00"),
        False,
    )
    (event,) = result.events
    assert isinstance(event, RefundPaymentSettled)
    assert (event.payment_id, event.status) == ("p-1", PaymentStatus.SUCCEEDED)


def test_a_failed_payment_posts_nothing_and_frees_its_amount(
    owed_236: Callable[[Actor], ReturnOrder], clerk: Actor
) -> None:
    pending = pay(owed_236(clerk), clerk, "p-1", cny("236.00")).order
    failed = settle(pending, clerk, "p-1", succeeded=False)
    assert failed.entries == ()
    assert failed.order.grant is not None
    assert failed.order.grant.committed == cny("0.00")
    # The whole 236.00 can be paid again, this time successfully.
    retried = settle(
        pay(failed.order, clerk, "p-2", cny("236.00")).order, clerk, "p-2", succeeded=True
    )
    assert retried.order.grant is not None
    assert retried.order.grant.fully_paid
    statuses = [p.status for p in retried.order.grant.payments]
    assert statuses == [PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]


def test_a_payment_is_settled_once(owed_236: Callable[[Actor], ReturnOrder], clerk: Actor) -> None:
    paid = settle(
        pay(owed_236(clerk), clerk, "p-1", cny("10.00")).order, clerk, "p-1", succeeded=True
    )
    with pytest.raises(IllegalTransition, match="p-1 is succeeded"):
        settle(paid.order, clerk, "p-1", succeeded=False)


def test_settling_an_unknown_payment_is_not_found(
    owed_236: Callable[[Actor], ReturnOrder], clerk: Actor
) -> None:
    with pytest.raises(NotFound, match="p-9"):
        settle(owed_236(clerk), clerk, "p-9", succeeded=True)


# -- property ------------------------------------------------------------------------------


@st.composite
def refund_cases(draw: st.DrawFn) -> tuple[ReturnLine, list[int], RefundPolicy]:
    """A line (any price, discount, shipping, tax), a split into returns, any fee policy."""
    quantity = draw(st.integers(min_value=1, max_value=20))
    price = draw(st.integers(min_value=0, max_value=10**7))
    discount = draw(st.integers(min_value=0, max_value=price * quantity))
    delivered = DeliveredLine(
        ref=A_REF,
        customer_id="C-1",
        customer_name="Customer",
        sku="SKU-1",
        product_name="Product",
        category="misc",
        quantity_delivered=Decimal(quantity),
        unit_price=Money(Decimal(price).scaleb(-2), "CNY"),
        ordered_at=AT,
        line_discount=Money(Decimal(discount).scaleb(-2), "CNY"),
        shipping=Money(Decimal(draw(st.integers(0, 10**5))).scaleb(-2), "CNY"),
        tax_rate=draw(st.sampled_from([Decimal(0), Decimal("0.06"), Decimal("0.13")])),
        prices_include_tax=draw(st.booleans()),
    )
    fault = draw(st.sampled_from(Fault))
    line = ReturnLine(
        ref=A_REF,
        sku="SKU-1",
        product_name="Product",
        product_category="misc",
        reason_code="any",
        reason_category="any",
        inspection_required=True,
        unit_price=delivered.unit_price,
        refund=Money.zero("CNY"),
        requested=Decimal(quantity),
        pricing=delivered.pricing(),
        fault=fault,
    )
    cuts = sorted(draw(st.sets(st.integers(1, quantity - 1))) if quantity > 1 else [])
    parts = [b - a for a, b in itertools.pairwise([0, *cuts, quantity])]
    percent = Decimal(draw(st.integers(0, 100))) / 100
    low = draw(st.integers(0, 10**4))
    policy = RefundPolicy(
        fee_rules=[FeeRule(percent, minimum=[Money(Decimal(low).scaleb(-2), "CNY")])],
        fee_waived_for=draw(st.frozensets(st.sampled_from(Fault))),
        refund_shipping_for=draw(st.frozensets(st.sampled_from(Fault))),
    )
    return line, parts, policy


@given(refund_cases())
def test_refunds_never_exceed_what_was_paid(
    case: tuple[ReturnLine, list[int], RefundPolicy],
) -> None:
    line, parts, policy = case
    before, paid_back = Decimal(0), []
    for part in parts:
        (refund,) = price_refund((line,), {A_REF: Decimal(part)}, {A_REF: before}, policy)
        assert Money.zero("CNY") <= refund.fee <= refund.total
        assert Money.zero("CNY") <= refund.payable <= refund.total + refund.shipping
        paid_back.append(refund)
        before += part
    pricing = line.pricing
    assert Money.total((r.total for r in paid_back), "CNY") == pricing.total
    assert Money.total((r.payable for r in paid_back), "CNY") <= pricing.total + pricing.shipping
