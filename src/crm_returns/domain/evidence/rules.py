"""What photos and files may be kept: allowed types, the largest size, how many per return.

The decision is pure: :meth:`AttachmentRules.check` is given the content type
that was detected from the bytes (by :func:`crm_returns.evidence.detect_content_type`,
never the client's file name or claimed type), their length, and how many
attachments the return has already, and raises a typed error or lets it pass.
"""

from __future__ import annotations

import re
from typing import Any, Final

import attrs

from crm_returns.domain._checks import items_of
from crm_returns.errors import (
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    InvalidInput,
    TooManyAttachments,
    quoted,
)

__all__ = [
    "DEFAULT_CONTENT_TYPES",
    "DEFAULT_MAX_PER_RETURN",
    "DEFAULT_MAX_SIZE",
    "MAX_SIZE_LIMIT",
    "MIB",
    "AttachmentRules",
]

#: One mebibyte.
MIB: Final = 1024 * 1024

#: Photos from phones and cameras, and PDF documents (a receipt, a carrier's report).
DEFAULT_CONTENT_TYPES: Final = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"}
)

#: The largest file kept unless the rules say otherwise: 10 MiB.
DEFAULT_MAX_SIZE: Final = 10 * MIB

#: The most attachments one return may have unless the rules say otherwise.
DEFAULT_MAX_PER_RETURN: Final = 20

#: The largest ``max_size`` rules may set: 1 GiB (files are held in memory while kept).
MAX_SIZE_LIMIT: Final = 1024 * MIB

#: A media type as the detection names it: ``type/subtype``, lower case, no parameters.
_MEDIA_TYPE: Final = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")


def _content_types(values: object) -> frozenset[str]:
    types = items_of(values, "content_types")
    for value in types:
        if not isinstance(value, str) or _MEDIA_TYPE.fullmatch(value) is None:
            raise InvalidInput(
                "content_types must be media types in lower case such as 'image/jpeg', "
                f"got {quoted(value)}"
            )
    if not types:
        raise InvalidInput("content_types must allow at least one type")
    return frozenset(types)


def _whole(low: int, high: int) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(
                f"{attribute.name} must be a whole number from {low} to {high}, got {quoted(value)}"
            )

    return check


@attrs.frozen(kw_only=True)
class AttachmentRules:
    """What photos and files a service keeps.

    Attributes:
        content_types: The media types allowed, as detected from the bytes
            (:data:`DEFAULT_CONTENT_TYPES` by default: JPEG, PNG, WebP, HEIC, PDF).
        max_size: The most bytes one file may have (10 MiB by default; at most
            :data:`MAX_SIZE_LIMIT`).
        max_per_return: The most attachments one return may have (20 by default).

    Raises:
        InvalidInput: A type that is not a lower-case ``type/subtype``, no type
            at all, or a limit that is not a whole number in range.
    """

    content_types: frozenset[str] = attrs.field(
        default=DEFAULT_CONTENT_TYPES, converter=_content_types
    )
    max_size: int = attrs.field(default=DEFAULT_MAX_SIZE, validator=_whole(1, MAX_SIZE_LIMIT))
    max_per_return: int = attrs.field(default=DEFAULT_MAX_PER_RETURN, validator=_whole(1, 10_000))

    def allows(self, detected: str | None) -> bool:
        """Whether bytes detected as ``detected`` (``None``: no type found) may be kept."""
        return detected is not None and detected in self.content_types

    def check(self, detected: str | None, size: int, attached_before: int) -> None:
        """Decide whether ``size`` bytes detected as ``detected`` may be kept on a return.

        Args:
            detected: The content type detected from the bytes; ``None`` when
                no known type could be.
            size: Their length in bytes.
            attached_before: How many attachments the return has already.

        Raises:
            AttachmentTooLarge: ``size`` is over :attr:`max_size` (checked first,
                so that a client learns the limit whatever it sent).
            AttachmentTypeNotAllowed: No type was detected, or it is not allowed.
            TooManyAttachments: The return has :attr:`max_per_return` already.
            InvalidInput: ``size`` or ``attached_before`` is not a whole number
                of at least 0, or ``detected`` is neither text nor ``None``.
        """
        for name, value in (("size", size), ("attached_before", attached_before)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidInput(f"{name} must be a whole number of at least 0, got {value!r}")
        if detected is not None and not isinstance(detected, str):
            raise InvalidInput(f"detected must be a media type or None, got {quoted(detected)}")
        if size > self.max_size:
            raise AttachmentTooLarge(detected, size, self.max_size)
        if not self.allows(detected):
            raise AttachmentTypeNotAllowed(detected, self.content_types)
        if attached_before >= self.max_per_return:
            raise TooManyAttachments(detected, self.max_per_return)
