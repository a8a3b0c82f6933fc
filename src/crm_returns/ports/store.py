"""The ports of storage: the host's orders, and the unit of work over every store.

Each port is a small :class:`typing.Protocol`, except the unit of work, an
abstract base that keeps its invariant in one place: a unit of work that is
left without :meth:`UnitOfWork.commit` rolls back, so that a command either
commits all of its effects or none.  ``crm_returns.adapters.memory`` has a
reference adapter for every port.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

import attrs

from crm_returns.domain.analytics.delivered import DeliveredTotalsQuery
from crm_returns.domain.analytics.rates import DeliveredTotals
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.journal import JournalEntry
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.queries import LineQuery, Page, ReturnQuery
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.moves import StockMove
from crm_returns.ports.analytics import LineFacts
from crm_returns.ports.casefile import CaseFile
from crm_returns.ports.delivery import Deliveries, Outbox
from crm_returns.ports.retention import RetentionStore

__all__ = [
    "AuditLog",
    "Clock",
    "IdGenerator",
    "IdempotencyKeys",
    "IdempotentResult",
    "Journal",
    "OrderSource",
    "ReasonStore",
    "ReturnRepository",
    "Sequences",
    "StockLedger",
    "UnitOfWork",
]


class Clock(Protocol):
    """Tells the time; the only way the library learns it."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""


class IdGenerator(Protocol):
    """Makes unique ids for returns, audit entries and messages."""

    def new_id(self) -> str:
        """A new id, never handed out before."""


class OrderSource(Protocol):
    """The host's delivered order lines, read-only."""

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        """Delivered lines of ``tenant_id`` matching ``query``, a page at a time."""

    def get_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, DeliveredLine]:
        """The lines of ``tenant_id`` named by ``refs``; unknown ones are left out."""

    def delivered_totals(
        self, tenant_id: str, query: DeliveredTotalsQuery
    ) -> tuple[DeliveredTotals, ...]:
        """What ``tenant_id`` delivered, by order cohort (and key): the rates' denominators.

        The answer is :func:`~crm_returns.domain.analytics.delivered_totals_of`
        over the tenant's delivered lines (call it on your lines, or compute
        the same figures with a ``GROUP BY``): lines delivered with a quantity
        above zero, ordered on the query's local days, in cohorts of its
        period, broken down by its dimension; sorted by cohort, then key.
        """


class ReturnRepository(Protocol):
    """Return orders of every tenant; each call is scoped to one tenant."""

    def get(self, tenant_id: str, return_id: str) -> ReturnOrder:
        """The return with ``return_id``.

        Raises:
            NotFound: The tenant has no such return.
        """

    def get_by_number(self, tenant_id: str, number: str) -> ReturnOrder:
        """The return with readable ``number``.

        Raises:
            NotFound: The tenant has no such return.
        """

    def get_many(self, tenant_id: str, return_ids: Iterable[str]) -> Mapping[str, ReturnOrder]:
        """The returns with ``return_ids``, by id: what a page of a list needs, in one read.

        An id the tenant has no return for is left out (the caller decides
        whether that is an error); an id given twice counts once.  Archived
        returns are found, as by :meth:`get`.
        """

    def add(self, order: ReturnOrder) -> None:
        """Store a new return."""

    def update(self, order: ReturnOrder, expected_version: int) -> None:
        """Replace a stored return whose version is still ``expected_version``.

        Raises:
            ConcurrencyConflict: It was changed since it was read.
        """

    def lock_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> None:
        """Hold the order lines ``refs`` for this unit of work, until it ends.

        A command calls it before reading what other returns claim of the
        lines, so that two commands on the same lines take turns.  A store
        that serialises whole transactions (SQLite's write lock, the memory
        store's lock) may do nothing.
        """

    def for_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Sequence[ReturnOrder]:
        """Every return of the tenant with a line for one of ``refs``, in any status."""

    def search(self, tenant_id: str, query: ReturnQuery) -> Page[ReturnOrder]:
        """Returns matching ``query``, newest first."""

    def uses_reason(self, tenant_id: str, reason_code: str) -> bool:
        """Whether any return of the tenant has a line with ``reason_code``."""


class AuditLog(Protocol):
    """The append-only audit trail."""

    def append(self, entry: AuditEntry) -> None:
        """Add ``entry``."""

    def for_return(self, tenant_id: str, return_id: str) -> Sequence[AuditEntry]:
        """A return's entries, oldest first."""


class ReasonStore(Protocol):
    """Each tenant's reason catalog."""

    def get(self, tenant_id: str) -> ReasonCatalog | None:
        """The tenant's catalog, or ``None`` if it still uses the defaults."""

    def put(self, tenant_id: str, catalog: ReasonCatalog) -> None:
        """Replace the tenant's catalog."""


class Sequences(Protocol):
    """Named counters for readable numbers."""

    def next(self, key: str) -> int:
        """The next value of counter ``key``, starting at 1."""


class StockLedger(Protocol):
    """Stock moves, append-only."""

    def add(self, moves: Sequence[StockMove]) -> None:
        """Record ``moves``."""

    def moves(
        self, tenant_id: str, *, return_id: str | None = None, sku: str | None = None
    ) -> Sequence[StockMove]:
        """The tenant's moves, oldest first, optionally of one return or SKU."""


class Journal(Protocol):
    """Journal entries, append-only."""

    def add(self, entries: Sequence[JournalEntry]) -> None:
        """Record ``entries``."""

    def entries(
        self,
        tenant_id: str,
        *,
        return_id: str | None = None,
        account_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Sequence[JournalEntry]:
        """The tenant's entries, oldest first, filtered by every argument given.

        ``return_id`` keeps one return's entries, ``account_code`` those that
        touch the account, ``start``/``end`` those posted at or after ``start``
        and before ``end``.
        """


@attrs.frozen
class IdempotentResult:
    """What a command keyed for idempotency did, to answer its retries.

    Attributes:
        command: The command's name.
        fingerprint: A digest of the command's payload.
        order: The return as the command left it.
    """

    command: str
    fingerprint: str
    order: ReturnOrder


class IdempotencyKeys(Protocol):
    """Results of commands that carried an idempotency key, per tenant."""

    def get(self, tenant_id: str, key: str) -> IdempotentResult | None:
        """The result stored under ``key``, if any."""

    def put(self, tenant_id: str, key: str, result: IdempotentResult) -> None:
        """Store ``result`` under ``key``."""


class UnitOfWork(abc.ABC):
    """One atomic transaction over every store the service writes.

    Use it as a context manager; call :meth:`commit` at the end.  Leaving the
    block without committing — by an exception or on purpose — rolls back.

    Attributes:
        returns: Return orders.
        audit: The audit trail.
        outbox: Events written with the state they describe.
        deliveries: Each destination's deliveries of the outbox's messages.
        reasons: Reason catalogs.
        sequences: Counters for readable numbers.
        stock: Stock moves.
        journal: Journal entries.
        idempotency: Results of commands keyed for idempotency.
        retention: Retention's view of every store: holds, plans, the register,
            erasures, the operation log, and archive, destroy and erase.
        casefile: The customer side of each return: requests, shipments and
            tracking, attachments, contacts, feedback, owners and deadlines.
        facts: The line facts of the returns, which reports group.
    """

    returns: ReturnRepository
    audit: AuditLog
    outbox: Outbox
    deliveries: Deliveries
    reasons: ReasonStore
    sequences: Sequences
    stock: StockLedger
    journal: Journal
    idempotency: IdempotencyKeys
    retention: RetentionStore
    casefile: CaseFile
    facts: LineFacts

    def __enter__(self) -> Self:
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Rolling back after a commit is a no-op, so every exit path is safe.
        self.rollback()

    def commit(self) -> None:
        """Make every change of this unit of work permanent, all at once."""
        self._commit()

    @abc.abstractmethod
    def _begin(self) -> None:
        """Start the transaction."""

    @abc.abstractmethod
    def _commit(self) -> None:
        """Write every pending change atomically."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Throw away every pending change; harmless after commit."""
