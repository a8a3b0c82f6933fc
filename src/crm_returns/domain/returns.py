"""The return order (退库单) aggregate and its transitions.

Each transition is a pure function: it takes the order, the actor, the time
and the command's data, checks the move against
:data:`~crm_returns.domain.states.TRANSITIONS` and the business rules, and
returns a :class:`Transition` — the new order and the events it emitted — or
raises a typed error and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from crm_returns.domain._evolve import evolved
from crm_returns.domain.actors import Actor
from crm_returns.domain.approval import ApprovalFacts, ApprovalPolicy, ApprovalStep
from crm_returns.domain.events import (
    ApprovalGiven,
    ReturnApproved,
    ReturnCancelled,
    ReturnDrafted,
    ReturnEvent,
    ReturnLinesEdited,
    ReturnRejected,
    ReturnSubmitted,
)
from crm_returns.domain.ledger import JournalEntry
from crm_returns.domain.lines import ReturnLine
from crm_returns.domain.money import Money, quantity
from crm_returns.domain.orders import LineRef
from crm_returns.domain.settlement import RefundGrant
from crm_returns.domain.states import TRANSITIONS, Action, ReturnStatus
from crm_returns.domain.stock import StockMove
from crm_returns.errors import (
    ExcessQuantity,
    IllegalTransition,
    InvalidInput,
    NotAuthorised,
    NotFound,
    SeparationOfDuties,
)

__all__ = [
    "Approval",
    "ReturnOrder",
    "Transition",
    "approval_facts",
    "approve",
    "cancel",
    "draft",
    "edit_lines",
    "emit",
    "evolve",
    "refuse_repeated",
    "reject",
    "require",
    "submit",
]

S = ReturnStatus
_T = TypeVar("_T")


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

    def line(self, ref: LineRef) -> ReturnLine:
        """The line for order line ``ref``.

        Raises:
            NotFound: The return has no such line.
        """
        for line in self.lines:
            if line.ref == ref:
                return line
        raise NotFound("return line", f"{self.number} {ref}")

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
    event: Callable[..., ReturnEvent],
    target: ReturnStatus,
    comment: str = "",
    **extra: Any,
) -> ReturnEvent:
    """Build ``event`` for ``order`` moving to ``target``, by ``actor`` at ``at``."""
    return event(
        tenant_id=order.tenant_id,
        return_id=order.id,
        number=order.number,
        actor_id=actor.id,
        actor_name=actor.name,
        at=at,
        from_status=order.status,
        to_status=target,
        comment=comment,
        **extra,
    )


def evolve(order: ReturnOrder, at: datetime, **changes: Any) -> ReturnOrder:
    """``order`` with ``changes``, a new update time and the next version."""
    return evolved(order, updated_at=at, version=order.version + 1, **changes)


def _check_lines(lines: tuple[ReturnLine, ...], currency: str) -> None:
    if not lines:
        raise InvalidInput("a return needs at least one line")
    refuse_repeated(line.ref for line in lines)
    for line in lines:
        if line.refund.currency != currency:
            raise InvalidInput(
                f"line {line.ref} is in {line.refund.currency}; this return is in {currency}"
            )


def refuse_repeated(refs: Iterable[LineRef]) -> None:
    """Refuse order lines named more than once (in linear time, for large batches).

    Raises:
        InvalidInput: Some line appears twice; the message lists them.
    """
    refs = tuple(refs)
    if len(set(refs)) == len(refs):
        return  # Nothing repeated, as usual: no need to count.
    repeated = sorted(str(ref) for ref, times in Counter(refs).items() if times > 1)
    if repeated:
        raise InvalidInput(f"order line(s) {', '.join(repeated)} appear more than once")


def draft(
    *,
    return_id: str,
    number: str,
    actor: Actor,
    at: datetime,
    customer_id: str,
    customer_name: str,
    lines: tuple[ReturnLine, ...],
    note: str = "",
) -> Transition:
    """Create a return order as a draft from priced, checked lines.

    Raises:
        InvalidInput: No lines, a line twice, or lines in several currencies.
    """
    currency = lines[0].refund.currency if lines else ""
    _check_lines(lines, currency)
    order = ReturnOrder(
        id=return_id,
        tenant_id=actor.tenant_id,
        number=number,
        customer_id=customer_id,
        customer_name=customer_name,
        currency=currency,
        status=S.DRAFT,
        lines=lines,
        requested_by=actor.id,
        created_at=at,
        updated_at=at,
        note=note,
    )
    event = emit(order, actor, at, ReturnDrafted, S.DRAFT, lines=tuple(line.ref for line in lines))
    return Transition(order, (attrs.evolve(event, from_status=None),))


def edit_lines(
    order: ReturnOrder, actor: Actor, at: datetime, lines: tuple[ReturnLine, ...]
) -> Transition:
    """Replace a draft's lines.

    Raises:
        IllegalTransition: The return is no longer a draft.
        InvalidInput: No lines, a line twice, or another currency.
    """
    require(order, Action.EDIT, actor)
    _check_lines(lines, order.currency)
    event = emit(
        order, actor, at, ReturnLinesEdited, S.DRAFT, lines=tuple(line.ref for line in lines)
    )
    return Transition(evolve(order, at, lines=lines), (event,))


def approval_facts(order: ReturnOrder) -> ApprovalFacts:
    """What the approval policy looks at for ``order``."""
    return ApprovalFacts(
        refund=order.refund,
        reason_codes=frozenset(line.reason_code for line in order.lines),
        reason_categories=frozenset(line.reason_category for line in order.lines),
        product_categories=frozenset(line.product_category for line in order.lines),
        customer_id=order.customer_id,
    )


def submit(order: ReturnOrder, actor: Actor, at: datetime, policy: ApprovalPolicy) -> Transition:
    """Submit a draft; it is approved at once when the policy requires no step.

    Raises:
        IllegalTransition: The return is not a draft.
    """
    require(order, Action.SUBMIT, actor)
    steps = policy.steps_for(approval_facts(order))
    target = S.SUBMITTED if steps else S.APPROVED
    lines = tuple(evolved(line, approved=line.requested) for line in order.lines)
    submitted = emit(
        order,
        actor,
        at,
        ReturnSubmitted,
        S.SUBMITTED,
        policy_version=policy.version,
        steps=tuple(step.name for step in steps),
    )
    events: list[ReturnEvent] = [submitted]
    if not steps:
        approved = emit(order, actor, at, ReturnApproved, S.APPROVED, step=None)
        events.append(attrs.evolve(approved, from_status=S.SUBMITTED))
    new = evolve(
        order,
        at,
        status=target,
        lines=lines,
        steps=steps,
        policy_version=policy.version,
        submitted_at=at,
        distinct_approvers=policy.distinct_approvers,
    )
    return Transition(new, tuple(events))


def _authorise_step(order: ReturnOrder, actor: Actor, verb: str) -> ApprovalStep:
    step = order.current_step
    if step is None:  # pragma: no cover - a submitted return always has a step waiting
        raise IllegalTransition(order.number, order.status.value, verb, "no step is waiting")
    if actor.id == order.requested_by:
        raise SeparationOfDuties(
            f"actor {actor.id!r} requested return {order.number} and may not {verb} it"
        )
    if order.distinct_approvers and any(a.actor_id == actor.id for a in order.approvals):
        raise SeparationOfDuties(
            f"actor {actor.id!r} already took a step of return {order.number}; "
            f"the policy wants another person for step {step.name!r}"
        )
    if not actor.holds_any(step.roles):
        raise NotAuthorised(actor.id, f"{verb} step {step.name!r} of", step.roles, order.number)
    return step


def approve(
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    comment: str = "",
    quantities: Mapping[LineRef, Decimal] | None = None,
) -> Transition:
    """Take the waiting approval step, optionally lowering approved quantities.

    Raises:
        IllegalTransition: The return is not waiting for approval.
        SeparationOfDuties: The actor requested the return.
        NotAuthorised: The actor holds none of the step's roles.
        ExcessQuantity: A quantity is above what is approved so far.
        InvalidInput: Every quantity would be zero (reject instead).
    """
    allowed = require(order, Action.APPROVE, actor)
    step = _authorise_step(order, actor, "approve")
    lines = order.lines
    if quantities:
        for ref in quantities:
            order.line(ref)
        lines = tuple(_lowered(line, quantities.get(line.ref)) for line in lines)
        if all(line.approved == 0 for line in lines):
            raise InvalidInput(f"approving zero units of return {order.number}; reject it instead")
    last = len(order.approvals) + 1 == len(order.steps)
    target = S.APPROVED if last else S.SUBMITTED
    if target not in allowed:  # pragma: no cover - guarded by the table
        raise IllegalTransition(order.number, order.status.value, "approve")
    approval = Approval(step.name, actor.id, actor.name, at, comment)
    event: ReturnEvent = (
        emit(order, actor, at, ReturnApproved, target, comment, step=step.name)
        if last
        else emit(order, actor, at, ApprovalGiven, target, comment, step=step.name)
    )
    new = evolve(order, at, status=target, lines=lines, approvals=(*order.approvals, approval))
    return Transition(new, (event,))


def _lowered(line: ReturnLine, units: Decimal | None) -> ReturnLine:
    if units is None:
        return line
    units = quantity(units, f"approved quantity of {line.ref}")
    if units > line.approved:
        raise ExcessQuantity(
            f"line {line.ref}: can approve 0 to {line.approved} units, not {units}"
        )
    return evolved(line, approved=units)


def _needs_comment(comment: str, what: str) -> None:
    if not comment.strip():
        raise InvalidInput(f"a comment saying why is required to {what}")


def reject(order: ReturnOrder, actor: Actor, at: datetime, comment: str) -> Transition:
    """Reject a submitted return; the comment says why.

    Raises:
        IllegalTransition: The return is not waiting for approval.
        SeparationOfDuties: The actor requested the return.
        NotAuthorised: The actor holds none of the waiting step's roles.
        InvalidInput: The comment is blank.
    """
    require(order, Action.REJECT, actor)
    _needs_comment(comment, "reject a return")
    _authorise_step(order, actor, "reject")
    event = emit(order, actor, at, ReturnRejected, S.REJECTED, comment)
    return Transition(evolve(order, at, status=S.REJECTED), (event,))


def cancel(order: ReturnOrder, actor: Actor, at: datetime, comment: str) -> Transition:
    """Cancel a return before any goods have arrived; the comment says why.

    Raises:
        IllegalTransition: Goods have arrived, or the return is closed.
        InvalidInput: The comment is blank.
    """
    require(order, Action.CANCEL, actor)
    _needs_comment(comment, "cancel a return")
    event = emit(order, actor, at, ReturnCancelled, S.CANCELLED, comment)
    return Transition(evolve(order, at, status=S.CANCELLED), (event,))
