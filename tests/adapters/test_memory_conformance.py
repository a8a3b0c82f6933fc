"""The in-memory store passes the conformance kit, exactly as a plugin's store would.

This module is the reference for adapter authors: one subclass, one fixture.
"""

from __future__ import annotations

import pytest

from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.testing import conformance
from crm_returns.testing.conformance import StoreContract, UnitOfWorkFactory


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def unit_of_work_factory(self) -> UnitOfWorkFactory:
        return MemoryDatabase().unit_of_work


CONTRACTS = [
    getattr(conformance, name) for name in conformance.__all__ if name.endswith("Contract")
]
#: What StoreContract gathers: the contracts with the store's hook (not the order source's).
STORE_CONTRACTS = [contract for contract in CONTRACTS if hasattr(contract, "unit_of_work_factory")]


def test_the_store_contract_runs_every_test_of_every_contract() -> None:
    # Two contracts with a test of the same name would silently run only one.
    names = [
        name
        for contract in STORE_CONTRACTS
        if contract is not StoreContract
        for name in vars(contract)
        if name.startswith("test_")
    ]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    assert {name for name in dir(StoreContract) if name.startswith("test_")} == set(names)


def test_pytest_does_not_collect_the_contracts_themselves() -> None:
    assert not any(contract.__name__.startswith("Test") for contract in CONTRACTS)
