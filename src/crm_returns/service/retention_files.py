"""The bytes of attachments through record retirement: backed up, deleted after the records.

An attachment's record lives in the case file, inside the unit of work's
transaction; its bytes live in the attachment store
(``ServiceSettings.attachments``), which has no share in that transaction.
Retirement treats them so that no rollback ever loses bytes whose record
remains:

- **archive and restore** leave the bytes alone (the record is kept, read-only);
- **backup**: the line of a return a plan destroys carries each of its
  attachments' bytes, base64, beside the records (:func:`backed_up_files`);
- **destruction** deletes the bytes of a destroyed return's attachments after
  the batch that deleted their records has committed;
- **erasure** deletes the bytes of the erased customer's attachments after the
  transaction that erased their records has committed; the records stay, with
  their type, size and SHA-256.

Deleting is idempotent (``AttachmentStore.delete`` of bytes already gone does
nothing).  If the process stops between the commit and the deletion, the
bytes of destroyed records are orphans (``orphaned_attachments`` lists them),
and the bytes of erased records are found again by the customer's surrogate:
``request_erasure`` for the customer again, or ``reapply_erasures``, deletes
them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence

from crm_returns.domain.evidence.records import Attachment
from crm_returns.errors import NotFound
from crm_returns.ports import UnitOfWork
from crm_returns.ports.attachments import AttachmentStore

__all__ = ["backed_up_files", "delete_bytes", "erased_files", "files_of_returns"]


def files_of_returns(uow: UnitOfWork, tenant_id: str, return_ids: Iterable[str]) -> list[str]:
    """The ids of the attachments of the returns, as ``uow`` sees them."""
    return [
        attachment.id
        for return_id in return_ids
        for attachment in uow.casefile.for_return(tenant_id, return_id, Attachment)
    ]


def erased_files(uow: UnitOfWork, tenant_id: str, surrogates: Iterable[str]) -> list[str]:
    """The ids of the attachments of erased customers, found by their surrogates."""
    return [
        attachment.id
        for surrogate in dict.fromkeys(surrogates)
        for attachment in uow.casefile.for_customer(tenant_id, surrogate, Attachment)
    ]


def delete_bytes(store: AttachmentStore | None, tenant_id: str, ids: Sequence[str]) -> int:
    """Delete the bytes of ``ids`` from ``store``; how many there were to delete.

    Call it after the transaction that removed or erased their records has
    committed.

    Raises:
        StorageError: The store failed (run the step again: deleting is idempotent).
    """
    if store is None:
        return 0
    return sum(1 for attachment_id in ids if store.delete(tenant_id, attachment_id))


def backed_up_files(
    store: AttachmentStore | None, uow: UnitOfWork, tenant_id: str, return_id: str
) -> list[dict[str, object]]:
    """The return's attachments with their bytes (base64), for the line of its backup.

    An attachment whose bytes are no longer stored (its customer was erased)
    has ``"base64": None``.

    Raises:
        AttachmentCorrupt: Stored bytes do not match their SHA-256 (the backup
            is not written, and nothing is destroyed).
        StorageError: The store failed.
    """
    files: list[dict[str, object]] = []
    for attachment in uow.casefile.for_return(tenant_id, return_id, Attachment):
        content: str | None = None
        if store is not None:
            try:
                data = store.get(tenant_id, attachment.id, sha256=attachment.sha256)
            except NotFound:
                pass
            else:
                content = base64.b64encode(data).decode("ascii")
        files.append(
            {
                "id": attachment.id,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "base64": content,
            }
        )
    return files
