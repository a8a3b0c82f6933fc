"""Relay benchmark: run ``python -m benchmarks.relay [--store sqlite|postgresql] [--events N]``.

Events delivered per second by one :class:`~crm_returns.EventRelay` —
``service.relay([destination], RelaySettings(batch=…)).run_until_idle()`` —
to an in-process receiver (``MemoryDestination``) and to the local broker
(``AmqpDestination``, publisher confirms, a quorum queue purged after each
run), beside a plain loop that selects undelivered rows of an outbox table
in batches with SQLAlchemy, hands each message to the same destination and
marks the batch delivered (:func:`benchmarks.outbox.plain_loop`): the floor
any relay must pay.  The ratio relay / plain is printed for each.

Both contenders deliver the same messages (the events of full return
lifecycles, written through the store's outbox; the plain table is a copy
of its rows), from the same state (everything undelivered, reset outside the
clock), in rounds that take turns between stores, receivers and contenders,
so that drift in the machine touches all alike; the median round is
reported.  ``--profile`` then runs the relay once more per store and
receiver under ``cProfile`` and prints where its time went.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from benchmarks import report
from benchmarks.outbox import FilledOutbox, Receivers, outbox_messages, plain_loop
from benchmarks.sections import ENVIRONMENT
from benchmarks.stores import PostgresServer, SqliteFiles
from crm_returns import RelaySettings
from crm_returns.ports import Destination, OutboxMessage

STORES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@attrs.frozen
class Run:
    """One timed delivery of every message: which one, and how long it took."""

    store: str
    receiver: str
    code: str
    events: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


def relay_run(outbox: FilledOutbox, destination: Destination, batch: int, events: int) -> int:
    """One relay, run until idle; how many messages it delivered."""
    relay = outbox.service.relay([destination], RelaySettings(batch=batch))
    return relay.run_until_idle(rounds=events // batch + 10).delivered


CONTENDERS: dict[str, Callable[[FilledOutbox, Destination, int, int], int]] = {
    "relay": relay_run,
    "plain": lambda outbox, destination, batch, _: plain_loop(outbox, destination, batch),
}


def timed(
    store: str,
    outbox: FilledOutbox,
    receivers: Receivers,
    destination: Destination,
    code: str,
    messages: Sequence[OutboxMessage],
    batch: int,
) -> Run:
    """Reset the outbox, time one contender delivering everything, check what arrived."""
    outbox.reset()
    started, cpu_started = time.perf_counter(), time.process_time()
    delivered = CONTENDERS[code](outbox, destination, batch, len(messages))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if delivered != len(messages):
        raise RuntimeError(f"{code} delivered {delivered} of {len(messages)} messages")
    if code == "plain" and outbox.plain_delivered() != len(messages):
        raise RuntimeError("the plain loop did not mark every row delivered")
    receivers.check(destination, [message.id for message in messages])
    return Run(store, destination.name, code, len(messages), seconds, cpu)


def summary(runs: Sequence[Run], rounds: int) -> tuple[str, list[dict[str, Any]]]:
    """The table of medians and ratios, and its rows as JSON."""
    rows: list[list[object]] = []
    found: list[dict[str, Any]] = []
    keys = dict.fromkeys((run.store, run.receiver) for run in runs)
    for store, receiver in keys:
        mine = {
            code: [r for r in runs if (r.store, r.receiver, r.code) == (store, receiver, code)]
            for code in CONTENDERS
        }
        medians = {code: statistics.median(r.per_second for r in mine[code]) for code in mine}
        ratio = medians["relay"] / medians["plain"]
        paired = sorted(
            a.per_second / b.per_second for a, b in zip(mine["relay"], mine["plain"], strict=True)
        )
        for code, done in mine.items():
            speeds = [r.per_second for r in done]
            cpu = statistics.median(r.cpu_seconds / r.events for r in done)
            rows.append(
                [
                    STORES[store],
                    receiver,
                    code,
                    f"{medians[code]:,.0f}",
                    f"{min(speeds):,.0f} – {max(speeds):,.0f}",
                    f"{1e6 / medians[code]:,.0f}",
                    f"{cpu * 1e6:,.0f}",
                    f"{ratio:.2f}" if code == "relay" else "",
                    f"{paired[0]:.2f} – {paired[-1]:.2f}" if code == "relay" else "",
                ]
            )
            found.append(
                {
                    "store": store,
                    "receiver": receiver,
                    "code": code,
                    "events_per_second": round(medians[code], 1),
                    "runs_per_second": [round(s, 1) for s in speeds],
                    "cpu_us_per_event": round(cpu * 1e6, 1),
                    "relay_over_plain": round(ratio, 3) if code == "relay" else None,
                }
            )
    title = (
        f"Events delivered per second: median of {rounds} rounds "
        "(µs each = 1 / median; CPU = this process only, not the database or the broker)"
    )
    headers = [
        "store",
        "receiver",
        "code",
        "events/s",
        "min – max",
        "µs each",
        "CPU µs each",
        "relay / plain",
        "per round",
    ]
    return report.table(title, headers, rows), found


def profile(
    outbox: FilledOutbox, receivers: Receivers, destination: Destination, batch: int
) -> str:
    """One more relay run under cProfile: the functions with the most time of their own."""
    outbox.reset()
    profiler = cProfile.Profile()
    profiler.enable()
    relay_run(outbox, destination, batch, 1 << 30)
    profiler.disable()
    receivers.memory.received.clear()
    if destination is receivers.amqp:
        receivers.check(destination, [])  # purges; the count is not the point here
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    return text.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table and where the JSON went."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.relay", description=__doc__)
    parser.add_argument("--store", choices=list(STORES), action="append", help="(repeatable)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(ENVIRONMENT),
        help=f"PostgreSQL database to create a schema in (default: ${ENVIRONMENT})",
    )
    parser.add_argument("--events", type=int, default=5_000, help="messages in the outbox")
    parser.add_argument("--batch", type=int, default=100, help="messages per claim / select")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (median reported)")
    parser.add_argument("--amqp-url", default=AMQP_URL, help="the broker (default: local guest)")
    parser.add_argument("--no-amqp", action="store_true", help="the in-process receiver only")
    parser.add_argument("--profile", action="store_true", help="then profile the relay")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default: results/)")
    args = parser.parse_args(argv)
    stores = args.store or ["sqlite", *(["postgresql"] if args.postgres_url else [])]
    if "postgresql" in stores and not args.postgres_url:
        parser.error(f"PostgreSQL needs --postgres-url or ${ENVIRONMENT}")
    started = time.perf_counter()

    postgres = PostgresServer(args.postgres_url) if "postgresql" in stores else None
    files = SqliteFiles()
    receivers = Receivers(
        None if args.no_amqp else args.amqp_url, f"crm-returns-bench-{os.getpid()}"
    )
    results: dict[str, Any] = {"events": args.events, "batch": args.batch, "rounds": args.rounds}
    try:
        results["machine"] = machine = report.machine(postgres.version() if postgres else None)
        print(
            f"crm_returns relay benchmark: {args.events:,} events, batch {args.batch}, "
            f"{args.rounds} rounds; {machine['cpus']} CPUs ({machine['cpu_model']}), "
            f"Python {machine['python']}, SQLite {machine['sqlite']}, "
            f"PostgreSQL {machine['postgresql'] or 'skipped'}"
        )
        results["load_average_at_start"] = load = os.getloadavg()
        print(f"Load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min)")
        if load[0] >= 1:
            print(
                "Warning: the machine is busy; other work slows the figures down and moves "
                "them from round to round — compare the two codes of one round, and repeat."
            )
        if receivers.amqp is None:
            print(f"The broker is left out: {receivers.skipped}.")
        messages = outbox_messages(args.events)
        receivers.warm_up(messages[0])
        outboxes = {
            store: FilledOutbox(
                postgres.database("relay")
                if postgres is not None and store == "postgresql"
                else files.database("relay"),
                messages,
            )
            for store in stores
        }
        jobs = [
            (store, destination, code)
            for store in stores
            for destination in receivers.destinations()
            for code in CONTENDERS
        ]
        runs: list[Run] = []
        for number in range(args.rounds):
            turn = number % len(jobs)
            for store, destination, code in jobs[turn:] + jobs[:turn]:
                run = timed(
                    store, outboxes[store], receivers, destination, code, messages, args.batch
                )
                runs.append(run)
            print(f"round {number + 1} of {args.rounds} done", flush=True)
        text, results["runs"] = summary(runs, args.rounds)
        print(f"\n{text}")
        if args.profile:
            for store in stores:
                for destination in receivers.destinations():
                    print(f"\nThe relay on {STORES[store]} to {destination.name}, under cProfile:")
                    print(profile(outboxes[store], receivers, destination, args.batch))
    finally:
        receivers.close()
        if postgres is not None:
            postgres.close()
        files.close()
    elapsed = time.perf_counter() - started
    results["seconds"] = round(elapsed, 1)
    results["load_average_at_end"] = load = os.getloadavg()
    print(f"\nLoad average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    path = (
        args.json or report.RESULTS / f"relay-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path = report.write_json(results, path)
    print(f"Total time: {elapsed // 60:.0f} min {elapsed % 60:.0f} s.  JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
