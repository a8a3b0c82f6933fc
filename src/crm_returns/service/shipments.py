"""Return shipments: add them, create labels, record staff's tracking; read them.

Shipments and tracking updates live in the case file (``uow.casefile``).
Nothing here moves the return: each change writes a non-move event
(:class:`~crm_returns.domain.returns.states.Action` ``TRACK``) to the return's
audit trail and the outbox, in the same transaction as the records.  The
rules that turn updates into a shipment's status are in
``domain/shipments/tracking.py``; carriers' events come in through
``tracking`` (:class:`~crm_returns.service.tracking.Tracking`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, TypeVar

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.casefile.events import ShipmentAdded, ShipmentLabelled
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.returns.order import ReturnOrder, Transition, emit
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments.plans import ShipmentPlan
from crm_returns.domain.shipments.records import Shipment, TrackingStatus, TrackingUpdate
from crm_returns.errors import IllegalTransition, InvalidInput, NotFound
from crm_returns.ports import UnitOfWork
from crm_returns.service.checks import checked_id, checked_text, checked_value
from crm_returns.service.tracking import Tracking

__all__ = ["Shipments"]

_R = TypeVar("_R", Shipment, TrackingUpdate)

#: Statuses in which a shipment may be added or labelled: approved, and not closed.
_SHIPPABLE: Final = frozenset(
    {
        ReturnStatus.APPROVED,
        ReturnStatus.PARTIALLY_RECEIVED,
        ReturnStatus.RECEIVED,
        ReturnStatus.INSPECTED,
    }
)


class Shipments(Tracking):
    """Return shipments and their tracking (``MANAGE_SHIPMENTS``; reading: ``VIEW_RETURNS``)."""

    def add_shipment(
        self, actor: Actor, return_id: str, plan: ShipmentPlan, comment: str = ""
    ) -> Shipment:
        """Arrange a shipment for the goods of an approved return that is not closed.

        Args:
            actor: Who arranges it (``MANAGE_SHIPMENTS``).
            return_id: The return.
            plan: How the goods come back (its carrier one of the settings' carriers).
            comment: Optional remark, kept in the audit trail.

        Raises:
            InvalidInput: The plan is malformed, or names an unknown carrier.
            NotFound: The tenant has no such return.
            IllegalTransition: The return is not approved yet, or closed.
            RecordArchived: The return is archived.
            ConcurrencyConflict: Another shipment has this tracking number.
        """
        plan = checked_value(plan, ShipmentPlan, "plan")
        comment = checked_text(comment, "comment")
        if plan.carrier:
            self._carrier(plan.carrier)
        made: list[Shipment] = []

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            _shippable(order, "add a shipment")
            now = self._clock.now()
            shipment = Shipment(
                tenant_id=order.tenant_id,
                id=self._ids.new_id(),
                return_id=order.id,
                customer_id=order.customer_id,
                at=now,
                method=plan.method,
                carrier=plan.carrier,
                tracking_number=plan.tracking_number,
                cost=plan.cost,
                paid_by=plan.paid_by,
                updated_at=now,
            )
            uow.casefile.add(shipment)
            made.append(shipment)
            event = emit(
                order,
                actor,
                now,
                ShipmentAdded,
                order.status,
                comment,
                shipment_id=shipment.id,
                method=shipment.method,
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                paid_by=shipment.paid_by,
                cost=shipment.cost,
            )
            return Transition(order, (event,))

        self._change(actor, return_id, decide, needs=Permission.MANAGE_SHIPMENTS, command="ship")
        return made[-1]

    def create_label(self, actor: Actor, return_id: str, shipment_id: str) -> Shipment:
        """Have the shipment's carrier create a label: its tracking number, reference and cost.

        The label is the shipment's first tracking update (``label_created``).

        Raises:
            NotFound: The tenant has no such return, or it no such shipment.
            IllegalTransition: The return is not approved yet, or closed; or
                the shipment has no carrier, or a tracking number already.
            CarrierError: The carrier could not create it (``LabelsNotOffered``:
                it creates none); nothing changed.
            RecordArchived: The return is archived.
        """
        shipment_id = checked_id(shipment_id, "shipment id")
        made: list[Shipment] = []

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            _shippable(order, "create a label")
            shipment = _shipment(uow, order, shipment_id)
            if not shipment.carrier or shipment.tracking_number:
                why = "it has no carrier" if not shipment.carrier else "it has a tracking number"
                raise IllegalTransition(order.number, order.status.value, "create a label", why)
            label = self._carrier(shipment.carrier).create_label(shipment)
            now = self._clock.now()
            labelled = attrs.evolve(
                shipment,
                tracking_number=label.tracking_number,
                label_reference=label.label_reference,
                cost=label.cost if label.cost is not None else shipment.cost,
                version=shipment.version + 1,
            )
            update = self._update(
                order,
                labelled,
                f"label:{label.label_reference}"[:128],
                TrackingStatus.LABEL_CREATED,
                now,
                description="label created",
            )
            uow.casefile.update(labelled, shipment.version)
            tracked, _, events = self._track(uow, actor, order, labelled, (update,))
            made.append(tracked)
            event = emit(
                order,
                actor,
                now,
                ShipmentLabelled,
                order.status,
                "",
                shipment_id=shipment.id,
                carrier=labelled.carrier,
                tracking_number=labelled.tracking_number,
                label_reference=labelled.label_reference,
                cost=labelled.cost,
            )
            return Transition(order, (event, *events))

        self._change(actor, return_id, decide, needs=Permission.MANAGE_SHIPMENTS, command="label")
        return made[-1]

    def record_tracking(
        self,
        actor: Actor,
        return_id: str,
        shipment_id: str,
        status: TrackingStatus,
        occurred_at: datetime,
        *,
        location: str = "",
        description: str = "",
    ) -> Shipment:
        """Record what staff learnt about a shipment (a manual carrier's update, a phone call).

        Written like a carrier's update (with an event id of its own), so the
        same rules decide the shipment's status; it is accepted on a closed
        return too, as a carrier's late scan is.

        Raises:
            InvalidInput: The status, time, location or description is malformed.
            NotFound: The tenant has no such return, or it no such shipment.
            RecordArchived: The return is archived.
        """
        shipment_id = checked_id(shipment_id, "shipment id")
        status = checked_value(status, TrackingStatus, "status")
        if not isinstance(occurred_at, datetime) or occurred_at.utcoffset() is None:
            raise InvalidInput(
                f"occurred_at must be a timezone-aware datetime, got {occurred_at!r}"
            )
        location = checked_text(location, "location")
        description = checked_text(description, "description")
        made: list[Shipment] = []

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            shipment = _shipment(uow, order, shipment_id)
            update = self._update(
                order,
                shipment,
                f"staff:{self._ids.new_id()}"[:128],
                status,
                occurred_at,
                location=location,
                description=description,
            )
            tracked, _, events = self._track(uow, actor, order, shipment, (update,))
            made.append(tracked)
            return Transition(order, events)

        self._change(actor, return_id, decide, needs=Permission.MANAGE_SHIPMENTS, command="track")
        return made[-1]

    # -- reading ----------------------------------------------------------------------

    def shipments(self, actor: Actor, return_id: str) -> Sequence[Shipment]:
        """A return's shipments, oldest first.

        Raises:
            NotFound: The tenant has no such return.
            NotAuthorised: The actor may not view it.
        """
        return self._read(actor, return_id, Shipment)

    def tracking(self, actor: Actor, return_id: str) -> Sequence[TrackingUpdate]:
        """Every tracking update of a return's shipments, in the order they happened.

        Ordered by when the carrier says each happened, then by when it was
        kept: a carrier reports late and out of order.

        Raises:
            NotFound: The tenant has no such return.
            NotAuthorised: The actor may not view it.
        """
        kept = self._read(actor, return_id, TrackingUpdate)
        return tuple(sorted(kept, key=lambda update: (update.occurred_at, update.at, update.id)))

    def _read(self, actor: Actor, return_id: str, kind: type[_R]) -> Sequence[_R]:
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        return_id = checked_id(return_id, "return id")
        with self._uow() as uow:
            order = uow.returns.get(actor.tenant_id, return_id)
            found = uow.casefile.for_return(actor.tenant_id, order.id, kind)
        self._readable(actor, order)
        return tuple(found)


def _shippable(order: ReturnOrder, action: str) -> None:
    if order.status not in _SHIPPABLE:
        raise IllegalTransition(
            order.number,
            order.status.value,
            action,
            "shipments are arranged once the return is approved, until it is closed",
        )


def _shipment(uow: UnitOfWork, order: ReturnOrder, shipment_id: str) -> Shipment:
    shipment = uow.casefile.get(order.tenant_id, Shipment, shipment_id)
    if shipment.return_id != order.id:
        raise NotFound("shipment", shipment_id)
    return shipment
