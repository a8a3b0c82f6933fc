"""The port of the attachment store: the bytes of photos and files, by tenant and id.

The case file keeps what is known about each attachment (an
:class:`~crm_returns.Attachment` record: its name, detected type, size and
SHA-256); the store keeps the bytes.  The two are written apart — the store
has no transaction of the unit of work — so the service writes the bytes
first and the record after: a command that fails in between leaves bytes that
no record names (an orphan, found by
:meth:`~crm_returns.ReturnsService.orphaned_attachments`), never a record
without its bytes.

``crm_returns.adapters.memory.MemoryAttachmentStore`` keeps them in memory,
``crm_returns.adapters.attachments.LocalFileAttachmentStore`` in a directory;
an object store (S3, OSS, MinIO) takes a few lines (``docs/attachments.md``),
and :class:`~crm_returns.testing.conformance.AttachmentStoreContract` proves it.
Both ours subclass :class:`CheckedAttachmentStore`, which checks what the port
is given and what a read gives back, so that an adapter only stores.
"""

from __future__ import annotations

import abc
import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Final, Protocol

from crm_returns.errors import AttachmentCorrupt, InvalidInput, quoted

__all__ = [
    "ID_LIMIT",
    "AttachmentStore",
    "CheckedAttachmentStore",
    "check_digest",
    "check_key",
    "check_put",
]

#: The longest tenant or attachment id a store must take (as the case file's ids).
ID_LIMIT: Final = 64

_DIGEST: Final = re.compile(r"[0-9a-f]{64}")


def check_key(value: object, what: str) -> str:
    """``value`` if it is a usable tenant or attachment id: what every adapter accepts.

    Any text of 1 to :data:`ID_LIMIT` characters that is not blank and holds
    no NUL or lone surrogate; an adapter maps it to its own names so that no id
    can name anything outside the store (``../..``, ``/etc``, ``C:``).

    Raises:
        InvalidInput: It is not such text; the message names ``what``.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, got {type(value).__name__}")
    if not value.strip() or len(value) > ID_LIMIT or "\x00" in value:
        raise InvalidInput(
            f"{what} must be 1 to {ID_LIMIT} characters, not blank, without NUL; "
            f"got {quoted(value)}"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{what} must be valid text, got {quoted(value)}") from None
    return value


def check_digest(value: object) -> str:
    """``value`` if it is a SHA-256 digest in lower-case hex (64 digits).

    Raises:
        InvalidInput: It is not.
    """
    if not isinstance(value, str) or _DIGEST.fullmatch(value) is None:
        raise InvalidInput(f"sha256 must be 64 lower-case hex digits, got {quoted(value)}")
    return value


def check_put(
    tenant_id: object, attachment_id: object, data: object, content_type: object, sha256: object
) -> tuple[str, str, bytes]:
    """Check the arguments of :meth:`AttachmentStore.put` as every adapter must.

    Returns:
        The tenant id, the attachment id and the bytes.

    Raises:
        InvalidInput: A bad id, digest or content type, ``data`` not bytes, or
            ``sha256`` not the digest of ``data``.
    """
    tenant = check_key(tenant_id, "tenant id")
    key = check_key(attachment_id, "attachment id")
    digest = check_digest(sha256)
    if not isinstance(data, bytes):
        raise InvalidInput(f"an attachment's content must be bytes, got {type(data).__name__}")
    if not isinstance(content_type, str) or not content_type.strip() or len(content_type) > 100:
        raise InvalidInput(f"content_type must be a media type, got {quoted(content_type)}")
    if hashlib.sha256(data).hexdigest() != digest:
        raise InvalidInput(f"sha256 {digest} is not the digest of the bytes given")
    return tenant, key, data


class AttachmentStore(Protocol):
    """Where the bytes of attachments are kept, apart per tenant.

    Stored bytes never change: an id is written once, and a read checks the
    bytes against the SHA-256 the case file recorded, so that a changed or
    damaged file is caught, never served.
    """

    def put(
        self,
        tenant_id: str,
        attachment_id: str,
        data: bytes,
        *,
        content_type: str,
        sha256: str,
    ) -> None:
        """Keep ``data`` under ``(tenant_id, attachment_id)``, whole or not at all.

        When ``put`` returns, the bytes are durable as the store makes them
        (a file synced to disk, an object acknowledged).  Writing the same
        bytes again under the same id is a no-op (a retry is safe).

        Args:
            tenant_id: The tenant.
            attachment_id: The attachment's id (the case file record's id).
            data: The file's bytes.
            content_type: Its detected media type, for a store that serves
                files itself (an object's ``Content-Type``).
            sha256: The SHA-256 of ``data`` in lower-case hex; a store checks
                it before keeping anything (an object store may pass it on as
                the upload's checksum).

        Raises:
            InvalidInput: A bad id or digest, ``data`` not bytes, or ``sha256``
                is not the digest of ``data``.
            AttachmentExists: Other bytes are stored under that id.
            StorageError: The disk or service failed; nothing was kept.
        """

    def get(self, tenant_id: str, attachment_id: str, *, sha256: str) -> bytes:
        """The bytes stored under ``(tenant_id, attachment_id)``, checked against ``sha256``.

        Raises:
            InvalidInput: A bad id or digest.
            NotFound: Nothing is stored under that id for that tenant.
            AttachmentCorrupt: The stored bytes do not hash to ``sha256``.
            StorageError: The disk or service failed.
        """

    def delete(self, tenant_id: str, attachment_id: str) -> bool:
        """Remove the bytes under ``(tenant_id, attachment_id)`` for good, if any.

        For retention (destroying a return, erasing a customer's files) and
        for sweeping orphans.  Idempotent.

        Returns:
            Whether there were bytes to remove.

        Raises:
            InvalidInput: A bad id.
            StorageError: The disk or service failed.
        """

    def ids(self, tenant_id: str) -> Sequence[str]:
        """Every attachment id the tenant has bytes under, sorted.

        For retention's inventory and for finding orphans.

        Raises:
            InvalidInput: A bad id.
            StorageError: The disk or service failed.
        """


class CheckedAttachmentStore(abc.ABC):
    """An :class:`AttachmentStore` that keeps the port's rules; a subclass only stores bytes.

    Its public methods check the ids, the digest and the bytes as the port
    says, and check what a read gives back against the SHA-256 asked for
    (raising :class:`~crm_returns.errors.AttachmentCorrupt`); then they call
    four primitives with checked values, which a subclass implements:
    :meth:`_write`, :meth:`_read`, :meth:`_delete` and :meth:`_list`.
    """

    def put(
        self,
        tenant_id: str,
        attachment_id: str,
        data: bytes,
        *,
        content_type: str,
        sha256: str,
    ) -> None:
        """Check the arguments, then keep ``data``; see :meth:`AttachmentStore.put`.

        Raises:
            InvalidInput: A bad id, digest or content type, or a digest that is not the data's.
            AttachmentExists: Other bytes are stored under that id.
            StorageError: The store failed; nothing was kept.
        """
        tenant, key, checked = check_put(tenant_id, attachment_id, data, content_type, sha256)
        self._write(tenant, key, checked, content_type=content_type, sha256=sha256)

    def get(self, tenant_id: str, attachment_id: str, *, sha256: str) -> bytes:
        """The bytes, checked against ``sha256``; see :meth:`AttachmentStore.get`.

        Raises:
            InvalidInput: A bad id or digest.
            NotFound: Nothing is stored under that id.
            AttachmentCorrupt: The stored bytes do not hash to ``sha256``.
            StorageError: The store failed.
        """
        tenant = check_key(tenant_id, "tenant id")
        key = check_key(attachment_id, "attachment id")
        expected = check_digest(sha256)
        data = self._read(tenant, key)
        found = hashlib.sha256(data).hexdigest()
        if found != expected:
            raise AttachmentCorrupt(tenant, key, expected, found)
        return data

    def delete(self, tenant_id: str, attachment_id: str) -> bool:
        """Remove the bytes if any; see :meth:`AttachmentStore.delete`.

        Raises:
            InvalidInput: A bad id.
            StorageError: The store failed.
        """
        return self._delete(
            check_key(tenant_id, "tenant id"), check_key(attachment_id, "attachment id")
        )

    def ids(self, tenant_id: str) -> list[str]:
        """The tenant's attachment ids, sorted; see :meth:`AttachmentStore.ids`.

        Raises:
            InvalidInput: A bad id.
            StorageError: The store failed.
        """
        return sorted(self._list(check_key(tenant_id, "tenant id")))

    @abc.abstractmethod
    def _write(
        self, tenant_id: str, attachment_id: str, data: bytes, *, content_type: str, sha256: str
    ) -> None:
        """Keep checked ``data`` whole or not at all; nothing if the same bytes are there.

        Raises:
            AttachmentExists: Other bytes are stored under that id.
            StorageError: The store failed.
        """

    @abc.abstractmethod
    def _read(self, tenant_id: str, attachment_id: str) -> bytes:
        """The bytes stored under checked ids, as they are (:meth:`get` checks them).

        Raises:
            NotFound: Nothing is stored under that id.
            StorageError: The store failed.
        """

    @abc.abstractmethod
    def _delete(self, tenant_id: str, attachment_id: str) -> bool:
        """Remove the bytes under checked ids; whether there were any.

        Raises:
            StorageError: The store failed.
        """

    @abc.abstractmethod
    def _list(self, tenant_id: str) -> Iterable[str]:
        """The attachment ids a checked tenant has bytes under, in any order.

        Raises:
            StorageError: The store failed.
        """
