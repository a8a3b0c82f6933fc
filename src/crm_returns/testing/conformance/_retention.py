"""RetentionContract: the library's records as retention pages, exports, archives, destroys, erases.

What :class:`~crm_returns.ports.retention.RecordKeeper` and
:class:`~crm_returns.ports.retention.RetentionStore` promise of ``uow.retention``
over records a real service wrote.  What retention keeps of its own — holds,
plans, erasure requests, the log — is :class:`RetentionBookContract`; destroy,
export and erase are :class:`RetentionActionsContract`; a return's case file
through all of them is :class:`RetentionCaseFileContract`.  This contract
inherits the three: subclass it to run them all.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import attrs
import pytest

from crm_returns.domain.queries import MAX_PAGE_SIZE, ReturnQuery
from crm_returns.domain.retention.classes import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    STOCK_MOVES,
    RecordKey,
    RecordState,
)
from crm_returns.domain.retention.rules import RecordDates
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import TERMINAL
from crm_returns.errors import InvalidInput, NotFound
from crm_returns.testing.conformance._base import UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import history
from crm_returns.testing.conformance._retention_actions import RetentionActionsContract
from crm_returns.testing.conformance._retention_book import RetentionBookContract
from crm_returns.testing.conformance._retention_casefile import RetentionCaseFileContract
from crm_returns.testing.conformance._retention_seed import (
    DESTINATION,
    KEPT,
    OTHER_TENANT,
    all_records,
    committed,
    expected_ids,
    keyed_orders,
    later,
    return_key,
    seed,
)

__all__ = ["RetentionContract"]


class RetentionContract(RetentionActionsContract, RetentionCaseFileContract, RetentionBookContract):
    """``uow.retention`` pages, exports, archives, destroys and erases the library's records."""

    # -- reading -------------------------------------------------------------------------

    def test_retention_keeps_the_four_library_classes(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Returns, journal entries, outbox messages and idempotency keys are kept classes."""
        with unit_of_work_factory() as uow:
            assert set(uow.retention.classes()) == set(KEPT)

    @pytest.mark.parametrize("limit", [1, 2, 3, 1000])
    def test_records_pages_each_record_once_in_the_stores_order(
        self, unit_of_work_factory: UnitOfWorkFactory, limit: int
    ) -> None:
        """Keyset pages of any size give every record of the tenant once, in one order.

        The order is the store's own order of ids (a SQL store's collation,
        so that its primary key serves the pages): pages of any size give the
        same sequence as one page of everything, with no id twice.
        """
        past, _ = seed(unit_of_work_factory)
        with unit_of_work_factory() as uow:
            for record_class, ids in expected_ids(past).items():
                found = all_records(uow, past.tenant_id, record_class, limit)
                whole = uow.retention.records(past.tenant_id, record_class, None, 1000)
                names = [record.key.record_id for record in found]
                assert names == [record.key.record_id for record in whole], record_class
                assert len(set(names)) == len(names) == len(ids), record_class
                assert {r.key for r in found} == {
                    RecordKey(past.tenant_id, record_class, i) for i in ids
                }

    def test_records_refuses_a_class_the_store_does_not_keep(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """An unknown class is InvalidInput to records, export and destroy (which does nothing)."""
        past, _ = seed(unit_of_work_factory)
        key = RecordKey(past.tenant_id, "customers", "C-1001")
        with unit_of_work_factory() as uow:
            with pytest.raises(InvalidInput):
                uow.retention.records(past.tenant_id, "customers", None, 10)
            with pytest.raises(InvalidInput):
                list(uow.retention.export([key]))
        keys = [return_key(past.completed), key]
        with pytest.raises(InvalidInput):
            committed(
                unit_of_work_factory, lambda uow: uow.retention.destroy(keys, "RP-1", later(past))
            )
        with unit_of_work_factory() as uow:
            assert uow.retention.record(return_key(past.completed)) is not None

    def test_record_is_the_record_a_page_gives(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """record(key) equals the paged record; an unknown id, or another tenant's, is None."""
        past, _ = seed(unit_of_work_factory, deliveries=True)
        with unit_of_work_factory() as uow:
            for record_class in KEPT:
                for record in all_records(uow, past.tenant_id, record_class, 1000):
                    assert_identical(uow.retention.record(record.key), record, str(record.key))
                    stranger = attrs.evolve(record.key, tenant_id="nobody")
                    assert uow.retention.record(stranger) is None, str(stranger)
                missing = RecordKey(past.tenant_id, record_class, "no-such-id")
                assert uow.retention.record(missing) is None

    def test_records_of_a_return_name_its_customer(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Journal entries, outbox messages and idempotency keys carry their return's customer."""
        past, _ = seed(unit_of_work_factory)
        customers = {order.id: order.customer_id for order in past.orders}
        with unit_of_work_factory() as uow:
            for record_class in (JOURNAL_ENTRIES, OUTBOX_MESSAGES, IDEMPOTENCY_KEYS):
                for record in all_records(uow, past.tenant_id, record_class, 1000):
                    assert record.return_id in customers, str(record.key)
                    assert record.customer_id == customers[record.return_id], str(record.key)
            for key, order in keyed_orders(past).items():
                keyed = uow.retention.record(RecordKey(past.tenant_id, IDEMPOTENCY_KEYS, key))
                assert keyed is not None
                assert keyed.return_id == order.id
                moment = order.updated_at
                assert keyed.dates == RecordDates.of(moment, moment, moment)
            for entry in past.journal:
                found = uow.retention.record(RecordKey(past.tenant_id, JOURNAL_ENTRIES, entry.id))
                assert found is not None
                assert found.dates == RecordDates.of(entry.at, entry.at, entry.at)

    def test_a_return_owns_its_audit_entries_and_stock_moves(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A return's record counts its lines, audit entries and moves; journal entries refer."""
        past, _ = seed(unit_of_work_factory)
        with unit_of_work_factory() as uow:
            for order in past.orders:
                record = uow.retention.record(return_key(order))
                assert record is not None
                audit = len(past.entries_of(order))
                moves = [m for m in past.moves if m.return_id == order.id]
                done = order.updated_at if order.status in TERMINAL else None
                assert record.dates == RecordDates.of(order.created_at, order.updated_at, done)
                assert record.customer_id == order.customer_id
                assert record.return_id == order.id
                assert record.state is RecordState.ACTIVE
                assert dict(record.counts) == {
                    RETURN_ORDERS: 1,
                    "return_lines": len(order.lines),
                    **({AUDIT_ENTRIES: audit} if audit else {}),
                    **({STOCK_MOVES: len(moves)} if moves else {}),
                }
                owned = {name for name, _ in record.owned}
                assert owned == {AUDIT_ENTRIES} | ({STOCK_MOVES} if moves else set())
                assert record.referenced_by == tuple(
                    sorted(
                        RecordKey(past.tenant_id, JOURNAL_ENTRIES, e.id)
                        for e in past.journal
                        if e.return_id == order.id
                    )
                )
            completed = uow.retention.record(return_key(past.completed))
            assert completed is not None
            assert completed.referenced_by, "the completed return has journal entries"

    def test_open_matters_of_returns_in_progress_and_unpaid_refunds(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A return in progress, or whose refund is not fully paid, is open; a closed one is not."""
        shared = history()
        # Completed, its refund granted and not yet paid.
        unpaid = next(
            v
            for v in shared.completed_versions
            if v.status in TERMINAL and v.grant and not v.grant.fully_paid
        )
        past, _ = seed(unit_of_work_factory, attrs.evolve(shared, completed=unpaid))
        with unit_of_work_factory() as uow:

            def matters(order: ReturnOrder) -> tuple[str, ...]:
                record = uow.retention.record(return_key(order))
                assert record is not None
                return record.open_matters

            for order in (past.submitted, past.partly_received, past.awkward, past.edited):
                assert matters(order), f"{order.number} is in progress"
                assert any(order.number in matter for matter in matters(order))
            assert any("not fully paid" in matter for matter in matters(unpaid))
            for order in (past.rejected, past.cancelled):
                assert matters(order) == ()

    def test_an_undelivered_message_is_an_open_matter(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A message waiting for a destination is open and not complete; one never fanned out is."""
        past, _ = seed(unit_of_work_factory)
        message = past.messages[0]
        key = RecordKey(past.tenant_id, OUTBOX_MESSAGES, message.id)
        with unit_of_work_factory() as uow:
            record = uow.retention.record(key)
            assert record is not None
            assert record.open_matters == ()
            assert record.dates.completed is not None
            uow.deliveries.fan_out(DESTINATION, message.event.at, 1000)
            uow.commit()
        with unit_of_work_factory() as uow:
            record = uow.retention.record(key)
            assert record is not None
            assert record.open_matters
            assert record.dates.completed is None

    # -- archive and restore -------------------------------------------------------------

    def test_archive_hides_a_return_from_search_until_restored(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Archived: out of search (and its total) unless asked for; restored: back, identical."""
        past, _ = seed(unit_of_work_factory)
        order, tenant = past.completed, past.tenant_id
        everything = ReturnQuery(limit=MAX_PAGE_SIZE)
        with unit_of_work_factory() as uow:
            before = uow.returns.get(tenant, order.id)
            total = uow.returns.search(tenant, everything).total
            assert uow.retention.archived(tenant, order.id) is False
            uow.retention.archive([return_key(order)])
            uow.commit()
        with unit_of_work_factory() as uow:
            assert uow.retention.archived(tenant, order.id) is True
            page = uow.returns.search(tenant, everything)
            assert order.id not in {o.id for o in page.items}
            assert total is not None
            assert page.total == total - 1
            mine = uow.returns.search(tenant, ReturnQuery(customer_id=order.customer_id))
            assert order.id not in {o.id for o in mine.items}
            shown = uow.returns.search(tenant, attrs.evolve(everything, include_archived=True))
            assert order.id in {o.id for o in shown.items}
            assert shown.total == total
            record = uow.retention.record(return_key(order))
            assert record is not None
            assert record.state is RecordState.ARCHIVED
            uow.retention.restore([return_key(order)])
            uow.commit()
        with unit_of_work_factory() as uow:
            assert uow.retention.archived(tenant, order.id) is False
            assert_identical(uow.returns.get(tenant, order.id), before, "restored")
            assert uow.returns.search(tenant, everything).total == total
            record = uow.retention.record(return_key(order))
            assert record is not None
            assert record.state is RecordState.ACTIVE

    def test_only_returns_are_archived(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """Archiving or restoring another class is InvalidInput; archived() of none is NotFound."""
        past, _ = seed(unit_of_work_factory)
        entry = RecordKey(past.tenant_id, JOURNAL_ENTRIES, past.journal[0].id)
        with unit_of_work_factory() as uow:
            with pytest.raises(InvalidInput):
                uow.retention.archive([entry])
            with pytest.raises(InvalidInput):
                uow.retention.restore([entry])
            with pytest.raises(NotFound):
                uow.retention.archived(past.tenant_id, "no-such-return")
            with pytest.raises(NotFound):
                uow.retention.archived(OTHER_TENANT, past.completed.id)
