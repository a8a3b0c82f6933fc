"""OrderSourceContract: a host's order source finds what a query asks, and totals deliveries."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, timedelta, timezone

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.queries import LineQuery
from crm_returns.ports import OrderSource
from crm_returns.testing.conformance._order_lines import (
    D1,
    D2,
    D3,
    D4,
    D5,
    D6,
    OTHER_TENANT,
    TENANT,
    by_ref,
    everything,
    line_queries,
    many_lines,
    matches,
    other_tenant_lines,
    shop_lines,
)
from crm_returns.testing.conformance._order_totals import DeliveredTotalsContract

__all__ = ["OrderSourceContract", "OrderSourceFactory"]

#: Makes an order source holding exactly the given delivered lines of each tenant.
OrderSourceFactory = Callable[[Mapping[str, Sequence[DeliveredLine]]], OrderSource]


def _shop(factory: OrderSourceFactory) -> OrderSource:
    return factory({TENANT: shop_lines()})


def _described(query: LineQuery) -> str:
    """``query`` with only what differs from ``LineQuery()``: what the failure is about."""
    criteria = [
        f"{field.name}={getattr(query, field.name)!r}"
        for field in attrs.fields(LineQuery)
        if getattr(query, field.name) != field.default
    ]
    return f"LineQuery({', '.join(criteria)})"


def _refs(lines: Iterable[DeliveredLine]) -> list[LineRef]:
    return [line.ref for line in lines]


def _assert_finds(
    source: OrderSource, tenant_id: str, lines: Sequence[DeliveredLine], query: LineQuery
) -> list[DeliveredLine]:
    """Assert ``source`` finds exactly the ``lines`` that match ``query``; give them back."""
    expected = by_ref(line for line in lines if matches(query, line))
    page = source.search(tenant_id, everything(query))
    what = f"search({tenant_id!r}, {_described(query)})"
    assert _refs(by_ref(page.items)) == _refs(expected), f"{what} found other lines"
    assert by_ref(page.items) == expected, f"{what} changed the lines it found"
    assert page.total == len(expected), f"{what}: total counts {page.total}"
    return expected


def _assert_each_finds(
    source: OrderSource, tenant_id: str, lines: Sequence[DeliveredLine], queries: list[LineQuery]
) -> None:
    """Assert every query finds exactly its matches, and that some find lines and some none."""
    found = [_assert_finds(source, tenant_id, lines, query) for query in queries]
    assert any(found), "the contract's queries should find lines"
    assert not all(found), "the contract's near misses should find none"


class OrderSourceContract(DeliveredTotalsContract):
    """A host's :class:`~crm_returns.ports.OrderSource`: search, look up and total delivered lines.

    Subclass it under a ``Test*`` name and override ``order_source_factory``.
    What is searched is a small shop's lines, with near misses a loose
    comparison would find; delivered totals are held to
    :func:`~crm_returns.domain.analytics.delivered_totals_of`: see
    ``docs/conformance.md``.
    """

    @pytest.fixture
    def order_source_factory(self) -> OrderSourceFactory:
        """Make order sources holding given lines: the hook to override.

        Override it in the subclass as a pytest fixture returning a callable
        that takes delivered lines by tenant id (refs are unique within a
        tenant, and may repeat across tenants) and returns an order source
        holding exactly those lines and no others.  A test may call it more
        than once, and then uses only the source it made last.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override the order_source_factory fixture to return "
            "a callable that makes an order source holding the delivered lines given by tenant"
        )

    # -- each criterion -----------------------------------------------------------------

    def test_no_criteria_finds_every_line_delivered_or_not(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """``LineQuery()`` finds all of the tenant's lines, the undelivered one too."""
        found = _assert_finds(_shop(order_source_factory), TENANT, shop_lines(), LineQuery())
        assert len(found) == len(shop_lines())

    def test_order_number_finds_that_orders_lines_exactly(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Case, spaces and every character count; ``%`` and ``_`` are no wildcards."""
        numbers = sorted({line.ref.order_number for line in shop_lines()})
        near = ["SO-100", "SO-1001 ", " SO-1001", "SO-1001/1", "SO-100%", "SO-100_", "SO-9"]
        queries = [LineQuery(order_number=number) for number in [*numbers, *near]]
        _assert_each_finds(_shop(order_source_factory), TENANT, shop_lines(), queries)

    def test_customer_id_finds_that_customers_lines_exactly(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """``C-1001`` is neither ``c-1001`` nor ``C-10011``."""
        customers = sorted({line.customer_id for line in shop_lines()})
        near = ["C-100", "C-1001 ", "C-100%", "C-100_", "张伟", "C-9"]
        queries = [LineQuery(customer_id=customer) for customer in [*customers, *near]]
        _assert_each_finds(_shop(order_source_factory), TENANT, shop_lines(), queries)

    def test_category_finds_that_category_exactly(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """``displays`` is neither ``display`` nor ``DISPLAYS``."""
        categories = sorted({line.category for line in shop_lines()})
        near = ["DISPLAYS", "accessories ", "furnitur_", "%", "toys"]
        queries = [LineQuery(category=category) for category in [*categories, *near]]
        _assert_each_finds(_shop(order_source_factory), TENANT, shop_lines(), queries)

    def test_product_finds_text_in_the_product_name_or_sku_ignoring_case(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Text anywhere in the name or SKU, as typed: spaces count, ``%`` and ``_`` too.

        Only the name and the SKU are searched: not the customer, the order or
        the category.
        """
        texts = [
            *("mouse", "MOUSE", "Wireless Mouse (", "ms-200", "MS-200-B", "cbl-usbc", "kb-87"),
            *("数据线", "usb-c 数据", '27"', "(per metre)", " lamp", "Desk Lamp"),
            *("%", "_", "100%", "e_1", "0%_", "lamp ", "Office  Chair", "chair desk"),
            *("عمر", "张伟", "SO-1001", "furniture"),
        ]
        queries = [LineQuery(product=text) for text in texts]
        _assert_each_finds(_shop(order_source_factory), TENANT, shop_lines(), queries)

    def test_product_text_is_compared_as_casefold_compares_it(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """``"STRASSE"`` finds ``"Straße"``: ``str.casefold``, where ``lower()`` falls short."""
        source = _shop(order_source_factory)
        for text in ("STRASSE", "strasse atlas", "STRAẞE"):
            found = _assert_finds(source, TENANT, shop_lines(), LineQuery(product=text))
            assert [line.product_name for line in found] == ["Straße Atlas"]

    def test_delivery_dates_bound_the_range_inclusively_as_instants(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Both bounds are inclusive and compared as instants; undelivered lines never match."""
        second, hour = timedelta(seconds=1), timedelta(hours=1)
        new_york = timezone(-5 * hour)
        ranges = [
            (D1, None),
            (D3, None),  # D1 written in UTC
            (D1 + second, None),
            (None, D1),
            (None, D1.astimezone(new_york)),
            (None, D1 - second),
            (D1, D1),
            (D3.astimezone(new_york), D1),
            (D4, D2.astimezone(UTC)),
            (D5, D6),
            (D2 + hour, D1 - hour),
            (D4 - timedelta(days=365), None),
        ]
        queries = [LineQuery(delivered_from=start, delivered_to=end) for start, end in ranges]
        _assert_each_finds(_shop(order_source_factory), TENANT, shop_lines(), queries)

    def test_every_criterion_given_must_match(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Criteria combine: a line must meet all of them."""
        queries = [
            LineQuery(customer_id="C-1001", category="accessories"),
            LineQuery(customer_id="C-1002", category="displays"),
            LineQuery(order_number="SO-1001", product="mouse"),
            LineQuery(order_number="SO-1002", customer_id="C-1001"),
            LineQuery(product="mouse", delivered_to=D1),
            LineQuery(product="monitor", delivered_from=D4),
            LineQuery(
                order_number="SO-1003",
                customer_id="C-1003",
                product="e",
                category="apparel",
                delivered_from=D5,
                delivered_to=D5,
            ),
        ]
        _assert_each_finds(_shop(order_source_factory), TENANT, shop_lines(), queries)

    def test_any_lines_are_found_as_the_query_defines(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Made-up lines and queries (hypothesis): the source finds what the reference finds."""

        # Defined here, not on the class, so that the loaded hypothesis profile
        # applies (with few examples: each one fills a new order source).
        @settings(
            deadline=None,
            max_examples=min(30, settings().max_examples),
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(data=st.data())
        def search(data: st.DataObject) -> None:
            lines = data.draw(many_lines(), label="lines")
            query = data.draw(line_queries(lines), label="query")
            source = order_source_factory({TENANT: lines})
            _assert_finds(source, TENANT, lines, query)

        search()

    # -- pages and their order -----------------------------------------------------------

    def test_pages_list_every_match_once_in_one_order(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Pages at offsets 0, n, 2n... list the matches as one long page does; none twice."""
        source = _shop(order_source_factory)
        for query in (LineQuery(), LineQuery(customer_id="C-1001"), LineQuery(delivered_to=D1)):
            whole = _refs(source.search(TENANT, everything(query)).items)
            assert len(set(whole)) == len(whole) > 3, f"{_described(query)} lists a line twice"
            for size in (1, 2, 5):
                offsets = range(0, len(whole), size)
                pages = [
                    source.search(TENANT, attrs.evolve(query, offset=offset, limit=size))
                    for offset in offsets
                ]
                paged = [ref for page in pages for ref in _refs(page.items)]
                assert paged == whole, f"pages of {size} of {_described(query)}"
                for page, offset in zip(pages, offsets, strict=True):
                    assert (page.total, page.offset, page.limit) == (len(whole), offset, size)

    def test_a_page_past_the_last_match_is_empty_and_still_counts_every_match(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """``total`` is the number of matches, whichever page is asked for."""
        source = _shop(order_source_factory)
        query = LineQuery(category="accessories")
        total = sum(matches(query, line) for line in shop_lines())
        for offset in (total, total + 1, total + 100):
            page = source.search(TENANT, attrs.evolve(query, offset=offset, limit=5))
            assert (page.items, page.total, page.offset) == ((), total, offset)

    def test_the_same_search_lists_lines_in_the_same_order(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Asked again, a search lists its lines as it did, ties in delivery date included."""
        source = _shop(order_source_factory)
        queries = (LineQuery(), LineQuery(category="accessories"), LineQuery(offset=3, limit=4))
        for query in queries:
            first = _refs(source.search(TENANT, query).items)
            for _ in range(3):
                assert _refs(source.search(TENANT, query).items) == first, _described(query)

    # -- tenants and look-ups -------------------------------------------------------------

    def test_a_tenant_never_finds_another_tenants_lines(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Each criterion, applied to one tenant's lines only, with the same values in both."""
        source = order_source_factory({TENANT: shop_lines(), OTHER_TENANT: other_tenant_lines()})
        queries = [
            LineQuery(),
            LineQuery(order_number="SO-1001"),
            LineQuery(customer_id="C-1001"),
            LineQuery(category="furniture"),
            LineQuery(product="mouse"),
            LineQuery(product="LAMP"),
            LineQuery(delivered_from=D6),
            LineQuery(delivered_to=D1),
        ]
        for query in queries:
            theirs = _assert_finds(source, OTHER_TENANT, other_tenant_lines(), query)
            assert theirs, f"{_described(query)} should find the other tenant's lines"
            _assert_finds(source, TENANT, shop_lines(), query)
        assert source.search("nobody", LineQuery()).total == 0

    def test_get_lines_gives_a_tenant_only_its_own_lines(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Where two tenants have a line with the same ref, each gets its own."""
        source = order_source_factory({TENANT: shop_lines(), OTHER_TENANT: other_tenant_lines()})
        refs = _refs([*shop_lines(), *other_tenant_lines()])
        for tenant_id, lines in ((TENANT, shop_lines()), (OTHER_TENANT, other_tenant_lines())):
            found = dict(source.get_lines(tenant_id, refs))
            assert found == {line.ref: line for line in lines}, f"get_lines({tenant_id!r}, ...)"
        assert dict(source.get_lines("nobody", refs)) == {}

    def test_get_lines_gives_back_every_known_line_as_it_was_given(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Each line is equal to the one the factory was given, even those alike but for case."""
        source = _shop(order_source_factory)
        found = source.get_lines(TENANT, _refs(shop_lines()))
        assert sorted(found) == _refs(by_ref(shop_lines()))
        for line in shop_lines():
            assert found[line.ref] == line, f"get_lines gave back {line.ref} changed"

    def test_get_lines_leaves_unknown_refs_out_without_raising(
        self, order_source_factory: OrderSourceFactory
    ) -> None:
        """Unknown refs, near misses among them, are simply absent; any iterable will do."""
        source = _shop(order_source_factory)
        known = shop_lines()[:3]
        unknown = [
            LineRef("SO-9999", "1"),
            LineRef("SO-1001", "9"),
            LineRef("SO-1001 ", "1"),
            LineRef("so-1002", "1"),
            LineRef("SO-1001", "%"),
        ]
        # Read once from a generator, a known ref asked twice.
        asked = (ref for ref in [*unknown[:2], *_refs(known), *unknown[2:], known[0].ref])
        try:
            found = source.get_lines(TENANT, asked)
        except Exception as error:
            raise AssertionError(f"get_lines raised {error!r}: leave unknown refs out") from error
        assert dict(found) == {line.ref: line for line in known}
        assert dict(source.get_lines(TENANT, unknown)) == {}
        assert dict(source.get_lines(TENANT, [])) == {}
