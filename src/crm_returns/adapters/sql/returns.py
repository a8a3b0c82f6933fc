"""Return orders in SQL, with the database's own guard against over-return.

Each return is a row of ``returns`` (its document and the columns searches
need) and a row of ``return_lines`` per line (the units it claims, through
an index on the order line).  ``line_claims`` holds, per order line, the
units delivered and the units claimed by every stored return; whenever a
write changes what a return claims, the lines' totals move with it under row
locks, and ``CHECK (claimed <= delivered)`` refuses a total above what was
delivered (:mod:`~crm_returns.adapters.sql.claims` keeps that bookkeeping).

Locking, so that concurrent commands cannot over-return or refund a slice
twice:

- on SQLite every unit of work holds the write lock from its first statement
  (``BEGIN IMMEDIATE``), so commands run one after another;
- on PostgreSQL a write that changes claims locks the lines' ``line_claims``
  rows (``SELECT … FOR UPDATE``, in a fixed order so that two writers never
  deadlock on them) before recomputing.  A command that reads the history of
  a line to decide (the returnable quantity, refunded slices, returned serial
  numbers) should call :meth:`SqlReturns.lock_lines` first, so that the
  history cannot change before it commits; without that call the ``CHECK``
  still refuses the loser of a race, as :class:`~crm_returns.errors.OverReturn`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from crm_returns.adapters.sql import return_statements as statements
from crm_returns.adapters.sql.claims import LineClaims, LineRow, line_rows, moved
from crm_returns.adapters.sql.facts import SqlFactWriter
from crm_returns.adapters.sql.statements import Prepared, as_text, ids_parameters, ids_shape
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.orders import LineRef
from crm_returns.domain.queries import Page, ReturnQuery
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import ConcurrencyConflict, NotFound

__all__ = ["SqlReturns"]


class SqlReturns:
    """The :class:`~crm_returns.ports.ReturnRepository` of a SQL unit of work.

    It remembers, while a transaction lasts, the returns it read or wrote, so
    that updating one needs no second read of its lines: at a given version a
    return's ``return_lines`` rows are what its document says, and the update
    changes nothing unless the version is still the one remembered.
    """

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._codec = transaction.codec
        self._claims = LineClaims(transaction)
        self._facts = SqlFactWriter(transaction)

    # -- reads -------------------------------------------------------------------------

    def _one(self, statement: Prepared, parameters: dict[str, str], key: str) -> ReturnOrder:
        rows = self._tx.fetch(statement, parameters, subject=f"return {key}")
        if not rows:
            raise NotFound("return", key)
        return self._seen(self._codec.decode_text(rows[0][0], ReturnOrder), rows[0][0])

    def _seen(self, order: ReturnOrder, text: str) -> ReturnOrder:
        """Remember ``order``, stored as ``text``, until the transaction ends."""
        self._tx.seen[(SqlReturns, order.tenant_id, order.id)] = (order, text)
        return order

    def _known(
        self, tenant_id: str, return_id: str, version: int
    ) -> tuple[ReturnOrder, str] | None:
        """The return as read or written in this transaction at ``version``, and its text.

        Its ``return_lines`` rows are what its document says (the store writes
        both together): on SQLite nobody else writes until the transaction
        ends; on PostgreSQL the update then checks that the document is still
        that text.
        """
        known: tuple[ReturnOrder, str] | None = self._tx.seen.get(
            (SqlReturns, tenant_id, return_id)
        )
        return known if known is not None and known[0].version == version else None

    def get(self, tenant_id: str, return_id: str) -> ReturnOrder:
        """The return with ``return_id``.

        Raises:
            NotFound: The tenant has no such return.
        """
        return self._one(statements.BY_ID, {"tenant_id": tenant_id, "id": return_id}, return_id)

    def get_by_number(self, tenant_id: str, number: str) -> ReturnOrder:
        """The return with readable ``number``.

        Raises:
            NotFound: The tenant has no such return.
        """
        return self._one(statements.BY_NUMBER, {"tenant_id": tenant_id, "number": number}, number)

    def get_many(self, tenant_id: str, return_ids: Iterable[str]) -> Mapping[str, ReturnOrder]:
        """The tenant's returns among ``return_ids``, by id, in one statement.

        The ids are looked up through the primary key, so that the cost grows
        with the ids given, not with the store.  An id the tenant has no
        return for is left out.
        """
        wanted = sorted(set(return_ids))
        if not wanted:
            return {}
        arrays = self._tx.binder.arrays
        rows = self._tx.fetch(
            self._tx.shaped(statements.returns_by_ids, ids_shape(arrays, wanted)),
            {"tenant_id": tenant_id, **ids_parameters(arrays, wanted)},
            subject=f"{len(wanted)} returns",
        )
        found = (
            self._seen(self._codec.decode_text(document, ReturnOrder), document)
            for (document,) in rows
        )
        return {order.id: order for order in found}

    def for_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Sequence[ReturnOrder]:
        """Every return of the tenant with a line for one of ``refs``, in any status, by id.

        The look-up goes through the order-line index of ``return_lines``, so
        its cost grows with the returns of these lines, not with all history.
        """
        wanted = sorted(set(refs))
        if not wanted:
            return []
        arrays = self._tx.binder.arrays
        rows = self._tx.fetch(
            self._tx.shaped(statements.returns_of_lines, statements.shape_of(arrays, wanted)),
            statements.line_parameters(arrays, tenant_id, wanted),
            subject="the returns of order lines",
        )
        # Sorted here, not in SQL, so that the order never depends on a collation.
        found = (
            self._seen(self._codec.decode_text(document, ReturnOrder), document)
            for (document,) in rows
        )
        return sorted(found, key=lambda o: o.id)

    def search(self, tenant_id: str, query: ReturnQuery) -> Page[ReturnOrder]:
        """Returns matching ``query``, newest first (then by number, descending).

        Each daily list has an index that gives its rows in this order, so that
        a page reads its rows and no more: all returns and a creation-date
        window through ``(tenant_id, created_at, number)``, one status through
        ``(tenant_id, status, created_at, number)``, one customer through
        ``(tenant_id, customer_id, created_at, number)``.  A cursor
        (``query.after``) becomes a range on the same index; only an
        ``offset`` and the total (``query.with_total``) read the rows before
        the page or all matches.
        """
        returns = self._tx.tables.returns
        number = self._tx.binary(returns.c.number)
        where = [returns.c.tenant_id == tenant_id]
        if not query.include_archived:
            where.append(returns.c.archived == sa.false())
        if query.statuses:
            where.append(returns.c.status.in_(sorted(s.value for s in query.statuses)))
        if query.customer_id is not None:
            where.append(returns.c.customer_id == query.customer_id)
        if query.created_from is not None:
            where.append(returns.c.created_at >= query.created_from)
        if query.created_to is not None:
            where.append(returns.c.created_at <= query.created_to)
        total = None
        if query.with_total:
            total = self._tx.execute(
                sa.select(sa.func.count()).select_from(returns).where(*where),
                subject="the number of returns",
            ).scalar_one()
        position = query.position
        if position is not None:
            # The range on created_at alone is what the index seeks to; the tie
            # on number compares code points, as Python does, on any collation.
            at, last = position
            where.append(returns.c.created_at <= at)
            where.append(sa.or_(returns.c.created_at < at, number < last))
        documents = self._tx.execute(
            sa.select(as_text(returns.c.document))
            .where(*where)
            .order_by(returns.c.created_at.desc(), number.desc())
            .offset(query.offset)
            .limit(query.limit + 1),
            subject="returns",
        ).scalars()
        items = [self._codec.decode_text(d, ReturnOrder) for d in documents]
        return query.page(items, total)

    def uses_reason(self, tenant_id: str, reason_code: str) -> bool:
        """Whether any return of the tenant has a line with ``reason_code``."""
        return_lines = self._tx.tables.return_lines
        used = sa.exists().where(
            return_lines.c.tenant_id == tenant_id, return_lines.c.reason_code == reason_code
        )
        return bool(self._tx.execute(sa.select(used), subject="reason use").scalar_one())

    # -- writes ------------------------------------------------------------------------

    def add(self, order: ReturnOrder) -> None:
        """Store a new return.

        Raises:
            ConcurrencyConflict: Its id, or its number, is taken.
            OverReturn: Stored returns would claim more units than were delivered.
        """
        columns = self._columns(order)
        inserted = self._tx.write(
            statements.INSERT,
            {"tenant_id": order.tenant_id, "id": order.id, **columns},
            subject=f"return {order.number}",
        )
        if inserted != 1:  # the id or the number is taken
            raise ConcurrencyConflict(f"return {order.id}")
        after = line_rows(order)
        self._store_lines(order, {}, after, moved({}, after))
        self._facts.store(order)
        self._seen(order, columns["document"])

    def update(self, order: ReturnOrder, expected_version: int) -> None:
        """Replace a stored return whose version is still ``expected_version``.

        Raises:
            NotFound: The tenant has no such return.
            ConcurrencyConflict: It was changed since it was read.
            OverReturn: Stored returns would claim more units than were delivered.
        """
        subject = f"return {order.number}"
        this = {"tenant_id": order.tenant_id, "id": order.id}
        known = self._known(order.tenant_id, order.id, expected_version)
        before = (
            line_rows(known[0])
            if known is not None
            else self._stored_lines(order.tenant_id, order.id)
        )
        after = line_rows(order)
        refs = moved(before, after)
        if refs:
            # Lock the lines' claims before the return's row, in the order every other
            # command takes them, so that a cancel racing a receipt cannot deadlock.
            self.lock_lines(order.tenant_id, [*before, *after])
        # The row's number, customer and creation time are rewritten only if they
        # changed (the service never changes them): rewriting them costs their indexes.
        state_only = known is not None and _same_row(known[0], order)
        columns = self._columns(order, state_only=state_only)
        parameters = {**this, "expected_version": expected_version, **columns}
        if known is not None and self._tx.locks_rows:
            parameters["read_as"] = known[1]
        statement = _UPDATES[(state_only, "read_as" in parameters)]
        changed = self._tx.write(statement, parameters, subject=subject)
        if changed != 1:
            if not self._tx.fetch(statements.VERSION, this, subject=subject):
                raise NotFound("return", order.id)
            raise ConcurrencyConflict(subject)
        self._store_lines(order, before, after, refs)
        self._facts.store(order)
        self._seen(order, columns["document"])

    def lock_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> None:
        """Hold the lines' claims until the unit of work ends, so their history stays put.

        Call it before reading :meth:`for_lines` to decide a write.  On
        PostgreSQL it locks the lines' ``line_claims`` rows (lines never
        returned before have none yet; for them the ``CHECK`` decides),
        sending the lock with the next statement so that lock and read take
        one round trip; on SQLite the unit of work already holds the write lock.

        Raises:
            ConcurrencyConflict: Another transaction held a line past the lock
                timeout (raised by the next statement, which waits for the lock).
        """
        self._claims.lock(tenant_id, refs)

    # -- the rows behind a return ------------------------------------------------------

    def _columns(self, order: ReturnOrder, *, state_only: bool = False) -> dict[str, Any]:
        """The row's columns; with ``state_only``, those a command changes."""
        binder = self._tx.binder
        columns = {
            "status": order.status.value,
            "updated_at": binder.instant(order.updated_at),
            "version": order.version,
            "document": self._codec.encode_text(order, remember=True),
        }
        if not state_only:
            columns["number"] = order.number
            columns["customer_id"] = order.customer_id
            columns["created_at"] = binder.instant(order.created_at)
        return columns

    def _stored_lines(self, tenant_id: str, return_id: str) -> dict[LineRef, LineRow]:
        rows = self._tx.fetch(
            statements.LINES,
            {"tenant_id": tenant_id, "id": return_id},
            subject=f"the lines of return {return_id}",
        )
        decimal = self._tx.binder.decimal
        return {
            LineRef(order_number, line_id): LineRow(reason, decimal(claimed), decimal(refunded))
            for order_number, line_id, reason, claimed, refunded in rows
        }

    def _store_lines(
        self,
        order: ReturnOrder,
        before: dict[LineRef, LineRow],
        after: dict[LineRef, LineRow],
        refs: list[LineRef],
    ) -> None:
        """Write ``order``'s ``return_lines`` rows; move the claims of ``refs`` (:func:`moved`)."""
        if after == before:
            return
        subject = f"the lines of return {order.number}"
        this = {"tenant_id": order.tenant_id, "id": order.id}
        exact = self._tx.binder.exact

        def units(ref: LineRef, row: LineRow) -> dict[str, Any]:
            return {
                "order_number": ref.order_number,
                "line_id": ref.line_id,
                "claimed": exact(row.claimed),
                "refunded_units": exact(row.refunded_units),
            }

        # Deferred: they go with the claims' statement, or with the commit.
        if before.keys() == after.keys() and all(
            before[ref].reason_code == row.reason_code for ref, row in after.items()
        ):
            # The same lines with the same reasons: only their units change, in place.
            self._tx.defer(
                statements.SET_LINE,
                [{**this, **units(ref, row)} for ref, row in after.items() if row != before[ref]],
                subject=subject,
            )
        else:
            if before:
                self._tx.defer(statements.DELETE_LINES, this, subject=subject)
            self._tx.defer(
                statements.INSERT_LINES,
                [
                    {
                        "tenant_id": order.tenant_id,
                        "return_id": order.id,
                        "reason_code": row.reason_code,
                        **units(ref, row),
                    }
                    for ref, row in after.items()
                ],
                subject=subject,
            )
        if refs:
            self._claims.settle(order, refs, before, after)


def _same_row(stored: ReturnOrder, order: ReturnOrder) -> bool:
    """Whether ``order`` keeps the row's columns that commands never change."""
    return (
        stored.number == order.number
        and stored.customer_id == order.customer_id
        and stored.created_at == order.created_at
    )


#: The ``UPDATE`` for (state columns only, guarded by the document read).
_UPDATES: Mapping[tuple[bool, bool], Prepared] = MappingProxyType(
    {
        (False, False): statements.UPDATE,
        (False, True): statements.UPDATE_IF_UNCHANGED,
        (True, False): statements.UPDATE_STATE,
        (True, True): statements.UPDATE_STATE_IF_UNCHANGED,
    }
)
