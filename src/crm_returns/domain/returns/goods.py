"""Goods coming back: receiving (收货), inspection (质检), dispositions, repairs, completion.

Each transition also says what it did to stock and to the books: receiving
moves goods from the customer to returns receiving; the inspector's
dispositions move accepted units on and post their cost back (restock,
repair, quarantine: inventory; scrap: a loss; return to vendor: a claim on
the vendor); rejected units stay in quarantine or go back to the customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from crm_returns.domain._evolve import evolved
from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import Account, ChartOfAccounts
from crm_returns.domain.books.journal import EntryKind, JournalEntry, Side, entry
from crm_returns.domain.events import (
    GoodsReceived,
    LinesInspected,
    RepairFinished,
    ReturnCompleted,
)
from crm_returns.domain.money import Money, quantity
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine, add_counts
from crm_returns.domain.returns.order import ReturnOrder, Transition, emit, evolve, require
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, destination_of
from crm_returns.domain.stock.moves import MoveReason, StockMove
from crm_returns.errors import ExcessQuantity, IllegalTransition, InvalidInput

__all__ = ["complete", "finish_repair", "inspect", "receive"]

S = ReturnStatus
_T = TypeVar("_T")


class _Books:
    """Collects the stock moves and journal entries of one transition, with stable ids."""

    def __init__(self, order: ReturnOrder, at: datetime, chart: ChartOfAccounts) -> None:
        self.order, self.at, self.chart = order, at, chart
        self.moves: list[StockMove] = []
        self.entries: list[JournalEntry] = []
        # Ids derive from the return and its next version: stable across retries.
        self._prefix = f"{order.id}:v{order.version + 1}"

    def move(
        self,
        line: ReturnLine,
        units: Decimal,
        source: Location,
        destination: Location,
        reason: MoveReason,
        serials: tuple[str, ...] = (),
        lot: str | None = None,
    ) -> None:
        """Move ``units`` of ``line``; the move carries ``lot``, the line's lot by default."""
        if units <= 0:
            return
        self.moves.append(
            StockMove(
                id=f"{self._prefix}:m{len(self.moves) + 1}",
                tenant_id=self.order.tenant_id,
                return_id=self.order.id,
                line=line.ref,
                sku=line.sku,
                quantity=units,
                source=source,
                destination=destination,
                at=self.at,
                serial_numbers=serials,
                lot=line.lot if lot is None else lot,
                reason=reason,
            )
        )

    def cost_back(self, line: ReturnLine, disposition: Disposition, units: Decimal) -> None:
        """Post the cost of accepted units back, as their disposition says."""
        unit_cost = line.pricing.unit_cost
        if unit_cost is None or units <= 0:
            return  # The host did not say what the goods cost: nothing to value.
        # Where the cost goes, by disposition: the account debited, and the entry's kind.
        debit, kind = {
            Disposition.RESTOCK: (self.chart.inventory, EntryKind.RESTOCK),
            Disposition.REPAIR: (self.chart.inventory, EntryKind.REPAIR),
            Disposition.QUARANTINE: (self.chart.inventory, EntryKind.QUARANTINE),
            Disposition.SCRAP: (self.chart.scrap_loss, EntryKind.SCRAP),
            Disposition.RETURN_TO_VENDOR: (self.chart.vendor_receivable, EntryKind.VENDOR_RETURN),
        }[disposition]
        cost = unit_cost.times(units)
        self._post(
            kind,
            f"{line.ref} {units} × {line.sku} {disposition.value} at cost {unit_cost}",
            [(debit, Side.DEBIT, cost), (self.chart.cost_of_goods_sold, Side.CREDIT, cost)],
        )

    def write_off(self, line: ReturnLine, units: Decimal) -> None:
        """Post repaired units that were scrapped after all."""
        if line.pricing.unit_cost is None:
            return
        cost = line.pricing.unit_cost.times(units)
        self._post(
            EntryKind.SCRAP,
            f"{line.ref} {units} × {line.sku} scrapped after repair",
            [(self.chart.scrap_loss, Side.DEBIT, cost), (self.chart.inventory, Side.CREDIT, cost)],
        )

    def _post(self, kind: EntryKind, memo: str, lines: list[tuple[Account, Side, Money]]) -> None:
        made = entry(
            entry_id=f"{self._prefix}:j{len(self.entries) + 1}",
            tenant_id=self.order.tenant_id,
            return_id=self.order.id,
            number=self.order.number,
            kind=kind,
            at=self.at,
            memo=memo,
            lines=lines,
        )
        if made is not None:
            self.entries.append(made)

    def accept(
        self,
        line: ReturnLine,
        split: Iterable[tuple[Disposition, Decimal]],
        lot: str | None = None,
    ) -> None:
        """Move accepted units where their dispositions send them, and post their cost."""
        for disposition, units in split:
            self.move(
                line,
                units,
                Location.RECEIVING,
                destination_of(disposition),
                MoveReason.of(disposition),
                lot=lot,
            )
            self.cost_back(line, disposition, units)


def _per_line(order: ReturnOrder, given: Mapping[LineRef, _T], what: str) -> dict[LineRef, _T]:
    if not given:
        raise InvalidInput(f"{what} must name at least one line")
    for ref in given:
        order.line(ref)
    return dict(given)


def _check_serials(line: ReturnLine, receipt: Receipt, returned_elsewhere: frozenset[str]) -> None:
    serials = receipt.serial_numbers
    if not line.delivered_serials:
        if serials:
            raise InvalidInput(f"line {line.ref} does not track serial numbers")
        return
    if len(serials) != receipt.received:
        raise InvalidInput(
            f"line {line.ref} tracks serial numbers: give one per received unit "
            f"({receipt.received}), got {len(serials)}"
        )
    unknown = sorted(set(serials) - set(line.delivered_serials))
    if unknown:
        raise InvalidInput(f"line {line.ref}: serial numbers {unknown} were not delivered on it")
    again = sorted(set(serials) & (returned_elsewhere | set(line.serial_numbers)))
    if again:
        raise InvalidInput(f"line {line.ref}: serial numbers {again} have already come back")


def _receive_line(line: ReturnLine, receipt: Receipt, books: _Books) -> ReturnLine:
    for what in ("received", "damaged_in_transit", "wrong_item", "missing"):
        line.units(getattr(receipt, what), what)
    if receipt.accounted > line.awaiting_receipt:
        raise ExcessQuantity(
            f"line {line.ref}: receipt accounts for {receipt.accounted} units but only "
            f"{line.awaiting_receipt} of {line.approved} approved are still expected"
        )
    books.move(
        line,
        receipt.received,
        Location.CUSTOMER,
        Location.RECEIVING,
        MoveReason.RECEIPT,
        receipt.serial_numbers,
        receipt.lot,
    )
    # Lines whose reason needs no inspection are accepted and restocked as they arrive.
    auto = () if line.inspection_required else ((Disposition.RESTOCK, receipt.received),)
    lot = receipt.lot or line.lot
    books.accept(line, (pair for pair in auto if pair[1]), lot)
    return evolved(
        line,
        received=line.received + receipt.received,
        damaged_in_transit=line.damaged_in_transit + receipt.damaged_in_transit,
        wrong_item=line.wrong_item + receipt.wrong_item,
        missing=line.missing + receipt.missing,
        accepted=line.accepted + sum((units for _, units in auto), Decimal(0)),
        dispositions=add_counts(line.dispositions, (p for p in auto if p[1])),
        serial_numbers=(*line.serial_numbers, *receipt.serial_numbers),
        lot=lot,
    )


def receive(
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    receipts: Mapping[LineRef, Receipt],
    chart: ChartOfAccounts,
    returned_serials: Mapping[LineRef, frozenset[str]] | None = None,
    comment: str = "",
) -> Transition:
    """Record goods arriving (partial receipts allowed) and move them into receiving.

    Args:
        order: The return.
        actor: Who received them.
        at: When.
        receipts: What arrived, per line.
        chart: Accounts for goods accepted on arrival.
        returned_serials: Serial numbers of each line that came back on other returns.
        comment: Optional remark.

    Raises:
        IllegalTransition: The return is not approved or partly received.
        NotFound: A receipt names a line not on the return.
        ExcessQuantity: A receipt accounts for more units than are expected.
        InvalidQuantity: A count finer than the line's unit allows.
        InvalidInput: No receipts, or serial numbers that are unknown, repeated or missing.
    """
    require(order, Action.RECEIVE, actor)
    given = _per_line(order, receipts, "a receipt")
    books = _Books(order, at, chart)
    elsewhere = returned_serials or {}
    lines = []
    for line in order.lines:
        if line.ref in given:
            _check_serials(line, given[line.ref], elsewhere.get(line.ref, frozenset()))
            line = _receive_line(line, given[line.ref], books)
        lines.append(line)
    done = all(line.awaiting_receipt == 0 for line in lines)
    target = S.RECEIVED if done else S.PARTIALLY_RECEIVED
    event = emit(order, actor, at, GoodsReceived, target, comment, receipts=tuple(given.items()))
    new = evolve(order, at, status=target, lines=tuple(lines))
    return Transition(new, (event,), tuple(books.moves), tuple(books.entries))


def _inspect_line(line: ReturnLine, inspection: Inspection, books: _Books) -> ReturnLine:
    line.units(inspection.accepted, "accepted")
    line.units(inspection.rejected, "rejected")
    for disposition, units in inspection.dispositions:
        line.units(units, f"{disposition.value} units")
    decided = inspection.decided
    if decided == 0 and not inspection.needs_review and line.review_note is None:
        raise InvalidInput(f"line {line.ref}: the inspection accepts, rejects or flags nothing")
    if decided > line.awaiting_inspection:
        raise ExcessQuantity(
            f"line {line.ref}: inspection decides {decided} units but only "
            f"{line.awaiting_inspection} received units await inspection"
        )
    split = inspection.split()
    books.accept(line, split)
    outcome = inspection.rejected_outcome
    books.move(
        line,
        inspection.rejected,
        Location.RECEIVING,
        destination_of(outcome),
        MoveReason.of(outcome),
    )
    rejected = ((outcome, inspection.rejected),) if inspection.rejected else ()
    return evolved(
        line,
        accepted=line.accepted + inspection.accepted,
        rejected=line.rejected + inspection.rejected,
        dispositions=add_counts(line.dispositions, split),
        rejected_outcomes=add_counts(line.rejected_outcomes, rejected),
        review_note=(inspection.note or "needs review") if inspection.needs_review else None,
    )


def inspect(
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    inspections: Mapping[LineRef, Inspection],
    chart: ChartOfAccounts,
    comment: str = "",
) -> Transition:
    """Record inspection decisions and move the goods on; inspected once all is settled.

    Raises:
        IllegalTransition: No goods are waiting for inspection.
        NotFound: An inspection names a line not on the return.
        ExcessQuantity: More units decided than received and undecided.
        InvalidQuantity: A count finer than the line's unit allows.
        InvalidInput: No inspections, or one that decides nothing.
    """
    require(order, Action.INSPECT, actor)
    given = _per_line(order, inspections, "an inspection")
    books = _Books(order, at, chart)
    lines = tuple(
        _inspect_line(line, given[line.ref], books) if line.ref in given else line
        for line in order.lines
    )
    settled = order.status is S.RECEIVED and all(line.settled for line in lines)
    target = S.INSPECTED if settled else order.status
    event = emit(
        order, actor, at, LinesInspected, target, comment, inspections=tuple(given.items())
    )
    new = evolve(order, at, status=target, lines=lines)
    return Transition(new, (event,), tuple(books.moves), tuple(books.entries))


def finish_repair(
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    ref: LineRef,
    units: Decimal,
    outcome: Disposition,
    chart: ChartOfAccounts,
    comment: str = "",
) -> Transition:
    """Bring repaired units back to sellable stock, or scrap them.

    Raises:
        IllegalTransition: Nothing of the return can be in repair yet.
        NotFound: The return has no such line.
        InvalidInput: ``outcome`` is neither restock nor scrap, or ``units`` is zero.
        InvalidQuantity: ``units`` is finer than the line's unit allows.
        ExcessQuantity: More units than are in repair.
    """
    require(order, Action.FINISH_REPAIR, actor)
    line = order.line(ref)
    units = line.units(quantity(units, "units"), "units")
    if outcome not in (Disposition.RESTOCK, Disposition.SCRAP):
        raise InvalidInput(f"a repair ends in restock or scrap, not {outcome!r}")
    if units == 0:
        raise InvalidInput(f"line {ref}: finish the repair of at least one unit")
    if units > line.in_repair:
        raise ExcessQuantity(f"line {ref}: {units} units to finish but {line.in_repair} in repair")
    books = _Books(order, at, chart)
    reason = (
        MoveReason.REPAIRED_SCRAP if outcome is Disposition.SCRAP else MoveReason.REPAIRED_RESTOCK
    )
    books.move(line, units, Location.REPAIR, destination_of(outcome), reason)
    if outcome is Disposition.SCRAP:
        books.write_off(line, units)
    repaired = evolved(line, repaired=line.repaired + units)
    lines = tuple(repaired if each.ref == ref else each for each in order.lines)
    event = emit(
        order, actor, at, RepairFinished, order.status, comment,
        line=ref, units=units, outcome=outcome,
    )  # fmt: skip
    new = evolve(order, at, lines=lines)
    return Transition(new, (event,), tuple(books.moves), tuple(books.entries))


def complete(order: ReturnOrder, actor: Actor, at: datetime, comment: str = "") -> Transition:
    """Close the return: every unit settled and the refund granted.

    Raises:
        IllegalTransition: Units still await inspection or review, or no refund is granted.
    """
    require(order, Action.COMPLETE, actor)
    unsettled = [str(line.ref) for line in order.lines if not line.settled]
    if unsettled:
        raise IllegalTransition(
            order.number,
            order.status.value,
            "complete",
            f"line(s) {', '.join(unsettled)} still await inspection or review",
        )
    if order.grant is None:
        raise IllegalTransition(
            order.number, order.status.value, "complete", "grant the refund first"
        )
    event = emit(order, actor, at, ReturnCompleted, S.COMPLETED, comment, refund=order.refund)
    return Transition(evolve(order, at, status=S.COMPLETED), (event,))
