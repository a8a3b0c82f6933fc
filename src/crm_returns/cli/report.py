"""``crm-returns report NAME``: return analytics of a stored database as tables, files, charts.

::

    crm-returns report reasons --tenant T [--from DATE] [--to DATE] [--tz ZONE] [--chart FILE]
    crm-returns report breakdown --tenant T --by reason --by category --period month
    crm-returns report lines --tenant T --format csv --bom --output lines.csv
    crm-returns report rates --tenant T --orders my_crm.returns:orders --by category

NAME is one of :data:`REPORTS`; the options are in
:mod:`crm_returns.cli.report_options`.  Every report reads the database at
``--db`` (the demo's SQLite file by default) for one tenant, as an analyst of
that tenant (:data:`ANALYST_ID`, role ``analyst``: permission
``view_reports``).  The rates and the frequent returners divide by what the
host delivered: ``--orders package.module:callable`` names a function of the
host's that returns its :class:`~crm_returns.ports.OrderSource` (the demo's
tenants have the sample shop's orders without it; other tenants need it).
Days are local days of ``--tz`` (Asia/Shanghai by default), from ``--from``
to ``--to`` inclusive (the last 30 days to today by default), on the date
basis ``--basis`` (the return date by default); the status filter
``--status`` counts approved returns onwards unless told otherwise.
``--format table`` prints a table; ``csv``, ``jsonl`` and ``parquet`` write
rows (the line or return facts for ``lines`` and ``returns``, a row per table
row otherwise) to ``--output`` or standard output.  Messages and the
progress bar go to standard error.

Exit status: 0 done; 1 an error (one line on standard error: a database that
cannot be read, a refused step, a chart with nothing to draw); 2 a usage error
(``--orders`` missing where needed, or naming no order source included) or a
missing extra.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeAlias, cast

import attrs

from crm_returns.cli.database import failed, open_database
from crm_returns.cli.host_callables import host_callable
from crm_returns.cli.report_options import add_options, misused
from crm_returns.errors import (
    ChartsUnavailable,
    CrmReturnsError,
    InvalidInput,
    ParquetUnavailable,
)

if TYPE_CHECKING:
    from rich.console import Console

    from crm_returns.cli.phrasebook import Phrasebook
    from crm_returns.domain.actors import Actor
    from crm_returns.domain.analytics import ReportWindow
    from crm_returns.domain.reasons import ReasonCatalog
    from crm_returns.ports import OrderSource
    from crm_returns.service.service import ReturnsService

__all__ = ["ANALYST_ID", "EXIT_USAGE", "REPORTS", "ReportRun", "add_report"]

#: Each report, and what its help says.
REPORTS: Final = {
    "reasons": "why things come back: a Pareto of reasons (or categories)",
    "decline-reasons": "why customers' requests were declined: a Pareto",
    "sku-reasons": "the SKU × reason matrix of the top SKUs",
    "rates": "unit, order and value return rates of each order cohort",
    "cycle-times": "cycle time per stage against the service level",
    "frequent-returners": "customers with many returns",
    "open-by-age": "returns still under way, by status and age",
    "satisfaction": "the customers' scores, overall or per --by",
    "breakdown": "returned lines grouped by --by and --period, per status group and currency",
    "lines": "the line-level export: every line fact of the window",
    "returns": "the return-level export: one row per return",
}
#: The id of the analyst the command acts as (role ``analyst``).
ANALYST_ID: Final = "crm-returns-report"
#: Exit status of a usage error (as argparse's).
EXIT_USAGE: Final = 2

_Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
#: What an order source answers (:class:`~crm_returns.ports.OrderSource`).
_ORDER_SOURCE_METHODS: Final = ("search", "get_lines", "delivered_totals")


@attrs.frozen
class ReportRun:
    """What a report works with.

    Attributes:
        service: A service over the database, reading the host's orders
            (``--orders``), or the sample shop's for the demo's tenants.
        actor: The analyst the command acts as.
        window: The days, zone, date basis and status filter asked for.
        catalog: The tenant's reasons, to label them (the analyst reads the
            catalog through the service, and no return).
        words: The command line's words in the language asked for.
        console: Where tables are printed (standard output).
        arguments: The parsed command line.
    """

    service: ReturnsService
    actor: Actor
    window: ReportWindow
    catalog: ReasonCatalog
    words: Phrasebook
    console: Console
    arguments: argparse.Namespace


def _missing_sqlite_file(url: str) -> str | None:
    """Why a SQLite URL names no database, or ``None``: reading one would make an empty file."""
    try:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError
    except ImportError:  # no sql extra: opening the database says so
        return None
    try:
        parsed = make_url(url)
    except ArgumentError:  # not a URL: opening the database says why
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if Path(database).exists():
        return None
    return f"no database at {database}: run `crm-returns demo` first, or give --db URL"


def _host_orders(target: str) -> OrderSource:
    """The order source the host's callable ``target`` (``--orders``) makes.

    Raises:
        InvalidInput: ``target`` names nothing callable, or it made no order source.
    """
    made = host_callable(target)()
    missing = [name for name in _ORDER_SOURCE_METHODS if not callable(getattr(made, name, None))]
    if missing:
        raise InvalidInput(
            f"{target}() made a {type(made).__name__}, not an OrderSource "
            f"(it has no {', '.join(missing)})"
        )
    return cast("OrderSource", made)  # its methods are checked above


def _run(arguments: argparse.Namespace) -> int:
    """Check the options, open the database, run the report; errors as one line."""
    problem = misused(arguments)
    if problem is not None:
        print(f"crm-returns report: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from crm_returns.cli.report_runs import RUNS, report_run
    except ImportError as error:
        from crm_returns.cli import EXIT_MISSING_DEPENDENCY, MISSING_RICH, MISSING_SQL

        missing = MISSING_RICH if (error.name or "").startswith("rich") else MISSING_SQL
        print(f"{missing} ({error.name} is missing)", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    try:
        orders = None if arguments.orders is None else _host_orders(arguments.orders)
    except InvalidInput as error:
        print(f"crm-returns report: --orders: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (CrmReturnsError, OSError) as error:  # the host's callable failed
        return failed(error)
    missing_file = _missing_sqlite_file(arguments.url)
    if missing_file is not None:
        return failed(FileNotFoundError(missing_file))
    database = open_database(arguments)
    if isinstance(database, int):
        return database
    try:
        database.check_revision()  # tables missing or of another version: say what to do
        return RUNS[arguments.name](report_run(arguments, database.unit_of_work, orders))
    except (ChartsUnavailable, ParquetUnavailable) as error:
        from crm_returns.cli import EXIT_MISSING_DEPENDENCY

        print(f"crm-returns: {error}", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    except (CrmReturnsError, OSError) as error:
        return failed(error)
    finally:
        database.dispose()


def add_report(commands: _Subparsers) -> None:
    """Add ``report NAME`` to ``commands``."""
    report = commands.add_parser(
        "report",
        help="return analytics: reasons, rates, cycle times, breakdowns, exports, charts",
        description=(
            "Report on the returns of one tenant kept in a database, as a table in the "
            "terminal, as CSV, JSON Lines or Parquet rows for BI tools, or as a chart. The "
            f"command acts as an analyst of the tenant ({ANALYST_ID!r}, role 'analyst', "
            "permission view_reports). Rates and returners' unit rates divide by what the "
            "host delivered: give --orders package.module:callable, a function of yours "
            "that returns your OrderSource (the demo's tenants, demo-…, have sample orders)."
        ),
        epilog="reports: " + "; ".join(f"{name} — {text}" for name, text in REPORTS.items()),
    )
    report.add_argument("name", choices=tuple(REPORTS), metavar="NAME", help="the report")
    add_options(report)
    report.set_defaults(handler=_run)
