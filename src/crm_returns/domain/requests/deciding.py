"""The moves of a customer's request, and of its return with it: request, accept, decline, withdraw.

Each is a pure function like the return's transitions: it checks the move
against :data:`~crm_returns.domain.requests.states.REQUEST_TRANSITIONS` and
the return's own table, and returns the new return (with its events) and the
new request record, or raises a typed error and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.casefile.events import (
    RequestAccepted,
    RequestDeclined,
    RequestWithdrawn,
    ReturnRequested,
)
from crm_returns.domain.events import ReturnDrafted
from crm_returns.domain.policies.approval import ApprovalPolicy
from crm_returns.domain.requests.declining import DeclineReason
from crm_returns.domain.requests.records import RequestStatus, ReturnRequest
from crm_returns.domain.requests.states import REQUEST_TRANSITIONS
from crm_returns.domain.returns import approving
from crm_returns.domain.returns.order import ReturnOrder, Transition, emit, evolve, require
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.domain.shipments.records import Shipment, TrackingStatus
from crm_returns.errors import IllegalTransition, InvalidInput

__all__ = ["GONE", "accept", "as_requested", "decline", "open_request", "withdraw"]

S = ReturnStatus

#: Tracking statuses that say the goods have left the customer.
GONE = frozenset(
    {
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.DELIVERED,
        TrackingStatus.EXCEPTION,
        TrackingStatus.LOST,
    }
)


def as_requested(drafted: Transition) -> Transition:
    """A draft the customer made: its :class:`ReturnDrafted` becomes a :class:`ReturnRequested`."""
    events = tuple(
        ReturnRequested(
            **{f.name: getattr(event, f.name) for f in attrs.fields(ReturnDrafted)},
        )
        if isinstance(event, ReturnDrafted)
        else event
        for event in drafted.events
    )
    return attrs.evolve(drafted, events=events)


def open_request(order: ReturnOrder, record_id: str, note: str) -> ReturnRequest:
    """The pending request record of ``order``, a draft the customer just made."""
    return ReturnRequest(
        tenant_id=order.tenant_id,
        id=record_id,
        return_id=order.id,
        customer_id=order.customer_id,
        at=order.created_at,
        requested_by=order.requested_by,
        note=note,
    )


def _move(request: ReturnRequest, order: ReturnOrder, action: Action) -> RequestStatus:
    target = REQUEST_TRANSITIONS.get((request.status, action))
    if target is None:
        raise IllegalTransition(
            order.number,
            order.status.value,
            action.value,
            f"the customer's request is {request.status.value}",
        )
    return target


def _decided(
    request: ReturnRequest,
    status: RequestStatus,
    actor: Actor,
    at: datetime,
    *,
    reason: str | None = None,
    message: str = "",
) -> ReturnRequest:
    return attrs.evolve(
        request,
        status=status,
        decided_by=actor.id,
        decided_at=at,
        version=request.version + 1,
        decline_reason=reason,
        message=message,
    )


def accept(
    order: ReturnOrder,
    request: ReturnRequest,
    actor: Actor,
    at: datetime,
    policy: ApprovalPolicy,
    comment: str = "",
) -> tuple[Transition, ReturnRequest]:
    """Accept a pending request: the draft is submitted into the approval workflow.

    Raises:
        IllegalTransition: The request is not pending, or the return no draft.
    """
    status = _move(request, order, Action.ACCEPT)
    require(order, Action.SUBMIT, actor)
    accepted = emit(order, actor, at, RequestAccepted, S.DRAFT, comment)
    submitted = approving.submit(order, actor, at, policy)
    transition = attrs.evolve(submitted, events=(accepted, *submitted.events))
    return transition, _decided(request, status, actor, at)


def decline(
    order: ReturnOrder,
    request: ReturnRequest,
    actor: Actor,
    at: datetime,
    reason: DeclineReason,
    message: str,
) -> tuple[Transition, ReturnRequest]:
    """Decline a pending request with ``reason`` and a ``message`` to the customer.

    Raises:
        IllegalTransition: The request is not pending, or the return no draft.
        InvalidInput: The message is blank or too long.
    """
    status = _move(request, order, Action.DECLINE)
    require(order, Action.DECLINE, actor)
    if not isinstance(message, str) or not message.strip():
        raise InvalidInput("declining a request needs a message to the customer")
    event = emit(
        order,
        actor,
        at,
        RequestDeclined,
        S.REJECTED,
        reason=reason.code,
        reason_zh=reason.label("zh-CN"),
        reason_en=reason.label("en"),
        message=message,
    )
    record = _decided(request, status, actor, at, reason=reason.code, message=message)
    return Transition(evolve(order, at, status=S.REJECTED), (event,)), record


def withdraw(
    order: ReturnOrder,
    request: ReturnRequest,
    actor: Actor,
    at: datetime,
    shipments: Iterable[Shipment],
) -> tuple[Transition, ReturnRequest]:
    """The customer withdraws their request while the goods have not left.

    Raises:
        IllegalTransition: The request was declined or withdrawn, goods were
            received, or a shipment is on its way (or arrived, or was lost).
    """
    status = _move(request, order, Action.WITHDRAW)
    require(order, Action.WITHDRAW, actor)
    if any(shipment.status in GONE for shipment in shipments):
        raise IllegalTransition(
            order.number, order.status.value, Action.WITHDRAW.value, "the goods are on their way"
        )
    event = emit(order, actor, at, RequestWithdrawn, S.CANCELLED)
    record = _decided(request, status, actor, at)
    return Transition(evolve(order, at, status=S.CANCELLED), (event,)), record
