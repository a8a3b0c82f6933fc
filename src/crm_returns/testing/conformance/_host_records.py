"""HostRecordsContract: what a host's record keeper must do for retention to govern its records.

A host runs it against its own :class:`~crm_returns.ports.retention.HostRecords`
adapter with one hook, the ``host_records`` fixture: a new, empty keeper of
the classes :attr:`HostRecordsContract.customer_class` and
:attr:`HostRecordsContract.order_class` that also has the seeding method
:meth:`SeededHostRecords.add`.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

import pytest

from crm_returns.domain.retention.classes import RecordKey, RecordState
from crm_returns.domain.retention.decisions import RetainedRecord
from crm_returns.domain.retention.rules import RecordDates
from crm_returns.errors import InvalidInput
from crm_returns.ports.retention import HostRecords
from crm_returns.testing.conformance._retention_seed import floats

__all__ = ["HostRecordsContract", "SeededHostRecords"]

_T, _OTHER = "acme", "globex"
_AT = datetime(2030, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
_SURROGATE = "erased-0123456789abcdef0123"
#: Customer ids whose order by code point differs from a case-insensitive collation's.
_CUSTOMERS = ("C-1", "C-10", "C-2", "c-3", "Ä-4", "客户-5")
_DISPUTE = "dispute D-7 over order O-2 is open"


class SeededHostRecords(HostRecords, Protocol):
    """A host record keeper the contract can fill: the port, and one seeding method."""

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
        """Keep one record with its dates, customer, personal fields and open matters."""


def _dates(n: int) -> RecordDates:
    start = date(2020, 1, 1) + timedelta(days=n)
    return RecordDates(start, start + timedelta(days=30), start + timedelta(days=60), None)


def _personal(customer: str) -> dict[str, str]:
    return {"name": f"张伟 {customer}", "email": f"{customer.lower()}@example.cn"}


class HostRecordsContract:
    """A host record keeper pages, exports, archives, restores, destroys and erases per the port."""

    #: The class of the host's customers (each names itself as its customer).
    customer_class = "customers"
    #: A class of records that name a customer (orders, deals).
    order_class = "orders"

    @pytest.fixture
    def host_records(self) -> SeededHostRecords:
        """A new, EMPTY keeper of both classes, with ``add``: the hook to override."""
        raise NotImplementedError(
            f"{type(self).__name__} must override the host_records fixture to return "
            "a new, empty host record keeper with an add() method"
        )

    def _seed(self, keeper: SeededHostRecords) -> None:
        for tenant in (_T, _OTHER):
            for n, customer in enumerate(_CUSTOMERS):
                matters = (_DISPUTE,) if customer == "C-2" else ()
                keeper.add(
                    self.customer_class,
                    customer,
                    tenant,
                    customer,
                    _dates(n),
                    _personal(customer),
                    matters,
                )
            for n, customer in enumerate(("C-1", "C-2", "C-1")):
                keeper.add(
                    self.order_class,
                    f"O-{n + 1}",
                    tenant,
                    customer,
                    _dates(n),
                    {"ship_to": f"{customer} 上海市 长宁路 {n} 号"},
                )

    def _all(
        self, keeper: HostRecords, tenant: str, record_class: str, limit: int
    ) -> list[RetainedRecord]:
        found: list[RetainedRecord] = []
        after: str | None = None
        while True:
            page = keeper.records(tenant, record_class, after, limit)
            assert len(page) <= limit
            found.extend(page)
            if len(page) < limit:
                return found
            after = page[-1].key.record_id

    def _key(self, record_id: str, record_class: str | None = None, tenant: str = _T) -> RecordKey:
        return RecordKey(tenant, record_class or self.customer_class, record_id)

    def test_it_keeps_both_classes(self, host_records: SeededHostRecords) -> None:
        """classes() names the customer class and the order class."""
        assert {self.customer_class, self.order_class} <= set(host_records.classes())

    @pytest.mark.parametrize("limit", [1, 2, 5, 100])
    def test_records_pages_each_record_once_in_code_point_order(
        self, host_records: SeededHostRecords, limit: int
    ) -> None:
        """Keyset pages of any size list every record of the tenant and class once, by id."""
        self._seed(host_records)
        found = self._all(host_records, _T, self.customer_class, limit)
        assert [r.key.record_id for r in found] == sorted(_CUSTOMERS)
        assert {r.key.tenant_id for r in found} == {_T}
        orders = self._all(host_records, _T, self.order_class, limit)
        assert [r.key.record_id for r in orders] == ["O-1", "O-2", "O-3"]
        assert host_records.records("nobody", self.customer_class, None, 100) == []
        with pytest.raises(InvalidInput):
            host_records.records(_T, "no_such_class", None, 10)

    def test_a_record_carries_its_dates_customer_and_open_matters(
        self, host_records: SeededHostRecords
    ) -> None:
        """record(key) is the paged record: its dates, customer and open matters as seeded."""
        self._seed(host_records)
        for record in self._all(host_records, _T, self.customer_class, 100):
            assert host_records.record(record.key) == record
            n = _CUSTOMERS.index(record.key.record_id)
            assert record.dates == _dates(n)
            assert record.customer_id == record.key.record_id
            assert record.state is RecordState.ACTIVE
            assert record.open_matters == ((_DISPUTE,) if record.key.record_id == "C-2" else ())
        order = host_records.record(self._key("O-2", self.order_class))
        assert order is not None
        assert order.customer_id == "C-2"
        assert host_records.record(self._key("C-404")) is None
        assert host_records.record(self._key("C-1", tenant="nobody")) is None

    def test_export_gives_json_safe_mappings_with_the_personal_data(
        self, host_records: SeededHostRecords
    ) -> None:
        """Each kept key once, naming it, json.dumps-able, no floats, with what a restore needs."""
        self._seed(host_records)
        keys = [self._key(c) for c in _CUSTOMERS]
        exported = [dict(m) for m in host_records.export([*keys, self._key("C-404")])]
        assert [(m["class"], m["id"], m["tenant_id"]) for m in exported] == [
            (k.record_class, k.record_id, k.tenant_id) for k in keys
        ]
        for mapping, customer in zip(exported, _CUSTOMERS, strict=True):
            text = json.dumps(mapping, ensure_ascii=False)
            assert floats(json.loads(text)) == []
            for value in _personal(customer).values():
                assert value in text, "the backup holds the record's personal fields"
        with pytest.raises(InvalidInput):
            list(host_records.export([self._key("x", "no_such_class")]))

    def test_archive_keeps_the_record_and_restore_gives_it_back_exactly(
        self, host_records: SeededHostRecords
    ) -> None:
        """Archived: still paged, state archived; restored: the record and its export as before."""
        self._seed(host_records)
        key = self._key("C-1")
        before = host_records.record(key)
        exported = list(host_records.export([key]))
        host_records.archive([key])
        archived = host_records.record(key)
        assert archived is not None
        assert archived.state is RecordState.ARCHIVED
        assert key in {r.key for r in self._all(host_records, _T, self.customer_class, 100)}
        host_records.restore([key])
        assert host_records.record(key) == before
        assert list(host_records.export([key])) == exported
        with pytest.raises(InvalidInput):
            host_records.archive([self._key("x", "no_such_class")])

    def test_destroy_deletes_and_passes_over_what_is_gone(
        self, host_records: SeededHostRecords
    ) -> None:
        """Counts by class; gone from pages; again, nothing; another tenant's twin stays."""
        self._seed(host_records)
        keys = [self._key("C-1"), self._key("O-1", self.order_class)]
        counts = host_records.destroy(keys, "RP-1", _AT)
        assert dict(counts) == {self.customer_class: 1, self.order_class: 1}
        for key in keys:
            assert host_records.record(key) is None
        ids = [r.key.record_id for r in self._all(host_records, _T, self.customer_class, 100)]
        assert "C-1" not in ids
        assert sum(host_records.destroy(keys, "RP-1", _AT).values()) == 0
        assert host_records.record(self._key("C-1", tenant=_OTHER)) is not None
        with pytest.raises(InvalidInput):
            host_records.destroy([self._key("x", "no_such_class")], "RP-1", _AT)

    def test_erase_replaces_the_customer_and_their_personal_data(
        self, host_records: SeededHostRecords
    ) -> None:
        """Every record naming them gets the surrogate and loses its personal fields; dates stay."""
        self._seed(host_records)
        mine = [
            self._key("C-1"),
            self._key("O-1", self.order_class),
            self._key("O-3", self.order_class),
        ]
        before = {key: host_records.record(key) for key in mine}
        done = host_records.erase(_T, "C-1", _SURROGATE, [_personal("C-1")["email"]])
        assert dict(done.erased) == {self.customer_class: 1, self.order_class: 2}
        assert done.refusals == ()
        for key in mine:
            record = host_records.record(key)
            assert record is not None
            assert record.customer_id == _SURROGATE
            assert record.dates == before[key].dates  # type: ignore[union-attr]
            assert record.erased
            text = json.dumps([dict(m) for m in host_records.export([key])], ensure_ascii=False)
            for personal in ("C-1 ", "c-1@example.cn", "张伟 C-1"):
                assert personal not in text, f"{key} still holds {personal!r}"
        again = host_records.erase(_T, "C-1", _SURROGATE, ())
        assert sum(n for _, n in again.erased) == 0
        other = host_records.record(self._key("C-1", tenant=_OTHER))
        assert other is not None
        assert other.customer_id == "C-1"
        assert not other.erased

    def test_erase_refuses_a_record_with_an_open_matter(
        self, host_records: SeededHostRecords
    ) -> None:
        """A disputed record is refused, by name, and left unchanged; the others are erased."""
        self._seed(host_records)
        key = self._key("C-2")
        before = list(host_records.export([key]))
        done = host_records.erase(_T, "C-2", _SURROGATE, ())
        assert [r.record for r in done.refusals] == [str(key)]
        assert dict(done.erased) == {self.order_class: 1}
        assert list(host_records.export([key])) == before
