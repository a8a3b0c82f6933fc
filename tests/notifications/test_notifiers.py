"""The e-mail and SMS notifiers as relay destinations, end to end and through a real SMTP server."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from tests.adapters.smtp_server import RecordingHandler, running_server
from tests.cloudevents.lifecycles import every_event

from crm_returns import (
    Contact,
    EmailNotifier,
    MemoryContactDirectory,
    MemoryMailer,
    MemorySmsGateway,
    NotificationChannel,
    NotificationRule,
    NotificationRules,
    Recipient,
    SmsNotifier,
    load_notification_templates,
)
from crm_returns.adapters.smtp import SmtpMailer, SmtpSecurity, SmtpSettings
from crm_returns.domain import events as ev
from crm_returns.errors import (
    InvalidInput,
    InvalidTemplates,
    OutcomeUnknown,
    PermanentFailure,
    TransientFailure,
)
from crm_returns.ports import Email
from crm_returns.samples import sample_contacts
from crm_returns.testing import Wiring, sample_wiring

SENDER = "退货中心 <returns@shop.example>"


def notifiers(
    contacts: MemoryContactDirectory | None = None,
) -> tuple[MemoryMailer, MemorySmsGateway, EmailNotifier, SmsNotifier]:
    mailer, gateway = MemoryMailer(), MemorySmsGateway()
    directory = contacts or sample_contacts()
    return (
        mailer,
        gateway,
        EmailNotifier(mailer, directory, sender=SENDER),
        SmsNotifier(gateway, directory, sign_name="退货中心"),
    )


def lifecycle() -> Wiring:
    wiring = sample_wiring()
    every_event(wiring, requests=False)
    return wiring


def test_a_whole_lifecycle_tells_each_person_what_the_rules_say() -> None:
    wiring = lifecycle()
    mailer, gateway, email, sms = notifiers()
    report = wiring.service.relay([email, sms]).run_until_idle()
    assert report.dead == report.retried == 0
    sent = Counter((mail.to[0], mail.message_id.split("+")[1]) for mail in mailer.sent)
    assert sent == Counter(
        {
            ("chen.manager@shop.example", "approval-requested"): 2,  # two returns submitted
            ("zhang.wei@example.com", "return-approved"): 1,
            ("liu.warehouse@shop.example", "goods-expected"): 1,
            ("liu.warehouse@shop.example", "parcel-delivered"): 1,  # the pickup arrived
            ("lin.service@shop.example", "parcel-lost"): 1,  # the second parcel was lost
            ("sun.finance@shop.example", "inspection-done"): 1,
            ("zhang.wei@example.com", "refund-granted"): 1,
            ("zhang.wei@example.com", "return-completed"): 1,
            ("li.na@example.com", "return-rejected"): 1,
        }
    )
    # 李娜 reads English; everyone else Chinese.
    rejected = next(mail for mail in mailer.sent if mail.to == ("li.na@example.com",))
    assert rejected.subject.startswith("Your return RT-")
    assert all("退货单" in mail.subject for mail in mailer.sent if mail is not rejected)
    assert {mail.sender for mail in mailer.sent} == {SENDER}
    # 张伟 has a mobile number; 李娜 has none, so her rejection goes by e-mail only.
    assert [(text.phone, text.template_code) for text in gateway.sent] == [
        ("+8613800138000", "SMS_RETURN_APPROVED"),
        ("+8613800138000", "SMS_REFUND_GRANTED"),
        ("+8613800138000", "SMS_RETURN_COMPLETED"),
    ]
    assert {text.sign_name for text in gateway.sent} == {"退货中心"}


def test_a_resend_carries_the_same_ids_and_each_recipient_its_own() -> None:
    wiring = lifecycle()
    contacts = sample_contacts()
    contacts.add_staff("acme", "approver", Contact(name="Deputy", email="deputy@shop.example"))
    mailer, gateway, email, sms = notifiers(contacts)
    messages = [message for _, message in sorted(wiring.database.committed.outbox.values())]
    submitted = next(m for m in messages if isinstance(m.event, ev.ReturnSubmitted))
    approved = next(m for m in messages if isinstance(m.event, ev.ReturnApproved))
    for _ in range(2):
        email.deliver(submitted)
        sms.deliver(approved)
    first, second, again, _ = (mail.message_id for mail in mailer.sent)
    assert first != second  # two approvers
    assert again == first  # the resend
    assert all(mail.message_id.startswith(f"{submitted.id}+") for mail in mailer.sent)
    assert gateway.sent[0].out_id == gateway.sent[1].out_id
    assert gateway.sent[0].out_id.startswith(f"{approved.id}+return-approved+")
    assert "13800138000" not in gateway.sent[0].out_id  # no personal data in the id


def test_someone_the_directory_does_not_know_is_skipped_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wiring = lifecycle()
    mailer, gateway, email, sms = notifiers(MemoryContactDirectory())
    with caplog.at_level(logging.INFO, logger="crm_returns.notifications"):
        report = wiring.service.relay([email, sms]).run_until_idle()
    assert report.dead == report.retried == 0
    assert report.delivered > 0
    assert mailer.sent == []
    assert gateway.sent == []
    assert "customer C-1001 is not in the contact directory" in caplog.text
    assert "nobody holds role approver in tenant acme" in caplog.text


def test_a_fixed_address_gets_the_default_language() -> None:
    wiring = lifecycle()
    rules = NotificationRules(
        [
            NotificationRule(
                event=ev.ReturnRejected,
                channel=NotificationChannel.EMAIL,
                recipients=[Recipient.address("desk@shop.example"), Recipient.customer()],
                template="return-rejected",
            )
        ]
    )
    mailer = MemoryMailer()
    email = EmailNotifier(mailer, sample_contacts(), sender=SENDER, rules=rules, language="en")
    wiring.service.relay([email]).run_until_idle()
    assert [(mail.to, mail.subject[:11]) for mail in mailer.sent] == [
        (("desk@shop.example",), "Your return"),
        (("li.na@example.com",), "Your return"),
    ]


@pytest.mark.parametrize(
    ("failure", "field"),
    [
        (TransientFailure("421 try later"), "retried"),
        (PermanentFailure("550 no such user"), "dead"),
        (OutcomeUnknown("timed out after sending"), "unknown"),
    ],
)
def test_a_channel_failure_reaches_the_relay_which_classifies_it(
    failure: Exception, field: str
) -> None:
    wiring = lifecycle()
    _, gateway, _, sms = notifiers()
    gateway.failure = failure
    report = wiring.service.relay([sms]).run_once()
    # The first SMS fails; the return's later messages wait for it.
    assert getattr(report, field) == 1
    assert len(gateway.attempted) == 1


class PickyMailer:
    """Refuses one address for good and another for now; takes the rest."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> None:
        if email.to == ("bad@shop.example",):
            raise PermanentFailure("550 no such user")
        if email.to == ("busy@shop.example",):
            raise TransientFailure("421 busy")
        self.sent.append(email)


def test_every_recipient_is_tried_and_the_most_retry_worthy_failure_is_raised() -> None:
    wiring = lifecycle()
    messages = [message for _, message in sorted(wiring.database.committed.outbox.values())]
    submitted = next(m for m in messages if isinstance(m.event, ev.ReturnSubmitted))
    contacts = MemoryContactDirectory()
    for address in ("bad@shop.example", "good@shop.example", "busy@shop.example"):
        contacts.add_staff("acme", "approver", Contact(email=address))
    mailer = PickyMailer()
    email = EmailNotifier(mailer, contacts, sender=SENDER)
    with pytest.raises(TransientFailure, match="421 busy"):
        email.deliver(submitted)
    assert [mail.to for mail in mailer.sent] == [("good@shop.example",)]


def test_a_notifier_whose_rules_lack_a_template_fails_when_built() -> None:
    rules = NotificationRules(
        [
            NotificationRule(
                event=ev.ReturnCancelled,
                channel=NotificationChannel.SMS,
                recipients=[Recipient.customer()],
                template="return-cancelled",
            )
        ]
    )
    with pytest.raises(InvalidTemplates, match="'return-cancelled' has no sms version"):
        SmsNotifier(MemorySmsGateway(), sample_contacts(), sign_name="店", rules=rules)
    with pytest.raises(InvalidTemplates, match="'return-cancelled' has no sms version"):
        SmsNotifier(
            MemorySmsGateway(),
            sample_contacts(),
            sign_name="店",
            rules=rules,
            templates=load_notification_templates(),
        )


@pytest.mark.parametrize(
    "build",
    [
        lambda: EmailNotifier(MemoryMailer(), MemoryContactDirectory(), sender=" "),
        lambda: SmsNotifier(MemorySmsGateway(), MemoryContactDirectory(), sign_name=3),  # type: ignore[arg-type]
        lambda: EmailNotifier(MemoryMailer(), MemoryContactDirectory(), sender="a@b.c", rules=[]),  # type: ignore[arg-type]
        lambda: EmailNotifier(MemoryMailer(), MemoryContactDirectory(), sender="a@b.c", name=""),
    ],
)
def test_a_notifier_refuses_bad_arguments(build: object) -> None:
    with pytest.raises(InvalidInput):
        build()  # type: ignore[operator]


def test_the_memory_directory_refuses_what_is_no_contact() -> None:
    contacts = MemoryContactDirectory()
    with pytest.raises(InvalidInput, match="contact must be a Contact"):
        contacts.add_customer("acme", "C-1", {"email": "x@y.z"})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="role must be a non-blank string"):
        contacts.add_staff("acme", "", Contact())
    assert contacts.customer("acme", "C-1") is None
    assert contacts.staff("acme", "approver") == ()


def test_e_mails_reach_a_real_smtp_server_in_chinese_and_english() -> None:
    wiring = lifecycle()
    handler = RecordingHandler()
    with running_server(handler) as port:
        mailer = SmtpMailer(
            SmtpSettings(host="127.0.0.1", port=port, security=SmtpSecurity.NONE),
            clock=wiring.clock,
        )
        email = EmailNotifier(mailer, sample_contacts(), sender=SENDER)
        report = wiring.service.relay([email]).run_until_idle()
    assert report.delivered > 0
    assert report.dead == report.retried == 0
    assert len(handler.received) == 10
    by_address = {tuple(to): message for to, message in handler.received}
    rejected = by_address[("li.na@example.com",)]
    assert str(rejected["Subject"]).startswith("Your return RT-20261127-000002")
    assert rejected["Message-ID"].startswith("<id-")
    completed = [
        message
        for to, message in handler.received
        if to == ["zhang.wei@example.com"] and "已完成" in str(message["Subject"])
    ]
    (message,) = completed
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "张伟，您好" in text.get_content()
    assert "<strong>RT-20261127-000001</strong>" in html.get_content()
