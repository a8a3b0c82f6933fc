"""What a draft records by default, and what refusing a draft or a look-up says.

A repeated order line is named in the refusal (only the repeated ones); a
return of another tenant is "not found", never "forbidden", so that its
existence is not given away; a line the return does not have is named with
the return's number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from crm_returns.domain.actors import Actor
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns import approving, drafting
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput, NotFound

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
A_REF = LineRef("SO-1", "1")
B_REF = LineRef("SO-1", "2")
C_REF = LineRef("SO-1", "3")
MakeLine = Callable[..., ReturnLine]


def draft(actor: Actor, *lines: ReturnLine) -> ReturnOrder:
    return drafting.draft(
        return_id="r-9",
        number="RT-20261128-000009",
        actor=actor,
        at=AT,
        customer_id="C-1",
        customer_name="Customer One",
        lines=lines,
    ).order


def test_a_draft_without_a_note_records_none(make_line: MakeLine, clerk: Actor) -> None:
    assert draft(clerk, make_line(A_REF, 1)).note == ""


def test_a_draft_without_lines_is_refused_saying_so(clerk: Actor) -> None:
    with pytest.raises(InvalidInput) as raised:
        draft(clerk)
    assert str(raised.value) == "a return needs at least one line"


def test_a_refusal_of_repeated_lines_names_only_the_repeated_ones(
    make_line: MakeLine, clerk: Actor
) -> None:
    lines = [make_line(ref, 1) for ref in (B_REF, A_REF, C_REF, B_REF, A_REF)]
    with pytest.raises(InvalidInput) as raised:
        draft(clerk, *lines)
    assert str(raised.value) == "order line(s) SO-1/1, SO-1/2 appear more than once"


def test_a_return_of_another_tenant_is_not_found_by_its_number(
    order_in: Callable[[ReturnStatus], ReturnOrder], stranger: Actor
) -> None:
    order = order_in(ReturnStatus.DRAFT)
    with pytest.raises(NotFound) as raised:
        approving.cancel(order, stranger, AT, "not mine")
    assert (raised.value.kind, raised.value.key) == ("return", order.number)


def test_a_line_the_return_does_not_have_is_not_found_with_the_returns_number(
    order_in: Callable[[ReturnStatus], ReturnOrder],
) -> None:
    order = order_in(ReturnStatus.DRAFT)
    with pytest.raises(NotFound) as raised:
        order.line(C_REF)
    assert (raised.value.kind, raised.value.key) == ("return line", f"{order.number} {C_REF}")
