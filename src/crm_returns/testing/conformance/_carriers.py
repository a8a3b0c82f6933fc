"""The contract of a carrier adapter (:class:`~crm_returns.ports.carriers.Carrier`)."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from crm_returns.domain.shipments.plans import check_carrier_code
from crm_returns.domain.shipments.records import Shipment, ShipmentMethod
from crm_returns.errors import CarrierError
from crm_returns.ports.carriers import Carrier, CarrierEvent, CarrierLabel

__all__ = ["CarrierContract", "CarrierFactory"]

#: Makes a new carrier to test.
CarrierFactory = Callable[[], Carrier]

_AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _shipment(carrier: str, number: int = 1) -> Shipment:
    return Shipment(
        tenant_id="acme",
        id=f"s-{number}",
        return_id="r-1",
        customer_id="C-1001",
        at=_AT,
        method=ShipmentMethod.CARRIER_PICKUP,
        carrier=carrier,
        updated_at=_AT,
    )


class CarrierContract:
    """What every carrier adapter does; subclass it as ``Test...`` and give ``carrier_factory``.

    A carrier has a well-formed code; it creates a label (a tracking number
    and a reference, different for each shipment) or refuses with
    :class:`~crm_returns.errors.CarrierError`; it reports tracking as
    :class:`~crm_returns.ports.CarrierEvent` values of the tracking number
    asked about, and nothing for a number it does not know.
    """

    @pytest.fixture
    def carrier_factory(self) -> CarrierFactory:
        """Override: a callable making a new carrier."""
        raise NotImplementedError("give the carrier_factory fixture")

    def test_its_code_is_a_carrier_code(self, carrier_factory: CarrierFactory) -> None:
        carrier = carrier_factory()
        assert check_carrier_code(carrier.code) == carrier.code

    def test_a_label_is_created_or_refused_with_a_carrier_error(
        self, carrier_factory: CarrierFactory
    ) -> None:
        carrier = carrier_factory()
        labels, refusals = [], []
        for number in (1, 2):
            try:
                labels.append(carrier.create_label(_shipment(carrier.code, number)))
            except CarrierError as refused:
                refusals.append(refused)
        assert all(refused.carrier == carrier.code and str(refused) for refused in refusals)
        assert all(isinstance(label, CarrierLabel) for label in labels)
        if len(labels) == 2:
            assert labels[0].tracking_number != labels[1].tracking_number
            assert labels[0].label_reference != labels[1].label_reference

    def test_an_unknown_tracking_number_has_no_events(
        self, carrier_factory: CarrierFactory
    ) -> None:
        assert tuple(carrier_factory().track("NO-SUCH-PARCEL-0")) == ()

    def test_events_are_of_the_number_asked_about(self, carrier_factory: CarrierFactory) -> None:
        carrier = carrier_factory()
        try:
            label = carrier.create_label(_shipment(carrier.code))
        except CarrierError:
            return  # a carrier without labels has no number of its own to ask about
        events = tuple(carrier.track(label.tracking_number))
        assert all(isinstance(event, CarrierEvent) for event in events)
        assert all(event.tracking_number == label.tracking_number for event in events)
