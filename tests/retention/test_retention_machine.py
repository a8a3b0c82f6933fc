"""Random retention commands interleaved with return commands, on the memory store.

The machine creates returns and takes them to random stages, places and
releases holds, archives and restores, proposes, approves, cancels and applies
plans, erases customers, and moves the clock by days to decades.  After every
step it checks invariant 9 of the design (records under retention or legal
hold cannot be deleted; erasure removes personal data but keeps amounts, dates
and the audit trail) and that the operation log verifies.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from tests.retention.histories import (
    AUDITOR,
    CUSTOMERS,
    LEGAL,
    LINES_OF,
    RECORDS,
    TENANT,
    Planned,
    Stage,
    approve,
    drive,
    service_on,
)
from tests.retention.stores import MemoryStore

from crm_returns import HoldScope, LegalHold, ReturnOrder, ReturnStatus
from crm_returns.domain.retention import (
    AUDIT_ENTRIES,
    CHINA,
    NEUTRAL,
    RETURN_ORDERS,
    STOCK_MOVES,
    RecordDates,
    RetentionPolicy,
)
from crm_returns.domain.retention.classes import RecordKey
from crm_returns.domain.retention.holds import HoldTarget
from crm_returns.domain.returns.states import TERMINAL
from crm_returns.errors import CrmReturnsError

Facts = tuple[object, ...]


def _facts(order: ReturnOrder) -> Facts:
    """What erasure keeps of a return: number, dates, status, amounts, quantities."""
    lines = tuple((line.ref, line.requested, line.received) for line in order.lines)
    return (order.number, order.created_at, order.status, order.refund, lines)


class RetentionMachine(RuleBasedStateMachine):
    """Returns and retention side by side; nothing held or kept goes, erasure keeps facts."""

    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore()
        self.policy: RetentionPolicy = CHINA
        self.approvals = 1
        self.ids: list[str] = []
        self.seen: dict[str, tuple[ReturnOrder, list[datetime]]] = {}
        self.checked: set[str] = set()
        self.serials: list[str] = ["MON27-0001", "MON27-0002"]

    @initialize(policy=st.sampled_from([CHINA, NEUTRAL]), approvals=st.integers(1, 2))
    def wire(self, policy: RetentionPolicy, approvals: int) -> None:
        self.policy, self.approvals = policy, approvals
        self.service, self.clock = service_on(
            self.store.unit_of_work, self.store.backups, policy=policy, approvals=approvals
        )

    # -- returns ------------------------------------------------------------

    @rule(customer=st.sampled_from(CUSTOMERS), line=st.integers(0, 2), stage=st.sampled_from(Stage))
    def make_a_return(self, customer: str, line: int, stage: Stage) -> None:
        refs = LINES_OF[customer]
        planned = Planned(customer, ((refs[line % len(refs)], 1),), stage)
        try:
            order = drive(self.service, self.clock, planned, self.serials)
        except CrmReturnsError:
            return  # over-returned, out of the return window: refused, fine
        self.ids.append(order.id)

    # -- retention ----------------------------------------------------------

    @rule(data=st.data(), on_customer=st.booleans())
    def place_hold(self, data: st.DataObject, on_customer: bool) -> None:
        if on_customer or not self.ids:
            customer = data.draw(st.sampled_from(CUSTOMERS))
            self.service.place_hold(LEGAL, HoldScope.CUSTOMER, customer, "lawsuit")
        else:
            rid = data.draw(st.sampled_from(self.ids))
            self.service.place_hold(LEGAL, HoldScope.RETURN, rid, "tax inspection")

    @rule(data=st.data())
    def release_hold(self, data: st.DataObject) -> None:
        holds = [h for h in self.service.legal_holds(AUDITOR) if h.released_at is None]
        if holds:
            self.service.release_hold(LEGAL, data.draw(st.sampled_from(holds)).id)

    @rule(data=st.data(), archive=st.booleans())
    def archive_or_restore(self, data: st.DataObject, archive: bool) -> None:
        if not self.ids:
            return
        rid = data.draw(st.sampled_from(self.ids))
        step = self.service.archive_return if archive else self.service.restore_return
        with contextlib.suppress(CrmReturnsError):  # open, gone, archived already: refused
            step(RECORDS, rid)

    @rule(apply=st.booleans())
    def plan(self, apply: bool) -> None:
        plan = self.service.propose_retention_plan(RECORDS)
        if not apply:
            self.service.cancel_retention_plan(RECORDS, plan.number)
            return
        approve(self.service, plan.number, self.approvals)
        applied = self.service.apply_retention_plan(RECORDS, plan.number)
        event("a plan destroyed records" if applied.backup else "a plan destroyed nothing")

    @rule(customer=st.sampled_from(CUSTOMERS))
    def erase(self, customer: str) -> None:
        before = {rid: _facts(o) for rid in self.ids if (o := self._get(rid)) is not None}
        trails = {rid: self._trail(rid) for rid in before}
        books = self.service.trial_balance(AUDITOR)
        now = self.clock.now()
        holds = self.service.legal_holds(AUDITOR)
        held = {rid for rid in before if self._held(rid, customer, holds, now)}
        self.service.request_erasure(RECORDS, customer)
        for rid, facts in before.items():
            order = self._get(rid)
            assert order is not None, "erasure deleted a return"
            assert _facts(order) == facts, "erasure changed the facts of a return"
            assert self._trail(rid) == trails[rid], "erasure changed the audit trail"
            if rid in held:
                assert order.customer_id == customer, f"held return {order.number} erased"
        assert self.service.trial_balance(AUDITOR) == books

    @rule(days=st.one_of(st.integers(0, 400), st.sampled_from([1100, 2200, 3700, 11300])))
    def advance(self, days: int) -> None:
        self.clock.advance(timedelta(days=days))

    # -- checks -------------------------------------------------------------

    def _get(self, rid: str) -> ReturnOrder | None:
        try:
            return self.service.get_return(AUDITOR, rid)
        except CrmReturnsError:
            return None

    def _trail(self, rid: str) -> list[tuple[object, ...]]:
        trail = self.service.audit_trail(AUDITOR, rid)
        return [(e.at, e.action, e.from_status, e.to_status) for e in trail]

    def _held(self, rid: str, customer: str, holds: Sequence[LegalHold], at: datetime) -> bool:
        order, _ = self.seen[rid]
        if order.customer_id != customer:
            return False
        target = HoldTarget(RecordKey(TENANT, RETURN_ORDERS, rid), customer, rid)
        return any(h.in_force(at) and h.covers(target) for h in holds)

    def _retain_until(self, rid: str) -> date | None:
        order, moves = self.seen[rid]
        done = order.updated_at if order.status in TERMINAL else None
        dates = RecordDates.of(order.created_at, order.updated_at, done)
        owned = [(STOCK_MOVES, RecordDates.of(at, at, at)) for at in moves]
        found = self.policy.retain_all([(RETURN_ORDERS, dates), (AUDIT_ENTRIES, dates), *owned])
        return found.until

    @invariant()
    def nothing_held_open_or_kept_is_destroyed(self) -> None:
        if not hasattr(self, "service"):
            return
        holds = self.service.legal_holds(AUDITOR)
        with self.store.unit_of_work() as uow:
            stones = {t.key.record_id: t for t in uow.retention.tombstones(TENANT, None, 10_000)}
        for rid in self.ids:
            order = self._get(rid)
            if order is not None:
                moves = [m.at for m in self.service.stock_moves(AUDITOR, return_id=rid)]
                self.seen[rid] = (order, moves)
                continue
            if rid in self.checked:
                continue
            stone = stones.get(rid)
            assert stone is not None, "a return vanished without a tombstone"
            self.checked.add(rid)
            at = datetime.fromisoformat(stone.destroyed_at)
            last, _ = self.seen[rid]
            until = self._retain_until(rid)
            assert until is not None, f"{last.number} destroyed with its retention not started"
            assert until < at.date(), f"{last.number} destroyed within retention"
            assert last.status in TERMINAL, f"{last.number} destroyed while in progress"
            assert last.grant is None or last.grant.fully_paid, f"{last.number}: refund unpaid"
            assert last.status is not ReturnStatus.DRAFT
            held = self._held(rid, last.customer_id, holds, at)
            assert not held, f"{last.number} destroyed under a hold"

    @invariant()
    def the_log_verifies(self) -> None:
        if hasattr(self, "service"):
            self.service.verify_retention_log(AUDITOR)


TestRetentionMachine = RetentionMachine.TestCase
