"""Where returned goods can be and go: locations, dispositions (处置) and reject outcomes.

The inspector decides per accepted unit: restock 重新上架, repair 维修,
quarantine 隔离, scrap 报废 or return to vendor 退供应商; rejected units are kept
in quarantine or sent back to the customer.  :func:`destination_of` says where
each decision sends the goods.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

__all__ = ["Disposition", "Location", "RejectOutcome", "destination_of"]


class Location(enum.Enum):
    """Where goods can be; virtual locations stand for the world outside the warehouse."""

    CUSTOMER = "customer"  # virtual
    RECEIVING = "receiving"
    SELLABLE = "sellable"
    QUARANTINE = "quarantine"
    REPAIR = "repair"
    SCRAP = "scrap"  # virtual
    VENDOR = "vendor"  # virtual

    @property
    def virtual(self) -> bool:
        """Whether the location is outside the warehouse."""
        return self in (Location.CUSTOMER, Location.SCRAP, Location.VENDOR)


class Disposition(enum.Enum):
    """What happens to accepted units after inspection."""

    RESTOCK = "restock"
    REPAIR = "repair"
    QUARANTINE = "quarantine"
    SCRAP = "scrap"
    RETURN_TO_VENDOR = "return_to_vendor"


class RejectOutcome(enum.Enum):
    """What happens to units rejected at inspection."""

    KEEP_IN_QUARANTINE = "keep_in_quarantine"
    SEND_BACK = "send_back"


_DESTINATIONS: Mapping[Disposition | RejectOutcome, Location] = {
    Disposition.RESTOCK: Location.SELLABLE,
    Disposition.REPAIR: Location.REPAIR,
    Disposition.QUARANTINE: Location.QUARANTINE,
    Disposition.SCRAP: Location.SCRAP,
    Disposition.RETURN_TO_VENDOR: Location.VENDOR,
    RejectOutcome.KEEP_IN_QUARANTINE: Location.QUARANTINE,
    RejectOutcome.SEND_BACK: Location.CUSTOMER,
}


def destination_of(decision: Disposition | RejectOutcome) -> Location:
    """Where units go for ``decision``."""
    return _DESTINATIONS[decision]
