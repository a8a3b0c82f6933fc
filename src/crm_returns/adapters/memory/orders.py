"""Delivered order lines kept in memory: the host's orders, for tests, demos and the default."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from crm_returns.domain.analytics.delivered import DeliveredTotalsQuery, delivered_totals_of
from crm_returns.domain.analytics.rates import DeliveredTotals
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.queries import LineQuery, Page

__all__ = ["MemoryOrderSource"]


class MemoryOrderSource:
    """Delivered order lines kept in memory, searchable like a host's database."""

    def __init__(self, lines: Mapping[str, Iterable[DeliveredLine]] | None = None) -> None:
        self._lines: dict[str, dict[LineRef, DeliveredLine]] = defaultdict(dict)
        for tenant_id, tenant_lines in (lines or {}).items():
            for line in tenant_lines:
                self.add(tenant_id, line)

    def add(self, tenant_id: str, line: DeliveredLine) -> None:
        """Add or replace one delivered line of ``tenant_id``."""
        self._lines[tenant_id][line.ref] = line

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        """Lines of the tenant matching ``query``, newest delivery first."""
        product = query.product.casefold() if query.product else None

        def matches(line: DeliveredLine) -> bool:
            delivered = line.delivered_at
            return (
                (query.order_number is None or line.ref.order_number == query.order_number)
                and (query.customer_id is None or line.customer_id == query.customer_id)
                and (query.category is None or line.category == query.category)
                and (
                    product is None
                    or product in line.product_name.casefold()
                    or product in line.sku.casefold()
                )
                and (
                    query.delivered_from is None
                    or (delivered is not None and delivered >= query.delivered_from)
                )
                and (
                    query.delivered_to is None
                    or (delivered is not None and delivered <= query.delivered_to)
                )
            )

        found = sorted(
            (line for line in self._lines.get(tenant_id, {}).values() if matches(line)),
            key=lambda line: line.ref,
        )
        # Newest delivery first; lines of one delivery in line order (sorts are stable).
        found.sort(key=lambda line: line.delivered_at or line.ordered_at, reverse=True)
        return Page.of(found, query.offset, query.limit)

    def get_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, DeliveredLine]:
        """The tenant's lines named by ``refs``."""
        known = self._lines.get(tenant_id, {})
        return {ref: known[ref] for ref in refs if ref in known}

    def delivered_totals(
        self, tenant_id: str, query: DeliveredTotalsQuery
    ) -> tuple[DeliveredTotals, ...]:
        """What the tenant delivered, by order cohort and key (:func:`delivered_totals_of`)."""
        return delivered_totals_of(self._lines.get(tenant_id, {}).values(), query)
