"""One message on its way to one destination, and what each attempt does to it."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from crm_returns.domain.delivery.retries import RetrySchedule
from crm_returns.domain.delivery.states import (
    DELIVERY_TRANSITIONS,
    DeliveryStatus,
    Outcome,
    Step,
)
from crm_returns.errors import IllegalDeliveryStep

__all__ = ["ERROR_LIMIT", "Attempt", "Delivery", "after_attempt", "replayed", "resolved"]

#: Longest error text kept with an attempt; a longer one is cut.
ERROR_LIMIT = 2000


def _cut(text: str) -> str:
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 3] + "..."


@attrs.frozen(kw_only=True)
class Delivery:
    """Where one outbox message stands with one destination.

    Attributes:
        destination: The destination's name.
        message_id: The message's id: the same for every destination, and the
            id a receiver deduplicates on.
        tenant_id: The tenant whose event it is.
        return_id: The return it is about; messages of one return go to a
            destination in the order they were written.
        seq: The message's place in the outbox, in the order written.
        status: Where it stands.
        attempts: Tries made so far.
        due_at: Not to be tried before this time.
        last_error: What the last failed try said (empty if none failed).
        delivered_at: When the destination took it.
    """

    destination: str
    message_id: str
    tenant_id: str
    return_id: str
    seq: int
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    due_at: datetime
    last_error: str = ""
    delivered_at: datetime | None = None


@attrs.frozen(kw_only=True)
class Attempt:
    """One try to hand a message to a destination, kept for operators.

    Attributes:
        destination: The destination's name.
        message_id: The message.
        number: 1 for the first try, 2 for the second, ...
        at: When it was tried.
        outcome: What came of it.
        error: What the destination said when it failed (empty on success).
        relay: Which relay tried it.
    """

    destination: str
    message_id: str
    number: int
    at: datetime
    outcome: Outcome
    error: str = ""
    relay: str = ""


def _move(delivery: Delivery, step: Step, action: str) -> DeliveryStatus:
    after = DELIVERY_TRANSITIONS.get((delivery.status, step))
    if after is None:
        raise IllegalDeliveryStep(
            delivery.message_id, delivery.destination, delivery.status.value, action
        )
    return after


def after_attempt(
    delivery: Delivery,
    outcome: Outcome,
    *,
    at: datetime,
    error: str,
    schedule: RetrySchedule,
    spin: float,
    retry_after: timedelta | None = None,
    relay: str = "",
) -> tuple[Delivery, Attempt]:
    """The delivery after one try that came to ``outcome``, and the record of that try.

    A transient failure waits as ``schedule`` says (never less than
    ``retry_after``) unless it was the last try, which makes the message dead;
    a permanent failure makes it dead at once.  A destination that is gone
    leaves the delivery as it was: the try does not count against it.

    Args:
        delivery: The delivery, pending.
        outcome: What the try came to.
        at: When it was tried.
        error: What the destination said, if it failed.
        schedule: When to retry.
        spin: A random number in ``[0, 1)`` for the jitter.
        retry_after: How long the receiver asked us to wait, if it said.
        relay: Which relay tried it.

    Raises:
        IllegalDeliveryStep: The delivery is not pending.
    """
    error = "" if outcome is Outcome.DELIVERED else _cut(error)
    if outcome is Outcome.GONE:
        _move(delivery, Step.GONE, "deliver")
        attempt = Attempt(
            destination=delivery.destination,
            message_id=delivery.message_id,
            number=delivery.attempts,
            at=at,
            outcome=outcome,
            error=error,
            relay=relay,
        )
        return attrs.evolve(delivery, last_error=error), attempt
    tries = delivery.attempts + 1
    due_at = delivery.due_at
    if outcome is Outcome.DELIVERED:
        step = Step.DELIVERED
    elif outcome is Outcome.TRANSIENT:
        step = Step.RETRY if tries < schedule.tries else Step.LAST_TRY_FAILED
        if step is Step.RETRY:
            due_at = at + schedule.wait(tries, spin, retry_after)
    elif outcome is Outcome.PERMANENT:
        step = Step.PERMANENT
    else:
        step = Step.UNKNOWN
    status = _move(delivery, step, "deliver")
    after = attrs.evolve(
        delivery,
        status=status,
        attempts=tries,
        due_at=due_at,
        last_error=error,
        delivered_at=at if status is DeliveryStatus.DELIVERED else None,
    )
    attempt = Attempt(
        destination=delivery.destination,
        message_id=delivery.message_id,
        number=tries,
        at=at,
        outcome=outcome,
        error=error,
        relay=relay,
    )
    return after, attempt


def replayed(delivery: Delivery, at: datetime) -> Delivery:
    """A dead or unknown delivery sent back to be tried again from ``at``, with every try anew.

    Raises:
        IllegalDeliveryStep: The delivery is neither dead nor unknown.
    """
    status = _move(delivery, Step.REPLAY, "replay")
    return attrs.evolve(delivery, status=status, attempts=0, due_at=at)


def resolved(delivery: Delivery, at: datetime) -> Delivery:
    """An unknown delivery an operator found did arrive: delivered at ``at``.

    Raises:
        IllegalDeliveryStep: The delivery's outcome is not unknown.
    """
    status = _move(delivery, Step.RESOLVE, "resolve")
    return attrs.evolve(delivery, status=status, delivered_at=at)
