"""Delivering events: what happens to one message on its way to one destination.

Every committed event is an outbox message; every named destination (the
e-mail notifier, the SMS notifier, each webhook endpoint, the broker, a host's
own callable) gets its own :class:`~crm_returns.domain.delivery.deliveries.Delivery`
of it and goes through it at its own pace, so that one failing destination
never holds back another.

- ``states.py`` — the delivery's state machine, as one table: pending →
  delivered, or pending → dead (out of tries, or a permanent failure), or
  pending → unknown (the receiver may or may not have it); dead and unknown go
  back to pending when an operator replays them.
- ``retries.py`` — when to try again: the back-off schedule with jitter, and
  ``Retry-After`` honoured.
- ``deliveries.py`` — the delivery and attempt records, and the one function
  that decides a delivery's next state from an attempt's outcome.

The relay that drives them lives in ``crm_returns.service.delivery``; the
destinations in ``crm_returns.adapters``.
"""

from crm_returns.domain.delivery.deliveries import (
    Attempt,
    Delivery,
    after_attempt,
    replayed,
    resolved,
)
from crm_returns.domain.delivery.retries import DEFAULT_SCHEDULE, RetrySchedule
from crm_returns.domain.delivery.states import (
    DELIVERY_TRANSITIONS,
    DeliveryStatus,
    Outcome,
)

__all__ = [
    "DEFAULT_SCHEDULE",
    "DELIVERY_TRANSITIONS",
    "Attempt",
    "Delivery",
    "DeliveryStatus",
    "Outcome",
    "RetrySchedule",
    "after_attempt",
    "replayed",
    "resolved",
]
