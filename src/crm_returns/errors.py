"""Every error ``crm_returns`` raises on purpose, under one root.

Each error says what is wrong and with which value, and carries that value as
attributes so that a host can build its own message or decide to retry.  A
command that raises any of these has changed nothing.

Catch :class:`CrmReturnsError` to handle all of them; catch a branch
(:class:`InvalidInput`, :class:`NotFound`, :class:`RuleViolation`,
:class:`ConcurrencyConflict`) to handle a kind.  :class:`DeliveryFailed` and
its kinds are raised by destinations (e-mail, SMS, webhooks, the broker, a
host's own) to tell the event relay how a delivery failed;
:class:`WebhookVerificationFailed` is what a webhook receiver's check raises.
:class:`BackupError` and its kinds are raised by the backup port
(:mod:`crm_returns.ports.backup`) and its adapters; :class:`AttachmentError`
and its kinds by the attachment store (:mod:`crm_returns.ports.attachments`);
:class:`ChartError` and its kinds by the charts (:mod:`crm_returns.analytics.charts`),
:class:`ParquetUnavailable` by Parquet exports (:mod:`crm_returns.analytics.exports`).

The root, the branches and the errors of the return workflow itself are
defined here; the families of configuration documents, record retirement,
event delivery, the customer side and analytics live in ``_errors_*.py`` beside this
file.  Import every error from this module, which names itself as theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

__all__ = [
    "MESSAGE_LIMIT",
    "AttachmentCorrupt",
    "AttachmentError",
    "AttachmentExists",
    "AttachmentRefused",
    "AttachmentTooLarge",
    "AttachmentTypeNotAllowed",
    "BackupCorrupt",
    "BackupError",
    "BackupExists",
    "CarrierError",
    "ChartError",
    "ChartsUnavailable",
    "ConcurrencyConflict",
    "CrmReturnsError",
    "CurrencyMismatch",
    "DeliveryFailed",
    "DestinationGone",
    "ExcessAmount",
    "ExcessQuantity",
    "FeedbackAlreadyGiven",
    "GlyphMissing",
    "IdempotencyConflict",
    "IllegalDeliveryStep",
    "IllegalRetentionStep",
    "IllegalTransition",
    "InvalidDestinations",
    "InvalidInput",
    "InvalidMoney",
    "InvalidNotificationRules",
    "InvalidPolicy",
    "InvalidQuantity",
    "InvalidRetentionRules",
    "InvalidServiceLevel",
    "InvalidTemplates",
    "LabelsNotOffered",
    "LogTampered",
    "MissingFigure",
    "NotAuthorised",
    "NotEligible",
    "NotFound",
    "OutcomeUnknown",
    "OverReturn",
    "ParquetUnavailable",
    "PermanentFailure",
    "ReasonInUse",
    "ReasonNotSelectable",
    "RecordArchived",
    "RecordHeld",
    "RecordReferenced",
    "RuleViolation",
    "SeparationOfDuties",
    "StorageError",
    "TooManyAttachments",
    "TransientFailure",
    "WebhookVerificationFailed",
    "quoted",
]


#: Longest message an error gives; longer ones are cut, so that hostile input
#: cannot make a message that floods a log.
MESSAGE_LIMIT = 1000


def quoted(value: object, limit: int = 60) -> str:
    """``value``'s repr, cut to ``limit`` characters: how errors name what was given."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 4]}...{text[-1]}"


class CrmReturnsError(Exception):
    """Root of every error the library raises on purpose.

    Its text never carries raw control characters (they are escaped) and is
    at most :data:`MESSAGE_LIMIT` characters long.
    """

    def __str__(self) -> str:
        text = "".join(
            char if char.isprintable() or char == "\n" else char.encode("unicode_escape").decode()
            for char in super().__str__()
        )
        return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."


class InvalidInput(CrmReturnsError, ValueError):
    """A value given to the library is malformed or out of range."""


class InvalidMoney(InvalidInput):
    """An amount is not an exact decimal, or the currency is unknown."""


class CurrencyMismatch(InvalidInput):
    """Two amounts in different currencies were combined.

    Attributes:
        left: Currency of the first operand.
        right: Currency of the second operand.
    """

    def __init__(self, left: str, right: str) -> None:
        self.left = left
        self.right = right
        super().__init__(f"cannot combine amounts in {left} and {right}")


class InvalidQuantity(InvalidInput):
    """A quantity is negative, not finite, or not an exact decimal."""


class NotFound(CrmReturnsError, LookupError):
    """Something named by id, number or code does not exist for this tenant.

    Attributes:
        kind: What was looked for ("return", "order line", "reason", ...).
        key: The id, number or code that was not found.
    """

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"no {kind} {quoted(key)}")


class RuleViolation(CrmReturnsError):
    """The input is well formed, but a business rule refuses the command."""


class IllegalTransition(RuleViolation):
    """The return's current state does not allow the attempted action.

    Attributes:
        number: The return's readable number.
        status: Its current status.
        action: The action that was attempted.
    """

    def __init__(self, number: str, status: str, action: str, detail: str = "") -> None:
        self.number = number
        self.status = status
        self.action = action
        extra = f": {detail}" if detail else ""
        super().__init__(f"return {number} is {status}; cannot {action}{extra}")


class OverReturn(RuleViolation):
    """More would be returned than was delivered.

    Attributes:
        line: The order line, as ``ORDER/LINE``.
        requested: Quantity asked for now.
        delivered: Quantity delivered on the line.
        already_returned: Quantity in other returns that are not cancelled or rejected.
    """

    def __init__(
        self, line: str, requested: Decimal, delivered: Decimal, already_returned: Decimal
    ) -> None:
        self.line = line
        self.requested = requested
        self.delivered = delivered
        self.already_returned = already_returned
        self.returnable = delivered - already_returned
        super().__init__(
            f"line {line}: cannot return {requested}; delivered {delivered}, "
            f"already returned {already_returned}, returnable {self.returnable}"
        )


class ExcessQuantity(RuleViolation):
    """A receipt, inspection or approval names more units than the line has left."""


class ExcessAmount(RuleViolation):
    """A payment would pay out more than the refund granted."""


class NotEligible(RuleViolation):
    """An eligibility rule refuses a line (for example, the return window has closed).

    Attributes:
        line: The order line, as ``ORDER/LINE``.
        refusals: Every readable reason the rules gave.
    """

    def __init__(self, line: str, refusals: Sequence[str]) -> None:
        self.line = line
        self.refusals = tuple(refusals)
        super().__init__(f"line {line} cannot be returned: " + "; ".join(self.refusals))


class ReasonNotSelectable(RuleViolation):
    """The reason code names a category or a retired reason, which cannot be chosen."""


class ReasonInUse(RuleViolation):
    """A reason cannot be removed while returns refer to it; retire it instead."""


class NotAuthorised(RuleViolation):
    """The actor does not hold a role the action requires.

    Attributes:
        actor: The actor's id.
        needed: The roles any one of which would have been enough.
    """

    def __init__(self, actor: str, action: str, needed: Iterable[str], subject: str) -> None:
        self.actor = actor
        self.action = action
        self.needed = tuple(sorted(needed))
        self.subject = subject
        why = (
            "needs one of roles " + ", ".join(sorted(self.needed))
            if self.needed
            else "the access policy does not allow it"
        )
        super().__init__(f"actor {actor!r} may not {action} {subject}: {why}")


class SeparationOfDuties(RuleViolation):
    """The same person may not both request and approve a return."""


class IdempotencyConflict(RuleViolation):
    """An idempotency key was reused for a different command or payload.

    Attributes:
        key: The key.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"idempotency key {key!r} was already used for a different command or payload"
        )


class StorageError(CrmReturnsError):
    """The database could not be reached or refused a statement for a reason of its own.

    Also raised when the file system fails a backup adapter (a disk that is
    full, a directory it may not write to); the message names the path.
    Nothing the command did was kept.  Unlike :class:`ConcurrencyConflict`,
    retrying at once will usually not help.
    """


class ConcurrencyConflict(CrmReturnsError):
    """Someone else changed the same data first; reload and retry the command.

    Attributes:
        subject: What was changed concurrently.
    """

    def __init__(self, subject: str) -> None:
        self.subject = subject
        super().__init__(f"{subject} was changed by someone else; reload and try again")


# The families below subclass the classes above, so they are imported last; hosts
# import them from here.
from crm_returns._errors_analytics import (  # noqa: E402
    ChartError,
    ChartsUnavailable,
    GlyphMissing,
    MissingFigure,
    ParquetUnavailable,
)
from crm_returns._errors_config import (  # noqa: E402
    InvalidDestinations,
    InvalidNotificationRules,
    InvalidPolicy,
    InvalidRetentionRules,
    InvalidServiceLevel,
    InvalidTemplates,
)
from crm_returns._errors_customer import (  # noqa: E402
    AttachmentCorrupt,
    AttachmentError,
    AttachmentExists,
    AttachmentRefused,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    CarrierError,
    FeedbackAlreadyGiven,
    LabelsNotOffered,
    TooManyAttachments,
)
from crm_returns._errors_delivery import (  # noqa: E402
    DeliveryFailed,
    DestinationGone,
    IllegalDeliveryStep,
    OutcomeUnknown,
    PermanentFailure,
    TransientFailure,
    WebhookVerificationFailed,
)
from crm_returns._errors_retention import (  # noqa: E402
    BackupCorrupt,
    BackupError,
    BackupExists,
    IllegalRetentionStep,
    LogTampered,
    RecordArchived,
    RecordHeld,
    RecordReferenced,
)

# Tracebacks, reprs and pickles name the module hosts import from, not a private one.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
