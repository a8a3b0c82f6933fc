"""The public hypothesis strategies make data the library accepts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from crm_returns import DeliveredLine, Money
from crm_returns.domain.money import MINOR_UNITS
from crm_returns.testing import sample_wiring
from crm_returns.testing import strategies as returns_st

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@given(returns_st.money())
def test_money_is_always_on_its_minor_unit(amount: Money) -> None:
    assert amount.amount == amount.amount.quantize(Decimal(1).scaleb(-MINOR_UNITS[amount.currency]))


@given(returns_st.delivered_lines(now=NOW))
def test_delivered_lines_are_paid_for_within_their_gross_amount(line: DeliveredLine) -> None:
    pricing = line.pricing()
    assert Money.zero(line.currency) <= pricing.tax <= pricing.total
    assert line.delivered_at is not None
    assert line.delivered_at <= NOW


@given(st.data())
def test_generated_requests_are_accepted_by_the_service(data: st.DataObject) -> None:
    wiring = sample_wiring(now=NOW, with_sample_orders=False)
    lines = data.draw(
        st.lists(
            returns_st.delivered_lines(currency="CNY", now=NOW, customer_id="C-1"),
            min_size=1,
            max_size=4,
            unique_by=lambda line: line.ref,
        )
    )
    for line in lines:
        wiring.orders.add("acme", line)
    request = data.draw(returns_st.return_requests(lines))
    order = wiring.service.create_return(wiring.clerk, request)
    assert {line.ref for line in order.lines} == {line.ref for line in request.lines}
