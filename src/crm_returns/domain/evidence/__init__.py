"""Photos and files on a return: what is known about each attachment.

``records.py`` holds the attachment record; the bytes themselves live in an
attachment store (a port), never in the case file.
"""

from crm_returns.domain.evidence.records import Attachment, AttachmentSubject

__all__ = ["Attachment", "AttachmentSubject"]
