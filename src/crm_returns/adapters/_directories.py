"""What the adapters that keep files in a local directory share: attachments and backups.

The directory a host names must exist already (the library never creates
its root, so a typo fails at once rather than writing somewhere new); the
file system's failures become :class:`~crm_returns.errors.StorageError`
naming the path; a directory is fsynced after a rename so that the new name
survives a crash.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Final

from crm_returns.errors import InvalidInput, StorageError, quoted

__all__ = ["NO_HARD_LINKS", "existing_directory", "failed", "remove", "sync_directory"]

#: What ``os.link`` fails with where a file system has no hard links.
NO_HARD_LINKS: Final = frozenset(
    {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV}
)

#: What ``fsync`` of a directory fails with where a file system cannot sync one (some
#: network file systems): the rename is then as durable as that file system makes it.
_NO_DIRECTORY_SYNC: Final = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


def existing_directory(value: str | os.PathLike[str], what: str) -> Path:
    """``value`` as the absolute path of a directory that exists.

    Args:
        value: What the host gave; anything but a ``str`` or an ``os.PathLike`` is refused.
        what: What the directory is for, as a message names it ("backup directory").

    Raises:
        InvalidInput: ``value`` is not a path, or no directory is there.
    """
    try:
        path = Path(value)
    except TypeError:
        article = "an" if what[:1] in "aeiou" else "a"
        raise InvalidInput(f"{article} {what} must be a path, got {type(value).__name__}") from None
    try:
        exists = path.is_dir()
    except (OSError, ValueError):  # a NUL in the path, a path too long
        exists = False
    if not exists:
        raise InvalidInput(f"the {what} {quoted(str(path))} does not exist")
    return path.absolute()


def failed(doing: str, path: Path, error: OSError) -> StorageError:
    """The error that says doing something to ``path`` failed, and why."""
    return StorageError(f"{doing} {path} failed: {error.strerror or error}")


def remove(path: str | Path) -> None:
    """Remove the file at ``path`` if it is there."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def sync_directory(directory: Path) -> None:
    """Make the names in ``directory`` durable, where the file system can.

    Raises:
        StorageError: The file system failed.
    """
    if os.name == "nt":  # Windows cannot open a directory; NTFS journals the rename
        return
    try:
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as error:
        if error.errno not in _NO_DIRECTORY_SYNC:
            raise failed("syncing", directory, error) from error
