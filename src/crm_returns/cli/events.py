"""``crm-returns events``: run the event relay; list, replay and purge what it delivered or not.

::

    crm-returns events relay --url URL --destinations FILE [--forever]
    crm-returns events dead --url URL [--destination NAME]
    crm-returns events replay MESSAGE_ID --url URL [--destination NAME]
    crm-returns events resolve MESSAGE_ID --destination NAME --url URL
    crm-returns events enable NAME --url URL
    crm-returns events purge --delivered-before DATE --url URL

``relay`` delivers once (one round over every destination, until nothing is
due) or, with ``--forever``, until SIGTERM or SIGINT, finishing the round under
way first.  Every command takes ``--schema`` and ``--table-prefix`` as the
``db`` commands do.  Exit status: 0 done, 1 an error (said on standard error),
2 a missing extra.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from crm_returns.cli.database import database_arguments, failed, open_database
from crm_returns.errors import CrmReturnsError

if TYPE_CHECKING:
    from crm_returns.adapters.sql import SqlDatabase
    from crm_returns.service.delivery import EventRelay
    from crm_returns.service.relay_settings import RelayReport

__all__ = ["add_events", "parse_moment"]

_Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def parse_moment(text: str) -> datetime:
    """A date (its midnight, UTC) or an ISO 8601 time (UTC if it has no offset).

    Raises:
        argparse.ArgumentTypeError: It is neither.
    """
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-12-01) or a time (2026-12-01T08:00+08:00)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _relay_over(database: SqlDatabase, arguments: argparse.Namespace) -> EventRelay:
    from crm_returns.adapters.system import SystemClock, UuidIds
    from crm_returns.cli.destinations import load_destinations
    from crm_returns.service.delivery import EventRelay
    from crm_returns.service.notified import NotificationContacts
    from crm_returns.service.relay_settings import RelaySettings

    destinations = []
    if getattr(arguments, "destinations", None) is not None:
        path = Path(arguments.destinations)
        # What the notifiers send to a return's customer is logged as a contact with them.
        log = NotificationContacts(database.unit_of_work, SystemClock(), UuidIds())
        destinations = load_destinations(path.read_text("utf-8"), path.parent, log)
    settings = RelaySettings(
        batch=getattr(arguments, "batch", 100),
        lease=timedelta(seconds=getattr(arguments, "lease", 120)),
    )
    return EventRelay(database.unit_of_work, SystemClock(), destinations, settings)


def _said(report: RelayReport) -> str:
    return (
        f"{report.delivered} delivered, {report.retried} to retry, {report.dead} dead, "
        f"{report.unknown} unknown, {report.held} held"
    )


def _run(arguments: argparse.Namespace, work: str) -> int:
    database = open_database(arguments)
    if isinstance(database, int):
        return database
    try:
        database.check_revision()  # tables missing or of another version: say what to do
        relay = _relay_over(database, arguments)
        return _WORK[work](relay, arguments)
    except (CrmReturnsError, OSError) as error:
        return failed(error)
    finally:
        database.dispose()


def _relay(relay: EventRelay, arguments: argparse.Namespace) -> int:
    if not arguments.forever:
        print(_said(relay.run_until_idle()))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), request_stop)
    total = relay.run_forever(stop, timedelta(seconds=arguments.idle))
    print(f"stopped: {_said(total)}")
    return 0


def _dead(relay: EventRelay, arguments: argparse.Namespace) -> int:
    letters = relay.dead_letters(arguments.destination, arguments.limit)
    if not letters:
        print("no dead letters")
        return 0
    for delivery in letters:
        message = relay.message(delivery.message_id)
        print(
            f"{delivery.message_id}  {delivery.destination}  {delivery.status.value}  "
            f"{type(message.event).__name__} {message.event.number}  "
            f"{delivery.attempts} tries  {delivery.last_error}"
        )
    return 0


def _replay(relay: EventRelay, arguments: argparse.Namespace) -> int:
    for delivery in relay.replay(arguments.message_id, arguments.destination):
        print(f"{delivery.message_id} to {delivery.destination}: pending again")
    return 0


def _resolve(relay: EventRelay, arguments: argparse.Namespace) -> int:
    delivery = relay.resolve(arguments.message_id, arguments.destination)
    print(f"{delivery.message_id} to {delivery.destination}: recorded as delivered")
    return 0


def _enable(relay: EventRelay, arguments: argparse.Namespace) -> int:
    relay.enable(arguments.name)
    print(f"{arguments.name}: enabled")
    return 0


def _purge(relay: EventRelay, arguments: argparse.Namespace) -> int:
    purged = relay.purge(arguments.delivered_before)
    print(f"purged {purged} messages delivered everywhere before {arguments.delivered_before}")
    return 0


_WORK = {
    "relay": _relay,
    "dead": _dead,
    "replay": _replay,
    "resolve": _resolve,
    "enable": _enable,
    "purge": _purge,
}


def add_events(commands: _Subparsers) -> None:
    """Add ``events`` and its actions to ``commands``."""
    events = commands.add_parser(
        "events",
        help="deliver events, and look after what could not be delivered",
        description=(
            "Relay committed events to their destinations (webhooks, the broker, your own "
            "code), list dead letters, replay them, and purge what was delivered."
        ),
    )
    actions = events.add_subparsers(dest="action", required=True, metavar="ACTION")

    relay = actions.add_parser(
        "relay",
        help="deliver committed events to the destinations of a TOML file",
        description=(
            "Deliver every committed event to every destination named in the file, then "
            "stop; with --forever, keep going until SIGTERM or SIGINT."
        ),
    )
    relay.add_argument("--destinations", required=True, metavar="FILE", help="a TOML file")
    relay.add_argument("--forever", action="store_true", help="keep relaying until stopped")
    relay.add_argument(
        "--idle", type=float, default=1.0, metavar="SECONDS", help="rest when nothing is due"
    )
    relay.add_argument("--batch", type=int, default=100, help="deliveries claimed at a time")
    relay.add_argument(
        "--lease", type=float, default=120.0, metavar="SECONDS", help="how long a claim holds"
    )

    dead = actions.add_parser("dead", help="list dead and unknown deliveries")
    dead.add_argument("--destination", default=None, help="only this destination's")
    dead.add_argument("--limit", type=int, default=100)

    replay = actions.add_parser("replay", help="send a dead or unknown message again")
    replay.add_argument("message_id")
    replay.add_argument("--destination", default=None, help="only to this destination")

    resolve = actions.add_parser(
        "resolve", help="record that a message whose outcome was unknown did arrive"
    )
    resolve.add_argument("message_id")
    resolve.add_argument("--destination", required=True)

    enable = actions.add_parser("enable", help="deliver to a disabled destination again")
    enable.add_argument("name")

    purge = actions.add_parser("purge", help="forget messages every destination took before a date")
    purge.add_argument(
        "--delivered-before",
        required=True,
        type=parse_moment,
        metavar="DATE",
        help="a date (midnight UTC) or an ISO 8601 time",
    )

    for name, action in (
        ("relay", relay),
        ("dead", dead),
        ("replay", replay),
        ("resolve", resolve),
        ("enable", enable),
        ("purge", purge),
    ):
        database_arguments(action)
        action.set_defaults(handler=lambda arguments, work=name: _run(arguments, work))
