"""A destination made of a host's own function: ``CallableDestination("erp", post_to_erp)``."""

from __future__ import annotations

from collections.abc import Callable

from crm_returns.errors import InvalidInput, quoted
from crm_returns.ports.delivery import OutboxMessage

__all__ = ["CallableDestination"]


class CallableDestination:
    """Hands each message to a function of the host's: the simplest destination.

    The function raises a :class:`~crm_returns.errors.DeliveryFailed` kind to
    say how it failed (any other exception counts as transient), exactly as a
    destination's ``deliver`` does; it runs outside any transaction, so it may
    call the service.

    Args:
        name: The destination's name (its cursor and dead letters are kept
            under it: keep it stable).
        deliver: Called with each :class:`~crm_returns.OutboxMessage`.

    Raises:
        InvalidInput: ``name`` is not text, or ``deliver`` is not callable.
    """

    def __init__(self, name: str, deliver: Callable[[OutboxMessage], object]) -> None:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"a destination needs a name, got {quoted(name)}")
        if not callable(deliver):
            raise InvalidInput(f"deliver must be callable, got {quoted(deliver)}")
        self._name = name
        self._deliver = deliver

    @property
    def name(self) -> str:
        """The destination's name."""
        return self._name

    def deliver(self, message: OutboxMessage) -> None:
        """Call the host's function with ``message``."""
        self._deliver(message)
