"""The bytes of attachments, kept in memory: for tests, demos and the reference of the port."""

from __future__ import annotations

import hashlib
import threading

from crm_returns.errors import AttachmentExists, NotFound
from crm_returns.ports.attachments import CheckedAttachmentStore

__all__ = ["MemoryAttachmentStore"]


class MemoryAttachmentStore(CheckedAttachmentStore):
    """An :class:`~crm_returns.ports.AttachmentStore` in a dictionary; safe across threads.

    Its public methods (``put``, ``get``, ``delete``, ``ids``) are those of
    :class:`~crm_returns.ports.attachments.CheckedAttachmentStore`.

    Everything is lost when the process ends: pair it with an in-memory
    service, never with a SQL one whose records outlive it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[tuple[str, str], tuple[bytes, str]] = {}

    def _write(
        self, tenant_id: str, attachment_id: str, data: bytes, *, content_type: str, sha256: str
    ) -> None:
        with self._lock:
            stored = self._files.get((tenant_id, attachment_id))
            if stored is not None:
                if hashlib.sha256(stored[0]).hexdigest() == sha256:
                    return
                raise AttachmentExists(tenant_id, attachment_id)
            self._files[(tenant_id, attachment_id)] = (data, content_type)

    def _read(self, tenant_id: str, attachment_id: str) -> bytes:
        with self._lock:
            stored = self._files.get((tenant_id, attachment_id))
        if stored is None:
            raise NotFound("attachment", attachment_id)
        return stored[0]

    def _delete(self, tenant_id: str, attachment_id: str) -> bool:
        with self._lock:
            return self._files.pop((tenant_id, attachment_id), None) is not None

    def _list(self, tenant_id: str) -> list[str]:
        with self._lock:
            return [key for owner, key in self._files if owner == tenant_id]

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
