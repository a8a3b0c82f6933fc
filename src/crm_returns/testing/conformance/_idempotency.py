"""IdempotencyContract: results of keyed commands, per tenant, transactional."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from crm_returns.ports import IdempotentResult
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import history

__all__ = ["IdempotencyContract"]


class IdempotencyContract(Contract):
    """``uow.idempotency`` keeps each key's result exactly, per tenant, once committed."""

    def test_a_stored_result_comes_back_exactly(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """What was put under a key is what a later unit of work gets."""
        past = history()
        result = IdempotentResult("receive_goods", "f" * 64, past.completed)
        with unit_of_work_factory() as uow:
            assert uow.idempotency.get(past.tenant_id, "key-1") is None
            uow.idempotency.put(past.tenant_id, "key-1", result)
            assert_identical(uow.idempotency.get(past.tenant_id, "key-1"), result)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(uow.idempotency.get(past.tenant_id, "key-1"), result)

    def test_keys_belong_to_one_tenant(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """Another tenant's same key finds nothing."""
        past = history()
        with unit_of_work_factory() as uow:
            uow.idempotency.put(
                past.tenant_id, "key-1", IdempotentResult("submit_return", "0", past.submitted)
            )
            uow.commit()
        with unit_of_work_factory() as uow:
            assert uow.idempotency.get(f"{past.tenant_id}-other", "key-1") is None

    def test_a_key_rolls_back_with_its_unit_of_work(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A key put by a unit of work that did not commit is not kept."""
        past = history()
        with unit_of_work_factory() as uow:
            uow.idempotency.put(
                past.tenant_id, "key-2", IdempotentResult("submit_return", "0", past.submitted)
            )
        with unit_of_work_factory() as uow:
            assert uow.idempotency.get(past.tenant_id, "key-2") is None
