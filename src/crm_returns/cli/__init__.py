"""The ``crm-returns`` command line.

Each subcommand is added to the parser by one ``add`` function that sets the
handler to call (``db`` and its actions are in :mod:`crm_returns.cli.database`,
``events`` and its actions in :mod:`crm_returns.cli.events`, ``retention`` in
:mod:`crm_returns.cli.retention`, ``report NAME`` in :mod:`crm_returns.cli.report`);
add another the same way, with nested subparsers where a command has
subcommands of its own.  Optional
dependencies (``rich`` for output) are imported only when a command runs, so
that ``import crm_returns`` never needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from crm_returns.cli.database import add_db
from crm_returns.cli.events import add_events
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.report import add_report
from crm_returns.cli.retention import add_retention
from crm_returns.cli.words import LANGUAGES, Language

__all__ = [
    "DEMO_CHART",
    "DEMO_DATABASE_URL",
    "DEMO_TENANT_PREFIX",
    "EXIT_MISSING_DEPENDENCY",
    "MEMORY",
    "MISSING_RICH",
    "MISSING_SQL",
    "PIPED_WIDTH",
    "build_parser",
    "main",
]

#: Printed instead of a traceback when the ``cli`` extra is not installed.
MISSING_RICH = (
    "crm-returns: the command line needs the 'rich' package, which is not installed.\n"
    "Install the cli extra:  pip install 'crm-returns[cli]'"
)

#: Printed when a database command runs without the ``sql`` extra.
MISSING_SQL = (
    "crm-returns: database commands need the sql extra: pip install 'crm-returns[sql]' "
    "(and 'crm-returns[postgres]' for PostgreSQL)"
)

#: Where the demo keeps its data unless told otherwise: a SQLite file here.
DEMO_DATABASE_URL = "sqlite:///crm-returns-demo.sqlite3"

#: Where the demo writes its chart of the month's return reasons unless told otherwise.
DEMO_CHART = "crm-returns-demo-reasons.png"

#: What the tenant of every stored run of the demo starts with (``demo-`` and 8 hex digits).
DEMO_TENANT_PREFIX = "demo-"

#: The ``--db`` value that keeps the demo's data in memory only.
MEMORY = "memory"

#: Exit status when an optional dependency is missing (as for a usage error).
EXIT_MISSING_DEPENDENCY = 2

#: Output width when writing to a file or pipe and ``COLUMNS`` is not set.
PIPED_WIDTH = 120

_Handler: TypeAlias = Callable[[argparse.Namespace], int]
_Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _is_missing_rich(error: ImportError) -> bool:
    return (error.name or "").partition(".")[0] == "rich"


def _demo(arguments: argparse.Namespace) -> int:
    """Run the demo scenario and print it."""
    try:
        from rich.console import Console

        from crm_returns.cli.demo import run_demo
    except ImportError as error:
        if not _is_missing_rich(error):
            raise
        print(MISSING_RICH, file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Rich assumes 80 columns when writing to a file or pipe, which is too
        # narrow for the tables; nothing wraps a file, so give them room.
        console.width = PIPED_WIDTH
    language: Language = arguments.lang
    chart = Path(arguments.chart) if arguments.chart else None
    if arguments.db == MEMORY:
        run_demo(language, console, chart=chart)
        return 0
    try:
        from crm_returns.cli.stored import stored_wiring
    except ImportError as error:
        print(f"{MISSING_SQL} ({error.name} is missing)", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    from crm_returns.errors import CrmReturnsError

    try:
        with stored_wiring(arguments.db) as (wiring, tenant):
            run_demo(language, console, wiring, chart)
    except CrmReturnsError as error:
        print(f"crm-returns: {error}", file=sys.stderr)
        return 1
    # One line however long the URL: people copy the tenant id from it.
    words = Phrasebook(language)
    console.print(words.word("stored", url=arguments.db, tenant=tenant), soft_wrap=True)
    command = f"crm-returns report reasons --db {arguments.db} --tenant {tenant}"
    console.print(words.word("report_try", command=command), soft_wrap=True, highlight=False)
    return 0


def _add_demo(commands: _Subparsers) -> None:
    demo = commands.add_parser(
        "demo",
        help="walk one return through its whole life on sample data",
        description=(
            "Run a return on sample data from the customer's request with a photo, "
            "through approval, a tracked parcel, receipt, inspection and refund, to the "
            "customer's feedback; then print its refund breakdown and credit note, stock "
            "moves and balances, journal entries and trial balance, audit trail, the "
            "e-mails sent, the customer's side (tracking, contacts, feedback, what the "
            "customer sees), a retention plan, and the month's report with a chart."
        ),
    )
    demo.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=LANGUAGES[0],
        help="language of the output (default: %(default)s)",
    )
    demo.add_argument(
        "--db",
        default=DEMO_DATABASE_URL,
        metavar="URL",
        help=(
            "where the returns are kept: a SQLAlchemy URL such as sqlite:///returns.db or "
            f"postgresql+psycopg://user@host/db, or {MEMORY!r} (default: %(default)s)"
        ),
    )
    demo.add_argument(
        "--chart",
        default=DEMO_CHART,
        metavar="FILE",
        help=(
            "where the last step writes its reasons chart, a .png or .svg file, with the "
            "charts extra ('' for none; default: %(default)s)"
        ),
    )
    demo.set_defaults(handler=_demo)


#: Each adds one subcommand (or a group, such as ``db``) to the parser.
_COMMANDS: tuple[Callable[[_Subparsers], None], ...] = (
    _add_demo,
    add_db,
    add_events,
    add_retention,
    add_report,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``crm-returns``, with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="crm-returns",
        description="Return workflow (退库 / 退货) for CRMs: demo and tools.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments, without the program name; ``sys.argv[1:]`` if not given.

    Returns:
        The exit status: 0 on success, 2 when an optional dependency is missing;
        ``db check`` has statuses of its own (:mod:`crm_returns.cli.database`).

    Raises:
        SystemExit: On a usage error (argparse prints it) or ``--help``.
    """
    arguments = build_parser().parse_args(argv)
    handler: _Handler = arguments.handler
    return handler(arguments)
