"""The backup port: records written as JSON Lines with a checksum, verified before use.

Retiring records destroys them only after a **verified** backup holds them.
A backup is a named sequence of JSON objects, one per line — compact, keys
sorted, UTF-8 — whose SHA-256, byte size and line count make its
:class:`BackupReference`.  Every adapter writes exactly the same bytes, so a
reference proves the same content wherever it is kept.

An adapter implements :class:`Backups` over its storage and leaves the format
to :mod:`crm_returns.ports.backup_format`: ``encode_records`` makes the lines
(and refuses a value JSON cannot keep exactly), ``BackupDigest`` counts and
hashes the bytes as they pass, and ``decode_records`` reads the lines back
while checking them again.  ``crm_returns.testing.conformance.BackupsContract``
proves an adapter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

import attrs

from crm_returns.domain._checks import text
from crm_returns.errors import InvalidInput, quoted

__all__ = ["BACKUP_NAME_LIMIT", "BackupReference", "Backups", "check_backup_name"]

#: Longest backup name, in characters.
BACKUP_NAME_LIMIT = 100

_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*", re.ASCII)
_CHECKSUM = re.compile(r"sha256:[0-9a-f]{64}", re.ASCII)


def check_backup_name(name: object) -> str:
    """``name`` if it can name a backup in every store: a file, a key, a dict entry.

    Args:
        name: 1 to :data:`BACKUP_NAME_LIMIT` ASCII letters, digits, ``-``,
            ``_`` and ``.``, not starting with ``.`` (so that it is never a
            hidden or temporary file, nor ``..``).

    Raises:
        InvalidInput: ``name`` is not such a string.
    """
    if not isinstance(name, str):
        raise InvalidInput(f"a backup name must be a string, got {type(name).__name__}")
    if len(name) > BACKUP_NAME_LIMIT or not _NAME.fullmatch(name):
        raise InvalidInput(
            f"backup name {quoted(name)} must be 1 to {BACKUP_NAME_LIMIT} ASCII letters, "
            "digits, '-', '_' or '.', not starting with '.'"
        )
    return name


def _name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_backup_name(value)


def _checksum(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _CHECKSUM.fullmatch(value):
        raise InvalidInput(f"checksum must be 'sha256:' and 64 lowercase hex digits, got {value!r}")


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 0:
        raise InvalidInput(f"{attribute.name} must be a whole number, 0 or more, got {value!r}")


@attrs.frozen
class BackupReference:
    """What proves a backup: where it is and what it holds, as written.

    Keep it (in the destruction register, say): :meth:`Backups.verify` checks
    the stored bytes against it.

    Attributes:
        name: The backup's name, such as ``RP-2026-000001``.
        location: Where the adapter put it: a file path, ``memory:<name>``, a URL.
        checksum: ``sha256:`` and the hex SHA-256 of the exact bytes written.
        records: How many records (lines) it holds.
        size: Its size in bytes.

    Raises:
        InvalidInput: A field is malformed.
    """

    name: str = attrs.field(validator=_name)
    location: str = attrs.field(validator=text(4096))
    checksum: str = attrs.field(validator=_checksum)
    records: int = attrs.field(validator=_count)
    size: int = attrs.field(validator=_count)


class Backups(Protocol):
    """Where backups are written, once each, and read back only when they check out."""

    def write(self, name: str, records: Iterable[Mapping[str, Any]]) -> BackupReference:
        """Write ``records`` as the backup ``name``, verify it, and say what was written.

        The records are streamed (never all held at once) through
        :func:`~crm_returns.ports.backup_format.encode_records`.  If anything
        fails, nothing is kept under ``name``.

        Args:
            name: A new name (see :func:`check_backup_name`).
            records: JSON-safe mappings: str keys; str, int, bool, ``None``,
                list and mapping values.  Money arrives as text.

        Raises:
            InvalidInput: A bad name, or a record that is not JSON-safe (the
                message names its position, counting from 1, and its key).
            BackupExists: A backup of that name exists.
            BackupCorrupt: The backup did not read back as written.
            StorageError: The storage failed.
        """

    def verify(self, reference: BackupReference) -> None:
        """Check that the backup is there and holds exactly what ``reference`` says.

        Raises:
            BackupCorrupt: It is missing, or its checksum, size or record
                count differs; the message says which.
            StorageError: The storage failed.
        """

    def read(self, reference: BackupReference) -> Iterator[dict[str, Any]]:
        """Verify the backup, then yield its records in the order written.

        Raises:
            BackupCorrupt: As :meth:`verify`; or, at the end, the backup changed
                while it was read.
            StorageError: The storage failed.
        """

    def find(self, name: str) -> BackupReference | None:
        """The reference the backup ``name`` was written with, or ``None`` if there is none.

        It is not verified: call :meth:`verify`.

        Raises:
            InvalidInput: A bad name.
            BackupCorrupt: The backup is there but what describes it is lost.
            StorageError: The storage failed.
        """
