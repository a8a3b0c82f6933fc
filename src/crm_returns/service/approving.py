"""Deciding on a return: submit, approve step by step, reject, cancel, and overdue approvals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.money import quantity
from crm_returns.domain.orders import LineRef
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.policies.deadlines import OverdueApproval, overdue_approval
from crm_returns.domain.queries import MAX_PAGE_SIZE, ReturnQuery
from crm_returns.domain.returns import approving
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import (
    InvalidInput,
)
from crm_returns.service.checks import (
    checked_mapping,
    checked_text,
)
from crm_returns.service.template import ServiceCore

__all__ = ["Approving"]


def _described(value: object) -> str:
    """What ``value`` is, briefly: the hostile caller's 10,000-character string is not repeated."""
    if isinstance(value, datetime):
        return f"the naive datetime {value.isoformat()}"
    return type(value).__name__


class Approving(ServiceCore):
    """Submit, approve, reject and cancel returns; list approvals that are overdue."""

    def submit_return(
        self, actor: Actor, return_id: str, *, idempotency_key: str | None = None
    ) -> ReturnOrder:
        """Submit a draft; it is approved at once when no approval step applies."""
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: approving.submit(
                order, actor, self._clock.now(), self._policy
            ),
            needs=Permission.SUBMIT_RETURN,
            command="submit_return",
            key=idempotency_key,
        )

    def approve_return(
        self,
        actor: Actor,
        return_id: str,
        comment: str = "",
        quantities: Mapping[LineRef, Decimal] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Take the waiting approval step, optionally approving fewer units per line."""
        comment = checked_text(comment, "comment")
        lowered = None
        if quantities is not None:
            lowered = {
                ref: quantity(units, f"approved quantity of {ref}")
                for ref, units in checked_mapping(quantities, object, "quantities").items()
            }
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: approving.approve(
                order, actor, self._clock.now(), comment, lowered
            ),
            needs=Permission.APPROVE_RETURN,
            command="approve_return",
            payload=(comment, lowered),
            key=idempotency_key,
        )

    def reject_return(
        self, actor: Actor, return_id: str, comment: str, *, idempotency_key: str | None = None
    ) -> ReturnOrder:
        """Reject a submitted return, saying why."""
        comment = checked_text(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: approving.reject(order, actor, self._clock.now(), comment),
            needs=Permission.APPROVE_RETURN,
            command="reject_return",
            payload=(comment,),
            key=idempotency_key,
        )

    def cancel_return(
        self, actor: Actor, return_id: str, comment: str, *, idempotency_key: str | None = None
    ) -> ReturnOrder:
        """Cancel a return before goods arrive, saying why."""
        comment = checked_text(comment, "comment")
        return self._change(
            actor,
            return_id,
            lambda uow, order, actor: approving.cancel(order, actor, self._clock.now(), comment),
            needs=Permission.CANCEL_RETURN,
            command="cancel_return",
            payload=(comment,),
            key=idempotency_key,
        )

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
        query = ReturnQuery(
            statuses={ReturnStatus.SUBMITTED}, limit=MAX_PAGE_SIZE, with_total=False
        )
        with self._uow() as uow:
            while True:
                page = uow.returns.search(actor.tenant_id, query)
                found.extend(late for order in page.items if (late := overdue_approval(order, at)))
                if page.next_cursor is None:
                    break
                query = attrs.evolve(query, after=page.next_cursor)
        return tuple(sorted(found, key=lambda late: (late.due_at, late.order.number)))
