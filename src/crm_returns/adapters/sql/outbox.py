"""The outbox in SQL: messages written with the state they describe, and their commit order.

Every tenant's messages share one table, numbered in the order written
(``seq``; ``AUTOINCREMENT`` on SQLite, so that a purged number never comes
back) and stamped on PostgreSQL with the id of the transaction that wrote them
(``txid``), from which :data:`COMMITTED_BEFORE` tells which are safe to fan
out.
"""

from __future__ import annotations

from crm_returns.adapters.sql.statements import insert_row
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.ports.delivery import OutboxMessage

__all__ = ["COMMITTED_BEFORE", "SqlOutbox"]

_OUTBOX = insert_row(
    lambda t: t.outbox, "id", "tenant_id", "return_id", "event_type", "created_at", "document"
)

#: On PostgreSQL, the oldest transaction that may still commit a message to this
#: database's outbox, as a transaction id (``xid8``): the oldest transaction the
#: statement's snapshot sees running, leaving out those known to run in another
#: database (``pg_stat_activity`` names each session's database and transaction;
#: one it no longer shows, finished since the snapshot, counts as running, since
#: its rows are not in this snapshot).  With none running here, every transaction
#: before the snapshot's end has ended.  Computed in the statement that reads the
#: outbox, so that both see the same snapshot.
COMMITTED_BEFORE = """
    SELECT coalesce(
        min(xip.x::text::bigint),
        pg_snapshot_xmax(pg_current_snapshot())::text::bigint
    )
    FROM pg_snapshot_xip(pg_current_snapshot()) AS xip(x)
    WHERE NOT EXISTS (
        SELECT 1 FROM pg_stat_activity AS a
        WHERE a.backend_xid IS NOT NULL
          AND a.backend_xid::text::bigint = xip.x::text::bigint % 4294967296
          AND a.datname IS DISTINCT FROM current_database()
    )
"""


class SqlOutbox:
    """The :class:`~crm_returns.ports.Outbox` of a SQL unit of work (every tenant's)."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec

    def add(self, message: OutboxMessage) -> None:
        """Queue ``message`` for every destination."""
        self._tx.defer(
            _OUTBOX,
            {
                "id": message.id,
                "tenant_id": message.event.tenant_id,
                "return_id": message.event.return_id,
                "event_type": type(message.event).__name__,
                "created_at": self._tx.binder.instant(message.event.at),
                "document": self._codec.encode_text(message),
            },
            subject=f"outbox message {message.id}",
        )
