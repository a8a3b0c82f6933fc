"""Backups kept as bytes in a dict: the same format and checks as files, for tests and demos."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from crm_returns.errors import BackupCorrupt, BackupExists
from crm_returns.ports.backup import BackupReference, check_backup_name
from crm_returns.ports.backup_format import BackupDigest, decode_records, encode_records

__all__ = ["MemoryBackups"]


def _location(name: str) -> str:
    return f"memory:{name}"


class MemoryBackups:
    """Backups held in memory, byte for byte as a file would hold them.

    Safe to share between threads.  It holds every backup it was given: keep
    it for tests and demos, not for a real retirement.

    Attributes:
        _blobs: The JSON Lines of each backup, by name.  Tests change or
            delete an entry to play a damaged store; nothing else should
            touch it.
        _manifests: The reference each backup was written with, by name (what
            a file's manifest says).
    """

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._manifests: dict[str, BackupReference] = {}
        self._lock = threading.Lock()

    def write(self, name: str, records: Iterable[Mapping[str, Any]]) -> BackupReference:
        """Write ``records`` as the backup ``name``, verify it, give its reference.

        See :meth:`crm_returns.ports.Backups.write`.

        Raises:
            InvalidInput: A bad name, or a record that is not JSON-safe.
            BackupExists: A backup of that name exists.
            BackupCorrupt: It did not read back as written.
        """
        location = _location(check_backup_name(name))
        with self._lock:
            if name in self._blobs:
                raise BackupExists(name, location)
        buffer = io.BytesIO()
        digest = BackupDigest()
        for line in encode_records(records):
            buffer.write(line)
            digest.add(line)
        reference = digest.reference(name, location)
        with self._lock:
            if name in self._blobs:
                raise BackupExists(name, location)
            self._blobs[name] = buffer.getvalue()
            self._manifests[name] = reference
        self.verify(reference)
        return reference

    def verify(self, reference: BackupReference) -> None:
        """Check the bytes kept under the reference's name against it.

        See :meth:`crm_returns.ports.Backups.verify`.

        Raises:
            BackupCorrupt: The backup is missing, or differs from ``reference``.
        """
        name = reference.name
        with self._lock:
            blob = self._blobs.get(name)
            manifest = self._manifests.get(name)
        problems: list[str] = []
        if manifest is None:
            problems.append("its manifest is missing")
        elif (manifest.checksum, manifest.records, manifest.size) != (
            reference.checksum,
            reference.records,
            reference.size,
        ):
            problems.append(
                f"its manifest says {manifest.checksum}, {manifest.records} records, "
                f"{manifest.size} bytes"
            )
        if blob is None:
            problems.append("its bytes are missing")
        else:
            digest = BackupDigest()
            digest.add(blob)
            problems.extend(digest.differences(reference))
        if problems:
            raise BackupCorrupt(name, _location(name), problems)

    def read(self, reference: BackupReference) -> Iterator[dict[str, Any]]:
        """Verify the backup now, then yield its records in the order written.

        See :meth:`crm_returns.ports.Backups.read`.

        Raises:
            BackupCorrupt: As :meth:`verify`.
        """
        self.verify(reference)
        with self._lock:
            blob = self._blobs[reference.name]
        return decode_records(reference, io.BytesIO(blob))

    def find(self, name: str) -> BackupReference | None:
        """The reference the backup ``name`` was written with, or ``None``.

        See :meth:`crm_returns.ports.Backups.find`.

        Raises:
            InvalidInput: A bad name.
            BackupCorrupt: Its bytes are kept but its reference is lost.
        """
        check_backup_name(name)
        with self._lock:
            blob = self._blobs.get(name)
            manifest = self._manifests.get(name)
        if blob is None:
            return None
        if manifest is None:
            raise BackupCorrupt(name, _location(name), ["its manifest is missing"])
        return manifest
