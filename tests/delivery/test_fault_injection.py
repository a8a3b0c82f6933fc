"""Fault injection: thousands of events through a real SMTP server, webhook endpoint and broker.

Returns driven through the service (the memory store and a SQLite file) make
2,000 events each in CI (the ``ci`` hypothesis profile; 1,000 and 500 in the
quick local one, to keep it under a minute).  One relay then sends every
event to three real destinations at once — e-mail over SMTP to aiosmtpd, a signed webhook to an
``http.server``, and RabbitMQ with publisher confirms — while each server, for
stretches drawn from a seed, refuses connections, times out, answers 4xx or
5xx, or nacks (see ``receivers.py``).  Rounds run, the manual clock moving on
so that retries fall due, until nothing is left to try.  Then, at each
receiver, deduplicating on the id its protocol carries:

- every message arrived, except those dead-lettered;
- a message that came twice came under the same id, with the same content;
- a message is dead only if that receiver refused it for good (550, 400);
- each return's messages first arrived in the order of the outbox.

The RabbitMQ part needs ``CRM_RETURNS_TEST_AMQP_URL`` and is skipped without
it (failed in CI, where ``CRM_RETURNS_REQUIRE_AMQP`` is set).
"""

from __future__ import annotations

import base64
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import timedelta

import attrs
import pytest

# The suite also runs without the optional extras; then this module is skipped.
pytest.importorskip("httpx", reason="needs the webhooks extra")
pytest.importorskip("pika", reason="needs the amqp extra")
pytest.importorskip("aiosmtpd", reason="needs the dev extra")

from tests.adapters.rabbitmq import AMQP_URL, REQUIRE_AMQP, Broker
from tests.adapters.smtp_server import running_server
from tests.delivery.faults import FaultPlan, Troubled
from tests.delivery.gate import Gate
from tests.delivery.receivers import (
    SENDER,
    FaultyBroker,
    FaultyMailHandler,
    FaultyWebhookReceiver,
    MailEachEvent,
)
from tests.delivery.workload import drive_returns

from crm_returns import DeliveryStatus, RelayReport, RelaySettings, RetrySchedule
from crm_returns.adapters.amqp import AmqpDestination, AmqpSettings
from crm_returns.adapters.smtp import SmtpMailer, SmtpSecurity, SmtpSettings, message_id_header
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.webhooks import WebhookDestination, WebhookEndpoint
from crm_returns.domain.delivery.deliveries import Delivery
from crm_returns.ports import UnitOfWork
from crm_returns.service.delivery import EventRelay
from crm_returns.service.relay_settings import RELAY_LIMIT
from crm_returns.testing import Wiring, sample_wiring

THOROUGH = (
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
) == "ci"
#: Events to make, by store: 2,000 on each in CI; fewer in the quick local profile.
EVENTS = {"memory": 2000 if THOROUGH else 1000, "sqlite": 2000 if THOROUGH else 500}
SEED = 20261127
SECRET = "whsec_" + base64.b64encode(b"fault injection secret, 32 bytes").decode()
#: A client gives up on a silent server after this long.
TIMEOUT = timedelta(seconds=0.3)
#: Fifteen tries, a minute apart at most: transient faults never exhaust them.
SCHEDULE = RetrySchedule(
    tuple(timedelta(seconds=s) for s in (1, 2, 4, 8, 15, 30, 60, 60, 60, 60, 60, 60, 60, 60)),
    jitter=0.2,
)
#: Longer than any wait the schedule or a Retry-After asks for.
REST = timedelta(hours=1)


@attrs.frozen
class Seen:
    """What one receiver saw, and how its ids relate to the outbox's."""

    destination: Troubled
    faults: tuple[str, ...]
    arrivals: list[tuple[str, bytes]]
    refused_for_good: set[str]
    key: Callable[[str], str] = str
    permanent_text: str = ""


@attrs.frozen
class Run:
    """One settled run: what each receiver saw, and every delivery the store keeps."""

    seen: dict[str, Seen]
    deliveries: dict[str, list[Delivery]]
    report: RelayReport
    events: int
    forged: list[str]
    seconds: float


def settle(relay: EventRelay, wiring: Wiring, rounds: int = 20_000) -> RelayReport:
    """Run rounds until two in a row, an hour apart, try nothing."""
    total, idle = RelayReport(), 0
    for _ in range(rounds):
        report = relay.run_once()
        total += report
        if report.tried:
            idle = 0
            wiring.clock.advance(timedelta(seconds=1))
        else:
            idle += 1
            if idle == 2:
                return total
            wiring.clock.advance(REST)
    pytest.fail(f"the relay was still busy after {rounds} rounds: {total}")


def plan_for(faults: tuple[str, ...], slow: frozenset[str], store: str, n: int) -> FaultPlan:
    """A plan whose every fault comes about three times in the run, whatever its length."""
    longest_calm = max(20, EVENTS[store] // (2 * len(faults)))
    return FaultPlan(faults, SEED + n, calm=(10, longest_calm), brief=slow)


def every_delivery(unit_of_work: Callable[[], UnitOfWork], name: str) -> list[Delivery]:
    with unit_of_work() as uow:
        return list(uow.deliveries.find(tuple(DeliveryStatus), destination=name, limit=RELAY_LIMIT))


@pytest.fixture(scope="module")
def broker() -> Iterator[Broker | None]:
    url = os.environ.get(AMQP_URL, "")
    if not url:
        if os.environ.get(REQUIRE_AMQP):
            pytest.fail(f"{AMQP_URL} is not set, and {REQUIRE_AMQP} says the broker must be used")
        yield None
        return
    made = Broker(url)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def run(
    request: pytest.FixtureRequest,
    broker: Broker | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Run]:
    store: str = request.param
    database = None
    if store == "sqlite":
        database = SqlDatabase.connect(f"sqlite:///{tmp_path_factory.mktemp('faults')}/r.db")
        database.upgrade()
    wiring = sample_wiring(unit_of_work=database.unit_of_work if database else None)
    unit_of_work = database.unit_of_work if database else wiring.database.unit_of_work
    drive_returns(wiring, EVENTS[store], SEED)

    mail, hooks = FaultyMailHandler(), FaultyWebhookReceiver((SECRET,), wiring.clock)
    faulty_broker = FaultyBroker(broker) if broker is not None else None
    webhook = WebhookDestination(
        WebhookEndpoint(name="hooks", url=hooks.url, secrets=SECRET, timeout=TIMEOUT),
        clock=wiring.clock,
    )
    amqp = (
        AmqpDestination(
            AmqpSettings(
                url=faulty_broker.url,
                exchange=faulty_broker.exchange,
                name="broker",
                connect_timeout=TIMEOUT,
            )
        )
        if faulty_broker is not None
        else None
    )
    try:
        with running_server(mail) as smtp_port:
            mail.gate = gate = Gate(("127.0.0.1", smtp_port))
            mailer = SmtpMailer(
                SmtpSettings(
                    host="127.0.0.1",
                    port=gate.port,
                    security=SmtpSecurity.NONE,
                    timeout=TIMEOUT,
                    local_hostname="relay.test",
                ),
                clock=wiring.clock,
            )
            seen = {
                "mail": Seen(
                    Troubled(
                        MailEachEvent("mail", mailer),
                        mail,
                        plan_for(mail.FAULTS, mail.SLOW, store, 1),
                    ),
                    mail.FAULTS,
                    mail.arrivals,
                    mail.refused_for_good,
                    key=lambda message_id: message_id_header(message_id, SENDER),
                    permanent_text="550",
                ),
                "hooks": Seen(
                    Troubled(webhook, hooks, plan_for(hooks.FAULTS, hooks.SLOW, store, 2)),
                    hooks.FAULTS,
                    hooks.arrivals,
                    hooks.refused_for_good,
                    permanent_text="HTTP 400",
                ),
            }
            if faulty_broker is not None and amqp is not None:
                plan = plan_for(faulty_broker.FAULTS, faulty_broker.SLOW, store, 3)
                seen["broker"] = Seen(
                    Troubled(amqp, faulty_broker, plan),
                    faulty_broker.FAULTS,
                    [],
                    faulty_broker.refused_for_good,
                )
            relay = wiring.service.relay(
                [s.destination for s in seen.values()],
                RelaySettings(
                    schedule=SCHEDULE,
                    lease=timedelta(minutes=10),
                    batch=200,
                    relay_id="relay-faults",
                    spin=random.Random(SEED).random,  # noqa: S311 - jitter needs no secret
                ),
            )
            started = time.perf_counter()
            report = settle(relay, wiring)
            seconds = time.perf_counter() - started
            gate.close()
        if faulty_broker is not None:
            seen["broker"].arrivals.extend(faulty_broker.arrivals())
        deliveries = {name: every_delivery(unit_of_work, name) for name in seen}
        yield Run(seen, deliveries, report, EVENTS[store], hooks.forged, seconds)
    finally:
        webhook.close()
        hooks.close()
        if amqp is not None:
            amqp.close()
        if faulty_broker is not None:
            faulty_broker.close()
        if database is not None:
            database.dispose()


def check_receiver(run: Run, name: str) -> None:
    """The receiver's promises: all arrived but the dead, duplicates alike, order kept."""
    seen, deliveries = run.seen[name], run.deliveries[name]
    assert len(deliveries) >= run.events
    assert set(seen.faults) <= set(seen.destination.modes), "every fault was made"
    by_key = {seen.key(d.message_id): d for d in deliveries}
    payloads: dict[str, bytes] = {}
    for key, payload in seen.arrivals:
        assert key in by_key, f"{key} is no outbox message"
        assert payloads.setdefault(key, payload) == payload, f"two messages under {key}"
    assert len(seen.arrivals) > len(payloads), "a timeout after arrival or a nack made a copy"
    dead = {key for key, d in by_key.items() if d.status is DeliveryStatus.DEAD}
    delivered = {key for key, d in by_key.items() if d.status is DeliveryStatus.DELIVERED}
    assert delivered | dead == set(by_key), "nothing is left pending or unknown"
    assert delivered <= set(payloads), "no message the relay counts as delivered is lost"
    assert dead <= seen.refused_for_good, "dead only after a permanent answer"
    assert all(seen.permanent_text in by_key[key].last_error for key in dead)
    if seen.permanent_text:
        assert dead, "a permanent fault was made, so something is dead"
    first: dict[str, int] = {}
    for place, (key, _) in enumerate(seen.arrivals):
        first.setdefault(key, place)
    places: dict[str, list[int]] = defaultdict(list)
    for delivery in deliveries:  # oldest message first
        key = seen.key(delivery.message_id)
        if key in first:
            places[delivery.return_id].append(first[key])
    assert all(p == sorted(p) for p in places.values()), "a return's messages out of order"


def test_the_relay_settles_every_message_as_delivered_or_dead(run: Run) -> None:
    assert run.report.unknown == 0
    for name, deliveries in run.deliveries.items():
        dead = sum(d.status is DeliveryStatus.DEAD for d in deliveries)
        delivered = sum(d.status is DeliveryStatus.DELIVERED for d in deliveries)
        assert dead + delivered == len(deliveries) >= run.events, name
    assert run.report.dead == sum(
        d.status is DeliveryStatus.DEAD for ds in run.deliveries.values() for d in ds
    )
    assert run.report.retried > 0
    assert run.forged == [], "every webhook request carried a valid signature"


def test_mail_arrives_through_refusals_timeouts_421_451_and_550(run: Run) -> None:
    check_receiver(run, "mail")


def test_webhooks_arrive_through_refusals_timeouts_500_503_429_and_400(run: Run) -> None:
    check_receiver(run, "hooks")


def test_the_broker_gets_every_message_through_refusals_timeouts_nacks_and_no_route(
    run: Run,
) -> None:
    if "broker" not in run.seen:
        pytest.skip(f"the RabbitMQ part needs {AMQP_URL}=amqp://guest:guest@127.0.0.1:5672/%2F")
    check_receiver(run, "broker")
    assert not any(d.status is DeliveryStatus.DEAD for d in run.deliveries["broker"]), (
        "every broker failure is transient"
    )
