"""The return order's state machine, up to approval: draft, edit, submit, approve, reject, cancel.

Orders come from the ``order_in`` fixture (tests/domain/conftest.py): the
standard return has line A (2 units at 100.00 CNY, must be inspected) and
line B (1 unit at 50.00 CNY, accepted on arrival), one approval step taken by
the ``approver`` role, and was drafted by ``clerk``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns.domain.actors import Actor
from crm_returns.domain.events import (
    ApprovalGiven,
    ReturnApproved,
    ReturnCancelled,
    ReturnDrafted,
    ReturnLinesEdited,
    ReturnRejected,
    ReturnSubmitted,
)
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.returns import approving, drafting
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.errors import (
    ExcessQuantity,
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
AssertLegal = Callable[[ReturnOrder, Transition, Action, Actor, datetime], None]


def units(value: int | str) -> Decimal:
    return Decimal(value)


def drafted(lines: tuple[ReturnLine, ...], actor: Actor) -> ReturnOrder:
    return drafting.draft(
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
    result = drafting.draft(
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
    order_in: OrderIn, clerk: Actor, make_line: Callable[..., ReturnLine], assert_legal: AssertLegal
) -> None:
    before = order_in(S.DRAFT)
    new_lines = (make_line(B_REF, 1, "50.00"),)
    result = drafting.edit_lines(before, clerk, AT, new_lines)
    assert_legal(before, result, Action.EDIT, clerk, AT)
    assert result.order.status is S.DRAFT
    assert result.order.lines == new_lines
    assert isinstance(result.events[0], ReturnLinesEdited)
    assert result.events[0].lines == (B_REF,)


def test_editing_cannot_switch_the_currency(
    order_in: OrderIn, clerk: Actor, make_line: Callable[..., ReturnLine]
) -> None:
    with pytest.raises(InvalidInput, match="USD"):
        drafting.edit_lines(order_in(S.DRAFT), clerk, AT, (make_line(A_REF, 1, "5.00", "USD"),))


# -- submit --------------------------------------------------------------------------


def test_submitting_waits_for_the_policys_steps_and_approves_what_was_requested(
    order_in: OrderIn,
    clerk: Actor,
    one_step_policy: ApprovalPolicy,
    manager_step: ApprovalStep,
    assert_legal: AssertLegal,
) -> None:
    before = order_in(S.DRAFT)
    result = approving.submit(before, clerk, AT, one_step_policy)
    assert_legal(before, result, Action.SUBMIT, clerk, AT)
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
    order_in: OrderIn, clerk: Actor, no_step_policy: ApprovalPolicy, assert_legal: AssertLegal
) -> None:
    before = order_in(S.DRAFT)
    result = approving.submit(before, clerk, AT, no_step_policy)
    assert_legal(before, result, Action.SUBMIT, clerk, AT)
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
    assert approving.submit(order_in(S.DRAFT), clerk, AT, policy).order.status is status


def test_submit_sees_every_lines_reason_and_product_category(
    order_in: OrderIn, clerk: Actor, manager_step: ApprovalStep
) -> None:
    # Line B (not A) has reason category "order" and product category "cables".
    by_reason = ApprovalPolicy([ApprovalRule(manager_step, reason_categories={"order"})])
    by_product = ApprovalPolicy([ApprovalRule(manager_step, product_categories={"cables"})])
    elsewhere = ApprovalPolicy([ApprovalRule(manager_step, product_categories={"sofas"})])
    assert approving.submit(order_in(S.DRAFT), clerk, AT, by_reason).order.status is S.SUBMITTED
    assert approving.submit(order_in(S.DRAFT), clerk, AT, by_product).order.status is S.SUBMITTED
    assert approving.submit(order_in(S.DRAFT), clerk, AT, elsewhere).order.status is S.APPROVED


# -- approve -------------------------------------------------------------------------


def test_taking_the_last_step_approves_the_return(
    order_in: OrderIn, approver: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.SUBMITTED)
    result = approving.approve(before, approver, AT, "looks fine")
    assert_legal(before, result, Action.APPROVE, approver, AT)
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
    assert_legal: AssertLegal,
) -> None:
    submitted = approving.submit(order_in(S.DRAFT), clerk, AT, two_step_policy).order
    assert submitted.current_step is not None
    assert submitted.current_step.name == "manager"
    with pytest.raises(NotAuthorised):
        approving.approve(submitted, quality_lead, AT)

    first = approving.approve(submitted, approver, AT, "manager ok")
    assert_legal(submitted, first, Action.APPROVE, approver, AT)
    assert first.order.status is S.SUBMITTED
    assert first.order.current_step is not None
    assert first.order.current_step.name == "quality"
    (given,) = first.events
    assert isinstance(given, ApprovalGiven)
    assert given.step == "manager"
    with pytest.raises(NotAuthorised):
        approving.approve(first.order, approver, AT)

    second = approving.approve(first.order, quality_lead, AT, "quality ok")
    assert_legal(first.order, second, Action.APPROVE, quality_lead, AT)
    assert second.order.status is S.APPROVED
    assert [a.step for a in second.order.approvals] == ["manager", "quality"]
    assert [a.actor_id for a in second.order.approvals] == [approver.id, quality_lead.id]
    assert isinstance(second.events[0], ReturnApproved)


def test_an_approver_may_lower_approved_quantities(
    order_in: OrderIn, approver: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.SUBMITTED)
    result = approving.approve(before, approver, AT, "one is enough", {A_REF: units(1)})
    assert_legal(before, result, Action.APPROVE, approver, AT)
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
    submitted = approving.submit(order_in(S.DRAFT), clerk, AT, two_step_policy).order
    lowered = approving.approve(submitted, approver, AT, "", {A_REF: units(1)}).order
    with pytest.raises(ExcessQuantity, match="SO-1/1"):
        approving.approve(lowered, quality_lead, AT, "", {A_REF: units(2)})


@pytest.mark.parametrize(("quantity", "error"), [("3", ExcessQuantity), ("-1", InvalidQuantity)])
def test_approving_outside_zero_to_the_approved_quantity_is_refused(
    order_in: OrderIn, approver: Actor, quantity: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match="SO-1/1"):
        approving.approve(order_in(S.SUBMITTED), approver, AT, "", {A_REF: units(quantity)})


def test_approving_zero_units_of_everything_is_refused(order_in: OrderIn, approver: Actor) -> None:
    with pytest.raises(InvalidInput, match="reject"):
        approving.approve(
            order_in(S.SUBMITTED), approver, AT, "", {A_REF: units(0), B_REF: units(0)}
        )


def test_approving_zero_units_of_one_line_is_allowed(order_in: OrderIn, approver: Actor) -> None:
    order = approving.approve(order_in(S.SUBMITTED), approver, AT, "", {B_REF: units(0)}).order
    assert order.line(B_REF).approved == 0
    assert order.line(A_REF).approved == 2


def test_approving_a_quantity_for_a_line_not_on_the_return_is_not_found(
    order_in: OrderIn, approver: Actor
) -> None:
    with pytest.raises(NotFound):
        approving.approve(order_in(S.SUBMITTED), approver, AT, "", {UNKNOWN_REF: units(1)})


def test_an_actor_without_the_steps_role_may_not_approve_or_reject(
    order_in: OrderIn, warehouse: Actor
) -> None:
    order = order_in(S.SUBMITTED)
    with pytest.raises(NotAuthorised) as raised:
        approving.approve(order, warehouse, AT)
    assert raised.value.actor == warehouse.id
    assert raised.value.needed == ("approver",)
    assert order.number in str(raised.value)
    with pytest.raises(NotAuthorised):
        approving.reject(order, warehouse, AT, "no")


def test_the_requester_may_not_approve_or_reject_even_holding_the_role(
    standard_lines: tuple[ReturnLine, ...], one_step_policy: ApprovalPolicy
) -> None:
    boss = Actor("u-boss", "老板", "acme", {"clerk", "approver"})
    order = approving.submit(drafted(standard_lines, boss), boss, AT, one_step_policy).order
    with pytest.raises(SeparationOfDuties, match="u-boss"):
        approving.approve(order, boss, AT, "self-approved")
    with pytest.raises(SeparationOfDuties, match="u-boss"):
        approving.reject(order, boss, AT, "self-rejected")


# -- reject and cancel ---------------------------------------------------------------


def test_rejecting_closes_the_return_with_the_reason_given(
    order_in: OrderIn, approver: Actor, assert_legal: AssertLegal
) -> None:
    before = order_in(S.SUBMITTED)
    result = approving.reject(before, approver, AT, "bought elsewhere")
    assert_legal(before, result, Action.REJECT, approver, AT)
    assert result.order.status is S.REJECTED
    (event,) = result.events
    assert isinstance(event, ReturnRejected)
    assert event.comment == "bought elsewhere"


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_rejecting_or_cancelling_needs_a_comment_saying_why(
    order_in: OrderIn, approver: Actor, clerk: Actor, comment: str
) -> None:
    with pytest.raises(InvalidInput, match="comment"):
        approving.reject(order_in(S.SUBMITTED), approver, AT, comment)
    with pytest.raises(InvalidInput, match="comment"):
        approving.cancel(order_in(S.DRAFT), clerk, AT, comment)


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.APPROVED])
def test_a_return_can_be_cancelled_until_goods_arrive(
    order_in: OrderIn, clerk: Actor, status: S, assert_legal: AssertLegal
) -> None:
    before = order_in(status)
    result = approving.cancel(before, clerk, AT, "customer kept it")
    assert_legal(before, result, Action.CANCEL, clerk, AT)
    assert result.order.status is S.CANCELLED
    (event,) = result.events
    assert isinstance(event, ReturnCancelled)
    assert event.comment == "customer kept it"
