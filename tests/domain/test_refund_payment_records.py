"""What recording and settling refund payments leave on record, and how they refuse.

The arithmetic of payments is specified in test_refund_limits_and_payments.py;
here: what a refused command tells the host (the error's fields, which a
host shows or branches on), the stable id and memo of the cash entry, and
what the payment events carry.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.domain.refund_support import (
    A_REF,
    AT,
    CHART,
    Approved,
    MakeDelivered,
    MakeLine,
    cny,
    grant,
    settle_goods,
    units,
)

from crm_returns.domain.actors import Actor
from crm_returns.domain.events import RefundPaymentRecorded, RefundPaymentSettled
from crm_returns.domain.money import Money
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import refunding
from crm_returns.domain.returns.lines import Inspection, Receipt
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import IllegalTransition, InvalidInput, NotFound


@pytest.fixture
def inspected(
    make_delivered: MakeDelivered, make_line: MakeLine, approved_return: Approved, warehouse: Actor
) -> ReturnOrder:
    """2 units at 50.00 CNY received and accepted: 100.00 CNY to refund."""
    delivered = make_delivered(A_REF, 2, "50.00")
    return settle_goods(
        approved_return(make_line(A_REF, 2, delivered=delivered)),
        warehouse,
        {A_REF: Receipt(received=units(2))},
        {A_REF: Inspection(accepted=units(2))},
    )


@pytest.fixture
def granted(inspected: ReturnOrder, clerk: Actor) -> ReturnOrder:
    """The 100.00 CNY refund granted to the original payment."""
    return grant(inspected, clerk).order


def pay(order: ReturnOrder, actor: Actor, amount: Money, **reference: str) -> Transition:
    return refunding.record_payment(order, actor, AT, payment_id="p-1", amount=amount, **reference)


def settle(order: ReturnOrder, actor: Actor, payment_id: str = "p-1") -> Transition:
    return refunding.settle_payment(
        order, actor, AT, payment_id=payment_id, succeeded=True, chart=CHART
    )


def test_paying_a_refund_not_yet_granted_names_the_return_its_status_and_the_action(
    inspected: ReturnOrder, clerk: Actor
) -> None:
    with pytest.raises(IllegalTransition) as raised:
        pay(inspected, clerk, cny("1.00"))
    error = raised.value
    assert (error.number, error.status, error.action) == (
        inspected.number,
        "inspected",
        "record a refund payment",
    )
    assert str(error) == (
        f"return {inspected.number} is inspected; cannot record a refund payment: "
        "only a granted refund to the original payment method is paid out"
    )


def test_a_refund_granted_as_store_credit_is_not_paid_out(
    inspected: ReturnOrder, clerk: Actor
) -> None:
    order = grant(inspected, clerk, method=RefundMethod.STORE_CREDIT).order
    with pytest.raises(IllegalTransition, match="original payment method"):
        pay(order, clerk, cny("1.00"))


def test_a_refused_payment_amount_is_named_in_the_error(granted: ReturnOrder, clerk: Actor) -> None:
    with pytest.raises(InvalidInput) as raised:
        pay(granted, clerk, cny("0.00"))
    assert str(raised.value) == "a payment must be more than zero CNY, got 0.00 CNY"


def test_a_payment_without_a_reference_records_none_and_its_event_no_remark(
    granted: ReturnOrder, clerk: Actor
) -> None:
    result = pay(granted, clerk, cny("40.00"))
    assert result.order.grant is not None
    payment = result.order.grant.payment("p-1")
    assert payment is not None
    assert payment.reference == ""
    (event,) = result.events
    assert isinstance(event, RefundPaymentRecorded)
    assert (event.reference, event.comment) == ("", "")


def test_a_settled_payment_posts_an_entry_with_a_stable_id_and_a_readable_memo(
    granted: ReturnOrder, clerk: Actor
) -> None:
    pending = pay(granted, clerk, cny("40.00"), reference="bank-77").order
    result = settle(pending, clerk)
    (posted,) = result.entries
    assert posted.id == f"{pending.id}:v{pending.version + 1}:j1"
    assert posted.memo == "refund payment p-1 bank-77"
    (event,) = result.events
    assert isinstance(event, RefundPaymentSettled)
    assert event.comment == ""


def test_the_memo_of_a_payment_without_a_reference_ends_with_its_id(
    granted: ReturnOrder, clerk: Actor
) -> None:
    result = settle(pay(granted, clerk, cny("40.00")).order, clerk)
    (posted,) = result.entries
    assert posted.memo == "refund payment p-1"


def test_settling_an_unknown_payment_names_what_was_not_found(
    granted: ReturnOrder, clerk: Actor
) -> None:
    with pytest.raises(NotFound) as raised:
        settle(granted, clerk, "p-9")
    assert (raised.value.kind, raised.value.key) == ("refund payment", "p-9")


def test_settling_a_payment_of_a_return_without_a_refund_is_not_found(
    order_in: Callable[[ReturnStatus], ReturnOrder], clerk: Actor
) -> None:
    # A completed return has its refund; an inspected one has none yet.
    with pytest.raises(NotFound) as raised:
        settle(order_in(ReturnStatus.INSPECTED), clerk, "p-1")
    assert (raised.value.kind, raised.value.key) == ("refund payment", "p-1")


def test_settling_a_payment_twice_names_the_return_its_status_and_the_payment(
    granted: ReturnOrder, clerk: Actor
) -> None:
    settled = settle(pay(granted, clerk, cny("40.00")).order, clerk).order
    with pytest.raises(IllegalTransition) as raised:
        settle(settled, clerk)
    error = raised.value
    assert (error.number, error.status, error.action) == (
        settled.number,
        settled.status.value,
        "settle payment",
    )
    assert str(error).endswith("cannot settle payment: p-1 is succeeded")
