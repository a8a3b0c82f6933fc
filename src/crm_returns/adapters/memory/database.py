"""The memory database and its unit of work: writes kept aside, applied at commit."""

from __future__ import annotations

import threading

from crm_returns.adapters.memory.casefile import MemoryCaseFile
from crm_returns.adapters.memory.committed import Committed
from crm_returns.adapters.memory.deliveries import MemoryDeliveries, MemoryOutbox
from crm_returns.adapters.memory.facts import MemoryLineFacts
from crm_returns.adapters.memory.ledgers import MemoryJournal, MemoryStockLedger
from crm_returns.adapters.memory.retention import MemoryRetention
from crm_returns.adapters.memory.returns import MemoryReturns
from crm_returns.adapters.memory.stores import (
    MemoryAuditLog,
    MemoryIdempotencyKeys,
    MemoryReasonStore,
    MemorySequences,
)
from crm_returns.ports import UnitOfWork

__all__ = ["MemoryDatabase", "MemoryUnitOfWork"]


class MemoryDatabase:
    """Committed state shared by every unit of work made from it.

    Attributes:
        committed: What the committed transactions wrote.
        lock: Held by a unit of work from its beginning to its end.
    """

    def __init__(self) -> None:
        self.committed = Committed()
        self.lock = threading.RLock()

    def unit_of_work(self) -> MemoryUnitOfWork:
        """A new unit of work over this database (pass this method as the factory)."""
        return MemoryUnitOfWork(self)


class MemoryUnitOfWork(UnitOfWork):
    """A transaction over a :class:`MemoryDatabase`; writes apply at commit."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._open = False
        committed = database.committed
        self.returns = returns = MemoryReturns(committed)
        self.audit = audit = MemoryAuditLog(committed)
        self.outbox = outbox = MemoryOutbox(committed)
        self.deliveries = deliveries = MemoryDeliveries(committed, outbox)
        self.reasons = reasons = MemoryReasonStore(committed)
        self.sequences = sequences = MemorySequences(committed)
        self.stock = stock = MemoryStockLedger(committed)
        self.journal = journal = MemoryJournal(committed)
        self.idempotency = idempotency = MemoryIdempotencyKeys(committed)
        self.retention = retention = MemoryRetention(committed)
        self.casefile = casefile = MemoryCaseFile(committed)
        self.facts = MemoryLineFacts(returns, casefile)
        self._parts = (
            returns, audit, outbox, deliveries, reasons, sequences, stock, journal, idempotency,
            retention, casefile,
        )  # fmt: skip
        # Every pending write is kept in one of these: emptying them drops the writes
        # for less than making the parts again (as begin, commit and rollback each did).
        self._pending = (
            returns.pending,
            audit.pending,
            outbox.pending,
            deliveries.pending,
            reasons.pending,
            sequences.pending,
            stock.pending,
            journal.pending,
            idempotency.pending,
            retention.pending,
            retention.changes,
            casefile.pending,
        )

    def _reset(self) -> None:
        for pending in self._pending:
            pending.clear()

    def _begin(self) -> None:
        self._database.lock.acquire()
        self._open = True
        self._reset()

    def _commit(self) -> None:
        if not self._open:
            raise RuntimeError("commit outside a unit of work")  # pragma: no cover
        for part in self._parts:
            part.apply()
        self._reset()

    def rollback(self) -> None:
        """Drop pending writes and release the database."""
        self._reset()
        if self._open:
            self._open = False
            self._database.lock.release()
