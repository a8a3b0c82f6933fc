"""TenantIsolationContract: one tenant never reads or changes another's data in the store."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import attrs
import pytest

from crm_returns.domain.queries import MAX_PAGE_SIZE, ReturnQuery
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import ConcurrencyConflict, NotFound
from crm_returns.testing.conformance._base import (
    Contract,
    UnitOfWorkFactory,
    Visible,
    assert_identical,
    store,
    visible,
)
from crm_returns.testing.conformance._history import history

__all__ = ["TenantIsolationContract"]

#: The other tenant: a second company in the same database.
OTHER_TENANT = "globex"


def _update(factory: UnitOfWorkFactory, order: ReturnOrder, expected_version: int) -> None:
    with factory() as uow:
        uow.returns.update(order, expected_version)
        uow.commit()


class TenantIsolationContract(Contract):
    """Every query is scoped to its tenant, and no write of one tenant touches another's.

    The other tenant numbers its returns and its orders the same way, has
    the same customers, SKUs, reason codes and accounts: only the tenant
    tells the data apart.  (The outbox is not scoped by tenant: one relay
    delivers every tenant's events.)
    """

    def test_another_tenant_finds_nothing(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """By id, number, line, search, reason, audit trail, catalog, stock and journal."""
        sample = history()
        store(unit_of_work_factory, sample)
        with unit_of_work_factory() as uow:
            assert visible(uow, OTHER_TENANT, sample) == Visible()
            assert uow.returns.search(OTHER_TENANT, ReturnQuery()).total == 0

    def test_another_tenants_writes_leave_this_tenants_data_unchanged(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """The other tenant writes the same numbers, lines and keys; each sees only its own."""
        mine, theirs = history(), history().for_tenant(OTHER_TENANT)
        store(unit_of_work_factory, mine)
        with unit_of_work_factory() as uow:
            before = visible(uow, mine.tenant_id, mine)
        store(unit_of_work_factory, attrs.evolve(theirs, edited=theirs.edited_before))
        with unit_of_work_factory() as uow:
            uow.returns.update(theirs.edited, theirs.edited_before.version)
            uow.commit()
        with unit_of_work_factory() as uow:
            after = visible(uow, mine.tenant_id, mine)
            seen = visible(uow, theirs.tenant_id, theirs)
            everything = uow.returns.search(theirs.tenant_id, ReturnQuery(limit=MAX_PAGE_SIZE))
        assert_identical(after, before, "this tenant's data")
        assert_identical(seen.by_id, theirs.orders, "the other tenant's returns")
        assert_identical(seen.by_number, theirs.orders, "the other tenant's returns by number")
        expected = sorted(theirs.orders, key=lambda order: order.created_at, reverse=True)
        assert_identical(list(everything.items), expected, "the other tenant's search")
        assert_identical(seen.catalog, theirs.catalog, "the other tenant's catalog")
        assert_identical(
            seen.tenant_audit, tuple(theirs.tenant_entries), "the other tenant's tenant-wide trail"
        )
        assert_identical(seen.moves["all"], theirs.moves, "the other tenant's stock moves")
        assert_identical(seen.journal["all"], theirs.journal, "the other tenant's journal")

    def test_a_tenant_cannot_update_another_tenants_return(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Updating a return of another tenant is refused with a typed error and changes nothing."""
        sample = history()
        store(unit_of_work_factory, sample)
        order = sample.submitted
        hijacked = attrs.evolve(
            order, tenant_id=OTHER_TENANT, note="hijacked", version=order.version + 1
        )
        with pytest.raises((NotFound, ConcurrencyConflict)):
            _update(unit_of_work_factory, hijacked, order.version)
        with unit_of_work_factory() as uow:
            assert_identical(uow.returns.get(sample.tenant_id, order.id), order, "the return")
            with pytest.raises(NotFound):
                uow.returns.get(OTHER_TENANT, order.id)

    def test_the_same_return_id_in_two_tenants_is_kept_apart_or_refused(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A return id another tenant uses is refused (``ConcurrencyConflict``) or kept apart.

        Either way neither tenant sees or replaces the other's return.  The
        audit trail, stock moves and journal entries of a return are always
        kept apart by tenant, even under the same return id.
        """
        sample = history()
        store(unit_of_work_factory, sample)
        order = sample.completed
        theirs = attrs.evolve(order, tenant_id=OTHER_TENANT, customer_name="Mallory")
        try:
            with unit_of_work_factory() as uow:
                uow.returns.add(theirs)
                uow.commit()
        except ConcurrencyConflict:
            stored_theirs = False
        else:
            stored_theirs = True
        with unit_of_work_factory() as uow:
            for entry in sample.entries_of(order)[:2]:
                uow.audit.append(
                    attrs.evolve(entry, id=f"{OTHER_TENANT}/{entry.id}", tenant_id=OTHER_TENANT)
                )
            moves = [m for m in sample.moves if m.return_id == order.id][:2]
            uow.stock.add(
                [
                    attrs.evolve(m, id=f"{OTHER_TENANT}/{m.id}", tenant_id=OTHER_TENANT)
                    for m in moves
                ]
            )
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(uow.returns.get(order.tenant_id, order.id), order, "this return")
            mine = list(uow.audit.for_return(order.tenant_id, order.id))
            assert_identical(mine, sample.entries_of(order), "this tenant's audit trail")
            my_moves = list(uow.stock.moves(order.tenant_id, return_id=order.id))
            assert_identical(my_moves, [m for m in sample.moves if m.return_id == order.id])
            assert len(uow.audit.for_return(OTHER_TENANT, order.id)) == 2
            assert len(uow.stock.moves(OTHER_TENANT, return_id=order.id)) == len(moves)
            if stored_theirs:
                found = uow.returns.get_by_number(OTHER_TENANT, order.number)
                assert_identical(found, theirs, "the other tenant's return")
            else:
                with pytest.raises(NotFound):
                    uow.returns.get(OTHER_TENANT, order.id)
