"""The bytes of a backup: JSON Lines, counted and hashed as they pass.

Every :class:`~crm_returns.ports.Backups` adapter writes exactly these bytes,
so that one :class:`~crm_returns.ports.BackupReference` proves the same
content wherever it is kept; an adapter of your own (object storage, say)
uses these three as ours do:

- :func:`encode_records` — each record as one line, refusing what JSON cannot
  keep exactly;
- :class:`BackupDigest` — the checksum, size and line count of the bytes;
- :func:`decode_records` — the records of the lines read back, checked again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from crm_returns.errors import BackupCorrupt, InvalidInput, quoted
from crm_returns.ports.backup import BackupReference

__all__ = ["MAX_DEPTH", "BackupDigest", "decode_records", "encode_records"]

#: Deepest nesting of lists and objects in a record (the record itself is depth 1).
MAX_DEPTH = 100


class _Unsafe(Exception):
    """A value JSON cannot keep exactly, with the keys leading to it, innermost first."""

    def __init__(self, value: object, why: str = "") -> None:
        kind = type(value).__name__
        money = " (give money as text, such as '12.50')" if kind in ("float", "Decimal") else ""
        self.why = why or (
            f"{kind} {quoted(value)} is not JSON-safe; give str, int, bool, None, list "
            f"or a mapping with str keys{money}"
        )
        self.keys: list[str] = []


def _text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Unsafe(value, f"text {quoted(value)} is not valid Unicode") from None
    return value


def _plain(value: object, depth: int, texts: bool) -> object:
    """``value`` as plain JSON values (dicts and lists); ``texts`` checks text is UTF-8 too.

    The path to a refused value is built only when one is refused: records
    are many, refusals rare.
    """
    if type(value) is str:
        return _text(value) if texts else value
    if type(value) is int or type(value) is bool or value is None:
        return value
    if isinstance(value, Mapping | list) and depth >= MAX_DEPTH:
        raise _Unsafe(value, f"lists and objects nested deeper than {MAX_DEPTH}")
    if isinstance(value, Mapping):
        plain = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _Unsafe(key, f"key {quoted(key)} is not text")
            try:
                plain[_text(key) if texts else key] = _plain(item, depth + 1, texts)
            except _Unsafe as unsafe:
                unsafe.keys.append(f"[{quoted(key)}]")
                raise
        return plain
    if type(value) is list:
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_plain(item, depth + 1, texts))
            except _Unsafe as unsafe:
                unsafe.keys.append(f"[{index}]")
                raise
        return items
    raise _Unsafe(value)


def _record(record: object, position: int, *, texts: bool = False) -> object:
    """``record`` as a plain dict, or ``InvalidInput`` naming its position and key."""
    try:
        if not isinstance(record, Mapping):
            raise _Unsafe(record)
        return _plain(record, 1, texts)
    except _Unsafe as unsafe:
        where = f", at {''.join(reversed(unsafe.keys))}" if unsafe.keys else ""
        raise InvalidInput(f"record {position}{where}: {unsafe.why}") from None


def encode_records(records: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    r"""Each record as one line of JSON Lines, as it comes: what every adapter writes.

    A line is the record as compact JSON (``","`` and ``":"``, no spaces),
    keys sorted, non-ASCII characters as they are, in UTF-8, and ``\n``.
    JSON escapes every newline inside a string, so each ``\n`` byte ends a record.

    Args:
        records: JSON-safe mappings (see :meth:`crm_returns.ports.Backups.write`).

    Raises:
        InvalidInput: A record is not a mapping or holds a value JSON cannot
            keep exactly (a float, a Decimal, a tuple, a date, a non-str key);
            the message names the record (counting from 1) and the key.
    """
    for position, record in enumerate(records, start=1):
        plain = _record(record, position)
        try:
            line = json.dumps(plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            encoded = line.encode("utf-8")
        except UnicodeEncodeError:
            _record(record, position, texts=True)  # says where the text is
            raise  # pragma: no cover - the check above finds every string json.dumps wrote
        except ValueError as error:  # an int with more digits than Python will print
            raise InvalidInput(f"record {position}: {error}") from None
        yield encoded + b"\n"


class BackupDigest:
    r"""The SHA-256, size and line count of a backup's bytes, as they pass.

    Attributes:
        size: Bytes seen so far.
        records: Lines seen so far (``\n`` bytes).
    """

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0
        self.records = 0

    def add(self, chunk: bytes) -> None:
        """Count and hash the next ``chunk`` of the backup."""
        self._hash.update(chunk)
        self.size += len(chunk)
        self.records += chunk.count(b"\n")

    @property
    def checksum(self) -> str:
        """``sha256:`` and the hex digest of the bytes seen so far."""
        return f"sha256:{self._hash.hexdigest()}"

    def reference(self, name: str, location: str) -> BackupReference:
        """The reference of a backup ``name`` at ``location`` holding the bytes seen."""
        return BackupReference(name, location, self.checksum, self.records, self.size)

    def differences(self, reference: BackupReference) -> list[str]:
        """How the bytes seen differ from what ``reference`` says, one line each; none if equal."""
        found = []
        if self.checksum != reference.checksum:
            found.append(f"checksum is {self.checksum}, expected {reference.checksum}")
        if self.size != reference.size:
            found.append(f"size is {self.size} bytes, expected {reference.size}")
        if self.records != reference.records:
            found.append(f"it holds {self.records} records, expected {reference.records}")
        return found

    def check(self, reference: BackupReference) -> None:
        """Raise unless the bytes seen are what ``reference`` says.

        Raises:
            BackupCorrupt: Naming every difference.
        """
        problems = self.differences(reference)
        if problems:
            raise BackupCorrupt(reference.name, reference.location, problems)


def decode_records(reference: BackupReference, lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    r"""The records of the backup's ``lines`` (each ending in ``\n``), checked again at the end.

    Args:
        reference: What the backup holds; verify it before reading.
        lines: The backup's bytes, a line at a time.

    Raises:
        BackupCorrupt: A line is not a JSON object, or the bytes read were not
            those of ``reference`` (the backup changed after it was verified).
    """
    digest = BackupDigest()
    for number, line in enumerate(lines, start=1):
        digest.add(line)
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            raise BackupCorrupt(
                reference.name, reference.location, [f"line {number} is not a JSON object"]
            )
        yield record
    digest.check(reference)
