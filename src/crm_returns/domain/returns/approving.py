"""Deciding on a submitted return: submit, approve (step by step), reject, cancel.

Who must approve comes from the approval policy
(:mod:`crm_returns.domain.policies.approval`); these transitions apply it, and
keep the requester from approving their own return.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain._evolve import evolved
from crm_returns.domain.actors import Actor
from crm_returns.domain.events import (
    ApprovalGiven,
    ReturnApproved,
    ReturnCancelled,
    ReturnEvent,
    ReturnRejected,
    ReturnSubmitted,
)
from crm_returns.domain.money import quantity
from crm_returns.domain.orders import LineRef
from crm_returns.domain.policies.approval import ApprovalFacts, ApprovalPolicy, ApprovalStep
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.returns.order import (
    Approval,
    ReturnOrder,
    Transition,
    emit,
    evolve,
    require,
)
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.errors import (
    ExcessQuantity,
    IllegalTransition,
    InvalidInput,
    NotAuthorised,
    SeparationOfDuties,
)

__all__ = ["approval_facts", "approve", "cancel", "reject", "submit"]

S = ReturnStatus


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
        InvalidQuantity: A quantity is finer than its line's unit allows.
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
    units = line.units(quantity(units, f"approved quantity of {line.ref}"), "approved quantity")
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
