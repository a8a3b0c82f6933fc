"""The carriers that ship with the library pass the carrier contract, and do what they say."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns import (
    CarrierEvent,
    ManualCarrier,
    MemoryCarrier,
    Money,
    ServiceSettings,
    TrackingStatus,
)
from crm_returns.errors import CarrierError, InvalidInput, LabelsNotOffered
from crm_returns.testing.conformance import CarrierContract, CarrierFactory
from crm_returns.testing.conformance._carriers import _shipment

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class TestMemoryCarrier(CarrierContract):
    @pytest.fixture
    def carrier_factory(self) -> CarrierFactory:
        return MemoryCarrier


class TestManualCarrier(CarrierContract):
    @pytest.fixture
    def carrier_factory(self) -> CarrierFactory:
        return ManualCarrier


def test_the_memory_carrier_reports_what_is_pushed_repeats_included() -> None:
    carrier = MemoryCarrier(label_cost=Money(Decimal("8.00"), "CNY"))
    label = carrier.create_label(_shipment("memory"))
    assert (label.tracking_number, label.cost) == ("MEM0000000001", Money(Decimal("8.00"), "CNY"))
    event = CarrierEvent(
        event_id="e1",
        tracking_number=label.tracking_number,
        status=TrackingStatus.IN_TRANSIT,
        occurred_at=AT,
    )
    carrier.push(event, event)
    assert carrier.track(label.tracking_number) == (event, event)


def test_a_carrier_that_is_down_raises_a_carrier_error() -> None:
    carrier = MemoryCarrier()
    carrier.down = True
    with pytest.raises(CarrierError, match="cannot be reached"):
        carrier.track("MEM0000000001")


def test_the_manual_carrier_says_it_makes_no_labels() -> None:
    with pytest.raises(LabelsNotOffered, match="type the tracking number"):
        ManualCarrier("sf").create_label(_shipment("sf"))
    assert ManualCarrier("sf") == ManualCarrier("sf") != ManualCarrier()


def test_the_settings_know_carriers_by_code_and_refuse_two_of_one_code() -> None:
    settings = ServiceSettings(carriers=(ManualCarrier(), MemoryCarrier()))
    assert isinstance(settings.carrier("memory"), MemoryCarrier)
    assert settings.carrier("ups") is None
    assert ServiceSettings().carriers == (ManualCarrier(),)
    with pytest.raises(InvalidInput, match="repeat: manual"):
        ServiceSettings(carriers=(ManualCarrier(), ManualCarrier()))
    with pytest.raises(InvalidInput, match="carrier code"):
        MemoryCarrier("Memory Express")
