"""A return's shipping fee: what the merchant pays to bring its goods back, in its currency."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from crm_returns.domain.money import Money
from crm_returns.domain.shipments import (
    Shipment,
    ShipmentMethod,
    ShippingPayer,
    return_shipping_fee,
)
from crm_returns.errors import InvalidMoney

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
_IDS = itertools.count(1)


def shipment(cost: str | Money | None = None, **changes: Any) -> Shipment:
    """A carrier pickup of return r-1 the merchant pays, costing ``cost`` CNY."""
    fields: dict[str, Any] = {
        "tenant_id": "acme", "id": f"s-{next(_IDS)}", "return_id": "r-1",
        "customer_id": "C-1", "at": AT, "updated_at": AT, "method": ShipmentMethod.CARRIER_PICKUP,
        "carrier": "sf",
        "cost": Money(Decimal(cost), "CNY") if isinstance(cost, str) else cost,
    }  # fmt: skip
    return Shipment(**(fields | changes))


def test_a_return_without_shipments_cost_nothing_to_bring_back() -> None:
    assert return_shipping_fee([], "CNY") == Money.zero("CNY")
    assert return_shipping_fee([], "JPY") == Money.zero("JPY")


def test_the_fee_adds_up_the_costs_of_the_shipments_the_merchant_pays() -> None:
    parcels = [shipment("15.00"), shipment("5.01", carrier="jd")]

    assert return_shipping_fee(parcels, "CNY") == Money(Decimal("20.01"), "CNY")


def test_a_shipment_the_customer_pays_costs_the_merchant_nothing() -> None:
    parcels = [shipment("15.00"), shipment("9.99", paid_by=ShippingPayer.CUSTOMER)]
    # Unknown or in another currency: still the customer's, so still nothing.
    theirs = [
        shipment(None, paid_by=ShippingPayer.CUSTOMER),
        shipment(Money(Decimal(7), "USD"), paid_by=ShippingPayer.CUSTOMER),
    ]

    assert return_shipping_fee(parcels, "CNY") == Money(Decimal("15.00"), "CNY")
    assert return_shipping_fee(theirs, "CNY") == Money.zero("CNY")


def test_a_merchant_paid_shipment_of_unknown_cost_makes_the_fee_unknown() -> None:
    parcels = [shipment("15.00"), shipment(None, carrier="jd")]

    assert return_shipping_fee(parcels, "CNY") is None


def test_goods_handed_over_in_store_cost_nothing_unless_a_cost_is_given() -> None:
    counter = shipment(None, method=ShipmentMethod.IN_STORE, carrier="")
    priced = shipment("3.00", method=ShipmentMethod.IN_STORE, carrier="")

    assert return_shipping_fee([counter], "CNY") == Money.zero("CNY")
    assert return_shipping_fee([counter, priced], "CNY") == Money(Decimal("3.00"), "CNY")


@pytest.mark.parametrize(
    "odd",
    [Money(Decimal("2.00"), "USD"), Money(Decimal("-1.00"), "CNY")],
    ids=["another currency", "below zero"],
)
def test_a_cost_in_another_currency_or_below_zero_is_never_added(odd: Money) -> None:
    parcels = [shipment("15.00"), shipment(odd, carrier="jd")]

    assert return_shipping_fee(parcels, "CNY") is None


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(InvalidMoney):
        return_shipping_fee([], "XXX")
