"""The errors of record retirement: plans, holds, archived records, the operation log, backups.

Re-exported by :mod:`crm_returns.errors`; import them from there.
"""

from __future__ import annotations

from collections.abc import Iterable

from crm_returns.errors import CrmReturnsError, RuleViolation

__all__ = [
    "BackupCorrupt",
    "BackupError",
    "BackupExists",
    "IllegalRetentionStep",
    "LogTampered",
    "RecordArchived",
    "RecordHeld",
    "RecordReferenced",
]


class IllegalRetentionStep(RuleViolation):
    """A retention plan, hold or erasure request cannot take this step in its state.

    For example: applying a plan nobody approved, or releasing a hold twice.
    """


class RecordArchived(RuleViolation):
    """The record is archived: read-only until it is restored."""


class RecordHeld(RuleViolation):
    """A legal hold or an open matter keeps the record; the message names each.

    Attributes:
        reasons: Every reason it is kept, in words.
    """

    def __init__(self, subject: str, reasons: Iterable[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(f"{subject} is kept: " + "; ".join(self.reasons))


class RecordReferenced(RuleViolation):
    """The record cannot be deleted: kept records still refer to it.

    Attributes:
        referrers: What refers to it, ``"<class>/<id>"`` each.
    """

    def __init__(self, subject: str, referrers: Iterable[str]) -> None:
        self.referrers = tuple(referrers)
        super().__init__(f"{subject} is referred to by " + ", ".join(self.referrers))


class LogTampered(CrmReturnsError):
    """The retention operation log does not prove itself: an entry was changed or removed.

    Attributes:
        tenant_id: Whose chain broke.
        position: The first entry that does not check.
    """

    def __init__(self, tenant_id: str, position: int, why: str) -> None:
        self.tenant_id = tenant_id
        self.position = position
        super().__init__(
            f"the retention log of tenant {tenant_id!r} breaks at entry {position}: {why}"
        )


class BackupError(CrmReturnsError):
    """Root of what the backup port raises about a backup itself.

    A failing disk or bucket is a :class:`StorageError` instead.

    Attributes:
        name: The backup's name.
        location: Where the adapter keeps it (a file path, ``memory:<name>``, a URL).
    """

    def __init__(self, name: str, location: str, detail: str) -> None:
        self.name = name
        self.location = location
        super().__init__(detail)


class BackupExists(BackupError):
    """A backup of that name was written before; a backup is never overwritten."""

    def __init__(self, name: str, location: str) -> None:
        super().__init__(name, location, f"backup {name!r} already exists at {location}")


class BackupCorrupt(BackupError):
    """A backup does not hold what its reference says: missing, cut short, or changed.

    Do not destroy anything this backup was meant to keep.

    Attributes:
        problems: What differs, one readable line each (such as ``checksum is
            sha256:…, expected sha256:…``).
    """

    def __init__(self, name: str, location: str, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            name,
            location,
            f"backup {name!r} at {location} is corrupt: " + "; ".join(self.problems),
        )
