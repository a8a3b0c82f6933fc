"""The errors of delivering events: what destinations raise, and a webhook's failed check.

Re-exported by :mod:`crm_returns.errors`; import them from there.
"""

from __future__ import annotations

from datetime import timedelta

from crm_returns.errors import CrmReturnsError, InvalidInput, RuleViolation

__all__ = [
    "DeliveryFailed",
    "DestinationGone",
    "IllegalDeliveryStep",
    "OutcomeUnknown",
    "PermanentFailure",
    "TransientFailure",
    "WebhookVerificationFailed",
]


class IllegalDeliveryStep(RuleViolation):
    """A delivery's state does not allow what an operator asked (replay a delivered message).

    Attributes:
        message_id: The message.
        destination: The destination's name.
        status: Where the delivery stands.
        action: What was asked.
    """

    def __init__(self, message_id: str, destination: str, status: str, action: str) -> None:
        self.message_id = message_id
        self.destination = destination
        self.status = status
        self.action = action
        super().__init__(f"message {message_id} to {destination} is {status}; cannot {action}")


class DeliveryFailed(CrmReturnsError):
    """A destination could not take a message; raised by destinations, recorded by the relay.

    A destination raises one of the subclasses to say what kind of failure it
    was; any other exception a destination raises counts as a
    :class:`TransientFailure`.

    Attributes:
        retry_after: How long the receiver asked us to wait (an HTTP
            ``Retry-After``), if it said; the relay waits at least that long.
    """

    def __init__(self, detail: str, *, retry_after: timedelta | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(detail)


class TransientFailure(DeliveryFailed):
    """The receiver may take the message later (a timeout, SMTP 4xx, HTTP 5xx): retry it."""


class PermanentFailure(DeliveryFailed):
    """The receiver will never take this message (SMTP 5xx, HTTP 4xx): dead-letter it now."""


class OutcomeUnknown(DeliveryFailed):
    """The message may or may not have arrived (a gateway timed out after sending).

    It is not sent again by itself, which could charge or bother the customer
    twice; an operator looks and replays it or lets it be.
    """


class DestinationGone(DeliveryFailed):
    """The destination itself is gone (HTTP 410): it is disabled until an operator enables it.

    Its messages wait; none of them counts an attempt against itself.
    """


class WebhookVerificationFailed(InvalidInput):
    """A webhook request did not prove it came from us: raised by ``adapters.webhooks.verify``.

    A ``webhook-*`` header is missing or malformed, its timestamp is outside
    the tolerance (a replay, or a clock far off), or no signature matches the
    receiver's secrets (a wrong secret, or a body changed on the way).  The
    message says which, and never shows a secret or an expected signature.
    Answer the request with 400 (or 401) and do not act on it.
    """
