"""OutboxContract: events wait in the outbox, oldest first, until delivered."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from collections.abc import Sequence

import pytest

from crm_returns.ports import OutboxMessage
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import History, history

__all__ = ["OutboxContract"]


class _Boom(Exception):
    """Raised inside a unit of work to leave it by an error."""


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


def _deliver_then_fail(factory: UnitOfWorkFactory, message: OutboxMessage, sample: History) -> None:
    with factory() as uow:
        uow.outbox.mark_delivered(message.id, sample.completed.updated_at)
        raise _Boom


class OutboxContract(Contract):
    """``uow.outbox`` keeps every tenant's events, oldest first, until marked delivered.

    The outbox is not scoped by tenant: one relay delivers every tenant's events.
    """

    def test_an_empty_outbox_has_nothing_pending(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A new store has no messages."""
        with unit_of_work_factory() as uow:
            assert list(uow.outbox.pending(100)) == []

    def test_pending_messages_read_back_exactly_oldest_first(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Messages come back whole — every kind of event — in the order they were queued."""
        messages = _queue_all(unit_of_work_factory, history())
        with unit_of_work_factory() as uow:
            pending = list(uow.outbox.pending(len(messages) + 10))
        assert_identical(pending, messages, "pending messages")

    def test_pending_gives_at_most_limit_messages_the_oldest(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``limit`` caps how many come back, keeping the oldest."""
        messages = _queue_all(unit_of_work_factory, history())
        with unit_of_work_factory() as uow:
            for limit in (1, 2, len(messages) - 1, len(messages)):
                pending = list(uow.outbox.pending(limit))
                assert_identical(pending, messages[:limit], f"pending({limit})")

    def test_pending_messages_stay_until_delivered(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Reading the outbox takes nothing out of it, in as many units of work as it takes."""
        messages = _queue_all(unit_of_work_factory, history())
        for _ in range(3):
            with unit_of_work_factory() as uow:
                pending = list(uow.outbox.pending(len(messages)))
                uow.commit()
            assert_identical(pending, messages, "pending messages")

    def test_a_delivered_message_is_no_longer_pending(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Marked delivered, a message leaves the pending list; the others keep their order."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        delivered = {messages[0].id, messages[3].id}
        rest = [message for message in messages if message.id not in delivered]
        with unit_of_work_factory() as uow:
            for message_id in sorted(delivered):
                uow.outbox.mark_delivered(message_id, sample.completed.updated_at)
            inside = list(uow.outbox.pending(len(messages)))
            uow.commit()
        with unit_of_work_factory() as uow:
            after = list(uow.outbox.pending(len(messages)))
            first = list(uow.outbox.pending(1))
        assert_identical(inside, rest, "pending in the unit of work that delivered")
        assert_identical(after, rest, "pending after commit")
        assert_identical(first, rest[:1], "the oldest still pending")

    def test_a_delivery_not_committed_leaves_the_message_pending(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A relay that fails after marking a message delivered leaves it pending."""
        sample = history()
        messages = _queue_all(unit_of_work_factory, sample)
        with pytest.raises(_Boom):
            _deliver_then_fail(unit_of_work_factory, messages[0], sample)
        with unit_of_work_factory() as uow:
            assert_identical(list(uow.outbox.pending(len(messages))), messages, "pending")
