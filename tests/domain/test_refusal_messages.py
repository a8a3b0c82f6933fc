"""Refusals name what was wrong, so that a clerk or a host's log can act on them.

Each error here is raised for one reason; the tests pin the words that say
which input, which value and which rule, not the whole grammar of every
sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.money import Money, minor_unit
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.orders import LineRef
from crm_returns.domain.policies.deadlines import overdue_approval
from crm_returns.domain.reasons import DEFAULT_CATALOG, Fault
from crm_returns.domain.refunds.fees import FeeRule, RefundPolicy
from crm_returns.domain.refunds.paid import allocate
from crm_returns.domain.returns import goods
from crm_returns.domain.returns.lines import Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import IllegalTransition, InvalidInput, InvalidMoney, NotFound

S = ReturnStatus
AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
OrderIn = Callable[[ReturnStatus], ReturnOrder]


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def test_an_unknown_reason_category_is_not_found_by_its_code() -> None:
    with pytest.raises(NotFound) as raised:
        DEFAULT_CATALOG.category("weather")
    assert (raised.value.kind, raised.value.key) == ("reason category", "weather")


def test_an_unknown_currency_is_named() -> None:
    with pytest.raises(InvalidMoney) as raised:
        minor_unit("XBT")
    assert str(raised.value) == "unknown currency 'XBT'"


def test_allocating_over_no_lines_or_nothing_to_weigh_by_says_so() -> None:
    with pytest.raises(InvalidMoney) as raised:
        allocate(cny("1.00"), [])
    assert str(raised.value) == "cannot allocate over no lines"
    with pytest.raises(InvalidMoney) as raised:
        allocate(cny("1.00"), [cny("0.00")])
    assert str(raised.value) == (
        "allocate 1.00 CNY needs a non-negative amount and weights with a positive sum"
    )


def test_a_fee_rule_names_what_is_wrong_with_it() -> None:
    with pytest.raises(InvalidInput) as raised:
        FeeRule(Decimal("1.5"))
    assert str(raised.value) == "percent must be a fraction from 0 to 1, got 1.5"
    with pytest.raises(InvalidInput) as raised:
        FeeRule(Decimal("0.1"), minimum=(cny("1.00"), cny("2.00")))
    assert str(raised.value) == "one amount per currency, got ['CNY', 'CNY']"
    with pytest.raises(InvalidInput) as raised:
        FeeRule(Decimal("0.1"), maximum=(Money(Decimal("-1.00"), "CNY"),))
    assert str(raised.value) == "fee bounds must not be negative"


def test_a_refund_policy_names_a_fault_that_is_not_one() -> None:
    with pytest.raises(InvalidInput) as raised:
        RefundPolicy(refund_shipping_for=["seller"])  # type: ignore[list-item]
    assert str(raised.value) == "faults must be Fault values, got str"
    assert RefundPolicy(refund_shipping_for=[Fault.SELLER]).refund_shipping_for == {Fault.SELLER}


@pytest.mark.parametrize(
    ("at", "described"),
    [
        ("2026-11-28", "str"),
        (None, "NoneType"),
        (datetime(2026, 11, 28, 10, 0), "the naive datetime 2026-11-28T10:00:00"),  # noqa: DTZ001
    ],
)
def test_an_overdue_check_at_a_time_that_is_not_one_says_what_it_got(
    order_in: OrderIn, at: object, described: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        overdue_approval(order_in(S.SUBMITTED), at)  # type: ignore[arg-type]
    assert str(raised.value) == f"at must be a timezone-aware datetime, not {described}"


def test_a_number_can_carry_the_tenant() -> None:
    number = NumberFormat("{tenant}-{seq:04d}").render("acme", date(2026, 11, 28), 7)
    assert number == "acme-0007"


def test_a_sequence_that_never_restarts_has_one_counter_for_every_day() -> None:
    running = NumberFormat("R-{seq}", per_day=False, series="running")
    assert running.sequence_key("acme", date(2026, 11, 28)) == "running:acme:*"
    assert running.sequence_key("acme", date(2027, 1, 1)) == "running:acme:*"
    daily = NumberFormat()
    assert daily.sequence_key("acme", date(2026, 11, 28)) == "return:acme:2026-11-28"


def test_completing_with_units_still_to_inspect_names_the_lines(
    approved_return: Callable[..., ReturnOrder],
    make_line: Callable[..., ReturnLine],
    warehouse: Actor,
    clerk: Actor,
) -> None:
    first, second = LineRef("SO-1", "1"), LineRef("SO-1", "2")
    order = approved_return(make_line(first, 1), make_line(second, 1))
    arrived = {ref: Receipt(received=Decimal(1)) for ref in (first, second)}
    received = goods.receive(order, warehouse, AT, arrived, DEFAULT_CHART).order
    with pytest.raises(IllegalTransition) as raised:
        goods.complete(received, clerk, AT)
    error = raised.value
    assert (error.number, error.status, error.action) == (received.number, "received", "complete")
    assert str(error).endswith(
        "cannot complete: line(s) SO-1/1, SO-1/2 still await inspection or review"
    )


def test_completing_before_the_refund_is_granted_says_so(order_in: OrderIn, clerk: Actor) -> None:
    order = order_in(S.INSPECTED)
    with pytest.raises(IllegalTransition) as raised:
        goods.complete(order, clerk, AT)
    assert (raised.value.number, raised.value.action) == (order.number, "complete")
    assert str(raised.value).endswith("cannot complete: grant the refund first")
