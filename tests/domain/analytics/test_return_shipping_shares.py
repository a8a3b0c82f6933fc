"""The return's shipping fee, split over its line facts to the minor unit."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.domain.conftest import LINE_A, LINE_B, T0

from crm_returns.domain.actors import Actor
from crm_returns.domain.analytics import line_facts
from crm_returns.domain.money import MINOR_UNITS, Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns import approving, drafting
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments import Shipment, ShipmentMethod, ShippingPayer
from crm_returns.testing.strategies import money

_IDS = itertools.count(1)


def _draft(clerk: Actor, *lines: ReturnLine) -> ReturnOrder:
    return drafting.draft(
        return_id="r-1", number="RT-20261127-000001", actor=clerk, at=T0,
        customer_id="C-1", customer_name="Customer One", lines=lines,
    ).order  # fmt: skip


def _parcel(cost: Money | None, **changes: Any) -> Shipment:
    """A carrier pickup of return r-1 that the merchant pays."""
    fields: dict[str, Any] = {
        "tenant_id": "acme", "id": f"s-{next(_IDS)}", "return_id": "r-1", "customer_id": "C-1",
        "at": T0, "updated_at": T0, "method": ShipmentMethod.CARRIER_PICKUP, "carrier": "sf",
        "cost": cost,
    }  # fmt: skip
    return Shipment(**(fields | changes))


def _cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def test_the_fee_is_split_by_what_each_line_brings_back_to_the_cent(
    standard_lines: tuple[ReturnLine, ...], clerk: Actor
) -> None:
    order = _draft(clerk, *standard_lines)  # lines worth 200.00 and 50.00
    parcels = [_parcel(_cny("15.00")), _parcel(_cny("5.01"), carrier="jd")]

    a, b = line_facts(order, shipments=parcels)

    # 20.01 x 4/5 = 16.008 and 20.01 x 1/5 = 4.002: the odd cent to the larger remainder.
    assert (a.return_shipping_fee, b.return_shipping_fee) == (Decimal("16.01"), Decimal("4.00"))


def test_no_shipment_costs_nothing_and_shipments_not_given_are_unknown(
    standard_lines: tuple[ReturnLine, ...], clerk: Actor
) -> None:
    order = _draft(clerk, *standard_lines)

    assert [f.return_shipping_fee for f in line_facts(order, shipments=())] == [
        Decimal("0.00"), Decimal("0.00")
    ]  # fmt: skip
    assert [f.return_shipping_fee for f in line_facts(order)] == [None, None]


def test_an_unknown_cost_the_merchant_pays_leaves_every_line_unknown(
    standard_lines: tuple[ReturnLine, ...], clerk: Actor
) -> None:
    order = _draft(clerk, *standard_lines)
    label_pending = [_parcel(_cny("15.00")), _parcel(None, carrier="jd")]
    foreign = [_parcel(Money(Decimal("2.00"), "USD"))]

    for parcels in (label_pending, foreign):
        assert [f.return_shipping_fee for f in line_facts(order, shipments=parcels)] == [
            None, None
        ]  # fmt: skip


def test_only_this_returns_merchant_paid_shipments_count(
    standard_lines: tuple[ReturnLine, ...], clerk: Actor
) -> None:
    order = _draft(clerk, *standard_lines)
    parcels = [
        _parcel(_cny("10.00")),
        _parcel(_cny("99.00"), paid_by=ShippingPayer.CUSTOMER),
        _parcel(_cny("99.00"), return_id="r-2"),
        _parcel(_cny("99.00"), tenant_id="globex"),
        _parcel(None, method=ShipmentMethod.IN_STORE, carrier=""),
    ]

    a, b = line_facts(order, shipments=parcels)

    assert (a.return_shipping_fee, b.return_shipping_fee) == (Decimal("8.00"), Decimal("2.00"))


def test_a_cancelled_return_shares_its_fee_equally(
    standard_lines: tuple[ReturnLine, ...], clerk: Actor
) -> None:
    order = approving.cancel(_draft(clerk, *standard_lines), clerk, T0, "changed their mind").order
    assert order.status is ReturnStatus.CANCELLED

    a, b = line_facts(order, shipments=[_parcel(_cny("10.01"))])

    # Nothing of value comes back (every line's value is zero), yet the label was paid.
    assert (a.merchandise_value, b.merchandise_value) == (Decimal("0.00"), Decimal("0.00"))
    assert (a.return_shipping_fee, b.return_shipping_fee) == (Decimal("5.01"), Decimal("5.00"))


@st.composite
def _returns(
    draw: st.DrawFn, make_line: Callable[..., ReturnLine], clerk: Actor
) -> tuple[ReturnOrder, list[Shipment]]:
    """A draft of one to six lines in one currency (some free), and its merchant-paid shipments."""
    currency = draw(st.sampled_from(["CNY", "JPY", "KWD"]))
    prices = draw(st.lists(money(currency, max_value=Decimal(5_000)), min_size=1, max_size=6))
    lines = [
        make_line(LineRef("SO-9", str(n)), draw(st.integers(1, 9)), str(price.amount), currency)
        for n, price in enumerate(prices, start=1)
    ]
    costs = draw(st.lists(money(currency, max_value=Decimal(500)), max_size=4))
    return _draft(clerk, *lines), [_parcel(cost) for cost in costs]


@given(data=st.data())
def test_the_lines_shares_add_up_exactly_to_the_returns_fee(
    data: st.DataObject, make_line: Callable[..., ReturnLine], clerk: Actor
) -> None:
    order, parcels = data.draw(_returns(make_line, clerk))
    fee = Money.total((p.cost for p in parcels if p.cost is not None), order.currency)
    quantum = Decimal(1).scaleb(-MINOR_UNITS[order.currency])

    facts = line_facts(order, shipments=parcels)
    shares = [f.return_shipping_fee for f in facts]

    assert all(isinstance(s, Decimal) and s >= 0 for s in shares)
    assert sum(s for s in shares if s is not None) == fee.amount
    # Each share is a whole number of minor units, within one of its exact proportion.
    values = [f.merchandise_value for f in facts]
    total = sum(values, Decimal(0))
    for share, value in zip(shares, values, strict=True):
        assert share is not None
        assert share == share.quantize(quantum)
        exact = fee.amount * value / total if total else fee.amount / len(values)
        assert abs(share - exact) < quantum


def test_lines_keep_their_order_ties_going_to_the_earlier_line(
    make_line: Callable[..., ReturnLine], clerk: Actor
) -> None:
    order = _draft(clerk, make_line(LINE_A, 1, "10.00"), make_line(LINE_B, 1, "10.00"))

    a, b = line_facts(order, shipments=[_parcel(_cny("0.03"))])

    assert (a.return_shipping_fee, b.return_shipping_fee) == (Decimal("0.02"), Decimal("0.01"))
