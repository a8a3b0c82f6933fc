"""``crm-returns report NAME``: return analytics of a stored database as tables, files, charts.

::

    crm-returns report reasons --tenant T [--from DATE] [--to DATE] [--tz ZONE] [--chart FILE]
    crm-returns report breakdown --tenant T --by reason --by category --period month
    crm-returns report lines --tenant T --format csv --bom --output lines.csv

NAME is one of :data:`REPORTS`.  Every report reads the database at ``--db``
(the demo's SQLite file by default) for one tenant, as an analyst of that
tenant (:data:`ANALYST_ID`, role ``analyst``: permission ``view_reports``).
Days are local days of ``--tz`` (:data:`DEFAULT_ZONE` by default), from
``--from`` to ``--to`` inclusive (the last :data:`DEFAULT_DAYS` days to today by
default), on the date basis ``--basis`` (the return date by default); the
status filter ``--status`` counts approved returns onwards unless told
otherwise.  ``--format table`` prints a table; ``csv``, ``jsonl`` and
``parquet`` write rows (the line or return facts for ``lines`` and
``returns``, a row per table row otherwise) to ``--output`` or standard
output.  Messages and the progress bar go to standard error.

Exit status: 0 done; 1 an error (one line on standard error: a database that
cannot be read, a refused step, a chart with nothing to draw); 2 a usage error
or a missing extra.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from crm_returns.cli.database import failed, open_database
from crm_returns.cli.events import parse_moment
from crm_returns.cli.words import LANGUAGES
from crm_returns.domain.analytics import DateBasis, Dimension, ReportPeriod
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import ChartsUnavailable, CrmReturnsError, ParquetUnavailable

if TYPE_CHECKING:
    from rich.console import Console

    from crm_returns.cli.phrasebook import Phrasebook
    from crm_returns.domain.actors import Actor
    from crm_returns.domain.analytics import ReportWindow
    from crm_returns.domain.reasons import ReasonCatalog
    from crm_returns.service.service import ReturnsService

__all__ = [
    "ANALYST_ID",
    "BASES",
    "CHARTED",
    "DEFAULT_DAYS",
    "DEFAULT_ZONE",
    "EXIT_USAGE",
    "REPORTS",
    "ReportRun",
    "add_report",
]

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
#: The reports ``--chart`` draws.
CHARTED: Final = ("reasons", "decline-reasons", "sku-reasons", "rates", "cycle-times")
#: The time zone days are read in unless ``--tz`` names another: the shop's, as in the demo.
DEFAULT_ZONE: Final = "Asia/Shanghai"
#: Days a window spans when ``--from`` is not given (``--to`` included).
DEFAULT_DAYS: Final = 30
#: The id of the analyst the command acts as (role ``analyst``).
ANALYST_ID: Final = "crm-returns-report"
#: Exit status of a usage error (as argparse's).
EXIT_USAGE: Final = 2
#: ``--basis``: the date each report reads.
BASES: Final = {
    "order": DateBasis.ORDER_DATE,
    "return": DateBasis.RETURN_DATE,
    "refund": DateBasis.REFUND_DATE,
}
#: Options only some reports take (``None`` when not given), and which.
_TAKEN_BY: Final = {
    "by": ("breakdown", "satisfaction", "cycle-times"),
    "period": ("breakdown", "rates"),
    "level": ("reasons",),
    "measure": ("reasons", "decline-reasons", "sku-reasons"),
    "top": ("sku-reasons",),
    "min_returns": ("frequent-returners",),
    "chart": CHARTED,
}
_CHART_SUFFIXES: Final = (".png", ".svg")

_Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


@attrs.frozen
class ReportRun:
    """What a report works with.

    Attributes:
        service: A service over the database, reading the host's orders when it knows them.
        actor: The analyst the command acts as.
        window: The days, zone, date basis and status filter asked for.
        catalog: The tenant's reasons, to label them (read from the database:
            the analyst role reads no return, nor the catalog through the service).
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


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day such as 2026-11-30") from None


def _zone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text!r}: give an IANA name such as Asia/Shanghai or UTC"
        ) from None


def _statuses(text: str) -> frozenset[ReturnStatus]:
    try:
        return frozenset(ReturnStatus(part.strip()) for part in text.split(",") if part.strip())
    except ValueError:
        known = ", ".join(status.value for status in ReturnStatus)
        raise argparse.ArgumentTypeError(f"{text!r} names no status: one of {known}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def _misused(arguments: argparse.Namespace) -> str | None:
    """What is wrong with the options together, or ``None``."""
    name = arguments.name
    for option, reports in _TAKEN_BY.items():
        if getattr(arguments, option) not in (None, "") and name not in reports:
            flag = "--" + option.replace("_", "-")
            return f"{flag} is for the reports {', '.join(reports)}, not {name}"
    if arguments.start and arguments.end and arguments.end < arguments.start:
        return f"--to {arguments.end} is before --from {arguments.start}"
    if arguments.format == "table" and arguments.output:
        return "--output is for --format csv, jsonl or parquet; a table goes to standard output"
    if arguments.format == "parquet" and not arguments.output:
        return "Parquet is written to a file: give --output FILE"
    if arguments.bom and arguments.format != "csv":
        return "--bom is for --format csv"
    if arguments.chart and Path(arguments.chart).suffix.lower() not in _CHART_SUFFIXES:
        return f"--chart {arguments.chart}: a chart is a .png or .svg file"
    return _misused_by(name, arguments.by or [])


def _misused_by(name: str, by: list[str]) -> str | None:
    if len(set(by)) != len(by):
        return "--by names a dimension twice"
    if name == "breakdown" and len(by) > 3:
        return "breakdown groups by at most three --by dimensions"
    if name == "satisfaction" and (len(by) > 1 or Dimension.SATISFACTION.value in by):
        return "satisfaction is broken down by one --by dimension, other than satisfaction"
    if name == "cycle-times" and (len(by) > 1 or not set(by) <= {"owner", "team"}):
        return "cycle-times is grouped by --by owner or --by team"
    return None


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


def _run(arguments: argparse.Namespace) -> int:
    """Check the options, open the database, run the report; errors as one line."""
    problem = _misused(arguments)
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
    missing_file = _missing_sqlite_file(arguments.url)
    if missing_file is not None:
        return failed(FileNotFoundError(missing_file))
    database = open_database(arguments)
    if isinstance(database, int):
        return database
    try:
        database.check_revision()  # tables missing or of another version: say what to do
        return RUNS[arguments.name](report_run(arguments, database.unit_of_work))
    except (ChartsUnavailable, ParquetUnavailable) as error:
        from crm_returns.cli import EXIT_MISSING_DEPENDENCY

        print(f"crm-returns: {error}", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    except (CrmReturnsError, OSError) as error:
        return failed(error)
    finally:
        database.dispose()


def _database_options(parser: argparse.ArgumentParser) -> None:
    from crm_returns.cli import DEMO_DATABASE_URL

    where = parser.add_argument_group("where the returns are")
    where.add_argument(
        "--db",
        "--url",
        dest="url",
        default=DEMO_DATABASE_URL,
        metavar="URL",
        help="a SQLAlchemy database URL (default: the demo's file, %(default)s)",
    )
    where.add_argument("--schema", default=None, help="PostgreSQL: the schema of the tables")
    where.add_argument(
        "--table-prefix",
        default="crm_returns_",
        metavar="PREFIX",
        help="what the names of the tables start with (default: %(default)s)",
    )
    where.add_argument(
        "--tenant",
        required=True,
        help="the tenant reported on (the demo prints its tenant, demo-…, as it ends)",
    )


def _window_options(parser: argparse.ArgumentParser) -> None:
    window = parser.add_argument_group("which returns")
    window.add_argument("--from", dest="start", type=_day, metavar="DATE", help="first local day")
    window.add_argument(
        "--to",
        dest="end",
        type=_day,
        metavar="DATE",
        help=f"last local day, included (default: today; the window spans {DEFAULT_DAYS} days "
        "unless --from says otherwise)",
    )
    window.add_argument(
        "--tz",
        dest="zone",
        type=_zone,
        default=ZoneInfo(DEFAULT_ZONE),
        metavar="ZONE",
        help=f"IANA time zone the days are read in (default: {DEFAULT_ZONE})",
    )
    window.add_argument(
        "--basis",
        choices=tuple(BASES),
        default="return",
        help="the date read: order, return or refund date (default: %(default)s; rates "
        "always read the order date)",
    )
    window.add_argument(
        "--status",
        dest="statuses",
        type=_statuses,
        action="append",
        metavar="S[,S]",
        help="statuses counted (repeatable; default: approved onwards)",
    )
    window.add_argument(
        "--at",
        type=parse_moment,
        metavar="DATE",
        help="report as of this date or time: today's date, the rates' maturity, open "
        "returns' ages (default: now)",
    )


def _shape_options(parser: argparse.ArgumentParser) -> None:
    shape = parser.add_argument_group("what each report shows")
    shape.add_argument(
        "--by",
        action="append",
        choices=[d.value for d in Dimension],
        metavar="DIM",
        help="breakdown: a dimension to group by (repeatable, up to 3); satisfaction: one; "
        "cycle-times: owner or team. Dimensions: " + ", ".join(d.value for d in Dimension),
    )
    shape.add_argument(
        "--period",
        choices=[p.value for p in ReportPeriod],
        help="breakdown: group by period too; rates: the cohorts' period (default: month)",
    )
    shape.add_argument(
        "--level", choices=("reason", "category"), help="reasons: by reason or category"
    )
    shape.add_argument(
        "--measure", choices=("lines", "units"), help="Paretos and the matrix: rank by (lines)"
    )
    shape.add_argument("--top", type=_positive, metavar="N", help="sku-reasons: SKUs shown (10)")
    shape.add_argument(
        "--min-returns",
        type=_positive,
        metavar="N",
        help="frequent-returners: returns a customer has at least (3)",
    )


def _output_options(parser: argparse.ArgumentParser) -> None:
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=("table", "csv", "jsonl", "parquet"),
        default="table",
        help="a table in the terminal, or rows for BI tools (default: %(default)s)",
    )
    output.add_argument(
        "--output",
        metavar="FILE",
        help="write the rows to FILE (default: standard output; Parquet needs a file)",
    )
    output.add_argument(
        "--bom", action="store_true", help="CSV: start with a byte order mark, for Excel"
    )
    output.add_argument(
        "--chart",
        metavar="FILE",
        help="also draw the report to a .png or .svg file (" + ", ".join(CHARTED) + ")",
    )
    output.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=LANGUAGES[0],
        help="language of tables and charts (default: %(default)s)",
    )


def add_report(commands: _Subparsers) -> None:
    """Add ``report NAME`` to ``commands``."""
    report = commands.add_parser(
        "report",
        help="return analytics: reasons, rates, cycle times, breakdowns, exports, charts",
        description=(
            "Report on the returns of one tenant kept in a database, as a table in the "
            "terminal, as CSV, JSON Lines or Parquet rows for BI tools, or as a chart. The "
            f"command acts as an analyst of the tenant ({ANALYST_ID!r}, role 'analyst', "
            "permission view_reports). Rates and returners' unit rates need what the host "
            "delivered: the command line knows the demo's sample orders (tenants demo-…) "
            "only; for your own, call the service with your order source."
        ),
        epilog="reports: " + "; ".join(f"{name} — {text}" for name, text in REPORTS.items()),
    )
    report.add_argument("name", choices=tuple(REPORTS), metavar="NAME", help="the report")
    _database_options(report)
    _window_options(report)
    _shape_options(report)
    _output_options(report)
    report.set_defaults(handler=_run)
