"""RetentionBookContract: what retention keeps of its own — holds, plans, erasures, the log.

Every value comes back exactly, in the order the port names, and only to its
own tenant.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs
import pytest

from crm_returns.domain.retention.classes import RETURN_ORDERS, RecordKey
from crm_returns.domain.retention.erasure import ErasureRequest, ErasureStatus, Refusal
from crm_returns.domain.retention.holds import HoldScope, LegalHold, released
from crm_returns.domain.retention.oplog import LogEntry, Operation, sealed
from crm_returns.domain.retention.plans import PlanItem, PlanStatus, RetentionPlan
from crm_returns.domain.retention.rules import Expiry
from crm_returns.errors import ConcurrencyConflict, NotFound
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import CHINA
from crm_returns.testing.conformance._retention_seed import committed

__all__ = ["RetentionBookContract"]

_T = "acme"
_OTHER = "globex"
_AT = datetime(2057, 1, 2, 9, 30, tzinfo=CHINA)


def _plan(tenant_id: str = _T, number: str = "RP-20570102-000001", n: int = 0) -> RetentionPlan:
    return RetentionPlan(
        id=f"plan-{n}",
        tenant_id=tenant_id,
        number=number,
        status=PlanStatus.PROPOSED,
        proposed_by="u-archivist",
        proposed_at=_AT + timedelta(minutes=n),
        items=5,
        kept=3,
        counts=(("return_orders", "destroy", 5),),
    )


def _item(position: int, tenant_id: str = _T) -> PlanItem:
    return PlanItem(
        position=position,
        key=RecordKey(tenant_id, RETURN_ORDERS, f"id-{position}"),
        action=Expiry.DESTROY,
        retain_until=date(2056, 12, 31),
        legal_basis="电子商务法 第三十一条",
        counts=((RETURN_ORDERS, 1), ("return_lines", 2)),
        return_id=f"id-{position}",
        subject="a" * 64,
    )


def _hold(n: int, tenant_id: str = _T) -> LegalHold:
    return LegalHold(
        id=f"H-{n}",
        tenant_id=tenant_id,
        scope=HoldScope.CUSTOMER,
        target=f"C-{n}",
        reason="税务稽查 2057",
        placed_by="u-legal",
        placed_at=_AT + timedelta(minutes=n),
    )


def _erasure(n: int, tenant_id: str = _T) -> ErasureRequest:
    return ErasureRequest(
        id=f"er-{n}",
        tenant_id=tenant_id,
        number=f"ER-20570102-00000{n}",
        subject=f"{n}" * 64,
        surrogate=f"erased-{n}",
        status=ErasureStatus.PENDING,
        requested_by="u-archivist",
        requested_at=_AT + timedelta(minutes=n),
    )


def _chain(tenant_id: str, n: int) -> list[LogEntry]:
    entries: list[LogEntry] = []
    for index in range(n):
        entry = LogEntry(
            tenant_id=tenant_id,
            position=0,
            at=_AT + timedelta(seconds=index),
            actor_id="u-archivist",
            operation=Operation.ARCHIVE,
            record_class=RETURN_ORDERS,
            ids=(f"id-{index}",),
            counts=((RETURN_ORDERS, 1),),
        )
        entries.append(sealed(entry, entries[-1] if entries else None))
    return entries


class RetentionBookContract(Contract):
    """``uow.retention`` keeps holds, plans with items, erasure requests and the log, per tenant."""

    def test_holds_come_back_in_the_order_placed_released_too(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """add_hold, update_hold (released), holds(): exact values, oldest placed first."""
        holds = [_hold(1), _hold(2), _hold(3)]
        with unit_of_work_factory() as uow:
            for hold in holds:
                uow.retention.add_hold(hold)
            uow.commit()
        freed = released(holds[1], "u-legal-2", _AT + timedelta(days=1))
        with unit_of_work_factory() as uow:
            uow.retention.update_hold(freed)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(tuple(uow.retention.holds(_T)), (holds[0], freed, holds[2]), "holds")
            assert list(uow.retention.holds(_OTHER)) == []

    def test_a_plan_and_its_items_come_back_exactly(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """add_plan with items, add_items after; get_plan and items give them back as stored."""
        plan, items = _plan(), [_item(p) for p in range(1, 6)]
        with unit_of_work_factory() as uow:
            uow.retention.add_plan(plan, items[:2])
            uow.commit()
        with unit_of_work_factory() as uow:
            uow.retention.add_items(_T, plan.id, items[2:])
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(uow.retention.get_plan(_T, plan.number), plan, "plan")
            assert_identical(tuple(uow.retention.items(_T, plan.id, 0, 100)), tuple(items), "items")

    def test_plans_come_back_oldest_first_and_get_plan_knows_only_its_own(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """plans() lists the tenant's plans oldest first; an unknown number is NotFound."""
        plans = [_plan(number=f"RP-20570102-00000{n}", n=n) for n in (1, 2, 3)]
        with unit_of_work_factory() as uow:
            for plan in plans:
                uow.retention.add_plan(plan, ())
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(tuple(uow.retention.plans(_T)), tuple(plans), "plans")
            with pytest.raises(NotFound):
                uow.retention.get_plan(_T, "RP-20570102-000009")
            with pytest.raises(NotFound):
                uow.retention.get_plan(_OTHER, plans[0].number)
            assert list(uow.retention.plans(_OTHER)) == []
            assert list(uow.retention.items(_OTHER, plans[0].id, 0, 100)) == []

    def test_update_plan_refuses_a_stale_version(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """update_plan with the version read replaces it; with a stale one, ConcurrencyConflict."""
        plan = _plan()
        with unit_of_work_factory() as uow:
            uow.retention.add_plan(plan, ())
            uow.commit()
        approved = attrs.evolve(plan, status=PlanStatus.APPROVED, version=2)
        with unit_of_work_factory() as uow:
            uow.retention.update_plan(approved, expected_version=1)
            uow.commit()
        stale = attrs.evolve(plan, status=PlanStatus.CANCELLED, version=2, cancelled_by="u-x")
        with pytest.raises(ConcurrencyConflict):
            committed(unit_of_work_factory, lambda uow: uow.retention.update_plan(stale, 1))
        with unit_of_work_factory() as uow:
            assert_identical(uow.retention.get_plan(_T, plan.number), approved, "plan")

    def test_items_page_by_position(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """items(after, limit) gives up to limit items with positions after ``after``, in order."""
        plan, items = _plan(), [_item(p) for p in range(1, 8)]
        with unit_of_work_factory() as uow:
            uow.retention.add_plan(plan, items[4:])
            uow.retention.add_items(_T, plan.id, items[:4])
            uow.commit()
        with unit_of_work_factory() as uow:
            for after in range(8):
                for limit in (1, 2, 3):
                    page = uow.retention.items(_T, plan.id, after, limit)
                    want = [i.position for i in items if i.position > after][:limit]
                    assert [i.position for i in page] == want, (after, limit)

    def test_erasure_requests_come_back_oldest_first(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """add_erasure, update_erasure, erasures(): exact values, oldest first, per tenant."""
        requests = [_erasure(1), _erasure(2)]
        with unit_of_work_factory() as uow:
            for request in requests:
                uow.retention.add_erasure(request)
            uow.commit()
        done = attrs.evolve(
            requests[0],
            status=ErasureStatus.PARTLY_REFUSED,
            erased=(("return_orders", 2),),
            storage_only=2,
            refusals=(Refusal("journal_entries/j-1", "a posted journal entry is never changed"),),
            completed_at=_AT + timedelta(hours=1),
        )
        with unit_of_work_factory() as uow:
            uow.retention.update_erasure(done)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(tuple(uow.retention.erasures(_T)), (done, requests[1]), "erasures")
            assert list(uow.retention.erasures(_OTHER)) == []

    def test_the_log_appends_at_the_next_position_and_pages(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Sealed entries come back exactly; last_log_entry is the newest; log() pages."""
        chain = _chain(_T, 5)
        with unit_of_work_factory() as uow:
            assert uow.retention.last_log_entry(_T) is None
            for entry in chain[:3]:
                uow.retention.append_log(entry)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(uow.retention.last_log_entry(_T), chain[2], "last entry")
            for entry in chain[3:]:
                uow.retention.append_log(entry)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert_identical(tuple(uow.retention.log(_T, 0, 100)), tuple(chain), "log")
            assert_identical(tuple(uow.retention.log(_T, 1, 2)), tuple(chain[1:3]), "a page")
            assert list(uow.retention.log(_T, 5, 10)) == []
            assert_identical(uow.retention.last_log_entry(_T), chain[-1], "last entry")
            assert uow.retention.last_log_entry(_OTHER) is None
            assert list(uow.retention.log(_OTHER, 0, 100)) == []

    def test_a_taken_log_position_is_a_conflict(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Appending at a position another entry holds is ConcurrencyConflict; the first stays."""
        chain = _chain(_T, 2)
        with unit_of_work_factory() as uow:
            for entry in chain:
                uow.retention.append_log(entry)
            uow.commit()
        rival = sealed(attrs.evolve(chain[1], actor_id="u-rival"), chain[0])
        with pytest.raises(ConcurrencyConflict):
            committed(unit_of_work_factory, lambda uow: uow.retention.append_log(rival))
        with unit_of_work_factory() as uow:
            assert_identical(tuple(uow.retention.log(_T, 0, 100)), tuple(chain), "log")

    def test_each_tenant_has_a_log_of_its_own(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Two tenants' chains both start at 1; log_tenants lists each tenant with a log once."""
        with unit_of_work_factory() as uow:
            assert list(uow.retention.log_tenants()) == []
            for tenant in (_OTHER, _T):
                for entry in _chain(tenant, 2):
                    uow.retention.append_log(entry)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert list(uow.retention.log_tenants()) == sorted([_T, _OTHER])
            for tenant in (_T, _OTHER):
                assert_identical(
                    tuple(uow.retention.log(tenant, 0, 100)), tuple(_chain(tenant, 2)), tenant
                )
