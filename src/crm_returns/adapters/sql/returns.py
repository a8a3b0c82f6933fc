"""Return orders in SQL, with the database's own guard against over-return.

Each return is a row of ``returns`` (its document and the columns searches
need) and a row of ``return_lines`` per line (the units it claims, through
an index on the order line).  ``line_claims`` holds, per order line, the
units delivered and the units claimed by every stored return; whenever a
write changes what a return claims, the line's claim row is locked, its total
recomputed from ``return_lines`` and written back, and ``CHECK (claimed <=
delivered)`` refuses a total above what was delivered.

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

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import sqlalchemy as sa

from crm_returns.adapters.sql.codec import decode, encode
from crm_returns.adapters.sql.schema import CLAIMS_CHECK, line_claims, return_lines, returns
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.adapters.sql.types import ExactDecimal
from crm_returns.domain.orders import LineRef
from crm_returns.domain.queries import Page, ReturnQuery
from crm_returns.domain.returns import ReturnOrder
from crm_returns.errors import ConcurrencyConflict, CrmReturnsError, NotFound, OverReturn

__all__ = ["SqlReturns"]

_ZERO = Decimal(0)


@attrs.frozen
class _LineRow:
    """What ``return_lines`` keeps of one line of a return."""

    reason_code: str
    claimed: Decimal
    refunded_units: Decimal


def _line_rows(order: ReturnOrder) -> dict[LineRef, _LineRow]:
    refunded: dict[LineRef, Decimal] = {}
    for refund in order.grant.lines if order.grant is not None else ():
        refunded[refund.ref] = refunded.get(refund.ref, _ZERO) + refund.units
    return {
        line.ref: _LineRow(line.reason_code, order.claimed(line.ref), refunded.get(line.ref, _ZERO))
        for line in order.lines
    }


def _claimed(rows: dict[LineRef, _LineRow], ref: LineRef) -> Decimal:
    row = rows.get(ref)
    return _ZERO if row is None else row.claimed


def _refs(table: sa.Table, refs: Iterable[LineRef]) -> sa.ColumnElement[bool]:
    """``table``'s rows of the order lines ``refs``, found through its line index.

    The pairs alone say which rows; the two plain ``IN`` lists are for the
    planner, as SQLite would otherwise search a row-value ``IN`` by tenant
    alone, through every line the tenant ever returned.
    """
    wanted = sorted(set(refs))
    return sa.and_(
        table.c.order_number.in_(sorted({ref.order_number for ref in wanted})),
        table.c.line_id.in_(sorted({ref.line_id for ref in wanted})),
        sa.tuple_(table.c.order_number, table.c.line_id).in_(
            [(ref.order_number, ref.line_id) for ref in wanted]
        ),
    )


class SqlReturns:
    """The :class:`~crm_returns.ports.ReturnRepository` of a SQL unit of work."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    # -- reads -------------------------------------------------------------------------

    def _one(self, tenant_id: str, where: sa.ColumnElement[bool], key: str) -> ReturnOrder:
        document = self._tx.execute(
            sa.select(returns.c.document).where(returns.c.tenant_id == tenant_id, where),
            subject=f"return {key}",
        ).scalar_one_or_none()
        if document is None:
            raise NotFound("return", key)
        return decode(document, ReturnOrder)

    def get(self, tenant_id: str, return_id: str) -> ReturnOrder:
        """The return with ``return_id``.

        Raises:
            NotFound: The tenant has no such return.
        """
        return self._one(tenant_id, returns.c.id == return_id, return_id)

    def get_by_number(self, tenant_id: str, number: str) -> ReturnOrder:
        """The return with readable ``number``.

        Raises:
            NotFound: The tenant has no such return.
        """
        return self._one(tenant_id, returns.c.number == number, number)

    def for_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Sequence[ReturnOrder]:
        """Every return of the tenant with a line for one of ``refs``, in any status, by id.

        The look-up goes through the order-line index of ``return_lines``, so
        its cost grows with the returns of these lines, not with all history.
        """
        wanted = list(dict.fromkeys(refs))
        if not wanted:
            return []
        matching = sa.select(return_lines.c.return_id).where(
            return_lines.c.tenant_id == tenant_id, _refs(return_lines, wanted)
        )
        documents = self._tx.execute(
            sa.select(returns.c.document).where(
                returns.c.tenant_id == tenant_id, returns.c.id.in_(matching)
            ),
            subject="the returns of order lines",
        ).scalars()
        # Sorted here, not in SQL, so that the order never depends on a collation.
        return sorted((decode(d, ReturnOrder) for d in documents), key=lambda o: o.id)

    def search(self, tenant_id: str, query: ReturnQuery) -> Page[ReturnOrder]:
        """Returns matching ``query``, newest first (then by number, descending)."""
        where = [returns.c.tenant_id == tenant_id]
        if query.statuses:
            where.append(returns.c.status.in_(sorted(s.value for s in query.statuses)))
        if query.customer_id is not None:
            where.append(returns.c.customer_id == query.customer_id)
        if query.created_from is not None:
            where.append(returns.c.created_at >= query.created_from)
        if query.created_to is not None:
            where.append(returns.c.created_at <= query.created_to)
        total = self._tx.execute(
            sa.select(sa.func.count()).select_from(returns).where(*where),
            subject="the number of returns",
        ).scalar_one()
        documents = self._tx.execute(
            sa.select(returns.c.document)
            .where(*where)
            .order_by(returns.c.created_at.desc(), self._tx.binary(returns.c.number).desc())
            .offset(query.offset)
            .limit(query.limit),
            subject="returns",
        ).scalars()
        items = tuple(decode(d, ReturnOrder) for d in documents)
        return Page(items, total, query.offset, query.limit)

    def uses_reason(self, tenant_id: str, reason_code: str) -> bool:
        """Whether any return of the tenant has a line with ``reason_code``."""
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
        inserted = self._tx.execute(
            self._tx.insert(returns)
            .values(tenant_id=order.tenant_id, id=order.id, **self._columns(order))
            .on_conflict_do_nothing()
            .returning(returns.c.version),
            subject=f"return {order.number}",
        )
        if inserted.first() is None:  # the id or the number is taken
            raise ConcurrencyConflict(f"return {order.id}")
        self._store_lines(order, {})

    def update(self, order: ReturnOrder, expected_version: int) -> None:
        """Replace a stored return whose version is still ``expected_version``.

        Raises:
            NotFound: The tenant has no such return.
            ConcurrencyConflict: It was changed since it was read.
            OverReturn: Stored returns would claim more units than were delivered.
        """
        subject = f"return {order.number}"
        this = (returns.c.tenant_id == order.tenant_id) & (returns.c.id == order.id)
        before = self._stored_lines(order.tenant_id, order.id)
        # Lock the lines' claims before the return's row, in the order every other
        # command takes them, so that a cancel racing a receipt cannot deadlock.
        self.lock_lines(order.tenant_id, [*before, *(line.ref for line in order.lines)])
        changed = self._tx.execute(
            sa.update(returns)
            .where(this, returns.c.version == expected_version)
            .values(**self._columns(order)),
            subject=subject,
        )
        if changed.rowcount != 1:
            found = self._tx.execute(sa.select(returns.c.version).where(this), subject=subject)
            if found.first() is None:
                raise NotFound("return", order.id)
            raise ConcurrencyConflict(subject)
        self._store_lines(order, before)

    def lock_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> None:
        """Hold the lines' claims until the unit of work ends, so their history stays put.

        Call it before reading :meth:`for_lines` to decide a write.  On
        PostgreSQL it locks the lines' ``line_claims`` rows (lines never
        returned before have none yet; for them the ``CHECK`` decides);
        on SQLite the unit of work already holds the write lock.

        Raises:
            ConcurrencyConflict: Another transaction held a line past the lock timeout.
        """
        wanted = sorted(set(refs))
        if wanted and self._tx.locks_rows:
            self._claim_rows(tenant_id, wanted)

    # -- the claims behind the CHECK ---------------------------------------------------

    @staticmethod
    def _columns(order: ReturnOrder) -> dict[str, Any]:
        return {
            "number": order.number,
            "customer_id": order.customer_id,
            "status": order.status.value,
            "created_at": order.created_at,
            "updated_at": order.updated_at,
            "version": order.version,
            "document": encode(order),
        }

    def _stored_lines(self, tenant_id: str, return_id: str) -> dict[LineRef, _LineRow]:
        rows = self._tx.execute(
            sa.select(
                return_lines.c.order_number,
                return_lines.c.line_id,
                return_lines.c.reason_code,
                return_lines.c.claimed,
                return_lines.c.refunded_units,
            ).where(return_lines.c.tenant_id == tenant_id, return_lines.c.return_id == return_id),
            subject=f"the lines of return {return_id}",
        )
        return {
            LineRef(row.order_number, row.line_id): _LineRow(
                row.reason_code, row.claimed, row.refunded_units
            )
            for row in rows
        }

    def _store_lines(self, order: ReturnOrder, before: dict[LineRef, _LineRow]) -> None:
        after = _line_rows(order)
        if after == before:
            return
        subject = f"the lines of return {order.number}"
        if before:
            self._tx.execute(
                sa.delete(return_lines).where(
                    return_lines.c.tenant_id == order.tenant_id,
                    return_lines.c.return_id == order.id,
                ),
                subject=subject,
            )
        self._tx.execute(
            sa.insert(return_lines),
            [
                {
                    "tenant_id": order.tenant_id,
                    "return_id": order.id,
                    "order_number": ref.order_number,
                    "line_id": ref.line_id,
                    **attrs.asdict(row),
                }
                for ref, row in after.items()
            ],
            subject=subject,
        )
        moved = sorted(
            ref
            for ref in after.keys() | before.keys()
            if _claimed(after, ref) != _claimed(before, ref)
        )
        if moved:
            self._settle_claims(order, moved)

    def _claim_rows(self, tenant_id: str, refs: Sequence[LineRef]) -> dict[LineRef, Decimal]:
        """Lock the claim rows of ``refs`` (sorted) and give each line's delivered units."""
        rows = self._tx.execute(
            sa.select(line_claims.c.order_number, line_claims.c.line_id, line_claims.c.delivered)
            .where(line_claims.c.tenant_id == tenant_id, _refs(line_claims, refs))
            # One order for every transaction (Python's, as new rows are inserted
            # in), so that two of them never wait for each other's rows.
            .order_by(
                self._tx.binary(line_claims.c.order_number), self._tx.binary(line_claims.c.line_id)
            )
            .with_for_update(),
            subject="order lines",
        )
        return {LineRef(row.order_number, row.line_id): row.delivered for row in rows}

    def _settle_claims(self, order: ReturnOrder, refs: Sequence[LineRef]) -> None:
        """Recompute and store the claimed totals of ``refs``, under their row locks."""
        tenant_id = order.tenant_id
        delivered = {line.ref: line.pricing.quantity for line in order.lines}
        fresh = [
            {
                "tenant_id": tenant_id,
                "order_number": ref.order_number,
                "line_id": ref.line_id,
                "delivered": delivered[ref],
                "claimed": _ZERO,
            }
            for ref in refs
            if ref in delivered
        ]
        if fresh:
            # A line returned for the first time gets its row; on PostgreSQL a
            # concurrent first return of the same line waits here for this one.
            self._tx.execute(
                self._tx.insert(line_claims).on_conflict_do_nothing(), fresh, subject="order lines"
            )
        stored = self._claim_rows(tenant_id, refs)
        totals = dict.fromkeys(refs, _ZERO)
        for row in self._tx.execute(
            sa.select(
                return_lines.c.order_number, return_lines.c.line_id, return_lines.c.claimed
            ).where(return_lines.c.tenant_id == tenant_id, _refs(return_lines, refs)),
            subject="order lines",
        ):
            totals[LineRef(row.order_number, row.line_id)] += row.claimed
        delivered = {ref: delivered.get(ref, stored.get(ref, _ZERO)) for ref in refs}

        def over_return(constraint: str) -> CrmReturnsError:
            if not constraint.endswith(CLAIMS_CHECK):  # pragma: no cover - no other check fires
                return ConcurrencyConflict(f"order lines of return {order.number}")
            ref = next((r for r in refs if totals[r] > delivered[r]), refs[0])
            mine = order.claimed(ref)
            return OverReturn(str(ref), mine, delivered[ref], totals[ref] - mine)

        self._tx.execute(
            sa.update(line_claims)
            .where(
                line_claims.c.tenant_id == sa.bindparam("t"),
                line_claims.c.order_number == sa.bindparam("o"),
                line_claims.c.line_id == sa.bindparam("l"),
            )
            .values(
                delivered=sa.bindparam("d", type_=ExactDecimal()),
                claimed=sa.bindparam("c", type_=ExactDecimal()),
            ),
            [
                {
                    "t": tenant_id,
                    "o": ref.order_number,
                    "l": ref.line_id,
                    "d": delivered[ref],
                    "c": totals[ref],
                }
                for ref in refs
            ],
            subject="order lines",
            on_check=over_return,
        )
