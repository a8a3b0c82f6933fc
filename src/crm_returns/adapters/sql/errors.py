"""Driver errors turned into ``crm_returns`` errors, so that none leaks out.

SQLite names its errors (``SQLITE_CONSTRAINT_UNIQUE``, ``SQLITE_BUSY``);
PostgreSQL gives a SQLSTATE (``23505``, ``40P01``).  Both are read from the
driver's exception that SQLAlchemy wraps.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator, Mapping
from types import MappingProxyType

import sqlalchemy.exc

from crm_returns.errors import ConcurrencyConflict, CrmReturnsError, StorageError

__all__ = [
    "DocumentError",
    "Failure",
    "SchemaMismatch",
    "StorageError",
    "constraint_of",
    "described",
    "failure_of",
    "translate",
    "translated",
]


class DocumentError(StorageError):
    """A stored document does not describe a valid value (or a value cannot be stored)."""


class SchemaMismatch(StorageError):
    """The database's tables are not at the revision this version of the library needs.

    A service refuses to start on them: run ``crm-returns db upgrade`` (or
    start with ``migrate=True``) when they are older; when they are newer,
    they were made by a newer version of ``crm_returns``, which the running
    one cannot read.

    Attributes:
        found: The revision the tables are at; ``None`` when there are none yet.
        needed: The revision of the package's last migration.
        newer: Whether ``found`` is a revision this package does not know.
        tables: Which tables, for the message (``"crm_returns_*"``).
    """

    def __init__(self, found: str | None, needed: str, *, newer: bool, tables: str) -> None:
        self.found, self.needed, self.newer, self.tables = found, needed, newer, tables
        if found is None:
            problem = f"has no tables {tables} yet (revision: none)"
            remedy = "run `crm-returns db upgrade`, or start the service with migrate=True"
        elif newer:
            problem = (
                f"has its tables {tables} at revision {found}, which this package does not know"
            )
            remedy = "they were made by a newer version of crm_returns: upgrade the package"
        else:
            problem = f"has its tables {tables} at revision {found}, older than this package's"
            remedy = "run `crm-returns db upgrade`, or start the service with migrate=True"
        super().__init__(
            f"the database {problem}; this version of crm_returns needs revision {needed}: {remedy}"
        )


class Failure(enum.Enum):
    """What kind of failure a driver error is."""

    UNIQUE = "unique"
    CHECK = "check"
    CONTENTION = "contention"
    OTHER = "other"


_POSTGRES: Mapping[str, Failure] = MappingProxyType(
    {
        "23505": Failure.UNIQUE,  # unique_violation
        "23514": Failure.CHECK,  # check_violation
        "40001": Failure.CONTENTION,  # serialization_failure
        "40P01": Failure.CONTENTION,  # deadlock_detected
        "55P03": Failure.CONTENTION,  # lock_not_available (lock_timeout)
    }
)

_SQLITE: Mapping[str, Failure] = MappingProxyType(
    {
        "SQLITE_CONSTRAINT_UNIQUE": Failure.UNIQUE,
        "SQLITE_CONSTRAINT_PRIMARYKEY": Failure.UNIQUE,
        "SQLITE_CONSTRAINT_CHECK": Failure.CHECK,
        "SQLITE_BUSY": Failure.CONTENTION,
        "SQLITE_BUSY_SNAPSHOT": Failure.CONTENTION,
        "SQLITE_LOCKED": Failure.CONTENTION,
    }
)


def failure_of(error: sqlalchemy.exc.SQLAlchemyError) -> Failure:
    """Classify ``error`` by the code its driver gave."""
    original = getattr(error, "orig", None)
    sqlstate = getattr(original, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _POSTGRES.get(sqlstate, Failure.OTHER)
    name = getattr(original, "sqlite_errorname", None)
    if isinstance(name, str):
        return _SQLITE.get(name, Failure.OTHER)
    return Failure.OTHER


def constraint_of(error: sqlalchemy.exc.SQLAlchemyError) -> str:
    """The name of the constraint ``error`` reports, or ``""`` when it names none."""
    original = getattr(error, "orig", None)
    diag = getattr(original, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if isinstance(name, str):
        return name
    # SQLite says it in words: "CHECK constraint failed: ck_line_claims_within_delivered".
    message = str(original)
    return message.rsplit(":", 1)[-1].strip() if "constraint failed" in message else ""


def described(error: BaseException) -> str:
    """What the database said about ``error``, without the SQL it ran or its parameters.

    SQLAlchemy's own text of an error quotes the statement and its parameters,
    and PostgreSQL's adds ``LINE 1: INSERT ...`` lines; neither belongs in a
    message a person may see (the error itself stays chained as ``__cause__``).
    This is PostgreSQL's primary message, or the first line of the driver's
    text (SQLite's says no more than ``database is locked``), or the name of
    the error's class when there is nothing else.
    """
    original = getattr(error, "orig", None)
    diag = getattr(original, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if isinstance(primary, str) and primary.strip():
        return primary.strip()
    cause = error if original is None else original
    if isinstance(cause, sqlalchemy.exc.StatementError):
        return type(cause).__name__  # its text is the statement's
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def translate(error: sqlalchemy.exc.SQLAlchemyError, subject: str) -> CrmReturnsError:
    """The ``crm_returns`` error to raise for database ``error``.

    Args:
        error: What SQLAlchemy raised.
        subject: What was being read or written, for the message.

    Returns:
        :class:`~crm_returns.errors.ConcurrencyConflict` when a unique key was
        taken, or another transaction held a lock too long, deadlocked or could
        not be serialised; :class:`StorageError` for anything else, saying
        what the database said without the SQL (see :func:`described`).
    """
    if failure_of(error) in (Failure.UNIQUE, Failure.CONTENTION):
        return ConcurrencyConflict(subject)
    return StorageError(f"the database failed on {subject}: {described(error)}")


@contextlib.contextmanager
def translated(subject: str) -> Iterator[None]:
    """Raise every database error inside the block as :func:`translate` says."""
    try:
        yield
    except sqlalchemy.exc.SQLAlchemyError as error:
        raise translate(error, subject) from error
