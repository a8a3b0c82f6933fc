"""Permissions and tenants hold on every store: memory, SQLite and PostgreSQL.

The service-level access tests run on the in-memory store; these repeat the
essentials where the data really lives, so that no adapter can let a denied
or foreign command through or lose the record of a denial.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from tests.adapters.postgres import fresh_schema, postgres_url

from crm_returns import Actor, LineRef, Receipt, RequestedLine, ReturnQuery, ReturnRequest
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import UuidIds
from crm_returns.domain.returns.states import Action
from crm_returns.errors import NotAuthorised, NotFound
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring, sample_wiring

LAMP = LineRef("SO-1002", "2")
OUTSIDER = Actor("u-out", "Outsider", "globex", {"admin"})


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def wiring(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Wiring]:
    """The sample wiring on a fresh store of each kind."""
    if request.param == "memory":
        yield sample_wiring()
        return
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            database = SqlDatabase.connect(f"sqlite:///{tmp_path / 'access.db'}")
        else:
            url = postgres_url()
            schema = stack.enter_context(fresh_schema(url, "crm_returns_access"))
            database = SqlDatabase.connect(url, schema=schema)
        stack.callback(database.dispose)
        database.upgrade()
        yield sample_wiring(unit_of_work=database.unit_of_work, ids=UuidIds())


def _approved_return(wiring: Wiring) -> str:
    order = wiring.service.create_return(
        wiring.clerk, ReturnRequest([RequestedLine(LAMP, 1, "wrong_order")])
    )
    wiring.service.submit_return(wiring.clerk, order.id)  # 199.00: no step needed
    return order.id


def test_a_denied_command_changes_nothing_and_is_recorded(wiring: Wiring) -> None:
    order_id = _approved_return(wiring)
    before = wiring.service.get_return(wiring.admin, order_id)
    with pytest.raises(NotAuthorised, match=before.number):
        wiring.service.receive_goods(wiring.clerk, order_id, {LAMP: Receipt(received=1)})
    after = wiring.service.get_return(wiring.admin, order_id)
    assert after == before
    assert wiring.service.stock_moves(wiring.admin, return_id=order_id) == ()
    denied = wiring.service.audit_trail(wiring.admin, order_id)[-1]
    assert denied.action is Action.DENIED
    assert (denied.actor_id, denied.detail) == (wiring.clerk.id, (("permission", "receive_goods"),))


def test_a_denial_without_a_return_goes_to_the_tenant_trail(wiring: Wiring) -> None:
    with pytest.raises(NotAuthorised):
        wiring.service.journal(wiring.clerk)
    trail = wiring.service.tenant_audit_trail(wiring.admin)
    assert [(e.actor_id, e.detail) for e in trail] == [
        (wiring.clerk.id, (("permission", "view_books"),))
    ]


def test_another_tenant_finds_and_changes_nothing(wiring: Wiring) -> None:
    order_id = _approved_return(wiring)
    number = wiring.service.get_return(wiring.admin, order_id).number
    for attempt in (
        lambda: wiring.service.get_return(OUTSIDER, order_id),
        lambda: wiring.service.find_return(OUTSIDER, number),
        lambda: wiring.service.audit_trail(OUTSIDER, order_id),
        lambda: wiring.service.receive_goods(
            OUTSIDER, order_id, {LAMP: Receipt(received=Decimal(1))}
        ),
        lambda: wiring.service.cancel_return(OUTSIDER, order_id, "mine now"),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert wiring.service.list_returns(OUTSIDER, ReturnQuery()).total == 0
    assert wiring.service.stock_moves(OUTSIDER) == ()
    assert wiring.service.tenant_audit_trail(OUTSIDER) == ()
    mine = wiring.service.get_return(wiring.admin, order_id)
    assert mine.status.value == "approved"
    assert mine.tenant_id == SAMPLE_TENANT
