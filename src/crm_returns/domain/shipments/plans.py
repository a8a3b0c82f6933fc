"""A new shipment as staff plan it, and the receipts a lost parcel leads to.

A :class:`ShipmentPlan` says how the goods come back:

==============  =========  ================  =================================
method          carrier    tracking number   note
==============  =========  ================  =================================
carrier pickup  required   optional          a label may be created later
drop-off        optional   optional          a tracking number needs a carrier
in store        none       none              handed over at the counter
==============  =========  ================  =================================

A carrier's code is lower-case letters, digits, ``_`` and ``-`` (``sf``,
``jd-logistics``, ``manual``): it is half of the key a carrier's report finds
its shipment by (``carrier:tracking_number``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

import attrs

from crm_returns.domain._checks import text, value_of
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.lines import Receipt
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.shipments.records import ShipmentMethod, ShippingPayer
from crm_returns.errors import InvalidInput, quoted

__all__ = ["CARRIER_CODE_LIMIT", "ShipmentPlan", "check_carrier_code", "lost_parcel_receipts"]

#: Longest carrier code, in characters.
CARRIER_CODE_LIMIT: Final = 32

_CODE: Final = re.compile(r"[a-z0-9][a-z0-9_-]*")


def check_carrier_code(code: object) -> str:
    """``code`` if it is a carrier code: lower-case letters, digits, ``_`` and ``-``.

    Raises:
        InvalidInput: It is not.
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code) or len(code) > CARRIER_CODE_LIMIT:
        raise InvalidInput(
            "a carrier code is lower-case letters, digits, '_' and '-', at most "
            f"{CARRIER_CODE_LIMIT} characters, got {quoted(code)}"
        )
    return code


def _carrier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value != "":
        check_carrier_code(value)


def _cost(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    value_of(Money, optional=True)(instance, attribute, value)
    if isinstance(value, Money) and value.amount < 0:
        raise InvalidInput(f"a shipment's cost must not be negative, got {value}")


@attrs.frozen(kw_only=True)
class ShipmentPlan:
    """How the goods of a return come back, as staff (or the customer) arrange it.

    Attributes:
        method: Drop-off, carrier pickup, or in store.
        carrier: The carrier's code; required for a pickup, none in store.
        tracking_number: The carrier's tracking number, if already known
            (typed by staff, or given by the customer after a drop-off).
        paid_by: Who pays for the shipment; the merchant by default.
        cost: What it costs, if known (a label created later tells it).

    Raises:
        InvalidInput: A field is malformed, or the fields do not go together
            (a pickup without a carrier, a carrier in store, a tracking
            number without a carrier).
    """

    method: ShipmentMethod = attrs.field(validator=value_of(ShipmentMethod))
    carrier: str = attrs.field(default="", validator=_carrier)
    tracking_number: str = attrs.field(default="", validator=text(128, optional=True, no_nul=True))
    paid_by: ShippingPayer = attrs.field(
        default=ShippingPayer.MERCHANT, validator=value_of(ShippingPayer)
    )
    cost: Money | None = attrs.field(default=None, validator=_cost)

    def __attrs_post_init__(self) -> None:
        if self.tracking_number and not self.tracking_number.strip():
            raise InvalidInput(f"a tracking number must not be blank, got {self.tracking_number!r}")
        if self.method is ShipmentMethod.IN_STORE and (self.carrier or self.tracking_number):
            raise InvalidInput("goods handed over in store have no carrier and no tracking number")
        if self.method is ShipmentMethod.CARRIER_PICKUP and not self.carrier:
            raise InvalidInput("a carrier pickup needs the carrier's code")
        if self.tracking_number and not self.carrier:
            raise InvalidInput("a tracking number needs the carrier's code it belongs to")


def lost_parcel_receipts(order: ReturnOrder) -> dict[LineRef, Receipt]:
    """The receipts that declare every unit still expected on ``order`` missing.

    What staff record (with :meth:`~crm_returns.ReturnsService.receive_goods`)
    when the carrier lost the parcel: each line's approved units not yet
    received, wrong or missing, as missing.  Under a refund policy with
    ``refund_missing_units`` the refund then pays for them.
    """
    receipts: dict[LineRef, Receipt] = {}
    for line in order.lines:
        outstanding = line.awaiting_receipt
        if outstanding > 0:
            receipts[line.ref] = Receipt(received=Decimal(0), missing=outstanding)
    return receipts
