"""Retention sweeps and plans: review, propose, approve, apply — the destruction register.

A sweep pages through every record of every class — the library's own, then
the host's record keepers — asks :func:`~crm_returns.domain.retention.decide`
what is due, and tallies an appraisal report.  :meth:`review_retention` only
reports; :meth:`propose_retention_plan` also stores what is ready as a plan.
Applying an approved plan writes a verified backup of everything it destroys,
then acts in batches, each in a transaction of its own with its log entry; each
item is decided again first, so that a hold placed since the plan was made is
obeyed.  A plan applied again after a crash goes on from its last batch.

Memory stays flat however large the store: records are read a page at a time,
items written a page at a time, and the report is a tally.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.retention import (
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    AppraisalReport,
    Decision,
    Expiry,
    Operation,
    PlanItem,
    PlanStatus,
    RecordKey,
    RetainedRecord,
    RetentionPlan,
    approve_plan,
    cancel_plan,
    decide,
    subject_digest,
)
from crm_returns.domain.retention.appraisal import Tally
from crm_returns.ports import UnitOfWork
from crm_returns.ports.retention import RecordKeeper
from crm_returns.service.checks import checked_id
from crm_returns.service.retention import (
    PAGE,
    Retention,
    checked_progress,
    checked_window,
)

__all__ = ["ACTIONS", "PAGE", "Progress", "RetentionPlans", "silent", "unreferenced"]

#: Told how many records a sweep has looked at, or items a plan has applied.
Progress = Callable[[int], None]

# Records that refer to others come first, so that a return whose journal
# entries go in the same plan may go too (after them).
_LIBRARY_ORDER = (JOURNAL_ENTRIES, OUTBOX_MESSAGES, IDEMPOTENCY_KEYS, RETURN_ORDERS)

#: What a plan may do to a record (a review is for a person, never in a plan).
ACTIONS = (Expiry.ARCHIVE, Expiry.ERASE, Expiry.DESTROY)


def silent(_: int) -> None:
    """The progress of nobody watching."""


class RetentionPlans(Retention):
    """Sweeps that review or propose, and plans that are approved and applied."""

    # -- sweeping ------------------------------------------------------------

    def _keepers(self, uow: UnitOfWork) -> Iterator[tuple[RecordKeeper, str]]:
        own = uow.retention.classes()
        for record_class in sorted(own, key=lambda c: (c not in _LIBRARY_ORDER, _order(c))):
            yield uow.retention, record_class
        for keeper in self.settings.host_records:
            for record_class in keeper.classes():
                yield keeper, record_class

    def _sweep(
        self, uow: UnitOfWork, tenant_id: str, at: datetime, progress: Progress
    ) -> Iterator[Decision]:
        """Every record's decision, a page of records at a time.

        A record whose referrers all go in the same plan (a return after its
        journal entries, which come first) may go too: its referrers are
        decided on the spot, so that memory stays flat however much is due.
        """
        policy = self.settings.retention
        holds = uow.retention.holds(tenant_id)

        def going(referrer: RetainedRecord) -> bool:
            decision = decide(policy, referrer, holds, at)
            return decision.ready and decision.action is Expiry.DESTROY

        seen = 0
        for keeper, record_class in self._keepers(uow):
            after: str | None = None
            while True:
                page = keeper.records(tenant_id, record_class, after, PAGE)
                for record in page:
                    gone = {r.key for r in record.referrers if going(r)}
                    yield decide(policy, unreferenced(record, gone), holds, at)
                seen += len(page)
                progress(seen)
                if len(page) < PAGE:
                    break
                after = page[-1].key.record_id

    def review_retention(self, actor: Actor, *, progress: Progress = silent) -> AppraisalReport:
        """What the retention rules say today of every record, changing nothing.

        The appraisal report (鉴定意见): per class, how many records are due
        for review, archive, erasure or destruction, and how many are kept
        and why.  It changes nothing, and so writes nothing to the operation
        log; :meth:`propose_retention_plan` keeps the same report in its plan.
        """
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        progress = checked_progress(progress)
        at = self._clock.now()
        tally = Tally(at.date(), self.settings.retention.profile)
        with self._uow() as uow:
            for decision in self._sweep(uow, actor.tenant_id, at, progress):
                tally.add(decision)
        return tally.report()

    def propose_retention_plan(self, actor: Actor, *, progress: Progress = silent) -> RetentionPlan:
        """Sweep every record and store what is due as a plan, waiting for approval.

        The plan lists each record to archive, erase or destroy, with its
        class, retain-until and legal basis; its appraisal report counts what
        was kept and why.  Nothing else changes until it is approved and
        applied.  Running it again proposes a new plan of what is due then.

        Raises:
            NotAuthorised: The actor may not manage retention.
        """
        actor = self._authorise(actor, Permission.MANAGE_RETENTION)
        progress = checked_progress(progress)
        at = self._clock.now()
        tally = Tally(at.date(), self.settings.retention.profile)
        counts: dict[tuple[str, str, int], int] = {}
        with self._uow() as uow:
            plan = RetentionPlan(
                id=self._ids.new_id(),
                tenant_id=actor.tenant_id,
                number=self._number(uow, actor.tenant_id, self.settings.plan_format),
                status=PlanStatus.PROPOSED,
                proposed_by=actor.id,
                proposed_at=at,
                approvals_needed=self.settings.plan_approvals,
            )
            uow.retention.add_plan(plan, ())
            batch: list[PlanItem] = []
            position = 0
            for decision in self._sweep(uow, actor.tenant_id, at, progress):
                tally.add(decision)
                action = decision.action
                if not decision.ready or action is None or action not in ACTIONS:
                    continue
                position += 1
                item = _item(position, decision, action)
                batch.append(item)
                for name, count in item.counts:
                    slot = (name, item.action.value, 0)
                    counts[slot] = counts.get(slot, 0) + count
                if len(batch) == PAGE:
                    uow.retention.add_items(actor.tenant_id, plan.id, batch)
                    batch = []
            if batch:
                uow.retention.add_items(actor.tenant_id, plan.id, batch)
            report = tally.report()
            proposed = attrs.evolve(
                plan,
                items=position,
                kept=report.total("kept"),
                counts=tuple((name, action, n) for (name, action, _), n in sorted(counts.items())),
                appraisal=report,
            )
            uow.retention.update_plan(proposed, expected_version=plan.version)
            self._log(
                uow,
                actor,
                Operation.PLAN,
                ids=(proposed.number,),
                counts=tuple((f"{n}:{a}", c) for n, a, c in proposed.counts),
            )
            uow.commit()
        return proposed

    # -- deciding on a plan --------------------------------------------------

    def approve_retention_plan(self, actor: Actor, number: str) -> RetentionPlan:
        """Approve a proposed plan; it may be applied once it has every approval it needs.

        Raises:
            NotFound: No such plan.
            SeparationOfDuties: The actor proposed it, or approved it already.
            IllegalRetentionStep: It is not waiting for approval.
        """
        actor = self._authorise(actor, Permission.APPROVE_RETENTION)
        at = self._clock.now()
        return self._plan_step(
            actor, number, Operation.APPROVE, lambda plan: approve_plan(plan, actor, at)
        )

    def cancel_retention_plan(self, actor: Actor, number: str) -> RetentionPlan:
        """Cancel a plan that has not started; it stays in the register as cancelled.

        Raises:
            NotFound: No such plan.
            IllegalRetentionStep: It is being applied or was applied.
        """
        actor = self._authorise(actor, Permission.MANAGE_RETENTION)
        return self._plan_step(
            actor, number, Operation.CANCEL, lambda plan: cancel_plan(plan, actor.id)
        )

    def _plan_step(
        self,
        actor: Actor,
        number: str,
        operation: Operation,
        step: Callable[[RetentionPlan], RetentionPlan],
    ) -> RetentionPlan:
        number = checked_id(number, "plan number")
        with self._uow() as uow:
            plan = uow.retention.get_plan(actor.tenant_id, number)
            moved = step(plan)
            uow.retention.update_plan(moved, expected_version=plan.version)
            self._log(uow, actor, operation, ids=(number,), outcome=moved.status.value)
            uow.commit()
        return moved

    def retention_plans(self, actor: Actor) -> Sequence[RetentionPlan]:
        """Every plan of the tenant, oldest first: the applied ones are the destruction register."""
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        with self._uow() as uow:
            return uow.retention.plans(actor.tenant_id)

    def retention_plan(self, actor: Actor, number: str) -> RetentionPlan:
        """One plan, by number.

        Raises:
            NotFound: No such plan.
        """
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        number = checked_id(number, "plan number")
        with self._uow() as uow:
            return uow.retention.get_plan(actor.tenant_id, number)

    def retention_plan_items(
        self, actor: Actor, number: str, *, after: int = 0, limit: int = PAGE
    ) -> Sequence[PlanItem]:
        """A plan's items from position ``after + 1``, in order.

        Raises:
            NotFound: No such plan.
        """
        actor = self._authorise(actor, Permission.VIEW_RETENTION)
        number = checked_id(number, "plan number")
        after, limit = checked_window(after, limit)
        with self._uow() as uow:
            plan = uow.retention.get_plan(actor.tenant_id, number)
            return uow.retention.items(actor.tenant_id, plan.id, after, limit)


def _order(record_class: str) -> int:
    return _LIBRARY_ORDER.index(record_class) if record_class in _LIBRARY_ORDER else 0


def unreferenced(record: RetainedRecord, going: set[RecordKey]) -> RetainedRecord:
    """``record`` without the references of records that go before it in the same plan."""
    if not record.referenced_by or not going:
        return record
    left = tuple(key for key in record.referenced_by if key not in going)
    return attrs.evolve(record, referenced_by=left)


def _item(position: int, decision: Decision, action: Expiry) -> PlanItem:
    record = decision.record
    return PlanItem(
        position=position,
        key=record.key,
        action=action,
        retain_until=decision.retention.until,
        legal_basis=decision.legal_basis,
        counts=record.counts,
        return_id=record.return_id,
        subject=None
        if record.customer_id is None
        else subject_digest(record.key.tenant_id, record.customer_id),
    )
