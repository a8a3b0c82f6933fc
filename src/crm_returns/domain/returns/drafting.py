"""Drafting a return: a new draft from priced, checked lines, and edits to its lines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.events import (
    ReturnDrafted,
    ReturnLinesEdited,
)
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition, emit, evolve, require
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.errors import (
    InvalidInput,
)

__all__ = ["draft", "edit_lines", "refuse_repeated"]

S = ReturnStatus


def _check_lines(lines: tuple[ReturnLine, ...], currency: str) -> None:
    if not lines:
        raise InvalidInput("a return needs at least one line")
    refuse_repeated(line.ref for line in lines)
    for line in lines:
        if line.refund.currency != currency:
            raise InvalidInput(
                f"line {line.ref} is in {line.refund.currency}; this return is in {currency}"
            )


def refuse_repeated(refs: Iterable[LineRef]) -> None:
    """Refuse order lines named more than once (in linear time, for large batches).

    Raises:
        InvalidInput: Some line appears twice; the message lists them.
    """
    repeated = sorted(str(ref) for ref, times in Counter(refs).items() if times > 1)
    if repeated:
        raise InvalidInput(f"order line(s) {', '.join(repeated)} appear more than once")


def draft(
    *,
    return_id: str,
    number: str,
    actor: Actor,
    at: datetime,
    customer_id: str,
    customer_name: str,
    lines: tuple[ReturnLine, ...],
    note: str = "",
) -> Transition:
    """Create a return order as a draft from priced, checked lines.

    Raises:
        InvalidInput: No lines, a line twice, or lines in several currencies.
    """
    currency = lines[0].refund.currency if lines else ""
    _check_lines(lines, currency)
    order = ReturnOrder(
        id=return_id,
        tenant_id=actor.tenant_id,
        number=number,
        customer_id=customer_id,
        customer_name=customer_name,
        currency=currency,
        status=S.DRAFT,
        lines=lines,
        requested_by=actor.id,
        created_at=at,
        updated_at=at,
        note=note,
    )
    event = emit(order, actor, at, ReturnDrafted, S.DRAFT, lines=tuple(line.ref for line in lines))
    return Transition(order, (attrs.evolve(event, from_status=None),))


def edit_lines(
    order: ReturnOrder, actor: Actor, at: datetime, lines: tuple[ReturnLine, ...]
) -> Transition:
    """Replace a draft's lines.

    Raises:
        IllegalTransition: The return is no longer a draft.
        InvalidInput: No lines, a line twice, or another currency.
    """
    require(order, Action.EDIT, actor)
    _check_lines(lines, order.currency)
    event = emit(
        order, actor, at, ReturnLinesEdited, S.DRAFT, lines=tuple(line.ref for line in lines)
    )
    return Transition(evolve(order, at, lines=lines), (event,))
