"""The bytes of attachments, kept in memory: for tests, demos and the reference of the port."""

from __future__ import annotations

import hashlib
import threading

from crm_returns.errors import AttachmentCorrupt, AttachmentExists, NotFound
from crm_returns.ports.attachments import check_digest, check_key, check_put

__all__ = ["MemoryAttachmentStore"]


class MemoryAttachmentStore:
    """An :class:`~crm_returns.ports.AttachmentStore` in a dictionary; safe across threads.

    Everything is lost when the process ends: pair it with an in-memory
    service, never with a SQL one whose records outlive it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[tuple[str, str], tuple[bytes, str]] = {}

    def put(
        self,
        tenant_id: str,
        attachment_id: str,
        data: bytes,
        *,
        content_type: str,
        sha256: str,
    ) -> None:
        """Keep ``data``; see :meth:`crm_returns.ports.AttachmentStore.put`.

        Raises:
            InvalidInput: A bad id, digest or content type, or a digest that is not the data's.
            AttachmentExists: Other bytes are stored under that id.
        """
        tenant, key, data = check_put(tenant_id, attachment_id, data, content_type, sha256)
        with self._lock:
            stored = self._files.get((tenant, key))
            if stored is not None:
                if hashlib.sha256(stored[0]).hexdigest() == sha256:
                    return
                raise AttachmentExists(tenant, key)
            self._files[(tenant, key)] = (data, content_type)

    def get(self, tenant_id: str, attachment_id: str, *, sha256: str) -> bytes:
        """The bytes, checked; see :meth:`crm_returns.ports.AttachmentStore.get`.

        Raises:
            InvalidInput: A bad id or digest.
            NotFound: Nothing is stored under that id.
            AttachmentCorrupt: The bytes changed.
        """
        tenant = check_key(tenant_id, "tenant id")
        key = check_key(attachment_id, "attachment id")
        expected = check_digest(sha256)
        with self._lock:
            stored = self._files.get((tenant, key))
        if stored is None:
            raise NotFound("attachment", key)
        found = hashlib.sha256(stored[0]).hexdigest()
        if found != expected:
            raise AttachmentCorrupt(tenant, key, expected, found)
        return stored[0]

    def delete(self, tenant_id: str, attachment_id: str) -> bool:
        """Remove the bytes if any; see :meth:`crm_returns.ports.AttachmentStore.delete`.

        Raises:
            InvalidInput: A bad id.
        """
        tenant = check_key(tenant_id, "tenant id")
        key = check_key(attachment_id, "attachment id")
        with self._lock:
            return self._files.pop((tenant, key), None) is not None

    def ids(self, tenant_id: str) -> list[str]:
        """The tenant's attachment ids, sorted; see :meth:`crm_returns.ports.AttachmentStore.ids`.

        Raises:
            InvalidInput: A bad id.
        """
        tenant = check_key(tenant_id, "tenant id")
        with self._lock:
            return sorted(key for owner, key in self._files if owner == tenant)

    def content_type(self, tenant_id: str, attachment_id: str) -> str:
        """The content type the bytes were stored with (what an object store would serve).

        Raises:
            NotFound: Nothing is stored under that id.
        """
        with self._lock:
            stored = self._files.get((tenant_id, attachment_id))
        if stored is None:
            raise NotFound("attachment", attachment_id)
        return stored[1]

    def replace_bytes(self, tenant_id: str, attachment_id: str, data: bytes) -> None:
        """Change stored bytes behind the port's back, as a failing disk would: for tests.

        Raises:
            NotFound: Nothing is stored under that id.
        """
        with self._lock:
            stored = self._files.get((tenant_id, attachment_id))
            if stored is None:
                raise NotFound("attachment", attachment_id)
            self._files[(tenant_id, attachment_id)] = (bytes(data), stored[1])
