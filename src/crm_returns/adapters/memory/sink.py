"""An event sink that keeps what it is given, for tests of the outbox relay."""

from __future__ import annotations

from crm_returns.ports import OutboxMessage

__all__ = ["MemoryEventSink"]


class MemoryEventSink:
    """Keeps published messages in a list; can be told to fail, to test the outbox."""

    def __init__(self) -> None:
        self.published: list[OutboxMessage] = []
        self.failing = False

    def publish(self, message: OutboxMessage) -> None:
        """Keep ``message``, or raise while ``failing`` is set."""
        if self.failing:
            raise ConnectionError("event sink is down")
        self.published.append(message)
