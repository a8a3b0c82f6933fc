"""The return order's state machine: every move is legal, attributed, and counted.

Orders come from the ``order_in`` fixture (tests/domain/conftest.py): the
standard return has line A (2 units at 100.00 CNY, must be inspected) and
line B (1 unit at 50.00 CNY, accepted on arrival), one approval step taken by
the ``approver`` role, and was drafted by ``clerk``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns.domain import returns as lifecycle
from crm_returns.domain.actors import Actor
from crm_returns.domain.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.events import (
    ApprovalGiven,
    GoodsReceived,
    LinesInspected,
    ReturnApproved,
    ReturnCancelled,
    ReturnCompleted,
    ReturnDrafted,
    ReturnLinesEdited,
    ReturnRejected,
    ReturnSubmitted,
)
from crm_returns.domain.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns import ReturnOrder, Transition
from crm_returns.domain.states import TERMINAL, TRANSITIONS, Action, ReturnStatus
from crm_returns.errors import (
    ExcessQuantity,
    IllegalTransition,
    InvalidInput,
    InvalidQuantity,
    NotAuthorised,
    NotFound,
    SeparationOfDuties,
)

S = ReturnStatus
#: When the transition under test happens: a day after anything the fixtures did.
AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
A_REF = LineRef("SO-1", "1")
B_REF = LineRef("SO-1", "2")
UNKNOWN_REF = LineRef("SO-9", "9")

OrderIn = Callable[[ReturnStatus], ReturnOrder]


def units(value: int | str) -> Decimal:
    return Decimal(value)


def counts(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


def full_refunds() -> dict[LineRef, Money]:
    """Line A 2 x 100.00 = 200.00 and line B 1 x 50.00 = 50.00."""
    return {A_REF: Money("200.00", "CNY"), B_REF: Money("50.00", "CNY")}


def assert_legal(before: ReturnOrder, result: Transition, action: Action, actor: Actor) -> None:
    """The move is in the table, is attributed to ``actor`` at AT, and bumps the version."""
    after = result.order
    assert after.status in TRANSITIONS[(before.status, action)]
    assert after.version == before.version + 1
    assert after.updated_at == AT
    assert after.created_at == before.created_at
    assert (after.id, after.number, after.tenant_id) == (before.id, before.number, before.tenant_id)
    assert result.events, "every state change emits an event"
    assert result.events[0].action is action
    assert result.events[0].from_status is before.status
    assert result.events[-1].to_status is after.status
    for earlier, later in zip(result.events, result.events[1:], strict=False):
        assert earlier.to_status is later.from_status
    for event in result.events:
        assert (event.actor_id, event.actor_name, event.at) == (actor.id, actor.name, AT)
        assert (event.tenant_id, event.return_id, event.number) == (
            before.tenant_id,
            before.id,
            before.number,
        )


def drafted(lines: tuple[ReturnLine, ...], actor: Actor) -> ReturnOrder:
    return lifecycle.draft(
        return_id="r-2",
        number="RT-20261127-000002",
        actor=actor,
        at=AT,
        customer_id="C-1",
        customer_name="Customer One",
        lines=lines,
    ).order


# -- draft and edit ------------------------------------------------------------------


def test_draft_creates_a_draft_requested_by_the_actor_in_the_actors_tenant(
    clerk: Actor, standard_lines: tuple[ReturnLine, ...]
) -> None:
    result = lifecycle.draft(
        return_id="r-9",
        number="RT-20261128-000009",
        actor=clerk,
        at=AT,
        customer_id="C-1",
        customer_name="Customer One",
        lines=standard_lines,
        note="call before pickup",
    )
    order = result.order
    assert order.status is S.DRAFT
    assert (order.id, order.number, order.tenant_id) == ("r-9", "RT-20261128-000009", "acme")
    assert order.requested_by == clerk.id
    assert order.created_at == order.updated_at == AT
    assert order.version == 1
    assert order.currency == "CNY"
    assert order.lines == standard_lines
    assert order.note == "call before pickup"
    # 200.00 (A: 2 x 100.00) + 50.00 (B: 1 x 50.00)
    assert order.refund == Money("250.00", "CNY")
    (event,) = result.events
    assert isinstance(event, ReturnDrafted)
    assert event.from_status is None
    assert event.to_status is S.DRAFT
    assert (event.actor_id, event.actor_name, event.at) == (clerk.id, clerk.name, AT)
    assert event.lines == (A_REF, B_REF)


def test_a_return_needs_at_least_one_line(clerk: Actor) -> None:
    with pytest.raises(InvalidInput, match="at least one line"):
        drafted((), clerk)


def test_an_order_line_may_appear_only_once_in_a_return(
    clerk: Actor, make_line: Callable[..., ReturnLine]
) -> None:
    with pytest.raises(InvalidInput, match="SO-1/1"):
        drafted((make_line(A_REF, 1), make_line(A_REF, 1)), clerk)


def test_a_return_is_in_one_currency(clerk: Actor, make_line: Callable[..., ReturnLine]) -> None:
    with pytest.raises(InvalidInput, match="USD"):
        drafted((make_line(A_REF, 1), make_line(B_REF, 1, "5.00", "USD")), clerk)


def test_editing_a_draft_replaces_its_lines(
    order_in: OrderIn, clerk: Actor, make_line: Callable[..., ReturnLine]
) -> None:
    before = order_in(S.DRAFT)
    new_lines = (make_line(B_REF, 1, "50.00"),)
    result = lifecycle.edit_lines(before, clerk, AT, new_lines)
    assert_legal(before, result, Action.EDIT, clerk)
    assert result.order.status is S.DRAFT
    assert result.order.lines == new_lines
    assert isinstance(result.events[0], ReturnLinesEdited)
    assert result.events[0].lines == (B_REF,)


def test_editing_cannot_switch_the_currency(
    order_in: OrderIn, clerk: Actor, make_line: Callable[..., ReturnLine]
) -> None:
    with pytest.raises(InvalidInput, match="USD"):
        lifecycle.edit_lines(order_in(S.DRAFT), clerk, AT, (make_line(A_REF, 1, "5.00", "USD"),))


# -- submit --------------------------------------------------------------------------


def test_submitting_waits_for_the_policys_steps_and_approves_what_was_requested(
    order_in: OrderIn, clerk: Actor, one_step_policy: ApprovalPolicy, manager_step: ApprovalStep
) -> None:
    before = order_in(S.DRAFT)
    result = lifecycle.submit(before, clerk, AT, one_step_policy)
    assert_legal(before, result, Action.SUBMIT, clerk)
    order = result.order
    assert order.status is S.SUBMITTED
    assert order.steps == (manager_step,)
    assert order.current_step == manager_step
    assert order.policy_version == "one-step"
    assert [line.approved for line in order.lines] == [line.requested for line in before.lines]
    (event,) = result.events
    assert isinstance(event, ReturnSubmitted)
    assert (event.policy_version, event.steps) == ("one-step", ("manager",))


def test_submitting_with_no_step_required_approves_automatically(
    order_in: OrderIn, clerk: Actor, no_step_policy: ApprovalPolicy
) -> None:
    before = order_in(S.DRAFT)
    result = lifecycle.submit(before, clerk, AT, no_step_policy)
    assert_legal(before, result, Action.SUBMIT, clerk)
    assert result.order.status is S.APPROVED
    assert result.order.steps == ()
    assert result.order.current_step is None
    submitted, approved = result.events
    assert isinstance(submitted, ReturnSubmitted)
    assert (submitted.from_status, submitted.to_status) == (S.DRAFT, S.SUBMITTED)
    assert isinstance(approved, ReturnApproved)
    assert (approved.from_status, approved.to_status) == (S.SUBMITTED, S.APPROVED)
    assert approved.automatic


@pytest.mark.parametrize(
    ("threshold", "status"),
    # The standard return's refund is 200.00 + 50.00 = 250.00 CNY.
    [("250.01", S.APPROVED), ("250.00", S.SUBMITTED), ("200.00", S.SUBMITTED)],
)
def test_submit_measures_the_estimated_refund_against_the_policy(
    order_in: OrderIn, clerk: Actor, manager_step: ApprovalStep, threshold: str, status: S
) -> None:
    policy = ApprovalPolicy([ApprovalRule(manager_step, refund_at_least=[Money(threshold, "CNY")])])
    assert lifecycle.submit(order_in(S.DRAFT), clerk, AT, policy).order.status is status


def test_submit_sees_every_lines_reason_and_product_category(
    order_in: OrderIn, clerk: Actor, manager_step: ApprovalStep
) -> None:
    # Line B (not A) has reason category "order" and product category "cables".
    by_reason = ApprovalPolicy([ApprovalRule(manager_step, reason_categories={"order"})])
    by_product = ApprovalPolicy([ApprovalRule(manager_step, product_categories={"cables"})])
    elsewhere = ApprovalPolicy([ApprovalRule(manager_step, product_categories={"sofas"})])
    assert lifecycle.submit(order_in(S.DRAFT), clerk, AT, by_reason).order.status is S.SUBMITTED
    assert lifecycle.submit(order_in(S.DRAFT), clerk, AT, by_product).order.status is S.SUBMITTED
    assert lifecycle.submit(order_in(S.DRAFT), clerk, AT, elsewhere).order.status is S.APPROVED


# -- approve -------------------------------------------------------------------------


def test_taking_the_last_step_approves_the_return(order_in: OrderIn, approver: Actor) -> None:
    before = order_in(S.SUBMITTED)
    result = lifecycle.approve(before, approver, AT, "looks fine")
    assert_legal(before, result, Action.APPROVE, approver)
    order = result.order
    assert order.status is S.APPROVED
    assert order.current_step is None
    (approval,) = order.approvals
    assert (approval.step, approval.actor_id, approval.actor_name) == (
        "manager",
        approver.id,
        approver.name,
    )
    assert (approval.at, approval.comment) == (AT, "looks fine")
    (event,) = result.events
    assert isinstance(event, ReturnApproved)
    assert (event.step, event.comment) == ("manager", "looks fine")
    assert not event.automatic
    assert order.lines == before.lines


def test_each_step_is_taken_in_turn_by_its_own_role(
    order_in: OrderIn,
    clerk: Actor,
    approver: Actor,
    quality_lead: Actor,
    two_step_policy: ApprovalPolicy,
) -> None:
    submitted = lifecycle.submit(order_in(S.DRAFT), clerk, AT, two_step_policy).order
    assert submitted.current_step is not None
    assert submitted.current_step.name == "manager"
    with pytest.raises(NotAuthorised):
        lifecycle.approve(submitted, quality_lead, AT)

    first = lifecycle.approve(submitted, approver, AT, "manager ok")
    assert_legal(submitted, first, Action.APPROVE, approver)
    assert first.order.status is S.SUBMITTED
    assert first.order.current_step is not None
    assert first.order.current_step.name == "quality"
    (given,) = first.events
    assert isinstance(given, ApprovalGiven)
    assert given.step == "manager"
    with pytest.raises(NotAuthorised):
        lifecycle.approve(first.order, approver, AT)

    second = lifecycle.approve(first.order, quality_lead, AT, "quality ok")
    assert_legal(first.order, second, Action.APPROVE, quality_lead)
    assert second.order.status is S.APPROVED
    assert [a.step for a in second.order.approvals] == ["manager", "quality"]
    assert [a.actor_id for a in second.order.approvals] == [approver.id, quality_lead.id]
    assert isinstance(second.events[0], ReturnApproved)


def test_an_approver_may_lower_approved_quantities(order_in: OrderIn, approver: Actor) -> None:
    before = order_in(S.SUBMITTED)
    result = lifecycle.approve(before, approver, AT, "one is enough", {A_REF: units(1)})
    assert_legal(before, result, Action.APPROVE, approver)
    assert result.order.line(A_REF).approved == 1
    assert result.order.line(A_REF).requested == 2
    assert result.order.line(B_REF).approved == 1  # not named, so unchanged


def test_a_later_step_cannot_raise_what_an_earlier_step_lowered(
    order_in: OrderIn,
    clerk: Actor,
    approver: Actor,
    quality_lead: Actor,
    two_step_policy: ApprovalPolicy,
) -> None:
    submitted = lifecycle.submit(order_in(S.DRAFT), clerk, AT, two_step_policy).order
    lowered = lifecycle.approve(submitted, approver, AT, "", {A_REF: units(1)}).order
    with pytest.raises(ExcessQuantity, match="SO-1/1"):
        lifecycle.approve(lowered, quality_lead, AT, "", {A_REF: units(2)})


@pytest.mark.parametrize(("quantity", "error"), [("3", ExcessQuantity), ("-1", InvalidQuantity)])
def test_approving_outside_zero_to_the_approved_quantity_is_refused(
    order_in: OrderIn, approver: Actor, quantity: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match="SO-1/1"):
        lifecycle.approve(order_in(S.SUBMITTED), approver, AT, "", {A_REF: units(quantity)})


def test_approving_zero_units_of_everything_is_refused(order_in: OrderIn, approver: Actor) -> None:
    with pytest.raises(InvalidInput, match="reject"):
        lifecycle.approve(
            order_in(S.SUBMITTED), approver, AT, "", {A_REF: units(0), B_REF: units(0)}
        )


def test_approving_zero_units_of_one_line_is_allowed(order_in: OrderIn, approver: Actor) -> None:
    order = lifecycle.approve(order_in(S.SUBMITTED), approver, AT, "", {B_REF: units(0)}).order
    assert order.line(B_REF).approved == 0
    assert order.line(A_REF).approved == 2


def test_approving_a_quantity_for_a_line_not_on_the_return_is_not_found(
    order_in: OrderIn, approver: Actor
) -> None:
    with pytest.raises(NotFound):
        lifecycle.approve(order_in(S.SUBMITTED), approver, AT, "", {UNKNOWN_REF: units(1)})


def test_an_actor_without_the_steps_role_may_not_approve_or_reject(
    order_in: OrderIn, warehouse: Actor
) -> None:
    order = order_in(S.SUBMITTED)
    with pytest.raises(NotAuthorised) as raised:
        lifecycle.approve(order, warehouse, AT)
    assert raised.value.actor == warehouse.id
    assert raised.value.needed == ("approver",)
    assert order.number in str(raised.value)
    with pytest.raises(NotAuthorised):
        lifecycle.reject(order, warehouse, AT, "no")


def test_the_requester_may_not_approve_or_reject_even_holding_the_role(
    standard_lines: tuple[ReturnLine, ...], one_step_policy: ApprovalPolicy
) -> None:
    boss = Actor("u-boss", "老板", "acme", {"clerk", "approver"})
    order = lifecycle.submit(drafted(standard_lines, boss), boss, AT, one_step_policy).order
    with pytest.raises(SeparationOfDuties, match="u-boss"):
        lifecycle.approve(order, boss, AT, "self-approved")
    with pytest.raises(SeparationOfDuties, match="u-boss"):
        lifecycle.reject(order, boss, AT, "self-rejected")


# -- reject and cancel ---------------------------------------------------------------


def test_rejecting_closes_the_return_with_the_reason_given(
    order_in: OrderIn, approver: Actor
) -> None:
    before = order_in(S.SUBMITTED)
    result = lifecycle.reject(before, approver, AT, "bought elsewhere")
    assert_legal(before, result, Action.REJECT, approver)
    assert result.order.status is S.REJECTED
    (event,) = result.events
    assert isinstance(event, ReturnRejected)
    assert event.comment == "bought elsewhere"


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_rejecting_or_cancelling_needs_a_comment_saying_why(
    order_in: OrderIn, approver: Actor, clerk: Actor, comment: str
) -> None:
    with pytest.raises(InvalidInput, match="comment"):
        lifecycle.reject(order_in(S.SUBMITTED), approver, AT, comment)
    with pytest.raises(InvalidInput, match="comment"):
        lifecycle.cancel(order_in(S.DRAFT), clerk, AT, comment)


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.APPROVED])
def test_a_return_can_be_cancelled_until_goods_arrive(
    order_in: OrderIn, clerk: Actor, status: S
) -> None:
    before = order_in(status)
    result = lifecycle.cancel(before, clerk, AT, "customer kept it")
    assert_legal(before, result, Action.CANCEL, clerk)
    assert result.order.status is S.CANCELLED
    (event,) = result.events
    assert isinstance(event, ReturnCancelled)
    assert event.comment == "customer kept it"


# -- receive -------------------------------------------------------------------------


def test_a_partial_receipt_leaves_the_return_partially_received(
    order_in: OrderIn, warehouse: Actor
) -> None:
    before = order_in(S.APPROVED)
    result = lifecycle.receive(before, warehouse, AT, {A_REF: Receipt(received=units(1))}, "box 1")
    assert_legal(before, result, Action.RECEIVE, warehouse)
    order = result.order
    assert order.status is S.PARTIALLY_RECEIVED
    line = order.line(A_REF)
    assert (line.received, line.awaiting_receipt, line.accepted) == counts(1, 1, 0)
    (event,) = result.events
    assert isinstance(event, GoodsReceived)
    assert event.receipts == ((A_REF, Receipt(received=units(1))),)
    assert event.comment == "box 1"


def test_receiving_every_approved_unit_makes_the_return_received(
    order_in: OrderIn, warehouse: Actor
) -> None:
    before = order_in(S.PARTIALLY_RECEIVED)  # line A: 1 of 2 received
    receipts = {A_REF: Receipt(received=units(1)), B_REF: Receipt(received=units(1))}
    result = lifecycle.receive(before, warehouse, AT, receipts)
    assert_legal(before, result, Action.RECEIVE, warehouse)
    assert result.order.status is S.RECEIVED
    assert result.order.line(A_REF).received == 2
    assert all(line.awaiting_receipt == 0 for line in result.order.lines)


def test_a_return_is_received_only_when_every_line_is(order_in: OrderIn, warehouse: Actor) -> None:
    # Line B (1 unit) arrives in full, but line A's 2 units are still expected.
    before = order_in(S.APPROVED)
    result = lifecycle.receive(before, warehouse, AT, {B_REF: Receipt(received=units(1))})
    assert_legal(before, result, Action.RECEIVE, warehouse)
    assert result.order.status is S.PARTIALLY_RECEIVED
    assert result.order.line(B_REF).awaiting_receipt == 0
    assert result.order.line(A_REF).awaiting_receipt == 2


def test_everything_can_arrive_in_one_receipt(order_in: OrderIn, warehouse: Actor) -> None:
    before = order_in(S.APPROVED)
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(1))}
    result = lifecycle.receive(before, warehouse, AT, receipts)
    assert_legal(before, result, Action.RECEIVE, warehouse)
    assert result.order.status is S.RECEIVED


def test_goods_that_need_no_inspection_are_accepted_as_they_arrive(
    order_in: OrderIn, warehouse: Actor
) -> None:
    receipts = {A_REF: Receipt(received=units(2)), B_REF: Receipt(received=units(1))}
    order = lifecycle.receive(order_in(S.APPROVED), warehouse, AT, receipts).order
    assert order.line(B_REF).accepted == 1
    assert order.line(B_REF).settled
    assert order.line(A_REF).accepted == 0
    assert order.line(A_REF).awaiting_inspection == 2
    assert not order.line(A_REF).settled


def test_wrong_items_missing_units_and_transit_damage_are_counted_apart(
    order_in: OrderIn, warehouse: Actor
) -> None:
    before = order_in(S.APPROVED)
    receipts = {
        # Line A, 2 approved: 1 arrived (and it is dented), 1 was something else.
        A_REF: Receipt(received=units(1), damaged_in_transit=units(1), wrong_item=units(1)),
        # Line B, 1 approved: never arrived.
        B_REF: Receipt(missing=units(1)),
    }
    result = lifecycle.receive(before, warehouse, AT, receipts)
    assert_legal(before, result, Action.RECEIVE, warehouse)
    assert result.order.status is S.RECEIVED
    a, b = result.order.line(A_REF), result.order.line(B_REF)
    assert (a.received, a.damaged_in_transit, a.wrong_item, a.missing) == counts(1, 1, 1, 0)
    assert (b.received, b.wrong_item, b.missing, b.accepted) == counts(0, 0, 1, 0)


@pytest.mark.parametrize(
    "receipt",
    [
        Receipt(received=units(3)),
        Receipt(received=units(2), missing=units(1)),
        Receipt(wrong_item=units(2), missing=units(1)),
    ],
    ids=["3 received", "2 received + 1 missing", "2 wrong + 1 missing"],
)
def test_a_receipt_may_not_account_for_more_than_the_approved_units(
    order_in: OrderIn, warehouse: Actor, receipt: Receipt
) -> None:
    with pytest.raises(ExcessQuantity, match="SO-1/1"):
        lifecycle.receive(order_in(S.APPROVED), warehouse, AT, {A_REF: receipt})


def test_later_receipts_count_what_earlier_ones_settled(
    order_in: OrderIn, warehouse: Actor
) -> None:
    # Line A: 2 approved, 1 already received, so 1 is still expected.
    with pytest.raises(ExcessQuantity, match="only 1 of 2"):
        lifecycle.receive(
            order_in(S.PARTIALLY_RECEIVED), warehouse, AT, {A_REF: Receipt(received=units(2))}
        )


def test_units_the_approver_struck_out_cannot_be_received(
    order_in: OrderIn, approver: Actor, warehouse: Actor
) -> None:
    order = lifecycle.approve(order_in(S.SUBMITTED), approver, AT, "", {A_REF: units(1)}).order
    with pytest.raises(ExcessQuantity):
        lifecycle.receive(order, warehouse, AT, {A_REF: Receipt(received=units(2))})


def test_a_receive_must_name_at_least_one_line(order_in: OrderIn, warehouse: Actor) -> None:
    with pytest.raises(InvalidInput, match="at least one line"):
        lifecycle.receive(order_in(S.APPROVED), warehouse, AT, {})


def test_a_receipt_for_a_line_not_on_the_return_is_not_found(
    order_in: OrderIn, warehouse: Actor
) -> None:
    with pytest.raises(NotFound, match="SO-9/9"):
        lifecycle.receive(
            order_in(S.APPROVED), warehouse, AT, {UNKNOWN_REF: Receipt(received=units(1))}
        )


def test_a_receipt_must_account_for_something() -> None:
    with pytest.raises(InvalidInput, match="at least one unit"):
        Receipt()


def test_more_units_cannot_be_damaged_than_arrived() -> None:
    with pytest.raises(InvalidInput, match="damaged_in_transit"):
        Receipt(received=units(1), damaged_in_transit=units(2))


@pytest.mark.parametrize("bad", [-1, 1.0, "NaN"], ids=repr)
def test_receipt_counts_are_exact_and_not_negative(bad: object) -> None:
    with pytest.raises(InvalidQuantity):
        Receipt(received=bad)


# -- inspect -------------------------------------------------------------------------


def test_inspecting_while_goods_are_still_coming_keeps_the_return_partially_received(
    order_in: OrderIn, warehouse: Actor
) -> None:
    before = order_in(S.PARTIALLY_RECEIVED)  # line A: 1 received
    result = lifecycle.inspect(before, warehouse, AT, {A_REF: Inspection(accepted=units(1))})
    assert_legal(before, result, Action.INSPECT, warehouse)
    assert result.order.status is S.PARTIALLY_RECEIVED
    assert result.order.line(A_REF).accepted == 1
    (event,) = result.events
    assert isinstance(event, LinesInspected)
    assert event.inspections == ((A_REF, Inspection(accepted=units(1))),)


def test_inspecting_more_than_has_arrived_is_refused(order_in: OrderIn, warehouse: Actor) -> None:
    with pytest.raises(ExcessQuantity, match="SO-1/1"):
        lifecycle.inspect(
            order_in(S.PARTIALLY_RECEIVED), warehouse, AT, {A_REF: Inspection(accepted=units(2))}
        )


def test_deciding_every_received_unit_makes_the_return_inspected(
    order_in: OrderIn, warehouse: Actor
) -> None:
    before = order_in(S.RECEIVED)
    decision = Inspection(accepted=units(1), rejected=units(1), note="one scratched by customer")
    result = lifecycle.inspect(before, warehouse, AT, {A_REF: decision})
    assert_legal(before, result, Action.INSPECT, warehouse)
    assert result.order.status is S.INSPECTED
    a = result.order.line(A_REF)
    assert (a.accepted, a.rejected, a.awaiting_inspection) == counts(1, 1, 0)
    assert a.review_note is None


def test_an_inspection_in_parts_waits_for_the_last_part(
    order_in: OrderIn, warehouse: Actor
) -> None:
    before = order_in(S.RECEIVED)
    first = lifecycle.inspect(before, warehouse, AT, {A_REF: Inspection(accepted=units(1))})
    assert_legal(before, first, Action.INSPECT, warehouse)
    assert first.order.status is S.RECEIVED
    second = lifecycle.inspect(first.order, warehouse, AT, {A_REF: Inspection(rejected=units(1))})
    assert_legal(first.order, second, Action.INSPECT, warehouse)
    assert second.order.status is S.INSPECTED


@pytest.mark.parametrize(
    ("ref", "decision"),
    [
        (A_REF, Inspection(accepted=units(2), rejected=units(1))),  # 3 > 2 received
        (B_REF, Inspection(accepted=units(1))),  # B was accepted on arrival
    ],
    ids=["more than received", "already accepted on arrival"],
)
def test_units_cannot_be_decided_twice(
    order_in: OrderIn, warehouse: Actor, ref: LineRef, decision: Inspection
) -> None:
    with pytest.raises(ExcessQuantity, match=str(ref)):
        lifecycle.inspect(order_in(S.RECEIVED), warehouse, AT, {ref: decision})


def test_a_line_flagged_for_review_holds_the_return_until_settled(
    order_in: OrderIn, warehouse: Actor, clerk: Actor
) -> None:
    before = order_in(S.RECEIVED)
    flagged = lifecycle.inspect(
        before,
        warehouse,
        AT,
        {A_REF: Inspection(accepted=units(1), needs_review=True, note="seal broken?")},
    ).order
    assert flagged.status is S.RECEIVED
    assert flagged.line(A_REF).review_note == "seal broken?"
    assert not flagged.line(A_REF).settled
    with pytest.raises(IllegalTransition, match="SO-1/1"):
        lifecycle.complete(flagged, clerk, AT, full_refunds())

    settled = lifecycle.inspect(flagged, warehouse, AT, {A_REF: Inspection(accepted=units(1))})
    assert settled.order.status is S.INSPECTED
    assert settled.order.line(A_REF).review_note is None


def test_a_review_flag_blocks_inspected_even_when_every_unit_is_decided(
    order_in: OrderIn, warehouse: Actor
) -> None:
    # Both units of line A decided, but someone must still look: not INSPECTED.
    order = lifecycle.inspect(
        order_in(S.RECEIVED),
        warehouse,
        AT,
        {A_REF: Inspection(accepted=units(2), needs_review=True)},
    ).order
    assert order.status is S.RECEIVED
    assert order.line(A_REF).awaiting_inspection == 0
    assert order.line(A_REF).review_note == "needs review"


def test_a_review_raised_after_every_unit_was_decided_can_still_be_settled(
    order_in: OrderIn, warehouse: Actor
) -> None:
    # Inspection says the flag "holds the return until an inspection without the
    # flag settles it".  When every unit was decided with the flag up, that
    # settling inspection decides no units, and it must still be possible;
    # otherwise the return can be neither inspected, completed nor cancelled.
    flagged = lifecycle.inspect(
        order_in(S.RECEIVED),
        warehouse,
        AT,
        {A_REF: Inspection(accepted=units(2), needs_review=True, note="seal broken?")},
    ).order
    settled = lifecycle.inspect(
        flagged, warehouse, AT, {A_REF: Inspection(note="supervisor: seal was fine")}
    )
    assert settled.order.status is S.INSPECTED
    assert settled.order.line(A_REF).review_note is None


def test_an_inspection_that_decides_and_flags_nothing_is_refused(
    order_in: OrderIn, warehouse: Actor
) -> None:
    with pytest.raises(InvalidInput):
        lifecycle.inspect(order_in(S.RECEIVED), warehouse, AT, {A_REF: Inspection(note="hm")})


def test_an_inspect_must_name_at_least_one_line(order_in: OrderIn, warehouse: Actor) -> None:
    with pytest.raises(InvalidInput, match="at least one line"):
        lifecycle.inspect(order_in(S.RECEIVED), warehouse, AT, {})


def test_an_inspection_of_a_line_not_on_the_return_is_not_found(
    order_in: OrderIn, warehouse: Actor
) -> None:
    with pytest.raises(NotFound, match="SO-9/9"):
        lifecycle.inspect(
            order_in(S.RECEIVED), warehouse, AT, {UNKNOWN_REF: Inspection(accepted=units(1))}
        )


# -- complete ------------------------------------------------------------------------


def test_completing_an_inspected_return_records_each_lines_refund(
    order_in: OrderIn, clerk: Actor
) -> None:
    before = order_in(S.INSPECTED)
    result = lifecycle.complete(before, clerk, AT, full_refunds(), "refunded to card")
    assert_legal(before, result, Action.COMPLETE, clerk)
    order = result.order
    assert order.status is S.COMPLETED
    assert order.line(A_REF).refund == Money("200.00", "CNY")
    assert order.line(B_REF).refund == Money("50.00", "CNY")
    (event,) = result.events
    assert isinstance(event, ReturnCompleted)
    assert event.refund == Money("250.00", "CNY")  # 200.00 + 50.00
    assert event.comment == "refunded to card"


def test_a_received_return_completes_directly_when_nothing_needs_inspection(
    make_line: Callable[..., ReturnLine],
    clerk: Actor,
    approver: Actor,
    warehouse: Actor,
    one_step_policy: ApprovalPolicy,
) -> None:
    line = make_line(B_REF, 3, "10.00", inspection_required=False)
    order = lifecycle.submit(drafted((line,), clerk), clerk, AT, one_step_policy).order
    order = lifecycle.approve(order, approver, AT).order
    before = lifecycle.receive(order, warehouse, AT, {B_REF: Receipt(received=units(3))}).order
    assert before.status is S.RECEIVED
    result = lifecycle.complete(before, clerk, AT, {B_REF: Money("30.00", "CNY")})
    assert_legal(before, result, Action.COMPLETE, clerk)
    assert result.order.status is S.COMPLETED


def test_a_received_return_with_uninspected_units_cannot_complete(
    order_in: OrderIn, clerk: Actor
) -> None:
    order = order_in(S.RECEIVED)  # line A's 2 units await inspection
    with pytest.raises(IllegalTransition, match="SO-1/1") as raised:
        lifecycle.complete(order, clerk, AT, full_refunds())
    assert raised.value.status == "received"
    assert raised.value.action == "complete"
    assert "SO-1/2" not in str(raised.value)


def test_every_line_needs_a_refund_in_the_returns_currency(order_in: OrderIn, clerk: Actor) -> None:
    order = order_in(S.INSPECTED)
    with pytest.raises(InvalidInput, match="SO-1/2"):
        lifecycle.complete(order, clerk, AT, {A_REF: Money("200.00", "CNY")})
    with pytest.raises(InvalidInput, match=r"SO-1/2 needs a refund of zero or more CNY"):
        lifecycle.complete(
            order, clerk, AT, {A_REF: Money("200.00", "CNY"), B_REF: Money("7.00", "USD")}
        )


def test_a_negative_refund_is_refused(order_in: OrderIn, clerk: Actor) -> None:
    # A refund pays the customer back; a negative one would charge them.
    with pytest.raises(InvalidInput, match="SO-1/2"):
        lifecycle.complete(
            order_in(S.INSPECTED),
            clerk,
            AT,
            {A_REF: Money("200.00", "CNY"), B_REF: Money("-50.00", "CNY")},
        )


def test_a_refund_for_a_line_not_on_the_return_is_not_found(
    order_in: OrderIn, clerk: Actor
) -> None:
    # As for receipts and inspections: a line the return does not have is an error,
    # not something to ignore silently.
    with pytest.raises(NotFound, match="SO-9/9"):
        lifecycle.complete(
            order_in(S.INSPECTED),
            clerk,
            AT,
            {**full_refunds(), UNKNOWN_REF: Money("1.00", "CNY")},
        )


# -- the table -----------------------------------------------------------------------


def _attempts(
    clerk: Actor,
    approver: Actor,
    warehouse: Actor,
    policy: ApprovalPolicy,
    lines: tuple[ReturnLine, ...],
) -> Mapping[Action, Callable[[ReturnOrder], Transition]]:
    """Each action with otherwise valid arguments, so that only the status can refuse it."""
    return {
        Action.EDIT: lambda order: lifecycle.edit_lines(order, clerk, AT, lines),
        Action.SUBMIT: lambda order: lifecycle.submit(order, clerk, AT, policy),
        Action.APPROVE: lambda order: lifecycle.approve(order, approver, AT, "ok"),
        Action.REJECT: lambda order: lifecycle.reject(order, approver, AT, "no"),
        Action.CANCEL: lambda order: lifecycle.cancel(order, clerk, AT, "no longer needed"),
        Action.RECEIVE: lambda order: lifecycle.receive(
            order, warehouse, AT, {A_REF: Receipt(received=units(1))}
        ),
        Action.INSPECT: lambda order: lifecycle.inspect(
            order, warehouse, AT, {A_REF: Inspection(accepted=units(1))}
        ),
        Action.COMPLETE: lambda order: lifecycle.complete(order, clerk, AT, full_refunds()),
    }


# Drafting creates a new order and never acts on an existing one.
ACTIONS_ON_ORDERS = [action for action in Action if action is not Action.DRAFT]
ILLEGAL = [
    (status, action)
    for status in ReturnStatus
    for action in ACTIONS_ON_ORDERS
    if (status, action) not in TRANSITIONS
]


def test_the_table_allows_exactly_the_moves_of_the_design() -> None:
    # Read off the diagram in crm_returns.domain.states and DESIGN.md, not the code:
    # the parametrised test below trusts the table, so the table must be pinned.
    a = Action
    design = {
        (S.DRAFT, a.EDIT): {S.DRAFT},
        (S.DRAFT, a.SUBMIT): {S.SUBMITTED, S.APPROVED},
        (S.DRAFT, a.CANCEL): {S.CANCELLED},
        (S.SUBMITTED, a.APPROVE): {S.SUBMITTED, S.APPROVED},
        (S.SUBMITTED, a.REJECT): {S.REJECTED},
        (S.SUBMITTED, a.CANCEL): {S.CANCELLED},
        (S.APPROVED, a.CANCEL): {S.CANCELLED},
        (S.APPROVED, a.RECEIVE): {S.PARTIALLY_RECEIVED, S.RECEIVED},
        (S.PARTIALLY_RECEIVED, a.RECEIVE): {S.PARTIALLY_RECEIVED, S.RECEIVED},
        (S.PARTIALLY_RECEIVED, a.INSPECT): {S.PARTIALLY_RECEIVED},
        (S.RECEIVED, a.INSPECT): {S.RECEIVED, S.INSPECTED},
        (S.RECEIVED, a.COMPLETE): {S.COMPLETED},
        (S.INSPECTED, a.COMPLETE): {S.COMPLETED},
    }
    assert design == TRANSITIONS


def test_drafting_is_not_an_action_on_an_existing_order() -> None:
    assert all(action is not Action.DRAFT for _, action in TRANSITIONS)


def test_nothing_leaves_a_terminal_status() -> None:
    assert all(status not in TERMINAL for status, _ in TRANSITIONS)
    assert {S.REJECTED, S.CANCELLED, S.COMPLETED} == TERMINAL


@pytest.mark.parametrize(
    ("status", "action"), ILLEGAL, ids=[f"{s.value}-{a.value}" for s, a in ILLEGAL]
)
def test_every_move_not_in_the_table_is_an_illegal_transition(
    order_in: OrderIn,
    clerk: Actor,
    approver: Actor,
    warehouse: Actor,
    one_step_policy: ApprovalPolicy,
    standard_lines: tuple[ReturnLine, ...],
    status: ReturnStatus,
    action: Action,
) -> None:
    order = order_in(status)
    assert order.status is status
    snapshot = copy.deepcopy(order)
    attempt = _attempts(clerk, approver, warehouse, one_step_policy, standard_lines)[action]
    with pytest.raises(IllegalTransition) as raised:
        attempt(order)
    assert raised.value.status == status.value
    assert raised.value.action == action.value
    assert raised.value.number == order.number
    assert status.value in str(raised.value)
    assert action.value in str(raised.value)
    assert order == snapshot


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.DRAFT, Action.EDIT),
        (S.DRAFT, Action.SUBMIT),
        (S.SUBMITTED, Action.APPROVE),
        (S.SUBMITTED, Action.REJECT),
        (S.APPROVED, Action.CANCEL),
        (S.APPROVED, Action.RECEIVE),
        (S.RECEIVED, Action.INSPECT),
        (S.INSPECTED, Action.COMPLETE),
        # Not even an illegal move reveals the return's status to another tenant.
        (S.COMPLETED, Action.CANCEL),
    ],
)
def test_another_tenants_actor_is_told_the_return_does_not_exist(
    order_in: OrderIn,
    stranger: Actor,
    one_step_policy: ApprovalPolicy,
    standard_lines: tuple[ReturnLine, ...],
    status: ReturnStatus,
    action: Action,
) -> None:
    order = order_in(status)
    attempt = _attempts(stranger, stranger, stranger, one_step_policy, standard_lines)[action]
    with pytest.raises(NotFound) as raised:
        attempt(order)
    assert raised.value.key == order.number
