"""Notification rules from TOML and plain data: the format, and errors that name every bad field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns import (
    DEFAULT_NOTIFICATION_RULES,
    NotificationChannel,
    NotificationRule,
    Recipient,
    load_notification_rules,
    load_notification_rules_toml,
)
from crm_returns.domain import events as ev
from crm_returns.errors import InvalidInput, InvalidNotificationRules, InvalidPolicy

# Rules beside the defaults: an SMS to the warehouse and a fixed number, a new template.
EXAMPLE = """
defaults = true

[[rules]]
event = "com.crm-returns.return.approved.v1"
channel = "sms"
recipients = ["warehouse", "+8613800138000"]
template = "goods-expected"

[[rules]]
event = "com.crm-returns.return.cancelled.v1"
channel = "email"
recipients = ["customer", "approver", "returns-desk@shop.example"]
template = "return-cancelled"
"""


def test_the_documented_example_loads_into_rules_after_the_defaults() -> None:
    rules = load_notification_rules_toml(EXAMPLE)
    assert rules.rules[: len(DEFAULT_NOTIFICATION_RULES.rules)] == DEFAULT_NOTIFICATION_RULES.rules
    added = rules.rules[len(DEFAULT_NOTIFICATION_RULES.rules) :]
    assert added == (
        NotificationRule(
            event=ev.ReturnApproved,
            channel=NotificationChannel.SMS,
            recipients=(Recipient.role("warehouse"), Recipient.address("+8613800138000")),
            template="goods-expected",
        ),
        NotificationRule(
            event=ev.ReturnCancelled,
            channel=NotificationChannel.EMAIL,
            recipients=(
                Recipient.customer(),
                Recipient.role("approver"),
                Recipient.address("returns-desk@shop.example"),
            ),
            template="return-cancelled",
        ),
    )


def test_without_defaults_a_document_is_the_whole_rule_set() -> None:
    rules = load_notification_rules(
        {
            "rules": [
                {
                    "event": "com.crm-returns.return.rejected.v1",
                    "channel": "email",
                    "recipients": "customer",  # one recipient may stand alone
                    "template": "return-rejected",
                }
            ]
        }
    )
    assert len(rules.rules) == 1
    assert rules.for_event(ev.ReturnRejected)[0].recipients == (Recipient.customer(),)
    assert load_notification_rules({}).rules == ()


def test_a_host_role_is_known_once_the_host_names_its_roles() -> None:
    document = {
        "rules": [
            {
                "event": "com.crm-returns.return.submitted.v1",
                "channel": "email",
                "recipients": ["store_manager"],
                "template": "approval-requested",
            }
        ]
    }
    with pytest.raises(InvalidNotificationRules, match="unknown role 'store_manager'"):
        load_notification_rules(document)
    rules = load_notification_rules(document, roles={"store_manager"})
    assert rules.rules[0].recipients == (Recipient.role("store_manager"),)


def good_rule(**changes: Any) -> dict[str, Any]:
    return {
        "event": "com.crm-returns.return.approved.v1",
        "channel": "email",
        "recipients": ["customer"],
        "template": "return-approved",
        **changes,
    }


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        (
            good_rule(recipients=["customer", "boss"]),
            "rules[2].recipients[1]",
            "unknown role 'boss'",
        ),
        (
            good_rule(event="approved"),
            "rules[2].event",
            "did you mean 'com.crm-returns.return.approved.v1'",
        ),
        (
            good_rule(event="com.crm-returns.return.exploded.v1"),
            "rules[2].event",
            "unknown event type",
        ),
        (
            good_rule(event=7),
            "rules[2].event",
            "must be an event type (a string), not the number 7",
        ),
        (good_rule(channel="fax"), "rules[2].channel", "must be one of 'email', 'sms', not 'fax'"),
        (good_rule(recipients=[]), "rules[2].recipients", "at least one recipient"),
        (
            good_rule(recipients={"role": "x"}),
            "rules[2].recipients",
            "must be a list of recipients",
        ),
        (good_rule(recipients=[3]), "rules[2].recipients[0]", "must be a string, not the number 3"),
        (
            good_rule(channel="sms", recipients=["ops@shop.example"]),
            "rules[2].recipients[0]",
            "cannot be reached by sms; give a mobile number",
        ),
        (good_rule(recipients=["+86 138"]), "rules[2].recipients[0]", "neither an e-mail address"),
        (
            good_rule(template="Return Approved"),
            "rules[2].template",
            "a template name is lower-case",
        ),
        (
            good_rule(template=True),
            "rules[2].template",
            "must be a template name (a string), not true",
        ),
        (good_rule(recipient=["customer"]), "rules[2].recipient", "unknown key; the keys here are"),
        ({"event": "com.crm-returns.return.approved.v1"}, "rules[2].channel", "is required"),
        ("approved", "rules[2]", "must be a table with the keys event, channel"),
    ],
)
def test_each_problem_is_reported_with_its_path(rule: object, path: str, message: str) -> None:
    document = {"rules": [good_rule(), good_rule(channel="sms"), rule]}
    with pytest.raises(InvalidNotificationRules) as caught:
        load_notification_rules(document)
    assert any(where == path and message in text for where, text in caught.value.problems), (
        caught.value.problems
    )
    assert str(caught.value).startswith("invalid notification rules")


def test_every_problem_is_reported_at_once() -> None:
    document = {
        "defaults": "yes",
        "rule": [],
        "rules": [good_rule(channel="fax"), good_rule(), good_rule(recipients=["boss", "ceo"])],
    }
    with pytest.raises(InvalidNotificationRules) as caught:
        load_notification_rules(document)
    assert [path for path, _ in caught.value.problems] == [
        "rule",
        "defaults",
        "rules[0].channel",
        "rules[2].recipients[0]",
        "rules[2].recipients[1]",
    ]
    assert "5 problems" in str(caught.value)


@pytest.mark.parametrize("text", ["rules = [", "defaults = tru", b"rules = []"])
def test_text_that_is_not_toml_is_refused_as_a_whole(text: Any) -> None:
    with pytest.raises(InvalidNotificationRules) as caught:
        load_notification_rules_toml(text)
    ((path, _),) = caught.value.problems
    assert path == ""


@pytest.mark.parametrize("document", [[], "rules", None, 3])
def test_a_document_that_is_no_table_is_refused(document: Any) -> None:
    with pytest.raises(InvalidNotificationRules, match="must be a table"):
        load_notification_rules(document)


@pytest.mark.parametrize("roles", ["approver", 3, [1, 2], {"a": 1}])
def test_roles_that_are_no_collection_of_names_are_refused(roles: Any) -> None:
    with pytest.raises(InvalidInput, match="roles must be"):
        load_notification_rules({}, roles=roles)


# -- junk never escapes as anything but our error -------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        ["customer", "approver", "boss", "email", "sms", "ops@shop.example", "+8613800138000",
         "com.crm-returns.return.approved.v1", "return-approved", "approved", ""]
    ),
)  # fmt: skip
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["event", "channel", "recipients", "template", "rules", "defaults", "x"]
            )
            | st.text(max_size=5),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
rule_tables = st.fixed_dictionaries(
    {},
    optional={"event": junk, "channel": junk, "recipients": junk, "template": junk, "x": junk},
)
documents = junk | st.fixed_dictionaries(
    {}, optional={"rules": st.lists(rule_tables | junk, max_size=4), "defaults": junk}
)


@given(documents)
def test_junk_documents_give_rules_or_our_error_never_another_exception(document: Any) -> None:
    problems: tuple[tuple[str, str], ...] = (("", "loaded"),)
    try:
        load_notification_rules(document)
    except InvalidPolicy as error:
        problems = error.problems
    except InvalidInput:
        pass
    assert problems  # an InvalidPolicy always says what is wrong
