"""Approval policy: which steps a return needs, decided from facts taken at submission."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest

from crm_returns.domain.money import Money
from crm_returns.domain.policies.approval import (
    ApprovalFacts,
    ApprovalPolicy,
    ApprovalRule,
    ApprovalStep,
)
from crm_returns.errors import InvalidInput

MANAGER = ApprovalStep("manager", {"approver"})
FINANCE = ApprovalStep("finance", {"finance", "cfo"})
QUALITY = ApprovalStep("quality", "quality")

FACTS = ApprovalFacts(
    refund=Money("500.00", "CNY"),
    reason_codes=frozenset({"quality_defect"}),
    reason_categories=frozenset({"quality"}),
    product_categories=frozenset({"monitors"}),
    customer_id="C-1001",
)


def facts(**changes: Any) -> ApprovalFacts:
    """The standard facts (500.00 CNY, quality defect, a monitor, customer C-1001), changed."""
    return attrs.evolve(FACTS, **changes)


def steps(policy: ApprovalPolicy, given: ApprovalFacts) -> list[str]:
    return [step.name for step in policy.steps_for(given)]


# -- by refund ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refund", "needed"),
    [("999.99", []), ("1000.00", ["finance"]), ("1000.01", ["finance"]), ("0.00", [])],
    ids=["below", "at", "above", "nothing"],
)
def test_a_refund_threshold_applies_at_or_above_the_threshold(
    refund: str, needed: list[str]
) -> None:
    policy = ApprovalPolicy([ApprovalRule(FINANCE, refund_at_least=[Money("1000.00", "CNY")])])
    assert steps(policy, facts(refund=Money(refund, "CNY"))) == needed


def test_each_currency_is_measured_against_its_own_threshold() -> None:
    rule = ApprovalRule(FINANCE, refund_at_least=[Money("1000.00", "CNY"), Money("20000", "JPY")])
    policy = ApprovalPolicy([rule])
    assert steps(policy, facts(refund=Money("15000", "JPY"))) == []
    assert steps(policy, facts(refund=Money("20000", "JPY"))) == ["finance"]
    assert steps(policy, facts(refund=Money("1500.00", "CNY"))) == ["finance"]


def test_a_refund_in_a_currency_without_a_threshold_needs_the_step() -> None:
    # The safe side: nobody said how much USD is "small", so a person looks.
    policy = ApprovalPolicy([ApprovalRule(FINANCE, refund_at_least=[Money("1000.00", "CNY")])])
    assert steps(policy, facts(refund=Money("0.01", "USD"))) == ["finance"]


def test_two_thresholds_in_one_currency_are_refused() -> None:
    with pytest.raises(InvalidInput, match="one refund threshold per currency"):
        ApprovalRule(FINANCE, refund_at_least=[Money(100, "CNY"), Money(200, "CNY")])


# -- by what is returned and by whom --------------------------------------------------


def test_a_reason_category_rule_applies_when_any_line_has_a_reason_in_it() -> None:
    policy = ApprovalPolicy([ApprovalRule(QUALITY, reason_categories={"quality", "logistics"})])
    assert steps(policy, facts(reason_categories=frozenset({"quality"}))) == ["quality"]
    assert steps(policy, facts(reason_categories=frozenset({"customer", "logistics"}))) == [
        "quality"
    ]
    assert steps(policy, facts(reason_categories=frozenset({"customer"}))) == []


def test_a_reason_code_rule_applies_when_any_line_has_that_reason() -> None:
    policy = ApprovalPolicy([ApprovalRule(QUALITY, reason_codes="damaged_in_transit")])
    hit = facts(reason_codes=frozenset({"quality_defect", "damaged_in_transit"}))
    assert steps(policy, hit) == ["quality"]
    assert steps(policy, facts(reason_codes=frozenset({"quality_defect"}))) == []


def test_a_product_category_rule_applies_when_any_line_is_of_that_category() -> None:
    policy = ApprovalPolicy([ApprovalRule(MANAGER, product_categories={"monitors"})])
    assert steps(policy, facts(product_categories=frozenset({"cables", "monitors"}))) == ["manager"]
    assert steps(policy, facts(product_categories=frozenset({"cables"}))) == []


def test_a_customer_rule_applies_only_to_those_customers() -> None:
    policy = ApprovalPolicy([ApprovalRule(MANAGER, customers="C-1001")])
    assert steps(policy, facts(customer_id="C-1001")) == ["manager"]
    assert steps(policy, facts(customer_id="C-2002")) == []


def test_a_lone_string_of_customers_is_one_customer_not_its_letters() -> None:
    policy = ApprovalPolicy([ApprovalRule(MANAGER, customers="C-1001")])
    assert steps(policy, facts(customer_id="C")) == []


@pytest.mark.parametrize(
    ("changes", "needed"),
    [
        ({}, ["finance"]),
        ({"refund": Money("99.99", "CNY")}, []),
        ({"reason_categories": frozenset({"customer"})}, []),
        ({"product_categories": frozenset({"cables"})}, []),
        ({"customer_id": "C-2002"}, []),
    ],
    ids=["all hold", "refund too small", "other reason", "other product", "other customer"],
)
def test_a_rule_with_several_conditions_applies_only_when_all_hold(
    changes: dict[str, object], needed: list[str]
) -> None:
    rule = ApprovalRule(
        FINANCE,
        refund_at_least=[Money("100.00", "CNY")],
        reason_categories={"quality"},
        product_categories={"monitors"},
        customers={"C-1001"},
    )
    assert steps(ApprovalPolicy([rule]), facts(**changes)) == needed


def test_a_rule_without_conditions_applies_to_every_return() -> None:
    policy = ApprovalPolicy([ApprovalRule(MANAGER)])
    assert steps(policy, facts(refund=Money("0.00", "CNY"), customer_id="anyone")) == ["manager"]


# -- the policy --------------------------------------------------------------------


def test_no_applicable_rule_means_no_steps_so_the_return_is_approved_automatically() -> None:
    assert ApprovalPolicy().steps_for(FACTS) == ()
    policy = ApprovalPolicy([ApprovalRule(MANAGER, customers={"C-2002"})])
    assert policy.steps_for(FACTS) == ()


def test_steps_come_in_rule_order() -> None:
    policy = ApprovalPolicy([ApprovalRule(QUALITY), ApprovalRule(MANAGER), ApprovalRule(FINANCE)])
    assert policy.steps_for(FACTS) == (QUALITY, MANAGER, FINANCE)


def test_a_step_required_by_several_rules_is_taken_once_where_it_first_appears() -> None:
    policy = ApprovalPolicy(
        [
            ApprovalRule(MANAGER, refund_at_least=[Money("100.00", "CNY")]),
            ApprovalRule(QUALITY, reason_categories={"quality"}),
            ApprovalRule(MANAGER, product_categories={"monitors"}),
            ApprovalRule(FINANCE, customers={"C-2002"}),  # does not apply
        ]
    )
    assert steps(policy, FACTS) == ["manager", "quality"]


def test_rules_not_applying_do_not_disturb_the_order_of_those_that_do() -> None:
    policy = ApprovalPolicy(
        [
            ApprovalRule(FINANCE, customers={"C-2002"}),
            ApprovalRule(QUALITY),
            ApprovalRule(MANAGER),
        ]
    )
    assert steps(policy, FACTS) == ["quality", "manager"]


# -- steps -------------------------------------------------------------------------


def test_a_step_can_be_taken_by_any_of_its_roles() -> None:
    assert FINANCE.roles == frozenset({"finance", "cfo"})
    assert QUALITY.roles == frozenset({"quality"})


@pytest.mark.parametrize("roles", [(), [], frozenset(), set()], ids=repr)
def test_a_step_needs_at_least_one_role(roles: frozenset[str]) -> None:
    with pytest.raises(InvalidInput, match="role"):
        ApprovalStep("manager", roles)


@pytest.mark.parametrize("roles", ["", "  ", [""], ["approver", ""]], ids=repr)
def test_a_blank_role_name_is_not_a_role(roles: frozenset[str]) -> None:
    # A blank role would let an actor with a blank role take the step.
    with pytest.raises(InvalidInput, match="role"):
        ApprovalStep("manager", roles)


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
def test_a_step_needs_a_name(name: str) -> None:
    with pytest.raises(InvalidInput, match="name"):
        ApprovalStep(name, {"approver"})


def test_a_policy_needs_a_version_to_name_it_in_the_audit_trail() -> None:
    with pytest.raises(InvalidInput, match="version"):
        ApprovalPolicy([ApprovalRule(MANAGER)], version=" ")


# -- auto-approval below a threshold -----------------------------------------------


def test_a_refund_below_the_auto_approval_threshold_needs_no_step_whatever_the_rules() -> None:
    policy = ApprovalPolicy(
        [ApprovalRule(QUALITY), ApprovalRule(MANAGER, customers={"C-1001"})],
        auto_approve_below=[Money("500.01", "CNY")],
    )
    assert steps(policy, FACTS) == []  # 500.00 < 500.01


def test_a_refund_at_the_auto_approval_threshold_is_decided_by_the_rules() -> None:
    policy = ApprovalPolicy([ApprovalRule(QUALITY)], auto_approve_below=[Money("500.00", "CNY")])
    assert steps(policy, FACTS) == ["quality"]


def test_a_currency_without_an_auto_approval_threshold_is_decided_by_the_rules() -> None:
    policy = ApprovalPolicy([ApprovalRule(QUALITY)], auto_approve_below=[Money("1000", "JPY")])
    assert steps(policy, FACTS) == ["quality"]
    assert steps(policy, facts(refund=Money("999", "JPY"))) == []


def test_two_auto_approval_thresholds_in_one_currency_are_refused() -> None:
    with pytest.raises(InvalidInput, match="one refund threshold per currency"):
        ApprovalPolicy(auto_approve_below=[Money(100, "CNY"), Money(200, "CNY")])


# -- time limits -------------------------------------------------------------------


def test_a_step_has_no_time_limit_unless_given_one() -> None:
    assert MANAGER.time_limit is None
    assert ApprovalStep("manager", {"approver"}, time_limit=timedelta(hours=4)).time_limit == (
        timedelta(hours=4)
    )


@pytest.mark.parametrize("limit", [timedelta(0), timedelta(hours=-1), 3600, "PT1H"], ids=repr)
def test_a_time_limit_is_a_positive_timedelta(limit: object) -> None:
    with pytest.raises(InvalidInput, match="time_limit must be a positive timedelta"):
        ApprovalStep("manager", {"approver"}, time_limit=limit)  # type: ignore[arg-type]
