"""A return's shipments, and what carriers reported about them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

import attrs

from crm_returns.domain._checks import identifier, moment, text, value_of
from crm_returns.domain.casefile.records import CaseIndex, CaseRecord
from crm_returns.domain.money import Money

__all__ = [
    "Shipment",
    "ShipmentMethod",
    "ShippingPayer",
    "TrackingStatus",
    "TrackingUpdate",
    "tracking_key",
]


class ShipmentMethod(enum.Enum):
    """How the goods come back."""

    DROP_OFF = "drop_off"
    CARRIER_PICKUP = "carrier_pickup"
    IN_STORE = "in_store"


class ShippingPayer(enum.Enum):
    """Who pays for the return shipment."""

    CUSTOMER = "customer"
    MERCHANT = "merchant"


class TrackingStatus(enum.Enum):
    """What a carrier says about a parcel."""

    PENDING = "pending"
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    LOST = "lost"


@attrs.frozen(kw_only=True)
class Shipment(CaseRecord):
    """One parcel (or hand-over) bringing goods of a return back.

    Attributes:
        method: Drop-off, carrier pickup, or in store.
        carrier: The carrier's code ("" in store).
        tracking_number: The carrier's tracking number ("" until known).
        label_reference: The carrier's label reference ("" without a label).
        cost: What the shipment costs, if known.
        paid_by: Who pays it.
        status: The last status a carrier reported (or staff typed).
        updated_at: When the status last changed.
    """

    kind: ClassVar[str] = "shipment"

    method: ShipmentMethod = attrs.field(validator=value_of(ShipmentMethod))
    # No NUL: together they are the shipment's unique key, kept in an indexed column.
    carrier: str = attrs.field(default="", validator=text(64, optional=True, no_nul=True))
    tracking_number: str = attrs.field(default="", validator=text(128, optional=True, no_nul=True))
    label_reference: str = attrs.field(default="", validator=text(200, optional=True))
    cost: Money | None = attrs.field(default=None, validator=value_of(Money, optional=True))
    paid_by: ShippingPayer = attrs.field(
        default=ShippingPayer.MERCHANT, validator=value_of(ShippingPayer)
    )
    status: TrackingStatus = attrs.field(
        default=TrackingStatus.PENDING, validator=value_of(TrackingStatus)
    )
    updated_at: datetime = attrs.field(validator=moment)

    @property
    def tracking_key(self) -> str | None:
        """``carrier:tracking_number``, once both are known; what carriers' reports find it by."""
        return tracking_key(self.carrier, self.tracking_number)

    def index(self) -> CaseIndex:
        """Unique by carrier and tracking number, once a tracking number is known."""
        return CaseIndex(key=self.tracking_key)


def tracking_key(carrier: str, tracking_number: str) -> str | None:
    """The unique key of the shipment a carrier knows by ``tracking_number``.

    ``None`` while either is unknown (an in-store hand-over, a parcel not sent yet).
    """
    if not carrier or not tracking_number:
        return None
    return f"{carrier}:{tracking_number}"


@attrs.frozen(kw_only=True)
class TrackingUpdate(CaseRecord):
    """One tracking event of a carrier, ingested once (by the carrier's event id).

    Attributes:
        shipment_id: The shipment it is about.
        carrier: The carrier's code.
        event_id: The carrier's id of the event.
        status: What it says.
        occurred_at: When it happened, as the carrier says.
        location: Where, as the carrier says.
        description: The carrier's words.
    """

    kind: ClassVar[str] = "tracking"

    shipment_id: str = attrs.field(validator=identifier(64))
    carrier: str = attrs.field(validator=identifier(64))
    event_id: str = attrs.field(validator=identifier(128))
    status: TrackingStatus = attrs.field(validator=value_of(TrackingStatus))
    occurred_at: datetime = attrs.field(validator=moment)
    location: str = attrs.field(default="", validator=text(200, optional=True))
    description: str = attrs.field(default="", validator=text(500, optional=True))

    def index(self) -> CaseIndex:
        """Unique by carrier and the carrier's event id: ingested once."""
        return CaseIndex(key=f"{self.carrier}:{self.event_id}")
