"""Return lines (退库明细) and the quantities they count.

A line does not keep a row per unit; it counts units through the return's
life.  Receiving and accepting are separate decisions:

- ``requested``: asked for by the customer;
- ``approved``: agreed to take back (set to ``requested`` on submit, and an
  approver may lower it);
- at the dock, each approved unit ends up as exactly one of ``received`` (the
  item arrived), ``wrong_item`` (something else arrived in its place) or
  ``missing`` (it never arrived); ``damaged_in_transit`` counts how many of the
  received units arrived damaged by the carrier;
- at inspection, each received unit is ``accepted`` or ``rejected``; a line
  that needs a person's judgement is flagged for manual review and holds the
  return until someone settles it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

import attrs

from crm_returns.domain._checks import (
    flag,
    items_of,
    not_negative,
    string_tuple,
    text,
    value_of,
)
from crm_returns.domain.money import Money, exact_quantity, quantity, within_places
from crm_returns.domain.orders import LinePricing, LineRef
from crm_returns.domain.reasons import Fault
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome
from crm_returns.errors import InvalidInput

__all__ = ["NOTE_LIMIT", "Inspection", "Receipt", "RequestedLine", "ReturnLine"]

#: Longest note or comment accepted, in characters.
NOTE_LIMIT = 2000

_ZERO = Decimal(0)
_K = TypeVar("_K", Disposition, RejectOutcome)


@attrs.frozen
class RequestedLine:
    """One line a clerk picked for a return, with its quantity and reason.

    Attributes:
        ref: The order line.
        quantity: Units to return; must be more than zero.
        reason_code: A selectable reason from the tenant's catalog.
        note: Free text from the customer or clerk.
    """

    ref: LineRef = attrs.field(validator=value_of(LineRef))
    quantity: Decimal = attrs.field(converter=quantity)
    reason_code: str = attrs.field(validator=text(64))
    note: str = attrs.field(default="", validator=text(NOTE_LIMIT, optional=True))

    @quantity.validator
    def _positive(self, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
        if value == 0:
            raise InvalidInput(f"line {self.ref}: quantity to return must be more than zero")


@attrs.frozen
class Receipt:
    """What arrived at the dock for one line in one delivery.

    Attributes:
        received: Units of the item that arrived.
        damaged_in_transit: How many of ``received`` arrived damaged by the carrier.
        wrong_item: Units for which something else arrived.
        missing: Units declared never to arrive.
        serial_numbers: Serial numbers of the received units, for lines that
            track them (one per received unit, each delivered on the line).
        lot: Lot or batch number, if tracked.
    """

    received: Decimal = attrs.field(default=_ZERO, converter=exact_quantity, validator=not_negative)
    damaged_in_transit: Decimal = attrs.field(
        default=_ZERO, converter=exact_quantity, validator=not_negative
    )
    wrong_item: Decimal = attrs.field(
        default=_ZERO, converter=exact_quantity, validator=not_negative
    )
    missing: Decimal = attrs.field(default=_ZERO, converter=exact_quantity, validator=not_negative)
    serial_numbers: tuple[str, ...] = attrs.field(default=(), converter=string_tuple)
    lot: str = attrs.field(default="", validator=text(64, optional=True))

    def __attrs_post_init__(self) -> None:
        if len(set(self.serial_numbers)) != len(self.serial_numbers):
            raise InvalidInput(f"serial numbers repeat in one receipt: {self.serial_numbers}")
        if self.damaged_in_transit > self.received:
            raise InvalidInput(
                f"damaged_in_transit {self.damaged_in_transit} cannot exceed "
                f"received {self.received}"
            )
        if self.accounted == 0:
            raise InvalidInput("a receipt must account for at least one unit")

    @property
    def accounted(self) -> Decimal:
        """Approved units this receipt settles: received, wrong or missing."""
        return self.received + self.wrong_item + self.missing


def _split(
    value: Mapping[Disposition, object] | Iterable[tuple[Disposition, object]],
) -> tuple[tuple[Disposition, Decimal], ...]:
    pairs = value.items() if isinstance(value, Mapping) else items_of(value, "dispositions")
    result = []
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidInput(f"dispositions must be (Disposition, units) pairs, got {pair!r}")
        disposition, units = pair
        if not isinstance(disposition, Disposition):
            raise InvalidInput(f"dispositions must be keyed by Disposition, got {disposition!r}")
        result.append((disposition, quantity(units, f"{disposition.value} units")))
    return tuple(sorted(result, key=lambda pair: pair[0].value))


@attrs.frozen
class Inspection:
    """An inspector's decision on received units of one line.

    Attributes:
        accepted: Units accepted.
        rejected: Units rejected (not as described, damaged by the customer, ...).
        needs_review: Flag the line for a person's judgement; it holds the
            return until an inspection without the flag settles it (an
            inspection deciding no units may do just that).
        note: What the inspector saw.
        disposition: Where accepted units go, when they all go one way
            (restock by default).
        dispositions: Split accepted units over several dispositions; the
            counts must add up to ``accepted``.  Overrides ``disposition``.
        rejected_outcome: Whether rejected units stay in quarantine (default)
            or go back to the customer.
    """

    accepted: Decimal = attrs.field(default=_ZERO, converter=exact_quantity, validator=not_negative)
    rejected: Decimal = attrs.field(default=_ZERO, converter=exact_quantity, validator=not_negative)
    needs_review: bool = attrs.field(default=False, validator=flag)
    note: str = attrs.field(default="", validator=text(NOTE_LIMIT, optional=True))
    disposition: Disposition = attrs.field(default=Disposition.RESTOCK)
    dispositions: tuple[tuple[Disposition, Decimal], ...] = attrs.field(
        default=(), converter=_split
    )
    rejected_outcome: RejectOutcome = attrs.field(default=RejectOutcome.KEEP_IN_QUARANTINE)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.disposition, Disposition):
            raise InvalidInput(f"disposition must be a Disposition, got {self.disposition!r}")
        if not isinstance(self.rejected_outcome, RejectOutcome):
            raise InvalidInput(
                f"rejected_outcome must be a RejectOutcome, got {self.rejected_outcome!r}"
            )
        split = sum((units for _, units in self.dispositions), _ZERO)
        if self.dispositions and split != self.accepted:
            raise InvalidInput(
                f"dispositions add up to {split} units but {self.accepted} are accepted"
            )

    def split(self) -> tuple[tuple[Disposition, Decimal], ...]:
        """Accepted units by disposition, leaving out zero counts."""
        if self.dispositions:
            return tuple((d, units) for d, units in self.dispositions if units)
        return ((self.disposition, self.accepted),) if self.accepted else ()

    @property
    def decided(self) -> Decimal:
        """Units this inspection accepts or rejects."""
        return self.accepted + self.rejected


def add_counts(
    counts: tuple[tuple[_K, Decimal], ...], more: Iterable[tuple[_K, Decimal]]
) -> tuple[tuple[_K, Decimal], ...]:
    """Add ``more`` to per-key unit counts, keeping keys in first-seen order."""
    merged: dict[_K, Decimal] = dict(counts)
    for key, units in more:
        merged[key] = merged.get(key, _ZERO) + units
    return tuple(merged.items())


@attrs.frozen
class ReturnLine:
    """One order line in a return order, with its quantities so far.

    Attributes:
        ref: The order line.
        sku: Product code (snapshot).
        product_name: Product name (snapshot).
        product_category: Product category (snapshot).
        reason_code: Chosen reason.
        reason_category: The reason's category at the time it was chosen.
        inspection_required: Whether received units wait for inspection; when
            not, they are accepted as they arrive.
        unit_price: Unit price as invoiced (snapshot).
        refund: Refund estimated for the requested units when last priced.
        requested: Units asked for.
        approved: Units agreed to take back.
        received: Units of the item that arrived.
        damaged_in_transit: Received units damaged by the carrier.
        wrong_item: Units for which something else arrived.
        missing: Units that never arrived.
        accepted: Received units accepted at inspection.
        rejected: Received units rejected at inspection.
        pricing: What the customer paid for the order line (snapshot).
        fault: Who is at fault, from the reason (snapshot).
        review_note: Set while the line waits for manual review.
        note: Free text from the request.
        delivered_serials: Serial numbers delivered on the order line (snapshot).
        serial_numbers: Serial numbers of the units received on this return.
        lot: Lot or batch number of the received units, if tracked.
        dispositions: Accepted units by disposition.
        rejected_outcomes: Rejected units by outcome.
        repaired: Units that left repair (back to stock or scrapped).
        unit_places: Decimal places of the order line's unit (snapshot of
            :attr:`~crm_returns.domain.orders.DeliveredLine.unit_places`): every
            quantity decided on the line is a whole number of its steps.
        ordered_at: When the order was placed (snapshot); ``None`` on returns
            made before the snapshot was kept.
        delivered_at: When the order line was delivered (snapshot), if it was.
    """

    ref: LineRef
    sku: str
    product_name: str
    product_category: str
    reason_code: str
    reason_category: str
    inspection_required: bool
    unit_price: Money
    refund: Money
    requested: Decimal
    pricing: LinePricing
    fault: Fault
    approved: Decimal = _ZERO
    received: Decimal = _ZERO
    damaged_in_transit: Decimal = _ZERO
    wrong_item: Decimal = _ZERO
    missing: Decimal = _ZERO
    accepted: Decimal = _ZERO
    rejected: Decimal = _ZERO
    review_note: str | None = None
    note: str = ""
    delivered_serials: tuple[str, ...] = ()
    serial_numbers: tuple[str, ...] = ()
    lot: str = ""
    dispositions: tuple[tuple[Disposition, Decimal], ...] = ()
    rejected_outcomes: tuple[tuple[RejectOutcome, Decimal], ...] = ()
    repaired: Decimal = _ZERO
    unit_places: int = 0
    ordered_at: datetime | None = None
    delivered_at: datetime | None = None

    def units(self, value: Decimal, what: str) -> Decimal:
        """``value`` if it is whole steps of the line's unit.

        Raises:
            InvalidQuantity: ``value`` is finer than the line's unit allows.
        """
        return within_places(value, self.unit_places, f"line {self.ref}: {what}")

    def disposed(self, disposition: Disposition) -> Decimal:
        """Accepted units sent to ``disposition``."""
        return sum((units for d, units in self.dispositions if d is disposition), _ZERO)

    @property
    def in_repair(self) -> Decimal:
        """Units still in repair."""
        return self.disposed(Disposition.REPAIR) - self.repaired

    @property
    def accounted(self) -> Decimal:
        """Approved units settled at the dock (received, wrong or missing)."""
        return self.received + self.wrong_item + self.missing

    @property
    def awaiting_receipt(self) -> Decimal:
        """Approved units not yet settled at the dock."""
        return self.approved - self.accounted

    @property
    def awaiting_inspection(self) -> Decimal:
        """Received units neither accepted nor rejected yet."""
        return self.received - self.accepted - self.rejected

    @property
    def settled(self) -> bool:
        """Whether every received unit is decided and no review is pending."""
        return self.awaiting_inspection == 0 and self.review_note is None
