"""Arguments of commands, drawn by the stateful tests from the state of a return.

Shared by ``tests/service/test_stateful.py`` (the service on the memory store,
checked against invariants) and ``tests/adapters/test_sql_differential.py``
(the memory store against SQLite), so that both drive the same commands.
Each draw is mostly sensible and now and then a little too much, so that
refusals are exercised too.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from crm_returns import Inspection, LineRef, Money, Receipt, ReturnOrder
from crm_returns.domain.money import MAX_UNIT_PLACES
from crm_returns.domain.returns.lines import ReturnLine
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome

#: Reason codes of the default catalog.
REASONS = ["quality_defect", "changed_requirement", "wrong_order", "damaged_in_transit", "other"]


def steps(units: Decimal, places: int) -> int:
    """How many steps of a unit with ``places`` decimal places ``units`` makes (rounded down)."""
    return int(units.scaleb(places))


def in_steps(count: int, places: int) -> Decimal:
    """``count`` steps of a unit with ``places`` decimal places, written with that many places."""
    return Decimal(count).scaleb(-places)


def now_and_then_finer(data: st.DataObject, units: Decimal, places: int) -> Decimal:
    """``units``, or now and then a tenth of a step more: finer than the unit, to be refused."""
    if places < MAX_UNIT_PLACES and data.draw(st.sampled_from([False] * 7 + [True])):
        return units + Decimal(1).scaleb(-places - 1)
    return units


def receipt(data: st.DataObject, line: ReturnLine) -> Receipt:
    """A receipt for ``line``: received, wrong and missing units, with serial numbers.

    Counts are whole steps of the line's unit, now and then one finer.
    """
    places = line.unit_places
    # Now and then more than expected, to exercise the refusal.
    top = steps(line.awaiting_receipt, places) + data.draw(st.sampled_from([0, 0, 0, 1]))
    received, wrong, missing = (data.draw(st.integers(0, top)) for _ in range(3))
    if received + wrong + missing == 0:
        received = 1
    serials: tuple[str, ...] = ()
    if line.delivered_serials:
        # One serial number per unit received, as a rule; too few when more came.
        shuffled = data.draw(st.permutations(line.delivered_serials))
        serials = tuple(shuffled[: int(in_steps(received, places))])
    return Receipt(
        received=now_and_then_finer(data, in_steps(received, places), places),
        damaged_in_transit=in_steps(data.draw(st.integers(0, received)), places),
        wrong_item=in_steps(wrong, places),
        missing=in_steps(missing, places),
        serial_numbers=serials,
    )


def inspection(data: st.DataObject, line: ReturnLine) -> Inspection:
    """An inspection of ``line``: accepted units split over two dispositions, rejects sent on.

    Counts are whole steps of the line's unit, now and then one finer.
    """
    places = line.unit_places
    top = steps(line.awaiting_inspection, places) + data.draw(st.sampled_from([0, 0, 0, 1]))
    accepted = data.draw(st.integers(0, top))
    rejected = data.draw(st.integers(0, top - accepted))
    review = data.draw(st.sampled_from([False, False, True])) if accepted + rejected else True
    first = data.draw(st.sampled_from(list(Disposition)))
    second = data.draw(st.sampled_from(list(Disposition)))
    part = data.draw(st.integers(0, accepted))
    split = {first: in_steps(part, places)}
    split[second] = split.get(second, Decimal(0)) + in_steps(accepted - part, places)
    return Inspection(
        accepted=in_steps(accepted, places),
        rejected=now_and_then_finer(data, in_steps(rejected, places), places),
        needs_review=review,
        dispositions=split if accepted else {},
        rejected_outcome=data.draw(st.sampled_from(list(RejectOutcome))),
    )


def full_receipts(order: ReturnOrder) -> dict[LineRef, Receipt]:
    """The happy path's receipt: every unit still awaited, with its serial numbers."""
    return {
        line.ref: Receipt(
            received=line.awaiting_receipt,
            serial_numbers=line.delivered_serials[: int(line.awaiting_receipt)],
        )
        for line in order.lines
        if line.awaiting_receipt
    }


def full_inspections(data: st.DataObject, order: ReturnOrder) -> dict[LineRef, Inspection]:
    """The happy path's inspection: every unit waiting accepted, to one disposition a line."""
    return {
        line.ref: Inspection(
            accepted=line.awaiting_inspection,
            disposition=data.draw(st.sampled_from(list(Disposition))),
        )
        for line in order.lines
        if line.awaiting_inspection or line.review_note
    }


def repair(data: st.DataObject, order: ReturnOrder) -> tuple[LineRef, Decimal, Disposition]:
    """A finished repair on a line of ``order``: up to one unit more than is in repair."""
    line = data.draw(st.sampled_from(order.lines))
    places = line.unit_places
    units = in_steps(data.draw(st.integers(1, steps(line.in_repair, places) + 1)), places)
    return line.ref, units, data.draw(st.sampled_from([Disposition.RESTOCK, Disposition.SCRAP]))


def payment(data: st.DataObject, order: ReturnOrder) -> Money | None:
    """A payment of ``order``'s granted refund, up to a cent more than is outstanding."""
    if order.grant is None:
        return None
    top = order.grant.outstanding.amount + Decimal("0.01")
    cents = data.draw(st.integers(1, max(1, int(top * 100))))
    return Money(Decimal(cents) / 100, order.currency)
