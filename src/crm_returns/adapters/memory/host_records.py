"""The host-record port in memory: a host's customers, orders, deals as retention sees them.

:class:`MemoryHostRecords` keeps records of the classes it is given, each with
its dates, the customer it names, its personal fields, the open matters that
keep it (a dispute) and whether it is archived.  It is what the tests and the
demo plug into ``ServiceSettings(host_records=...)``, and a model for a host's
own adapter over its tables: every method is idempotent, as the port asks, and
it passes :class:`~crm_returns.testing.conformance.HostRecordsContract`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from crm_returns.domain.retention.classes import RecordKey, RecordState, checked_class
from crm_returns.domain.retention.decisions import RetainedRecord
from crm_returns.domain.retention.erasure import ERASED_TEXT, Refusal
from crm_returns.domain.retention.rules import RecordDates
from crm_returns.errors import InvalidInput, quoted
from crm_returns.ports.retention import Erasure

__all__ = ["MemoryHostRecords"]

#: Why a record with an open matter is not erased.
OPEN_MATTER = "an open matter keeps it as it is until it closes (会计档案管理办法 第十九条)"


@attrs.frozen
class _HostRecord:
    key: RecordKey
    dates: RecordDates
    customer_id: str | None
    personal: tuple[tuple[str, str], ...]
    open_matters: tuple[str, ...]
    archived: bool = False
    erased: bool = False


class MemoryHostRecords:
    """Host records of named classes, in memory: a :class:`~crm_returns.HostRecords`.

    Args:
        classes: The record classes it keeps, such as ``("customers", "orders")``.

    Raises:
        InvalidInput: A class name is malformed.
    """

    def __init__(self, classes: Iterable[str] = ("customers", "orders")) -> None:
        self._classes = tuple(checked_class(name) for name in classes)
        self._records: dict[RecordKey, _HostRecord] = {}

    def add(
        self,
        record_class: str,
        record_id: str,
        tenant_id: str,
        customer_id: str | None,
        dates: RecordDates,
        personal: Mapping[str, str] | None = None,
        open_matters: Sequence[str] = (),
    ) -> None:
        """Keep a record (replacing one of the same key): the seeding hook of the contract.

        Args:
            record_class: One of the classes it keeps.
            record_id: The record's id within its class.
            tenant_id: The tenant.
            customer_id: The customer it names (a customer record names itself).
            dates: The dates its retention runs from.
            personal: Its personal fields by name (name, e-mail, phone).
            open_matters: What keeps it open, in words (a dispute).

        Raises:
            InvalidInput: It keeps no records of the class.
        """
        self._kept(record_class)
        key = RecordKey(tenant_id, record_class, record_id)
        self._records[key] = _HostRecord(
            key, dates, customer_id, tuple(sorted((personal or {}).items())), tuple(open_matters)
        )

    def close_matters(self, key: RecordKey) -> None:
        """Close every open matter of a record (the dispute was settled)."""
        found = self._records.get(key)
        if found is not None:
            self._records[key] = attrs.evolve(found, open_matters=())

    def personal(self, key: RecordKey) -> Mapping[str, str]:
        """The personal fields of a record as they are now (empty if it is not kept)."""
        found = self._records.get(key)
        return dict(found.personal) if found else {}

    def _kept(self, record_class: str) -> None:
        if record_class not in self._classes:
            raise InvalidInput(f"the host keeps no records of class {quoted(record_class)}")

    # -- the port ------------------------------------------------------------------------

    def classes(self) -> Sequence[str]:
        """The record classes it keeps."""
        return self._classes

    def records(
        self, tenant_id: str, record_class: str, after: str | None, limit: int
    ) -> Sequence[RetainedRecord]:
        """Up to ``limit`` records of the class with ids after ``after``, by id (code point).

        Raises:
            InvalidInput: It keeps no records of the class.
        """
        self._kept(record_class)
        found = sorted(
            key.record_id
            for key in self._records
            if key.tenant_id == tenant_id
            and key.record_class == record_class
            and (after is None or key.record_id > after)
        )
        return [
            self._retained(self._records[RecordKey(tenant_id, record_class, i)]) for i in found
        ][: max(limit, 0)]

    def record(self, key: RecordKey) -> RetainedRecord | None:
        """The record named by ``key`` as :meth:`records` gives it; ``None`` if not kept."""
        found = self._records.get(key)
        return None if found is None else self._retained(found)

    @staticmethod
    def _retained(record: _HostRecord) -> RetainedRecord:
        return RetainedRecord(
            key=record.key,
            dates=record.dates,
            state=RecordState.ARCHIVED if record.archived else RecordState.ACTIVE,
            customer_id=record.customer_id,
            counts=((record.key.record_class, 1),),
            open_matters=record.open_matters,
            erased=record.erased,
        )

    def export(self, keys: Sequence[RecordKey]) -> Iterator[Mapping[str, Any]]:
        """Each kept record of ``keys`` as a JSON-safe mapping; records not kept are left out.

        Raises:
            InvalidInput: A key's class is not one it keeps.
        """
        for key in keys:
            self._kept(key.record_class)
        wanted = [self._records[key] for key in keys if key in self._records]
        return iter([_exported(record) for record in wanted])

    def archive(self, keys: Sequence[RecordKey]) -> None:
        """Archive the records: kept, read-only, out of lists.

        Raises:
            InvalidInput: A key's class is not one it keeps.
        """
        self._set(keys, archived=True)

    def restore(self, keys: Sequence[RecordKey]) -> None:
        """Bring archived records back exactly as they were.

        Raises:
            InvalidInput: A key's class is not one it keeps.
        """
        self._set(keys, archived=False)

    def _set(self, keys: Sequence[RecordKey], *, archived: bool) -> None:
        for key in keys:
            self._kept(key.record_class)
        for key in keys:
            if key in self._records:
                self._records[key] = attrs.evolve(self._records[key], archived=archived)

    def destroy(
        self, keys: Sequence[RecordKey], plan_number: str, at: datetime
    ) -> Mapping[str, int]:
        """Delete the records; the records deleted, by class.  Keys already gone are passed over.

        Raises:
            InvalidInput: A key's class is not one it keeps.
        """
        for key in keys:
            self._kept(key.record_class)
        counts: dict[str, int] = {}
        for key in dict.fromkeys(keys):
            if self._records.pop(key, None) is not None:
                counts[key.record_class] = counts.get(key.record_class, 0) + 1
        return counts

    def erase(
        self, tenant_id: str, customer_id: str, surrogate: str, personal: Sequence[str]
    ) -> Erasure:
        """Erase the customer from every record naming them: surrogate id, no personal fields.

        Every personal field becomes :data:`~crm_returns.ERASED_TEXT`; dates
        are kept.  A record with an open matter (a dispute) is refused and
        left as it is.  Erasing again changes nothing.
        """
        erased: dict[str, int] = {}
        refusals: list[Refusal] = []
        for key, record in sorted(self._records.items()):
            if key.tenant_id != tenant_id or record.customer_id != customer_id:
                continue
            if record.open_matters:
                refusals.append(Refusal(str(key), f"{OPEN_MATTER}: {record.open_matters[0]}"))
                continue
            self._records[key] = attrs.evolve(
                record,
                customer_id=surrogate,
                personal=tuple((name, ERASED_TEXT) for name, _ in record.personal),
                erased=True,
            )
            erased[key.record_class] = erased.get(key.record_class, 0) + 1
        return Erasure(tuple(sorted(erased.items())), tuple(refusals))


def _exported(record: _HostRecord) -> dict[str, Any]:
    dates = {
        name: None if value is None else value.isoformat()
        for name, value in attrs.asdict(record.dates).items()
    }
    return {
        "class": record.key.record_class,
        "id": record.key.record_id,
        "tenant_id": record.key.tenant_id,
        "customer_id": record.customer_id,
        "dates": dates,
        "personal": dict(record.personal),
        "open_matters": list(record.open_matters),
        "archived": record.archived,
        "erased": record.erased,
    }
