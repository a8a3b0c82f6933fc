"""The in-memory host record keeper passes the contract a host runs against its own."""

from __future__ import annotations

import pytest

from crm_returns import MemoryHostRecords
from crm_returns.testing.conformance import HostRecordsContract, SeededHostRecords


class TestMemoryHostRecords(HostRecordsContract):
    @pytest.fixture
    def host_records(self) -> SeededHostRecords:
        return MemoryHostRecords(("customers", "orders"))
