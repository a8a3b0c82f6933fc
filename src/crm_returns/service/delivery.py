"""The event relay: every committed event to every destination, at least once.

:meth:`EventRelay.run_once` works each destination in turn:

1. **fan out** — the destination gets a pending delivery of each message
   past its cursor (a short transaction);
2. **claim** — due deliveries are leased to this relay (a short transaction;
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so that other relays, in
   threads or processes, leave them alone until the lease runs out;
3. **deliver** — outside any transaction, so that a destination may call
   the service; messages of one return go in order, and when one fails the
   return's later messages wait for it;
4. **record** — the batch's outcomes, each with its attempt, in one short
   transaction.

A relay that dies between 3 and 4 loses its lease when it runs out and the
batch's messages go out again: delivery is at least once, and receivers deduplicate
on the message id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from crm_returns.domain.delivery.deliveries import (
    Attempt,
    Delivery,
    after_attempt,
    replayed,
    resolved,
)
from crm_returns.domain.delivery.states import DeliveryStatus, Outcome
from crm_returns.errors import (
    DeliveryFailed,
    DestinationGone,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    PermanentFailure,
    quoted,
)
from crm_returns.ports.delivery import Claim, Destination, DestinationState, OutboxMessage
from crm_returns.ports.store import Clock, UnitOfWork
from crm_returns.service.relay_settings import (
    RELAY_LIMIT,
    RelayReport,
    RelaySettings,
    checked_batch,
    checked_name,
)

__all__ = ["EventRelay"]

log = logging.getLogger("crm_returns.relay")


def _outcome(error: BaseException) -> Outcome:
    if isinstance(error, PermanentFailure):
        return Outcome.PERMANENT
    if isinstance(error, OutcomeUnknown):
        return Outcome.UNKNOWN
    if isinstance(error, DestinationGone):
        return Outcome.GONE
    return Outcome.TRANSIENT


def _error_text(error: BaseException) -> str:
    if isinstance(error, DeliveryFailed):
        return str(error)
    return f"{type(error).__name__}: {error}"


class EventRelay:
    """Delivers committed events to named destinations; and what operators need.

    Build one with :meth:`~crm_returns.ReturnsService.relay`.

    Args:
        unit_of_work: Makes a unit of work over the service's database.
        clock: The service's clock.
        destinations: Where events go, each with a unique name.
        settings: How the relay works.

    Raises:
        InvalidInput: A destination has no name, or two share one.
    """

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        destinations: Iterable[Destination],
        settings: RelaySettings | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self.settings = RelaySettings() if settings is None else settings
        if not isinstance(self.settings, RelaySettings):
            raise InvalidInput(
                f"settings must be RelaySettings, got {type(self.settings).__name__}"
            )
        given: object = destinations
        if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
            raise InvalidInput(f"destinations must be a list of destinations, got {quoted(given)}")
        self._destinations: dict[str, Destination] = {}
        for destination in destinations:
            name = checked_name(getattr(destination, "name", None), "a destination")
            if not callable(getattr(destination, "deliver", None)):
                raise InvalidInput(f"destination {name!r} has no deliver(message) method")
            if name in self._destinations:
                raise InvalidInput(f"two destinations are named {name!r}")
            self._destinations[name] = destination

    @property
    def destinations(self) -> tuple[str, ...]:
        """The names of this relay's destinations."""
        return tuple(self._destinations)

    # --- delivering -----------------------------------------------------------

    def run_once(self) -> RelayReport:
        """One round over every destination: fan out, claim a batch, deliver it, record it.

        Returns what was done.  Destinations that are disabled are passed over.
        """
        report = RelayReport()
        disabled = {state.name for state in self.states() if state.disabled_at is not None}
        for name, destination in self._destinations.items():
            if name in disabled:
                continue
            report += self._work(name, destination)
        if report.tried or report.held:
            log.info(
                "relay %s: %d delivered, %d to retry, %d dead, %d unknown, %d held",
                self.settings.relay_id,
                report.delivered,
                report.retried,
                report.dead,
                report.unknown,
                report.held,
            )
        return report

    def run_until_idle(self, rounds: int = 1000) -> RelayReport:
        """Run rounds until one tries nothing (at most ``rounds``); returns the sum."""
        total = RelayReport()
        for _ in range(rounds):
            report = self.run_once()
            total += report
            if not report.tried:
                break
        return total

    def run_forever(
        self, stop: threading.Event, idle: timedelta = timedelta(seconds=1)
    ) -> RelayReport:
        """Run rounds until ``stop`` is set, resting ``idle`` after a round that tried nothing.

        A round under way when ``stop`` is set is finished first, so that
        nothing it claimed is left to wait for its lease.
        """
        total = RelayReport()
        while not stop.is_set():
            report = self.run_once()
            total += report
            if not report.tried:
                stop.wait(idle.total_seconds())
        return total

    def _work(self, name: str, destination: Destination) -> RelayReport:
        settings = self.settings
        now = self._clock.now()
        with self._uow() as uow:
            uow.deliveries.fan_out(name, now, RELAY_LIMIT)
            claims = uow.deliveries.claim(
                name, settings.relay_id, now, now + settings.lease, settings.batch
            )
            uow.commit()
        if not claims:
            return RelayReport()
        report = RelayReport()
        failed_returns: set[str] = set()
        outcomes: list[tuple[Delivery, Attempt]] = []
        untried: list[str] = []
        gone: Attempt | None = None
        for claim in claims:
            delivery = claim.delivery
            if gone is not None or delivery.return_id in failed_returns:
                # Later messages of a return whose earlier one failed wait for it.
                untried.append(delivery.message_id)
                report += RelayReport(held=1)
                continue
            after, attempt = self._attempt(destination, claim)
            outcomes.append((after, attempt))
            report += self._tally(after, attempt)
            if after.status is not DeliveryStatus.DELIVERED:
                failed_returns.add(delivery.return_id)
            if attempt.outcome is Outcome.GONE:
                gone = attempt
        # One transaction for the whole batch, not one per message: a commit is a
        # disk flush.  A relay that dies before it loses the batch's outcomes, and
        # the batch goes out again when the lease runs out (at least once, as ever).
        with self._uow() as uow:
            for after, attempt in outcomes:
                uow.deliveries.record(after, attempt)
            if gone is not None:
                uow.deliveries.disable(name, gone.at, gone.error)
            if untried:
                uow.deliveries.release(name, untried)
            uow.commit()
        return report

    def _attempt(self, destination: Destination, claim: Claim) -> tuple[Delivery, Attempt]:
        delivery, message = claim.delivery, claim.message
        retry_after = None
        try:
            destination.deliver(message)
        except Exception as error:  # noqa: BLE001 - any failure of a destination is recorded
            outcome = _outcome(error)
            text = _error_text(error)
            if isinstance(error, DeliveryFailed):
                retry_after = error.retry_after
            log.warning(
                "delivery of %s to %s failed (%s): %s",
                message.id,
                delivery.destination,
                outcome.value,
                text,
            )
        else:
            outcome, text = Outcome.DELIVERED, ""
        return after_attempt(
            delivery,
            outcome,
            at=self._clock.now(),
            error=text,
            schedule=self.settings.schedule,
            spin=self.settings.spin(),
            retry_after=retry_after,
            relay=self.settings.relay_id,
        )

    @staticmethod
    def _tally(after: Delivery, attempt: Attempt) -> RelayReport:
        if after.status is DeliveryStatus.DELIVERED:
            return RelayReport(delivered=1)
        if after.status is DeliveryStatus.DEAD:
            log.error(
                "message %s to %s is dead after %d tries: %s",
                after.message_id,
                after.destination,
                after.attempts,
                after.last_error,
            )
            return RelayReport(dead=1)
        if after.status is DeliveryStatus.UNKNOWN:
            return RelayReport(unknown=1)
        if attempt.outcome is Outcome.GONE:
            return RelayReport(held=1)
        return RelayReport(retried=1)

    # --- operators ------------------------------------------------------------

    def dead_letters(self, destination: str | None = None, limit: int = 100) -> Sequence[Delivery]:
        """Dead and unknown deliveries, oldest message first, of one destination or all."""
        with self._uow() as uow:
            return list(
                uow.deliveries.find(
                    (DeliveryStatus.DEAD, DeliveryStatus.UNKNOWN),
                    destination=destination,
                    limit=checked_batch(limit),
                )
            )

    def deliveries(self, message_id: str) -> Sequence[Delivery]:
        """Where one message stands with each destination."""
        with self._uow() as uow:
            return list(
                uow.deliveries.find(tuple(DeliveryStatus), message_id=message_id, limit=RELAY_LIMIT)
            )

    def attempts(self, message_id: str, destination: str) -> Sequence[Attempt]:
        """Every try to deliver a message to a destination, oldest first."""
        with self._uow() as uow:
            return list(uow.deliveries.attempts(destination, message_id))

    def message(self, message_id: str) -> OutboxMessage:
        """An outbox message that is still kept.

        Raises:
            NotFound: No message has that id (or it was purged).
        """
        with self._uow() as uow:
            found = uow.deliveries.message(message_id)
        if found is None:
            raise NotFound("message", message_id)
        return found

    def replay(self, message_id: str, destination: str | None = None) -> Sequence[Delivery]:
        """Send a dead or unknown message again, with every try anew; returns what was replayed.

        Args:
            message_id: The message.
            destination: Only to this destination; by default to every
                destination where it is dead or unknown.

        Raises:
            NotFound: The message is dead or unknown nowhere (or with ``destination``).
            IllegalDeliveryStep: With ``destination``: it is not dead or unknown there.
        """
        return self._operate(message_id, destination, replayed, "dead or unknown")

    def resolve(self, message_id: str, destination: str) -> Delivery:
        """Record that a message whose outcome was unknown did arrive.

        Raises:
            NotFound: The destination has no such message.
            IllegalDeliveryStep: Its outcome is not unknown.
        """
        return self._operate(message_id, destination, resolved, "unknown")[0]

    def _operate(
        self,
        message_id: str,
        destination: str | None,
        step: Callable[[Delivery, datetime], Delivery],
        wanted: str,
    ) -> Sequence[Delivery]:
        now = self._clock.now()
        with self._uow() as uow:
            if destination is not None:
                found = uow.deliveries.get(destination, message_id)
                if found is None:
                    raise NotFound("delivery", f"{message_id} to {destination}")
                targets = [found]
            else:
                targets = list(
                    uow.deliveries.find(
                        (DeliveryStatus.DEAD, DeliveryStatus.UNKNOWN),
                        message_id=message_id,
                        limit=RELAY_LIMIT,
                    )
                )
                if not targets:
                    raise NotFound(f"{wanted} delivery of message", message_id)
            changed = [step(delivery, now) for delivery in targets]
            for delivery in changed:
                uow.deliveries.record(delivery, None)
            uow.commit()
        for delivery in changed:
            log.info(
                "message %s to %s is now %s",
                message_id,
                delivery.destination,
                delivery.status.value,
            )
        return changed

    def states(self) -> Sequence[DestinationState]:
        """Every destination the store knows, and whether it is disabled."""
        with self._uow() as uow:
            return list(uow.deliveries.destinations())

    def enable(self, destination: str) -> None:
        """Deliver to a destination that was disabled (an endpoint that answered 410) again."""
        with self._uow() as uow:
            uow.deliveries.enable(destination)
            uow.commit()
        log.info("destination %s is enabled", destination)

    def purge(self, delivered_before: datetime, limit: int = RELAY_LIMIT) -> int:
        """Forget messages every destination took before ``delivered_before``; returns how many.

        Dead, unknown and pending messages are kept, and so is any message a
        known destination has not fanned out yet.
        """
        if not isinstance(delivered_before, datetime) or delivered_before.tzinfo is None:
            raise InvalidInput(
                "delivered_before must be a timezone-aware datetime, "
                f"got {quoted(delivered_before)}"
            )
        with self._uow() as uow:
            purged = uow.deliveries.purge(delivered_before, checked_batch(limit))
            uow.commit()
        log.info("purged %d delivered messages", purged)
        return purged
