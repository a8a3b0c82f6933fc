"""Retention governs the host's own records through ``ServiceSettings(host_records=...)``."""

from __future__ import annotations

from datetime import timedelta

import attrs

from crm_returns import (
    ERASED_TEXT,
    Actor,
    Expiry,
    HoldScope,
    MemoryBackups,
    MemoryHostRecords,
    RecordDates,
    RecordKey,
    ReturnsService,
)
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import sample_wiring

T = SAMPLE_TENANT
ARCHIVIST = Actor("u-archivist", "档案员", T, {"records_manager"})
COUNSEL = Actor("u-counsel", "法务", T, {"legal"})


def test_a_sweep_proposes_applies_backs_up_and_erases_host_records() -> None:
    wiring = sample_wiring()
    host, backups = MemoryHostRecords(("customers", "orders")), MemoryBackups()
    settings = attrs.evolve(wiring.service.settings, backups=backups, host_records=(host,))
    service = ReturnsService(wiring.orders, wiring.database.unit_of_work, settings)
    today = wiring.clock.now().date()
    long_ago = today - timedelta(days=366 * 4)
    ended = RecordDates(long_ago, long_ago, long_ago, long_ago)
    ongoing = RecordDates(long_ago, today, None, None)
    for customer in ("C-OLD", "C-HELD"):
        host.add("customers", customer, T, customer, ended, {"name": f"客户 {customer}"})
        host.add("orders", f"O-{customer}", T, customer, ended, {"ship_to": f"{customer} 上海"})
    host.add("customers", "C-NOW", T, "C-NOW", ongoing, {"email": "now@example.cn"})
    service.place_hold(COUNSEL, HoldScope.CUSTOMER, "C-HELD", "诉讼保全 2030")

    plan = service.propose_retention_plan(ARCHIVIST)
    items = service.retention_plan_items(ARCHIVIST, plan.number)
    # China's rules: customers erased 3 years after the relationship ended,
    # orders destroyed 3 years after completion; the hold keeps C-HELD's.
    assert {(str(i.key), i.action) for i in items} == {
        ("customers/C-OLD", Expiry.ERASE),
        ("orders/O-C-OLD", Expiry.DESTROY),
    }

    service.approve_retention_plan(COUNSEL, plan.number)
    service.apply_retention_plan(ARCHIVIST, plan.number)
    assert host.record(RecordKey(T, "orders", "O-C-OLD")) is None
    erased = host.record(RecordKey(T, "customers", "C-OLD"))
    assert erased is not None
    assert erased.erased
    assert erased.customer_id != "C-OLD"
    assert host.personal(RecordKey(T, "customers", "C-OLD")) == {"name": ERASED_TEXT}
    held = host.record(RecordKey(T, "customers", "C-HELD"))
    assert held is not None
    assert held.customer_id == "C-HELD"
    assert host.record(RecordKey(T, "orders", "O-C-HELD")) is not None

    reference = backups.find(plan.number)
    assert reference is not None
    backed_up = list(backups.read(reference))
    assert [(r["class"], r["id"]) for r in backed_up] == [("orders", "O-C-OLD")]
    assert backed_up[0]["personal"] == {"ship_to": "C-OLD 上海"}

    request = service.request_erasure(ARCHIVIST, "C-NOW", personal=["now@example.cn"])
    assert ("customers", 1) in request.erased
    assert host.personal(RecordKey(T, "customers", "C-NOW")) == {"email": ERASED_TEXT}
