"""Approval policies loaded from data: the format, and an error naming every bad field."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crm_returns.approval_config import load_policy, load_policy_json, load_policy_toml
from crm_returns.domain.money import Money
from crm_returns.domain.policies.approval import (
    ApprovalFacts,
    ApprovalPolicy,
    ApprovalRule,
    ApprovalStep,
)
from crm_returns.errors import CrmReturnsError, InvalidInput, InvalidPolicy

DOCS = Path(__file__).resolve().parents[1] / "docs" / "approval-configuration.md"

# The worked example of docs/approval-configuration.md (checked below to be the same).
EXAMPLE_TOML = """
version = "2026-03"
auto_approve_below = { CNY = "200.00", USD = "30.00" }

[[steps]]
name = "manager"
roles = ["approver", "store_manager"]
time_limit = { hours = 24 }
conditions = { refund_at_least = { CNY = "500.00", USD = "70.00" } }

[[steps]]
name = "quality"
roles = "inspector"
time_limit = { days = 2, hours = 12 }

[steps.conditions]
reason_categories = ["quality"]
product_categories = ["displays", "furniture"]

[[steps]]
name = "finance"
roles = ["finance", "cfo"]

[steps.conditions]
refund_at_least = { CNY = 5000, USD = "700.00" }
reason_codes = ["damaged_in_transit", "wrong_order"]

[[steps]]
name = "key_account"
roles = "account_manager"
conditions = { customers = ["C-1001", "C-2042"] }
"""

EXAMPLE_JSON = """
{
  "version": "2026-03",
  "auto_approve_below": {"CNY": "200.00", "USD": "30.00"},
  "steps": [
    {
      "name": "manager",
      "roles": ["approver", "store_manager"],
      "time_limit": {"hours": 24},
      "conditions": {"refund_at_least": {"CNY": "500.00", "USD": "70.00"}}
    },
    {
      "name": "quality",
      "roles": "inspector",
      "time_limit": {"days": 2, "hours": 12},
      "conditions": {
        "reason_categories": ["quality"],
        "product_categories": ["displays", "furniture"]
      }
    },
    {
      "name": "finance",
      "roles": ["finance", "cfo"],
      "conditions": {
        "refund_at_least": {"CNY": 5000, "USD": "700.00"},
        "reason_codes": ["damaged_in_transit", "wrong_order"]
      }
    },
    {
      "name": "key_account",
      "roles": "account_manager",
      "conditions": {"customers": ["C-1001", "C-2042"]}
    }
  ]
}
"""


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


EXPECTED = ApprovalPolicy(
    rules=(
        ApprovalRule(
            ApprovalStep("manager", {"approver", "store_manager"}, time_limit=timedelta(hours=24)),
            refund_at_least=(cny("500.00"), usd("70.00")),
        ),
        ApprovalRule(
            ApprovalStep("quality", {"inspector"}, time_limit=timedelta(days=2, hours=12)),
            reason_categories={"quality"},
            product_categories={"displays", "furniture"},
        ),
        ApprovalRule(
            ApprovalStep("finance", {"finance", "cfo"}),
            refund_at_least=(cny("5000.00"), usd("700.00")),
            reason_codes={"damaged_in_transit", "wrong_order"},
        ),
        ApprovalRule(
            ApprovalStep("key_account", {"account_manager"}),
            customers={"C-1001", "C-2042"},
        ),
    ),
    version="2026-03",
    auto_approve_below=(cny("200.00"), usd("30.00")),
)


def minimal() -> dict[str, Any]:
    """A valid document with one step of every kind of field, to break one field at a time."""
    return {
        "version": "7",
        "auto_approve_below": {"CNY": "100.00"},
        "steps": [
            {"name": "manager", "roles": ["approver"], "time_limit": {"hours": 8}},
            {
                "name": "finance",
                "roles": ["finance", "cfo"],
                "time_limit": {"days": 1},
                "conditions": {"refund_at_least": {"CNY": "1000.00"}, "customers": ["C-1"]},
            },
        ],
    }


def problems_of(document: object) -> tuple[tuple[str, str], ...]:
    with pytest.raises(InvalidPolicy) as caught:
        load_policy(document)  # type: ignore[arg-type]
    return caught.value.problems


def facts(refund: Money, *, customer: str = "C-9", category: str = "general") -> ApprovalFacts:
    return ApprovalFacts(
        refund=refund,
        reason_codes=frozenset({"other"}),
        reason_categories=frozenset({category}),
        product_categories=frozenset({"accessories"}),
        customer_id=customer,
    )


def names(policy: ApprovalPolicy, given: ApprovalFacts) -> list[str]:
    return [step.name for step in policy.steps_for(given)]


# -- the format ----------------------------------------------------------------------


def test_the_worked_example_in_toml_loads_into_the_policy_it_describes() -> None:
    assert load_policy_toml(EXAMPLE_TOML) == EXPECTED


def test_the_worked_example_in_json_loads_into_the_same_policy() -> None:
    assert load_policy_json(EXAMPLE_JSON) == EXPECTED


def test_the_worked_example_is_the_one_in_the_docs() -> None:
    blocks = re.findall(r"```(toml|json)\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    examples = dict(reversed(blocks))  # the first block of each kind wins
    assert examples["toml"].strip() == EXAMPLE_TOML.strip()
    assert json.loads(examples["json"]) == json.loads(EXAMPLE_JSON)


def test_a_mapping_loads_as_its_json_would() -> None:
    assert load_policy(json.loads(EXAMPLE_JSON)) == EXPECTED


def test_the_steps_keep_the_order_of_the_document() -> None:
    policy = load_policy_toml(EXAMPLE_TOML)
    big_quality_claim = ApprovalFacts(
        refund=cny("6000.00"),
        reason_codes=frozenset({"damaged_in_transit"}),
        reason_categories=frozenset({"quality"}),
        product_categories=frozenset({"displays"}),
        customer_id="C-1001",
    )
    assert names(policy, big_quality_claim) == ["manager", "quality", "finance", "key_account"]


def test_amounts_may_be_strings_or_whole_numbers_and_are_held_at_the_minor_unit() -> None:
    document = {"version": "1", "auto_approve_below": {"CNY": 200, "JPY": "3000", "KWD": "1.5"}}
    assert load_policy(document).auto_approve_below == (
        cny("200.00"),
        Money(Decimal(3000), "JPY"),
        Money(Decimal("1.500"), "KWD"),
    )


def test_a_step_without_conditions_applies_to_every_return_and_has_no_time_limit() -> None:
    policy = load_policy({"version": "1", "steps": [{"name": "desk", "roles": "approver"}]})
    assert policy.rules == (ApprovalRule(ApprovalStep("desk", {"approver"})),)
    assert names(policy, facts(cny("0.01"))) == ["desk"]


def test_a_document_without_steps_approves_every_return() -> None:
    policy = load_policy({"version": "empty"})
    assert policy == ApprovalPolicy(version="empty")
    assert names(policy, facts(cny("99999.00"))) == []


def test_a_null_time_limit_in_json_means_no_limit() -> None:
    text = '{"version": "1", "steps": [{"name": "a", "roles": "r", "time_limit": null}]}'
    assert load_policy_json(text).rules[0].step.time_limit is None


# -- auto-approval -------------------------------------------------------------------


def test_a_refund_below_the_auto_approval_threshold_needs_no_step_at_all() -> None:
    policy = load_policy_toml(EXAMPLE_TOML)
    # key_account applies to customer C-1001 whatever the amount, but 199.99 is below 200.00.
    assert names(policy, facts(cny("199.99"), customer="C-1001", category="quality")) == []


def test_a_refund_at_the_auto_approval_threshold_goes_to_the_rules() -> None:
    policy = load_policy_toml(EXAMPLE_TOML)
    assert names(policy, facts(cny("200.00"), customer="C-1001")) == ["key_account"]


def test_each_currency_is_auto_approved_below_its_own_threshold_only() -> None:
    policy = load_policy_toml(EXAMPLE_TOML)
    assert names(policy, facts(usd("29.99"), customer="C-1001")) == []
    assert names(policy, facts(usd("30.00"), customer="C-1001")) == ["key_account"]
    # No threshold for EUR, neither to auto-approve nor in the manager's rule: the
    # safe side is a person looking (finance still needs one of its reasons).
    eur = Money(Decimal("0.01"), "EUR")
    assert names(policy, facts(eur, customer="C-1001")) == ["manager", "key_account"]


# -- bad fields ----------------------------------------------------------------------

Change = Callable[[dict[str, Any]], None]


def _set(path: tuple[str | int, ...], value: object) -> Change:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: tuple[str | int, ...]) -> Change:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


REFUND = ("steps", 1, "conditions", "refund_at_least")


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        # A typo must not silently disable a rule.
        (_set(("steps", 1, "conditions", "customer"), ["C-2"]), "steps[1].conditions.customer",
         "unknown key; the keys here are refund_at_least, reason_codes"),
        (_set(("steps", 0, "role"), "x"), "steps[0].role", "unknown key"),
        (_set(("auto_approve",), {"CNY": "1"}), "auto_approve", "unknown key"),
        (_set(("steps", 0, "time_limit", "hour"), 1), "steps[0].time_limit.hour", "unknown key"),
        # Amounts.
        (_set((*REFUND, "CNY"), 12.5), "steps[1].conditions.refund_at_least.CNY",
         '12.5 is a float; write "12.50"'),
        (_set((*REFUND, "CNY"), "-1.00"), "steps[1].conditions.refund_at_least.CNY",
         "-1.00 is negative"),
        (_set(("auto_approve_below", "CNY"), -5), "auto_approve_below.CNY", "-5 is negative"),
        (_set((*REFUND, "CNY"), "12.345"), "steps[1].conditions.refund_at_least.CNY",
         "more decimal places than CNY's 2"),
        (_set((*REFUND, "CNY"), "lots"), "steps[1].conditions.refund_at_least.CNY",
         "'lots' is not a number"),
        (_set((*REFUND, "CNY"), "NaN"), "steps[1].conditions.refund_at_least.CNY",
         "not a finite amount"),
        (_set((*REFUND, "CNY"), True), "steps[1].conditions.refund_at_least.CNY",
         "true is not an amount"),
        (_set(REFUND, ["CNY", "500"]), "steps[1].conditions.refund_at_least",
         "must map currency codes to amounts"),
        # Currencies.
        (_set(REFUND, {"XYZ": "1.00"}), "steps[1].conditions.refund_at_least.XYZ",
         "'XYZ' is not a known ISO 4217 currency code"),
        (_set(("auto_approve_below",), {"cny": "1.00"}), "auto_approve_below.cny",
         "did you mean 'CNY'?"),
        # Roles.
        (_set(("steps", 0, "roles"), []), "steps[0].roles", "must name at least one role"),
        (_set(("steps", 1, "roles"), ["finance", "  "]), "steps[1].roles[1]", "must not be blank"),
        (_set(("steps", 0, "roles"), ""), "steps[0].roles", "must not be blank"),
        (_set(("steps", 0, "roles"), {"approver": True}), "steps[0].roles",
         "must be a string or a list of strings"),
        (_drop(("steps", 0, "roles")), "steps[0].roles", "is required"),
        # Names, versions and condition values.
        (_set(("steps", 1, "name"), "manager"), "steps[1].name",
         "'manager' is already the name of steps[0]"),
        (_drop(("steps", 0, "name")), "steps[0].name", "is required"),
        (_set(("steps", 0, "name"), "x" * 65), "steps[0].name", "the limit is 64"),
        (_drop(("version",)), "version", "is required"),
        (_set(("version",), 3), "version", 'must be a string, not the number 3; write "3"'),
        (_set(("steps", 1, "conditions", "customers"), ["C-1", 7]),
         "steps[1].conditions.customers[1]", "must be a string"),
        # Time limits.
        (_set(("steps", 0, "time_limit"), {"hours": 0}), "steps[0].time_limit",
         "must be longer than zero"),
        (_set(("steps", 0, "time_limit"), {}), "steps[0].time_limit", "must be longer than zero"),
        (_set(("steps", 0, "time_limit"), {"hours": -2}), "steps[0].time_limit.hours",
         "-2 is negative"),
        (_set(("steps", 0, "time_limit"), {"hours": 1.5}), "steps[0].time_limit.hours",
         "1.5 is a float; write a whole number"),
        (_set(("steps", 0, "time_limit"), "24h"), "steps[0].time_limit",
         "must be a table of days, hours and minutes"),
        (_set(("steps", 0, "time_limit"), 24), "steps[0].time_limit",
         "must be a table of days, hours and minutes"),
        (_set(("steps", 0, "time_limit"), {"days": 10**9}), "steps[0].time_limit.days",
         "is too large"),
        # Shapes.
        (_set(("steps",), {"name": "manager"}), "steps", "must be a list of steps"),
        (_set(("steps", 0), "manager"), "steps[0]", "must be a table with the keys name, roles"),
        (_set(("steps", 1, "conditions"), ["customers"]), "steps[1].conditions",
         "must be a table"),
    ],
)  # fmt: skip
def test_a_bad_field_is_refused_with_its_path(change: Change, path: str, message: str) -> None:
    document = minimal()
    change(document)
    with pytest.raises(InvalidPolicy) as caught:
        load_policy(document)
    assert len(caught.value.problems) == 1, caught.value.problems
    [(found_path, found_message)] = caught.value.problems
    assert found_path == path
    assert message in found_message
    assert f"{path}: {found_message}" in str(caught.value)


def test_the_untouched_document_is_valid() -> None:
    # The parametrised cases above each break exactly one field of this one.
    assert load_policy(minimal()).version == "7"


def test_every_problem_is_reported_at_once_in_document_order() -> None:
    document = minimal()
    document["version"] = ""
    document["steps"][0]["roles"] = []
    document["steps"][1]["conditions"]["refund_at_least"]["CNY"] = 0.5
    document["steps"][1]["time_limit"] = {"minutes": 1.5}
    document["colour"] = "red"
    assert problems_of(document) == (
        ("version", "must not be blank"),
        ("steps[0].roles", "must name at least one role"),
        ("steps[1].conditions.refund_at_least.CNY", '0.5 is a float; write "0.50"'),
        (
            "steps[1].time_limit.minutes",
            "1.5 is a float; write a whole number, in a smaller unit if need be "
            "(minutes = 90, not hours = 1.5)",
        ),
        (
            "colour",
            "unknown key; the keys here are version, auto_approve_below, distinct_approvers, steps",
        ),
    )


def test_the_message_lists_one_problem_per_line() -> None:
    document = minimal()
    document["steps"][0]["roles"] = []
    document["steps"][1]["roles"] = []
    with pytest.raises(InvalidPolicy) as caught:
        load_policy(document)
    assert str(caught.value) == (
        "invalid approval policy, 2 problems:\n"
        "  steps[0].roles: must name at least one role\n"
        "  steps[1].roles: must name at least one role"
    )


def test_an_invalid_policy_is_invalid_input_under_the_root_error() -> None:
    with pytest.raises(InvalidPolicy) as caught:
        load_policy({"version": "1", "steps": [{"name": "a", "roles": []}]})
    assert isinstance(caught.value, InvalidInput)
    assert isinstance(caught.value, CrmReturnsError)
    assert str(caught.value) == (
        "invalid approval policy: steps[0].roles: must name at least one role"
    )


@pytest.mark.parametrize("document", [[], "version = '1'", None, 3])
def test_a_document_that_is_not_a_table_is_refused(document: object) -> None:
    [(path, message)] = problems_of(document)
    assert path == ""
    assert message.startswith(
        "must be a table with the keys version, auto_approve_below, distinct_approvers, steps"
    )


def test_a_float_in_a_toml_document_is_refused_and_the_exact_spelling_suggested() -> None:
    text = 'version = "1"\n[[steps]]\nname = "m"\nroles = "r"\n'
    text += "conditions = { refund_at_least = { JPY = 1500.0 } }\n"
    with pytest.raises(InvalidPolicy) as caught:
        load_policy_toml(text)
    assert caught.value.problems == (
        ("steps[0].conditions.refund_at_least.JPY", '1500.0 is a float; write "1500"'),
    )


def test_a_float_in_a_json_document_is_refused() -> None:
    text = '{"version": "1", "auto_approve_below": {"USD": 9.99}}'
    with pytest.raises(InvalidPolicy) as caught:
        load_policy_json(text)
    assert caught.value.problems == (("auto_approve_below.USD", '9.99 is a float; write "9.99"'),)


def test_a_key_given_twice_in_json_is_refused_rather_than_overwritten() -> None:
    text = '{"version": "1", "auto_approve_below": {"CNY": "10.00", "CNY": "99999.00"}}'
    with pytest.raises(InvalidPolicy, match="key 'CNY' appears twice"):
        load_policy_json(text)


def test_text_that_is_not_toml_or_json_is_an_invalid_policy_saying_where() -> None:
    with pytest.raises(InvalidPolicy, match=r"not valid TOML: .*line 2"):
        load_policy_toml('version = "1"\nname = = "manager"\n')
    with pytest.raises(InvalidPolicy, match=r"not valid JSON: .*line 1 column 17"):
        load_policy_json('{"version": "1",')


@pytest.mark.parametrize("load", [load_policy_json, load_policy_toml])
def test_bytes_are_refused_with_a_typed_error(load: Callable[[str], ApprovalPolicy]) -> None:
    with pytest.raises(InvalidPolicy, match="is text"):
        load(b'version = "1"')  # type: ignore[arg-type]


def test_loading_never_changes_the_document() -> None:
    document = minimal()
    before = copy.deepcopy(document)
    load_policy(document)
    assert document == before


def test_a_number_too_long_to_read_is_an_invalid_policy_not_a_value_error() -> None:
    with pytest.raises(InvalidPolicy, match="not valid JSON"):
        load_policy_json('{"version": "1", "auto_approve_below": {"CNY": 1' + "0" * 5000 + "}}")
    with pytest.raises(InvalidPolicy, match="not valid TOML"):
        load_policy_toml('version = "1"\nauto_approve_below = { CNY = 1' + "0" * 5000 + " }")


def test_a_huge_bad_value_is_not_repeated_in_the_message() -> None:
    document = minimal()
    document["version"] = " " * 10_000
    document["auto_approve_below"] = {"X" * 10_000: "1.00", "CNY": "y" * 10_000}
    document["steps"][0]["time_limit"] = {"hours": 10**100}
    found = problems_of(document)
    assert [path for path, _ in found] == [
        "version",
        "auto_approve_below['" + "X" * 40 + "'... (10000 characters)]",
        "auto_approve_below.CNY",
        "steps[0].time_limit.hours",
    ]
    assert all(len(message) < 200 for _, message in found), found
