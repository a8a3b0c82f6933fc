"""The outbox and each destination's deliveries, in memory.

Messages are kept in the order they were committed (the database lock makes
that one order).  The deliveries of a unit of work are a copy of the
committed ones, taken when it first touches them and put in their place at
commit: only the relay's short units of work pay for it, never a command.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from crm_returns.adapters.memory.committed import Committed, DeliveryBook
from crm_returns.domain.delivery.deliveries import Attempt, Delivery
from crm_returns.domain.delivery.states import DeliveryStatus
from crm_returns.ports.delivery import Claim, DestinationState, OutboxMessage

__all__ = ["MemoryDeliveries", "MemoryOutbox"]


class MemoryOutbox:
    """The :class:`~crm_returns.ports.Outbox` of a memory unit of work."""

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Messages queued in this unit of work, in order.
        self.pending: list[OutboxMessage] = []

    def add(self, message: OutboxMessage) -> None:
        """Queue ``message`` for every destination."""
        self.pending.append(message)

    def apply(self) -> None:
        """Commit the queued messages, after every message committed before."""
        for message in self.pending:
            self._db.last_seq += 1
            self._db.outbox[message.id] = (self._db.last_seq, message)


class MemoryDeliveries:
    """The :class:`~crm_returns.ports.Deliveries` of a memory unit of work."""

    def __init__(self, db: Committed, outbox: MemoryOutbox) -> None:
        self._db = db
        self._outbox = outbox
        #: This unit of work's copy of the deliveries, once it touched them.
        self.pending: list[DeliveryBook] = []

    @property
    def _book(self) -> DeliveryBook:
        if not self.pending:
            self.pending.append(self._db.deliveries.copy())
        return self.pending[0]

    def apply(self) -> None:
        """Put this unit of work's deliveries in place of the committed ones."""
        if self.pending:
            book = self.pending[0]
            for message_id in book.purged:
                del self._db.outbox[message_id]
            book.purged.clear()
            self._db.deliveries = book

    def fan_out(self, destination: str, due_at: datetime, limit: int) -> int:
        """Give ``destination`` a pending delivery of up to ``limit`` messages past its cursor."""
        book = self._book
        cursor = book.cursors.get(destination, 0)
        made = 0
        for seq, message in self._db.outbox.values():
            if made == limit:
                break
            if seq <= cursor:
                continue
            event = message.event
            book.deliveries[(destination, message.id)] = Delivery(
                destination=destination,
                message_id=message.id,
                tenant_id=event.tenant_id,
                return_id=event.return_id,
                seq=seq,
                due_at=due_at,
            )
            cursor = seq
            made += 1
        book.cursors[destination] = cursor
        return made

    def claim(
        self, destination: str, relay: str, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[Claim]:
        """Lease up to ``limit`` due deliveries of ``destination`` to ``relay``."""
        book = self._book
        waiting: set[str] = set()
        claims: list[Claim] = []
        for delivery in sorted(
            (d for (name, _), d in book.deliveries.items() if name == destination),
            key=lambda d: d.seq,
        ):
            if len(claims) == limit:
                break
            if delivery.status is not DeliveryStatus.PENDING:
                continue
            key = (destination, delivery.message_id)
            lease = book.leases.get(key)
            busy = delivery.due_at > now or (lease is not None and lease[1] > now)
            if busy or delivery.return_id in waiting:
                # It waits, and so does every later message of its return.
                waiting.add(delivery.return_id)
                continue
            book.leases[key] = (relay, lease_until)
            claims.append(Claim(delivery, self._db.outbox[delivery.message_id][1]))
        return claims

    def record(self, delivery: Delivery, attempt: Attempt | None) -> None:
        """Save ``delivery`` (and ``attempt``); its lease ends."""
        book = self._book
        key = (delivery.destination, delivery.message_id)
        stored = book.deliveries.get(key)
        if stored is not None and stored.status is DeliveryStatus.DELIVERED:
            delivery = stored
        book.deliveries[key] = delivery
        book.leases.pop(key, None)
        if attempt is not None:
            book.attempts[key] = (*book.attempts.get(key, ()), attempt)

    def release(self, destination: str, message_ids: Sequence[str]) -> None:
        """End the leases of deliveries that were claimed and not tried."""
        book = self._book
        for message_id in message_ids:
            book.leases.pop((destination, message_id), None)

    def get(self, destination: str, message_id: str) -> Delivery | None:
        """One delivery, if the destination has it."""
        return self._book.deliveries.get((destination, message_id))

    def message(self, message_id: str) -> OutboxMessage | None:
        """An outbox message, if it is still kept."""
        kept = self._db.outbox.get(message_id)
        if kept is not None:
            return kept[1]
        return next((m for m in self._outbox.pending if m.id == message_id), None)

    def find(
        self,
        statuses: Sequence[DeliveryStatus],
        *,
        destination: str | None = None,
        message_id: str | None = None,
        limit: int,
    ) -> Sequence[Delivery]:
        """Deliveries in one of ``statuses``, oldest message first."""
        found = [
            d
            for d in self._book.deliveries.values()
            if d.status in statuses
            and (destination is None or d.destination == destination)
            and (message_id is None or d.message_id == message_id)
        ]
        found.sort(key=lambda d: (d.seq, d.destination))
        return found[:limit]

    def attempts(self, destination: str, message_id: str) -> Sequence[Attempt]:
        """Every try to deliver a message to a destination, oldest first."""
        return list(self._book.attempts.get((destination, message_id), ()))

    def destinations(self) -> Sequence[DestinationState]:
        """Every destination that has been fanned out to, by name."""
        book = self._book
        return [
            DestinationState(
                name=name,
                disabled_at=book.disabled[name][0] if name in book.disabled else None,
                disabled_reason=book.disabled[name][1] if name in book.disabled else "",
            )
            for name in sorted(book.cursors)
        ]

    def disable(self, destination: str, at: datetime, reason: str) -> None:
        """Stop delivering to ``destination``."""
        book = self._book
        book.cursors.setdefault(destination, 0)
        book.disabled[destination] = (at, reason)

    def enable(self, destination: str) -> None:
        """Deliver to ``destination`` again."""
        self._book.disabled.pop(destination, None)

    def purge(self, delivered_before: datetime, limit: int) -> int:
        """Forget up to ``limit`` messages every destination took before ``delivered_before``."""
        book = self._book
        floor = min(book.cursors.values(), default=0)
        by_message: dict[str, list[Delivery]] = {}
        for delivery in book.deliveries.values():
            by_message.setdefault(delivery.message_id, []).append(delivery)
        purged = 0
        for message_id, (seq, _) in list(self._db.outbox.items()):
            if purged == limit or seq > floor:
                break
            deliveries = by_message.get(message_id, [])
            if all(
                d.delivered_at is not None
                and d.status is DeliveryStatus.DELIVERED
                and d.delivered_at < delivered_before
                for d in deliveries
            ) and len(deliveries) == len(book.cursors):
                for delivery in deliveries:
                    key = (delivery.destination, message_id)
                    del book.deliveries[key]
                    book.attempts.pop(key, None)
                book.purged.append(message_id)
                purged += 1
        return purged
