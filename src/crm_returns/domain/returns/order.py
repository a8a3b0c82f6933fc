"""The return order (退库单) aggregate, and the steps every transition shares.

Each transition is a pure function: it takes the order, the actor, the time
and the command's data, checks the move against
:data:`~crm_returns.domain.returns.states.TRANSITIONS` and the business rules, and
returns a :class:`Transition` — the new order and the events it emitted — or
raises a typed error and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from crm_returns.domain._evolve import evolved
from crm_returns.domain.actors import Actor
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.events import (
    ReturnEvent,
)
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.policies.approval import ApprovalStep
from crm_returns.domain.refunds.grants import RefundGrant
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.returns.states import TRANSITIONS, Action, ReturnStatus
from crm_returns.domain.stock.moves import StockMove
from crm_returns.errors import (
    IllegalTransition,
    NotFound,
)

__all__ = ["Approval", "ReturnOrder", "Transition", "emit", "evolve", "require"]

S = ReturnStatus
_T = TypeVar("_T")
_E = TypeVar("_E", bound=ReturnEvent)


@attrs.frozen
class Approval:
    """An approval step taken.

    Attributes:
        step: The step's name.
        actor_id: Who approved.
        actor_name: Their display name at the time.
        at: When.
        comment: What they said.
    """

    step: str
    actor_id: str
    actor_name: str
    at: datetime
    comment: str


@attrs.frozen
class ReturnOrder:
    """A return order and everything decided about it so far.

    Attributes:
        id: Internal id.
        tenant_id: The tenant that owns it.
        number: Readable number, such as ``RT-20261127-000042``.
        customer_id: The customer returning the goods.
        customer_name: Their display name (snapshot).
        currency: Currency of every amount on the return.
        status: Where it stands.
        lines: Its lines, one per order line.
        requested_by: Actor id of the person who created it.
        created_at: When it was drafted.
        updated_at: When it last changed.
        note: Free text.
        policy_version: Approval policy version applied at submission.
        submitted_at: When it was submitted (``None`` for a draft, and for
            returns stored before this was recorded).
        steps: Approval steps required, in order, as the policy had them at submission.
        approvals: Approval steps taken, in order.
        distinct_approvers: Whether one person may take only one step (from
            the policy the return was submitted under).
        grant: The refund granted, once it is.
        version: Increases with every change (optimistic concurrency).
        entered: When the return first entered each status it moved to, in
            the order it did (the draft's own status is not listed; returns
            stored before this was recorded list only later moves).
    """

    id: str
    tenant_id: str
    number: str
    customer_id: str
    customer_name: str
    currency: str
    status: ReturnStatus
    lines: tuple[ReturnLine, ...]
    requested_by: str
    created_at: datetime
    updated_at: datetime
    note: str = ""
    policy_version: str | None = None
    submitted_at: datetime | None = None
    steps: tuple[ApprovalStep, ...] = ()
    approvals: tuple[Approval, ...] = ()
    distinct_approvers: bool = False
    grant: RefundGrant | None = None
    version: int = 1
    entered: tuple[tuple[ReturnStatus, datetime], ...] = ()

    def line(self, ref: LineRef) -> ReturnLine:
        """The line for order line ``ref``.

        Raises:
            NotFound: The return has no such line.
        """
        for line in self.lines:
            if line.ref == ref:
                return line
        raise NotFound("return line", f"{self.number} {ref}")

    def first_entered(self, status: ReturnStatus) -> datetime | None:
        """When the return first entered ``status``, if it is recorded."""
        return next((at for entered, at in self.entered if entered is status), None)

    @property
    def refund(self) -> Money:
        """What the customer gets: the granted amount, or the lines' estimates until then."""
        if self.grant is not None:
            return self.grant.amount
        return Money.total((line.refund for line in self.lines), self.currency)

    @property
    def current_step(self) -> ApprovalStep | None:
        """The approval step waiting to be taken, if the return is submitted."""
        if self.status is not S.SUBMITTED or len(self.approvals) >= len(self.steps):
            return None
        return self.steps[len(self.approvals)]

    def claimed(self, ref: LineRef) -> Decimal:
        """Units of order line ``ref`` this return takes out of the returnable quantity.

        A draft claims what it requests, a live return what was approved, a
        completed return what actually came back plus missing units it
        refunded (a lost parcel); a cancelled or rejected return claims nothing.
        """
        for line in self.lines:
            if line.ref == ref:
                return self.claimed_on(line)
        return Decimal(0)

    def claimed_on(self, line: ReturnLine) -> Decimal:
        """Units that ``line``, one of this return's, takes out of the returnable quantity.

        :meth:`claimed` for a line in hand, without looking it up by its ref.
        """
        if self.status in (S.CANCELLED, S.REJECTED):
            return Decimal(0)
        if self.status is S.DRAFT:
            return line.requested
        if self.status is S.COMPLETED:
            return line.received + self._missing_refunded(line.ref)
        return line.approved

    def _missing_refunded(self, ref: LineRef) -> Decimal:
        """Units of ``ref`` that never arrived but were refunded (a lost parcel)."""
        if self.grant is None:
            return Decimal(0)
        return sum((line.missing_units for line in self.grant.lines if line.ref == ref), Decimal(0))


@attrs.frozen
class Transition:
    """The outcome of a command: the new order and what it emitted.

    Attributes:
        order: The order after the command.
        events: Events emitted, in order.
        moves: Stock moves it made.
        entries: Journal entries it posted.
    """

    order: ReturnOrder
    events: tuple[ReturnEvent, ...]
    moves: tuple[StockMove, ...] = ()
    entries: tuple[JournalEntry, ...] = ()


def require(order: ReturnOrder, action: Action, actor: Actor) -> frozenset[ReturnStatus]:
    """Check that ``actor`` may see ``order`` and that ``action`` is legal in its status.

    Raises:
        NotFound: The actor is of another tenant.
        IllegalTransition: The table has no such move.
    """
    if actor.tenant_id != order.tenant_id:
        # Another tenant's return does not exist, as far as this actor can tell.
        raise NotFound("return", order.number)
    allowed = TRANSITIONS.get((order.status, action))
    if allowed is None:
        raise IllegalTransition(order.number, order.status.value, action.value)
    return allowed


def emit(
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    event: Callable[..., _E],
    target: ReturnStatus,
    comment: str = "",
    **extra: Any,
) -> _E:
    """Build ``event`` for ``order`` moving to ``target``, by ``actor`` at ``at``."""
    return event(
        tenant_id=order.tenant_id,
        return_id=order.id,
        number=order.number,
        customer_id=order.customer_id,
        actor_id=actor.id,
        actor_name=actor.name,
        at=at,
        from_status=order.status,
        to_status=target,
        comment=comment,
        **extra,
    )


def evolve(order: ReturnOrder, at: datetime, **changes: Any) -> ReturnOrder:
    """``order`` with ``changes``, a new update time and the next version.

    A status the return had never entered is added to ``entered`` at ``at``.
    """
    target = changes.get("status")
    if target is not None and target is not order.status and order.first_entered(target) is None:
        changes["entered"] = (*order.entered, (target, at))
    return evolved(order, updated_at=at, version=order.version + 1, **changes)
