"""Time limits on approval steps: since when a return waits, and when it is overdue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.policies.deadlines import OverdueApproval, overdue_approval, waiting_since
from crm_returns.domain.returns import approving
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput

S = ReturnStatus
OrderIn = Callable[[ReturnStatus], ReturnOrder]

SUBMITTED_AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
MANAGER = ApprovalStep("manager", {"approver"}, time_limit=timedelta(hours=24))
QUALITY = ApprovalStep("quality", {"quality"}, time_limit=timedelta(hours=4))
FINANCE = ApprovalStep("finance", {"finance"})  # no limit
POLICY = ApprovalPolicy(
    [ApprovalRule(MANAGER), ApprovalRule(QUALITY), ApprovalRule(FINANCE)], version="limits-1"
)


@pytest.fixture
def submitted(order_in: OrderIn, clerk: Actor) -> ReturnOrder:
    """The standard return, submitted at SUBMITTED_AT under POLICY (three steps)."""
    return approving.submit(order_in(S.DRAFT), clerk, SUBMITTED_AT, POLICY).order


def test_submitting_records_when(submitted: ReturnOrder) -> None:
    assert submitted.submitted_at == SUBMITTED_AT


def test_the_first_step_waits_from_the_submission(submitted: ReturnOrder) -> None:
    assert waiting_since(submitted) == SUBMITTED_AT


def test_a_return_is_overdue_only_once_it_has_waited_longer_than_the_limit(
    submitted: ReturnOrder,
) -> None:
    due = SUBMITTED_AT + timedelta(hours=24)
    assert overdue_approval(submitted, SUBMITTED_AT) is None
    assert overdue_approval(submitted, due) is None
    late = overdue_approval(submitted, due + timedelta(seconds=1))
    assert late == OverdueApproval(
        order=submitted, step=MANAGER, waiting_since=SUBMITTED_AT, due_at=due
    )


def test_a_later_step_waits_from_the_approval_before_it(
    submitted: ReturnOrder, approver: Actor
) -> None:
    approved_at = SUBMITTED_AT + timedelta(hours=30)  # the manager was late
    order = approving.approve(submitted, approver, approved_at).order
    assert waiting_since(order) == approved_at
    assert overdue_approval(order, approved_at + timedelta(hours=4)) is None
    late = overdue_approval(order, approved_at + timedelta(hours=4, minutes=1))
    assert late is not None
    assert (late.step, late.due_at) == (QUALITY, approved_at + timedelta(hours=4))


def test_a_step_without_a_time_limit_is_never_overdue(
    submitted: ReturnOrder, approver: Actor, quality_lead: Actor
) -> None:
    order = approving.approve(submitted, approver, SUBMITTED_AT + timedelta(hours=1)).order
    order = approving.approve(order, quality_lead, SUBMITTED_AT + timedelta(hours=2)).order
    assert order.current_step == FINANCE
    assert overdue_approval(order, SUBMITTED_AT + timedelta(days=3650)) is None


@pytest.mark.parametrize("status", [S.DRAFT, S.APPROVED, S.RECEIVED, S.COMPLETED])
def test_a_return_not_waiting_for_approval_is_never_overdue(
    order_in: OrderIn, status: ReturnStatus
) -> None:
    order = order_in(status)
    assert waiting_since(order) is None
    assert overdue_approval(order, SUBMITTED_AT + timedelta(days=3650)) is None


def test_a_rejected_or_cancelled_return_is_no_longer_overdue(
    submitted: ReturnOrder, approver: Actor, clerk: Actor
) -> None:
    later = SUBMITTED_AT + timedelta(days=5)
    rejected = approving.reject(submitted, approver, SUBMITTED_AT, "no").order
    cancelled = approving.cancel(submitted, clerk, SUBMITTED_AT, "no longer wanted").order
    assert overdue_approval(submitted, later) is not None
    assert overdue_approval(rejected, later) is None
    assert overdue_approval(cancelled, later) is None


def test_a_return_stored_without_its_submission_time_waits_from_its_last_change(
    submitted: ReturnOrder,
) -> None:
    # Returns submitted before submission times were kept have not changed since.
    older = attrs.evolve(submitted, submitted_at=None, updated_at=SUBMITTED_AT)
    assert waiting_since(older) == SUBMITTED_AT


@pytest.mark.parametrize("at", [datetime(2026, 11, 30, 9, 0), "2026-11-30", None])  # noqa: DTZ001
def test_the_time_to_judge_by_must_be_timezone_aware(submitted: ReturnOrder, at: object) -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        overdue_approval(submitted, at)  # type: ignore[arg-type]
