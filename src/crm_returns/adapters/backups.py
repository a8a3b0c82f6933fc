"""Backups in a directory: ``<name>.jsonl`` and its manifest ``<name>.jsonl.sha256``.

The manifest is one line of ASCII, two spaces between the fields::

    sha256:<64 hex digits>  <records>  <size in bytes>

A backup is written so that a crash never leaves a half file under its name:

1. the records stream into a hidden temporary file in the same directory
   (``.<name>.<random>.tmp``), hashed as they are written, and the file is
   fsynced;
2. the manifest is written the same way and renamed into place;
3. the data file gets its real name by a hard link that fails if the name is
   taken (a rename where the file system has no hard links), and the
   directory is fsynced — ``<name>.jsonl`` exists only once it is whole;
4. the backup is read back and checked against the manifest before
   :meth:`FileBackups.write` returns its reference.

A crash between 2 and 3 leaves a manifest with no data file: the backup does
not exist (:meth:`FileBackups.find` answers ``None``), and writing it again
replaces the manifest.  Two writers racing for one name: one gets
:class:`~crm_returns.errors.BackupExists`, and the other's final check fails
rather than let a wrong manifest pass.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from crm_returns.adapters._directories import (
    NO_HARD_LINKS,
    existing_directory,
    failed,
    remove,
    sync_directory,
)
from crm_returns.errors import BackupCorrupt, BackupExists
from crm_returns.ports.backup import BackupReference, check_backup_name
from crm_returns.ports.backup_format import BackupDigest, decode_records, encode_records

__all__ = ["FileBackups"]

#: How much is read at a time when a backup is checked.
_CHUNK = 64 * 1024

_MANIFEST = re.compile(rb"(sha256:[0-9a-f]{64})  ([0-9]+)  ([0-9]+)\n", re.ASCII)


class FileBackups:
    """Backups as JSON Lines files in one directory, each beside its manifest.

    Args:
        directory: An existing directory to keep backups in.

    Raises:
        InvalidInput: ``directory`` is not a path to an existing directory.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self._directory = existing_directory(directory, "backup directory")

    @property
    def directory(self) -> Path:
        """The directory backups are kept in, as an absolute path."""
        return self._directory

    def _data(self, name: str) -> Path:
        return self._directory / f"{name}.jsonl"

    def _manifest(self, name: str) -> Path:
        return self._directory / f"{name}.jsonl.sha256"

    def write(self, name: str, records: Iterable[Mapping[str, Any]]) -> BackupReference:
        """Write ``records`` as ``<name>.jsonl`` with its manifest, verify it, give its reference.

        See :meth:`crm_returns.ports.Backups.write`.

        Raises:
            InvalidInput: A bad name, or a record that is not JSON-safe.
            BackupExists: ``<name>.jsonl`` exists.
            BackupCorrupt: The file did not read back as written.
            StorageError: The file system failed; the message names the path.
        """
        data = self._data(check_backup_name(name))
        if data.exists():
            raise BackupExists(name, str(data))
        digest, temporary = self._stream(name, records)
        try:
            reference = digest.reference(name, str(data))
            self._write_manifest(reference)
            self._commit(temporary, data, name)
        finally:
            remove(temporary)
        sync_directory(self._directory)
        self.verify(reference)
        return reference

    def _temporary(self, name: str, suffix: str) -> tuple[int, str]:
        try:
            return tempfile.mkstemp(dir=self._directory, prefix=f".{name}.", suffix=suffix)
        except OSError as error:
            raise failed("creating a temporary file in", self._directory, error) from error

    def _stream(self, name: str, records: Iterable[Mapping[str, Any]]) -> tuple[BackupDigest, str]:
        """Write the lines to a new temporary file; its digest and path.  None is left on error."""
        digest = BackupDigest()
        handle, path = self._temporary(name, ".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                for line in encode_records(records):
                    # Only the file's own errors are ours to name; the records' pass through.
                    try:
                        file.write(line)
                    except OSError as error:
                        raise failed("writing", Path(path), error) from error
                    digest.add(line)
                try:
                    file.flush()
                    os.fsync(file.fileno())
                except OSError as error:
                    raise failed("writing", Path(path), error) from error
        except BaseException:
            remove(path)
            raise
        return digest, path

    def _write_manifest(self, reference: BackupReference) -> None:
        manifest = self._manifest(reference.name)
        text = f"{reference.checksum}  {reference.records}  {reference.size}\n"
        handle, path = self._temporary(reference.name, ".sha256.tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(text.encode("ascii"))
                file.flush()
                os.fsync(file.fileno())
            os.replace(path, manifest)
        except OSError as error:
            remove(path)
            raise failed("writing", manifest, error) from error

    def _commit(self, temporary: str, data: Path, name: str) -> None:
        """Give the whole file its real name, unless that name is taken."""
        try:
            os.link(temporary, data)
        except FileExistsError:
            raise BackupExists(name, str(data)) from None
        except OSError as error:
            if error.errno not in NO_HARD_LINKS:
                raise failed("naming", data, error) from error
            # No hard links here: a rename, after a last look (a narrow race).
            if data.exists():
                raise BackupExists(name, str(data)) from None
            try:
                os.rename(temporary, data)
            except OSError as renaming:
                raise failed("naming", data, renaming) from renaming

    def _read_manifest(self, name: str) -> BackupReference | str:
        """The manifest of ``name`` as a reference, or what is wrong with it."""
        manifest = self._manifest(name)
        try:
            content = manifest.read_bytes()
        except FileNotFoundError:
            return f"its manifest {manifest} is missing"
        except OSError as error:
            raise failed("reading", manifest, error) from error
        found = _MANIFEST.fullmatch(content)
        if found is None:
            return f"its manifest {manifest} is not 'sha256:<hex>  <records>  <size>'"
        checksum, records, size = (part.decode("ascii") for part in found.groups())
        return BackupReference(name, str(self._data(name)), checksum, int(records), int(size))

    def verify(self, reference: BackupReference) -> None:
        """Check ``<name>.jsonl`` and its manifest in this directory against ``reference``.

        See :meth:`crm_returns.ports.Backups.verify`.

        Raises:
            BackupCorrupt: A file is missing, or the data or the manifest differs.
            StorageError: The file system failed.
        """
        data = self._data(reference.name)
        problems: list[str] = []
        manifest = self._read_manifest(reference.name)
        if isinstance(manifest, str):
            problems.append(manifest)
        elif (manifest.checksum, manifest.records, manifest.size) != (
            reference.checksum,
            reference.records,
            reference.size,
        ):
            problems.append(
                f"its manifest says {manifest.checksum}, {manifest.records} records, "
                f"{manifest.size} bytes"
            )
        digest = BackupDigest()
        try:
            with data.open("rb") as file:
                while chunk := file.read(_CHUNK):
                    digest.add(chunk)
        except FileNotFoundError:
            problems.append(f"its file {data} is missing")
        except OSError as error:
            raise failed("reading", data, error) from error
        else:
            problems.extend(digest.differences(reference))
        if problems:
            raise BackupCorrupt(reference.name, str(data), problems)

    def read(self, reference: BackupReference) -> Iterator[dict[str, Any]]:
        """Verify the backup now, then yield its records as they are read.

        See :meth:`crm_returns.ports.Backups.read`.

        Raises:
            BackupCorrupt: As :meth:`verify`, at once; or at the end, if the
                file changed while it was read.
            StorageError: The file system failed.
        """
        self.verify(reference)
        return decode_records(reference, self._lines(self._data(reference.name)))

    @staticmethod
    def _lines(data: Path) -> Iterator[bytes]:
        try:
            with data.open("rb") as file:
                yield from file
        except OSError as error:
            raise failed("reading", data, error) from error

    def find(self, name: str) -> BackupReference | None:
        """The reference in the manifest of ``<name>.jsonl``, or ``None`` if there is no such file.

        See :meth:`crm_returns.ports.Backups.find`.

        Raises:
            InvalidInput: A bad name.
            BackupCorrupt: The data file is there, its manifest missing or malformed.
            StorageError: The file system failed.
        """
        data = self._data(check_backup_name(name))
        if not data.exists():
            return None
        manifest = self._read_manifest(name)
        if isinstance(manifest, str):
            raise BackupCorrupt(name, str(data), [manifest])
        return manifest
