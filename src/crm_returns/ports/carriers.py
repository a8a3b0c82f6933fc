"""The port of a carrier (承运商): labels for return shipments, and what it reports on parcels.

A host plugs in one :class:`Carrier` per carrier it works with (SF Express,
JD Logistics, a postal service), by code, in
:attr:`~crm_returns.ServiceSettings.carriers`.  The library asks a carrier
for two things only: a label for a shipment, and the tracking events of a
tracking number.  A carrier's own webhook (it pushes events) goes through
:meth:`~crm_returns.ReturnsService.ingest_tracking` instead, in the host's
handler; see ``docs/shipments.md``.

A carrier translates every failure of its own (a timeout, a refusal) into
:class:`~crm_returns.errors.CarrierError`; the conformance kit's
:class:`~crm_returns.testing.conformance.CarrierContract` checks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs

from crm_returns.domain._checks import identifier, moment, text, value_of
from crm_returns.domain.money import Money
from crm_returns.domain.shipments.records import Shipment, TrackingStatus

__all__ = ["Carrier", "CarrierEvent", "CarrierLabel"]


@attrs.frozen(kw_only=True)
class CarrierEvent:
    """One tracking event as a carrier reports it.

    Attributes:
        event_id: The carrier's id of the event: the same on every report of
            it, so that it is ingested once.
        tracking_number: The parcel's tracking number.
        status: What it says, in the library's words (the adapter maps the
            carrier's own codes).
        occurred_at: When it happened (timezone-aware).
        location: Where, as the carrier says.
        description: The carrier's words.

    Raises:
        InvalidInput: A field is missing, too long, or of the wrong type.
    """

    event_id: str = attrs.field(validator=identifier(128))
    tracking_number: str = attrs.field(validator=identifier(128))
    status: TrackingStatus = attrs.field(validator=value_of(TrackingStatus))
    occurred_at: datetime = attrs.field(validator=moment)
    location: str = attrs.field(default="", validator=text(200, optional=True))
    description: str = attrs.field(default="", validator=text(500, optional=True))


@attrs.frozen(kw_only=True)
class CarrierLabel:
    """A shipping label a carrier created.

    Attributes:
        tracking_number: The tracking number of the parcel.
        label_reference: The carrier's reference of the label (to print or send it).
        cost: What the carrier charges, if it says.

    Raises:
        InvalidInput: A field is missing, too long, or of the wrong type.
    """

    tracking_number: str = attrs.field(validator=identifier(128))
    label_reference: str = attrs.field(validator=identifier(200))
    cost: Money | None = attrs.field(default=None, validator=value_of(Money, optional=True))


class Carrier(Protocol):
    """A carrier the library can ask for labels and tracking."""

    @property
    def code(self) -> str:
        """The carrier's code: lower-case letters, digits, ``_`` and ``-`` (``sf``, ``manual``)."""
        ...

    def create_label(self, shipment: Shipment) -> CarrierLabel:
        """Create a label to ship ``shipment``'s goods back.

        Raises:
            CarrierError: The carrier cannot or would not (``LabelsNotOffered``
                when it creates no labels at all).
        """
        ...

    def track(self, tracking_number: str) -> Sequence[CarrierEvent]:
        """Every tracking event the carrier has for ``tracking_number`` (none if it knows none).

        Raises:
            CarrierError: The carrier could not be asked.
        """
        ...
