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
and its kinds by the attachment store (:mod:`crm_returns.ports.attachments`).
:class:`MissingExtra` names the extra to install when an optional feature
(Parquet exports, charts) needs a package that is not installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

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
    "ConcurrencyConflict",
    "CrmReturnsError",
    "CurrencyMismatch",
    "DeliveryFailed",
    "DestinationGone",
    "ExcessAmount",
    "ExcessQuantity",
    "FeedbackAlreadyGiven",
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
    "MissingExtra",
    "NotAuthorised",
    "NotEligible",
    "NotFound",
    "OutcomeUnknown",
    "OverReturn",
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


class WebhookVerificationFailed(InvalidInput):
    """A webhook request did not prove it came from us: raised by ``adapters.webhooks.verify``.

    A ``webhook-*`` header is missing or malformed, its timestamp is outside
    the tolerance (a replay, or a clock far off), or no signature matches the
    receiver's secrets (a wrong secret, or a body changed on the way).  The
    message says which, and never shows a secret or an expected signature.
    Answer the request with 400 (or 401) and do not act on it.
    """


class AttachmentRefused(InvalidInput):
    """A photo or file may not be kept: too large, of a type not allowed, or one too many.

    Catch it to answer an upload (HTTP 413, 415 or 422 by its kind).

    Attributes:
        detected: The content type detected from the bytes (``None``: none could be).
    """

    def __init__(self, detected: str | None, detail: str) -> None:
        self.detected = detected
        super().__init__(detail)


class AttachmentTooLarge(AttachmentRefused):
    """The file is larger than the attachment rules allow.

    Attributes:
        size: Its length in bytes.
        limit: The most bytes allowed.
    """

    def __init__(self, detected: str | None, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(
            detected, f"the file is {size} bytes long; attachments are at most {limit} bytes"
        )


class AttachmentTypeNotAllowed(AttachmentRefused):
    """The bytes are of a type the attachment rules do not allow, or of no type detected.

    Attributes:
        allowed: The content types that are allowed, sorted.
    """

    def __init__(self, detected: str | None, allowed: Iterable[str]) -> None:
        self.allowed = tuple(sorted(allowed))
        what = (
            "no known file type could be detected from its bytes"
            if detected is None
            else f"its bytes are {quoted(detected)}"
        )
        super().__init__(
            detected, f"the file is refused: {what}; allowed are {', '.join(self.allowed)}"
        )


class TooManyAttachments(AttachmentRefused):
    """The return already has as many attachments as the attachment rules allow.

    Attributes:
        limit: The most attachments a return may have.
    """

    def __init__(self, detected: str | None, limit: int) -> None:
        self.limit = limit
        super().__init__(detected, f"a return has at most {limit} attachments")


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


class InvalidPolicy(InvalidInput):
    """A configuration document has bad fields; every problem found is listed.

    Raised as it is for an approval policy; its kinds say which other
    document is wrong (:class:`InvalidNotificationRules`,
    :class:`InvalidRetentionRules`, :class:`InvalidTemplates`).  The message
    has one line per problem, each starting with the path of the field, such as
    ``steps[1].conditions.refund_at_least.CNY``.

    Attributes:
        problems: ``(path, what is wrong)`` pairs in document order; the path
            is empty for a problem with the document as a whole.
    """

    #: What the document is, as the message names it.
    document: ClassVar[str] = "approval policy"

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        lines = [f"{path}: {message}" if path else message for path, message in self.problems]
        if len(lines) == 1:
            text = f"invalid {self.document}: {lines[0]}"
        else:
            text = f"invalid {self.document}, {len(lines)} problems:\n" + "\n".join(
                f"  {line}" for line in lines
            )
        super().__init__(text)


class InvalidDestinations(InvalidPolicy):
    """A destinations file (``crm-returns events relay --destinations``) has bad fields."""

    document: ClassVar[str] = "destinations file"


class InvalidNotificationRules(InvalidPolicy):
    """A notification rules document has bad fields; every problem found is listed.

    Paths name the rule and its field, such as ``rules[2].recipients[0]``.
    """

    document: ClassVar[str] = "notification rules"


class InvalidRetentionRules(InvalidPolicy):
    """A retention rules document has bad fields; every problem found is listed.

    Paths name the record class and its field, such as
    ``rules.return_orders.minimum`` (``rules.customers[1].maximum`` when a
    class has several rules).  A period below the legal minimum of the
    profile's rule for that class is one of these problems: its message names
    the legal minimum and its legal basis.
    """

    document: ClassVar[str] = "retention rules"


class InvalidServiceLevel(InvalidPolicy):
    """A service level document has bad fields; every problem found is listed.

    Paths name the stage and the unit, such as ``ship_back.days``.
    """

    document: ClassVar[str] = "service level"


class InvalidTemplates(InvalidPolicy):
    """Notification templates are wrong; every problem found is listed.

    Raised when templates are loaded or meet their rules (when a notifier is
    built), never when a message is sent: a template that does not parse,
    uses a parameter its event does not have or a filter that does not
    exist, or lacks a part, or a rule whose template is missing.  Paths name
    the language, the template, the channel and the part, such as
    ``en.return-approved.email.subject``.
    """

    document: ClassVar[str] = "notification templates"


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


class IllegalRetentionStep(RuleViolation):
    """A retention plan, hold or erasure request cannot take this step in its state.

    For example: applying a plan nobody approved, or releasing a hold twice.
    """


class RecordArchived(RuleViolation):
    """The record is archived: read-only until it is restored."""


class RecordHeld(RuleViolation):
    """A legal hold or an open matter keeps the record; the message names each.

    Attributes:
        reasons: Every reason it is kept, in words.
    """

    def __init__(self, subject: str, reasons: Iterable[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(f"{subject} is kept: " + "; ".join(self.reasons))


class RecordReferenced(RuleViolation):
    """The record cannot be deleted: kept records still refer to it.

    Attributes:
        referrers: What refers to it, ``"<class>/<id>"`` each.
    """

    def __init__(self, subject: str, referrers: Iterable[str]) -> None:
        self.referrers = tuple(referrers)
        super().__init__(f"{subject} is referred to by " + ", ".join(self.referrers))


class LogTampered(CrmReturnsError):
    """The retention operation log does not prove itself: an entry was changed or removed.

    Attributes:
        tenant_id: Whose chain broke.
        position: The first entry that does not check.
    """

    def __init__(self, tenant_id: str, position: int, why: str) -> None:
        self.tenant_id = tenant_id
        self.position = position
        super().__init__(
            f"the retention log of tenant {tenant_id!r} breaks at entry {position}: {why}"
        )


class FeedbackAlreadyGiven(RuleViolation):
    """The customer gave feedback on this return before: one per return.

    Attributes:
        number: The return's readable number.
    """

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"feedback on return {number} was given already; it is given once")


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


class MissingExtra(CrmReturnsError, ImportError):
    """An optional feature needs a package that is not installed; the message says which extra.

    It is an :class:`ImportError` too (``name`` is the missing module), so
    that code catching import errors around optional features still does.

    Attributes:
        feature: What was asked for (``"Parquet exports"``).
        extra: The extra that installs the package (``"analytics"``).
        module: The missing module (``"pyarrow"``).
    """

    def __init__(self, feature: str, extra: str, module: str) -> None:
        self.feature = feature
        self.extra = extra
        self.module = module
        super().__init__(
            f"{feature}: {module} is not installed; "
            f"install the {extra} extra: pip install 'crm-returns[{extra}]'",
            name=module,
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


class CarrierError(CrmReturnsError):
    """A carrier could not do what was asked: create a label, or report tracking.

    Carrier adapters translate their own failures (a timeout, a refusal) into
    this error, so that a host catches one type.

    Attributes:
        carrier: The carrier's code.
    """

    def __init__(self, carrier: str, detail: str) -> None:
        self.carrier = carrier
        super().__init__(f"carrier {carrier!r}: {detail}")


class LabelsNotOffered(CarrierError):
    """The carrier creates no labels (the manual carrier: staff type the tracking number)."""

    def __init__(self, carrier: str) -> None:
        super().__init__(
            carrier,
            "creates no shipping labels; type the tracking number the customer or the "
            "carrier gave when adding the shipment",
        )


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


class AttachmentError(CrmReturnsError):
    """Root of what the attachment store raises about a stored file itself.

    A failing disk or bucket is a :class:`StorageError` instead; a file that
    is not there is :class:`NotFound`.

    Attributes:
        tenant_id: Whose file it is.
        attachment_id: The attachment's id.
    """

    def __init__(self, tenant_id: str, attachment_id: str, detail: str) -> None:
        self.tenant_id = tenant_id
        self.attachment_id = attachment_id
        super().__init__(detail)


class AttachmentExists(AttachmentError):
    """Other bytes are already stored under this attachment id; stored bytes are never replaced."""

    def __init__(self, tenant_id: str, attachment_id: str) -> None:
        super().__init__(
            tenant_id,
            attachment_id,
            f"attachment {quoted(attachment_id)} of tenant {quoted(tenant_id)} "
            "already holds other bytes",
        )


class AttachmentCorrupt(AttachmentError):
    """A stored file's bytes are not the ones recorded: their SHA-256 differs.

    Attributes:
        expected: The SHA-256 recorded when it was attached (lower-case hex).
        found: The SHA-256 of the bytes the store holds now.
    """

    def __init__(self, tenant_id: str, attachment_id: str, expected: str, found: str) -> None:
        self.expected = expected
        self.found = found
        super().__init__(
            tenant_id,
            attachment_id,
            f"attachment {quoted(attachment_id)} of tenant {quoted(tenant_id)} changed: "
            f"its bytes hash to sha256:{found}, recorded was sha256:{expected}",
        )


class BackupError(CrmReturnsError):
    """Root of what the backup port raises about a backup itself.

    A failing disk or bucket is a :class:`StorageError` instead.

    Attributes:
        name: The backup's name.
        location: Where the adapter keeps it (a file path, ``memory:<name>``, a URL).
    """

    def __init__(self, name: str, location: str, detail: str) -> None:
        self.name = name
        self.location = location
        super().__init__(detail)


class BackupExists(BackupError):
    """A backup of that name was written before; a backup is never overwritten."""

    def __init__(self, name: str, location: str) -> None:
        super().__init__(name, location, f"backup {name!r} already exists at {location}")


class BackupCorrupt(BackupError):
    """A backup does not hold what its reference says: missing, cut short, or changed.

    Do not destroy anything this backup was meant to keep.

    Attributes:
        problems: What differs, one readable line each (such as ``checksum is
            sha256:…, expected sha256:…``).
    """

    def __init__(self, name: str, location: str, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            name,
            location,
            f"backup {name!r} at {location} is corrupt: " + "; ".join(self.problems),
        )
