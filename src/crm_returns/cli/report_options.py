"""The options of ``crm-returns report``, the readers of their values, and what goes together.

:func:`add_options` adds them to the command's parser in four groups (where
the returns are, which returns, what each report shows, output); a value
that cannot be read is a usage error of argparse's.  :func:`misused` says
which options do not go together, before any database is opened.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_returns.cli.events import parse_moment
from crm_returns.cli.words import LANGUAGES
from crm_returns.domain.analytics import (
    DELIVERED_DIMENSIONS,
    DateBasis,
    Dimension,
    ReportPeriod,
)
from crm_returns.domain.returns.states import ReturnStatus

__all__ = [
    "BASES",
    "CHARTED",
    "DEFAULT_DAYS",
    "DEFAULT_ZONE",
    "NEED_ORDERS",
    "add_options",
    "misused",
]

#: The reports ``--chart`` draws.
CHARTED: Final = ("reasons", "decline-reasons", "sku-reasons", "rates", "cycle-times")
#: The reports that divide by what the host delivered (``OrderSource.delivered_totals``):
#: the rates, and the frequent returners' unit rates.  They read ``--orders``.
NEED_ORDERS: Final = ("rates", "frequent-returners")
#: The time zone days are read in unless ``--tz`` names another: the shop's, as in the demo.
DEFAULT_ZONE: Final = "Asia/Shanghai"
#: Days a window spans when ``--from`` is not given (``--to`` included).
DEFAULT_DAYS: Final = 30
#: ``--basis``: the date each report reads.
BASES: Final = {
    "order": DateBasis.ORDER_DATE,
    "return": DateBasis.RETURN_DATE,
    "refund": DateBasis.REFUND_DATE,
}
#: Options only some reports take (``None`` when not given), and which.
_TAKEN_BY: Final = {
    "by": ("breakdown", "satisfaction", "cycle-times", "rates"),
    "period": ("breakdown", "rates"),
    "level": ("reasons",),
    "measure": ("reasons", "decline-reasons", "sku-reasons"),
    "top": ("sku-reasons",),
    "min_returns": ("frequent-returners",),
    "chart": CHARTED,
    "orders": NEED_ORDERS,
}
_CHART_SUFFIXES: Final = (".png", ".svg")


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


def misused(arguments: argparse.Namespace) -> str | None:
    """What is wrong with the options of ``crm-returns report`` together, or ``None``."""
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
    if name == "rates" and arguments.by and arguments.chart:
        return "--chart draws the rates of whole cohorts: leave out --by"
    return _misused_by(name, arguments.by or []) or _without_orders(arguments)


def _without_orders(arguments: argparse.Namespace) -> str | None:
    """Why a report cannot divide by what was delivered, or ``None``.

    Only the demo's tenants have orders the command line knows (the sample
    shop's); for any other, rates without the host's orders would divide by
    nothing.
    """
    from crm_returns.cli import DEMO_TENANT_PREFIX

    if arguments.name not in NEED_ORDERS or arguments.orders is not None:
        return None
    if arguments.tenant.startswith(DEMO_TENANT_PREFIX):
        return None
    return (
        f"the {arguments.name} report needs what tenant {arguments.tenant} delivered: give "
        "--orders MODULE:CALLABLE, a function of yours that returns your OrderSource (only "
        f"the demo's tenants, {DEMO_TENANT_PREFIX}…, have sample orders)"
    )


def _misused_by(name: str, by: list[str]) -> str | None:
    if len(set(by)) != len(by):
        return "--by names a dimension twice"
    if name == "breakdown" and len(by) > 3:
        return "breakdown groups by at most three --by dimensions"
    if name == "satisfaction" and (len(by) > 1 or Dimension.SATISFACTION.value in by):
        return "satisfaction is broken down by one --by dimension, other than satisfaction"
    if name == "cycle-times" and (len(by) > 1 or not set(by) <= {"owner", "team"}):
        return "cycle-times is grouped by --by owner or --by team"
    delivered = sorted(dimension.value for dimension in DELIVERED_DIMENSIONS)
    if name == "rates" and (len(by) > 1 or not set(by) <= set(delivered)):
        known = ", ".join(delivered)
        return f"rates are broken down by one --by dimension of what was delivered: {known}"
    return None


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
    where.add_argument(
        "--orders",
        metavar="MODULE:CALLABLE",
        help="rates, frequent-returners: a function of yours, package.module:callable, "
        "that returns your OrderSource: what was delivered, to divide by (needed for "
        "every tenant but the demo's, whose sample orders are known)",
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
        "cycle-times: owner or team; rates: product, sku, category or customer. "
        "Dimensions: " + ", ".join(d.value for d in Dimension),
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


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add every option of ``crm-returns report`` to ``parser``."""
    _database_options(parser)
    _window_options(parser)
    _shape_options(parser)
    _output_options(parser)
