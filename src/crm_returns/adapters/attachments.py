"""The bytes of attachments as files under one directory, a directory per tenant.

Layout::

    <root>/<tenant>/<attachment>         the file's bytes, exactly as uploaded
    <root>/<tenant>/<attachment>.json    {"tenant_id", "attachment_id", "content_type",
                                          "sha256", "size"}

A tenant or attachment id made only of ``a-z``, ``0-9``, ``_`` and ``-`` (at
most 100 characters: UUIDs, ``acme``) is its own name; any other id (upper
case, dots, slashes, other scripts) is named ``~`` and the SHA-256 of its
UTF-8 text.  No name can be ``.``, ``..`` or hold a separator, whatever the
id, so nothing is ever read or written outside the root; two ids that differ
only in case never share a file on a file system that ignores case (macOS,
Windows).  The ``.json`` beside each file says whose it is, so that
:meth:`LocalFileAttachmentStore.ids` can name ids kept under a hashed name.

A file is written so that a crash never leaves a half file under its name:
the description is written and renamed into place first, then the bytes go
to a hidden temporary file in the same directory (``.<random>.tmp``), are
fsynced, and get their real name by a hard link that fails if the name is
taken (a rename where the file system has no hard links); the directory is
then fsynced.  An attachment exists once its bytes file does; a description
left without one (a crash in between) is replaced by the next write.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Final

from crm_returns.adapters._directories import (
    NO_HARD_LINKS,
    existing_directory,
    failed,
    remove,
    sync_directory,
)
from crm_returns.errors import (
    AttachmentExists,
    InvalidInput,
    NotFound,
    StorageError,
    quoted,
)
from crm_returns.ports.attachments import CheckedAttachmentStore, check_key

__all__ = ["LocalFileAttachmentStore", "file_name"]

_PLAIN: Final = re.compile(r"[a-z0-9_-]{1,100}")
_CHUNK: Final = 64 * 1024


def file_name(value: str) -> str:
    """The file or directory name of a tenant or attachment id (see the module's notes)."""
    if _PLAIN.fullmatch(value):
        return value
    return "~" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def _digest_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class LocalFileAttachmentStore(CheckedAttachmentStore):
    """An :class:`~crm_returns.ports.AttachmentStore` in a directory of the local disk.

    Its public methods (``put``, ``get``, ``delete``, ``ids``) are those of
    :class:`~crm_returns.ports.attachments.CheckedAttachmentStore`; a failing
    file system raises :class:`~crm_returns.errors.StorageError` naming the
    path, and ``ids`` raises it too for a file under a hashed name that lost
    its description.

    For one application server, or several sharing a network file system
    with hard links and atomic renames (NFSv4).  Back the directory up with
    the database: a restored database whose files are gone serves
    :class:`~crm_returns.errors.NotFound` for them.

    Args:
        root: An existing directory to keep the files in.

    Raises:
        InvalidInput: ``root`` is not a path to an existing directory.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._root = existing_directory(root, "attachment directory")

    @property
    def root(self) -> Path:
        """The directory the files are kept in, as an absolute path."""
        return self._root

    def path(self, tenant_id: str, attachment_id: str) -> Path:
        """Where the bytes of an attachment are (or would be) kept.

        Raises:
            InvalidInput: A bad id.
        """
        tenant = file_name(check_key(tenant_id, "tenant id"))
        key = file_name(check_key(attachment_id, "attachment id"))
        found = self._root / tenant / key
        if found.parent.parent != self._root:  # cannot happen: the names hold no separator
            raise InvalidInput(f"attachment id {quoted(attachment_id)} names no file of the store")
        return found

    def _write(self, tenant: str, key: str, data: bytes, *, content_type: str, sha256: str) -> None:
        """Write the file atomically (see the module's notes)."""
        target = self.path(tenant, key)
        directory = target.parent
        self._make_directory(directory)
        if self._same(target, tenant, key, sha256):
            return
        description = {
            "tenant_id": tenant,
            "attachment_id": key,
            "content_type": content_type,
            "sha256": sha256,
            "size": len(data),
        }
        text = json.dumps(description, ensure_ascii=False, sort_keys=True).encode("utf-8")
        meta = target.with_name(target.name + ".json")
        temporary = self._write_temporary(directory, text)
        try:
            os.replace(temporary, meta)
        except OSError as error:
            remove(temporary)
            raise failed("writing", meta, error) from error
        temporary = self._write_temporary(directory, data)
        try:
            self._link(temporary, target, tenant, key, sha256)
        finally:
            remove(temporary)
        sync_directory(directory)

    def _make_directory(self, directory: Path) -> None:
        if directory.is_dir():
            return
        try:
            directory.mkdir(mode=0o700, exist_ok=True)
        except OSError as error:
            raise failed("creating", directory, error) from error
        sync_directory(self._root)

    def _same(self, target: Path, tenant: str, key: str, sha256: str) -> bool:
        """Whether ``target`` holds these bytes already; :class:`AttachmentExists` if others."""
        try:
            found = _digest_of(target)
        except FileNotFoundError:
            return False
        except OSError as error:
            raise failed("reading", target, error) from error
        if found != sha256:
            raise AttachmentExists(tenant, key)
        return True

    @staticmethod
    def _write_temporary(directory: Path, content: bytes) -> str:
        try:
            handle, path = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        except OSError as error:
            raise failed("creating a temporary file in", directory, error) from error
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            remove(path)
            raise failed("writing", Path(path), error) from error
        return path

    def _link(self, temporary: str, target: Path, tenant: str, key: str, sha256: str) -> None:
        """Give the whole file its name, unless that name is taken (then compare)."""
        try:
            os.link(temporary, target)
        except FileExistsError:
            self._same(target, tenant, key, sha256)
        except OSError as error:
            if error.errno not in NO_HARD_LINKS:
                raise failed("naming", target, error) from error
            # No hard links here: a rename, after a last look (a narrow race).
            if self._same(target, tenant, key, sha256):
                return
            try:
                os.rename(temporary, target)
            except OSError as renaming:
                raise failed("naming", target, renaming) from renaming

    def _read(self, tenant_id: str, attachment_id: str) -> bytes:
        target = self.path(tenant_id, attachment_id)
        try:
            return target.read_bytes()
        except FileNotFoundError:
            raise NotFound("attachment", attachment_id) from None
        except OSError as error:
            raise failed("reading", target, error) from error

    def _delete(self, tenant_id: str, attachment_id: str) -> bool:
        """Remove the file and its description."""
        target = self.path(tenant_id, attachment_id)
        try:
            os.unlink(target)
        except FileNotFoundError:
            removed = False
        except OSError as error:
            raise failed("removing", target, error) from error
        else:
            removed = True
        meta = target.with_name(target.name + ".json")
        try:
            remove(meta)
        except OSError as error:
            raise failed("removing", meta, error) from error
        if target.parent.is_dir():
            sync_directory(target.parent)
        return removed

    def _list(self, tenant_id: str) -> list[str]:
        """The ids of the tenant's files, a hashed name's read from its description."""
        directory = self._root / file_name(tenant_id)
        try:
            names = [entry.name for entry in os.scandir(directory) if entry.is_file()]
        except FileNotFoundError:
            return []
        except OSError as error:
            raise failed("listing", directory, error) from error
        found = []
        for name in names:
            if name.startswith(".") or name.endswith(".json"):
                continue
            found.append(name if not name.startswith("~") else self._id_of(directory / name))
        return found

    @staticmethod
    def _id_of(target: Path) -> str:
        meta = target.with_name(target.name + ".json")
        try:
            described = json.loads(meta.read_bytes())
            key = described["attachment_id"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise StorageError(f"{meta} does not say whose {target} is: {error}") from error
        if not isinstance(key, str) or file_name(key) != target.name:
            raise StorageError(f"{meta} names another attachment than {target}")
        return key
