"""The retention operation log: append-only, each entry sealed by the one before.

Every archive, restore, erasure, hold, plan and destruction writes one
:class:`LogEntry`: who, when, what, on which class and ids, how many, under
which legal basis, with which backup, and how it ended.  Each entry's
:attr:`~LogEntry.digest` is the SHA-256 of its own fields and of the previous
entry's digest, so that changing, removing or reordering any entry breaks
every digest after it: :func:`verify_log` finds the first break.

The log holds no raw personal data: a customer is named by their digest
(:func:`~crm_returns.domain.retention.erasure.subject_digest`), records by
their ids, people acting by their staff ids.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Final

import attrs

from crm_returns.domain._checks import moment

__all__ = ["GENESIS", "LogBreak", "LogEntry", "Operation", "sealed", "verify_log"]

#: The digest before the first entry.
GENESIS: Final = "0" * 64


class Operation(enum.Enum):
    """What a log entry records."""

    ARCHIVE = "archive"
    RESTORE = "restore"
    HOLD = "hold"
    RELEASE = "release"
    ERASURE_REQUESTED = "erasure requested"
    ERASE = "erase"
    REAPPLY_ERASURES = "reapply erasures"
    PLAN = "plan"
    APPROVE = "approve"
    CANCEL = "cancel"
    BACKUP = "backup"
    DESTROY = "destroy"


@attrs.frozen
class LogEntry:
    """One sealed line of the operation log.

    Attributes:
        tenant_id: The tenant (each tenant's log is one chain).
        position: Its place in the tenant's chain, from 1.
        at: When.
        actor_id: Who.
        operation: What.
        record_class: The class acted on (``""`` for none).
        ids: The ids acted on (record ids, plan, hold or request numbers, or
            a customer's digest).
        counts: How many records, by class.
        legal_basis: The law it followed, or ``""``.
        backup: The backup's location and checksum, or ``""``.
        outcome: How it ended, in words.
        previous: The previous entry's digest (:data:`GENESIS` for the first).
        digest: SHA-256 of this entry's fields and :attr:`previous`.
    """

    tenant_id: str
    position: int
    at: datetime = attrs.field(validator=moment)
    actor_id: str = ""
    operation: Operation = Operation.PLAN
    record_class: str = ""
    ids: tuple[str, ...] = ()
    counts: tuple[tuple[str, int], ...] = ()
    legal_basis: str = ""
    backup: str = ""
    outcome: str = ""
    previous: str = GENESIS
    digest: str = ""

    def computed_digest(self) -> str:
        """The digest its fields and :attr:`previous` give."""
        fields = [
            self.tenant_id,
            self.position,
            self.at.isoformat(),
            self.actor_id,
            self.operation.value,
            self.record_class,
            list(self.ids),
            [[name, count] for name, count in self.counts],
            self.legal_basis,
            self.backup,
            self.outcome,
            self.previous,
        ]
        text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def sealed(entry: LogEntry, previous: LogEntry | None) -> LogEntry:
    """``entry`` placed after ``previous`` in its chain, with its digest."""
    placed = attrs.evolve(
        entry,
        position=1 if previous is None else previous.position + 1,
        previous=GENESIS if previous is None else previous.digest,
        digest="",
    )
    return attrs.evolve(placed, digest=placed.computed_digest())


@attrs.frozen
class LogBreak:
    """Where a log stops proving itself.

    Attributes:
        position: The first entry that does not check (its position, or where
            one is missing).
        why: What is wrong with it.
    """

    position: int
    why: str


def verify_log(entries: Iterable[LogEntry]) -> LogBreak | None:
    """The first break in one tenant's chain, oldest first; ``None`` if it is whole."""
    previous_digest, expected = GENESIS, 1
    for entry in entries:
        if entry.position != expected:
            return LogBreak(expected, f"entry {expected} is missing (found {entry.position})")
        if entry.previous != previous_digest:
            return LogBreak(expected, "it does not follow the entry before it")
        if entry.computed_digest() != entry.digest:
            return LogBreak(expected, "it was changed after it was written")
        previous_digest, expected = entry.digest, expected + 1
    return None
