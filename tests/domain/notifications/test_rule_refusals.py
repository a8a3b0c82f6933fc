"""What a notification rule, a recipient and a retry schedule say when they refuse a value."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from crm_returns import (
    NotificationChannel,
    NotificationRule,
    NotificationRules,
    Recipient,
    RecipientKind,
    RetrySchedule,
)
from crm_returns.domain import events as ev
from crm_returns.domain.notifications.rules import ADDRESS_LIMIT, TEMPLATE_NAME_LIMIT
from crm_returns.errors import InvalidInput

EMAIL, SMS = NotificationChannel.EMAIL, NotificationChannel.SMS


def refusal(build: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(InvalidInput) as refused:
        build(*args, **kwargs)
    return str(refused.value)


def rule(**changes: Any) -> NotificationRule:
    fields: dict[str, Any] = {
        "event": ev.ReturnApproved,
        "channel": EMAIL,
        "recipients": (Recipient.customer(),),
        "template": "return-approved",
    }
    return NotificationRule(**{**fields, **changes})


def test_a_recipients_value_is_refused_saying_what_it_was() -> None:
    assert refusal(Recipient, RecipientKind.ROLE, 7) == "value must be a string, got int"
    assert refusal(Recipient, RecipientKind.ROLE, "\ud800") == (
        "value contains a character that is not valid Unicode"
    )
    assert refusal(Recipient, RecipientKind.CUSTOMER, "C-1") == (
        "the customer needs no value, got 'C-1'"
    )
    assert refusal(Recipient, "role", "approver") == "kind must be a RecipientKind, got str"
    assert refusal(Recipient, RecipientKind.ROLE, "Boss!") == (
        "a role is lower-case letters, digits, '_' and '-', at most "
        f"{TEMPLATE_NAME_LIMIT} characters, got 'Boss!'"
    )
    assert refusal(Recipient, RecipientKind.ADDRESS, "zhang.wei") == (
        "an address is an e-mail address or a mobile number in E.164 form "
        "(+8613800138000), got 'zhang.wei'"
    )


def test_names_and_addresses_may_be_as_long_as_their_limits_and_no_longer() -> None:
    longest_name = "r" * TEMPLATE_NAME_LIMIT
    assert Recipient.role(longest_name).value == longest_name
    with pytest.raises(InvalidInput, match=f"at most {TEMPLATE_NAME_LIMIT} characters"):
        Recipient.role(longest_name + "r")
    local = "a" * (ADDRESS_LIMIT - len("@example.com"))
    assert Recipient.address(f"{local}@example.com").value == f"{local}@example.com"
    with pytest.raises(InvalidInput, match="an address is"):
        Recipient.address(f"{local}a@example.com")
    assert rule(template=longest_name).template == longest_name
    assert "a template name is" in refusal(rule, template=longest_name + "t")


def test_a_rule_refuses_each_bad_field_saying_what_it_was() -> None:
    assert refusal(rule, event="approved") == (
        "event must be a class of return event (such as ReturnApproved), got 'approved'"
    )
    assert refusal(rule, channel="email") == "channel must be a NotificationChannel, got str"
    assert refusal(rule, recipients=()) == "a rule needs at least one recipient"
    assert refusal(rule, template=3) == "template must be a string, got int"
    assert refusal(rule, template="Approved!") == (
        "a template name is lower-case letters, digits, '_' and '-', at most "
        f"{TEMPLATE_NAME_LIMIT} characters, got 'Approved!'"
    )
    assert refusal(NotificationRules, [rule(), "rule"]) == (
        "rules must be NotificationRule values, got str"
    )


def test_an_address_must_suit_its_rules_channel() -> None:
    by_mail = rule(recipients=(Recipient.address("returns@shop.example"),))
    assert by_mail.recipients[0].reaches(EMAIL)
    by_sms = rule(channel=SMS, recipients=(Recipient.address("+8613800138000"),))
    assert by_sms.channel is SMS
    assert refusal(rule, channel=SMS, recipients=(Recipient.address("a@shop.example"),)) == (
        "'a@shop.example' cannot be reached by sms: "
        "e-mail rules take e-mail addresses, SMS rules mobile numbers"
    )


@pytest.mark.parametrize(
    ("delays", "jitter", "said"),
    [
        ((5,), 0.2, "delays must be a sequence of timedelta, got (5,)"),
        ((), 0.2, "delays must name at least one wait before a retry"),
        (
            (timedelta(0),),
            0.2,
            "every delay must be longer than zero, got (datetime.timedelta(0),)",
        ),
        ((timedelta(1),), 1.0, "jitter must be a fraction from 0 to below 1, got 1.0"),
        ((timedelta(1),), False, "jitter must be a fraction from 0 to below 1, got False"),
    ],
)
def test_a_retry_schedule_refuses_saying_what_it_was(delays: Any, jitter: Any, said: str) -> None:
    assert refusal(RetrySchedule, delays, jitter) == said
