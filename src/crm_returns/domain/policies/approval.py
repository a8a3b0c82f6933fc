"""Approval policy (审批节点): which steps a return must pass, and who may take them.

A policy is an ordered list of rules.  Each rule names one approval step and
the conditions under which it applies: the refund reaches a threshold, a line
has a reason or reason category, a line is of a product category, or the
return is for a given customer.  A return needs every step whose rule applies,
in rule order; when none applies, or its refund is below the policy's
auto-approval threshold for its currency, it is approved automatically.  Each
step is taken by an actor holding one of the step's roles, and never by the
person who requested the return; a step may have a time limit, after which a
return waiting at it is overdue.

Policies can be written as TOML or JSON documents and loaded with
:mod:`crm_returns.approval_config`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import attrs

from crm_returns.domain._checks import flag, string_set, text, value_of, values_of
from crm_returns.domain.money import Money
from crm_returns.errors import InvalidInput

__all__ = ["ApprovalFacts", "ApprovalPolicy", "ApprovalRule", "ApprovalStep"]


def _roles(instance: object, attribute: attrs.Attribute[frozenset[str]], value: object) -> None:
    if not value:
        raise InvalidInput(f"{attribute.name} must name at least one role")
    for role in value:  # type: ignore[attr-defined]
        if not isinstance(role, str) or not role.strip():
            raise InvalidInput(f"{attribute.name} must be non-blank role names, got {role!r}")


def _time_limit(
    instance: object, attribute: attrs.Attribute[timedelta | None], value: object
) -> None:
    if value is None:
        return
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInput(f"{attribute.name} must be a positive timedelta or None, got {value!r}")


@attrs.frozen
class ApprovalStep:
    """One approval a return must receive.

    Attributes:
        name: The step's name, such as ``"manager"``; unique within a policy.
        roles: Any one of these roles may take the step.
        time_limit: How long a return may wait at this step before it is
            overdue (``None``: no limit).  A return keeps the limit it was
            submitted with.
    """

    name: str = attrs.field(validator=text(64))
    roles: frozenset[str] = attrs.field(converter=string_set, validator=_roles)
    time_limit: timedelta | None = attrs.field(default=None, validator=_time_limit, kw_only=True)


@attrs.frozen
class ApprovalFacts:
    """What approval rules look at, taken from a return when it is submitted.

    Attributes:
        refund: The estimated refund.
        reason_codes: Reason codes of its lines.
        reason_categories: Reason categories of its lines.
        product_categories: Product categories of its lines.
        customer_id: The customer.
    """

    refund: Money
    reason_codes: frozenset[str]
    reason_categories: frozenset[str]
    product_categories: frozenset[str]
    customer_id: str


def _rules(values: Iterable[ApprovalRule]) -> tuple[ApprovalRule, ...]:
    return values_of(values, ApprovalRule, "rules")


def _thresholds(values: Iterable[Money]) -> tuple[Money, ...]:
    result = values_of(values, Money, "thresholds")
    currencies = [money.currency for money in result]
    if len(set(currencies)) != len(currencies):
        raise InvalidInput(f"one refund threshold per currency, got {currencies}")
    return result


def _threshold_in(thresholds: tuple[Money, ...], currency: str) -> Money | None:
    return next((money for money in thresholds if money.currency == currency), None)


@attrs.frozen
class ApprovalRule:
    """A step, and when a return needs it.

    Every condition that is given must hold; a condition left empty holds for
    any return.  A rule with no condition at all applies to every return.

    Attributes:
        step: The step required when the rule applies.
        refund_at_least: Thresholds, one per currency.  A return in a currency
            with no threshold listed needs the step (the safe side).
        reason_codes: Applies when any line has one of these reasons.
        reason_categories: Applies when any line has a reason in these categories.
        product_categories: Applies when any line is of these product categories.
        customers: Applies to returns of these customers.
    """

    step: ApprovalStep = attrs.field(validator=value_of(ApprovalStep))
    refund_at_least: tuple[Money, ...] = attrs.field(default=(), converter=_thresholds)
    reason_codes: frozenset[str] = attrs.field(default=frozenset(), converter=string_set)
    reason_categories: frozenset[str] = attrs.field(default=frozenset(), converter=string_set)
    product_categories: frozenset[str] = attrs.field(default=frozenset(), converter=string_set)
    customers: frozenset[str] = attrs.field(default=frozenset(), converter=string_set)

    def applies(self, facts: ApprovalFacts) -> bool:
        """Whether a return with ``facts`` needs this rule's step."""
        threshold = _threshold_in(self.refund_at_least, facts.refund.currency)
        if threshold is not None and facts.refund < threshold:
            return False
        return all(
            not wanted or not wanted.isdisjoint(present)
            for wanted, present in (
                (self.reason_codes, facts.reason_codes),
                (self.reason_categories, facts.reason_categories),
                (self.product_categories, facts.product_categories),
                (self.customers, frozenset({facts.customer_id})),
            )
        )


@attrs.frozen
class ApprovalPolicy:
    """The ordered rules that decide a return's approval steps.

    Attributes:
        rules: Rules in the order their steps are taken.
        version: Names this version of the policy in the audit trail.
        auto_approve_below: Thresholds, one per currency: a return whose
            estimated refund is below the threshold of its currency needs no
            step at all, whatever the rules say.  A currency with no threshold
            listed is decided by the rules alone.
        distinct_approvers: When set, one person may take at most one step of
            a return (separation of duties between steps).
    """

    rules: tuple[ApprovalRule, ...] = attrs.field(default=(), converter=_rules)
    version: str = attrs.field(default="1", validator=text(64))
    auto_approve_below: tuple[Money, ...] = attrs.field(
        default=(), converter=_thresholds, kw_only=True
    )
    distinct_approvers: bool = attrs.field(default=False, kw_only=True, validator=flag)

    def steps_for(self, facts: ApprovalFacts) -> tuple[ApprovalStep, ...]:
        """The steps a return with ``facts`` needs, in order, each once."""
        below = _threshold_in(self.auto_approve_below, facts.refund.currency)
        if below is not None and facts.refund < below:
            return ()
        steps: dict[str, ApprovalStep] = {}
        for rule in self.rules:
            if rule.applies(facts):
                steps.setdefault(rule.step.name, rule.step)
        return tuple(steps.values())
