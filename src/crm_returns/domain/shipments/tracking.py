"""How a shipment's status follows from its tracking updates, as one table and two functions.

Carriers report the same event twice and out of order.  The rules make the
status a function of the *set* of updates kept, so that any order of arrival
and any repetition end in the same place:

1. An update is kept once: the carrier's event id is its identity
   (:func:`merge` keeps the first and reports the others as duplicates).
2. ``delivered`` is final: once any update says the parcel reached the
   warehouse, the shipment is delivered, whatever else was reported, earlier
   or later (a "lost" after a delivery is a carrier's mistake; the receipt of
   the goods tells what arrived).
3. ``lost`` is final but for rule 2: a later "in transit" scan does not undo
   it, a delivery does (the parcel was found).
4. Otherwise the latest update wins: the greatest ``occurred_at``; at the
   same moment the status further along (:data:`PROGRESS`), then the greater
   event id, so that a tie is still decided the same way every time.
5. No update: ``pending``.

::

    pending ─▶ label_created ─▶ in_transit ◀─▶ exception
                                    │   ╲
                                    │    ╲──▶ lost ──▶ delivered (found)
                                    ▼
                                delivered  (final)

A label created through the carrier is itself an update (``label_created``),
so the status never depends on anything but the updates kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from crm_returns.domain.shipments.records import TrackingStatus, TrackingUpdate

__all__ = ["FINAL", "PROGRESS", "Merge", "deciding_update", "merge", "status_of"]

T = TrackingStatus

#: How far along each status is, for updates reported at the same moment.
PROGRESS: Final[Mapping[TrackingStatus, int]] = MappingProxyType(
    {T.PENDING: 0, T.LABEL_CREATED: 1, T.IN_TRANSIT: 2, T.EXCEPTION: 3, T.LOST: 4, T.DELIVERED: 5}
)

#: Statuses that later updates do not undo, strongest first: a delivery
#: overrides a loss, nothing overrides a delivery.
FINAL: Final[tuple[TrackingStatus, ...]] = (T.DELIVERED, T.LOST)


def _latest_first(update: TrackingUpdate) -> tuple[object, ...]:
    return (update.occurred_at, PROGRESS[update.status], update.event_id)


def deciding_update(updates: Iterable[TrackingUpdate]) -> TrackingUpdate | None:
    """The update that decides the status (see the rules above), or ``None`` without updates."""
    kept = list(updates)
    for final in FINAL:
        found = [update for update in kept if update.status is final]
        if found:
            # The first report of a final status is the one that decided it.
            return min(found, key=_latest_first)
    return max(kept, key=_latest_first, default=None)


def status_of(updates: Iterable[TrackingUpdate]) -> TrackingStatus:
    """The shipment's status given every update kept for it (``pending`` without any)."""
    update = deciding_update(updates)
    return TrackingStatus.PENDING if update is None else update.status


@attrs.frozen
class Merge:
    """What :func:`merge` made of newly reported updates.

    Attributes:
        added: Updates not seen before, in the order reported.
        duplicates: Updates whose carrier event id was already known.
    """

    added: tuple[TrackingUpdate, ...]
    duplicates: tuple[TrackingUpdate, ...]


def merge(known: Iterable[TrackingUpdate], reported: Iterable[TrackingUpdate]) -> Merge:
    """Split ``reported`` into updates to keep and duplicates of ``known`` (or of each other).

    An update's identity is its carrier and the carrier's event id; the first
    report of it is kept and every later one is a duplicate, whatever it says.
    """
    seen = {update.index().key for update in known}
    added: list[TrackingUpdate] = []
    duplicates: list[TrackingUpdate] = []
    for update in reported:
        key = update.index().key
        if key in seen:
            duplicates.append(update)
        else:
            seen.add(key)
            added.append(update)
    return Merge(tuple(added), tuple(duplicates))
