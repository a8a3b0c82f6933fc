"""The contact log and feedback through the service, on the memory store.

Staff log contacts on any return (oldest first, a keyed retry logged once);
the customer gives feedback once on their completed return, staff see it;
another customer's return does not exist for a customer; and every e-mail or
text message the notifiers send to a return's customer joins its contact log
once, however often the send is retried, and never when it failed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from crm_returns import (
    Actor,
    ContactChannel,
    ContactLogged,
    CustomerContact,
    Direction,
    EventRelay,
    FeedbackGiven,
    LineRef,
    NotificationChannel,
    Receipt,
    ReturnOrder,
)
from crm_returns.adapters.memory import MemoryContactDirectory, MemoryMailer, MemorySmsGateway
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.errors import (
    FeedbackAlreadyGiven,
    IdempotencyConflict,
    IllegalTransition,
    InvalidInput,
    NotAuthorised,
    NotFound,
    RecordArchived,
    TransientFailure,
)
from crm_returns.notifications import EmailNotifier, SmsNotifier
from crm_returns.ports import Contact, Email, SentNotification
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring

CABLE = LineRef("SO-1001", "2")  # customer C-1001
CHAIR = LineRef("SO-1002", "1")  # customer C-1002
AGENT = Actor("u-cs", "客服小王", SAMPLE_TENANT, {"customer_service"})
ZHANG = Actor("p-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
LI = Actor("p-li", "李娜", SAMPLE_TENANT, {"customer"}, customer_id="C-1002")
Drafted = Callable[..., ReturnOrder]


def _completed(w: Wiring, drafted: Drafted, ref: LineRef = CABLE) -> ReturnOrder:
    order = drafted((ref, 1, "wrong_order"))
    w.service.submit_return(w.clerk, order.id)
    if ref == CHAIR:
        w.service.approve_return(w.approver, order.id)
    w.service.receive_goods(w.warehouse, order.id, {ref: Receipt(received=Decimal(1))})
    return w.service.complete_return(w.finance, order.id, method=RefundMethod.STORE_CREDIT)


def _messages(w: Wiring, kind: type) -> list[object]:
    return [
        m.event for _, m in sorted(w.database.committed.outbox.values()) if type(m.event) is kind
    ]


# -- the contact log ---------------------------------------------------------------------


def test_contacts_are_logged_on_a_return_and_listed_oldest_first(
    wiring: Wiring, drafted: Drafted
) -> None:
    s, order = wiring.service, drafted((CABLE, 1, "wrong_order"))
    start = wiring.clock.now()
    wiring.clock.advance(timedelta(hours=2))
    late = s.log_contact(AGENT, order.id, ContactChannel.EMAIL, Direction.OUTBOUND, "发了退货地址")
    early = s.log_contact(
        AGENT,
        order.id,
        ContactChannel.CALL,
        Direction.INBOUND,
        "客户来电：屏幕有坏点",
        at=start + timedelta(minutes=5),
    )

    assert s.contacts(AGENT, order.id) == (early, late)
    assert (late.at, early.at) == (wiring.clock.now(), start + timedelta(minutes=5))
    assert (early.by, early.by_name, early.customer_id) == (AGENT.id, AGENT.name, "C-1001")
    # The return does not move, nor change its version; the trail and the outbox say it.
    assert s.get_return(wiring.admin, order.id) == order
    entry = s.audit_trail(wiring.admin, order.id)[-1]
    assert (entry.action, entry.from_status, entry.to_status) == (Action.CONTACT,) + (
        ReturnStatus.DRAFT,
    ) * 2
    assert "坏点" not in repr(entry)
    [_, second] = _messages(wiring, ContactLogged)
    assert isinstance(second, ContactLogged)
    assert (second.contact_id, second.channel, second.contacted_at) == (
        early.id,
        ContactChannel.CALL,
        early.at,
    )
    assert "坏点" not in repr(second)


def test_a_contact_in_the_future_is_refused_and_nothing_is_kept(
    wiring: Wiring, drafted: Drafted, snapshot: Callable[[], object]
) -> None:
    order = drafted((CABLE, 1, "wrong_order"))
    before = snapshot()
    with pytest.raises(InvalidInput, match="ahead of time"):
        wiring.service.log_contact(
            AGENT,
            order.id,
            ContactChannel.CALL,
            Direction.OUTBOUND,
            "回电",
            at=wiring.clock.now() + timedelta(minutes=1),
        )
    assert snapshot() == before


def test_a_keyed_retry_logs_the_contact_once_and_a_changed_one_conflicts(
    wiring: Wiring, drafted: Drafted
) -> None:
    s, order = wiring.service, drafted((CABLE, 1, "wrong_order"))
    args = (AGENT, order.id, ContactChannel.CHAT, Direction.INBOUND, "在线咨询进度")
    first = s.log_contact(*args, idempotency_key="chat-77")
    wiring.clock.advance(timedelta(minutes=3))
    again = s.log_contact(*args, idempotency_key="chat-77")

    assert again == first
    assert s.contacts(AGENT, order.id) == (first,)
    assert len(_messages(wiring, ContactLogged)) == 1
    with pytest.raises(IdempotencyConflict):
        s.log_contact(*args[:-1], "另一件事", idempotency_key="chat-77")
    with pytest.raises(IdempotencyConflict):
        s.submit_return(wiring.clerk, order.id, idempotency_key="chat-77")


def test_no_contact_is_logged_on_an_archived_return(wiring: Wiring, drafted: Drafted) -> None:
    order = _completed(wiring, drafted)
    archivist = Actor("u-archivist", "档案员", SAMPLE_TENANT, {"records_manager"})
    wiring.service.archive_return(archivist, order.id)
    with pytest.raises(RecordArchived):
        wiring.service.log_contact(AGENT, order.id, ContactChannel.VISIT, Direction.INBOUND, "来店")
    with pytest.raises(RecordArchived):
        wiring.service.give_feedback(ZHANG, order.id, 5)


@pytest.mark.parametrize("role", ["approver", "warehouse", "finance", "auditor", "customer"])
def test_roles_that_do_not_talk_with_customers_may_not_log_or_read_contacts(
    wiring: Wiring, drafted: Drafted, split_denials: Callable[..., object], role: str
) -> None:
    order = drafted((CABLE, 1, "wrong_order"))
    actor = Actor(f"u-{role}", role, SAMPLE_TENANT, {role})
    with pytest.raises(NotAuthorised, match="log_contacts"):
        wiring.service.log_contact(actor, order.id, ContactChannel.CALL, Direction.INBOUND, "x")
    with pytest.raises(NotAuthorised, match="log_contacts"):
        wiring.service.contacts(actor, order.id)
    trail = wiring.service.audit_trail(wiring.admin, order.id)
    assert [e.detail for e in trail if e.action is Action.DENIED] == [
        (("permission", "log_contacts"),)
    ]


def test_another_tenants_return_is_not_found(wiring: Wiring, drafted: Drafted) -> None:
    order = drafted((CABLE, 1, "wrong_order"))
    rival = attrs.evolve(AGENT, tenant_id="globex")
    with pytest.raises(NotFound):
        wiring.service.log_contact(rival, order.id, ContactChannel.CALL, Direction.INBOUND, "x")
    with pytest.raises(NotFound):
        wiring.service.contacts(rival, order.id)
    with pytest.raises(NotFound):
        wiring.service.feedback(attrs.evolve(wiring.admin, tenant_id="globex"), order.id)


# -- feedback ------------------------------------------------------------------------------


def test_the_customer_gives_feedback_once_and_staff_see_it(
    wiring: Wiring, drafted: Drafted, snapshot: Callable[[], object]
) -> None:
    s, order = wiring.service, _completed(wiring, drafted)
    assert s.feedback(wiring.finance, order.id) is None

    given = s.give_feedback(ZHANG, order.id, 4, "退款很快，但快递员迟到了")

    assert (given.score, given.comment, given.customer_id) == (
        4,
        "退款很快，但快递员迟到了",
        "C-1001",
    )
    for staff in (
        wiring.finance,
        wiring.approver,
        Actor("u-s", "主管", SAMPLE_TENANT, {"supervisor"}),
    ):
        assert s.feedback(staff, order.id) == given
    [event] = _messages(wiring, FeedbackGiven)
    assert isinstance(event, FeedbackGiven)
    assert (event.score, event.commented, event.actor_id) == (Decimal(4), True, ZHANG.id)
    assert "快递员" not in repr(event)
    assert s.audit_trail(wiring.admin, order.id)[-1].action is Action.FEEDBACK
    assert s.get_return(wiring.admin, order.id) == order
    before = snapshot()
    with pytest.raises(FeedbackAlreadyGiven, match=order.number):
        s.give_feedback(ZHANG, order.id, 5)
    assert snapshot() == before


@pytest.mark.parametrize("stop", ["draft", "submitted", "received"])
def test_feedback_before_completion_is_refused(
    wiring: Wiring, drafted: Drafted, snapshot: Callable[[], object], stop: str
) -> None:
    s, order = wiring.service, drafted((CABLE, 1, "wrong_order"))
    if stop != "draft":
        s.submit_return(wiring.clerk, order.id)
    if stop == "received":
        s.receive_goods(wiring.warehouse, order.id, {CABLE: Receipt(received=Decimal(1))})
    before = snapshot()
    with pytest.raises(IllegalTransition, match="give feedback"):
        s.give_feedback(ZHANG, order.id, 3)
    assert snapshot() == before


def test_another_customers_return_is_not_found_for_a_customer(
    wiring: Wiring, drafted: Drafted, snapshot: Callable[[], object]
) -> None:
    zhangs = _completed(wiring, drafted)
    before = snapshot()
    with pytest.raises(NotFound) as theirs:
        wiring.service.give_feedback(LI, zhangs.id, 1, "不是我的")
    with pytest.raises(NotFound) as nobodys:
        wiring.service.give_feedback(LI, "no-such-return", 1)
    # The same answer as for a return that does not exist, and nothing written down.
    assert str(theirs.value).replace(zhangs.id, "?") == str(nobodys.value).replace(
        "no-such-return", "?"
    )
    assert snapshot() == before


def test_staff_and_roles_without_the_permission_do_not_give_feedback(
    wiring: Wiring, drafted: Drafted, split_denials: Callable[..., object]
) -> None:
    order = _completed(wiring, drafted)
    # Staff may hold the permission (admin) but act for no customer: told so, plainly.
    with pytest.raises(InvalidInput, match="acts for no customer"):
        wiring.service.give_feedback(wiring.admin, order.id, 5)
    clerk_as_zhang = attrs.evolve(wiring.clerk, customer_id="C-1001")
    with pytest.raises(NotAuthorised, match="give_feedback"):
        wiring.service.give_feedback(clerk_as_zhang, order.id, 5)
    denials = [
        e for e in wiring.service.audit_trail(wiring.admin, order.id) if e.action is Action.DENIED
    ]
    assert [(e.actor_id, e.detail) for e in denials] == [
        (clerk_as_zhang.id, (("permission", "give_feedback"),))
    ]
    assert wiring.service.feedback(wiring.admin, order.id) is None
    with pytest.raises(NotAuthorised, match="view_returns"):
        wiring.service.feedback(ZHANG, order.id)  # the customer follows their timeline instead


# -- notifications join the contact log ----------------------------------------------------


def _notifiers(w: Wiring, mailer: MemoryMailer, gateway: MemorySmsGateway) -> EventRelay:
    """A relay to an e-mail and an SMS notifier that log what they send to customer C-1001."""
    contacts = MemoryContactDirectory()
    contacts.add_customer(
        SAMPLE_TENANT,
        "C-1001",
        Contact(name="张伟", email="zhang@example.com", phone="+8613800138000"),
    )
    contacts.add_staff(SAMPLE_TENANT, "warehouse", Contact(name="刘强", email="liu@shop.example"))
    log = w.service.notification_log()
    email = EmailNotifier(mailer, contacts, sender="returns@shop.example", contact_log=log)
    sms = SmsNotifier(gateway, contacts, sign_name="示例商城", contact_log=log)
    return w.service.relay([email, sms])


def _approved(w: Wiring, drafted: Drafted) -> ReturnOrder:
    order = drafted((CABLE, 1, "wrong_order"))
    w.service.submit_return(w.clerk, order.id)  # approved at once: no step for a cable
    return order


class PickyMailer(MemoryMailer):
    """Fails every e-mail to the addresses in ``refusing``."""

    def __init__(self) -> None:
        super().__init__()
        self.refusing: set[str] = set()

    def send(self, email: Email) -> None:
        if self.refusing.intersection(email.to):
            self.attempted.append(email)
            raise TransientFailure("mailbox busy")
        super().send(email)


def test_a_notification_sent_to_the_customer_is_logged_once_though_retried(
    wiring: Wiring, drafted: Drafted
) -> None:
    mailer, gateway = PickyMailer(), MemorySmsGateway()
    s, relay = wiring.service, _notifiers(wiring, mailer, gateway)
    order = _approved(wiring, drafted)
    mailer.refusing = {"liu@shop.example"}

    # The customer's e-mail and SMS go; the warehouse's e-mail fails, so the
    # relay will try the whole message again, the customer's e-mail too.
    relay.run_once()

    logged = s.contacts(AGENT, order.id)
    assert sorted((c.channel.value, c.direction, c.automatic) for c in logged) == [
        ("email", Direction.OUTBOUND, True),
        ("sms", Direction.OUTBOUND, True),
    ]
    [to_customer] = [e for e in mailer.sent if e.to == ("zhang@example.com",)]
    assert {c.source for c in logged} == {to_customer.message_id, gateway.sent[0].out_id}
    assert all("return-approved" in c.summary for c in logged)
    assert "zhang@example.com" not in repr(logged)
    assert "+8613800138000" not in repr(logged)

    mailer.refusing = set()
    wiring.clock.advance(timedelta(hours=1))
    relay.run_until_idle()

    assert [e.to for e in mailer.sent].count(("zhang@example.com",)) == 2  # sent twice...
    assert s.contacts(AGENT, order.id) == logged  # ...logged once
    trail = s.audit_trail(wiring.admin, order.id)
    assert [e.actor_id for e in trail if e.action is Action.CONTACT] == ["crm-returns"] * 2
    # Automatic contacts echo events already published: none in the outbox.
    assert _messages(wiring, ContactLogged) == []
    # Told again by hand, the log still keeps the send once.
    s.notification_log().sent(
        SentNotification(
            tenant_id=SAMPLE_TENANT,
            return_id=order.id,
            channel=NotificationChannel.EMAIL,
            template="return-approved",
            send_id=to_customer.message_id,
        )
    )
    assert s.contacts(AGENT, order.id) == logged


def test_a_failed_send_logs_nothing_and_staff_are_never_logged(
    wiring: Wiring, drafted: Drafted
) -> None:
    mailer, gateway = MemoryMailer(), MemorySmsGateway()
    s, relay = wiring.service, _notifiers(wiring, mailer, gateway)
    order = _approved(wiring, drafted)
    mailer.failure = TransientFailure("smtp down")
    gateway.failure = TransientFailure("gateway down")

    relay.run_once()

    assert mailer.attempted
    assert gateway.attempted
    assert s.contacts(AGENT, order.id) == ()
    mailer.failure = gateway.failure = None
    wiring.clock.advance(timedelta(hours=1))
    relay.run_until_idle()
    assert any(e.to == ("liu@shop.example",) for e in mailer.sent)  # the warehouse was told
    logged = s.contacts(AGENT, order.id)
    assert sorted(c.channel.value for c in logged) == ["email", "sms"]  # the customer's only


def test_a_send_about_a_gone_return_is_not_logged(wiring: Wiring) -> None:
    log = wiring.service.notification_log()
    log.sent(
        SentNotification(
            tenant_id=SAMPLE_TENANT,
            return_id="gone",
            channel=NotificationChannel.SMS,
            template="return-approved",
            send_id="m-1+return-approved+0123",
        )
    )
    assert wiring.database.committed.casefile == {}
    with pytest.raises(InvalidInput, match="SentNotification"):
        log.sent("m-1")  # type: ignore[arg-type]


def test_customer_contacts_are_case_file_records(wiring: Wiring, drafted: Drafted) -> None:
    order = drafted((CABLE, 1, "wrong_order"))
    contact = wiring.service.log_contact(
        AGENT, order.id, ContactChannel.SMS, Direction.OUTBOUND, "提醒寄回"
    )
    assert isinstance(contact, CustomerContact)
    assert wiring.database.committed.casefile == {(SAMPLE_TENANT, "contact", contact.id): contact}
