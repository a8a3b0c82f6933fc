"""Fixtures for the service tests: the sample wiring, its people, and small builders.

Every test gets a fresh :func:`crm_returns.testing.sample_wiring`: the manual
clock stands at 2026-11-27 09:00 UTC, the approval policy is ``SAMPLE_POLICY``
(a manager from 500.00 CNY, the ``inspector`` role for quality reasons), and
tenant ``acme`` has these delivered lines (all CNY, prices include tax)::

    SO-1001/1  C-1001 张伟  MSE-01  accessories   5 x  129.00            =  645.00
    SO-1001/2  C-1001 张伟  CBL-02  accessories  10 x   39.90 - 19.90 off =  379.10
    SO-1001/3  C-1001 张伟  MON-27  displays      2 x 1899.00            = 3798.00
    SO-1002/1  C-1002 李娜  CHR-10  furniture     1 x 2399.00            = 2399.00
    SO-1002/2  C-1002 李娜  LMP-05  lighting      3 x  199.00            =  597.00

SO-1001 was delivered on 2026-11-24 09:00 (ordered two days before), SO-1002
on 2026-11-22 09:00 (ordered on the 20th).  The ``desk`` fixture adds a sixth
line, of a third customer, for tests that need particular prices or states.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crm_returns import (
    Actor,
    DeliveredLine,
    LineRef,
    Money,
    RequestedLine,
    ReturnOrder,
    ReturnRequest,
    ReturnsService,
)
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.policies.access import DEFAULT_ROLES
from crm_returns.domain.returns.states import Action
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.testing import Wiring, sample_wiring

#: One picked line: the order line, how many units, and the reason code.
Pick = tuple[LineRef, int | str, str]

#: The tenant of ``outsider``, whose CRM happens to use the same order numbers.
OTHER_TENANT = "globex"


@pytest.fixture
def wiring() -> Wiring:
    """A service on fresh in-memory adapters, loaded with the sample lines."""
    return sample_wiring()


@pytest.fixture
def service(wiring: Wiring) -> ReturnsService:
    """The service under test."""
    return wiring.service


@pytest.fixture
def clerk(wiring: Wiring) -> Actor:
    """王芳, customer service: creates and submits returns (role ``requester``)."""
    return wiring.clerk


@pytest.fixture
def approver(wiring: Wiring) -> Actor:
    """陈经理, who takes the ``manager`` step (role ``approver``)."""
    return wiring.approver


@pytest.fixture
def warehouse(wiring: Wiring) -> Actor:
    """刘强, who receives goods (role ``warehouse``)."""
    return wiring.warehouse


@pytest.fixture
def inspector(wiring: Wiring) -> Actor:
    """赵敏, who takes the ``quality`` step and inspects goods (role ``inspector``)."""
    return wiring.inspector


@pytest.fixture
def finance(wiring: Wiring) -> Actor:
    """孙丽, finance: grants and pays refunds and completes returns (role ``finance``)."""
    return wiring.finance


@pytest.fixture
def admin(wiring: Wiring) -> Actor:
    """周总, who may do everything (role ``admin``): for tests about something else."""
    return wiring.admin


@pytest.fixture
def outsider(wiring: Wiring) -> Actor:
    """An actor of tenant ``globex`` holding every role.

    Globex's order source holds the very same sample lines (same order numbers,
    same line ids), so that a test can tell "not mixed up" from "not there".
    """
    for line in sample_lines(wiring.clock.now()):
        wiring.orders.add(OTHER_TENANT, line)
    return Actor(
        "u-outsider",
        "Mallory",
        OTHER_TENANT,
        set(DEFAULT_ROLES),
    )


@pytest.fixture
def desk(wiring: Wiring) -> Callable[..., LineRef]:
    """Add line SO-2001/1 to acme's orders, with any field changed, and give its ref.

    By default: 2 standing desks at 250.00 CNY (500.00 in all) for customer
    C-1003 王磊, ordered two days before the clock and delivered one day before.
    """

    def add(**changes: Any) -> LineRef:
        now = wiring.clock.now()
        line = DeliveredLine(
            ref=LineRef("SO-2001", "1"),
            customer_id="C-1003",
            customer_name="王磊",
            sku="DSK-01",
            product_name="升降桌 Standing desk",
            category="furniture",
            quantity_delivered=Decimal(2),
            unit_price=Money(Decimal("250.00"), "CNY"),
            ordered_at=now - timedelta(days=2),
            delivered_at=now - timedelta(days=1),
        )
        line = attrs.evolve(line, **changes)
        wiring.orders.add(SAMPLE_TENANT, line)
        return line.ref

    return add


def _request(*picks: Pick, note: str = "") -> ReturnRequest:
    return ReturnRequest(
        lines=tuple(RequestedLine(ref, Decimal(units), reason) for ref, units, reason in picks),
        note=note,
    )


@pytest.fixture(scope="session")
def make_request() -> Callable[..., ReturnRequest]:
    """Build a request from ``(ref, units, reason_code)`` picks, and an optional ``note``."""
    return _request


@pytest.fixture
def drafted(service: ReturnsService, clerk: Actor) -> Callable[..., ReturnOrder]:
    """Create a draft through the service from picks, as ``clerk`` unless ``by`` is given."""

    def create(*picks: Pick, by: Actor | None = None, note: str = "") -> ReturnOrder:
        return service.create_return(by or clerk, _request(*picks, note=note))

    return create


def _split_denials(state: Any) -> tuple[Any, list[AuditEntry]]:
    state = copy.deepcopy(state)
    denials: list[AuditEntry] = []
    for key, trail in list(state.audit.items()):
        denials.extend(entry for entry in trail if entry.action is Action.DENIED)
        kept = [entry for entry in trail if entry.action is not Action.DENIED]
        if kept:
            state.audit[key] = kept
        else:
            del state.audit[key]
    return state, denials


@pytest.fixture(scope="session")
def split_denials() -> Callable[[Any], tuple[Any, list[AuditEntry]]]:
    """Split a :func:`snapshot` into the rest and its audit entries of denied attempts.

    A command the access policy refuses changes nothing but the audit trail:
    ``split_denials(snapshot())[0] == before`` says so, and the entries say
    what was written.  Trails left empty are dropped, as if never written.
    """
    return _split_denials


@pytest.fixture
def snapshot(wiring: Wiring) -> Callable[[], object]:
    """A deep copy of everything committed, to compare before and after a command."""

    def take() -> object:
        return copy.deepcopy(wiring.database.committed)

    return take
