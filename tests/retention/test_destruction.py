"""Destruction over generated histories: only what may go goes, backed up, still counted.

Each example plays a history (returns in every stage, holds, archives, up to
40 years on, the china or neutral profile, one or two approvers), then a plan
is proposed, approved by others and applied.  The test works out on its own,
from the returns' dates and ``RetentionPolicy.retain_all``, what could go.
"""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import example, given
from tests.retention.histories import (
    AUDITOR,
    CLERK,
    DELIVERED,
    MOUSE,
    RECORDS,
    TENANT,
    History,
    Planned,
    Played,
    Stage,
    approve,
    histories,
    play,
    service_on,
)
from tests.retention.stores import Store, Stores

from crm_returns import LineQuery, LineRef, RequestedLine, ReturnOrder, ReturnRequest
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.retention import (
    AUDIT_ENTRIES,
    JOURNAL_ENTRIES,
    KEPT,
    NEUTRAL,
    RETURN_ORDERS,
    STOCK_MOVES,
    RecordDates,
    RetainUntil,
    RetentionPlan,
    RetentionPolicy,
)
from crm_returns.domain.retention.holds import open_matters
from crm_returns.domain.returns.states import TERMINAL
from crm_returns.domain.stock.moves import StockMove
from crm_returns.errors import NotFound, OverReturn

#: How a kept record's reason reads when only its retention keeps it (not a blocker).
WITHIN_RETENTION = ("kept until", "kept permanently", "its retention has not started")


@attrs.frozen
class Seen:
    """What the test saw of one return before the plan: enough to judge it alone."""

    index: int
    order: ReturnOrder
    audit: tuple[AuditEntry, ...]
    moves: tuple[StockMove, ...]
    journal: tuple[JournalEntry, ...]

    def retention(self, policy: RetentionPolicy) -> RetainUntil:
        """Its retain-until: the return, its audit trail and stock moves kept together."""
        order = self.order
        closed = [e.at for e in self.audit if e.to_status in TERMINAL and e.to_status is not None]
        completed = max(closed) if order.status in TERMINAL and closed else None
        dates = RecordDates.of(order.created_at, order.updated_at, completed)
        moves = [(STOCK_MOVES, RecordDates.of(m.at, m.at, m.at)) for m in self.moves]
        return policy.retain_all([(RETURN_ORDERS, dates), (AUDIT_ENTRIES, dates), *moves])

    def held(self, history: History) -> bool:
        """Whether a hold the history placed (none released) covers it."""
        held_customer = self.order.customer_id in history.held_customers
        return held_customer or self.index in history.held_returns


def _seen(played: Played) -> list[Seen]:
    service = played.service
    return [
        Seen(
            index,
            service.get_return(AUDITOR, rid),
            service.audit_trail(AUDITOR, rid),
            service.stock_moves(AUDITOR, return_id=rid),
            service.journal(AUDITOR, return_id=rid),
        )
        for index, rid in enumerate(played.ids)
    ]


def _destroyed(store: Store) -> dict[tuple[str, str], str]:
    """``(class, id)`` of every tombstone, with the plan that destroyed it."""
    found: dict[tuple[str, str], str] = {}
    after = None
    with store.unit_of_work() as uow:
        while page := uow.retention.tombstones(TENANT, after, 100):
            found |= {(t.key.record_class, t.key.record_id): t.plan_number for t in page}
            after = str(page[-1].key)
    return found


def _retire(played: Played, approvals: int) -> RetentionPlan:
    """Propose, approve (by others), apply; the applied plan."""
    service = played.service
    plan = service.propose_retention_plan(RECORDS)
    approve(service, plan.number, approvals)
    return service.apply_retention_plan(RECORDS, plan.number)


def _returned(played: Played) -> dict[LineRef, Decimal]:
    """Units already returned of every sample line, as the clerk's search shows them."""
    page = played.service.search_returnable_lines(CLERK, LineQuery(limit=50))
    return {found.line.ref: found.already_returned for found in page.items}


def _exists(played: Played, rid: str) -> bool:
    try:
        played.service.get_return(AUDITOR, rid)
    except NotFound:
        return False
    return True


def _kept_for_cause(plan: RetentionPlan, record_class: str) -> int:
    """How many records of the class the appraisal keeps for a reason other than retention."""
    assert plan.appraisal is not None
    return sum(
        line.count
        for line in plan.appraisal.lines
        if line.record_class == record_class
        and line.outcome == KEPT
        and not line.reason.startswith(WITHIN_RETENTION)
    )


#: A refund never paid, ten years on under the neutral profile: its journal entries stay.
UNPAID_TEN_YEARS_ON = History(
    returns=(Planned("C-1001", ((MOUSE, 1),), Stage.UNPAID),),
    held_customers=frozenset(),
    held_returns=frozenset(),
    archived=frozenset(),
    days=3687,
    policy=NEUTRAL,
    approvals=1,
)


@given(history=histories())
@example(history=UNPAID_TEN_YEARS_ON)
def test_nothing_held_open_or_within_retention_is_destroyed(
    stores: Stores, history: History
) -> None:
    with stores.fresh() as store:
        service, clock = service_on(
            store.unit_of_work, store.backups, policy=history.policy, approvals=history.approvals
        )
        played = play(service, clock, history)
        seen = _seen(played)
        plan = _retire(played, history.approvals)
        destroyed = _destroyed(store)
        today = clock.now().date()
        policy = history.policy
        due_but_kept = 0
        for one in seen:
            gone = (RETURN_ORDERS, one.order.id) in destroyed
            assert gone != _exists(played, one.order.id), one.order.number
            due = one.retention(policy).expired(today)
            if gone:
                assert due, f"{one.order.number} destroyed within retention"
                assert not one.held(history), f"{one.order.number} destroyed under a hold"
                assert not open_matters(one.order), f"{one.order.number} destroyed while open"
                for entry in one.journal:
                    assert (JOURNAL_ENTRIES, entry.id) in destroyed, "a dangling journal entry"
            elif due:
                due_but_kept += 1
            for entry in one.journal:
                if (JOURNAL_ENTRIES, entry.id) in destroyed:
                    _check_entry_may_go(entry, one, history, policy, today)
        assert due_but_kept == _kept_for_cause(plan, RETURN_ORDERS)


def _check_entry_may_go(
    entry: JournalEntry, one: Seen, history: History, policy: RetentionPolicy, today: date
) -> None:
    dates = RecordDates.of(entry.at, entry.at, entry.at)
    assert policy.retain_until(JOURNAL_ENTRIES, dates).expired(today), entry.id
    assert not one.held(history), f"journal entry {entry.id} destroyed under a hold"
    # 会计档案管理办法 第十九条: vouchers of debts not yet settled are not destroyed.
    assert not open_matters(one.order), f"journal entry {entry.id} of an open return destroyed"


@given(history=histories())
def test_every_destroyed_record_is_in_a_verified_backup(stores: Stores, history: History) -> None:
    with stores.fresh() as store:
        service, clock = service_on(
            store.unit_of_work, store.backups, policy=history.policy, approvals=history.approvals
        )
        played = play(service, clock, history)
        files = _files(played)
        plan = _retire(played, history.approvals)
        destroyed = {key for key, number in _destroyed(store).items() if number == plan.number}
        reference = store.backups.find(plan.number)
        if reference is None:
            assert not destroyed
            assert plan.backup == ""
            return
        assert (reference.location, reference.checksum) == (plan.backup, plan.backup_checksum)
        store.backups.verify(reference)
        lines = list(store.backups.read(reference))
        assert destroyed <= {(str(line["class"]), str(line["id"])) for line in lines}
        # A destroyed return's photos: their bytes in its backup line, gone from the store.
        backed_up = {
            str(f["id"]): base64.b64decode(str(f["base64"]))
            for line in lines
            for f in _listed(line.get("attachment_files"))
        }
        stored = _stored(played)
        for rid, attachments in files.items():
            for attachment_id, data in attachments.items():
                if (RETURN_ORDERS, rid) in destroyed:
                    assert backed_up[attachment_id] == data
                    assert attachment_id not in stored, "bytes of a destroyed return are left"
                else:
                    assert attachment_id in stored, "bytes of a kept return were deleted"


def _files(played: Played) -> dict[str, dict[str, bytes]]:
    """The bytes of each return's attachments, by return and attachment."""
    service = played.service
    return {
        rid: {
            a.id: service.attachment_content(AUDITOR, rid, a.id)
            for a in service.attachments(AUDITOR, rid)
        }
        for rid in played.ids
    }


def _stored(played: Played) -> set[str]:
    attachments = played.service.settings.attachments
    assert attachments is not None
    return set(attachments.ids(TENANT))


def _listed(value: object) -> list[dict[str, object]]:
    return value if isinstance(value, list) else []


@given(history=histories())
def test_destroyed_returns_still_count_against_over_return(
    stores: Stores, history: History
) -> None:
    with stores.fresh() as store:
        service, clock = service_on(
            store.unit_of_work, store.backups, policy=history.policy, approvals=history.approvals
        )
        played = play(service, clock, history)
        before = _returned(played)
        _retire(played, history.approvals)
        assert _returned(played) == before
        for ref, returned in before.items():
            more = DELIVERED[ref].quantity_delivered - returned + 1
            request = ReturnRequest((RequestedLine(ref, more, "wrong_order"),))
            with pytest.raises(OverReturn):
                service.create_return(CLERK, request)
