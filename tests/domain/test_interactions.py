"""The rules of the contact log and of feedback (domain/interactions/rules.py).

A contact is logged on any return of the actor's tenant that is not archived,
never ahead of time; feedback only by the return's own customer, once, after
completion, scored 1 to 5; the events say that it happened without the text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import audit_entry
from crm_returns.domain.interactions import ContactChannel, CustomerContact, Direction, Feedback
from crm_returns.domain.interactions.rules import (
    NOTIFIER_ID,
    contact_logged,
    erased_contact,
    erased_feedback,
    feedback_given,
    given_feedback,
    logged_contact,
    notified_contact,
)
from crm_returns.domain.retention import ERASED_TEXT
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.errors import (
    FeedbackAlreadyGiven,
    IllegalTransition,
    InvalidInput,
    NotFound,
    RecordArchived,
)

OrderIn = Callable[[ReturnStatus], ReturnOrder]
NOW = datetime(2026, 12, 1, 9, 0).astimezone()
AGENT = Actor("u-cs", "客服小王", "acme", {"customer_service"})
CUSTOMER = Actor("p-1", "Customer One", "acme", {"customer"}, customer_id="C-1")

statuses = st.sampled_from(ReturnStatus)
channels = st.sampled_from(ContactChannel)
directions = st.sampled_from(Direction)
summaries = st.text(min_size=1, max_size=200).filter(str.strip)
#: How long before (negative: after) now a contact took place.
offsets = st.timedeltas(min_value=timedelta(days=-30), max_value=timedelta(days=400))


def _contact(order: ReturnOrder, **changes: object) -> CustomerContact:
    given: dict[str, object] = {
        "contact_id": "c-1",
        "channel": ContactChannel.CALL,
        "direction": Direction.INBOUND,
        "summary": "asked where the refund is",
        "at": NOW,
        "now": NOW,
        "archived": False,
    }
    given.update(changes)
    actor = given.pop("actor", AGENT)
    assert isinstance(actor, Actor)
    return logged_contact(order, actor, **given)  # type: ignore[arg-type]


def _feedback(order: ReturnOrder, **changes: object) -> Feedback:
    given: dict[str, object] = {
        "feedback_id": "f-1",
        "score": 4,
        "comment": "fast refund",
        "at": NOW,
        "earlier": None,
        "archived": False,
    }
    given.update(changes)
    actor = given.pop("actor", CUSTOMER)
    assert isinstance(actor, Actor)
    return given_feedback(order, actor, **given)  # type: ignore[arg-type]


# -- contacts --------------------------------------------------------------------------


@given(status=statuses, channel=channels, direction=directions, summary=summaries, ago=offsets)
def test_a_contact_is_logged_on_a_return_in_any_status_never_ahead_of_time(
    order_in: OrderIn,
    status: ReturnStatus,
    channel: ContactChannel,
    direction: Direction,
    summary: str,
    ago: timedelta,
) -> None:
    order = order_in(status)
    at = NOW - ago
    if at > NOW:
        with pytest.raises(InvalidInput, match="ahead of time"):
            _contact(order, channel=channel, direction=direction, summary=summary, at=at)
        return
    contact = _contact(order, channel=channel, direction=direction, summary=summary, at=at)
    assert (contact.tenant_id, contact.return_id, contact.customer_id) == (
        order.tenant_id,
        order.id,
        order.customer_id,
    )
    assert (contact.channel, contact.direction, contact.summary, contact.at) == (
        channel,
        direction,
        summary,
        at,
    )
    assert (contact.by, contact.by_name, contact.automatic) == (AGENT.id, AGENT.name, False)
    assert contact.index().key is None


@given(status=statuses)
def test_no_contact_is_logged_on_an_archived_return(
    order_in: OrderIn, status: ReturnStatus
) -> None:
    with pytest.raises(RecordArchived, match="archived"):
        _contact(order_in(status), archived=True)


def test_another_tenants_return_does_not_exist_for_the_contact_log(order_in: OrderIn) -> None:
    rival = attrs.evolve(AGENT, tenant_id="globex")
    with pytest.raises(NotFound):
        _contact(order_in(ReturnStatus.SUBMITTED), actor=rival)
    with pytest.raises(NotFound):
        _feedback(order_in(ReturnStatus.COMPLETED), actor=attrs.evolve(CUSTOMER, tenant_id="x"))


def test_a_keyed_contact_is_unique_by_its_source(order_in: OrderIn) -> None:
    contact = _contact(order_in(ReturnStatus.APPROVED), source="request:abc")
    assert contact.index().key == "request:abc"


@given(
    channel=st.sampled_from([ContactChannel.EMAIL, ContactChannel.SMS]),
    template=st.from_regex(r"[a-z][a-z-]{0,20}", fullmatch=True),
)
def test_a_notification_is_an_automatic_outbound_contact_keyed_by_its_send(
    order_in: OrderIn, channel: ContactChannel, template: str
) -> None:
    send = f"m-1+{template}+0123456789ab"
    contact = notified_contact(
        order_in(ReturnStatus.APPROVED),
        contact_id="c-9",
        channel=channel,
        template=template,
        send_id=send,
        at=NOW,
    )
    assert (contact.automatic, contact.direction, contact.channel) == (
        True,
        Direction.OUTBOUND,
        channel,
    )
    assert (contact.source, contact.index().key, contact.by) == (send, send, NOTIFIER_ID)
    assert template in contact.summary


@pytest.mark.parametrize("channel", [ContactChannel.CALL, ContactChannel.VISIT])
def test_a_notification_goes_by_email_or_sms_only(
    order_in: OrderIn, channel: ContactChannel
) -> None:
    with pytest.raises(InvalidInput, match="e-mail or SMS"):
        notified_contact(
            order_in(ReturnStatus.APPROVED),
            contact_id="c-9",
            channel=channel,
            template="return-approved",
            send_id="m-1",
            at=NOW,
        )


@given(status=statuses, summary=summaries, automatic=st.booleans())
def test_the_contact_event_does_not_move_the_return_and_carries_no_summary(
    order_in: OrderIn, status: ReturnStatus, summary: str, automatic: bool
) -> None:
    order = order_in(status)
    summary = f"«私密 {summary}»"  # marked, so that finding it anywhere means it leaked
    contact = attrs.evolve(_contact(order, summary=summary), automatic=automatic)
    event = contact_logged(order, contact, NOW)
    assert event.action is Action.CONTACT
    assert event.from_status is event.to_status is order.status
    assert (event.contact_id, event.channel, event.direction) == (
        contact.id,
        contact.channel,
        contact.direction,
    )
    assert (event.contacted_at, event.at, event.automatic) == (contact.at, NOW, automatic)
    assert event.comment == ""
    entry = audit_entry(event, "a-1")
    assert "私密" not in repr(event)
    assert "私密" not in repr(entry)


# -- feedback ---------------------------------------------------------------------------


@given(status=statuses, score=st.integers(1, 5), comment=st.text(max_size=50))
def test_feedback_follows_completion_only(
    order_in: OrderIn, status: ReturnStatus, score: int, comment: str
) -> None:
    order = order_in(status)
    if status is not ReturnStatus.COMPLETED:
        with pytest.raises(IllegalTransition, match="give feedback"):
            _feedback(order, score=score, comment=comment)
        return
    feedback = _feedback(order, score=score, comment=comment)
    assert (feedback.score, feedback.comment, feedback.customer_id) == (score, comment, "C-1")
    assert feedback.index().key == order.id  # one per return


@given(score=st.one_of(st.integers(-10, 0), st.integers(6, 100), st.sampled_from([True, 2.5])))
def test_a_score_is_a_whole_number_from_1_to_5(order_in: OrderIn, score: object) -> None:
    with pytest.raises(InvalidInput, match="1 to 5"):
        _feedback(order_in(ReturnStatus.COMPLETED), score=score)


def test_feedback_is_given_once(order_in: OrderIn) -> None:
    order = order_in(ReturnStatus.COMPLETED)
    first = _feedback(order)
    with pytest.raises(FeedbackAlreadyGiven, match=order.number):
        _feedback(order, earlier=first)


@given(other=st.from_regex(r"C-[0-9]{1,4}", fullmatch=True).filter(lambda c: c != "C-1"))
def test_another_customers_return_does_not_exist_for_a_customer(
    order_in: OrderIn, other: str
) -> None:
    with pytest.raises(NotFound, match="no return"):
        _feedback(order_in(ReturnStatus.COMPLETED), actor=attrs.evolve(CUSTOMER, customer_id=other))


def test_staff_do_not_give_feedback(order_in: OrderIn) -> None:
    with pytest.raises(InvalidInput, match="acts for no customer"):
        _feedback(order_in(ReturnStatus.COMPLETED), actor=Actor("u-1", "Boss", "acme", {"admin"}))


def test_no_feedback_on_an_archived_return(order_in: OrderIn) -> None:
    with pytest.raises(RecordArchived):
        _feedback(order_in(ReturnStatus.COMPLETED), archived=True)


@given(score=st.integers(1, 5), comment=st.text(max_size=50))
def test_the_feedback_event_carries_the_score_not_the_comment(
    order_in: OrderIn, score: int, comment: str
) -> None:
    order = order_in(ReturnStatus.COMPLETED)
    feedback = _feedback(order, score=score, comment=comment and f"«私密 {comment}»")
    event = feedback_given(order, feedback, CUSTOMER)
    assert "私密" not in repr(event)
    assert "私密" not in repr(audit_entry(event, "a-1"))
    assert event.action is Action.FEEDBACK
    assert event.from_status is event.to_status is ReturnStatus.COMPLETED
    assert (event.score, event.commented, event.feedback_id) == (
        Decimal(score),
        bool(comment),
        feedback.id,
    )
    assert event.comment == ""
    assert (event.actor_id, event.at) == (CUSTOMER.id, feedback.at)


# -- erasure ----------------------------------------------------------------------------


@given(summary=summaries, comment=st.text(max_size=50), score=st.integers(1, 5))
def test_erasure_removes_the_text_whole_and_keeps_the_facts(
    order_in: OrderIn, summary: str, comment: str, score: int
) -> None:
    order = order_in(ReturnStatus.COMPLETED)
    contact = erased_contact(_contact(order, summary=summary), "S-0001")
    assert (contact.customer_id, contact.summary, contact.version) == ("S-0001", ERASED_TEXT, 2)
    assert (contact.channel, contact.direction, contact.at) == (
        ContactChannel.CALL,
        Direction.INBOUND,
        NOW,
    )
    feedback = erased_feedback(_feedback(order, score=score, comment=comment), "S-0001")
    assert (feedback.customer_id, feedback.comment, feedback.score) == ("S-0001", "", score)
