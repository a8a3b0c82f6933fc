"""The ``crm-returns`` command line.

Each subcommand is added to the parser by one ``_add_*`` function that sets
the handler to call; add ``db upgrade`` or ``report ...`` the same way, with
nested subparsers where a command has subcommands of its own.  Optional
dependencies (``rich`` for output) are imported only when a command runs, so
that ``import crm_returns`` never needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeAlias

from crm_returns.cli.labels import LANGUAGES, Language

__all__ = ["EXIT_MISSING_DEPENDENCY", "MISSING_RICH", "PIPED_WIDTH", "build_parser", "main"]

#: Printed instead of a traceback when the ``cli`` extra is not installed.
MISSING_RICH = (
    "crm-returns: the command line needs the 'rich' package, which is not installed.\n"
    "Install the cli extra:  pip install 'crm-returns[cli]'"
)

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
    run_demo(language, console)
    return 0


def _add_demo(commands: _Subparsers) -> None:
    demo = commands.add_parser(
        "demo",
        help="walk one return through its whole life on sample data",
        description=(
            "Run a return from search to refund on in-memory sample data, then print "
            "its refund breakdown and credit note, stock moves and balances, journal "
            "entries and trial balance."
        ),
    )
    demo.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=LANGUAGES[0],
        help="language of the output (default: %(default)s)",
    )
    demo.set_defaults(handler=_demo)


#: Each adds one subcommand (or a group, such as ``db``) to the parser.
_COMMANDS: tuple[Callable[[_Subparsers], None], ...] = (_add_demo,)


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
        The exit status: 0 on success, 2 when an optional dependency is missing.

    Raises:
        SystemExit: On a usage error (argparse prints it) or ``--help``.
    """
    arguments = build_parser().parse_args(argv)
    handler: _Handler = arguments.handler
    return handler(arguments)
