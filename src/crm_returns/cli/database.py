"""``crm-returns db``: the packaged migrations as a release step, and a check for deploy scripts.

::

    crm-returns db upgrade --url URL   # make or upgrade the tables, under the migrations' lock
    crm-returns db current --url URL   # the revision the tables are at, and the one needed
    crm-returns db check --url URL     # exit status: 0 up to date, 3 older, 4 newer, 1 error

Each takes ``--schema`` (PostgreSQL) and ``--table-prefix``, as
:func:`crm_returns.sql_service` does.  The ``sql`` extra is imported only when
a command runs, so that the command line works without it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TypeAlias

from crm_returns.errors import CrmReturnsError

if TYPE_CHECKING:
    from crm_returns.adapters.sql import Revisions, SqlDatabase

__all__ = [
    "EXIT_CANNOT_CHECK",
    "EXIT_NEWER",
    "EXIT_OLDER",
    "EXIT_UP_TO_DATE",
    "add_db",
]

#: ``db check``: the tables are at the package's revision.
EXIT_UP_TO_DATE = 0
#: ``db check`` (and every ``db`` command): the database could not be read or used.
EXIT_CANNOT_CHECK = 1
#: ``db check``: the tables are older than the package, or not there yet: run ``db upgrade``.
EXIT_OLDER = 3
#: ``db check``: the tables were made by a newer version of the package.
EXIT_NEWER = 4

_Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def failed(error: Exception) -> int:
    """Say ``error`` on standard error; the exit status of a command that could not work."""
    print(f"crm-returns: {error}", file=sys.stderr)
    return EXIT_CANNOT_CHECK


def _where(arguments: argparse.Namespace) -> str:
    """The database, its schema and the tables, for messages (the URL without its password)."""
    from sqlalchemy.engine import make_url  # the URL was used already: it parses

    url = make_url(arguments.url).render_as_string(hide_password=True)
    schema = f", schema {arguments.schema}" if arguments.schema else ""
    return f"{url}{schema}, tables {arguments.table_prefix}*"


def open_database(arguments: argparse.Namespace) -> SqlDatabase | int:
    """The database at ``--url``, or the exit status saying why it cannot be used."""
    try:
        from crm_returns.adapters.sql import SqlDatabase
    except ImportError as error:
        from crm_returns.cli import EXIT_MISSING_DEPENDENCY, MISSING_SQL

        print(f"{MISSING_SQL} ({error.name} is missing)", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    try:
        return SqlDatabase.connect(
            arguments.url, schema=arguments.schema, table_prefix=arguments.table_prefix
        )
    except CrmReturnsError as error:
        return failed(error)


def _said(revisions: Revisions) -> str:
    found = revisions.found or "none"
    if revisions.up_to_date:
        return f"revision {found}, the one this crm_returns needs: up to date"
    if revisions.newer:
        return (
            f"revision {found}, unknown to this crm_returns (it needs {revisions.head}): "
            "made by a newer version of crm_returns"
        )
    return (
        f"revision {found}, this crm_returns needs {revisions.head}: run `crm-returns db upgrade`"
    )


def _upgrade(arguments: argparse.Namespace) -> int:
    """Apply the packaged migrations to the database at ``--url``."""
    database = open_database(arguments)
    if isinstance(database, int):
        return database
    try:
        database.upgrade()
        revisions = database.revisions()
    except CrmReturnsError as error:
        return failed(error)
    finally:
        database.dispose()
    print(f"{_where(arguments)}: schema at revision {revisions.found}")
    return 0


def _revisions(arguments: argparse.Namespace) -> Revisions | int:
    """The revisions of the database at ``--url``, or the exit status saying why not."""
    database = open_database(arguments)
    if isinstance(database, int):
        return database
    try:
        return database.revisions()
    except CrmReturnsError as error:
        return failed(error)
    finally:
        database.dispose()


def _current(arguments: argparse.Namespace) -> int:
    """Print the revision the tables are at, and the one this package needs."""
    revisions = _revisions(arguments)
    if isinstance(revisions, int):
        return revisions
    print(f"{_where(arguments)}: {_said(revisions)}")
    return 0


def _check(arguments: argparse.Namespace) -> int:
    """Exit 0 when the tables are at the package's revision; say why not otherwise."""
    revisions = _revisions(arguments)
    if isinstance(revisions, int):
        return revisions
    if revisions.up_to_date:
        print(f"{_where(arguments)}: {_said(revisions)}")
        return EXIT_UP_TO_DATE
    print(f"crm-returns: {_where(arguments)}: {_said(revisions)}", file=sys.stderr)
    return EXIT_NEWER if revisions.newer else EXIT_OLDER


def database_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--url``, ``--schema`` and ``--table-prefix`` to ``parser``."""
    parser.add_argument("--url", required=True, help="a SQLAlchemy database URL")
    parser.add_argument(
        "--schema",
        default=None,
        help="PostgreSQL: the schema the tables are in (it must exist; default: the search path)",
    )
    parser.add_argument(
        "--table-prefix",
        default="crm_returns_",
        metavar="PREFIX",
        help="what the names of the tables start with (default: %(default)s)",
    )


def add_db(commands: _Subparsers) -> None:
    """Add ``db`` and its actions (``upgrade``, ``current``, ``check``) to ``commands``."""
    database = commands.add_parser(
        "db",
        help="manage the SQL database",
        description=(
            "Make, upgrade and check the tables crm_returns keeps its data in. Upgrade as a "
            "step of each release, and start the application with migrate=False."
        ),
    )
    actions = database.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, summary, description in (
        (
            "upgrade",
            _upgrade,
            "apply the packaged migrations",
            "Create or upgrade the tables crm_returns keeps its data in, under a lock: "
            "instances starting meanwhile wait for it.",
        ),
        (
            "current",
            _current,
            "print the revision the tables are at",
            "Print the revision the tables are at, and the one this crm_returns needs.",
        ),
        (
            "check",
            _check,
            "exit 0 if the tables are up to date",
            f"Exit {EXIT_UP_TO_DATE} when the tables are at the revision this crm_returns "
            f"needs, {EXIT_OLDER} when they are older or not there yet (run `db upgrade`), "
            f"{EXIT_NEWER} when a newer crm_returns made them, {EXIT_CANNOT_CHECK} when the "
            "database cannot be read; say why on standard error.",
        ),
    ):
        action = actions.add_parser(name, help=summary, description=description)
        database_arguments(action)
        action.set_defaults(handler=handler)
