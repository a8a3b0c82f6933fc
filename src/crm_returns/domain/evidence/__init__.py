"""Photos and files on a return: what is known about each attachment, and what may be kept.

``records.py`` holds the attachment record; the bytes themselves live in an
attachment store (a port), never in the case file.  ``rules.py`` decides
whether bytes of a detected type and size may be kept
(:class:`AttachmentRules`).
"""

from crm_returns.domain.evidence.records import Attachment, AttachmentSubject
from crm_returns.domain.evidence.rules import (
    DEFAULT_CONTENT_TYPES,
    DEFAULT_MAX_PER_RETURN,
    DEFAULT_MAX_SIZE,
    AttachmentRules,
)

__all__ = [
    "DEFAULT_CONTENT_TYPES",
    "DEFAULT_MAX_PER_RETURN",
    "DEFAULT_MAX_SIZE",
    "Attachment",
    "AttachmentRules",
    "AttachmentSubject",
]
