"""What a file is, read from its bytes: the content type of an attachment.

A client's file name (``photo.jpg``) and the type it claims (an HTTP
``Content-Type``) are never trusted: :func:`detect_content_type` reads the
file's leading bytes — its signature or "magic number" — with the
``filetype`` package (pure Python, no dependencies), and the attachment rules
(:class:`~crm_returns.AttachmentRules`) decide on what it found.  A ``.jpg``
name on PDF bytes is a PDF.

What the signatures of the default types look like:

========================  ===========================================================
``image/jpeg``            ``FF D8 FF``
``image/png``             ``89 50 4E 47 0D 0A 1A 0A``
``image/webp``            ``RIFF`` ``<size>`` ``WEBP``
``image/heic``            an ISO media ``ftyp`` box of brand ``heic``/``heix``/...
                          (or ``mif1`` listing ``heic``): photos from iPhones
``application/pdf``       ``%PDF``
========================  ===========================================================

A signature says what a file claims to be, not that it is whole or harmless:
a host that shows photos to others should decode and re-encode them (which
also drops their location metadata) and may scan files for malware before it
serves them.  Text formats (plain text, CSV, SVG, HTML) have no signature and
are never detected, so they cannot be allowed.
"""

from __future__ import annotations

import hashlib

import filetype

from crm_returns.errors import InvalidInput

__all__ = ["SIGNATURE_LENGTH", "detect_content_type", "sha256_of"]

#: How many leading bytes the detection reads.
SIGNATURE_LENGTH = 8192


def detect_content_type(data: bytes) -> str | None:
    """The media type of ``data`` by its signature (``image/jpeg``), or ``None`` if unknown.

    Only the first :data:`SIGNATURE_LENGTH` bytes are read.

    Args:
        data: The file's bytes.

    Raises:
        InvalidInput: ``data`` is not ``bytes``.
    """
    if not isinstance(data, bytes):
        # filetype would take a str for a path and read that file: never.
        raise InvalidInput(f"a file's content must be bytes, got {type(data).__name__}")
    if not data:
        return None
    kind = filetype.guess(data[:SIGNATURE_LENGTH])
    mime = getattr(kind, "mime", None)
    return mime if isinstance(mime, str) else None


def sha256_of(data: bytes) -> str:
    """The SHA-256 digest of ``data``, in lower-case hex, as an attachment records it."""
    return hashlib.sha256(data).hexdigest()
