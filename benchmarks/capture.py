"""What one lifecycle writes, command by command, captured from a real run of the SQL store.

The plain-SQL baseline must write the same rows with documents of the same
size.  Rather than guess them, :func:`capture_lifecycle` runs one lifecycle
through :class:`~crm_returns.ReturnsService` on a scratch SQLite store and,
after each command, compares every table with what it held before: the rows
that appeared or changed are that command's writes.  The baseline then
replays them with fresh keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import sqlalchemy as sa

from benchmarks.stores import SqliteFiles
from benchmarks.workload import Lifecycles, order_source, returns_service
from crm_returns import ReturnOrder
from crm_returns.adapters.sql import Tables
from crm_returns.adapters.sql.types import dumps
from crm_returns.adapters.system import SystemClock

__all__ = [
    "AuditRow",
    "ClaimRow",
    "CommandWrites",
    "EntryRow",
    "LifecycleWrites",
    "LineRow",
    "MoveRow",
    "OutboxRow",
    "PostingRow",
    "ReturnRow",
    "capture_lifecycle",
]


@attrs.frozen
class ReturnRow:
    """A row of ``returns`` (its keys are the lifecycle's own)."""

    number: str
    customer_id: str
    status: str
    created_at: datetime
    updated_at: datetime
    version: int
    document: str


@attrs.frozen
class LineRow:
    """A row of ``return_lines``."""

    line_id: str
    reason_code: str
    claimed: Decimal
    refunded_units: Decimal


@attrs.frozen
class ClaimRow:
    """A row of ``line_claims``."""

    line_id: str
    delivered: Decimal
    claimed: Decimal


@attrs.frozen
class AuditRow:
    """A row of ``audit_entries``."""

    action: str
    actor_id: str
    at: datetime
    document: str


@attrs.frozen
class OutboxRow:
    """A row of ``outbox``."""

    event_type: str
    created_at: datetime
    document: str


@attrs.frozen
class MoveRow:
    """A row of ``stock_moves``."""

    line_id: str
    sku: str
    quantity: Decimal
    source: str
    destination: str
    at: datetime
    document: str


@attrs.frozen
class PostingRow:
    """A row of ``journal_postings``."""

    position: int
    account_code: str
    side: str
    amount: Decimal
    currency: str


@attrs.frozen
class EntryRow:
    """A row of ``journal_entries`` with its postings."""

    number: str
    kind: str
    at: datetime
    currency: str
    document: str
    postings: tuple[PostingRow, ...]


@attrs.frozen
class CommandWrites:
    """Every row one command wrote.

    Attributes:
        command: ``create``, ``submit``, … ``complete``.
        counter: The number sequence it drew from, if any.
        created: The return row it inserted (``create`` only).
        updated: The return row as it left it (every other command).
        read_version: The return's version when the command read it (``updated`` only).
        new_lines: ``return_lines`` rows inserted.
        changed_lines: ``return_lines`` rows whose values changed.
        claims: ``line_claims`` rows inserted or changed.
        audit: Audit entries appended.
        outbox: Outbox messages queued.
        moves: Stock moves recorded.
        entries: Journal entries recorded, with their postings.
    """

    command: str
    counter: str | None
    created: ReturnRow | None
    updated: ReturnRow | None
    read_version: int | None
    new_lines: tuple[LineRow, ...]
    changed_lines: tuple[LineRow, ...]
    claims: tuple[ClaimRow, ...]
    audit: tuple[AuditRow, ...]
    outbox: tuple[OutboxRow, ...]
    moves: tuple[MoveRow, ...]
    entries: tuple[EntryRow, ...]

    def row_count(self) -> int:
        """Rows inserted or updated (a sequence counter counts as one)."""
        return (
            (self.counter is not None)
            + (self.created is not None)
            + (self.updated is not None)
            + len(self.new_lines)
            + len(self.changed_lines)
            + len(self.claims)
            + len(self.audit)
            + len(self.outbox)
            + len(self.moves)
            + sum(1 + len(entry.postings) for entry in self.entries)
        )


@attrs.frozen
class LifecycleWrites:
    """The writes of one lifecycle, and how its return numbers read.

    Attributes:
        commands: One element per command, in order.
        number_prefix: The return number without its counter, such as ``RT-20261127-``.
        number_digits: How many digits the counter is padded to.
    """

    commands: tuple[CommandWrites, ...]
    number_prefix: str
    number_digits: int

    def number(self, counter: int) -> str:
        """The return number drawn as ``counter``."""
        return f"{self.number_prefix}{counter:0{self.number_digits}d}"

    def row_count(self) -> int:
        """Rows written by the whole lifecycle."""
        return sum(command.row_count() for command in self.commands)

    def document_bytes(self) -> int:
        """UTF-8 bytes of the JSON documents written by the whole lifecycle."""
        documents: list[str] = []
        for command in self.commands:
            documents += [row.document for row in (command.created, command.updated) if row]
            documents += [row.document for row in command.audit]
            documents += [row.document for row in command.outbox]
            documents += [row.document for row in command.moves]
            documents += [row.document for row in command.entries]
        return sum(len(document.encode()) for document in documents)


#: The tables a lifecycle writes, and the columns that tell their rows apart.
_KEYS: Mapping[str, tuple[str, ...]] = {
    "returns": ("tenant_id", "id"),
    "return_lines": ("tenant_id", "return_id", "order_number", "line_id"),
    "line_claims": ("tenant_id", "order_number", "line_id"),
    "sequences": ("key",),
    "audit_entries": ("seq",),
    "outbox": ("seq",),
    "stock_moves": ("seq",),
    "journal_entries": ("seq",),
    "journal_postings": ("tenant_id", "entry_id", "position"),
}

_Rows = dict[tuple[Any, ...], dict[str, Any]]


def _snapshot(connection: sa.Connection) -> dict[str, _Rows]:
    snapshot: dict[str, _Rows] = {}
    tables = Tables()
    for name, key in _KEYS.items():
        rows = connection.execute(sa.select(getattr(tables, name))).mappings()
        snapshot[name] = {tuple(row[column] for column in key): dict(row) for row in rows}
    return snapshot


def _written(before: _Rows, after: _Rows) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows new in ``after``, and rows whose values changed."""
    new = [row for key, row in after.items() if key not in before]
    changed = [row for key, row in after.items() if key in before and before[key] != row]
    return new, changed


def _return_row(row: Mapping[str, Any]) -> ReturnRow:
    return ReturnRow(
        number=row["number"],
        customer_id=row["customer_id"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        document=dumps(row["document"]),
    )


def _line_row(row: Mapping[str, Any]) -> LineRow:
    return LineRow(row["line_id"], row["reason_code"], row["claimed"], row["refunded_units"])


def _command_writes(
    command: str, before: dict[str, _Rows], after: dict[str, _Rows]
) -> CommandWrites:
    written = {name: _written(before[name], after[name]) for name in _KEYS}
    new_returns, changed_returns = written["returns"]
    changed = {(row["tenant_id"], row["id"]) for row in changed_returns}
    counters = [row["key"] for rows in written["sequences"] for row in rows]
    postings = written["journal_postings"][0]
    return CommandWrites(
        command=command,
        counter=counters[0] if counters else None,
        created=_return_row(new_returns[0]) if new_returns else None,
        updated=_return_row(changed_returns[0]) if changed_returns else None,
        read_version=next(
            (before["returns"][key]["version"] for key in after["returns"] if key in changed),
            None,
        ),
        new_lines=tuple(_line_row(row) for row in written["return_lines"][0]),
        changed_lines=tuple(_line_row(row) for row in written["return_lines"][1]),
        claims=tuple(
            ClaimRow(row["line_id"], row["delivered"], row["claimed"])
            for rows in written["line_claims"]
            for row in rows
        ),
        audit=tuple(
            AuditRow(row["action"], row["actor_id"], row["at"], dumps(row["document"]))
            for row in written["audit_entries"][0]
        ),
        outbox=tuple(
            OutboxRow(row["event_type"], row["created_at"], dumps(row["document"]))
            for row in written["outbox"][0]
        ),
        moves=tuple(
            MoveRow(
                row["line_id"],
                row["sku"],
                row["quantity"],
                row["source"],
                row["destination"],
                row["at"],
                dumps(row["document"]),
            )
            for row in written["stock_moves"][0]
        ),
        entries=tuple(
            EntryRow(
                row["number"],
                row["kind"],
                row["at"],
                row["currency"],
                dumps(row["document"]),
                tuple(
                    PostingRow(
                        p["position"], p["account_code"], p["side"], p["amount"], p["currency"]
                    )
                    for p in sorted(postings, key=lambda p: p["position"])
                    if p["entry_id"] == row["id"]
                ),
            )
            for row in written["journal_entries"][0]
        ),
    )


def capture_lifecycle() -> LifecycleWrites:
    """Run one lifecycle through the SQL store and return what each command wrote.

    A first lifecycle runs unobserved, so that the captured one is a typical
    one (the counters and the reason catalog already exist).
    """
    files = SqliteFiles()
    try:
        database = files.database("capture")
        clock = SystemClock()
        lifecycles = Lifecycles(
            returns_service(database.unit_of_work, order_source(clock.now(), 2), clock)
        )
        lifecycles.one()
        commands: list[CommandWrites] = []
        with database.engine.connect() as connection:
            before = _snapshot(connection)
            connection.rollback()

        def observe(command: str, order: ReturnOrder) -> None:
            nonlocal before
            with database.engine.connect() as connection:
                after = _snapshot(connection)
                connection.rollback()
            commands.append(_command_writes(command, before, after))
            before = after

        order = lifecycles.one(observe)
        database.dispose()
    finally:
        files.close()
    numbered = re.fullmatch(r"(.*?)(\d+)", order.number)
    if numbered is None:
        raise RuntimeError(f"return number {order.number!r} does not end in its counter")
    return LifecycleWrites(tuple(commands), numbered.group(1), len(numbered.group(2)))
