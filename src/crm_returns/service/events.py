"""Delivering events: committed outbox messages handed to the host's event sink."""

from __future__ import annotations

from crm_returns.errors import (
    InvalidInput,
    quoted,
)
from crm_returns.ports import (
    EventSink,
)
from crm_returns.service.template import ServiceCore

__all__ = ["Events"]


#: Most events one call of ``relay_events`` hands on.
RELAY_LIMIT = 10_000


class Events(ServiceCore):
    """Relay committed events from the outbox to a sink."""

    def relay_events(self, sink: EventSink, limit: int = 100) -> int:
        """Hand committed events to ``sink``, oldest first; returns how many went.

        A message the sink refuses stays in the outbox for the next call, and
        so does every message after it, so that order is kept.

        Raises:
            InvalidInput: ``limit`` is not a whole number from 0 to :data:`RELAY_LIMIT`.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= RELAY_LIMIT:
            raise InvalidInput(
                f"limit must be a whole number from 0 to {RELAY_LIMIT}, got {quoted(limit)}"
            )
        delivered = 0
        with self._uow() as uow:
            for message in uow.outbox.pending(limit):
                try:
                    sink.publish(message)
                except Exception:  # noqa: BLE001 - any sink failure means "try later"
                    break
                uow.outbox.mark_delivered(message.id, self._clock.now())
                delivered += 1
            uow.commit()
        return delivered
