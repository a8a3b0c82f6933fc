"""What granting a refund leaves on record, and what a refused grant says.

The amounts are specified in test_refunds_and_planning.py and
test_fees_and_grants.py; here the credit note's journal entry (its stable
id and memo), the event's remark, and the fields and words of refusals.
"""

from __future__ import annotations

import pytest
from tests.domain.refund_support import (
    A_REF,
    AT,
    B_REF,
    CHART,
    NOTE,
    Approved,
    MakeDelivered,
    MakeLine,
    grant,
    settle_goods,
    units,
)

from crm_returns.domain.actors import Actor
from crm_returns.domain.events import RefundGranted
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.returns import goods, refunding
from crm_returns.domain.returns.lines import Inspection, Receipt
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import IllegalTransition, InvalidInput


@pytest.fixture
def inspected(
    make_delivered: MakeDelivered, make_line: MakeLine, approved_return: Approved, warehouse: Actor
) -> ReturnOrder:
    """2 units at 50.00 CNY received and accepted: 100.00 CNY to refund."""
    delivered = make_delivered(A_REF, 2, "50.00")
    return settle_goods(
        approved_return(make_line(A_REF, 2, delivered=delivered)),
        warehouse,
        {A_REF: Receipt(received=units(2))},
        {A_REF: Inspection(accepted=units(2))},
    )


def test_the_credit_notes_entry_has_a_stable_id_and_names_the_note_and_the_return(
    inspected: ReturnOrder, clerk: Actor
) -> None:
    result = grant(inspected, clerk)
    (posted,) = result.entries
    assert posted.id == f"{inspected.id}:v{inspected.version + 1}:j1"
    assert posted.memo == f"credit note {NOTE} for return {inspected.number}"
    (event,) = result.events
    assert isinstance(event, RefundGranted)
    assert event.comment == ""


def test_a_refund_granted_twice_is_refused_naming_the_return_and_the_action(
    inspected: ReturnOrder, clerk: Actor
) -> None:
    granted = grant(inspected, clerk).order
    with pytest.raises(IllegalTransition) as raised:
        grant(granted, clerk)
    error = raised.value
    assert (error.number, error.status, error.action) == (
        granted.number,
        granted.status.value,
        "grant the refund",
    )
    assert str(error).endswith("cannot grant the refund: it is already granted")


def test_a_refund_of_goods_still_to_inspect_is_refused_naming_the_lines(
    make_line: MakeLine, approved_return: Approved, warehouse: Actor, clerk: Actor
) -> None:
    order = approved_return(make_line(A_REF, 1), make_line(B_REF, 1))
    arrived = {ref: Receipt(received=units(1)) for ref in (A_REF, B_REF)}
    received = goods.receive(order, warehouse, AT, arrived, CHART).order
    with pytest.raises(IllegalTransition) as raised:
        grant(received, clerk)
    error = raised.value
    assert (error.number, error.status, error.action) == (
        received.number,
        "received",
        "grant the refund",
    )
    assert str(error).endswith(
        "cannot grant the refund: line(s) SO-1/1, SO-1/2 still await inspection or review"
    )


def test_a_refund_by_an_unknown_method_or_without_a_credit_note_is_refused_saying_why(
    inspected: ReturnOrder, clerk: Actor
) -> None:
    def grant_by(method: object, credit_note: str | None) -> object:
        return refunding.grant_refund(
            inspected,
            clerk,
            AT,
            method=method,  # type: ignore[arg-type]
            policy=RefundPolicy(),
            refunded_before={},
            credit_note=credit_note,
            chart=CHART,
        )

    with pytest.raises(InvalidInput) as raised:
        grant_by("cash", NOTE)
    assert str(raised.value) == "method must be a RefundMethod, got 'cash'"
    with pytest.raises(InvalidInput) as raised:
        grant(inspected, clerk, credit_note=None)
    assert str(raised.value) == "a refund that pays money needs a credit note number"
