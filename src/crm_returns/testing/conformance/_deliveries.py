"""DeliveriesContract: every destination gets every committed message, in order, at its own pace."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs
import pytest

from crm_returns.domain.delivery.deliveries import Attempt, Delivery
from crm_returns.domain.delivery.states import DeliveryStatus, Outcome
from crm_returns.ports import OutboxMessage
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import History, history

__all__ = ["DeliveriesContract", "kept_messages"]

_SECOND = timedelta(seconds=1)


class _Boom(Exception):
    """Raised inside a unit of work to leave it by an error."""


def kept_messages(
    factory: UnitOfWorkFactory, messages: Sequence[OutboxMessage]
) -> list[OutboxMessage]:
    """Those of ``messages`` the store keeps, read in a unit of work of their own."""
    with factory() as uow:
        found = [uow.deliveries.message(message.id) for message in messages]
    return [message for message in found if message is not None]


def _queue(factory: UnitOfWorkFactory, messages: Sequence[OutboxMessage]) -> None:
    with factory() as uow:
        for message in messages:
            uow.outbox.add(message)
        uow.commit()


def _queue_all(factory: UnitOfWorkFactory, sample: History) -> list[OutboxMessage]:
    half = len(sample.messages) // 2
    _queue(factory, sample.messages[:half])
    _queue(factory, sample.messages[half:])
    return list(sample.messages)


def _now(sample: History) -> datetime:
    return sample.completed.updated_at


def _fan_out(factory: UnitOfWorkFactory, destination: str, at: datetime, limit: int = 1000) -> int:
    with factory() as uow:
        made = uow.deliveries.fan_out(destination, at, limit)
        uow.commit()
    return made


def _claim(
    factory: UnitOfWorkFactory,
    destination: str,
    at: datetime,
    *,
    relay: str = "relay-a",
    limit: int = 1000,
    lease: timedelta = 60 * _SECOND,
) -> list[str]:
    with factory() as uow:
        claims = uow.deliveries.claim(destination, relay, at, at + lease, limit)
        uow.commit()
    return [claim.message.id for claim in claims]


def _record(factory: UnitOfWorkFactory, delivery: Delivery, outcome: Outcome, at: datetime) -> None:
    after = attrs.evolve(
        delivery,
        status=DeliveryStatus.DELIVERED if outcome is Outcome.DELIVERED else DeliveryStatus.DEAD,
        attempts=delivery.attempts + 1,
        delivered_at=at if outcome is Outcome.DELIVERED else None,
        last_error="" if outcome is Outcome.DELIVERED else "refused",
    )
    attempt = Attempt(
        destination=delivery.destination,
        message_id=delivery.message_id,
        number=after.attempts,
        at=at,
        outcome=outcome,
        error=after.last_error,
        relay="relay-a",
    )
    with factory() as uow:
        uow.deliveries.record(after, attempt)
        uow.commit()


def _get(factory: UnitOfWorkFactory, destination: str, message_id: str) -> Delivery:
    with factory() as uow:
        found = uow.deliveries.get(destination, message_id)
    assert found is not None, f"{destination} has no delivery of {message_id}"
    return found


def _deliver_all(factory: UnitOfWorkFactory, destination: str, at: datetime) -> None:
    _fan_out(factory, destination, at)
    while True:
        claimed = _claim(factory, destination, at)
        if not claimed:
            return
        for message_id in claimed:
            _record(factory, _get(factory, destination, message_id), Outcome.DELIVERED, at)


def _claim_then_fail(factory: UnitOfWorkFactory, now: datetime) -> None:
    with factory() as uow:
        uow.deliveries.fan_out("mail", now, 1000)
        uow.deliveries.claim("mail", "relay-a", now, now + _SECOND, 1000)
        raise _Boom


class DeliveriesContract(Contract):
    """``uow.outbox`` and ``uow.deliveries``: each destination's deliveries of every message.

    Not scoped by tenant: one relay delivers every tenant's events.
    """

    def test_messages_read_back_exactly(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """A committed message comes back whole — every kind of event, with its summary."""
        messages = _queue_all(unit_of_work_factory, history())
        assert_identical(kept_messages(unit_of_work_factory, messages), messages, "messages")

    def test_a_destination_gets_each_message_once_in_commit_order(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Fanning out makes one pending delivery per message, oldest first; again, none."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        assert _fan_out(unit_of_work_factory, "mail", now) == len(messages)
        assert _fan_out(unit_of_work_factory, "mail", now) == 0
        with unit_of_work_factory() as uow:
            found = uow.deliveries.find([DeliveryStatus.PENDING], destination="mail", limit=1000)
        assert [d.message_id for d in found] == [m.id for m in messages]
        assert [d.seq for d in found] == sorted(d.seq for d in found)
        assert all(d.attempts == 0 and d.due_at == now for d in found)
        assert {(d.tenant_id, d.return_id) for d in found} == {
            (m.event.tenant_id, m.event.return_id) for m in messages
        }

    def test_fanning_out_takes_at_most_limit_and_goes_on_from_there(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``limit`` caps one fan-out; the next one starts where it stopped."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        made = [_fan_out(unit_of_work_factory, "mail", _now(sample), limit=2) for _ in messages]
        assert sum(made) == len(messages)
        assert made[0] == 2

    def test_destinations_do_not_hold_each_other_back(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """What one destination did says nothing about another's deliveries."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        _deliver_all(unit_of_work_factory, "mail", _now(sample))
        assert _fan_out(unit_of_work_factory, "erp", _now(sample)) == len(messages)
        with unit_of_work_factory() as uow:
            erp = uow.deliveries.find([DeliveryStatus.PENDING], destination="erp", limit=1000)
            mail = uow.deliveries.find([DeliveryStatus.DELIVERED], destination="mail", limit=1000)
            names = [state.name for state in uow.deliveries.destinations()]
        assert len(erp) == len(mail) == len(messages)
        assert names == ["erp", "mail"]

    def test_a_claim_leases_deliveries_to_one_relay_until_the_lease_ends(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Another relay gets nothing a lease holds; once it ends, the deliveries are free."""
        sample = history()
        _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        _fan_out(unit_of_work_factory, "mail", now)
        first = _claim(unit_of_work_factory, "mail", now, relay="relay-a")
        assert first
        assert _claim(unit_of_work_factory, "mail", now + 30 * _SECOND, relay="relay-b") == []
        later = _claim(unit_of_work_factory, "mail", now + 61 * _SECOND, relay="relay-b")
        assert sorted(later) == sorted(first)

    def test_a_claim_keeps_each_returns_messages_in_order(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A return's later messages wait while an earlier one is leased or not due yet."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        _fan_out(unit_of_work_factory, "mail", now)
        first = _claim(unit_of_work_factory, "mail", now, limit=1)
        head = next(m for m in messages if m.id == first[0])
        rest = _claim(unit_of_work_factory, "mail", now, relay="relay-b")
        same_return = [m.id for m in messages if m.event.return_id == head.event.return_id]
        assert first[0] == messages[0].id
        assert not set(rest) & set(same_return), "a later message overtook a leased one"
        others = {m.event.return_id for m in messages} - {head.event.return_id}
        assert {m.event.return_id for m in messages if m.id in rest} == others

    def test_a_delivery_that_waits_holds_back_its_return_only(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A failed delivery due later holds its return's later messages, not other returns'."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        _fan_out(unit_of_work_factory, "mail", now)
        _claim(unit_of_work_factory, "mail", now)
        head = _get(unit_of_work_factory, "mail", messages[0].id)
        with unit_of_work_factory() as uow:
            uow.deliveries.record(attrs.evolve(head, attempts=1, due_at=now + 300 * _SECOND), None)
            uow.deliveries.release("mail", [m.id for m in messages[1:]])
            uow.commit()
        claimed = _claim(unit_of_work_factory, "mail", now + _SECOND)
        held = {m.id for m in messages if m.event.return_id == head.return_id}
        assert set(claimed) == {m.id for m in messages} - held
        assert messages[0].id in _claim(unit_of_work_factory, "mail", now + 301 * _SECOND)

    def test_a_recorded_outcome_sticks_with_its_attempt(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Delivered or dead, a delivery is claimed no more; its attempts read back in order."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        _fan_out(unit_of_work_factory, "mail", now)
        _claim(unit_of_work_factory, "mail", now)
        first, second = messages[0].id, messages[1].id
        _record(
            unit_of_work_factory, _get(unit_of_work_factory, "mail", first), Outcome.DELIVERED, now
        )
        _record(
            unit_of_work_factory, _get(unit_of_work_factory, "mail", second), Outcome.PERMANENT, now
        )
        later = now + 3600 * _SECOND
        assert not {first, second} & set(_claim(unit_of_work_factory, "mail", later))
        delivered = _get(unit_of_work_factory, "mail", first)
        dead = _get(unit_of_work_factory, "mail", second)
        assert (delivered.status, delivered.delivered_at, delivered.attempts) == (
            DeliveryStatus.DELIVERED,
            now,
            1,
        )
        assert (dead.status, dead.last_error) == (DeliveryStatus.DEAD, "refused")
        with unit_of_work_factory() as uow:
            tries = uow.deliveries.attempts("mail", second)
            dead_letters = uow.deliveries.find([DeliveryStatus.DEAD], limit=10)
        assert [(a.number, a.outcome, a.error, a.at) for a in tries] == [
            (1, Outcome.PERMANENT, "refused", now)
        ]
        assert [d.message_id for d in dead_letters] == [second]

    def test_a_delivered_delivery_is_never_undone(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A late outcome from a relay whose lease ran out does not unmake a delivery."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        _fan_out(unit_of_work_factory, "mail", now)
        pending = _get(unit_of_work_factory, "mail", messages[0].id)
        _record(unit_of_work_factory, pending, Outcome.DELIVERED, now)
        _record(unit_of_work_factory, pending, Outcome.PERMANENT, now)
        assert _get(unit_of_work_factory, "mail", messages[0].id).status is DeliveryStatus.DELIVERED

    def test_a_disabled_destination_is_known_until_enabled(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Disabling keeps when and why; enabling clears both."""
        now = _now(history())
        with unit_of_work_factory() as uow:
            uow.deliveries.disable("hook", now, "HTTP 410 Gone")
            uow.commit()
        with unit_of_work_factory() as uow:
            (state,) = uow.deliveries.destinations()
        assert (state.name, state.disabled_at, state.disabled_reason) == (
            "hook",
            now,
            "HTTP 410 Gone",
        )
        with unit_of_work_factory() as uow:
            uow.deliveries.enable("hook")
            uow.commit()
        with unit_of_work_factory() as uow:
            (state,) = uow.deliveries.destinations()
        assert (state.disabled_at, state.disabled_reason) == (None, "")

    def test_purge_forgets_only_what_every_destination_took_before_the_date(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Messages one destination still owes, or took on or after the date, stay."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        _deliver_all(unit_of_work_factory, "mail", now)
        _fan_out(unit_of_work_factory, "erp", now)
        erp_done = messages[: len(messages) // 2]
        for message in erp_done:
            _record(
                unit_of_work_factory,
                _get(unit_of_work_factory, "erp", message.id),
                Outcome.DELIVERED,
                now,
            )
        with unit_of_work_factory() as uow:
            assert uow.deliveries.purge(now, 1000) == 0
            uow.commit()
        with unit_of_work_factory() as uow:
            purged = uow.deliveries.purge(now + _SECOND, 1000)
            uow.commit()
        assert purged == len(erp_done)
        kept = kept_messages(unit_of_work_factory, messages)
        assert [m.id for m in kept] == [m.id for m in messages[len(erp_done) :]]
        with unit_of_work_factory() as uow:
            assert uow.deliveries.get("mail", erp_done[0].id) is None
            assert uow.deliveries.attempts("mail", erp_done[0].id) == []

    def test_messages_written_after_a_purge_still_reach_every_destination(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A purge that empties the outbox leaves no place a new message could hide behind."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        _deliver_all(unit_of_work_factory, "mail", now)
        with unit_of_work_factory() as uow:
            assert uow.deliveries.purge(now + _SECOND, 1000) == len(messages)
            uow.commit()
        later = attrs.evolve(messages[-1], id="written-after-the-purge")
        _queue(unit_of_work_factory, [later])
        assert _fan_out(unit_of_work_factory, "mail", now) == 1
        assert _claim(unit_of_work_factory, "mail", now) == [later.id]

    def test_a_unit_of_work_that_fails_leaves_deliveries_as_they_were(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A fan-out, claim and outcome not committed leave no trace."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        now = _now(sample)
        with pytest.raises(_Boom):
            _claim_then_fail(unit_of_work_factory, now)
        with unit_of_work_factory() as uow:
            assert uow.deliveries.destinations() == []
            assert uow.deliveries.get("mail", messages[0].id) is None
        assert _fan_out(unit_of_work_factory, "mail", now) == len(messages)
