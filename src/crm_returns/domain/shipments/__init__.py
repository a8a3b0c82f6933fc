"""How the goods come back: shipments, carriers' tracking updates.

``records.py`` holds the shipment and tracking-update records and their
enumerations; ``plans.py`` the plan of a new shipment (and the receipts a lost
parcel leads to); ``tracking.py`` the rules that turn tracking updates into a
shipment's status; ``fees.py`` what the shipments of a return cost the merchant
(its return-shipping fee, as reports count it).
"""

from crm_returns.domain.shipments.fees import return_shipping_fee
from crm_returns.domain.shipments.plans import (
    ShipmentPlan,
    check_carrier_code,
    lost_parcel_receipts,
)
from crm_returns.domain.shipments.records import (
    Shipment,
    ShipmentMethod,
    ShippingPayer,
    TrackingStatus,
    TrackingUpdate,
    tracking_key,
)
from crm_returns.domain.shipments.tracking import Merge, deciding_update, merge, status_of

__all__ = [
    "Merge",
    "Shipment",
    "ShipmentMethod",
    "ShipmentPlan",
    "ShippingPayer",
    "TrackingStatus",
    "TrackingUpdate",
    "check_carrier_code",
    "deciding_update",
    "lost_parcel_receipts",
    "merge",
    "return_shipping_fee",
    "status_of",
    "tracking_key",
]
