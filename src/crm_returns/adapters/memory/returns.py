"""Return orders in memory: a unit of work's pending writes over the committed returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from crm_returns.adapters.memory.committed import Committed
from crm_returns.domain.orders import LineRef
from crm_returns.domain.queries import Page, ReturnQuery
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import ConcurrencyConflict, NotFound

__all__ = ["MemoryReturns"]


class MemoryReturns:
    """The :class:`~crm_returns.ports.ReturnRepository` of a memory unit of work.

    Writes wait in :attr:`pending` until :meth:`apply`; reads see them first.

    Args:
        db: The committed state the unit of work works over.
    """

    def __init__(self, db: Committed) -> None:
        self._db = db
        #: Returns added or updated in this unit of work, by ``(tenant, id)``.
        self.pending: dict[tuple[str, str], ReturnOrder] = {}

    def _current(self, tenant_id: str, return_id: str) -> ReturnOrder | None:
        key = (tenant_id, return_id)
        return self.pending.get(key) or self._db.returns.get(key)

    def get(self, tenant_id: str, return_id: str) -> ReturnOrder:
        """The return with ``return_id``.

        Raises:
            NotFound: The tenant has no such return.
        """
        order = self._current(tenant_id, return_id)
        if order is None:
            raise NotFound("return", return_id)
        return order

    def get_by_number(self, tenant_id: str, number: str) -> ReturnOrder:
        """The return with readable ``number``.

        Raises:
            NotFound: The tenant has no such return.
        """
        for order in self.pending.values():
            if order.tenant_id == tenant_id and order.number == number:
                return order
        return_id = self._db.numbers.get((tenant_id, number))
        if return_id is None:
            raise NotFound("return", number)
        return self.get(tenant_id, return_id)

    def get_many(self, tenant_id: str, return_ids: Iterable[str]) -> Mapping[str, ReturnOrder]:
        """The tenant's returns among ``return_ids``, by id; unknown ids are left out."""
        found = {return_id: self._current(tenant_id, return_id) for return_id in return_ids}
        return {return_id: order for return_id, order in found.items() if order is not None}

    def add(self, order: ReturnOrder) -> None:
        """Store a new return.

        Raises:
            ConcurrencyConflict: Its id is taken.
        """
        key = (order.tenant_id, order.id)
        if self._current(*key) is not None:
            raise ConcurrencyConflict(f"return {order.id}")
        self.pending[key] = order

    def update(self, order: ReturnOrder, expected_version: int) -> None:
        """Replace a stored return whose version is still ``expected_version``.

        Raises:
            NotFound: The tenant has no such return.
            ConcurrencyConflict: It was changed since it was read.
        """
        stored = self.get(order.tenant_id, order.id)
        if stored.version != expected_version:
            raise ConcurrencyConflict(f"return {order.number}")
        self.pending[(order.tenant_id, order.id)] = order

    def lock_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> None:
        """Nothing to do: the unit of work holds the database's lock from begin to end."""

    def for_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Sequence[ReturnOrder]:
        """Every return of the tenant with a line for one of ``refs``, in any status, by id."""
        wanted = set(refs)
        ids = {rid for ref in wanted for rid in self._db.by_line.get((tenant_id, ref), ())}
        ids |= {
            order.id
            for (tenant, _), order in self.pending.items()
            if tenant == tenant_id and any(line.ref in wanted for line in order.lines)
        }
        found = (self.get(tenant_id, return_id) for return_id in sorted(ids))
        # The committed index may still name a return whose pending update dropped the line.
        return [order for order in found if any(line.ref in wanted for line in order.lines)]

    def _all(self, tenant_id: str) -> list[ReturnOrder]:
        merged = {**self._db.returns, **self.pending}
        return [order for (tenant, _), order in merged.items() if tenant == tenant_id]

    def every(self, tenant_id: str) -> list[ReturnOrder]:
        """Every return of the tenant this unit of work sees, archived ones included."""
        return self._all(tenant_id)

    def search(self, tenant_id: str, query: ReturnQuery) -> Page[ReturnOrder]:
        """Returns matching ``query``, newest first (then by number, descending)."""
        archived = self._db.retention.archived
        found = [
            order
            for order in self._all(tenant_id)
            if (not query.statuses or order.status in query.statuses)
            and (query.customer_id is None or order.customer_id == query.customer_id)
            and (query.created_from is None or order.created_at >= query.created_from)
            and (query.created_to is None or order.created_at <= query.created_to)
            and (query.include_archived or (tenant_id, order.id) not in archived)
        ]
        found.sort(key=lambda order: (order.created_at, order.number), reverse=True)
        total = len(found) if query.with_total else None
        position = query.position
        if position is not None:
            found = [order for order in found if (order.created_at, order.number) < position]
        return query.page(found[query.offset : query.offset + query.limit + 1], total)

    def uses_reason(self, tenant_id: str, reason_code: str) -> bool:
        """Whether any return of the tenant has a line with ``reason_code``."""
        return any(
            line.reason_code == reason_code
            for order in self._all(tenant_id)
            for line in order.lines
        )

    def apply(self) -> None:
        """Commit the pending returns, and the index of returns by line with them."""
        for key, order in self.pending.items():
            previous = self._db.returns.get(key)
            for line in previous.lines if previous else ():
                self._db.by_line[(order.tenant_id, line.ref)].discard(order.id)
            self._db.returns[key] = order
            self._db.numbers[(order.tenant_id, order.number)] = order.id
            for line in order.lines:
                self._db.by_line[(order.tenant_id, line.ref)].add(order.id)
