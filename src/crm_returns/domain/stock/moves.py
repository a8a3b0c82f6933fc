"""Stock: locations, dispositions (处置) and stock moves (库存流水).

Goods only ever move from one location to another, so stock is conserved:
for every SKU the balances of all locations, virtual ones included, sum to
zero.  Receiving moves goods from the customer to returns receiving; the
inspector's disposition moves accepted units on (restock 重新上架, repair 维修,
quarantine 隔离, scrap 报废, return to vendor 退供应商); rejected units are kept
in quarantine or sent back to the customer; a finished repair goes back to
sellable stock (or to scrap).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from crm_returns.domain._checks import moment, string_tuple, text
from crm_returns.domain.money import quantity
from crm_returns.domain.orders import LineRef
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.errors import InvalidInput

__all__ = ["MoveReason", "StockMove", "balances"]


class MoveReason(enum.Enum):
    """Why goods moved: the receipt, a disposition, a reject outcome, or a repair's end."""

    RECEIPT = "receipt"
    RESTOCK = "restock"
    REPAIR = "repair"
    QUARANTINE = "quarantine"
    SCRAP = "scrap"
    RETURN_TO_VENDOR = "return_to_vendor"
    KEEP_IN_QUARANTINE = "keep_in_quarantine"
    SEND_BACK = "send_back"
    REPAIRED_RESTOCK = "repaired_restock"
    REPAIRED_SCRAP = "repaired_scrap"

    @classmethod
    def of(cls, decision: Disposition | RejectOutcome) -> MoveReason:
        """The reason for moving units as ``decision`` says."""
        return cls(decision.value)


def _positive(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if value <= 0:
        raise InvalidInput(f"a stock move must move more than zero units, got {value}")


@attrs.frozen(kw_only=True)
class StockMove:
    """Units of one SKU moved from one location to another.

    Attributes:
        id: Stable id; integrations can use it as an idempotency key.
        tenant_id: The tenant.
        return_id: The return it belongs to.
        line: The order line the goods came from.
        sku: Product code.
        quantity: Units moved, more than zero.
        source: Where from.
        destination: Where to.
        at: When.
        serial_numbers: Serial numbers of the units, when tracked.
        lot: Lot or batch number, when tracked.
        reason: Why they moved.
    """

    id: str
    tenant_id: str
    return_id: str
    line: LineRef
    sku: str
    quantity: Decimal = attrs.field(converter=quantity, validator=_positive)
    source: Location
    destination: Location
    at: datetime = attrs.field(validator=moment)
    serial_numbers: tuple[str, ...] = attrs.field(default=(), converter=string_tuple)
    lot: str = attrs.field(default="", validator=text(64, optional=True))
    reason: MoveReason = MoveReason.RECEIPT

    def __attrs_post_init__(self) -> None:
        if self.source is self.destination:
            raise InvalidInput(f"a stock move needs two locations, got {self.source.value} twice")


def balances(moves: Iterable[StockMove]) -> dict[tuple[str, Location], Decimal]:
    """Units on hand by (SKU, location); virtual locations go negative as goods leave them."""
    result: defaultdict[tuple[str, Location], Decimal] = defaultdict(Decimal)
    for move in moves:
        result[(move.sku, move.source)] -= move.quantity
        result[(move.sku, move.destination)] += move.quantity
    return {key: units for key, units in result.items() if units != 0}
