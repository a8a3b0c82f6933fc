"""Applying an approved retention plan: the verified backup first, then resumable batches.

Each batch runs in a transaction of its own with its log entry, and decides
every item again before acting on it, so that a hold placed since the plan was
proposed is obeyed.  A plan that stopped halfway is applied again with the
same call and goes on from its last batch, without writing the backup again.

The bytes of attachments are backed up with their return, and deleted after
the batch that destroyed (or erased) their records has committed
(:mod:`~crm_returns.service.retention_files`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.retention import (
    RETURN_ORDERS,
    Expiry,
    Operation,
    PlanItem,
    PlanStatus,
    RecordKey,
    RetentionPlan,
    advanced,
    decide,
    finish_plan,
    start_plan,
    subject_digest,
    surrogate_for,
)
from crm_returns.errors import IllegalRetentionStep
from crm_returns.ports import UnitOfWork
from crm_returns.ports.retention import RecordKeeper
from crm_returns.service import retention_plans
from crm_returns.service.checks import checked_id
from crm_returns.service.retention import checked_progress
from crm_returns.service.retention_files import (
    backed_up_files,
    delete_bytes,
    erased_files,
    files_of_returns,
)
from crm_returns.service.retention_plans import (
    ACTIONS,
    Progress,
    RetentionPlans,
    silent,
    unreferenced,
)

__all__ = ["PlanApplying"]


class PlanApplying(RetentionPlans):
    """Apply approved plans: what a sweep proposed and people approved."""

    def apply_retention_plan(
        self, actor: Actor, number: str, *, progress: Progress = silent
    ) -> RetentionPlan:
        """Apply an approved plan: verified backup first, then batches; resumes where it stopped.

        Each item is decided again before it is acted on; one that a hold,
        an open matter or a new reference now keeps is passed over and
        counted in the log.  Destroyed records leave a tombstone; the plan
        stays, applied, as the destruction register (销毁清册).

        Raises:
            NotFound: No such plan.
            IllegalRetentionStep: It is not approved, or it destroys records
                and no backups are configured.
            BackupCorrupt: The backup did not verify (nothing was destroyed).
        """
        actor = self._authorise(actor, Permission.MANAGE_RETENTION)
        number = checked_id(number, "plan number")
        progress = checked_progress(progress)
        with self._uow() as uow:
            plan = uow.retention.get_plan(actor.tenant_id, number)
        if plan.status is PlanStatus.APPROVED:
            plan = self._back_up(actor, plan)
        elif plan.status is not PlanStatus.APPLYING:
            raise IllegalRetentionStep(f"plan {number} is {plan.status.value}, not approved")
        while True:
            with self._uow() as uow:
                plan = uow.retention.get_plan(actor.tenant_id, number)
                items = uow.retention.items(
                    actor.tenant_id, plan.id, plan.applied_through, retention_plans.PAGE
                )
                if not items:
                    finished = finish_plan(plan, self._clock.now())
                    uow.retention.update_plan(finished, expected_version=plan.version)
                    self._log(uow, actor, Operation.DESTROY, ids=(number,), outcome="applied")
                    uow.commit()
                    return finished
                files, surrogates = self._apply_batch(uow, actor, plan, items)
                moved = advanced(plan, items[-1].position)
                uow.retention.update_plan(moved, expected_version=plan.version)
                uow.commit()
            # Only once their records are gone (or erased) for good.
            if surrogates:
                with self._uow() as uow:
                    files += erased_files(uow, actor.tenant_id, surrogates)
            delete_bytes(self.settings.attachments, actor.tenant_id, files)
            progress(moved.applied_through)

    def _back_up(self, actor: Actor, plan: RetentionPlan) -> RetentionPlan:
        """Write and verify the backup of what ``plan`` destroys; the plan, started."""
        backups = self.settings.backups
        destroys = any(action == Expiry.DESTROY.value for _, action, _ in plan.counts)
        location = checksum = ""
        if destroys:
            if backups is None:
                raise IllegalRetentionStep(
                    f"plan {plan.number} destroys records: configure ServiceSettings.backups "
                    "so that they are backed up first"
                )
            reference = backups.find(plan.number) or backups.write(
                plan.number, self._exported(actor.tenant_id, plan)
            )
            backups.verify(reference)
            location, checksum = reference.location, reference.checksum
        with self._uow() as uow:
            stored = uow.retention.get_plan(actor.tenant_id, plan.number)
            started = start_plan(stored, location, checksum, actor.id)
            uow.retention.update_plan(started, expected_version=stored.version)
            self._log(
                uow,
                actor,
                Operation.BACKUP,
                ids=(plan.number,),
                backup=f"{location} {checksum}".strip(),
                outcome="verified" if destroys else "nothing to back up",
            )
            uow.commit()
        return started

    def _exported(self, tenant_id: str, plan: RetentionPlan) -> Iterator[dict[str, object]]:
        """Every record the plan destroys, as its keeper exports it, a page at a time."""
        after = 0
        while True:
            with self._uow() as uow:
                items = uow.retention.items(tenant_id, plan.id, after, retention_plans.PAGE)
                keys = [i.key for i in items if i.action is Expiry.DESTROY]
                for keeper, mine in self._split(uow, keys):
                    for record in keeper.export(mine):
                        line = dict(record)
                        if keeper is uow.retention and line["class"] == RETURN_ORDERS:
                            files = backed_up_files(
                                self.settings.attachments, uow, tenant_id, str(line["id"])
                            )
                            if files:
                                line["attachment_files"] = files
                        yield line
            if len(items) < retention_plans.PAGE:
                return
            after = items[-1].position

    def _split(
        self, uow: UnitOfWork, keys: Sequence[RecordKey]
    ) -> list[tuple[RecordKeeper, list[RecordKey]]]:
        """``keys`` in runs of one class, each with the keeper of the class, in their order."""
        groups: list[tuple[RecordKeeper, list[RecordKey]]] = []
        keepers: list[RecordKeeper] = [uow.retention, *self.settings.host_records]
        for key in keys:
            if groups and groups[-1][1][0].record_class == key.record_class:
                groups[-1][1].append(key)
                continue
            keeper = next((k for k in keepers if key.record_class in k.classes()), None)
            if keeper is not None:
                groups.append((keeper, [key]))
        return groups

    def _apply_batch(
        self, uow: UnitOfWork, actor: Actor, plan: RetentionPlan, items: Sequence[PlanItem]
    ) -> tuple[list[str], list[str]]:
        """Act on one batch of items, each decided again first; log what was done.

        Runs of items of one class are decided and acted on in order, so that
        a return whose journal entries went earlier in the batch may go.

        Returns:
            The attachments of the returns destroyed, and the surrogates of
            the customers erased: whose bytes to delete once the batch commits.
        """
        files: list[str] = []
        surrogates: list[str] = []
        at = self._clock.now()
        holds = uow.retention.holds(actor.tenant_id)
        policy = self.settings.retention
        done: dict[str, int] = {}
        basis = {item.key: item.legal_basis for item in items}
        going: set[RecordKey] = set()
        skipped = 0
        for keeper, keys in self._split(uow, [item.key for item in items]):
            by_action: dict[Expiry, list[RecordKey]] = {}
            for key in keys:
                record = keeper.record(key)
                if record is None:
                    continue  # gone already: a batch applied again
                decision = decide(policy, unreferenced(record, going), holds, at)
                if decision.ready and decision.action in ACTIONS:
                    by_action.setdefault(decision.action, []).append(key)
                else:
                    skipped += 1
            for action, mine in by_action.items():
                name = mine[0].record_class
                if name == RETURN_ORDERS and action is not Expiry.ERASE:
                    change = "destroyed" if action is Expiry.DESTROY else "archived"
                    for key in mine:
                        order = uow.returns.get(key.tenant_id, key.record_id)
                        self._tell(uow, actor, order, change, plan.number, basis[key])
                if action is Expiry.DESTROY:
                    going.update(mine)
                    if keeper is uow.retention and name == RETURN_ORDERS:
                        returns = [key.record_id for key in mine]
                        files += files_of_returns(uow, actor.tenant_id, returns)
                    for part, count in keeper.destroy(mine, plan.number, at).items():
                        done[part] = done.get(part, 0) + count
                elif action is Expiry.ARCHIVE:
                    keeper.archive(mine)
                    done[f"archived {name}"] = done.get(f"archived {name}", 0) + len(mine)
                else:
                    for key in mine:
                        surrogates += self._erase_record(actor, keeper, key)
                    done[f"erased {name}"] = done.get(f"erased {name}", 0) + len(mine)
        bases = sorted({item.legal_basis for item in items if item.legal_basis})
        self._log(
            uow,
            actor,
            Operation.DESTROY,
            record_class=",".join(sorted({item.key.record_class for item in items})),
            ids=tuple(item.key.record_id for item in items),
            counts=(*sorted(done.items()), ("skipped", skipped)),
            legal_basis="; ".join(bases),
            backup=f"{plan.backup} {plan.backup_checksum}".strip(),
            outcome=f"batch to item {items[-1].position} of {plan.items}",
        )
        return files, surrogates

    def _erase_record(self, actor: Actor, keeper: RecordKeeper, key: RecordKey) -> list[str]:
        """Erase the personal data of the customer a record names (a rule said "erase").

        Returns the surrogate it erased the customer with, if it found one.
        """
        record = keeper.record(key)
        customer = None if record is None else record.customer_id
        if customer is None and key.record_class == "customers":
            customer = key.record_id
        if customer:
            surrogate = surrogate_for(subject_digest(actor.tenant_id, customer))
            keeper.erase(actor.tenant_id, customer, surrogate, ())
            return [surrogate]
        return []
