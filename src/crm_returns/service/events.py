"""Delivering events: a relay over the service's database, for named destinations."""

from __future__ import annotations

from collections.abc import Iterable

from crm_returns.ports.delivery import Destination
from crm_returns.service.delivery import EventRelay
from crm_returns.service.relay_settings import RelaySettings
from crm_returns.service.template import ServiceCore

__all__ = ["Events"]


class Events(ServiceCore):
    """Relay committed events from the outbox to destinations."""

    def relay(
        self, destinations: Iterable[Destination], settings: RelaySettings | None = None
    ) -> EventRelay:
        """A relay that delivers this service's committed events to ``destinations``.

        Run it with :meth:`~crm_returns.EventRelay.run_once` (from a scheduler),
        :meth:`~crm_returns.EventRelay.run_forever` (in a thread or a process of
        its own), or ``crm-returns events relay``.  Any number of relays may run
        at once over one database.

        Raises:
            InvalidInput: A destination has no name, or two share one.
        """
        return EventRelay(self._uow, self._clock, destinations, settings)
