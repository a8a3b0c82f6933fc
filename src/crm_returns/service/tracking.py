"""Tracking of return shipments: carriers' events in, the shipment's status out.

:meth:`Tracking.ingest_tracking` is the one way carriers' reports come in
(a webhook handler, or :meth:`Tracking.poll_tracking`); staff's own updates
(``record_tracking`` in ``shipments``) go through the same steps.  The rules
that turn updates into a shipment's status are in
``domain/shipments/tracking.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.casefile.events import ShipmentDelivered, ShipmentLost, ShipmentTracked
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.returns.order import ReturnOrder, Transition, emit
from crm_returns.domain.shipments.plans import check_carrier_code
from crm_returns.domain.shipments.records import (
    Shipment,
    TrackingStatus,
    TrackingUpdate,
    tracking_key,
)
from crm_returns.domain.shipments.tracking import merge, status_of
from crm_returns.errors import InvalidInput
from crm_returns.ports import UnitOfWork
from crm_returns.ports.carriers import Carrier, CarrierEvent
from crm_returns.service.checks import checked_id, checked_value
from crm_returns.service.template import ServiceCore

__all__ = ["INGEST_LIMIT", "STAFF_CARRIER", "Tracking", "TrackingReport"]

#: The carrier an update typed by staff names when its shipment has none (in store).
STAFF_CARRIER: Final = "staff"

#: Most carrier events one call ingests.
INGEST_LIMIT: Final = 1000


@attrs.frozen
class TrackingReport:
    """What :meth:`Shipments.ingest_tracking` made of a carrier's events.

    Attributes:
        added: The tracking updates kept, one per new event.
        duplicates: Events whose carrier event id was ingested before (or
            repeated in the same call): nothing changed for them.
        unknown: Events for a tracking number no shipment of the tenant has
            with this carrier (or one on a return the actor may not change).
        archived: Events for shipments of archived returns, not ingested:
            restore the return, then ingest them again.
    """

    added: tuple[TrackingUpdate, ...] = ()
    duplicates: tuple[CarrierEvent, ...] = ()
    unknown: tuple[CarrierEvent, ...] = ()
    archived: tuple[CarrierEvent, ...] = ()

    def __add__(self, other: TrackingReport) -> TrackingReport:
        """Both reports, this one's events first."""
        if not isinstance(other, TrackingReport):
            return NotImplemented
        return TrackingReport(
            self.added + other.added,
            self.duplicates + other.duplicates,
            self.unknown + other.unknown,
            self.archived + other.archived,
        )


def _events(values: object) -> tuple[CarrierEvent, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInput(
            f"events must be a sequence of CarrierEvent, got {type(values).__name__}"
        )
    events = tuple(values)
    if len(events) > INGEST_LIMIT:
        raise InvalidInput(f"{len(events)} events in one call; the limit is {INGEST_LIMIT}")
    for event in events:
        checked_value(event, CarrierEvent, "every event")
    return events


class Tracking(ServiceCore):
    """Carriers' tracking events in; the steps every tracking change shares."""

    def _carrier(self, code: object) -> Carrier:
        code = check_carrier_code(code)
        carrier = self.settings.carrier(code)
        if carrier is None:
            known = ", ".join(sorted(c.code for c in self.settings.carriers)) or "none"
            raise InvalidInput(f"no carrier has the code {code!r}; the carriers are: {known}")
        return carrier

    # -- commands on one return -------------------------------------------------------
    # -- carriers' reports ------------------------------------------------------------

    def ingest_tracking(
        self, actor: Actor, carrier_code: str, events: Iterable[CarrierEvent]
    ) -> TrackingReport:
        """Take a carrier's tracking events: each is kept once, by the carrier's event id.

        The one way carriers' reports come in, from a webhook handler or a
        poll.  Each event finds its shipment by carrier and tracking number;
        a new one becomes a :class:`~crm_returns.TrackingUpdate`, the
        shipment's status follows the tracking rules, and the return's audit
        trail and outbox get a :class:`~crm_returns.ShipmentTracked` (a
        :class:`~crm_returns.ShipmentDelivered` or
        :class:`~crm_returns.ShipmentLost` when it made the shipment so).
        Sending the same events again changes nothing; all are taken in one
        transaction.

        Args:
            actor: Who takes them (``MANAGE_SHIPMENTS``; a host's system user).
            carrier_code: The carrier that reported them, one of the settings' carriers.
            events: Its events, in any order, repeats allowed (at most 1000).

        Returns:
            What was added, what was a duplicate, and what matched no shipment.

        Raises:
            InvalidInput: The carrier is unknown, or an event is malformed.
            NotAuthorised: The actor may not manage shipments.
        """
        actor = self._authorise(actor, Permission.MANAGE_SHIPMENTS)
        code = self._carrier(carrier_code).code
        reported = _events(events)
        with self._uow() as uow:
            report = self._ingest(uow, actor, code, reported)
            uow.commit()
        return report

    def poll_tracking(self, actor: Actor, return_id: str) -> TrackingReport:
        """Ask the carriers of a return's shipments for their tracking, and ingest it.

        For carriers that push nothing (no webhook); a carrier that reports
        nothing (the manual carrier) adds nothing.

        Raises:
            NotFound: The tenant has no such return (or, for an actor acting for
                a customer, it is another customer's).
            NotAuthorised: The actor may not manage shipments of this return.
            CarrierError: A carrier could not be asked; nothing was ingested.
        """
        actor = self._authorise(actor, Permission.MANAGE_SHIPMENTS)
        return_id = checked_id(return_id, "return id")
        with self._uow() as uow:
            order = self._own(actor, uow.returns.get(actor.tenant_id, return_id), return_id)
            shipments = uow.casefile.for_return(actor.tenant_id, order.id, Shipment)
        if not self._allows(actor, Permission.MANAGE_SHIPMENTS, order):
            raise self._denied(actor, Permission.MANAGE_SHIPMENTS, order)
        asked: dict[str, list[CarrierEvent]] = {}
        for shipment in shipments:
            carrier = self.settings.carrier(shipment.carrier)
            if carrier is not None and shipment.tracking_number:
                asked.setdefault(carrier.code, []).extend(
                    _events(carrier.track(shipment.tracking_number))
                )
        report = TrackingReport()
        with self._uow() as uow:
            for code, found in asked.items():
                report += self._ingest(uow, actor, code, tuple(found))
            uow.commit()
        return report

    # -- the steps they share ---------------------------------------------------------

    def _ingest(
        self, uow: UnitOfWork, actor: Actor, code: str, reported: tuple[CarrierEvent, ...]
    ) -> TrackingReport:
        """Ingest one carrier's events in ``uow``'s transaction (not committed here)."""
        report = TrackingReport()
        numbers = list(dict.fromkeys(event.tracking_number for event in reported))
        for number in numbers:
            mine = tuple(event for event in reported if event.tracking_number == number)
            key = tracking_key(code, number)
            shipment = None if key is None else uow.casefile.find(actor.tenant_id, Shipment, key)
            order = (
                None if shipment is None else uow.returns.get(actor.tenant_id, shipment.return_id)
            )
            if shipment is None or order is None:
                report += TrackingReport(unknown=mine)
                continue
            if not self._listed(actor, Permission.MANAGE_SHIPMENTS, order):
                report += TrackingReport(unknown=mine)  # as if unknown: nothing leaks
                continue
            if uow.retention.archived(actor.tenant_id, order.id):
                report += TrackingReport(archived=mine)
                continue
            now = self._clock.now()
            updates = tuple(
                self._update(
                    order,
                    shipment,
                    event.event_id,
                    event.status,
                    event.occurred_at,
                    location=event.location,
                    description=event.description,
                    at=now,
                )
                for event in mine
            )
            _, added, events = self._track(uow, actor, order, shipment, updates)
            self._record(uow, Transition(order, events))
            # A parcel delivered moves an owned return from shipping back to receiving.
            self._keep_deadline(uow, order, now)
            kept = {id(update) for update in added}
            report += TrackingReport(
                added=added,
                duplicates=tuple(
                    event
                    for event, update in zip(mine, updates, strict=True)
                    if id(update) not in kept
                ),
            )
        return report

    def _update(
        self,
        order: ReturnOrder,
        shipment: Shipment,
        event_id: str,
        status: TrackingStatus,
        occurred_at: datetime,
        *,
        location: str = "",
        description: str = "",
        at: datetime | None = None,
    ) -> TrackingUpdate:
        return TrackingUpdate(
            tenant_id=order.tenant_id,
            id=self._ids.new_id(),
            return_id=order.id,
            customer_id=order.customer_id,
            at=self._clock.now() if at is None else at,
            shipment_id=shipment.id,
            carrier=shipment.carrier or STAFF_CARRIER,
            event_id=event_id,
            status=status,
            occurred_at=occurred_at,
            location=location,
            description=description,
        )

    def _track(
        self,
        uow: UnitOfWork,
        actor: Actor,
        order: ReturnOrder,
        shipment: Shipment,
        reported: Sequence[TrackingUpdate],
    ) -> tuple[Shipment, tuple[TrackingUpdate, ...], tuple[ReturnEvent, ...]]:
        """Keep the new updates of ``shipment``, follow its status, and say so in events.

        Returns the shipment as it now is, the updates kept, and one event per update kept.
        """
        tenant = order.tenant_id
        seen = [
            found
            for update in reported
            if (key := update.index().key) is not None
            and (found := uow.casefile.find(tenant, TrackingUpdate, key)) is not None
        ]
        added = merge(seen, reported).added
        stored = uow.casefile.for_return(tenant, order.id, TrackingUpdate)
        kept = [update for update in stored if update.shipment_id == shipment.id]
        status, events = status_of(kept), list[ReturnEvent]()
        now = self._clock.now()
        for update in added:
            uow.casefile.add(update)
            kept.append(update)
            after = status_of(kept)
            kind: type[ShipmentTracked] = ShipmentTracked
            if after is not status and after in (TrackingStatus.DELIVERED, TrackingStatus.LOST):
                kind = ShipmentDelivered if after is TrackingStatus.DELIVERED else ShipmentLost
            events.append(
                emit(
                    order,
                    actor,
                    now,
                    kind,
                    order.status,
                    "",
                    shipment_id=shipment.id,
                    carrier=update.carrier,
                    tracking_number=shipment.tracking_number,
                    event_id=update.event_id,
                    status=update.status,
                    occurred_at=update.occurred_at,
                    location=update.location,
                    description=update.description,
                    shipment_status=after,
                )
            )
            status = after
        current = uow.casefile.get(tenant, Shipment, shipment.id)
        if status is not current.status:
            moved = attrs.evolve(
                current, status=status, updated_at=now, version=current.version + 1
            )
            uow.casefile.update(moved, current.version)
            current = moved
        return current, added, tuple(events)
