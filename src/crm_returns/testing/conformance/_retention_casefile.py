"""RetentionCaseFileContract: a return's case file retires with it.

Part of :class:`~crm_returns.testing.conformance.RetentionContract`.  The
case file of a return (requests, shipments with their tracking, attachments,
contacts, feedback, its assignment) is owned by the return: counted in its
retained record, archived and restored exactly with it, exported whole with
it for the backup, destroyed with it, and erased with its customer.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from crm_returns.adapters.memory.retention_export import json_safe
from crm_returns.domain.casefile.kinds import RECORD_KINDS
from crm_returns.domain.evidence.records import Attachment
from crm_returns.domain.retention.case_erasure import erased_case_record
from crm_returns.domain.retention.classes import (
    ATTACHMENTS,
    CASE_FILE_CLASSES,
    CONTACTS,
    FEEDBACK,
    RETURN_REQUESTS,
    SHIPMENTS,
)
from crm_returns.domain.retention.erasure import ERASED_TEXT
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._retention_case_seed import (
    other_customers_return,
    read_case_file,
    seed_case_file,
)
from crm_returns.testing.conformance._retention_seed import (
    OTHER_TENANT,
    PERSONAL,
    SURROGATE,
    destroyed,
    later,
    return_key,
    seed,
    strings,
)

__all__ = ["RetentionCaseFileContract"]

#: What the completed return's case file counts, by the names retention counts them under.
CASE_FILE_COUNTS = {
    RETURN_REQUESTS: 1,
    SHIPMENTS: 1,
    "tracking_updates": 1,
    ATTACHMENTS: 1,
    CONTACTS: 1,
    FEEDBACK: 1,
    "return_assignments": 1,
}


class RetentionCaseFileContract(Contract):
    """``uow.retention`` counts, archives, exports, destroys and erases a return's case file."""

    def test_a_return_owns_its_case_file(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """Its record counts each kind and owns each case-file class; others count none."""
        past, _ = seed(unit_of_work_factory)
        seed_case_file(unit_of_work_factory, past)
        with unit_of_work_factory() as uow:
            record = uow.retention.record(return_key(past.completed))
            assert record is not None
            counts = dict(record.counts)
            assert {name: counts.get(name) for name in CASE_FILE_COUNTS} == CASE_FILE_COUNTS
            owned = {name for name, _ in record.owned}
            assert owned >= set(CASE_FILE_CLASSES)
            for name, dates in record.owned:
                if name in CASE_FILE_CLASSES:
                    assert dates.completed == record.dates.completed, name
                    assert dates.last_activity >= record.dates.last_activity, name
            other = uow.retention.record(return_key(other_customers_return(past)))
            assert other is not None
            assert dict(other.counts).get(CONTACTS) == 1
            assert not set(dict(other.counts)) & (set(CASE_FILE_COUNTS) - {CONTACTS})

    def test_archive_and_restore_keep_the_case_file_exactly(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """An archived return's case file reads as it did; restored, it is the same again."""
        past, _ = seed(unit_of_work_factory)
        records = seed_case_file(unit_of_work_factory, past)
        tenant, rid = past.tenant_id, past.completed.id
        with unit_of_work_factory() as uow:
            before = read_case_file(uow, tenant, rid)
            assert sorted(r.id for r in before) == sorted(r.id for r in records)
            uow.retention.archive([return_key(past.completed)])
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(read_case_file(uow, tenant, rid), before, "archived")
            photo = next(r for r in records if isinstance(r, Attachment))
            assert_identical(uow.casefile.get(tenant, Attachment, photo.id), photo, "archived")
            uow.retention.restore([return_key(past.completed)])
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(read_case_file(uow, tenant, rid), before, "restored")

    def test_export_carries_the_case_file_whole(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """The return's export holds each case-file record with its kind, as JSON, exactly."""
        past, _ = seed(unit_of_work_factory)
        records = seed_case_file(unit_of_work_factory, past)
        with unit_of_work_factory() as uow:
            (exported,) = list(uow.retention.export([return_key(past.completed)]))
        entries = exported["case_records"]
        assert isinstance(entries, list)
        by_id = {entry["document"]["id"]: entry for entry in entries}
        assert set(by_id) == {record.id for record in records}
        for record in records:
            entry = by_id[record.id]
            assert entry["kind"] == record.kind
            assert RECORD_KINDS[entry["kind"]] is type(record)
            # The record as JSON (times ISO 8601, money as text): enough to make it again.
            assert entry["document"] == json_safe(record), record.kind

    def test_destroy_takes_the_case_file_with_its_return(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Every case-file record of the return goes, counted; other returns' and tenants' stay."""
        past, other_tenant = seed(unit_of_work_factory)
        seed_case_file(unit_of_work_factory, past)
        seed_case_file(unit_of_work_factory, other_tenant)
        other = other_customers_return(past)
        with unit_of_work_factory() as uow:
            kept = read_case_file(uow, past.tenant_id, other.id)
            theirs = read_case_file(uow, OTHER_TENANT, other_tenant.completed.id)
        counts = destroyed(unit_of_work_factory, [return_key(past.completed)], "RP-1", later(past))
        assert {name: counts.get(name) for name in CASE_FILE_COUNTS} == CASE_FILE_COUNTS
        with unit_of_work_factory() as uow:
            assert read_case_file(uow, past.tenant_id, past.completed.id) == []
            assert_identical(read_case_file(uow, past.tenant_id, other.id), kept, "other return")
            assert_identical(
                read_case_file(uow, OTHER_TENANT, other_tenant.completed.id), theirs, "other tenant"
            )
            (stone,) = uow.retention.tombstones(past.tenant_id, None, 10)
            assert {name: dict(stone.counts).get(name) for name in CASE_FILE_COUNTS} == (
                CASE_FILE_COUNTS
            )

    def test_erase_scrubs_the_customers_case_file_and_keeps_its_facts(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Surrogate everywhere, free text about them gone; scores, digests, numbers kept."""
        past, _ = seed(unit_of_work_factory)
        records = seed_case_file(unit_of_work_factory, past)
        tenant, customer = past.tenant_id, past.completed.customer_id
        name = past.completed.customer_name
        other = other_customers_return(past)
        with unit_of_work_factory() as uow:
            kept = read_case_file(uow, tenant, other.id)
            done = uow.retention.erase(tenant, customer, SURROGATE, [PERSONAL])
            uow.commit()
        erased = dict(done.erased)
        assert {name: erased.get(name) for name in CASE_FILE_COUNTS} == CASE_FILE_COUNTS
        with unit_of_work_factory() as uow:
            after = {r.id: r for r in read_case_file(uow, tenant, past.completed.id)}
            for record in records:
                now = after[record.id]
                assert now == erased_case_record(record, SURROGATE, [name, PERSONAL])
                assert now.customer_id == SURROGATE
                assert now.version == record.version + 1
                for field, text in strings(now):
                    assert PERSONAL not in text, f"{record.kind}: {field} holds {PERSONAL!r}"
                    assert text not in (customer, name), f"{record.kind}: {field} names them"
            photo = next(r for r in after.values() if isinstance(r, Attachment))
            was = next(r for r in records if isinstance(r, Attachment))
            assert photo.filename == ERASED_TEXT
            assert (photo.sha256, photo.size, photo.content_type) == (
                was.sha256,
                was.size,
                was.content_type,
            )
            for kind in RECORD_KINDS.values():
                assert list(uow.casefile.for_customer(tenant, customer, kind)) == [], kind.kind
            mine = [
                r
                for kind in RECORD_KINDS.values()
                for r in uow.casefile.for_customer(tenant, SURROGATE, kind)
            ]
            assert sorted(r.id for r in mine) == sorted(r.id for r in records)
            assert_identical(read_case_file(uow, tenant, other.id), kept, "another customer's")
            # Erasing again changes nothing more.
            again = uow.retention.erase(tenant, customer, SURROGATE, [PERSONAL])
            assert not {n for n, _ in again.erased} & set(CASE_FILE_COUNTS)
