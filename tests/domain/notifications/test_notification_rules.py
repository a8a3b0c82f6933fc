"""Notification rules: who is told of what, on which channel; the defaults; what a rule refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm_returns import (
    DEFAULT_NOTIFICATION_RULES,
    DEFAULT_ROLES,
    NotificationChannel,
    NotificationRule,
    NotificationRules,
    Recipient,
    RecipientKind,
    ReturnStatus,
)
from crm_returns.domain import events as ev
from crm_returns.domain.casefile import events as case
from crm_returns.errors import InvalidInput

EMAIL, SMS = NotificationChannel.EMAIL, NotificationChannel.SMS


def told(kind: type[ev.ReturnEvent], channel: NotificationChannel) -> set[tuple[str, str]]:
    return {
        (str(recipient), rule.template)
        for rule in DEFAULT_NOTIFICATION_RULES.for_event(kind, channel)
        for recipient in rule.recipients
    }


def test_approvers_are_told_by_email_when_a_return_is_submitted() -> None:
    assert told(ev.ReturnSubmitted, EMAIL) == {("approver", "approval-requested")}
    assert told(ev.ReturnSubmitted, SMS) == set()


@pytest.mark.parametrize(
    ("kind", "template"),
    [
        (ev.ReturnApproved, "return-approved"),
        (ev.ReturnRejected, "return-rejected"),
        (ev.RefundGranted, "refund-granted"),
        (ev.ReturnCompleted, "return-completed"),
    ],
)
def test_the_customer_is_told_by_email_and_sms_of_the_decisions_on_their_return(
    kind: type[ev.ReturnEvent], template: str
) -> None:
    assert ("customer", template) in told(kind, EMAIL)
    assert told(kind, SMS) == {("customer", template)}


def test_the_warehouse_hears_of_approvals_and_finance_of_inspections() -> None:
    assert ("warehouse", "goods-expected") in told(ev.ReturnApproved, EMAIL)
    assert told(ev.LinesInspected, EMAIL) == {("finance", "inspection-done")}


def test_customer_service_hears_of_customers_requests_and_lost_parcels() -> None:
    assert told(case.ReturnRequested, EMAIL) == {("customer_service", "request-received")}
    assert told(case.ShipmentLost, EMAIL) == {("customer_service", "parcel-lost")}
    assert told(case.ReturnRequested, SMS) == set()


def test_events_without_a_default_rule_tell_nobody() -> None:
    for kind in (ev.ReturnDrafted, ev.ReturnLinesEdited, ev.ApprovalGiven, ev.ReturnCancelled):
        assert DEFAULT_NOTIFICATION_RULES.for_event(kind) == ()


def test_every_role_the_defaults_name_is_a_default_role() -> None:
    roles = {
        recipient.value
        for rule in DEFAULT_NOTIFICATION_RULES.rules
        for recipient in rule.recipients
        if recipient.kind is RecipientKind.ROLE
    }
    assert roles == {"approver", "warehouse", "finance", "records_manager", "customer_service"}
    assert roles <= set(DEFAULT_ROLES)


def test_lookup_takes_an_event_or_its_class_and_keeps_rule_order() -> None:
    first = NotificationRule(
        event=ev.ReturnApproved, channel=EMAIL, recipients=[Recipient.customer()], template="a"
    )
    second = NotificationRule(
        event=ev.ReturnApproved, channel=SMS, recipients=[Recipient.customer()], template="b"
    )
    other = NotificationRule(
        event=ev.ReturnRejected, channel=EMAIL, recipients=[Recipient.customer()], template="c"
    )
    rules = NotificationRules([first, other, second])
    assert rules.for_event(ev.ReturnApproved) == (first, second)
    assert rules.for_event(ev.ReturnApproved, SMS) == (second,)
    assert rules.for_event(ev.ReturnCancelled) == ()
    assert (NotificationRules([first]) + NotificationRules([other])).rules == (first, other)


def test_a_recipient_reads_as_a_rules_document_names_it() -> None:
    assert str(Recipient.customer()) == "customer"
    assert str(Recipient.role("finance")) == "finance"
    assert str(Recipient.address("ops@shop.example")) == "ops@shop.example"
    assert Recipient.address("+8613800138000").reaches(SMS)
    assert not Recipient.address("+8613800138000").reaches(EMAIL)
    assert not Recipient.address("ops@shop.example").reaches(SMS)
    assert Recipient.role("finance").reaches(SMS)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Recipient(RecipientKind.CUSTOMER, "C-1"), "the customer needs no value"),
        (lambda: Recipient.role("Store Manager"), "a role is lower-case letters"),
        (lambda: Recipient.address("nobody"), "an address is an e-mail address"),
        (lambda: Recipient.address("12345"), "an address is an e-mail address"),
        (lambda: Recipient("customer"), "kind must be a RecipientKind"),  # type: ignore[arg-type]
    ],
)
def test_a_malformed_recipient_is_refused(build: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        build()  # type: ignore[operator]


def rule(**changes: object) -> NotificationRule:
    fields: dict[str, object] = {
        "event": ev.ReturnApproved,
        "channel": EMAIL,
        "recipients": (Recipient.customer(),),
        "template": "return-approved",
        **changes,
    }
    return NotificationRule(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"event": ev.ReturnEvent}, "event must be a class of return event"),
        ({"event": "com.crm-returns.return.approved.v1"}, "event must be a class of return event"),
        ({"channel": "email"}, "channel must be a NotificationChannel"),
        ({"recipients": ()}, "at least one recipient"),
        ({"recipients": ("customer",)}, "recipients must be Recipient values"),
        ({"template": "Return Approved"}, "a template name is lower-case"),
        ({"template": "x" * 65}, "at most 64 characters"),
        (
            {"channel": SMS, "recipients": (Recipient.address("ops@shop.example"),)},
            "cannot be reached by sms",
        ),
    ],
)
def test_a_rule_refuses_what_it_could_not_follow(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        rule(**changes)


def test_an_event_finds_the_same_rules_as_its_class() -> None:
    submitted = ev.ReturnSubmitted(
        tenant_id="acme",
        return_id="r-1",
        number="RT-1",
        customer_id="C-1",
        actor_id="u-1",
        actor_name="王芳",
        at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        from_status=ReturnStatus.DRAFT,
        to_status=ReturnStatus.SUBMITTED,
        policy_version="1",
        steps=("manager",),
    )
    found = DEFAULT_NOTIFICATION_RULES.for_event(submitted)
    assert found == DEFAULT_NOTIFICATION_RULES.for_event(ev.ReturnSubmitted)
    assert found, "submission tells the approvers"
