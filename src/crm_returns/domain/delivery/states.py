"""A delivery's state machine, as one table.

::

    pending ──delivered──▶ delivered
      │ ▲ ──transient (tries left)──┐        gone: the destination is disabled;
      │ └───────────────────────────┘        the delivery waits in pending
      ├──transient (last try), permanent──▶ dead ──replay──▶ pending
      └──unknown──▶ unknown ──replay──▶ pending
                      └──resolve──▶ delivered

A delivery is one message on its way to one destination.  ``dead`` and
``unknown`` are the operator's: a dead letter waits to be replayed, an
unknown outcome (an SMS gateway that timed out after it may have sent) waits
for someone to look, because sending it again could reach the customer twice.
Neither holds back later messages of the same return.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["DELIVERY_TRANSITIONS", "DeliveryStatus", "Outcome", "Step"]


class DeliveryStatus(enum.Enum):
    """Where one message stands with one destination."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    UNKNOWN = "unknown"


class Outcome(enum.Enum):
    """What one attempt to deliver came to."""

    #: The receiver took it.
    DELIVERED = "delivered"
    #: It may work later (a timeout, SMTP 4xx, HTTP 5xx or 429, a broker nack).
    TRANSIENT = "transient"
    #: It never will (SMTP 5xx, HTTP 4xx): dead at once.
    PERMANENT = "permanent"
    #: The receiver may or may not have it.
    UNKNOWN = "unknown"
    #: The destination itself is gone (HTTP 410); the delivery waits.
    GONE = "gone"


class Step(enum.Enum):
    """What moves a delivery: an attempt's outcome, or an operator."""

    DELIVERED = "delivered"
    RETRY = "retry"
    LAST_TRY_FAILED = "last try failed"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"
    GONE = "gone"
    REPLAY = "replay"
    RESOLVE = "resolve"


_P, _D, _X, _U = (
    DeliveryStatus.PENDING,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.DEAD,
    DeliveryStatus.UNKNOWN,
)

#: Every legal move: (status, step) → the status after it.
DELIVERY_TRANSITIONS: Final[dict[tuple[DeliveryStatus, Step], DeliveryStatus]] = {
    (_P, Step.DELIVERED): _D,
    (_P, Step.RETRY): _P,
    (_P, Step.LAST_TRY_FAILED): _X,
    (_P, Step.PERMANENT): _X,
    (_P, Step.UNKNOWN): _U,
    (_P, Step.GONE): _P,
    (_X, Step.REPLAY): _P,
    (_U, Step.REPLAY): _P,
    (_U, Step.RESOLVE): _D,
}
