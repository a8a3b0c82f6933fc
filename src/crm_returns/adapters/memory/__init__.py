"""In-memory adapters for every port: the default, and the reference for others.

:class:`MemoryDatabase` holds committed state; each :class:`MemoryUnitOfWork`
keeps its writes aside and applies them at commit, so that a failed command
leaves nothing behind.  A unit of work holds the database's lock from begin to
end, which makes transactions serialisable across threads — the same
guarantee the SQL adapters give with database locks.

Where each part lives:

- ``database.py`` — :class:`MemoryDatabase` and :class:`MemoryUnitOfWork`;
- ``committed.py`` — the state a database holds between transactions;
- ``returns.py`` — return orders (the ``ReturnRepository`` port);
- ``stores.py`` — the audit trail, the outbox, reason catalogs, counters and
  idempotency keys;
- ``ledgers.py`` — stock moves and journal entries;
- ``orders.py``, ``sink.py``, ``clock.py``, ``ids.py`` — what a host gives the
  service, kept in memory for tests and demos: delivered order lines
  (:class:`MemoryOrderSource`), an event sink (:class:`MemoryEventSink`), a
  clock that moves when told (:class:`ManualClock`) and readable ids
  (:class:`SequentialIds`).
"""

from __future__ import annotations

from crm_returns.adapters.memory.clock import ManualClock
from crm_returns.adapters.memory.database import MemoryDatabase, MemoryUnitOfWork
from crm_returns.adapters.memory.ids import SequentialIds
from crm_returns.adapters.memory.orders import MemoryOrderSource
from crm_returns.adapters.memory.sink import MemoryEventSink

__all__ = [
    "ManualClock",
    "MemoryDatabase",
    "MemoryEventSink",
    "MemoryOrderSource",
    "MemoryUnitOfWork",
    "SequentialIds",
]
