"""Each destination's deliveries of the outbox's messages, in SQL (the outbox: ``outbox.py``).

Fanning out reads the outbox in the order of the transactions that wrote it
(``txid``, then ``seq``): on PostgreSQL only messages whose transaction ended
before the oldest one still open in this database (``outbox.COMMITTED_BEFORE``),
so that a message committed late is never passed over; SQLite writes one transaction
at a time, so ``seq`` is commit order there.  The destination's cursor row is
locked while it moves, so that two relays fan out one destination in turn.

Claiming leases rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, after
taking the destination's cursor row: claims of one destination take turns
(each is one short statement pair), so that every claim sees the leases made
before it and a return's later message never overtakes an earlier one held by
another relay; claims of different destinations run side by side.  SQLite's
write lock serialises claims by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crm_returns.adapters.sql.outbox import COMMITTED_BEFORE
from crm_returns.adapters.sql.statements import Prepared, as_text, dialect_insert, insert_row, param
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.delivery.deliveries import Attempt, Delivery
from crm_returns.domain.delivery.states import DeliveryStatus, Outcome
from crm_returns.errors import InvalidInput
from crm_returns.ports.delivery import Claim, DestinationState, OutboxMessage

__all__ = ["SqlDeliveries"]

_PENDING = DeliveryStatus.PENDING.value


#: A delivery saved as it now stands, its lease ended; a delivered one stays delivered.
_RECORD = Prepared(
    lambda t: (
        sa.update(t.deliveries)
        .where(
            t.deliveries.c.destination == param("destination"),
            t.deliveries.c.message_id == param("message_id"),
            t.deliveries.c.status != param("delivered"),
        )
        .values(
            status=param("status"),
            attempts=param("attempts"),
            due_at=param("due_at"),
            last_error=param("last_error"),
            delivered_at=param("delivered_at"),
            lease_owner=sa.null(),
            lease_until=sa.null(),
        )
    )
)

_ATTEMPT = insert_row(
    lambda t: t.delivery_attempts,
    *("destination", "message_id", "number", "at", "outcome", "error", "relay"),
)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        destination=row.destination,
        message_id=row.message_id,
        tenant_id=row.tenant_id,
        return_id=row.return_id,
        seq=row.seq,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        due_at=row.due_at,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


class SqlDeliveries:
    """The :class:`~crm_returns.ports.Deliveries` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    def _outside_host(self) -> None:
        if self._tx.hosted:
            raise InvalidInput(
                "events are relayed only once committed: run the relay outside the host's "
                "transaction"
            )

    def _cursor(self, destination: str) -> tuple[int, int]:
        """The destination's cursor, locked until the transaction ends; made if it is new."""
        cursors = self._tx.tables.delivery_cursors
        insert = dialect_insert(cursors, self._tx.connection.dialect.name)
        self._tx.execute(
            insert.values(
                destination=destination, cursor_txid=-1, cursor_seq=0, disabled_reason=""
            ).on_conflict_do_nothing(index_elements=["destination"]),
            subject=f"the cursor of {destination}",
        )
        row = self._tx.execute(
            sa.select(cursors.c.cursor_txid, cursors.c.cursor_seq)
            .where(cursors.c.destination == destination)
            .with_for_update(),
            subject=f"the cursor of {destination}",
        ).one()
        return int(row.cursor_txid), int(row.cursor_seq)

    def fan_out(self, destination: str, due_at: datetime, limit: int) -> int:
        """Give ``destination`` a pending delivery of up to ``limit`` messages past its cursor."""
        self._outside_host()
        cursor_txid, cursor_seq = self._cursor(destination)
        outbox = self._tx.tables.outbox
        query = (
            sa.select(
                outbox.c.txid, outbox.c.seq, outbox.c.id, outbox.c.tenant_id, outbox.c.return_id
            )
            .where(sa.tuple_(outbox.c.txid, outbox.c.seq) > sa.tuple_(cursor_txid, cursor_seq))
            .order_by(outbox.c.txid, outbox.c.seq)
            .limit(limit)
        )
        if self._tx.locks_rows:
            # Only what no open transaction of this database precedes: a message
            # written by one still open would otherwise be passed over when it commits.
            query = query.where(outbox.c.txid < sa.literal_column(f"({COMMITTED_BEFORE})"))
        rows = self._tx.execute(query, subject="the outbox").all()
        if not rows:
            return 0
        deliveries = self._tx.tables.deliveries
        insert = dialect_insert(deliveries, self._tx.connection.dialect.name)
        self._tx.execute(
            insert.on_conflict_do_nothing(index_elements=["destination", "message_id"]),
            [
                {
                    "destination": destination,
                    "message_id": row.id,
                    "seq": row.seq,
                    "tenant_id": row.tenant_id,
                    "return_id": row.return_id,
                    "status": _PENDING,
                    "attempts": 0,
                    "due_at": due_at,
                    "last_error": "",
                }
                for row in rows
            ],
            subject=f"the deliveries of {destination}",
        )
        last = rows[-1]
        cursors = self._tx.tables.delivery_cursors
        self._tx.execute(
            sa.update(cursors)
            .where(cursors.c.destination == destination)
            .values(cursor_txid=last.txid, cursor_seq=last.seq),
            subject=f"the cursor of {destination}",
        )
        return len(rows)

    def claim(
        self, destination: str, relay: str, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[Claim]:
        """Lease up to ``limit`` due deliveries of ``destination`` to ``relay``."""
        self._outside_host()
        # Claims of one destination take turns on its cursor row: a relay must see
        # the leases of the one before, or it could take a later message of a return
        # whose earlier message that relay holds (rows it locked are skipped, not seen).
        self._cursor(destination)
        d = self._tx.tables.deliveries
        earlier = d.alias("earlier")
        waiting = (
            sa.select(earlier.c.seq)
            .where(
                earlier.c.destination == d.c.destination,
                earlier.c.return_id == d.c.return_id,
                earlier.c.seq < d.c.seq,
                earlier.c.status == _PENDING,
                sa.or_(
                    earlier.c.due_at > now,
                    sa.and_(earlier.c.lease_until.is_not(None), earlier.c.lease_until > now),
                ),
            )
            .exists()
        )
        query = (
            sa.select(d)
            .where(
                d.c.destination == destination,
                d.c.status == _PENDING,
                d.c.due_at <= now,
                sa.or_(d.c.lease_until.is_(None), d.c.lease_until <= now),
                ~waiting,
            )
            .order_by(d.c.seq)
            .limit(limit)
        )
        if self._tx.locks_rows:
            query = query.with_for_update(of=d, skip_locked=True)
        rows = self._tx.execute(query, subject=f"the deliveries of {destination}").all()
        if not rows:
            return []
        ids = [row.message_id for row in rows]
        self._tx.execute(
            sa.update(d)
            .where(d.c.destination == destination, d.c.message_id.in_(ids))
            .values(lease_owner=relay, lease_until=lease_until),
            subject=f"the deliveries of {destination}",
        )
        outbox = self._tx.tables.outbox
        documents: dict[str, str] = {
            row.id: row.document
            for row in self._tx.execute(
                sa.select(outbox.c.id, as_text(outbox.c.document).label("document")).where(
                    outbox.c.id.in_(ids)
                ),
                subject="the outbox",
            )
        }
        return [
            Claim(_delivery(row), self._codec.decode_text(documents[row.message_id], OutboxMessage))
            for row in rows
        ]

    def record(self, delivery: Delivery, attempt: Attempt | None) -> None:
        """Save ``delivery`` (and ``attempt``); its lease ends.  A delivered one stays delivered.

        Both writes go with the commit (on PostgreSQL in its round trip), so
        that a batch's outcomes cost one round trip, not two per message.
        """
        instant = self._tx.binder.instant
        self._tx.defer(
            _RECORD,
            {
                "destination": delivery.destination,
                "message_id": delivery.message_id,
                "delivered": DeliveryStatus.DELIVERED.value,
                "status": delivery.status.value,
                "attempts": delivery.attempts,
                "due_at": instant(delivery.due_at),
                "last_error": delivery.last_error,
                "delivered_at": None
                if delivery.delivered_at is None
                else instant(delivery.delivered_at),
            },
            subject=f"the delivery of {delivery.message_id} to {delivery.destination}",
        )
        if attempt is not None:
            self._tx.defer(
                _ATTEMPT,
                {
                    "destination": attempt.destination,
                    "message_id": attempt.message_id,
                    "number": attempt.number,
                    "at": instant(attempt.at),
                    "outcome": attempt.outcome.value,
                    "error": attempt.error,
                    "relay": attempt.relay,
                },
                subject=f"an attempt to deliver {attempt.message_id}",
            )

    def release(self, destination: str, message_ids: Sequence[str]) -> None:
        """End the leases of deliveries that were claimed and not tried."""
        d = self._tx.tables.deliveries
        self._tx.execute(
            sa.update(d)
            .where(d.c.destination == destination, d.c.message_id.in_(list(message_ids)))
            .values(lease_owner=None, lease_until=None),
            subject=f"the deliveries of {destination}",
        )

    def get(self, destination: str, message_id: str) -> Delivery | None:
        """One delivery, if the destination has it."""
        d = self._tx.tables.deliveries
        row = self._tx.execute(
            sa.select(d).where(d.c.destination == destination, d.c.message_id == message_id),
            subject=f"the delivery of {message_id} to {destination}",
        ).one_or_none()
        return None if row is None else _delivery(row)

    def message(self, message_id: str) -> OutboxMessage | None:
        """An outbox message, if it is still kept."""
        outbox = self._tx.tables.outbox
        document = self._tx.execute(
            sa.select(as_text(outbox.c.document)).where(outbox.c.id == message_id),
            subject=f"outbox message {message_id}",
        ).scalar_one_or_none()
        return None if document is None else self._codec.decode_text(document, OutboxMessage)

    def find(
        self,
        statuses: Sequence[DeliveryStatus],
        *,
        destination: str | None = None,
        message_id: str | None = None,
        limit: int,
    ) -> Sequence[Delivery]:
        """Deliveries in one of ``statuses``, oldest message first."""
        d = self._tx.tables.deliveries
        query = sa.select(d).where(d.c.status.in_([status.value for status in statuses]))
        if destination is not None:
            query = query.where(d.c.destination == destination)
        if message_id is not None:
            query = query.where(d.c.message_id == message_id)
        rows = self._tx.execute(
            query.order_by(d.c.seq, d.c.destination).limit(limit), subject="the deliveries"
        ).all()
        return [_delivery(row) for row in rows]

    def attempts(self, destination: str, message_id: str) -> Sequence[Attempt]:
        """Every try to deliver a message to a destination, oldest first."""
        a = self._tx.tables.delivery_attempts
        rows = self._tx.execute(
            sa.select(a)
            .where(a.c.destination == destination, a.c.message_id == message_id)
            .order_by(a.c.seq),
            subject=f"the attempts to deliver {message_id} to {destination}",
        ).all()
        return [
            Attempt(
                destination=row.destination,
                message_id=row.message_id,
                number=row.number,
                at=row.at,
                outcome=Outcome(row.outcome),
                error=row.error,
                relay=row.relay,
            )
            for row in rows
        ]

    def destinations(self) -> Sequence[DestinationState]:
        """Every destination that has been fanned out to, by name."""
        c = self._tx.tables.delivery_cursors
        rows = self._tx.execute(
            sa.select(c).order_by(c.c.destination), subject="the destinations"
        ).all()
        return [
            DestinationState(
                name=row.destination,
                disabled_at=row.disabled_at,
                disabled_reason=row.disabled_reason,
            )
            for row in rows
        ]

    def disable(self, destination: str, at: datetime, reason: str) -> None:
        """Stop delivering to ``destination``."""
        self._cursor(destination)
        c = self._tx.tables.delivery_cursors
        self._tx.execute(
            sa.update(c)
            .where(c.c.destination == destination)
            .values(disabled_at=at, disabled_reason=reason),
            subject=f"destination {destination}",
        )

    def enable(self, destination: str) -> None:
        """Deliver to ``destination`` again."""
        c = self._tx.tables.delivery_cursors
        self._tx.execute(
            sa.update(c)
            .where(c.c.destination == destination)
            .values(disabled_at=None, disabled_reason=""),
            subject=f"destination {destination}",
        )

    def purge(self, delivered_before: datetime, limit: int) -> int:
        """Forget up to ``limit`` messages every destination took before ``delivered_before``."""
        self._outside_host()
        outbox = self._tx.tables.outbox
        d = self._tx.tables.deliveries
        a = self._tx.tables.delivery_attempts
        c = self._tx.tables.delivery_cursors
        known = sa.select(sa.func.count()).select_from(c).scalar_subquery()
        unfinished = (
            sa.select(d.c.message_id)
            .where(
                d.c.message_id == outbox.c.id,
                sa.or_(
                    d.c.status != DeliveryStatus.DELIVERED.value,
                    d.c.delivered_at >= delivered_before,
                ),
            )
            .exists()
        )
        fanned_out = (
            sa.select(sa.func.count())
            .select_from(d)
            .where(d.c.message_id == outbox.c.id)
            .scalar_subquery()
        )
        ids = list(
            self._tx.execute(
                sa.select(outbox.c.id)
                .where(~unfinished, fanned_out == known, known > 0)
                .order_by(outbox.c.seq)
                .limit(limit),
                subject="the outbox",
            ).scalars()
        )
        if not ids:
            return 0
        for table, column in ((a, a.c.message_id), (d, d.c.message_id), (outbox, outbox.c.id)):
            self._tx.execute(sa.delete(table).where(column.in_(ids)), subject="delivered messages")
        return len(ids)
