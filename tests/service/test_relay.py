"""The event relay on the memory store: every event to every destination, at least once.

The sample lines are listed in tests/service/conftest.py.  ``three_then_one``
makes four events: a return drafted, submitted and approved at once (the
sample policy approves small returns itself), then another return drafted.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from crm_returns import (
    Actor,
    CallableDestination,
    DeliveryStatus,
    Destination,
    EventRelay,
    LineRef,
    MemoryDestination,
    Outcome,
    RelaySettings,
    RetrySchedule,
    ReturnOrder,
    ReturnsService,
    ReturnStatus,
)
from crm_returns.domain.events import ReturnApproved, ReturnDrafted, ReturnSubmitted
from crm_returns.errors import (
    DestinationGone,
    IllegalDeliveryStep,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    PermanentFailure,
    TransientFailure,
)
from crm_returns.ports import OutboxMessage
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00, customer C-1001
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90, customer C-1001

Drafted = Callable[..., ReturnOrder]

EXPECTED = [
    (ReturnDrafted, "RT-20261127-000001"),
    (ReturnSubmitted, "RT-20261127-000001"),
    (ReturnApproved, "RT-20261127-000001"),
    (ReturnDrafted, "RT-20261127-000002"),
]

#: Retries after 10, 20 and 40 seconds, exactly (no jitter): four tries in all.
SHORT = RetrySchedule(
    (timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40)), jitter=0
)


def published(messages: list[OutboxMessage]) -> list[tuple[type[object], str]]:
    return [(type(m.event), m.event.number) for m in messages]


def three_then_one(service: ReturnsService, clerk: Actor, drafted: Drafted) -> None:
    first = drafted((MOUSE, 1, "wrong_order"))
    assert service.submit_return(clerk, first.id).status is ReturnStatus.APPROVED
    drafted((CABLE, 1, "wrong_order"))


class FailsFor:
    """A destination that raises ``failure`` at the first try of the first return's messages."""

    def __init__(self, name: str, failure: BaseException) -> None:
        self.name = name
        self.failure = failure
        self.failed = False
        self.received: list[OutboxMessage] = []

    def deliver(self, message: OutboxMessage) -> None:
        if message.event.number.endswith("000001") and not self.failed:
            self.failed = True
            raise self.failure
        self.received.append(message)


def relay_for(wiring: Wiring, *destinations: Destination, **settings: Any) -> EventRelay:
    """A relay over the wiring's service: four tries ``SHORT`` apart, no jitter unless told."""
    options: dict[str, Any] = {"relay_id": "relay-t", "schedule": SHORT, "spin": lambda: 0.5}
    options.update(settings)
    return wiring.service.relay(destinations, RelaySettings(**options))


# -- delivering ----------------------------------------------------------------------


def test_every_event_goes_once_in_order_and_is_recorded(
    wiring: Wiring, clerk: Actor, drafted: Drafted
) -> None:
    three_then_one(wiring.service, clerk, drafted)
    wiring.clock.advance(timedelta(minutes=1))
    report = wiring.relay.run_once()
    assert (report.delivered, report.tried) == (4, 4)
    assert published(wiring.destination.received) == EXPECTED
    assert len({m.id for m in wiring.destination.received}) == 4
    for message in wiring.destination.received:
        (delivery,) = wiring.relay.deliveries(message.id)
        assert (delivery.status, delivery.attempts, delivery.delivered_at) == (
            DeliveryStatus.DELIVERED,
            1,
            wiring.clock.now(),
        )
    assert wiring.relay.run_once().tried == 0


def test_events_carry_the_customer_and_the_return_as_the_command_left_it(
    wiring: Wiring, clerk: Actor, drafted: Drafted
) -> None:
    three_then_one(wiring.service, clerk, drafted)
    wiring.relay.run_once()
    submitted = wiring.destination.received[1]
    assert submitted.event.customer_id == submitted.summary.customer_id == "C-1001"
    # Submitting approved the return at once: the summary shows where it ended.
    assert submitted.summary.status is ReturnStatus.APPROVED
    (line,) = submitted.summary.lines
    assert (line.ref, line.sku, line.requested, line.reason_code) == (
        MOUSE,
        "MSE-01",
        Decimal(1),
        "wrong_order",
    )
    assert submitted.summary.refund == line.refund


def test_events_match_the_audit_trail(wiring: Wiring, clerk: Actor, drafted: Drafted) -> None:
    three_then_one(wiring.service, clerk, drafted)
    wiring.relay.run_once()
    first = wiring.destination.received[0].event.return_id
    trail = wiring.service.audit_trail(clerk, first)
    assert [(e.action, e.at, e.to_status) for e in trail] == [
        (m.event.action, m.event.at, m.event.to_status) for m in wiring.destination.received[:3]
    ]


def test_a_batch_takes_the_oldest_first(wiring: Wiring, clerk: Actor, drafted: Drafted) -> None:
    three_then_one(wiring.service, clerk, drafted)
    relay = relay_for(wiring, wiring.destination, batch=3)
    assert relay.run_once().delivered == 3
    assert published(wiring.destination.received) == EXPECTED[:3]
    assert relay.run_once().delivered == 1
    assert published(wiring.destination.received) == EXPECTED


def test_a_failure_holds_back_its_return_only_until_it_is_due_again(
    wiring: Wiring, clerk: Actor, drafted: Drafted
) -> None:
    three_then_one(wiring.service, clerk, drafted)
    flaky = FailsFor("hook", TimeoutError("webhook timed out"))
    relay = relay_for(wiring, flaky)
    report = relay.run_once()
    # The first message failed: its return's two later messages wait; the other return goes.
    assert (report.retried, report.held, report.delivered) == (1, 2, 1)
    assert published(flaky.received) == [EXPECTED[3]]
    assert relay.run_once().tried == 0  # not due yet
    wiring.clock.advance(timedelta(seconds=10))
    assert relay.run_once().delivered == 3
    assert published(flaky.received) == [EXPECTED[3], *EXPECTED[:3]]
    first = flaky.received[1].id
    tries = relay.attempts(first, "hook")
    assert [(a.number, a.outcome, a.relay) for a in tries] == [
        (1, Outcome.TRANSIENT, "relay-t"),
        (2, Outcome.DELIVERED, "relay-t"),
    ]
    assert tries[0].error == "TimeoutError: webhook timed out"


def test_one_failing_destination_never_holds_back_another(
    wiring: Wiring, clerk: Actor, drafted: Drafted
) -> None:
    three_then_one(wiring.service, clerk, drafted)
    down = MemoryDestination("down")
    down.failure = ConnectionError("refused")
    relay = relay_for(wiring, down, wiring.destination)
    report = relay.run_once()
    assert published(wiring.destination.received) == EXPECTED
    assert (report.delivered, report.retried) == (4, 2)  # "down": one per return, the rest held


def only_message(wiring: Wiring) -> OutboxMessage:
    ((_, message),) = wiring.database.committed.outbox.values()
    return message


def test_retries_follow_the_schedule_then_the_message_is_dead(
    wiring: Wiring, drafted: Drafted, caplog: pytest.LogCaptureFixture
) -> None:
    drafted((MOUSE, 1, "wrong_order"))
    message = only_message(wiring)
    down = MemoryDestination("down")
    down.failure = TransientFailure("SMTP 451 try later")
    relay = relay_for(wiring, down)
    waits = []
    with caplog.at_level(logging.INFO, logger="crm_returns.relay"):
        for _ in range(SHORT.tries):
            assert relay.run_once().tried == 1
            (delivery,) = relay.deliveries(message.id)
            waits.append(delivery.due_at - wiring.clock.now())
            wiring.clock.advance(max(delivery.due_at - wiring.clock.now(), timedelta(0)))
    assert waits[:3] == list(SHORT.delays)
    (dead,) = relay.dead_letters()
    assert (dead.message_id, dead.status, dead.attempts, dead.last_error) == (
        message.id,
        DeliveryStatus.DEAD,
        SHORT.tries,
        "SMTP 451 try later",
    )
    assert "is dead after 4 tries: SMTP 451 try later" in caplog.text
    assert "failed (transient)" in caplog.text
    assert relay.run_once().tried == 0  # dead letters wait for an operator


def test_jitter_spreads_waits_and_retry_after_is_honoured(wiring: Wiring, drafted: Drafted) -> None:
    drafted((MOUSE, 1, "wrong_order"))
    message = only_message(wiring)
    down = MemoryDestination("busy")
    down.failure = TransientFailure("HTTP 429", retry_after=timedelta(hours=1))
    relay = relay_for(wiring, down, schedule=RetrySchedule((timedelta(seconds=100),), jitter=0.2))
    relay.run_once()
    (delivery,) = relay.deliveries(message.id)
    assert delivery.due_at - wiring.clock.now() == timedelta(hours=1)
    spread = []
    for seed in range(20):
        jittered = MemoryDestination(f"jitter-{seed}")
        jittered.failure = TimeoutError()
        relay_for(
            wiring,
            jittered,
            schedule=RetrySchedule((timedelta(seconds=100),), jitter=0.2),
            spin=random.Random(seed).random,  # noqa: S311 - jitter needs no secret
        ).run_once()
        (mine,) = [d for d in relay.deliveries(message.id) if d.destination == jittered.name]
        spread.append((mine.due_at - wiring.clock.now()).total_seconds())
    assert all(80 <= wait <= 120 for wait in spread)
    assert len(set(spread)) > 10


def test_a_permanent_failure_is_dead_at_once_and_replays_on_demand(
    wiring: Wiring, drafted: Drafted
) -> None:
    drafted((MOUSE, 1, "wrong_order"))
    message = only_message(wiring)
    hook = MemoryDestination("hook")
    hook.failure = PermanentFailure("HTTP 400 Bad Request: no such field")
    relay = relay_for(wiring, hook)
    assert relay.run_once().dead == 1
    (dead,) = relay.dead_letters("hook")
    assert (dead.attempts, dead.last_error) == (1, "HTTP 400 Bad Request: no such field")
    assert relay.dead_letters("elsewhere") == []
    hook.failure = None
    (replayed,) = relay.replay(message.id)
    assert (replayed.status, replayed.attempts) == (DeliveryStatus.PENDING, 0)
    assert relay.run_once().delivered == 1
    assert hook.received == [message]
    assert [a.outcome for a in relay.attempts(message.id, "hook")] == [
        Outcome.PERMANENT,
        Outcome.DELIVERED,
    ]
    with pytest.raises(NotFound, match="dead or unknown delivery"):
        relay.replay(message.id)
    with pytest.raises(IllegalDeliveryStep, match="is delivered; cannot replay"):
        relay.replay(message.id, "hook")


def test_an_unknown_outcome_is_never_resent_by_itself(wiring: Wiring, drafted: Drafted) -> None:
    drafted((MOUSE, 1, "wrong_order"))
    message = only_message(wiring)
    sms = MemoryDestination("sms")
    sms.failure = OutcomeUnknown("gateway timed out after the request left")
    relay = relay_for(wiring, sms)
    assert relay.run_once().unknown == 1
    wiring.clock.advance(timedelta(days=7))
    assert relay.run_once().tried == 0
    (unknown,) = relay.dead_letters()
    assert unknown.status is DeliveryStatus.UNKNOWN
    resolved = relay.resolve(message.id, "sms")
    assert (resolved.status, resolved.delivered_at) == (
        DeliveryStatus.DELIVERED,
        wiring.clock.now(),
    )
    assert relay.dead_letters() == []
    with pytest.raises(IllegalDeliveryStep):
        relay.resolve(message.id, "sms")
    with pytest.raises(NotFound):
        relay.resolve(message.id, "nowhere")


def test_a_gone_destination_is_disabled_and_its_messages_wait(
    wiring: Wiring, clerk: Actor, drafted: Drafted
) -> None:
    three_then_one(wiring.service, clerk, drafted)
    hook = MemoryDestination("hook")
    hook.failure = DestinationGone("HTTP 410 Gone")
    relay = relay_for(wiring, hook, wiring.destination)
    report = relay.run_once()
    assert report.delivered == 4  # the other destination goes on
    states = {state.name: state for state in relay.states()}
    assert states["hook"].disabled_reason == "HTTP 410 Gone"
    assert states["memory"].disabled_at is None
    hook.failure = None
    assert relay.run_once().tried == 0
    relay.enable("hook")
    assert relay.run_once().delivered == 4
    assert published(hook.received) == EXPECTED
    first = hook.received[0]
    assert [(a.number, a.outcome) for a in relay.attempts(first.id, "hook")] == [
        (0, Outcome.GONE),
        (1, Outcome.DELIVERED),
    ]


def test_a_crashed_relays_lease_runs_out_and_another_relay_delivers(
    wiring: Wiring, drafted: Drafted
) -> None:
    drafted((MOUSE, 1, "wrong_order"))
    message = only_message(wiring)
    now = wiring.clock.now()
    with wiring.database.unit_of_work() as uow:  # a relay that claimed, then died
        uow.deliveries.fan_out("memory", now, 10)
        assert (
            len(uow.deliveries.claim("memory", "dead-relay", now, now + timedelta(minutes=2), 10))
            == 1
        )
        uow.commit()
    assert wiring.relay.run_once().tried == 0
    wiring.clock.advance(timedelta(minutes=2, seconds=1))
    assert wiring.relay.run_once().delivered == 1
    assert wiring.destination.received == [message]


def test_a_receiver_may_call_the_service(wiring: Wiring, clerk: Actor, drafted: Drafted) -> None:
    three_then_one(wiring.service, clerk, drafted)
    seen: list[ReturnStatus] = []

    class ReadsBack:
        name = "reads-back"

        def deliver(self, message: OutboxMessage) -> None:
            seen.append(wiring.service.get_return(clerk, message.event.return_id).status)

    assert relay_for(wiring, ReadsBack()).run_once().delivered == 4
    assert seen == [ReturnStatus.APPROVED] * 3 + [ReturnStatus.DRAFT]


def test_purge_forgets_what_every_destination_took_before_the_date(
    wiring: Wiring, clerk: Actor, drafted: Drafted
) -> None:
    three_then_one(wiring.service, clerk, drafted)
    slow = FailsFor("slow", PermanentFailure("no"))
    relay = relay_for(wiring, wiring.destination, slow)
    relay.run_once()
    wiring.clock.advance(timedelta(days=1))
    assert relay.purge(wiring.clock.now()) == 1  # the second return's draft went everywhere
    kept = [m.event.number for _, m in wiring.database.committed.outbox.values()]
    assert kept == ["RT-20261127-000001"] * 3
    with pytest.raises(NotFound):
        relay.message(wiring.destination.received[3].id)
    assert relay.message(wiring.destination.received[0].id) == wiring.destination.received[0]
    with pytest.raises(InvalidInput, match="timezone-aware"):
        relay.purge(wiring.clock.now().replace(tzinfo=None))


def test_relay_settings_and_destinations_are_checked(wiring: Wiring) -> None:
    with pytest.raises(InvalidInput, match="batch"):
        RelaySettings(batch=0)
    with pytest.raises(InvalidInput, match="timedelta"):
        RelaySettings(lease=timedelta(0))
    with pytest.raises(InvalidInput, match="delays"):
        RetrySchedule(())
    with pytest.raises(InvalidInput, match="jitter"):
        RetrySchedule((timedelta(seconds=1),), jitter=1)
    with pytest.raises(InvalidInput, match="two destinations are named 'memory'"):
        wiring.service.relay([MemoryDestination(), MemoryDestination()])
    with pytest.raises(InvalidInput, match="needs a name"):
        wiring.service.relay([object()])  # type: ignore[list-item]
    with pytest.raises(InvalidInput, match="RelaySettings"):
        wiring.service.relay([], "fast")  # type: ignore[arg-type]


def test_a_hosts_own_function_is_a_destination(
    wiring: Wiring, clerk: Actor, drafted: Drafted
) -> None:
    three_then_one(wiring.service, clerk, drafted)
    seen: list[str] = []
    refusals = iter([PermanentFailure("the ERP has no such company")])

    def post_to_erp(message: OutboxMessage) -> None:
        if message.event.number.endswith("000002"):
            raise next(refusals)
        seen.append(message.event.number)

    relay = relay_for(wiring, CallableDestination("erp", post_to_erp))
    report = relay.run_once()
    assert (report.delivered, report.dead) == (3, 1)
    assert seen == ["RT-20261127-000001"] * 3
    (dead,) = relay.dead_letters("erp")
    assert dead.last_error == "the ERP has no such company"
    with pytest.raises(InvalidInput, match="callable"):
        CallableDestination("erp", "post_to_erp")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="needs a name"):
        CallableDestination("", post_to_erp)
