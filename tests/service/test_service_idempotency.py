"""Idempotency keys: a retried command returns its first result and does nothing more."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from crm_returns import Actor, LineRef, Receipt, RequestedLine, ReturnQuery, ReturnRequest
from crm_returns.errors import IdempotencyConflict, InvalidInput
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")


def _request(units: int) -> ReturnRequest:
    return ReturnRequest([RequestedLine(MOUSE, units, "wrong_order")])


def test_a_retried_create_returns_the_first_return_and_creates_nothing(wiring: Wiring) -> None:
    first = wiring.service.create_return(wiring.clerk, _request(2), idempotency_key="k-1")
    before = copy.deepcopy(wiring.database.committed)
    again = wiring.service.create_return(wiring.clerk, _request(2), idempotency_key="k-1")
    assert again == first
    assert wiring.database.committed == before
    assert len(wiring.database.committed.returns) == 1


def test_the_same_key_with_another_payload_is_refused_and_changes_nothing(
    wiring: Wiring,
) -> None:
    wiring.service.create_return(wiring.clerk, _request(2), idempotency_key="k-1")
    before = copy.deepcopy(wiring.database.committed)
    with pytest.raises(IdempotencyConflict, match="k-1"):
        wiring.service.create_return(wiring.clerk, _request(3), idempotency_key="k-1")
    order = wiring.service.list_returns(wiring.clerk, ReturnQuery()).items[0]
    with pytest.raises(IdempotencyConflict):
        wiring.service.submit_return(wiring.clerk, order.id, idempotency_key="k-1")
    assert wiring.database.committed == before


def test_a_retried_receipt_receives_once(wiring: Wiring) -> None:
    order = wiring.service.create_return(wiring.clerk, _request(3))
    wiring.service.submit_return(wiring.clerk, order.id)
    receipt = {MOUSE: Receipt(received=Decimal(1))}
    first = wiring.service.receive_goods(wiring.warehouse, order.id, receipt, idempotency_key="r")
    again = wiring.service.receive_goods(wiring.warehouse, order.id, receipt, idempotency_key="r")
    assert again == first
    assert again.line(MOUSE).received == 1
    assert len(wiring.service.stock_moves(wiring.warehouse, return_id=order.id)) == 2


def test_keys_are_kept_per_tenant(wiring: Wiring) -> None:
    other = Actor("u-x", "Other", "globex", {"requester"})
    wiring.orders.add("globex", wiring.orders.get_lines("acme", [MOUSE])[MOUSE])
    mine = wiring.service.create_return(wiring.clerk, _request(1), idempotency_key="same")
    theirs = wiring.service.create_return(other, _request(2), idempotency_key="same")
    assert theirs.tenant_id == "globex"
    assert theirs.id != mine.id


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
def test_a_malformed_key_is_refused(wiring: Wiring, key: str) -> None:
    with pytest.raises(InvalidInput, match="idempotency key"):
        wiring.service.create_return(wiring.clerk, _request(1), idempotency_key=key)
