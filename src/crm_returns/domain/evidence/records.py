"""An attachment: a photo or file on a return's request, receipt or inspection."""

from __future__ import annotations

import enum
from typing import Any, ClassVar

import attrs

from crm_returns.domain._checks import identifier, text, value_of
from crm_returns.domain.casefile.records import CaseRecord
from crm_returns.errors import InvalidInput

__all__ = ["Attachment", "AttachmentSubject"]


class AttachmentSubject(enum.Enum):
    """What an attachment shows."""

    REQUEST = "request"
    RECEIPT = "receipt"
    INSPECTION = "inspection"


def _size(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{attribute.name} must be a whole number of bytes, got {value!r}")


def _sha256(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    ):
        raise InvalidInput(f"{attribute.name} must be a SHA-256 digest in lower-case hex")


@attrs.frozen(kw_only=True)
class Attachment(CaseRecord):
    """A photo or file kept in the attachment store.

    Attributes:
        subject: Request, receipt or inspection.
        filename: The name it was uploaded under (shown, never trusted for its type).
        content_type: The type detected from its bytes.
        size: Its length in bytes.
        sha256: Its SHA-256 digest, lower-case hex.
        uploaded_by: Who added it.
        note: What it shows, in the uploader's words.
    """

    kind: ClassVar[str] = "attachment"

    subject: AttachmentSubject = attrs.field(validator=value_of(AttachmentSubject))
    filename: str = attrs.field(validator=text(255))
    content_type: str = attrs.field(validator=identifier(100))
    size: int = attrs.field(validator=_size)
    sha256: str = attrs.field(validator=_sha256)
    uploaded_by: str = attrs.field(validator=identifier(64))
    note: str = attrs.field(default="", validator=text(500, optional=True))
