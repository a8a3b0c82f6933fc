"""What an approver is told when a decision is refused, and the edge of lowering.

The moves between statuses are in test_transitions_approval.py; here the
error's fields and words (which a host shows to the person who tried), the
comment an approval carries when none is given, and the boundary of
lowering a line: down to what is approved so far, never above.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm_returns.domain.actors import Actor
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns import approving
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import ExcessQuantity, InvalidInput, NotAuthorised

S = ReturnStatus
AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
A_REF = LineRef("SO-1", "1")
OrderIn = Callable[[ReturnStatus], ReturnOrder]


@pytest.mark.parametrize(
    ("decide", "verb"),
    [
        (lambda order, actor: approving.approve(order, actor, AT), "approve"),
        (lambda order, actor: approving.reject(order, actor, AT, "no"), "reject"),
    ],
    ids=["approve", "reject"],
)
def test_a_refused_approver_is_told_what_they_may_not_do_to_which_return(
    order_in: OrderIn,
    warehouse: Actor,
    decide: Callable[[ReturnOrder, Actor], object],
    verb: str,
) -> None:
    order = order_in(S.SUBMITTED)
    with pytest.raises(NotAuthorised) as raised:
        decide(order, warehouse)
    assert raised.value.action == f"{verb} step 'manager' of"
    assert str(raised.value) == (
        f"actor {warehouse.id!r} may not {verb} step 'manager' of {order.number}: "
        "needs one of roles approver"
    )


@pytest.mark.parametrize(
    ("decide", "what"),
    [
        (approving.reject, "reject a return"),
        (approving.cancel, "cancel a return"),
    ],
    ids=["reject", "cancel"],
)
def test_a_decision_without_a_reason_is_refused_saying_what_needs_one(
    order_in: OrderIn,
    approver: Actor,
    decide: Callable[[ReturnOrder, Actor, datetime, str], object],
    what: str,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        decide(order_in(S.SUBMITTED), approver, AT, "  ")
    assert str(raised.value) == f"a comment saying why is required to {what}"


def test_an_approval_without_a_comment_records_none(order_in: OrderIn, approver: Actor) -> None:
    result = approving.approve(order_in(S.SUBMITTED), approver, AT)
    (approval,) = result.order.approvals
    assert approval.comment == ""
    (event,) = result.events
    assert event.comment == ""


def test_an_approver_may_lower_a_line_to_exactly_what_is_approved_so_far(
    order_in: OrderIn, approver: Actor
) -> None:
    order = order_in(S.SUBMITTED)
    approved_so_far = order.line(A_REF).approved
    result = approving.approve(order, approver, AT, "", {A_REF: approved_so_far})
    assert result.order.line(A_REF).approved == approved_so_far
    with pytest.raises(ExcessQuantity):
        approving.approve(order, approver, AT, "", {A_REF: approved_so_far + Decimal(1)})
