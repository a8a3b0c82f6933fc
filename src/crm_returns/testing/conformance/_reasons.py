"""ReasonStoreContract: each tenant's reason catalog, kept exactly."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from crm_returns.domain.reasons import DEFAULT_CATALOG
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import history

__all__ = ["ReasonStoreContract"]


class ReasonStoreContract(Contract):
    """``uow.reasons`` has no catalog until one is put, then exactly the last one put."""

    def test_a_tenant_has_no_catalog_until_one_is_put(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``None`` means the tenant still uses the defaults."""
        with unit_of_work_factory() as uow:
            assert uow.reasons.get(history().tenant_id) is None

    def test_a_catalog_reads_back_exactly(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """Categories, reasons, labels in every locale, faults and retirements, in order."""
        sample = history()
        with unit_of_work_factory() as uow:
            uow.reasons.put(sample.tenant_id, sample.catalog)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(uow.reasons.get(sample.tenant_id), sample.catalog, "the catalog")

    def test_putting_a_catalog_replaces_the_last_one(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Nothing of the old catalog survives a new one, though the new one is smaller."""
        sample = history()
        smaller = DEFAULT_CATALOG.without("other", in_use=False)
        assert len(smaller.reasons) < len(sample.catalog.reasons)
        for catalog in (sample.catalog, smaller):
            with unit_of_work_factory() as uow:
                uow.reasons.put(sample.tenant_id, catalog)
                uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(uow.reasons.get(sample.tenant_id), smaller, "the catalog")
