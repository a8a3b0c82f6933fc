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
- ``stores.py`` — the audit trail, reason catalogs, counters and idempotency
  keys;
- ``deliveries.py`` — the outbox and each destination's deliveries;
- ``ledgers.py`` — stock moves and journal entries;
- ``orders.py``, ``destination.py``, ``clock.py``, ``ids.py`` — what a host
  gives the service, kept in memory for tests and demos: delivered order lines
  (:class:`MemoryOrderSource`), a destination for events (:class:`MemoryDestination`), a
  clock that moves when told (:class:`ManualClock`) and readable ids
  (:class:`SequentialIds`);
- ``channels.py`` — an e-mail channel (:class:`MemoryMailer`) and an SMS
  channel (:class:`MemorySmsGateway`) that keep what they are given and can be
  told to fail;
- ``contacts.py`` — the host's customers and staff for the notifiers
  (:class:`MemoryContactDirectory`);
- ``host_records.py`` — a host's own records (customers, orders) as
  retention governs them (:class:`MemoryHostRecords`), to plug into
  ``ServiceSettings(host_records=...)`` and to copy;
- ``backups.py`` — verified backups kept as bytes (:class:`MemoryBackups`),
  the same JSON Lines a file holds;
- ``attachments.py`` — the bytes of photos and files
  (:class:`MemoryAttachmentStore`).
"""

from __future__ import annotations

from crm_returns.adapters.memory.attachments import MemoryAttachmentStore
from crm_returns.adapters.memory.backups import MemoryBackups
from crm_returns.adapters.memory.channels import MemoryMailer, MemorySmsGateway
from crm_returns.adapters.memory.clock import ManualClock
from crm_returns.adapters.memory.contacts import MemoryContactDirectory
from crm_returns.adapters.memory.database import MemoryDatabase, MemoryUnitOfWork
from crm_returns.adapters.memory.destination import MemoryDestination
from crm_returns.adapters.memory.host_records import MemoryHostRecords
from crm_returns.adapters.memory.ids import SequentialIds
from crm_returns.adapters.memory.orders import MemoryOrderSource

__all__ = [
    "ManualClock",
    "MemoryAttachmentStore",
    "MemoryBackups",
    "MemoryContactDirectory",
    "MemoryDatabase",
    "MemoryDestination",
    "MemoryHostRecords",
    "MemoryMailer",
    "MemoryOrderSource",
    "MemorySmsGateway",
    "MemoryUnitOfWork",
    "SequentialIds",
]
