"""The wiring functions build working services."""

from __future__ import annotations

from pathlib import Path

import crm_returns
from crm_returns import LineRef, Receipt, RequestedLine, ReturnRequest, ReturnStatus
from crm_returns.adapters.memory import MemoryOrderSource
from crm_returns.adapters.sql import current_revision
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.testing import sample_wiring

LAMP = LineRef("SO-1002", "2")


def test_sql_service_migrates_a_sqlite_file_and_keeps_returns_in_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    people = sample_wiring()
    clock = people.clock
    orders = MemoryOrderSource({SAMPLE_TENANT: sample_lines(clock.now())})
    clerk = people.clerk
    settings = crm_returns.ServiceSettings(clock=clock)
    service = crm_returns.sql_service(orders, url, settings)
    assert current_revision(url) is not None
    order = service.create_return(clerk, ReturnRequest([RequestedLine(LAMP, 1, "wrong_order")]))
    service.submit_return(clerk, order.id)
    service.receive_goods(people.warehouse, order.id, {LAMP: Receipt(received=1)})
    done = service.complete_return(people.finance, order.id)
    assert done.status is ReturnStatus.COMPLETED
    # A second service over the same file sees what the first one stored.
    again = crm_returns.sql_service(orders, url, settings)
    assert again.find_return(clerk, order.number) == done


def test_in_memory_service_starts_empty() -> None:
    orders = MemoryOrderSource({SAMPLE_TENANT: sample_lines(sample_wiring().clock.now())})
    service = crm_returns.in_memory_service(orders)
    assert service.list_returns(sample_wiring().clerk, crm_returns.ReturnQuery()).total == 0
