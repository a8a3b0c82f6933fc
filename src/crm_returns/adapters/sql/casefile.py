"""The case file in SQL: customer-side records of returns, one row each in ``case_records``.

Each row keeps the whole record as its document, read back through the
database's :class:`~crm_returns.adapters.sql.codec.Codec` as the class
:data:`~crm_returns.domain.casefile.kinds.RECORD_KINDS` names for its kind;
the columns beside it are the record's index (see
:mod:`~crm_returns.adapters.sql.casefile_schema`).

A refused write leaves the unit of work usable, as in memory: an ``add``
whose id or key is taken inserts nothing (``ON CONFLICT DO NOTHING``, which
waits for a concurrent writer of the same key and then does nothing if it
committed), and an ``update`` whose version is stale or whose new key is
another record's changes no row; either then raises
:class:`~crm_returns.errors.ConcurrencyConflict`.  Only a race the statement
cannot see (two updates taking one free key at once) fails on the unique
constraint, and then ends the transaction with the same error.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.expression import ClauseElement

from crm_returns.adapters.sql.facts import SqlFactWriter
from crm_returns.adapters.sql.schema import Tables
from crm_returns.adapters.sql.statements import (
    Prepared,
    as_text,
    code_point_order,
    dialect_insert,
    ids_parameters,
    ids_shape,
    one_of,
    param,
)
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.casefile.kinds import registered_kind
from crm_returns.errors import ConcurrencyConflict, NotFound
from crm_returns.ports.casefile import checked_overdue_page

__all__ = ["SqlCaseFile"]

_R = TypeVar("_R", bound=CaseRecord)

#: The columns a row is written with, each a parameter of the same name.
_COLUMNS = (
    *("tenant_id", "kind", "id", "return_id", "customer_id"),
    *("key", "owner", "team", "due_at", "at", "version", "document"),
)
#: What an update replaces (the row is named by tenant, kind and id).
_REPLACED = tuple(name for name in _COLUMNS if name not in ("tenant_id", "kind", "id"))


def _slot(t: Tables) -> tuple[sa.ColumnElement[bool], ...]:
    c = t.case_records.c
    return (
        c.tenant_id == param("tenant_id"),
        c.kind == param("kind"),
        c.id == param("id"),
    )


def _insert(t: Tables, dialect: str) -> ClauseElement:
    values = {name: param(name) for name in _COLUMNS}
    return dialect_insert(t.case_records, dialect).values(values).on_conflict_do_nothing()


def _update(t: Tables) -> ClauseElement:
    records = t.case_records
    holder = records.alias("holder")
    key_taken = (
        sa.select(sa.literal_column("1"))
        .where(
            holder.c.tenant_id == param("tenant_id"),
            holder.c.kind == param("kind"),
            holder.c.key == param("key"),
            holder.c.id != param("id"),
        )
        .exists()
    )
    return (
        sa.update(records)
        .where(*_slot(t), records.c.version == param("expected"), ~key_taken)
        .values({name: param(name) for name in _REPLACED})
    )


#: Makes a query's conditions over the table's columns.
_Where = Callable[[Any], tuple[sa.ColumnElement[bool], ...]]
#: Makes a query's order over the table's columns, for a dialect.
_Order = Callable[[Any, str], tuple[sa.ColumnElement[Any], ...]]


def _documents(where: _Where, order: _Order) -> Prepared:
    """A query of documents, with the conditions and the order ``where`` and ``order`` make."""

    def build(t: Tables, dialect: str) -> ClauseElement:
        c = t.case_records.c
        return sa.select(as_text(c.document)).where(*where(c)).order_by(*order(c, dialect))

    return Prepared.per_dialect(build)


def _oldest_first(c: Any, dialect: str) -> tuple[sa.ColumnElement[Any], ...]:
    return (c.at, code_point_order(c.id, dialect))


def _earliest_due(c: Any, dialect: str) -> tuple[sa.ColumnElement[Any], ...]:
    return (c.due_at, code_point_order(c.id, dialect))


def _unordered(c: Any, dialect: str) -> tuple[sa.ColumnElement[Any], ...]:
    return ()


_INSERT = Prepared.per_dialect(_insert)
_UPDATE = Prepared(_update)
_STORED = Prepared(
    lambda t: sa.select(t.case_records.c.version, t.case_records.c.key).where(*_slot(t))
)
_GET = _documents(
    lambda c: (c.tenant_id == param("tenant_id"), c.kind == param("kind"), c.id == param("id")),
    _unordered,
)
_FIND = _documents(
    lambda c: (c.tenant_id == param("tenant_id"), c.kind == param("kind"), c.key == param("key")),
    _unordered,
)
_FOR_RETURN = _documents(
    lambda c: (
        c.tenant_id == param("tenant_id"),
        c.return_id == param("return_id"),
        c.kind == param("kind"),
    ),
    _oldest_first,
)


def _for_returns(count: int) -> Prepared:
    """The records of a kind of ``count`` returns (0: their ids as one array), oldest first."""

    def build(t: Tables, dialect: str) -> ClauseElement:
        c = t.case_records.c
        return (
            sa.select(as_text(c.document))
            .where(
                c.tenant_id == param("tenant_id"),
                one_of(c.return_id, dialect, count),
                c.kind == param("kind"),
            )
            .order_by(*_oldest_first(c, dialect))
        )

    return Prepared.per_dialect(build)


_FOR_CUSTOMER = _documents(
    lambda c: (
        c.tenant_id == param("tenant_id"),
        c.customer_id == param("customer_id"),
        c.kind == param("kind"),
    ),
    _oldest_first,
)


def _overdue(owner: bool, team: bool, after: bool, limited: bool) -> Prepared:
    """The overdue query; each flag says whether it filters, starts after a position, or pages.

    ``owner`` and ``team`` filter on them; ``after`` starts after a deadline
    and an id; ``limited`` reads at most a number of records.
    """

    def build(t: Tables, dialect: str) -> ClauseElement:
        c = t.case_records.c
        conditions = [
            c.tenant_id == param("tenant_id"),
            c.kind == param("kind"),
            c.due_at < param("before"),
        ]
        if owner:
            conditions.append(c.owner == param("owner"))
        if team:
            conditions.append(c.team == param("team"))
        if after:
            # The range on due_at alone is what the index seeks to; the tie on
            # the id compares code points, as Python does, on any collation.
            conditions.append(c.due_at >= param("after_due"))
            conditions.append(
                sa.or_(
                    c.due_at > param("after_due"),
                    code_point_order(c.id, dialect) > param("after_id"),
                )
            )
        query = (
            sa.select(as_text(c.document)).where(*conditions).order_by(*_earliest_due(c, dialect))
        )
        if not limited:
            return query
        # A LIMIT given as a parameter makes SQLite's compiler add an OFFSET of
        # its own, bound to a value the compiled text would not keep: say it here.
        return query.limit(param("limit")).offset(sa.literal_column("0"))

    return Prepared.per_dialect(build)


#: The overdue queries, by whether they filter on the owner and on the team,
#: start after a position, and read a page.
_OVERDUE: Mapping[tuple[bool, bool, bool, bool], Prepared] = MappingProxyType(
    {
        (owner, team, after, limited): _overdue(owner, team, after, limited)
        for owner, team, after, limited in itertools.product((False, True), repeat=4)
    }
)


class SqlCaseFile:
    """The :class:`~crm_returns.ports.CaseFile` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec
        self._facts = SqlFactWriter(transaction)

    def _row(self, record: CaseRecord) -> dict[str, Any]:
        index = record.index()
        instant = self._tx.binder.instant
        return {
            "tenant_id": record.tenant_id,
            "kind": registered_kind(type(record)),
            "id": record.id,
            "return_id": record.return_id,
            "customer_id": record.customer_id,
            "key": index.key,
            "owner": index.owner,
            "team": index.team,
            "due_at": None if index.due_at is None else instant(index.due_at),
            "at": instant(record.at),
            "version": record.version,
            "document": self._codec.encode_text(record),
        }

    def _records(
        self, statement: Prepared, kind: type[_R], parameters: dict[str, Any], subject: str
    ) -> list[_R]:
        parameters["kind"] = registered_kind(kind)
        rows = self._tx.fetch(statement, parameters, subject=subject)
        # ``kind`` is the class RECORD_KINDS names for the rows' kind.
        return [self._codec.decode_text(text, kind) for (text,) in rows]

    def add(self, record: CaseRecord) -> None:
        """Keep a new record (see :meth:`~crm_returns.ports.CaseFile.add`).

        Raises:
            ConcurrencyConflict: The tenant has a record of this kind with its id or its key.
            InvalidInput: Its class is not a kind of record the store keeps.
        """
        row = self._row(record)
        subject = f"{record.kind} {record.id}"
        if not self._tx.write(_INSERT, row, subject=subject):
            raise ConcurrencyConflict(subject)
        self._facts.record(record)

    def update(self, record: CaseRecord, expected_version: int) -> None:
        """Replace a record (see :meth:`~crm_returns.ports.CaseFile.update`).

        Raises:
            NotFound: There is no such record.
            ConcurrencyConflict: Its version is not ``expected_version``, or
                its new key is another record's.
            InvalidInput: Its class is not a kind of record the store keeps.
        """
        row = self._row(record)
        subject = f"{record.kind} {record.id}"
        if record.version == expected_version + 1:
            row["expected"] = expected_version
            if self._tx.write(_UPDATE, row, subject=subject):
                self._facts.record(record)
                return
        stored = self._tx.fetch(
            _STORED,
            {"tenant_id": record.tenant_id, "kind": record.kind, "id": record.id},
            subject=subject,
        )
        if not stored:
            raise NotFound(record.kind, record.id)
        raise ConcurrencyConflict(subject)

    def get(self, tenant_id: str, kind: type[_R], record_id: str) -> _R:
        """The record of ``kind`` with ``record_id``.

        Raises:
            NotFound: The tenant has no such record.
        """
        found = self._records(
            _GET, kind, {"tenant_id": tenant_id, "id": record_id}, f"{kind.kind} {record_id}"
        )
        if not found:
            raise NotFound(kind.kind, record_id)
        return found[0]

    def find(self, tenant_id: str, kind: type[_R], key: str) -> _R | None:
        """The record of ``kind`` whose unique key is ``key``, if there is one."""
        found = self._records(
            _FIND, kind, {"tenant_id": tenant_id, "key": key}, f"the {kind.kind} of key {key!r}"
        )
        return found[0] if found else None

    def for_return(self, tenant_id: str, return_id: str, kind: type[_R]) -> Sequence[_R]:
        """The return's records of ``kind``, oldest first (by ``at``, then ``id``)."""
        return self._records(
            _FOR_RETURN,
            kind,
            {"tenant_id": tenant_id, "return_id": return_id},
            f"the {kind.kind} records of return {return_id}",
        )

    def for_returns(
        self, tenant_id: str, return_ids: Iterable[str], kind: type[_R]
    ) -> Sequence[_R]:
        """The records of ``kind`` of the returns ``return_ids``, oldest first, in one statement.

        The returns are looked up through ``(tenant_id, return_id, kind, at)``,
        so that a page's records cost what that page holds.

        Raises:
            InvalidInput: ``kind`` is not a kind of record the store keeps.
        """
        wanted = sorted(set(return_ids))
        if not wanted:
            registered_kind(kind)  # refused whether or not there is anything to read
            return []
        arrays = self._tx.binder.arrays
        return self._records(
            self._tx.shaped(_for_returns, ids_shape(arrays, wanted)),
            kind,
            {"tenant_id": tenant_id, **ids_parameters(arrays, wanted)},
            f"the {kind.kind} records of {len(wanted)} returns",
        )

    def for_customer(self, tenant_id: str, customer_id: str, kind: type[_R]) -> Sequence[_R]:
        """The customer's records of ``kind``, oldest first (by ``at``, then ``id``)."""
        return self._records(
            _FOR_CUSTOMER,
            kind,
            {"tenant_id": tenant_id, "customer_id": customer_id},
            f"the {kind.kind} records of customer {customer_id}",
        )

    def overdue(
        self,
        tenant_id: str,
        kind: type[_R],
        before: datetime,
        *,
        owner: str | None = None,
        team: str | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int | None = None,
    ) -> Sequence[_R]:
        """Records of ``kind`` due before ``before``, earliest deadline first, then by ``id``.

        See :meth:`~crm_returns.ports.CaseFile.overdue` for ``after`` and
        ``limit``.  A page of one owner's or one team's list is read through
        ``ix_<prefix>case_records_by_user`` or ``…_by_team``, in list order.

        Raises:
            InvalidInput: ``before`` or the deadline of ``after`` has no UTC
                offset, or ``limit`` is below 1.
        """
        checked_overdue_page(before, after, limit)
        instant = self._tx.binder.instant
        parameters: dict[str, Any] = {"tenant_id": tenant_id, "before": instant(before)}
        if owner is not None:
            parameters["owner"] = owner
        if team is not None:
            parameters["team"] = team
        if after is not None:
            parameters["after_due"], parameters["after_id"] = instant(after[0]), after[1]
        if limit is not None:
            parameters["limit"] = limit
        flags = (owner is not None, team is not None, after is not None, limit is not None)
        return self._records(_OVERDUE[flags], kind, parameters, f"the overdue {kind.kind} records")
