"""What bringing a return's goods back cost the merchant: its return-shipping fee.

Every shipment of a return brings goods back, from the customer to the
merchant (there are no outbound shipments among them), so what decides
whether a shipment's cost is the merchant's is who pays it:

===================  ===============  ======================================
paid by              cost             counts as
===================  ===============  ======================================
merchant             known            its cost
merchant             unknown          unknown: the whole fee is unknown,
                                      except a hand-over in store, which
                                      costs nothing
customer             any              nothing: the customer paid the carrier
===================  ===============  ======================================

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
