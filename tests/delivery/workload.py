"""Traffic for the relay tests: many returns driven through the service, their steps interleaved.

Each return takes one unit of a sample line and goes draft → (edit) → submit →
(a manager approves, when the refund needs one) → cancel, which gives the unit
back; a handful are under way at once and a seeded generator picks whose step
comes next, so that the outbox holds the returns' events interleaved and a
relay that mixed up one return's order would show it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

import attrs

from crm_returns import (
    LineRef,
    RequestedLine,
    ReturnOrder,
    ReturnRequest,
    ReturnStatus,
)
from crm_returns.testing import Wiring

#: Units of each sample line that returns may hold at once (all of them, for most).
UNITS = {
    LineRef("SO-1001", "1"): 5,  # mice: 129.00, approved by itself
    LineRef("SO-1001", "2"): 10,  # cables
    LineRef("SO-1001", "3"): 2,  # monitors: 1,899.00, a manager approves
    LineRef("SO-1002", "2"): 3,  # lamps
}

#: Returns under way at once.
IN_FLIGHT = 8

#: Events per return, at least: drafted, submitted, approved, cancelled.
EVENTS_PER_RETURN = 4


@attrs.define
class _Return:
    """One return under way: its order, its line, and the steps it has left."""

    ref: LineRef
    steps: list[str]
    order: ReturnOrder | None = None


def drive_returns(wiring: Wiring, events: int, seed: int) -> int:
    """Drive returns through the service until they made at least ``events`` events.

    Returns how many returns were made.
    """
    service, clerk, approver = wiring.service, wiring.clerk, wiring.approver
    rng = random.Random(seed)  # noqa: S311 - the order of steps needs no secret
    free = dict(UNITS)
    under_way: list[_Return] = []
    made = made_events = 0

    def start() -> None:
        nonlocal made
        ref = rng.choice([ref for ref, units in free.items() if units])
        free[ref] -= 1
        steps = ["create", *(["edit"] if rng.random() < 0.5 else []), "submit", "cancel"]
        under_way.append(_Return(ref, steps))
        made += 1

    def line(ref: LineRef) -> RequestedLine:
        return RequestedLine(ref, Decimal(1), "wrong_order")

    actions: dict[str, Callable[[_Return], ReturnOrder]] = {
        "create": lambda r: service.create_return(clerk, ReturnRequest(lines=(line(r.ref),))),
        "edit": lambda r: service.edit_return(clerk, _id(r), (line(r.ref),)),
        "submit": lambda r: service.submit_return(clerk, _id(r)),
        "approve": lambda r: service.approve_return(approver, _id(r)),
        "cancel": lambda r: service.cancel_return(clerk, _id(r), "the customer kept it"),
    }
    while made_events < events or under_way:
        while made_events + EVENTS_PER_RETURN * len(under_way) < events and (
            len(under_way) < IN_FLIGHT and any(free.values())
        ):
            start()
        chosen = rng.choice(under_way)
        step = chosen.steps.pop(0)
        chosen.order = actions[step](chosen)
        made_events += 1
        if step == "submit" and chosen.order.status is ReturnStatus.SUBMITTED:
            chosen.steps.insert(0, "approve")
        elif step == "submit":
            made_events += 1  # submitted and approved at once: two events
        if not chosen.steps:
            under_way.remove(chosen)
            free[chosen.ref] += 1
    return made


def _id(under_way: _Return) -> str:
    assert under_way.order is not None
    return under_way.order.id
