"""Carriers that ship with the library: one in memory, and the "manual" carrier.

- :class:`MemoryCarrier` creates labels with readable, deterministic tracking
  numbers (``MEM0000000001``, ``MEM0000000002``, ...) and reports the
  tracking events a test or a demo pushes into it (:meth:`MemoryCarrier.push`).
- :class:`ManualCarrier` is a carrier the library cannot talk to: staff type
  the tracking number (in the shipment's plan) and record what they learn
  (:meth:`~crm_returns.ReturnsService.record_tracking`).  It creates no
  labels (:class:`~crm_returns.errors.LabelsNotOffered`) and reports nothing.

Both satisfy :class:`~crm_returns.ports.carriers.Carrier` and pass the
conformance kit's :class:`~crm_returns.testing.conformance.CarrierContract`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from crm_returns.domain.money import Money
from crm_returns.domain.shipments.plans import check_carrier_code
from crm_returns.domain.shipments.records import Shipment
from crm_returns.errors import CarrierError, InvalidInput, LabelsNotOffered
from crm_returns.ports.carriers import CarrierEvent, CarrierLabel

__all__ = ["ManualCarrier", "MemoryCarrier"]


class MemoryCarrier:
    """A carrier in memory: deterministic labels, and the tracking events it is given.

    Args:
        code: The carrier's code; ``memory`` by default.
        prefix: What its tracking numbers start with; ``MEM`` by default.
        label_cost: What each label costs, if anything.

    Raises:
        InvalidInput: The code, prefix or cost is malformed.
    """

    def __init__(
        self, code: str = "memory", *, prefix: str = "MEM", label_cost: Money | None = None
    ) -> None:
        self._code = check_carrier_code(code)
        if not isinstance(prefix, str) or not prefix.isalnum() or len(prefix) > 16:
            raise InvalidInput(f"a tracking number prefix is 1 to 16 letters or digits: {prefix!r}")
        if label_cost is not None and not isinstance(label_cost, Money):
            raise InvalidInput(f"label_cost must be Money, got {type(label_cost).__name__}")
        self._prefix, self._cost = prefix, label_cost
        self._lock = threading.Lock()
        self._labels = 0
        self._events: dict[str, list[CarrierEvent]] = {}
        #: Labels created, in order, with the shipment each was for.
        self.labels: list[tuple[str, CarrierLabel]] = []
        #: While set, every call fails with :class:`~crm_returns.errors.CarrierError` (an outage).
        self.down = False

    @property
    def code(self) -> str:
        """The carrier's code."""
        return self._code

    def _check_up(self) -> None:
        if self.down:
            raise CarrierError(self._code, "the carrier cannot be reached; try again later")

    def create_label(self, shipment: Shipment) -> CarrierLabel:
        """A label with the next tracking number (``<prefix>0000000001``, ...).

        Raises:
            CarrierError: The carrier is :attr:`down`.
        """
        with self._lock:
            self._check_up()
            self._labels += 1
            number = f"{self._prefix}{self._labels:010d}"
            label = CarrierLabel(
                tracking_number=number, label_reference=f"label-{number}", cost=self._cost
            )
            self.labels.append((shipment.id, label))
            return label

    def push(self, *events: CarrierEvent) -> None:
        """Make the carrier know ``events`` (a second push of one event repeats it, as carriers do).

        Raises:
            InvalidInput: One is not a :class:`~crm_returns.ports.CarrierEvent`.
        """
        for event in events:
            if not isinstance(event, CarrierEvent):
                raise InvalidInput(f"push takes CarrierEvent values, got {type(event).__name__}")
        with self._lock:
            for event in events:
                self._events.setdefault(event.tracking_number, []).append(event)

    def track(self, tracking_number: str) -> Sequence[CarrierEvent]:
        """Every event pushed for ``tracking_number``, in the order pushed.

        Raises:
            CarrierError: The carrier is :attr:`down`.
        """
        with self._lock:
            self._check_up()
            return tuple(self._events.get(tracking_number, ()))


class ManualCarrier:
    """A carrier the library cannot talk to: staff type its tracking numbers and updates.

    Args:
        code: The carrier's code; ``manual`` by default (give ``sf``, ``ems``,
            ... to keep shipments of carriers without an adapter apart).

    Raises:
        InvalidInput: The code is malformed.
    """

    def __init__(self, code: str = "manual") -> None:
        self._code = check_carrier_code(code)

    @property
    def code(self) -> str:
        """The carrier's code."""
        return self._code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ManualCarrier) and other.code == self.code

    def __hash__(self) -> int:
        return hash((ManualCarrier, self._code))

    def __repr__(self) -> str:
        return f"ManualCarrier({self._code!r})"

    def create_label(self, shipment: Shipment) -> CarrierLabel:
        """Never: this carrier creates no labels.

        Raises:
            LabelsNotOffered: Always; the message says to type the tracking number.
        """
        raise LabelsNotOffered(self._code)

    def track(self, tracking_number: str) -> Sequence[CarrierEvent]:
        """Nothing: tracking of this carrier comes only from staff."""
        return ()
