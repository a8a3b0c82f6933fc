"""In-memory adapters for every port: the default, and the reference for others.

:class:`MemoryDatabase` holds committed state; each :class:`MemoryUnitOfWork`
keeps its writes aside and applies them at commit, so that a failed command
leaves nothing behind.  A unit of work holds the database's lock from begin to
end, which makes transactions serialisable across threads — the same
guarantee the SQL adapters give with database locks.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.queries import LineQuery, Page, ReturnQuery
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.moves import StockMove
from crm_returns.errors import ConcurrencyConflict, InvalidInput, NotFound
from crm_returns.ports import IdempotentResult, OutboxMessage, UnitOfWork

__all__ = [
    "ManualClock",
    "MemoryDatabase",
    "MemoryEventSink",
    "MemoryOrderSource",
    "MemoryUnitOfWork",
    "SequentialIds",
]


class ManualClock:
    """A clock that stands still until told to move; for tests and demos."""

    def __init__(self, start: datetime) -> None:
        if start.utcoffset() is None:
            raise InvalidInput(f"the clock needs a timezone-aware time, got {start!r}")
        self._now = start

    def now(self) -> datetime:
        """The clock's current time."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._now += delta


class SequentialIds:
    """Ids ``prefix-1``, ``prefix-2``, ...: readable and repeatable, for tests."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self) -> str:
        """The next id."""
        with self._lock:
            return f"{self._prefix}-{next(self._counter)}"


class MemoryOrderSource:
    """Delivered order lines kept in memory, searchable like a host's database."""

    def __init__(self, lines: Mapping[str, Iterable[DeliveredLine]] | None = None) -> None:
        self._lines: dict[str, dict[LineRef, DeliveredLine]] = defaultdict(dict)
        for tenant_id, tenant_lines in (lines or {}).items():
            for line in tenant_lines:
                self.add(tenant_id, line)

    def add(self, tenant_id: str, line: DeliveredLine) -> None:
        """Add or replace one delivered line of ``tenant_id``."""
        self._lines[tenant_id][line.ref] = line

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        """Lines of the tenant matching ``query``, newest delivery first."""
        product = query.product.casefold() if query.product else None

        def matches(line: DeliveredLine) -> bool:
            delivered = line.delivered_at
            return (
                (query.order_number is None or line.ref.order_number == query.order_number)
                and (query.customer_id is None or line.customer_id == query.customer_id)
                and (query.category is None or line.category == query.category)
                and (
                    product is None
                    or product in line.product_name.casefold()
                    or product in line.sku.casefold()
                )
                and (
                    query.delivered_from is None
                    or (delivered is not None and delivered >= query.delivered_from)
                )
                and (
                    query.delivered_to is None
                    or (delivered is not None and delivered <= query.delivered_to)
                )
            )

        found = sorted(
            (line for line in self._lines.get(tenant_id, {}).values() if matches(line)),
            key=lambda line: line.ref,
        )
        # Newest delivery first; lines of one delivery in line order (sorts are stable).
        found.sort(key=lambda line: line.delivered_at or line.ordered_at, reverse=True)
        return Page.of(found, query.offset, query.limit)

    def get_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, DeliveredLine]:
        """The tenant's lines named by ``refs``."""
        known = self._lines.get(tenant_id, {})
        return {ref: known[ref] for ref in refs if ref in known}


class MemoryEventSink:
    """Keeps published messages in a list; can be told to fail, to test the outbox."""

    def __init__(self) -> None:
        self.published: list[OutboxMessage] = []
        self.failing = False

    def publish(self, message: OutboxMessage) -> None:
        """Keep ``message``, or raise while ``failing`` is set."""
        if self.failing:
            raise ConnectionError("event sink is down")
        self.published.append(message)


@attrs.define
class _Committed:
    """What a :class:`MemoryDatabase` holds between transactions."""

    returns: dict[tuple[str, str], ReturnOrder] = attrs.Factory(dict)
    numbers: dict[tuple[str, str], str] = attrs.Factory(dict)
    by_line: defaultdict[tuple[str, LineRef], set[str]] = attrs.Factory(lambda: defaultdict(set))
    audit: defaultdict[tuple[str, str], list[AuditEntry]] = attrs.Factory(lambda: defaultdict(list))
    outbox: dict[str, OutboxMessage] = attrs.Factory(dict)
    delivered: dict[str, datetime] = attrs.Factory(dict)
    reasons: dict[str, ReasonCatalog] = attrs.Factory(dict)
    sequences: dict[str, int] = attrs.Factory(dict)
    moves: list[StockMove] = attrs.Factory(list)
    entries: list[JournalEntry] = attrs.Factory(list)
    idempotency: dict[tuple[str, str], IdempotentResult] = attrs.Factory(dict)


class MemoryDatabase:
    """Committed state shared by every unit of work made from it."""

    def __init__(self) -> None:
        self.committed = _Committed()
        self.lock = threading.RLock()

    def unit_of_work(self) -> MemoryUnitOfWork:
        """A new unit of work over this database (pass this method as the factory)."""
        return MemoryUnitOfWork(self)


class _Returns:
    def __init__(self, db: _Committed) -> None:
        self._db = db
        self.pending: dict[tuple[str, str], ReturnOrder] = {}

    def _current(self, tenant_id: str, return_id: str) -> ReturnOrder | None:
        key = (tenant_id, return_id)
        return self.pending.get(key) or self._db.returns.get(key)

    def get(self, tenant_id: str, return_id: str) -> ReturnOrder:
        order = self._current(tenant_id, return_id)
        if order is None:
            raise NotFound("return", return_id)
        return order

    def get_by_number(self, tenant_id: str, number: str) -> ReturnOrder:
        for order in self.pending.values():
            if order.tenant_id == tenant_id and order.number == number:
                return order
        return_id = self._db.numbers.get((tenant_id, number))
        if return_id is None:
            raise NotFound("return", number)
        return self.get(tenant_id, return_id)

    def add(self, order: ReturnOrder) -> None:
        key = (order.tenant_id, order.id)
        if self._current(*key) is not None:
            raise ConcurrencyConflict(f"return {order.id}")
        self.pending[key] = order

    def update(self, order: ReturnOrder, expected_version: int) -> None:
        stored = self.get(order.tenant_id, order.id)
        if stored.version != expected_version:
            raise ConcurrencyConflict(f"return {order.number}")
        self.pending[(order.tenant_id, order.id)] = order

    def lock_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> None:
        # The unit of work already holds the database lock from begin to end.
        return

    def for_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Sequence[ReturnOrder]:
        wanted = set(refs)
        ids = {rid for ref in wanted for rid in self._db.by_line.get((tenant_id, ref), ())}
        ids |= {
            order.id
            for (tenant, _), order in self.pending.items()
            if tenant == tenant_id and any(line.ref in wanted for line in order.lines)
        }
        found = (self.get(tenant_id, return_id) for return_id in sorted(ids))
        # The committed index may still name a return whose pending update dropped the line.
        return [order for order in found if any(line.ref in wanted for line in order.lines)]

    def _all(self, tenant_id: str) -> list[ReturnOrder]:
        merged = {**self._db.returns, **self.pending}
        return [order for (tenant, _), order in merged.items() if tenant == tenant_id]

    def search(self, tenant_id: str, query: ReturnQuery) -> Page[ReturnOrder]:
        found = [
            order
            for order in self._all(tenant_id)
            if (not query.statuses or order.status in query.statuses)
            and (query.customer_id is None or order.customer_id == query.customer_id)
            and (query.created_from is None or order.created_at >= query.created_from)
            and (query.created_to is None or order.created_at <= query.created_to)
        ]
        found.sort(key=lambda order: (order.created_at, order.number), reverse=True)
        return Page.of(found, query.offset, query.limit)

    def uses_reason(self, tenant_id: str, reason_code: str) -> bool:
        return any(
            line.reason_code == reason_code
            for order in self._all(tenant_id)
            for line in order.lines
        )

    def apply(self) -> None:
        for key, order in self.pending.items():
            previous = self._db.returns.get(key)
            for line in previous.lines if previous else ():
                self._db.by_line[(order.tenant_id, line.ref)].discard(order.id)
            self._db.returns[key] = order
            self._db.numbers[(order.tenant_id, order.number)] = order.id
            for line in order.lines:
                self._db.by_line[(order.tenant_id, line.ref)].add(order.id)


class _Audit:
    def __init__(self, db: _Committed) -> None:
        self._db = db
        self.pending: list[AuditEntry] = []

    def append(self, entry: AuditEntry) -> None:
        self.pending.append(entry)

    def for_return(self, tenant_id: str, return_id: str) -> Sequence[AuditEntry]:
        committed = self._db.audit.get((tenant_id, return_id), [])
        mine = [e for e in self.pending if (e.tenant_id, e.return_id) == (tenant_id, return_id)]
        return [*committed, *mine]

    def apply(self) -> None:
        for entry in self.pending:
            self._db.audit[(entry.tenant_id, entry.return_id)].append(entry)


class _Outbox:
    def __init__(self, db: _Committed) -> None:
        self._db = db
        self.pending: dict[str, OutboxMessage] = {}
        self.delivered: dict[str, datetime] = {}

    def add(self, message: OutboxMessage) -> None:
        self.pending[message.id] = message

    def pending_messages(self) -> list[OutboxMessage]:
        everything = {**self._db.outbox, **self.pending}
        done = self._db.delivered.keys() | self.delivered.keys()
        return [message for key, message in everything.items() if key not in done]

    def mark_delivered(self, message_id: str, at: datetime) -> None:
        self.delivered[message_id] = at

    def apply(self) -> None:
        self._db.outbox.update(self.pending)
        self._db.delivered.update(self.delivered)
        for message_id in self.delivered:
            # Delivered messages are dropped from memory; their ids are kept.
            self._db.outbox.pop(message_id, None)


class _OutboxView:
    """The :class:`~crm_returns.ports.Outbox` face of :class:`_Outbox`."""

    def __init__(self, outbox: _Outbox) -> None:
        self._outbox = outbox

    def add(self, message: OutboxMessage) -> None:
        self._outbox.add(message)

    def pending(self, limit: int) -> Sequence[OutboxMessage]:
        return self._outbox.pending_messages()[:limit]

    def mark_delivered(self, message_id: str, at: datetime) -> None:
        self._outbox.mark_delivered(message_id, at)


class _Reasons:
    def __init__(self, db: _Committed) -> None:
        self._db = db
        self.pending: dict[str, ReasonCatalog] = {}

    def get(self, tenant_id: str) -> ReasonCatalog | None:
        return self.pending.get(tenant_id) or self._db.reasons.get(tenant_id)

    def put(self, tenant_id: str, catalog: ReasonCatalog) -> None:
        self.pending[tenant_id] = catalog

    def apply(self) -> None:
        self._db.reasons.update(self.pending)


class _Sequences:
    def __init__(self, db: _Committed) -> None:
        self._db = db
        self.pending: dict[str, int] = {}

    def next(self, key: str) -> int:
        value = self.pending.get(key, self._db.sequences.get(key, 0)) + 1
        self.pending[key] = value
        return value

    def apply(self) -> None:
        self._db.sequences.update(self.pending)


class _Stock:
    def __init__(self, db: _Committed) -> None:
        self._db = db
        self.pending: list[StockMove] = []

    def add(self, moves: Sequence[StockMove]) -> None:
        self.pending.extend(moves)

    def moves(
        self, tenant_id: str, *, return_id: str | None = None, sku: str | None = None
    ) -> Sequence[StockMove]:
        return [
            move
            for move in (*self._db.moves, *self.pending)
            if move.tenant_id == tenant_id
            and return_id in (None, move.return_id)
            and sku in (None, move.sku)
        ]

    def apply(self) -> None:
        self._db.moves.extend(self.pending)


class _Journal:
    def __init__(self, db: _Committed) -> None:
        self._db = db
        self.pending: list[JournalEntry] = []

    def add(self, entries: Sequence[JournalEntry]) -> None:
        self.pending.extend(entries)

    def entries(
        self,
        tenant_id: str,
        *,
        return_id: str | None = None,
        account_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Sequence[JournalEntry]:
        return [
            entry
            for entry in (*self._db.entries, *self.pending)
            if entry.tenant_id == tenant_id
            and return_id in (None, entry.return_id)
            and (
                account_code is None or any(p.account.code == account_code for p in entry.postings)
            )
            and (start is None or entry.at >= start)
            and (end is None or entry.at < end)
        ]

    def apply(self) -> None:
        self._db.entries.extend(self.pending)


class _Idempotency:
    def __init__(self, db: _Committed) -> None:
        self._db = db
        self.pending: dict[tuple[str, str], IdempotentResult] = {}

    def get(self, tenant_id: str, key: str) -> IdempotentResult | None:
        return self.pending.get((tenant_id, key)) or self._db.idempotency.get((tenant_id, key))

    def put(self, tenant_id: str, key: str, result: IdempotentResult) -> None:
        self.pending[(tenant_id, key)] = result

    def apply(self) -> None:
        self._db.idempotency.update(self.pending)


class MemoryUnitOfWork(UnitOfWork):
    """A transaction over a :class:`MemoryDatabase`; writes apply at commit."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._open = False
        committed = database.committed
        self.returns = returns = _Returns(committed)
        self.audit = audit = _Audit(committed)
        outbox = _Outbox(committed)
        self.outbox = _OutboxView(outbox)
        self.reasons = reasons = _Reasons(committed)
        self.sequences = sequences = _Sequences(committed)
        self.stock = stock = _Stock(committed)
        self.journal = journal = _Journal(committed)
        self.idempotency = idempotency = _Idempotency(committed)
        self._parts = (returns, audit, outbox, reasons, sequences, stock, journal, idempotency)
        # Every pending write is kept in one of these: emptying them drops the writes
        # for less than making the parts again (as begin, commit and rollback each did).
        self._pending = (
            returns.pending,
            audit.pending,
            outbox.pending,
            outbox.delivered,
            reasons.pending,
            sequences.pending,
            stock.pending,
            journal.pending,
            idempotency.pending,
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
