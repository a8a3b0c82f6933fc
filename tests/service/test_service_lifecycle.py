"""A return's life through the service: submit, approve, receive, inspect, complete.

The sample lines are listed in tests/service/conftest.py; the policy is
``SAMPLE_POLICY``: a ``manager`` step (role ``approver``) from 500.00 CNY of
refund, then a ``quality`` step (role ``inspector``) for quality reasons.
Every expected amount is worked out by hand in a comment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from crm_returns import (
    Action,
    Actor,
    Inspection,
    LineRef,
    Money,
    Receipt,
    ReturnOrder,
    ReturnsService,
    ReturnStatus,
)
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.events import ReturnApproved, ReturnCompleted
from crm_returns.domain.returns.lines import NOTE_LIMIT
from crm_returns.errors import (
    ExcessQuantity,
    IllegalTransition,
    InvalidInput,
    NotAuthorised,
    SeparationOfDuties,
)
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00 = 645.00
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90 = 379.10
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00 = 3798.00

S = ReturnStatus
AddLine = Callable[..., LineRef]
Drafted = Callable[..., ReturnOrder]
Snapshot = Callable[[], object]
SplitDenials = Callable[[object], tuple[object, list[AuditEntry]]]


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def units(value: int) -> Decimal:
    return Decimal(value)


def counts(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


def events_of(wiring: Wiring, order: ReturnOrder) -> list[object]:
    return [
        message.event
        for _, message in wiring.database.committed.outbox.values()
        if message.event.return_id == order.id
    ]


def received_in_full(
    service: ReturnsService, clerk: Actor, warehouse: Actor, order: ReturnOrder
) -> ReturnOrder:
    """Submit a return that needs no approval step, and receive every unit."""
    approved = service.submit_return(clerk, order.id)
    assert approved.status is S.APPROVED, "the test expects no approval step"
    receipts = {line.ref: Receipt(received=line.approved) for line in approved.lines}
    return service.receive_goods(warehouse, order.id, receipts)


# -- submit and approve --------------------------------------------------------------


def test_submit_approves_at_once_when_no_rule_applies(
    wiring: Wiring, clerk: Actor, drafted: Drafted
) -> None:
    service = wiring.service
    order = drafted((MOUSE, 1, "wrong_order"))  # 129.00 < 500, not a quality reason
    wiring.clock.advance(timedelta(minutes=5))
    approved = service.submit_return(clerk, order.id)
    assert (approved.status, approved.steps, approved.approvals) == (S.APPROVED, (), ())
    assert [line.approved for line in approved.lines] == [1]
    trail = service.audit_trail(clerk, order.id)
    assert [(e.action, e.from_status, e.to_status) for e in trail] == [
        (Action.DRAFT, None, S.DRAFT),
        (Action.SUBMIT, S.DRAFT, S.SUBMITTED),
        (Action.APPROVE, S.SUBMITTED, S.APPROVED),
    ]
    submit, approve = trail[1], trail[2]
    assert (submit.actor_id, approve.actor_id) == (clerk.id, clerk.id)
    assert submit.at == approve.at == wiring.clock.now()
    assert dict(submit.detail)["steps"] == ""  # no step required
    automatic = events_of(wiring, order)[-1]
    assert isinstance(automatic, ReturnApproved)
    assert automatic.step is None
    assert automatic.automatic


def test_a_large_quality_claim_needs_the_manager_then_quality(
    service: ReturnsService, clerk: Actor, approver: Actor, inspector: Actor, drafted: Drafted
) -> None:
    order = drafted((MONITOR, 1, "quality_defect"))  # 1899.00 >= 500, and a quality reason
    submitted = service.submit_return(clerk, order.id)
    assert submitted.status is S.SUBMITTED
    assert [step.name for step in submitted.steps] == ["manager", "quality"]
    assert submitted.policy_version == "sample-1"
    first = service.approve_return(approver, order.id, "金额核实")
    assert first.status is S.SUBMITTED
    assert first.current_step is not None
    assert first.current_step.name == "quality"
    second = service.approve_return(inspector, order.id, "质检确认")
    assert second.status is S.APPROVED
    assert [(a.step, a.actor_id, a.comment) for a in second.approvals] == [
        ("manager", approver.id, "金额核实"),
        ("quality", inspector.id, "质检确认"),
    ]
    trail = service.audit_trail(clerk, order.id)
    assert [(e.action, dict(e.detail).get("step")) for e in trail[2:]] == [
        (Action.APPROVE, "manager"),
        (Action.APPROVE, "quality"),
    ]


def test_the_quality_step_waits_for_the_manager(
    service: ReturnsService, clerk: Actor, inspector: Actor, drafted: Drafted
) -> None:
    order = drafted((MONITOR, 1, "quality_defect"))
    service.submit_return(clerk, order.id)
    with pytest.raises(NotAuthorised) as refused:
        service.approve_return(inspector, order.id)
    assert refused.value.needed == ("approver",)


def test_a_warehouse_worker_may_not_approve(
    service: ReturnsService,
    clerk: Actor,
    warehouse: Actor,
    drafted: Drafted,
    snapshot: Snapshot,
    split_denials: SplitDenials,
) -> None:
    order = drafted((MONITOR, 1, "changed_requirement"))  # 1899.00: the manager's step
    service.submit_return(clerk, order.id)
    before = snapshot()
    with pytest.raises(NotAuthorised) as refused:
        service.approve_return(warehouse, order.id, "looks fine to me")
    # Refused by the access policy: no role of the warehouse grants approving at all.
    assert refused.value.actor == warehouse.id
    assert set(refused.value.needed) == {"admin", "approver", "inspector"}
    # Nothing changed but the denial, written to the return's audit trail.
    after, denials = split_denials(snapshot())
    assert after == before
    assert [(d.actor_id, d.return_id, d.action, d.detail) for d in denials] == [
        (warehouse.id, order.id, Action.DENIED, (("permission", "approve_return"),))
    ]


def test_the_requester_may_not_approve_even_holding_the_role(
    service: ReturnsService,
    drafted: Drafted,
    snapshot: Snapshot,
    split_denials: Callable[[Any], tuple[Any, list[AuditEntry]]],
) -> None:
    boss = Actor("u-boss", "周总", SAMPLE_TENANT, {"requester", "approver"})
    order = drafted((MONITOR, 1, "changed_requirement"), by=boss)
    service.submit_return(boss, order.id)
    before = snapshot()
    with pytest.raises(SeparationOfDuties):
        service.approve_return(boss, order.id)
    # Nothing changes but the audit trail, which records the refused attempt.
    rest, denials = split_denials(snapshot())
    assert rest == before
    assert [(d.actor_id, d.return_id, d.detail) for d in denials] == [
        ("u-boss", order.id, (("permission", "approve_return"),))
    ]


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_rejecting_needs_a_comment_saying_why(
    service: ReturnsService,
    clerk: Actor,
    approver: Actor,
    drafted: Drafted,
    snapshot: Snapshot,
    comment: str,
) -> None:
    order = drafted((MONITOR, 1, "changed_requirement"))
    service.submit_return(clerk, order.id)
    before = snapshot()
    with pytest.raises(InvalidInput, match="comment"):
        service.reject_return(approver, order.id, comment)
    assert snapshot() == before
    rejected = service.reject_return(approver, order.id, "超过退货政策")
    assert rejected.status is S.REJECTED
    assert service.audit_trail(clerk, order.id)[-1].comment == "超过退货政策"


# -- cancel --------------------------------------------------------------------------


@pytest.mark.parametrize("submit", [False, True], ids=["draft", "approved"])
def test_a_return_can_be_cancelled_until_goods_arrive(
    service: ReturnsService, clerk: Actor, drafted: Drafted, submit: bool
) -> None:
    order = drafted((MOUSE, 2, "wrong_order"))
    if submit:
        assert service.submit_return(clerk, order.id).status is S.APPROVED
    cancelled = service.cancel_return(clerk, order.id, "客户不退了")
    assert cancelled.status is S.CANCELLED


def test_a_return_still_waiting_for_approval_can_be_cancelled(
    service: ReturnsService, clerk: Actor, drafted: Drafted
) -> None:
    order = drafted((MONITOR, 1, "changed_requirement"))
    assert service.submit_return(clerk, order.id).status is S.SUBMITTED
    assert service.cancel_return(clerk, order.id, "found the cable").status is S.CANCELLED


def test_a_return_cannot_be_cancelled_once_goods_arrived(
    service: ReturnsService, clerk: Actor, warehouse: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 2, "wrong_order"))
    service.submit_return(clerk, order.id)
    partly = service.receive_goods(warehouse, order.id, {MOUSE: Receipt(received=units(1))})
    with pytest.raises(IllegalTransition):
        service.cancel_return(clerk, order.id, "too late")
    assert service.get_return(clerk, order.id) == partly


def test_cancelling_needs_a_comment_saying_why(
    service: ReturnsService, clerk: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 2, "wrong_order"))
    with pytest.raises(InvalidInput, match="comment"):
        service.cancel_return(clerk, order.id, " ")
    assert service.get_return(clerk, order.id) == order


def test_a_comment_longer_than_the_limit_is_refused(
    service: ReturnsService, clerk: Actor, drafted: Drafted, snapshot: Snapshot
) -> None:
    order = drafted((MOUSE, 2, "wrong_order"))
    before = snapshot()
    with pytest.raises(InvalidInput):
        service.cancel_return(clerk, order.id, "x" * (NOTE_LIMIT + 1))
    assert snapshot() == before
    cancelled = service.cancel_return(clerk, order.id, "x" * NOTE_LIMIT)
    assert cancelled.status is S.CANCELLED


# -- receive, inspect, complete ------------------------------------------------------


def test_goods_may_arrive_in_parts(
    service: ReturnsService, clerk: Actor, warehouse: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 3, "wrong_order"))  # 387.00 < 500: approved at once
    service.submit_return(clerk, order.id)
    partly = service.receive_goods(warehouse, order.id, {MOUSE: Receipt(received=units(1))})
    assert partly.status is S.PARTIALLY_RECEIVED
    assert (partly.lines[0].received, partly.lines[0].awaiting_receipt) == counts(1, 2)  # 3 - 1
    with pytest.raises(ExcessQuantity):
        service.receive_goods(warehouse, order.id, {MOUSE: Receipt(received=units(3))})
    full = service.receive_goods(warehouse, order.id, {MOUSE: Receipt(received=units(2))})
    assert full.status is S.RECEIVED
    assert (full.lines[0].received, full.lines[0].awaiting_receipt) == counts(3, 0)


def test_a_line_flagged_for_review_blocks_completion_until_cleared(
    service: ReturnsService,
    clerk: Actor,
    warehouse: Actor,
    inspector: Actor,
    finance: Actor,
    drafted: Drafted,
) -> None:
    order = drafted((MOUSE, 2, "quality_defect"))  # 258.00: only the quality step
    service.submit_return(clerk, order.id)
    service.approve_return(inspector, order.id)
    service.receive_goods(warehouse, order.id, {MOUSE: Receipt(received=units(2))})
    flagged = Inspection(accepted=units(2), needs_review=True, note="外壳有划痕?")
    held = service.inspect_goods(inspector, order.id, {MOUSE: flagged})
    assert (held.status, held.lines[0].review_note) == (S.RECEIVED, "外壳有划痕?")
    with pytest.raises(IllegalTransition, match="review"):
        service.complete_return(finance, order.id)
    cleared = service.inspect_goods(inspector, order.id, {MOUSE: Inspection()}, "划痕是旧的")
    assert (cleared.status, cleared.lines[0].review_note) == (S.INSPECTED, None)
    done = service.complete_return(finance, order.id)
    assert (done.status, done.refund) == (S.COMPLETED, cny("258.00"))  # 2 x 129.00


def test_completing_refunds_only_the_accepted_units(
    wiring: Wiring,
    clerk: Actor,
    warehouse: Actor,
    inspector: Actor,
    finance: Actor,
    drafted: Drafted,
) -> None:
    service = wiring.service
    order = drafted((MOUSE, 3, "quality_defect"))
    assert order.refund == cny("387.00")  # the estimate: 3 x 129.00
    service.submit_return(clerk, order.id)
    service.approve_return(inspector, order.id)
    service.receive_goods(warehouse, order.id, {MOUSE: Receipt(received=units(3))})
    inspected = service.inspect_goods(
        inspector, order.id, {MOUSE: Inspection(accepted=units(2), rejected=units(1))}
    )
    assert inspected.status is S.INSPECTED
    done = service.complete_return(finance, order.id, "退款已原路返回")
    assert done.status is S.COMPLETED
    assert done.lines[0].refund == done.refund == cny("258.00")  # 2 accepted x 129.00
    completed = events_of(wiring, order)[-1]
    assert isinstance(completed, ReturnCompleted)
    assert (completed.refund, completed.comment) == (cny("258.00"), "退款已原路返回")


def test_a_line_returned_in_two_parts_refunds_exactly_what_was_paid(
    service: ReturnsService, clerk: Actor, warehouse: Actor, finance: Actor, drafted: Drafted
) -> None:
    # Paid for the cable line: 10 x 39.90 - 19.90 = 399.00 - 19.90 = 379.10.
    first = drafted((CABLE, 3, "wrong_order"))
    received_in_full(service, clerk, warehouse, first)
    first_done = service.complete_return(finance, first.id)
    assert first_done.refund == cny("113.73")  # 379.10 x 3/10 = 113.730

    second = drafted((CABLE, 7, "wrong_order"))
    assert second.refund == cny("265.37")  # estimate: 379.10 - 113.73
    received_in_full(service, clerk, warehouse, second)
    second_done = service.complete_return(finance, second.id)
    assert second_done.refund == cny("265.37")
    assert first_done.refund + second_done.refund == cny("379.10")


def test_partial_refunds_add_up_to_the_cent_when_a_unit_is_a_fraction_of_a_cent(
    service: ReturnsService,
    clerk: Actor,
    warehouse: Actor,
    finance: Actor,
    drafted: Drafted,
    desk: AddLine,
) -> None:
    # 3 desks at 40.00 less 20.00 off the line: paid 120.00 - 20.00 = 100.00, 33.333... a unit.
    ref = desk(quantity_delivered=Decimal(3), unit_price=cny("40.00"), line_discount=cny("20.00"))
    parts = [drafted((ref, 1, "wrong_order")) for _ in range(3)]
    for order in parts:
        received_in_full(service, clerk, warehouse, order)
    # Completed last-drafted first; each takes the next slice of what was paid:
    # R(1) = 100.00 x 1/3 = 33.33; R(2) = 66.67, so 66.67 - 33.33 = 33.34;
    # R(3) = 100.00, so 100.00 - 66.67 = 33.33.
    refunds = [service.complete_return(finance, order.id).refund for order in reversed(parts)]
    assert refunds == [cny("33.33"), cny("33.34"), cny("33.33")]
    assert Money.total(refunds, "CNY") == cny("100.00")


def test_units_that_went_missing_are_not_refunded(
    service: ReturnsService, clerk: Actor, warehouse: Actor, finance: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 3, "wrong_order"))  # accepted as it arrives
    service.submit_return(clerk, order.id)
    receipt = Receipt(received=units(2), missing=units(1))
    received = service.receive_goods(warehouse, order.id, {MOUSE: receipt})
    assert received.status is S.RECEIVED
    done = service.complete_return(finance, order.id)
    assert done.refund == cny("258.00")  # 2 arrived x 129.00


def test_every_change_is_audited_with_actor_time_and_status(
    wiring: Wiring,
    clerk: Actor,
    warehouse: Actor,
    inspector: Actor,
    finance: Actor,
    drafted: Drafted,
) -> None:
    service, clock = wiring.service, wiring.clock
    order = drafted((MOUSE, 1, "quality_defect"))
    receipt, inspection = Receipt(received=units(1)), Inspection(accepted=units(1))
    steps: list[tuple[Actor, Action, Callable[[], ReturnOrder]]] = [
        (clerk, Action.SUBMIT, lambda: service.submit_return(clerk, order.id)),
        (inspector, Action.APPROVE, lambda: service.approve_return(inspector, order.id)),
        (
            warehouse,
            Action.RECEIVE,
            lambda: service.receive_goods(warehouse, order.id, {MOUSE: receipt}),
        ),
        (
            inspector,
            Action.INSPECT,
            lambda: service.inspect_goods(inspector, order.id, {MOUSE: inspection}),
        ),
        (finance, Action.COMPLETE, lambda: service.complete_return(finance, order.id)),
    ]
    seen = len(service.audit_trail(clerk, order.id))
    assert seen == 1
    for actor, action, step in steps:
        clock.advance(timedelta(hours=1))
        after = step()
        trail = service.audit_trail(clerk, order.id)
        # A command may record more than one entry; each is the actor's, at that time.
        added = trail[seen:]
        assert added, f"{action.value} left no audit entry"
        assert {(entry.actor_id, entry.at) for entry in added} == {(actor.id, clock.now())}
        assert (added[-1].action, added[-1].to_status) == (action, after.status)
        seen = len(trail)
    assert after.status is S.COMPLETED
