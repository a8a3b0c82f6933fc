"""Which stage a return is in, since when, and by when it is due, as one table.

::

    status              stage       since                          refined by
    ──────────────────  ──────────  ─────────────────────────────  ─────────────────────────
    submitted           APPROVE     the current step became due    the step's own time_limit
    approved            SHIP_BACK   the return was approved        RECEIVE once a parcel is
                                                                   delivered (since then)
    partially_received  RECEIVE     a parcel was delivered, or
                                    the first goods arrived
    received            INSPECT     the goods were all received    REFUND when every line is
                                                                   already settled
    inspected           REFUND      inspection ended               nothing due once paid
    draft, completed, rejected, cancelled: nothing is due

The deadline is the stage's start plus the service level's allowance for it
(:class:`~crm_returns.domain.ownership.levels.ServiceLevel`).  An approval
step is timed as :mod:`crm_returns.domain.policies.deadlines` times it (its
:func:`~crm_returns.domain.policies.deadlines.waiting_since`), and a step with
a ``time_limit`` of its own is due when that limit says, so that a return is
late at a step exactly when :func:`~crm_returns.domain.policies.deadlines.overdue_approval`
says it is overdue there.

Why the stage start is kept on the assignment: the order dates the first
stages itself (its submission and approvals, the carrier's delivery on the
shipment) but not the later ones — a receipt or an inspection changes only
``updated_at``, which any later receipt or payment moves again.  The audit
trail could date them, at a read of the whole trail on every command.  The
simpler correct design is to note the start once, when the stage changes: the
command template moves the return's :class:`~crm_returns.domain.ownership.Assignment`
in the same transaction as the return (:func:`followed`), and keeps its
``since`` while the stage stays.  Stages the order dates are always taken
from the order, and no stage starts before the return was approved (or
submitted): a later stage never starts before an earlier one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final

import attrs

from crm_returns.domain.ownership.levels import ServiceLevel
from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.domain.policies.deadlines import waiting_since
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments.records import Shipment, TrackingStatus

__all__ = ["STAGES", "Deadline", "deadline", "followed", "stage_of"]

S = ReturnStatus

#: The stage each status puts a return in, before the refinements of the table above.
STAGES: Final[Mapping[ReturnStatus, Stage | None]] = MappingProxyType(
    {
        S.DRAFT: None,
        S.SUBMITTED: Stage.APPROVE,
        S.APPROVED: Stage.SHIP_BACK,
        S.PARTIALLY_RECEIVED: Stage.RECEIVE,
        S.RECEIVED: Stage.INSPECT,
        S.INSPECTED: Stage.REFUND,
        S.COMPLETED: None,
        S.REJECTED: None,
        S.CANCELLED: None,
    }
)


@attrs.frozen
class Deadline:
    """The stage a return is in, since when, and when it is due.

    Attributes:
        stage: The stage.
        since: When the return entered it.
        due_at: When it is due: ``since`` plus the time allowed.
    """

    stage: Stage
    since: datetime
    due_at: datetime

    def late(self, at: datetime) -> bool:
        """Whether the stage is overdue at ``at`` (strictly after its deadline)."""
        return at > self.due_at


def _delivered(shipments: Iterable[Shipment]) -> datetime | None:
    """When the first parcel that reached the warehouse got there."""
    times = [s.updated_at for s in shipments if s.status is TrackingStatus.DELIVERED]
    return min(times, default=None)


def stage_of(order: ReturnOrder, shipments: Iterable[Shipment] = ()) -> Stage | None:
    """The stage ``order`` is in (``None``: nothing is due), by the table above.

    Args:
        order: The return.
        shipments: Its shipments, if known: a delivered parcel ends the ship-back stage.
    """
    stage = STAGES[order.status]
    if stage is Stage.SHIP_BACK and _delivered(shipments) is not None:
        return Stage.RECEIVE
    if stage is Stage.INSPECT and all(line.settled for line in order.lines):
        stage = Stage.REFUND
    if stage is Stage.REFUND and order.grant is not None and order.grant.fully_paid:
        return None
    return stage


def _approved_at(order: ReturnOrder) -> datetime:
    """When the return was approved: its last approval, else its submission (approved then)."""
    if order.approvals:
        return order.approvals[-1].at
    return order.submitted_at or order.updated_at


def deadline(
    order: ReturnOrder,
    level: ServiceLevel,
    *,
    shipments: Iterable[Shipment] = (),
    entered: datetime | None = None,
) -> Deadline | None:
    """The stage ``order`` is in, since when, and its deadline; ``None`` once nothing is due.

    Args:
        order: The return.
        level: The time allowed per stage.
        shipments: Its shipments, if known (a delivery starts the receive stage).
        entered: When the return entered its stage, for the stages the order
            does not date (receive without a delivery, inspect, refund); its
            last change (``updated_at``) stands in without it — exact when that
            change is the move into the stage.
    """
    shipments = tuple(shipments)
    stage = stage_of(order, shipments)
    if stage is None:
        return None
    allowed = level.allowance(stage)
    if stage is Stage.APPROVE:
        step = order.current_step
        since = waiting_since(order) or order.submitted_at or order.updated_at
        if step is not None and step.time_limit is not None:
            allowed = step.time_limit
        return Deadline(stage, since, since + allowed)
    approved = _approved_at(order)
    delivered = _delivered(shipments)
    if stage is Stage.SHIP_BACK:
        since = approved
    elif stage is Stage.RECEIVE and delivered is not None:
        since = max(approved, delivered)
    else:
        since = max(approved, entered or order.updated_at)
    return Deadline(stage, since, since + allowed)


def followed(
    assignment: Assignment,
    order: ReturnOrder,
    level: ServiceLevel,
    *,
    shipments: Iterable[Shipment] = (),
    at: datetime,
) -> Assignment:
    """``assignment`` with the stage, start and deadline ``order`` is at now.

    The version is left as it is: the caller saves the result as the next
    version when it differs from ``assignment``.

    Args:
        assignment: The return's assignment, as stored.
        order: The return, as it stands.
        level: The time allowed per stage.
        shipments: The return's shipments.
        at: When the return entered a stage the assignment does not know yet
            (the time of the command that moved it).
    """
    shipments = tuple(shipments)
    stage = stage_of(order, shipments)
    kept = assignment.since if stage is assignment.stage and stage is not None else None
    found = deadline(order, level, shipments=shipments, entered=kept or at)
    if found is None:
        return attrs.evolve(assignment, stage=None, since=None, due_at=None)
    return attrs.evolve(assignment, stage=found.stage, since=found.since, due_at=found.due_at)
