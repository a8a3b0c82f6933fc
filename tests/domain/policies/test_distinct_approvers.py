"""Separation of duties between steps: one person, one step, when the policy says so."""

from __future__ import annotations

import pytest

from crm_returns import Actor, LineRef, RequestedLine, ReturnRequest
from crm_returns.approval_config import load_policy
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.errors import SeparationOfDuties
from crm_returns.testing import Wiring, sample_wiring

MOUSE = LineRef("SO-1001", "1")
BOSS = Actor("u-boss", "Boss", "acme", {"approver", "inspector"})


def _policy(distinct: bool) -> ApprovalPolicy:
    steps = [ApprovalStep("manager", {"approver"}), ApprovalStep("quality", {"inspector"})]
    return ApprovalPolicy([ApprovalRule(step) for step in steps], distinct_approvers=distinct)


def _submitted(distinct: bool) -> tuple[Wiring, str]:
    wiring = sample_wiring(policy=_policy(distinct))
    order = wiring.service.create_return(
        wiring.clerk, ReturnRequest([RequestedLine(MOUSE, 1, "wrong_order")])
    )
    wiring.service.submit_return(wiring.clerk, order.id)
    return wiring, order.id


def test_one_person_may_take_every_step_unless_the_policy_says_otherwise() -> None:
    wiring, order_id = _submitted(distinct=False)
    wiring.service.approve_return(BOSS, order_id)
    done = wiring.service.approve_return(BOSS, order_id)
    assert done.status.value == "approved"


def test_with_distinct_approvers_the_second_step_needs_another_person() -> None:
    wiring, order_id = _submitted(distinct=True)
    wiring.service.approve_return(BOSS, order_id)
    with pytest.raises(SeparationOfDuties, match="already took a step"):
        wiring.service.approve_return(BOSS, order_id)
    done = wiring.service.approve_return(wiring.inspector, order_id)
    assert [a.actor_id for a in done.approvals] == ["u-boss", "u-qa"]


def test_the_rule_can_be_configured_from_data() -> None:
    policy = load_policy(
        {
            "version": "2",
            "distinct_approvers": True,
            "steps": [{"name": "manager", "roles": "approver"}],
        }
    )
    assert policy.distinct_approvers
