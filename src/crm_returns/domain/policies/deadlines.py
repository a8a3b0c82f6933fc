"""Time limits on approval steps: since when a return has waited, and whether too long.

A step becomes current when the return is submitted (the first step) or when
the step before it is approved.  A step with a time limit is due that long
after it became current; a return still waiting at it after that moment is
overdue, and a host can remind the step's roles.  The limit is the one stored
on the return with its steps, so a change of policy does not move the
deadlines of returns in flight.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from crm_returns.domain.policies.approval import ApprovalStep
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import InvalidInput

__all__ = ["OverdueApproval", "overdue_approval", "waiting_since"]


@attrs.frozen
class OverdueApproval:
    """A return that has waited at an approval step longer than the step allows.

    Attributes:
        order: The return, as it stands.
        step: The step it waits at; ``step.roles`` are whom to remind.
        waiting_since: When the step became current.
        due_at: When its time limit ran out.
    """

    order: ReturnOrder
    step: ApprovalStep
    waiting_since: datetime
    due_at: datetime


def waiting_since(order: ReturnOrder) -> datetime | None:
    """When the step ``order`` waits at became current (``None``: no step waits).

    That is the time of the last approval taken, or else of the submission.
    For a return stored before submission times were recorded, the last
    change stands in for it: a submitted return with no approval yet has not
    changed since it was submitted, because every move out of ``submitted``
    either records an approval or leaves the status.
    """
    if order.current_step is None:
        return None
    if order.approvals:
        return order.approvals[-1].at
    return order.submitted_at or order.updated_at


def overdue_approval(order: ReturnOrder, at: datetime) -> OverdueApproval | None:
    """The step ``order`` is overdue at, at time ``at``; ``None`` if it is not overdue.

    A return is overdue once it has waited strictly longer than the step's
    time limit; a step without a limit is never overdue.

    Raises:
        InvalidInput: ``at`` is not a timezone-aware datetime.
    """
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise InvalidInput(f"at must be a timezone-aware datetime, not {_described(at)}")
    step = order.current_step
    since = waiting_since(order)
    if step is None or step.time_limit is None or since is None:
        return None
    due = since + step.time_limit
    if at <= due:
        return None
    return OverdueApproval(order=order, step=step, waiting_since=since, due_at=due)


def _described(value: object) -> str:
    """What ``value`` is, briefly: the hostile caller's 10,000-character string is not repeated."""
    if isinstance(value, datetime):
        return f"the naive datetime {value.isoformat()}"
    return type(value).__name__
