"""What bringing a return's goods back cost the merchant: its return-shipping fee.

Every shipment of a return brings goods back, from the customer to the
merchant (none of them goes out), so who pays a shipment decides whether its
cost is the merchant's:

- paid by the merchant, cost known: its cost counts;
- paid by the merchant, no cost yet (no label, nothing typed): the fee is
  unknown, except for goods handed over in store, which cost nothing;
- paid by the customer: nothing, whatever its cost (the customer paid the carrier).

A return without shipments costs nothing to bring back.  A cost in another
currency than the return's is never converted nor added to the others: the
fee is then unknown in the return's currency, as it is for a cost below zero
(no carrier charges one).
"""

from __future__ import annotations

from collections.abc import Iterable

from crm_returns.domain.money import Money
from crm_returns.domain.shipments.records import Shipment, ShipmentMethod, ShippingPayer

__all__ = ["return_shipping_fee"]


def return_shipping_fee(shipments: Iterable[Shipment], currency: str) -> Money | None:
    """What the merchant pays for ``shipments``, in ``currency``; ``None`` when unknown.

    Args:
        shipments: The shipments of one return.
        currency: The return's currency.

    Raises:
        InvalidMoney: ``currency`` is not a currency.
    """
    fee = Money.zero(currency)
    for shipment in shipments:
        if shipment.paid_by is ShippingPayer.CUSTOMER:
            continue
        cost = shipment.cost
        if cost is None:
            if shipment.method is ShipmentMethod.IN_STORE:
                continue
            return None
        if cost.currency != currency or cost.amount < 0:
            return None
        fee += cost
    return fee
