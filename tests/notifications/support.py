"""Shared by the notification tests: real outbox messages from whole lifecycles."""

from __future__ import annotations

import functools

from tests.cloudevents.lifecycles import every_event

from crm_returns.ports import OutboxMessage


@functools.cache
def lifecycle_messages() -> tuple[OutboxMessage, ...]:
    """Every message three returns through the sample shop make (every event type)."""
    return tuple(every_event())
