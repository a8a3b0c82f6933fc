"""How the goods come back: shipments, carriers' tracking updates.

``records.py`` holds the shipment and tracking-update records and their
enumerations.
"""

from crm_returns.domain.shipments.records import (
    Shipment,
    ShipmentMethod,
    ShippingPayer,
    TrackingStatus,
    TrackingUpdate,
)

__all__ = ["Shipment", "ShipmentMethod", "ShippingPayer", "TrackingStatus", "TrackingUpdate"]
