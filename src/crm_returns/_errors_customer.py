"""The errors of the customer side of a return: attachments, carriers, feedback.

Re-exported by :mod:`crm_returns.errors`; import them from there.
"""

from __future__ import annotations

from collections.abc import Iterable

from crm_returns.errors import CrmReturnsError, InvalidInput, RuleViolation, quoted

__all__ = [
    "AttachmentCorrupt",
    "AttachmentError",
    "AttachmentExists",
    "AttachmentRefused",
    "AttachmentTooLarge",
    "AttachmentTypeNotAllowed",
    "CarrierError",
    "FeedbackAlreadyGiven",
    "LabelsNotOffered",
    "TooManyAttachments",
]


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


class FeedbackAlreadyGiven(RuleViolation):
    """The customer gave feedback on this return before: one per return.

    Attributes:
        number: The return's readable number.
    """

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"feedback on return {number} was given already; it is given once")
