"""The tracking rules: a shipment's status depends on the set of updates, not their arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.shipments import (
    ShipmentPlan,
    TrackingStatus,
    TrackingUpdate,
    merge,
    status_of,
)
from crm_returns.domain.shipments.records import ShipmentMethod
from crm_returns.errors import InvalidInput

T = TrackingStatus
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def update(event_id: str, status: TrackingStatus, hours: int) -> TrackingUpdate:
    return TrackingUpdate(
        tenant_id="acme",
        id=f"u-{event_id}",
        return_id="r-1",
        customer_id="C-1001",
        at=START,
        shipment_id="s-1",
        carrier="memory",
        event_id=event_id,
        status=status,
        occurred_at=START + timedelta(hours=hours),
    )


UPDATES = st.lists(
    st.builds(
        update,
        st.sampled_from(["e1", "e2", "e3", "e4", "e5"]),
        st.sampled_from(T),
        st.integers(0, 6),
    ),
    max_size=8,
).map(lambda found: list({u.event_id: u for u in found}.values()))  # one update per event id


def ingested(batches: list[list[TrackingUpdate]]) -> list[TrackingUpdate]:
    """What a store keeps after taking ``batches`` one after the other."""
    kept: list[TrackingUpdate] = []
    for batch in batches:
        kept.extend(merge(kept, batch).added)
    return kept


@given(UPDATES, st.data())
def test_any_order_and_any_repetition_keep_the_same_updates_and_status(
    updates: list[TrackingUpdate], data: st.DataObject
) -> None:
    repeated = data.draw(st.lists(st.sampled_from(updates), max_size=10)) if updates else []
    arrival = data.draw(st.permutations(updates + repeated))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(arrival)), max_size=3)))
    batches = [arrival[a:b] for a, b in zip([0, *cuts], [*cuts, len(arrival)], strict=True)]

    kept = ingested(batches)

    assert sorted(kept, key=lambda u: u.event_id) == sorted(updates, key=lambda u: u.event_id)
    assert status_of(kept) is status_of(updates)


def test_the_latest_update_wins() -> None:
    assert status_of([update("a", T.EXCEPTION, 3), update("b", T.IN_TRANSIT, 1)]) is T.EXCEPTION
    assert status_of([update("a", T.IN_TRANSIT, 3), update("b", T.EXCEPTION, 1)]) is T.IN_TRANSIT
    assert status_of([]) is T.PENDING


def test_delivered_is_final_and_lost_gives_way_only_to_delivered() -> None:
    assert status_of([update("d", T.DELIVERED, 1), update("t", T.IN_TRANSIT, 5)]) is T.DELIVERED
    assert status_of([update("d", T.DELIVERED, 1), update("l", T.LOST, 5)]) is T.DELIVERED
    assert status_of([update("l", T.LOST, 1), update("t", T.IN_TRANSIT, 5)]) is T.LOST
    assert status_of([update("l", T.LOST, 1), update("d", T.DELIVERED, 5)]) is T.DELIVERED


def test_a_repeated_event_id_is_a_duplicate_whatever_it_says() -> None:
    first = update("e1", T.IN_TRANSIT, 1)
    merged = merge([first], [update("e1", T.LOST, 2), update("e2", T.IN_TRANSIT, 2)])
    assert [u.event_id for u in merged.added] == ["e2"]
    assert [u.status for u in merged.duplicates] == [T.LOST]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"method": ShipmentMethod.CARRIER_PICKUP}, "needs the carrier"),
        ({"method": ShipmentMethod.IN_STORE, "carrier": "manual"}, "no carrier"),
        ({"method": ShipmentMethod.DROP_OFF, "tracking_number": "SF1"}, "needs the carrier"),
        ({"method": ShipmentMethod.DROP_OFF, "carrier": "SF Express"}, "carrier code"),
        ({"method": ShipmentMethod.DROP_OFF, "carrier": "sf", "tracking_number": " "}, "blank"),
    ],
)
def test_a_plan_whose_fields_do_not_go_together_is_refused(
    fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        ShipmentPlan(**fields)  # type: ignore[arg-type]
