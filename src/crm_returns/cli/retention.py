"""``crm-returns retention``: sweeps, plans, holds, archive, erasure and the operation log.

::

    crm-returns retention review   --url URL --tenant T [--at DATE] [--rules FILE]
    crm-returns retention plan     --url URL --tenant T [--show N] [--approvals 2]
    crm-returns retention approve  NUMBER --url URL --tenant T --actor ID
    crm-returns retention apply    NUMBER --url URL --tenant T --backups DIR
    crm-returns retention plans | items NUMBER | holds | log | verify-log
    crm-returns retention hold     --customer ID | --return NUMBER | --record CLASS/ID --reason TEXT
    crm-returns retention release  HOLD_ID
    crm-returns retention archive | restore  RETURN_NUMBER_OR_ID
    crm-returns retention erase    CUSTOMER_ID [--personal TEXT]...

Every command takes the database options of the ``db`` commands (``--url``,
``--schema``, ``--table-prefix``), the tenant, who acts (``--actor``,
``--name``, ``--roles``), the rules (``--rules``, a TOML file; the profile for
companies in China otherwise), the moment to act as of (``--at``: a sweep "as
of 2057-12-01" finds what is due then) and the language (``--lang``).  The
person acting is the login name unless ``--actor`` or ``CRM_RETURNS_ACTOR``
names someone else, and holds the role the command needs (``records_manager``
to sweep, apply, archive and erase; ``legal`` to approve and place holds;
``auditor`` to read) unless ``--roles`` says otherwise.  A plan is never
approved by the person who proposed it: approve with another ``--actor``.

Results go to standard output and progress bars to standard error.  Exit
status: 0 done, 1 an error (one line on standard error: a refused step, a plan
that does not exist, a log that does not prove itself), 2 a missing extra.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import attrs

from crm_returns.cli.database import database_arguments, failed, open_database
from crm_returns.cli.events import parse_moment
from crm_returns.cli.words import LANGUAGES
from crm_returns.errors import CrmReturnsError

if TYPE_CHECKING:
    from rich.console import Console

    from crm_returns.cli.phrasebook import Phrasebook
    from crm_returns.domain.actors import Actor
    from crm_returns.ports import UnitOfWork
    from crm_returns.service.service import ReturnsService

__all__ = ["ACTOR_VARIABLE", "ROLE_NEEDED", "RetentionRun", "acting", "add_retention"]

#: The environment variable naming who acts when ``--actor`` is not given.
ACTOR_VARIABLE = "CRM_RETURNS_ACTOR"

#: The role each command acts in unless ``--roles`` names others.
ROLE_NEEDED = {
    "review": "records_manager",
    "plan": "records_manager",
    "apply": "records_manager",
    "archive": "records_manager",
    "restore": "records_manager",
    "erase": "records_manager",
    "approve": "legal",
    "cancel": "records_manager",
    "hold": "legal",
    "release": "legal",
    "plans": "auditor",
    "items": "auditor",
    "holds": "auditor",
    "log": "auditor",
    "verify-log": "auditor",
}

_Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


@attrs.frozen
class RetentionRun:
    """What a retention command works with.

    Attributes:
        service: The service over the database, with the rules, clock and backups asked for.
        actor: Who acts.
        console: Where results are printed.
        words: The command line's words in the language asked for.
        arguments: The parsed command line.
        unit_of_work: The database's units of work (to list the tenants with a log).
    """

    service: ReturnsService
    actor: Actor
    console: Console
    words: Phrasebook
    arguments: argparse.Namespace
    unit_of_work: Callable[[], UnitOfWork]


def acting(arguments: argparse.Namespace, tenant: str) -> Actor:
    """The person ``--actor``, ``--name`` and ``--roles`` name, in ``tenant``.

    Raises:
        InvalidInput: The id, name or tenant is malformed.
    """
    from crm_returns.domain.actors import Actor

    actor_id = arguments.actor or os.environ.get(ACTOR_VARIABLE) or _login()
    roles = arguments.roles or ROLE_NEEDED[arguments.action]
    named = frozenset(role.strip() for role in roles.split(",") if role.strip())
    return Actor(actor_id, arguments.name or actor_id, tenant, named)


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment (a container, say)
        return "crm-returns-cli"


def _open(arguments: argparse.Namespace) -> int:
    """Open the database, wire a service and an actor, run the action; errors as one line."""
    try:
        from crm_returns.cli.phrasebook import Phrasebook
        from crm_returns.cli.retention_actions import ACTIONS, output_console
    except ImportError as error:
        from crm_returns.cli import EXIT_MISSING_DEPENDENCY, MISSING_RICH

        print(f"{MISSING_RICH} ({error.name} is missing)", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    database = open_database(arguments)
    if isinstance(database, int):
        return database
    try:
        database.check_revision()  # tables missing or of another version: say what to do
        service = _service(arguments, database.unit_of_work)
        run = RetentionRun(
            service=service,
            actor=acting(arguments, arguments.tenant or "-"),
            console=output_console(),
            words=Phrasebook(arguments.lang),
            arguments=arguments,
            unit_of_work=database.unit_of_work,
        )
        return ACTIONS[arguments.action](run)
    except (CrmReturnsError, OSError) as error:
        return failed(error)
    finally:
        database.dispose()


def _service(
    arguments: argparse.Namespace, unit_of_work: Callable[[], UnitOfWork]
) -> ReturnsService:
    """A service over the database with the rules, clock, backups and approvals asked for."""
    from crm_returns.adapters.backups import FileBackups
    from crm_returns.adapters.memory import ManualClock, MemoryOrderSource
    from crm_returns.adapters.system import SystemClock
    from crm_returns.domain.retention import CHINA
    from crm_returns.retention_config import load_retention_toml
    from crm_returns.service.service import ReturnsService
    from crm_returns.service.settings import ServiceSettings

    policy = CHINA
    if arguments.rules is not None:
        policy = load_retention_toml(Path(arguments.rules).read_text("utf-8"))
    backups = getattr(arguments, "backups", None)
    settings = ServiceSettings(
        clock=SystemClock() if arguments.at is None else ManualClock(arguments.at),
        retention=policy,
        backups=None if backups is None else FileBackups(backups),
        plan_approvals=arguments.approvals,
    )
    # Retention reads no orders: the host's order lines are not needed here.
    return ReturnsService(MemoryOrderSource(), unit_of_work, settings)


def _common(parser: argparse.ArgumentParser, *, tenant_required: bool = True) -> None:
    """The options every retention command takes."""
    database_arguments(parser)
    parser.add_argument(
        "--tenant",
        required=tenant_required,
        help="the tenant whose records these are" + ("" if tenant_required else " (default: all)"),
    )
    who = parser.add_argument_group("who acts")
    who.add_argument(
        "--actor",
        metavar="ID",
        help=f"the person acting (default: ${ACTOR_VARIABLE}, else the login name)",
    )
    who.add_argument("--name", help="their display name (default: the id)")
    who.add_argument(
        "--roles",
        metavar="R1,R2",
        help="their roles (default: the one the command needs, such as records_manager)",
    )
    rules = parser.add_argument_group("rules and time")
    rules.add_argument(
        "--rules", metavar="FILE", help="retention rules in TOML (default: the China profile)"
    )
    rules.add_argument(
        "--at",
        type=parse_moment,
        metavar="DATE",
        help="act as of this date or ISO 8601 time (default: now)",
    )
    rules.add_argument(
        "--approvals",
        type=int,
        choices=(1, 2),
        default=1,
        help="people who must approve a new plan (default: %(default)s)",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=LANGUAGES[0],
        help="language of the output (default: %(default)s)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def _not_negative(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return int(text)


def _arguments(name: str, action: argparse.ArgumentParser) -> None:
    """The arguments of the command ``name`` beyond the common ones."""
    if name in ("approve", "apply", "items", "cancel"):
        action.add_argument("number", metavar="NUMBER", help="the plan's number")
    if name == "plan":
        action.add_argument(
            "--show", type=_not_negative, default=20, metavar="N", help="items to print (20)"
        )
    if name == "apply":
        action.add_argument(
            "--backups",
            metavar="DIR",
            help="the directory of the verified backup (needed when the plan destroys records)",
        )
    if name in ("items", "log"):
        action.add_argument("--after", type=_not_negative, default=0, metavar="N")
        action.add_argument("--limit", type=_positive, default=100, metavar="N")
    if name == "hold":
        on = action.add_mutually_exclusive_group(required=True)
        on.add_argument("--customer", metavar="ID", help="a customer: all their returns")
        on.add_argument("--return", dest="return_", metavar="NUMBER", help="a return, by number")
        on.add_argument("--record", metavar="CLASS/ID", help="one record of any class")
        action.add_argument("--reason", required=True, help="why (a lawsuit, a tax inspection)")
        action.add_argument(
            "--until", type=parse_moment, metavar="DATE", help="when it lapses (default: never)"
        )
    if name == "release":
        action.add_argument("hold_id", metavar="HOLD_ID")
    if name in ("archive", "restore"):
        action.add_argument("return_", metavar="RETURN", help="the return's number or id")
    if name == "erase":
        action.add_argument("customer", metavar="CUSTOMER_ID")
        action.add_argument(
            "--personal",
            action="append",
            default=[],
            metavar="TEXT",
            help="another personal string to remove wherever it appears (repeatable)",
        )


#: What each command does, as its help says.
_COMMANDS = {
    "review": "appraise every record (鉴定意见), changing nothing",
    "plan": "propose a destruction plan of what is due (a dry run until applied)",
    "approve": "approve a plan (never by the person who proposed it)",
    "apply": "apply an approved plan: verified backup first, then batches",
    "cancel": "cancel a plan not yet applied",
    "plans": "the destruction register (销毁清册): every plan",
    "items": "the items of a plan",
    "hold": "place a legal hold on a customer, a return or one record",
    "release": "release a legal hold",
    "holds": "every legal hold",
    "archive": "archive a closed return: kept, read-only, restorable",
    "restore": "bring an archived return back",
    "erase": "erase a customer's personal data, keeping the facts",
    "log": "print the operation log",
    "verify-log": "check that the operation log was not changed (exit 1 if it was)",
}


def add_retention(commands: _Subparsers) -> None:
    """Add ``retention`` and its actions to ``commands``."""
    retention = commands.add_parser(
        "retention",
        help="retire records: sweeps and plans, holds, archive, erasure, the operation log",
        description=(
            "Keep what the law needs and let go of the rest: review and plan what the "
            "retention rules say is due, approve and apply plans with a verified backup "
            "first, place legal holds, archive returns, erase a customer's personal data, "
            "and check the hash-chained operation log."
        ),
    )
    actions = retention.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, summary in _COMMANDS.items():
        action = actions.add_parser(
            name, help=summary, description=summary[0].upper() + summary[1:] + "."
        )
        _arguments(name, action)
        _common(action, tenant_required=name != "verify-log")
        action.set_defaults(handler=_open)
