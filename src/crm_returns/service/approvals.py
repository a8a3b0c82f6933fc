"""Approval deadlines: which returns have waited too long at a step, for reminders."""

from __future__ import annotations

from datetime import datetime

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.policies.deadlines import OverdueApproval, overdue_approval
from crm_returns.domain.queries import MAX_PAGE_SIZE, ReturnQuery
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput
from crm_returns.service.core import ServiceCore

__all__ = ["ApprovalDeadlines"]


class ApprovalDeadlines(ServiceCore):
    """Returns waiting at an approval step longer than the step's time limit."""

    def overdue_approvals(
        self, actor: Actor, at: datetime | None = None
    ) -> tuple[OverdueApproval, ...]:
        """Submitted returns of the actor's tenant that are overdue at a step, at time ``at``.

        Each comes with the step it waits at (whose roles are whom to remind),
        since when it has waited and when the step was due; the longest
        overdue come first.  Deadlines are those stored with each return at
        submission, so a change of policy does not move them.

        Args:
            actor: Who asks; they need to be allowed to view returns.
            at: The time to judge by; the service clock's now when not given.

        Raises:
            InvalidInput: ``at`` is not a timezone-aware datetime.
            NotAuthorised: The actor may not view returns.
        """
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        if at is None:
            at = self._clock.now()
        elif not isinstance(at, datetime) or at.utcoffset() is None:
            raise InvalidInput(f"at must be a timezone-aware datetime, not {_described(at)}")
        found: list[OverdueApproval] = []
        offset = 0
        with self._uow() as uow:
            while True:
                query = ReturnQuery(
                    statuses={ReturnStatus.SUBMITTED}, offset=offset, limit=MAX_PAGE_SIZE
                )
                page = uow.returns.search(actor.tenant_id, query)
                found.extend(late for order in page.items if (late := overdue_approval(order, at)))
                if not page.has_more or not page.items:
                    break
                offset += len(page.items)
        return tuple(sorted(found, key=lambda late: (late.due_at, late.order.number)))


def _described(value: object) -> str:
    """What ``value`` is, briefly: the hostile caller's 10,000-character string is not repeated."""
    if isinstance(value, datetime):
        return f"the naive datetime {value.isoformat()}"
    return type(value).__name__
