"""The in-memory order source passes the order-source contract, as a host's would.

The contract itself is checked too: order sources with a bug hosts are
likely to write fail the test that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import attrs
import pytest

from crm_returns.adapters.memory import MemoryOrderSource
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
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_the_contract_fails_an_order_source_with_the_bug_it_names(
    source: type[MemoryOrderSource], test: Test
) -> None:
    with pytest.raises(AssertionError):
        test(OrderSourceContract(), source)
