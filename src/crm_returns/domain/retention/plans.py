"""Retention plans: the dry run, its approval, and the destruction register (销毁清册).

::

    proposed ──approve (more needed)──▶ proposed
       │ └──approve (last one)──▶ approved ──start──▶ applying ──finish──▶ applied
       └──cancel──▶ cancelled ◀──cancel── approved       └──(batches)──┘

A plan is what a sweep proposes: the records whose retention has run, each
with its class, the action its rule asks for, its retain-until and the legal
basis, and the count of records that were kept and why.  Nothing changes
until it is approved — by one person, or by two different people, and never
by the one who proposed it (separation of duties, as for returns) — and
applied.  Applying writes a verified backup first and then works in batches;
a plan that stopped halfway is applied again from where it stopped.  Plans are
never deleted: the applied ones are the destruction register.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

import attrs

from crm_returns.domain._checks import moment
from crm_returns.domain.actors import Actor
from crm_returns.domain.retention.appraisal import AppraisalReport
from crm_returns.domain.retention.classes import RecordKey
from crm_returns.domain.retention.rules import Expiry
from crm_returns.errors import IllegalRetentionStep, InvalidInput, SeparationOfDuties

__all__ = [
    "PLAN_TRANSITIONS",
    "PlanApproval",
    "PlanItem",
    "PlanStatus",
    "PlanStep",
    "RetentionPlan",
    "advanced",
    "approve_plan",
    "cancel_plan",
    "finish_plan",
    "start_plan",
]


class PlanStatus(enum.Enum):
    """Where a retention plan stands."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    APPLYING = "applying"
    APPLIED = "applied"
    CANCELLED = "cancelled"


class PlanStep(enum.Enum):
    """What moves a plan."""

    APPROVE = "approve"
    LAST_APPROVAL = "last approval"
    START = "start"
    FINISH = "finish"
    CANCEL = "cancel"


_PROPOSED, _APPROVED, _APPLYING, _APPLIED, _CANCELLED = PlanStatus

#: Every legal move: (status, step) → the status after it.
PLAN_TRANSITIONS: Final[Mapping[tuple[PlanStatus, PlanStep], PlanStatus]] = {
    (_PROPOSED, PlanStep.APPROVE): _PROPOSED,
    (_PROPOSED, PlanStep.LAST_APPROVAL): _APPROVED,
    (_PROPOSED, PlanStep.CANCEL): _CANCELLED,
    (_APPROVED, PlanStep.CANCEL): _CANCELLED,
    (_APPROVED, PlanStep.START): _APPLYING,
    (_APPLYING, PlanStep.START): _APPLYING,
    (_APPLYING, PlanStep.FINISH): _APPLIED,
}


@attrs.frozen
class PlanItem:
    """One record a plan acts on.

    Attributes:
        position: Its place in the plan, from 1; batches go in this order.
        key: The record.
        action: Archive, erase or destroy.
        retain_until: The day its retention ended.
        legal_basis: The law behind its rule, or ``""``.
        counts: How many records of each class go with it (itself included).
        return_id: The return it belongs to, if any (for holds on a return).
        subject: The digest of the customer it names, if any (for holds on a
            customer; the register never keeps a customer's id).
    """

    position: int
    key: RecordKey
    action: Expiry
    retain_until: date | None
    legal_basis: str = ""
    counts: tuple[tuple[str, int], ...] = ()
    return_id: str | None = None
    subject: str | None = None


@attrs.frozen
class PlanApproval:
    """One person's approval of a plan.

    Attributes:
        actor_id: Who.
        actor_name: Their display name at the time.
        at: When.
    """

    actor_id: str
    actor_name: str
    at: datetime = attrs.field(validator=moment)


def _approvals_needed(value: object) -> int:
    if value not in (1, 2) or isinstance(value, bool):
        raise InvalidInput(f"a plan needs 1 or 2 approvals, not {value!r}")
    return int(value)


@attrs.frozen
class RetentionPlan:
    """A retention plan: what a sweep proposes and, once applied, a register entry.

    Attributes:
        id: The plan's id.
        tenant_id: The tenant.
        number: Its readable number, such as ``RP-2026-000001``.
        status: Where it stands.
        proposed_by: Who ran the sweep.
        proposed_at: When.
        items: How many records it acts on.
        kept: How many records the sweep looked at and kept.
        counts: Records acted on, by ``(class, action)`` with the owned ones.
        approvals_needed: 1, or 2 for two different people.
        approvals: Approvals given, in order.
        applied_through: The last item position applied (0 before any).
        backup: Where the verified backup is (``location``), once written.
        backup_checksum: Its checksum.
        applied_by: Who applied it.
        applied_at: When it finished.
        cancelled_by: Who cancelled it.
        appraisal: The sweep's appraisal report (鉴定意见): what it decided
            for every record it looked at, and why.
        version: Increases with every change.
    """

    id: str
    tenant_id: str
    number: str
    status: PlanStatus
    proposed_by: str
    proposed_at: datetime = attrs.field(validator=moment)
    items: int = 0
    kept: int = 0
    counts: tuple[tuple[str, str, int], ...] = ()
    approvals_needed: int = attrs.field(default=1, converter=_approvals_needed)
    approvals: tuple[PlanApproval, ...] = ()
    applied_through: int = 0
    backup: str = ""
    backup_checksum: str = ""
    applied_by: str = ""
    applied_at: datetime | None = None
    cancelled_by: str = ""
    appraisal: AppraisalReport | None = None
    version: int = 1


def _moved(plan: RetentionPlan, step: PlanStep, **changes: Any) -> RetentionPlan:
    target = PLAN_TRANSITIONS.get((plan.status, step))
    if target is None:
        raise IllegalRetentionStep(
            f"plan {plan.number} is {plan.status.value}: cannot {step.value}"
        )
    return attrs.evolve(plan, status=target, version=plan.version + 1, **changes)


def approve_plan(plan: RetentionPlan, actor: Actor, at: datetime) -> RetentionPlan:
    """``plan`` approved by ``actor``.

    Raises:
        SeparationOfDuties: ``actor`` proposed the plan or approved it already.
        IllegalRetentionStep: It is not waiting for approval.
    """
    if actor.id == plan.proposed_by:
        raise SeparationOfDuties(f"{actor.id} proposed plan {plan.number} and may not approve it")
    if any(given.actor_id == actor.id for given in plan.approvals):
        raise SeparationOfDuties(f"{actor.id} has approved plan {plan.number} already")
    approvals = (*plan.approvals, PlanApproval(actor.id, actor.name, at))
    last = len(approvals) >= plan.approvals_needed
    step = PlanStep.LAST_APPROVAL if last else PlanStep.APPROVE
    return _moved(plan, step, approvals=approvals)


def start_plan(plan: RetentionPlan, backup: str, checksum: str, by: str) -> RetentionPlan:
    """``plan`` being applied, its backup written (again allowed: a resumed apply).

    Raises:
        IllegalRetentionStep: It is not approved (or already being applied).
    """
    if plan.status is PlanStatus.APPLYING:
        return _moved(plan, PlanStep.START)
    return _moved(plan, PlanStep.START, backup=backup, backup_checksum=checksum, applied_by=by)


def advanced(plan: RetentionPlan, through: int) -> RetentionPlan:
    """``plan`` with items up to position ``through`` applied."""
    if plan.status is not PlanStatus.APPLYING:
        raise IllegalRetentionStep(f"plan {plan.number} is {plan.status.value}, not applying")
    return attrs.evolve(plan, applied_through=through, version=plan.version + 1)


def finish_plan(plan: RetentionPlan, at: datetime) -> RetentionPlan:
    """``plan`` applied in full.

    Raises:
        IllegalRetentionStep: It is not being applied.
    """
    return _moved(plan, PlanStep.FINISH, applied_at=at, applied_through=plan.items)


def cancel_plan(plan: RetentionPlan, by: str) -> RetentionPlan:
    """``plan`` cancelled before it was applied.

    Raises:
        IllegalRetentionStep: It is being applied or was applied.
    """
    return _moved(plan, PlanStep.CANCEL, cancelled_by=by)
