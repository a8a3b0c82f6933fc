"""The ports of event delivery: the outbox, each destination's deliveries, and destinations.

A command writes one :class:`OutboxMessage` per event in its own transaction.
The relay (``crm_returns.service.delivery``) then works each named
destination in three short transactions of its own — never one that is open
while a destination runs:

1. **fan out**: every message past the destination's cursor gets a pending
   delivery for it, and the cursor moves past them;
2. **claim**: due deliveries are leased to this relay for a while, so that
   another relay leaves them alone (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL); a relay that dies loses its lease when it runs out;
3. **record**: each outcome is saved with its attempt, and the lease ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs

from crm_returns.domain.delivery.deliveries import Attempt, Delivery
from crm_returns.domain.delivery.states import DeliveryStatus
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.summary import ReturnSummary

__all__ = [
    "Claim",
    "Deliveries",
    "Destination",
    "DestinationState",
    "Outbox",
    "OutboxMessage",
]


@attrs.frozen
class OutboxMessage:
    """An event written with the state it describes, to be delivered to every destination.

    Attributes:
        id: The message's id: the webhook id, CloudEvents id, AMQP message id,
            e-mail Message-ID and SMS out-id all derive from it, so that a
            receiver can deduplicate on it.
        event: The event.
        summary: The return as the command left it: what a notifier needs
            without reading the return back.
    """

    id: str
    event: ReturnEvent
    summary: ReturnSummary


class Outbox(Protocol):
    """Events written in the transaction of the state they describe."""

    def add(self, message: OutboxMessage) -> None:
        """Queue ``message`` for every destination."""


@attrs.frozen
class Claim:
    """A delivery leased to one relay, with the message to deliver.

    Attributes:
        delivery: The delivery, pending.
        message: The message.
    """

    delivery: Delivery
    message: OutboxMessage


@attrs.frozen(kw_only=True)
class DestinationState:
    """What the store knows of a destination.

    Attributes:
        name: The destination's name.
        disabled_at: When it was disabled (an endpoint answered 410), if it is.
        disabled_reason: What it said.
    """

    name: str
    disabled_at: datetime | None = None
    disabled_reason: str = ""


class Deliveries(Protocol):
    """Each destination's deliveries of the outbox's messages (``uow.deliveries``).

    Not scoped by tenant: one relay delivers every tenant's events.
    ``crm_returns.testing.conformance.DeliveriesContract`` proves an adapter.
    """

    def fan_out(self, destination: str, due_at: datetime, limit: int) -> int:
        """Give ``destination`` a pending delivery of up to ``limit`` messages past its cursor.

        Messages are taken in the order they were committed (a message of a
        transaction still open is never passed over), the cursor moves past
        them, and each delivery is due at ``due_at``.  A destination seen for
        the first time starts at the oldest message kept.  Returns how many
        deliveries were made.
        """

    def claim(
        self, destination: str, relay: str, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[Claim]:
        """Lease up to ``limit`` deliveries of ``destination`` to ``relay`` until ``lease_until``.

        A delivery is claimed when it is pending, due by ``now``, not leased to
        anyone until after ``now``, and no earlier message of its return waits
        for this destination (a pending delivery that is not due yet or is
        leased); claims come oldest first, so that a relay that delivers them
        in order keeps each return's messages in order.
        """

    def record(self, delivery: Delivery, attempt: Attempt | None) -> None:
        """Save ``delivery`` as it now stands (and ``attempt``, if one was made); its lease ends.

        A delivery that is already delivered stays delivered.
        """

    def release(self, destination: str, message_ids: Sequence[str]) -> None:
        """End the leases of deliveries that were claimed and not tried."""

    def get(self, destination: str, message_id: str) -> Delivery | None:
        """One delivery, if the destination has it."""

    def message(self, message_id: str) -> OutboxMessage | None:
        """An outbox message, if it is still kept."""

    def find(
        self,
        statuses: Sequence[DeliveryStatus],
        *,
        destination: str | None = None,
        message_id: str | None = None,
        limit: int,
    ) -> Sequence[Delivery]:
        """Deliveries in one of ``statuses``, oldest message first, of one destination or all."""

    def attempts(self, destination: str, message_id: str) -> Sequence[Attempt]:
        """Every try to deliver a message to a destination, oldest first."""

    def destinations(self) -> Sequence[DestinationState]:
        """Every destination that has been fanned out to, by name."""

    def disable(self, destination: str, at: datetime, reason: str) -> None:
        """Stop delivering to ``destination`` until it is enabled again."""

    def enable(self, destination: str) -> None:
        """Deliver to ``destination`` again."""

    def purge(self, delivered_before: datetime, limit: int) -> int:
        """Forget up to ``limit`` messages every destination took before ``delivered_before``.

        A message goes, with its deliveries and their attempts, only when
        every destination that has fanned it out delivered it before that
        time and every destination known has fanned it out.  Returns how many
        messages went.
        """


class Destination(Protocol):
    """Somewhere committed events go: e-mail, SMS, a webhook endpoint, the broker, a callable.

    Attributes:
        name: The destination's name, unique among the relay's destinations;
            its cursor, deliveries and dead letters are kept under it, so
            keep it stable.
    """

    @property
    def name(self) -> str:
        """The destination's name."""

    def deliver(self, message: OutboxMessage) -> None:
        """Hand ``message`` on, or raise to say how it failed.

        Raise :class:`~crm_returns.errors.TransientFailure`,
        :class:`~crm_returns.errors.PermanentFailure`,
        :class:`~crm_returns.errors.OutcomeUnknown` or
        :class:`~crm_returns.errors.DestinationGone`; any other exception
        counts as transient.  The message may have been delivered before (at
        least once): deduplicate on ``message.id``.
        """
