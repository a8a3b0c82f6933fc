"""The claims behind the over-return ``CHECK``: how ``line_claims`` totals move under row locks.

``line_claims`` holds, per order line, the units delivered and the units
claimed by every stored return.  Whenever a write changes what a return
claims (its rows of ``return_lines``, :class:`LineRow`), :class:`LineClaims`
locks the lines' claim rows, moves each total by the same amount in the same
transaction and writes it back, and ``CHECK (claimed <= delivered)`` refuses
a total above what was delivered, as :class:`~crm_returns.errors.OverReturn`.

On PostgreSQL the claim rows are locked with ``SELECT … FOR UPDATE`` in a
fixed order, so that two writers never deadlock on them, and
:meth:`LineClaims.lock` can take those locks ahead of the read that decides a
write; on SQLite the unit of work holds the write lock already.  What is read
under a lock, or written, is held in ``Transaction.held`` until the
transaction ends, so that no claim row is read twice.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from crm_returns.adapters.sql import return_statements as statements
from crm_returns.adapters.sql.schema import CLAIMS_CHECK
from crm_returns.adapters.sql.statements import Prepared
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import ConcurrencyConflict, CrmReturnsError, OverReturn

__all__ = ["LineClaims", "LineRow", "line_rows", "moved"]

_ZERO = Decimal(0)


class LineRow(NamedTuple):
    """What ``return_lines`` keeps of one line of a return.

    A named tuple rather than an attrs class: one is made for every line of a
    return at each write, and a tuple is made in C.
    """

    reason_code: str
    claimed: Decimal
    refunded_units: Decimal


def line_rows(order: ReturnOrder) -> dict[LineRef, LineRow]:
    """The ``return_lines`` rows of ``order``, by line."""
    refunded: dict[LineRef, Decimal] = {}
    for refund in order.grant.lines if order.grant is not None else ():
        refunded[refund.ref] = refunded.get(refund.ref, _ZERO) + refund.units
    return {
        line.ref: LineRow(line.reason_code, order.claimed_on(line), refunded.get(line.ref, _ZERO))
        for line in order.lines
    }


def _claimed(rows: dict[LineRef, LineRow], ref: LineRef) -> Decimal:
    row = rows.get(ref)
    return _ZERO if row is None else row.claimed


def moved(before: dict[LineRef, LineRow], after: dict[LineRef, LineRow]) -> list[LineRef]:
    """The lines whose claimed units differ, sorted."""
    return sorted(
        ref for ref in after.keys() | before.keys() if _claimed(after, ref) != _claimed(before, ref)
    )


#: Keys of the claim rows held in ``Transaction.held``: ``(_CLAIMS, tenant, line)``.
_CLAIMS = "line_claims"


class LineClaims:
    """The ``line_claims`` rows of a SQL unit of work, moved with the returns' lines."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    def lock(self, tenant_id: str, refs: Iterable[LineRef]) -> None:
        """On PostgreSQL, lock the claim rows of ``refs`` not held yet, with the next statement.

        What the lock reads is held until the transaction ends.  On SQLite
        the unit of work already holds the write lock: nothing happens.
        """
        if not self._tx.locks_rows:
            return
        held = self._tx.held
        wanted = sorted({ref for ref in refs if (_CLAIMS, tenant_id, ref) not in held})
        if wanted:
            # Taken with the next statement (the read it protects), in one round trip.
            self._tx.defer(
                *self._locking(tenant_id, wanted),
                subject="order lines",
                on_rows=functools.partial(self._held, tenant_id),
            )

    def _locking(self, tenant_id: str, refs: Sequence[LineRef]) -> tuple[Prepared, dict[str, Any]]:
        """The statement that locks the claim rows of ``refs`` (sorted), and its parameters."""
        arrays = self._tx.binder.arrays
        return (
            self._tx.shaped(statements.claims_of_lines, statements.shape_of(arrays, refs)),
            statements.line_parameters(arrays, tenant_id, refs),
        )

    def _claim_rows(
        self, tenant_id: str, refs: Sequence[LineRef]
    ) -> dict[LineRef, tuple[Decimal, Decimal]]:
        """Lock the claim rows of ``refs`` (sorted); each line's delivered and claimed units.

        What is read is held (``Transaction.held``) until the transaction
        ends: the rows are locked, so no other transaction changes them.
        """
        rows = self._tx.fetch(*self._locking(tenant_id, refs), subject="order lines")
        return self._hold(tenant_id, rows)

    def _held(self, tenant_id: str, rows: list[tuple[Any, ...]]) -> None:
        self._hold(tenant_id, rows)

    def _hold(
        self, tenant_id: str, rows: list[tuple[Any, ...]]
    ) -> dict[LineRef, tuple[Decimal, Decimal]]:
        """Remember claim rows read under their locks; by line."""
        decimal = self._tx.binder.decimal
        found = {
            LineRef(order_number, line_id): (decimal(delivered), decimal(claimed))
            for order_number, line_id, delivered, claimed in rows
        }
        held = self._tx.held
        for ref, row in found.items():
            held[(_CLAIMS, tenant_id, ref)] = row
        return found

    def settle(
        self,
        order: ReturnOrder,
        refs: Sequence[LineRef],
        before: dict[LineRef, LineRow],
        after: dict[LineRef, LineRow],
    ) -> None:
        """Move the claimed totals of ``refs`` by what this return now claims, under row locks.

        Every write of ``return_lines`` moves ``line_claims`` by the same
        amount in the same transaction, so each total stays the sum of the
        line's stored claims without summing them again.  A line claimed for
        the first time gets its row with its total in one statement; rows
        already locked in this transaction are not read again.

        Args:
            order: The return as it is now written.
            refs: The lines whose claimed units changed (:func:`moved`), sorted.
            before: Its ``return_lines`` rows as they were stored.
            after: Its ``return_lines`` rows as they are now.

        Raises:
            OverReturn: A line's returns would claim more units than were delivered.
        """
        tenant_id = order.tenant_id
        # Locks taken ahead (lock_lines) went with the return's own INSERT or
        # UPDATE, so what they read is held by now.
        held = self._tx.held
        delivered = {line.ref: line.pricing.quantity for line in order.lines}
        change = {ref: _claimed(after, ref) - _claimed(before, ref) for ref in refs}
        stored = {
            ref: held[(_CLAIMS, tenant_id, ref)]
            for ref in refs
            if (_CLAIMS, tenant_id, ref) in held
        }
        totals: dict[LineRef, Decimal] = {}

        def over_return(constraint: str) -> CrmReturnsError:
            # The CHECK refuses the write and ends the transaction: nothing of it is kept.
            if not constraint.endswith(CLAIMS_CHECK):  # pragma: no cover - no other check fires
                return ConcurrencyConflict(f"order lines of return {order.number}")
            over = [r for r in refs if r in totals and r in delivered and totals[r] > delivered[r]]
            ref = over[0] if over else refs[0]
            mine = order.claimed(ref)
            return OverReturn(
                str(ref), mine, delivered.get(ref, _ZERO), totals.get(ref, mine) - mine
            )

        fresh = [ref for ref in refs if ref not in stored and ref in delivered and change[ref] > 0]
        if fresh:
            # A line returned for the first time gets its row and total at once; on
            # PostgreSQL a concurrent first return of the same line waits here for
            # this one, and then finds the row taken.
            totals.update((ref, change[ref]) for ref in fresh)
            inserted = self._new_claims(tenant_id, fresh, delivered, change, over_return)
            for ref in inserted:
                held[(_CLAIMS, tenant_id, ref)] = (delivered[ref], change[ref])
            refs = [ref for ref in refs if ref not in inserted]
        if not refs:
            return
        missing = [ref for ref in refs if ref not in stored]
        if missing:
            stored.update(self._claim_rows(tenant_id, missing))
        for ref in refs:
            on_file, claimed = stored.get(ref, (_ZERO, _ZERO))
            delivered.setdefault(ref, on_file)
            totals[ref] = claimed + change[ref]
        exact = self._tx.binder.exact
        self._tx.write(
            statements.SET_CLAIMS,
            [
                {
                    "tenant_id": tenant_id,
                    "order_number": ref.order_number,
                    "line_id": ref.line_id,
                    "delivered": exact(delivered[ref]),
                    "claimed": exact(totals[ref]),
                }
                for ref in refs
            ],
            subject="order lines",
            on_check=over_return,
        )
        for ref in refs:
            held[(_CLAIMS, tenant_id, ref)] = (delivered[ref], totals[ref])

    def _new_claims(
        self,
        tenant_id: str,
        refs: Sequence[LineRef],
        delivered: dict[LineRef, Decimal],
        claimed: dict[LineRef, Decimal],
        on_check: Callable[[str], CrmReturnsError],
    ) -> set[LineRef]:
        """Insert the claim rows of ``refs`` that do not exist yet; the lines inserted."""
        binder = self._tx.binder
        exact = binder.exact
        parameters = statements.line_parameters(binder.arrays, tenant_id, refs)
        if binder.arrays:
            statement = statements.NEW_CLAIMS_FROM_ARRAYS
            parameters["delivered"] = [exact(delivered[ref]) for ref in refs]
            parameters["claimed"] = [exact(claimed[ref]) for ref in refs]
        else:
            statement = self._tx.shaped(statements.new_claims, len(refs))
            for index, ref in enumerate(refs):
                parameters[f"d{index}"] = exact(delivered[ref])
                parameters[f"c{index}"] = exact(claimed[ref])
        rows = self._tx.fetch(statement, parameters, subject="order lines", on_check=on_check)
        return {LineRef(order_number, line_id) for order_number, line_id in rows}
