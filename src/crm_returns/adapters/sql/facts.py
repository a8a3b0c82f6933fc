"""Keeping the line facts of the SQL store in step with its returns and case files.

:class:`SqlFactWriter` is called by the store's repositories, in their unit of
work: :meth:`~SqlFactWriter.store` when a return is added or updated (its
``fact_lines`` rows are replaced, their return-shipping fees from the return's
shipments as stored), :meth:`~SqlFactWriter.record` when an assignment,
feedback or a request is written (its ``fact_returns`` row is upserted) or a
shipment (the return's ``fact_lines`` rows are replaced again).
The writes are deferred like the audit trail's: on PostgreSQL they travel
with the next statement or the commit, in one round trip.  Reading them back
is :mod:`~crm_returns.adapters.sql.fact_queries`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa

from crm_returns.adapters.sql.codec import Codec
from crm_returns.adapters.sql.fact_schema import DATE_COLUMNS, QUANTITY_SCALE, TEXT_COLUMNS
from crm_returns.adapters.sql.return_statements import BY_ID
from crm_returns.adapters.sql.schema import Tables
from crm_returns.adapters.sql.statements import Prepared, as_text, dialect_insert, param
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.analytics import MONEY_COLUMNS, LineFact, line_facts
from crm_returns.domain.analytics.grouping import QUANTITY_COLUMNS
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.money import minor_unit
from crm_returns.domain.ownership.records import Assignment
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.shipments.records import Shipment

__all__ = [
    "EPOCH",
    "SqlFactWriter",
    "decline_values",
    "fact_rows",
    "microseconds",
    "minor_units",
    "owner_values",
    "satisfaction_values",
]

#: The moment fact dates are counted from.
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_KEY = ("tenant_id", "return_id", "order_number", "line_id")
_LINE_COLUMNS: Final = (
    *_KEY,
    *(name for name, _ in TEXT_COLUMNS),
    "stock_location",
    *QUANTITY_COLUMNS,
    *MONEY_COLUMNS,
    *DATE_COLUMNS,
)


def microseconds(moment: datetime | None) -> int | None:
    """``moment`` as whole microseconds since :data:`EPOCH` (exact, any offset)."""
    if moment is None:
        return None
    elapsed = moment - EPOCH
    return (elapsed.days * 86_400 + elapsed.seconds) * 1_000_000 + elapsed.microseconds


def minor_units(amount: Decimal | None, currency: str) -> int | None:
    """``amount`` in minor units of ``currency`` (exact: amounts are at the minor unit)."""
    if amount is None:
        return None
    return int(amount.scaleb(minor_unit(currency)))


def fact_rows(order: ReturnOrder, shipments: Iterable[Shipment]) -> list[dict[str, Any]]:
    """The ``fact_lines`` rows of ``order`` and its ``shipments``: its line facts.

    Owner, feedback and decline reason are not among them: they are the
    return's, in ``fact_returns``.
    """
    return [_row(fact) for fact in line_facts(order, shipments=shipments)]


def shipments_of(rows: Iterable[tuple[str]], codec: Codec) -> list[Shipment]:
    """The shipments stored as the documents of ``rows``."""
    return [codec.decode_text(document, Shipment) for (document,) in rows]


def _row(fact: LineFact) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(fact, name) for name in (*_KEY, "order_number")}
    row["status"] = fact.status.value
    for name, _ in TEXT_COLUMNS:
        if name != "status":
            row[name] = getattr(fact, name)
    row["stock_location"] = None if fact.stock_location is None else fact.stock_location.value
    for name in QUANTITY_COLUMNS:
        row[name] = int(getattr(fact, name) * QUANTITY_SCALE)
    for name in MONEY_COLUMNS:
        row[name] = minor_units(getattr(fact, name), fact.currency)
    for name in DATE_COLUMNS:
        row[name] = microseconds(getattr(fact, name))
    return row


def owner_values(record: Assignment) -> dict[str, Any]:
    """The ``fact_returns`` columns an assignment sets."""
    return {"owner_user": record.user_id, "owner_team": record.team}


def satisfaction_values(record: Feedback) -> dict[str, Any]:
    """The ``fact_returns`` column feedback sets."""
    return {"satisfaction": record.score}


def decline_values(record: RequestRecord) -> dict[str, Any]:
    """The ``fact_returns`` column a customer's request sets (its decline reason, if declined)."""
    return {"decline_reason": record.decline_reason}


def _this_return(table: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.tenant_id == param("tenant_id"), table.c.return_id == param("return_id"))


_SHIPMENTS = Prepared(
    lambda t: sa.select(as_text(t.case_records.c.document)).where(
        t.case_records.c.tenant_id == param("tenant_id"),
        t.case_records.c.return_id == param("return_id"),
        t.case_records.c.kind == param("kind"),
    )
)
_DELETE_LINES = Prepared(lambda t: sa.delete(t.fact_lines).where(_this_return(t.fact_lines)))
_INSERT_LINES = Prepared(
    lambda t: sa.insert(t.fact_lines).values({c: param(c) for c in _LINE_COLUMNS}).inline()
)


def _upsert(columns: tuple[str, ...]) -> Prepared:
    """Insert a return's ``fact_returns`` row, or set ``columns`` of the one there."""

    def build(t: Tables, dialect: str) -> Any:
        insert = dialect_insert(t.fact_returns, dialect)
        values = {c: param(c) for c in ("tenant_id", "return_id", *columns)}
        return (
            insert.values(values)
            .on_conflict_do_update(
                index_elements=["tenant_id", "return_id"],
                set_={c: insert.excluded[c] for c in columns},
            )
            .inline()
        )

    return Prepared.per_dialect(build)


_SET_OWNER = _upsert(("owner_user", "owner_team"))
_SET_SATISFACTION = _upsert(("satisfaction",))
_SET_DECLINE = _upsert(("decline_reason",))


class SqlFactWriter:
    """Writes the fact rows of what a unit of work stores."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    def store(self, order: ReturnOrder) -> None:
        """Replace the ``fact_lines`` rows of ``order``, with its shipments as stored."""
        subject = f"the line facts of return {order.number}"
        this = {"tenant_id": order.tenant_id, "return_id": order.id}
        found = self._tx.fetch(
            _SHIPMENTS,
            {**this, "kind": Shipment.kind},
            subject=f"the shipments of return {order.number}",
        )
        rows = fact_rows(order, shipments_of(found, self._tx.codec))
        self._tx.defer(_DELETE_LINES, this, subject=subject)
        self._tx.defer(_INSERT_LINES, rows, subject=subject)

    def record(self, record: CaseRecord) -> None:
        """Keep what ``record`` tells the facts: an assignment, feedback, a request or a shipment.

        A shipment's return, if stored already, has its ``fact_lines`` rows
        replaced (a return stored later reads its shipments then).
        """
        if isinstance(record, Shipment):
            stored = self._tx.fetch(
                BY_ID,
                {"tenant_id": record.tenant_id, "id": record.return_id},
                subject=f"the return of shipment {record.id}",
            )
            if stored:
                self.store(self._tx.codec.decode_text(stored[0][0], ReturnOrder))
            return
        this = {"tenant_id": record.tenant_id, "return_id": record.return_id}
        if isinstance(record, Assignment):
            statement, values = _SET_OWNER, owner_values(record)
        elif isinstance(record, Feedback):
            statement, values = _SET_SATISFACTION, satisfaction_values(record)
        elif isinstance(record, RequestRecord):
            statement, values = _SET_DECLINE, decline_values(record)
        else:
            return
        self._tx.defer(statement, {**this, **values}, subject=f"the facts of {record.kind}")
