"""The ports of record retirement: the retention store, and the host's records.

Retention works the same way on every class of record, the library's and the
host's: it pages through a class's records as
:class:`~crm_returns.domain.retention.decisions.RetainedRecord` values, asks
the domain what is due, and acts through the same few primitives — export (for
the backup), archive, restore, destroy.  :class:`RecordKeeper` is those
primitives; the library's own store implements it inside the unit of work
(``uow.retention``), and a host implements :class:`HostRecords` for its
customers, deals and orders.

:class:`RetentionStore` adds what only the library keeps: legal holds, plans
and their items (the destruction register), erasure requests, tombstones and
the hash-chained operation log.  Every method is scoped to one tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import attrs

from crm_returns.domain.orders import LineRef
from crm_returns.domain.retention.classes import RecordKey
from crm_returns.domain.retention.decisions import RetainedRecord
from crm_returns.domain.retention.erasure import ErasureRequest, Refusal
from crm_returns.domain.retention.holds import LegalHold
from crm_returns.domain.retention.oplog import LogEntry
from crm_returns.domain.retention.plans import PlanItem, RetentionPlan

__all__ = ["Erasure", "HostRecords", "RecordKeeper", "RetentionStore", "Tombstone"]


@attrs.frozen
class Erasure:
    """What erasing one customer changed in one keeper's records.

    Attributes:
        erased: Records changed, by class.
        refusals: Records left unchanged, each with the law or hold that keeps it.
    """

    erased: tuple[tuple[str, int], ...] = ()
    refusals: tuple[Refusal, ...] = ()


@attrs.frozen
class Tombstone:
    """What remains of a destroyed record.

    Attributes:
        key: The record.
        plan_number: The plan that destroyed it (its line in the register).
        destroyed_at: When, as ISO 8601 text.
        counts: The records that went with it, by class.
    """

    key: RecordKey
    plan_number: str
    destroyed_at: str
    counts: tuple[tuple[str, int], ...] = ()


class RecordKeeper(Protocol):
    """Records of some classes, as retention sees them and acts on them."""

    def classes(self) -> Sequence[str]:
        """The record classes it keeps."""

    def records(
        self, tenant_id: str, record_class: str, after: str | None, limit: int
    ) -> Sequence[RetainedRecord]:
        """Up to ``limit`` records of the class with ids after ``after``, by id.

        "By id" is the store's own order of ids (SQL stores page in the
        database's collation, so that the primary key's index serves each
        page); every record comes exactly once across the pages.  Archived
        records are included; destroyed ones are not.
        """

    def record(self, key: RecordKey) -> RetainedRecord | None:
        """The record named by ``key`` as :meth:`records` gives it; ``None`` if not stored."""

    def export(self, keys: Sequence[RecordKey]) -> Iterator[Mapping[str, Any]]:
        """Each record of ``keys`` with what it owns, as JSON-safe mappings, for the backup.

        Every mapping has ``"class"``, ``"id"`` and ``"tenant_id"``; the rest
        is the keeper's own (money as strings, times as ISO 8601).
        """

    def archive(self, keys: Sequence[RecordKey]) -> None:
        """Archive the records (with what they own): kept, read-only, out of lists."""

    def restore(self, keys: Sequence[RecordKey]) -> None:
        """Bring archived records back exactly as they were."""

    def destroy(
        self, keys: Sequence[RecordKey], plan_number: str, at: datetime
    ) -> Mapping[str, int]:
        """Delete the records with what they own; the records deleted, by class.

        ``plan_number`` is the plan that destroys them and ``at`` the time;
        the library's store leaves a tombstone of each with both.  Keys
        already destroyed are passed over (a plan applied again).
        """

    def erase(
        self, tenant_id: str, customer_id: str, surrogate: str, personal: Sequence[str]
    ) -> Erasure:
        """Replace the customer's personal data in every record that names them.

        ``customer_id`` becomes ``surrogate``; every string of ``personal`` (a
        name, an e-mail address) is replaced where it appears in free text;
        amounts, dates and document numbers are kept.  Records the law keeps
        unchanged (posted journal entries) are refused.
        """


class HostRecords(RecordKeeper, Protocol):
    """The host's own record classes (customers, deals, orders, …), governed by retention.

    The host runs these in its own transactions, called while the library's
    batch is open: if the library's commit then fails, the plan has not moved
    on, and applying it again calls them again — so each call must be
    idempotent (a key already gone is passed over).
    ``crm_returns.testing.conformance.HostRecordsContract`` proves an adapter.
    """


class RetentionStore(RecordKeeper, Protocol):
    """The library's records as retention sees them, and what retention itself keeps."""

    def archived(self, tenant_id: str, return_id: str) -> bool:
        """Whether the return is archived (commands on it are refused)."""

    def retired_claims(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, Decimal]:
        """Units of ``refs`` claimed by returns since destroyed (their tombstones keep them)."""

    def tombstones(self, tenant_id: str, after: str | None, limit: int) -> Sequence[Tombstone]:
        """Tombstones of destroyed records, by record class and id."""

    def add_hold(self, hold: LegalHold) -> None:
        """Store a new hold."""

    def update_hold(self, hold: LegalHold) -> None:
        """Replace a stored hold (released)."""

    def holds(self, tenant_id: str) -> Sequence[LegalHold]:
        """Every hold of the tenant, released ones too, in the order they were placed."""

    def add_plan(self, plan: RetentionPlan, items: Sequence[PlanItem]) -> None:
        """Store a new plan with its first items (more may follow with :meth:`add_items`)."""

    def add_items(self, tenant_id: str, plan_id: str, items: Sequence[PlanItem]) -> None:
        """Add items to a stored plan."""

    def update_plan(self, plan: RetentionPlan, expected_version: int) -> None:
        """Replace a stored plan whose version is still ``expected_version``.

        Raises:
            ConcurrencyConflict: It was changed since it was read.
        """

    def get_plan(self, tenant_id: str, number: str) -> RetentionPlan:
        """The plan with readable ``number``.

        Raises:
            NotFound: The tenant has no such plan.
        """

    def plans(self, tenant_id: str) -> Sequence[RetentionPlan]:
        """Every plan of the tenant, oldest first: the applied ones are the register."""

    def items(self, tenant_id: str, plan_id: str, after: int, limit: int) -> Sequence[PlanItem]:
        """Up to ``limit`` items of the plan with positions after ``after``, in order."""

    def add_erasure(self, request: ErasureRequest) -> None:
        """Store a new erasure request."""

    def update_erasure(self, request: ErasureRequest) -> None:
        """Replace a stored erasure request."""

    def erasures(self, tenant_id: str) -> Sequence[ErasureRequest]:
        """Every erasure request of the tenant, oldest first."""

    def append_log(self, entry: LogEntry) -> None:
        """Append a sealed entry to the tenant's operation log.

        Raises:
            ConcurrencyConflict: Another entry took its position first.
        """

    def last_log_entry(self, tenant_id: str) -> LogEntry | None:
        """The newest entry of the tenant's log."""

    def log(self, tenant_id: str, after: int, limit: int) -> Sequence[LogEntry]:
        """Up to ``limit`` entries of the tenant's log with positions after ``after``."""

    def log_tenants(self) -> Sequence[str]:
        """Every tenant with an operation log."""
