"""A destination that keeps what it is given, for tests and demos of the relay."""

from __future__ import annotations

from crm_returns.ports.delivery import OutboxMessage

__all__ = ["MemoryDestination"]


class MemoryDestination:
    """Keeps delivered messages in a list; can be told to fail.

    Args:
        name: The destination's name.

    Attributes:
        received: Every message delivered, in order (a message delivered
            twice is here twice).
        failure: While set, :meth:`deliver` raises it instead of keeping the
            message (a :class:`~crm_returns.errors.DeliveryFailed` kind, or
            any exception, which counts as transient).
    """

    def __init__(self, name: str = "memory") -> None:
        self._name = name
        self.received: list[OutboxMessage] = []
        self.failure: BaseException | None = None

    @property
    def name(self) -> str:
        """The destination's name."""
        return self._name

    def deliver(self, message: OutboxMessage) -> None:
        """Keep ``message``, or raise :attr:`failure` while it is set."""
        if self.failure is not None:
            raise self.failure
        self.received.append(message)
