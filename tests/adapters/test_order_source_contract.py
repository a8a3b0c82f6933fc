"""The in-memory order source passes the order-source contract, as a host's would.

The contract itself is checked too: order sources with a bug hosts are
likely to write fail the test that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from crm_returns.adapters.memory import MemoryOrderSource
from crm_returns.domain.analytics import (
    DeliveredTotals,
    DeliveredTotalsQuery,
    Dimension,
    delivered_totals_of,
)
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.queries import MAX_PAGE_SIZE, LineQuery, Page
from crm_returns.testing.conformance import OrderSourceContract, OrderSourceFactory


class TestMemoryOrderSource(OrderSourceContract):
    @pytest.fixture
    def order_source_factory(self) -> OrderSourceFactory:
        return MemoryOrderSource


# -- order sources with one bug each ---------------------------------------------------------


class _Refiltered(MemoryOrderSource):
    """Searches everything the memory source finds for ``loosened``, then keeps ``kept``."""

    def loosened(self, query: LineQuery) -> LineQuery:
        return query

    def kept(self, query: LineQuery, line: DeliveredLine) -> bool:
        return True

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        wide = attrs.evolve(self.loosened(query), offset=0, limit=MAX_PAGE_SIZE)
        found = [line for line in super().search(tenant_id, wide).items if self.kept(query, line)]
        return Page.of(found, query.offset, query.limit)


class IgnoresTheQuery(_Refiltered):
    """What the README's order source did."""

    def loosened(self, query: LineQuery) -> LineQuery:
        return LineQuery()


class MatchesOrderNumbersIgnoringCase(_Refiltered):
    """A case-insensitive collation, MySQL's default."""

    def loosened(self, query: LineQuery) -> LineQuery:
        return attrs.evolve(query, order_number=None)

    def kept(self, query: LineQuery, line: DeliveredLine) -> bool:
        wanted = query.order_number
        return wanted is None or wanted.lower() == line.ref.order_number.lower()


class LowersProductText(_Refiltered):
    """``lower()`` where ``casefold()`` is documented: "STRASSE" misses "Straße"."""

    def loosened(self, query: LineQuery) -> LineQuery:
        return attrs.evolve(query, product=None)

    def kept(self, query: LineQuery, line: DeliveredLine) -> bool:
        text = (query.product or "").lower()
        return text in line.product_name.lower() or text in line.sku.lower()


class EndsTheRangeExclusively(_Refiltered):
    """``delivered_at < delivered_to``, where the end is inclusive."""

    def kept(self, query: LineQuery, line: DeliveredLine) -> bool:
        end, delivered = query.delivered_to, line.delivered_at
        return end is None or (delivered is not None and delivered < end)


class ForgetsTheTenant(MemoryOrderSource):
    """A search that leaves out ``WHERE tenant_id = ?``."""

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        wide = attrs.evolve(query, offset=0, limit=MAX_PAGE_SIZE)
        found: list[DeliveredLine] = []
        for tenant in sorted(self._lines):
            found.extend(super().search(tenant, wide).items)
        return Page.of(found, query.offset, query.limit)


class CountsOnlyThePage(MemoryOrderSource):
    """``total`` from the rows fetched, not from a count of every match."""

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        page = super().search(tenant_id, query)
        return Page(page.items, len(page.items), page.offset, page.limit)


class ListsInAnyOrder(MemoryOrderSource):
    """No ``ORDER BY``: each search may list the matches differently."""

    searches = 0

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        self.searches += 1
        wide = attrs.evolve(query, offset=0, limit=MAX_PAGE_SIZE)
        found = list(super().search(tenant_id, wide).items)
        found = found[self.searches % 3 :] + found[: self.searches % 3]
        return Page.of(found, query.offset, query.limit)


class RaisesOnAnUnknownLine(MemoryOrderSource):
    """``get_lines`` that looks every ref up with ``[]``."""

    def get_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, DeliveredLine]:
        return {ref: self._lines[tenant_id][ref] for ref in refs}


class _Retotalled(MemoryOrderSource):
    """Totals, by the definition, the lines ``counted`` makes of the tenant's, for ``asked``."""

    def counted(self, tenant_id: str, query: DeliveredTotalsQuery) -> Iterable[DeliveredLine]:
        return self._lines.get(tenant_id, {}).values()

    def asked(self, query: DeliveredTotalsQuery) -> DeliveredTotalsQuery:
        return query

    def delivered_totals(
        self, tenant_id: str, query: DeliveredTotalsQuery
    ) -> tuple[DeliveredTotals, ...]:
        return delivered_totals_of(self.counted(tenant_id, query), self.asked(query))


class CountsUndeliveredLines(_Retotalled):
    """Totals the order lines, delivered or not."""

    def counted(self, tenant_id: str, query: DeliveredTotalsQuery) -> Iterable[DeliveredLine]:
        for line in super().counted(tenant_id, query):
            yield attrs.evolve(line, delivered_at=line.delivered_at or line.ordered_at)


class CountsLinesAsOrders(_Retotalled):
    """``COUNT(*)`` where ``COUNT(DISTINCT order_number)`` is meant."""

    def counted(self, tenant_id: str, query: DeliveredTotalsQuery) -> Iterable[DeliveredLine]:
        for line in super().counted(tenant_id, query):
            yield attrs.evolve(line, ref=LineRef(str(line.ref), "1"))


class SellsAtListPrice(_Retotalled):
    """Gross sales as unit price × quantity: no discount taken off, no tax added on top."""

    def counted(self, tenant_id: str, query: DeliveredTotalsQuery) -> Iterable[DeliveredLine]:
        for line in super().counted(tenant_id, query):
            yield attrs.evolve(
                line, line_discount=None, order_discount=None, prices_include_tax=True
            )


class ReadsOrderDatesInUtc(_Retotalled):
    """``DATE(ordered_at)`` of a UTC column: the query's zone ignored."""

    def asked(self, query: DeliveredTotalsQuery) -> DeliveredTotalsQuery:
        return attrs.evolve(query, zone=ZoneInfo("UTC"))


class EndsTheOrderDaysExclusively(_Retotalled):
    """``ordered_at < end`` (midnight starting the last day), where the last day counts."""

    def counted(self, tenant_id: str, query: DeliveredTotalsQuery) -> Iterable[DeliveredLine]:
        last = query.end - timedelta(days=1)
        return [
            line
            for line in super().counted(tenant_id, query)
            if line.ordered_at.astimezone(query.zone).date() <= last
        ]


class ForgetsTheTenantInTotals(_Retotalled):
    """Totals that leave out ``WHERE tenant_id = ?``."""

    def counted(self, tenant_id: str, query: DeliveredTotalsQuery) -> Iterable[DeliveredLine]:
        return [line for tenant in sorted(self._lines) for line in self._lines[tenant].values()]


class KeysProductsBySku(_Retotalled):
    """Totals by product grouped on the SKU column."""

    def counted(self, tenant_id: str, query: DeliveredTotalsQuery) -> Iterable[DeliveredLine]:
        lines = super().counted(tenant_id, query)
        if query.by is not Dimension.PRODUCT:
            return lines
        return [attrs.evolve(line, product_name=line.sku) for line in lines]


Test = Callable[[OrderSourceContract, OrderSourceFactory], None]


@pytest.mark.parametrize(
    ("source", "test"),
    [
        (IgnoresTheQuery, OrderSourceContract.test_customer_id_finds_that_customers_lines_exactly),
        (
            MatchesOrderNumbersIgnoringCase,
            OrderSourceContract.test_order_number_finds_that_orders_lines_exactly,
        ),
        (
            LowersProductText,
            OrderSourceContract.test_product_text_is_compared_as_casefold_compares_it,
        ),
        (
            EndsTheRangeExclusively,
            OrderSourceContract.test_delivery_dates_bound_the_range_inclusively_as_instants,
        ),
        (ForgetsTheTenant, OrderSourceContract.test_a_tenant_never_finds_another_tenants_lines),
        (
            CountsOnlyThePage,
            OrderSourceContract.test_a_page_past_the_last_match_is_empty_and_still_counts_every_match,
        ),
        (ListsInAnyOrder, OrderSourceContract.test_the_same_search_lists_lines_in_the_same_order),
        (ListsInAnyOrder, OrderSourceContract.test_pages_list_every_match_once_in_one_order),
        (
            RaisesOnAnUnknownLine,
            OrderSourceContract.test_get_lines_leaves_unknown_refs_out_without_raising,
        ),
        (
            CountsUndeliveredLines,
            OrderSourceContract.test_the_shop_delivered_seven_orders_in_november,
        ),
        (CountsLinesAsOrders, OrderSourceContract.test_the_shop_delivered_seven_orders_in_november),
        (SellsAtListPrice, OrderSourceContract.test_the_zone_decides_the_day_an_order_falls_on),
        (ReadsOrderDatesInUtc, OrderSourceContract.test_the_zone_decides_the_day_an_order_falls_on),
        (
            EndsTheOrderDaysExclusively,
            OrderSourceContract.test_order_days_bound_the_range_inclusively_in_the_zone,
        ),
        (
            ForgetsTheTenantInTotals,
            OrderSourceContract.test_a_tenant_gets_the_totals_of_its_own_lines,
        ),
        (KeysProductsBySku, OrderSourceContract.test_a_tenant_gets_the_totals_of_its_own_lines),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_the_contract_fails_an_order_source_with_the_bug_it_names(
    source: type[MemoryOrderSource], test: Test
) -> None:
    with pytest.raises(AssertionError):
        test(OrderSourceContract(), source)
