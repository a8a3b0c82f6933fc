"""ReturnListContract: return lists paged by cursor, as by offset, without a total."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import attrs

from crm_returns.domain.queries import Page, ReturnQuery
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import History, history

__all__ = ["ReturnListContract"]

#: Customers of the generated returns; the last one has none.
_CUSTOMERS = ("C-LIST-1", "C-LIST-2", "C-LIST-3")
#: Number stems that code-point order and a language's collation order differently.
_STEMS = ("RT-L", "rt-l", "RT_L", "Rt-l")


def _copy(template: ReturnOrder, n: int, created_at: datetime) -> ReturnOrder:
    """``template`` as a new return ``n`` on order lines of its own."""
    lines = []
    for line in template.lines:
        ref = attrs.evolve(line.ref, order_number=f"LIST-{n}")
        lines.append(attrs.evolve(line, ref=ref, pricing=attrs.evolve(line.pricing, ref=ref)))
    return attrs.evolve(
        template,
        id=f"list-{n}",
        number=f"{_STEMS[n % len(_STEMS)]}-{n:03d}",
        customer_id=_CUSTOMERS[n % 2],
        created_at=created_at,
        lines=tuple(lines),
    )


def _returns(sample: History, count: int = 30) -> list[ReturnOrder]:
    """``count`` returns of every status, three or four created at each instant."""
    first = min(order.created_at for order in sample.orders) - timedelta(days=1)
    return [
        _copy(sample.orders[n % len(sample.orders)], n, first - timedelta(hours=n // 4))
        for n in range(count)
    ]


def _listed(orders: Iterable[ReturnOrder]) -> list[ReturnOrder]:
    """In list order: newest first, then by number (code points), descending."""
    return sorted(orders, key=lambda order: (order.created_at, order.number), reverse=True)


def _add(factory: UnitOfWorkFactory, *orders: ReturnOrder) -> None:
    with factory() as uow:
        for order in orders:
            uow.returns.add(order)
        uow.commit()


def _daily(stored: list[ReturnOrder]) -> list[tuple[ReturnQuery, Callable[[ReturnOrder], bool]]]:
    """The lists staff read every day, and what each lists."""
    statuses = sorted({order.status for order in stored}, key=lambda status: status.value)
    window = sorted(order.created_at for order in stored)
    since, until = window[len(window) // 4], window[3 * len(window) // 4]
    some = {statuses[0], statuses[-1]}
    return [
        (ReturnQuery(), lambda o: True),
        *(
            (ReturnQuery(statuses={status}), lambda o, status=status: o.status is status)
            for status in statuses
        ),
        (ReturnQuery(statuses=some), lambda o: o.status in some),
        (ReturnQuery(customer_id=_CUSTOMERS[0]), lambda o: o.customer_id == _CUSTOMERS[0]),
        (ReturnQuery(customer_id=_CUSTOMERS[2]), lambda o: False),
        (
            ReturnQuery(customer_id=_CUSTOMERS[1], statuses={ReturnStatus.DRAFT}),
            lambda o: o.customer_id == _CUSTOMERS[1] and o.status is ReturnStatus.DRAFT,
        ),
        (
            ReturnQuery(created_from=since, created_to=until),
            lambda o: since <= o.created_at <= until,
        ),
    ]


def _walk(
    factory: UnitOfWorkFactory, tenant_id: str, query: ReturnQuery
) -> list[Page[ReturnOrder]]:
    """Every page of ``query``, each after the previous page's cursor."""
    pages: list[Page[ReturnOrder]] = []
    with factory() as uow:
        while True:
            pages.append(uow.returns.search(tenant_id, query))
            cursor = pages[-1].next_cursor
            if cursor is None:
                return pages
            assert len(pages) <= 100, f"{query} never ends"
            query = attrs.evolve(query, after=cursor)


class ReturnListContract(Contract):
    """``uow.returns.search`` pages by cursor exactly as by offset, with or without a total.

    A list is newest first, returns created at the same instant by number,
    descending, in code-point order (as Python compares strings, whatever a
    database's collation says); a cursor lists what follows the last return of
    the page that handed it out.
    """

    def test_cursor_pages_follow_each_other_without_gaps_or_repeats(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Walking any daily list by cursor gives the list, page by page, as offsets do."""
        sample = history()
        stored = _returns(sample)
        _add(unit_of_work_factory, *stored)
        for query, matches in _daily(stored):
            expected = _listed(o for o in stored if matches(o))
            for limit in (1, 4, 7, 50):
                start = attrs.evolve(query, limit=limit)
                pages = _walk(unit_of_work_factory, sample.tenant_id, start)
                walked = [order for page in pages for order in page.items]
                assert_identical(walked, expected, f"{start} by cursor")
                assert all(len(page.items) == limit for page in pages[:-1]), "a short page"
                assert [page.has_more for page in pages] == [True] * (len(pages) - 1) + [False]
                assert {page.total for page in pages} == {len(expected)}, f"total of {start}"
                with unit_of_work_factory() as uow:
                    by_offset = [
                        uow.returns.search(sample.tenant_id, attrs.evolve(start, offset=offset))
                        for offset in range(0, max(len(expected), 1), limit)
                    ]
                assert_identical(
                    [list(page.items) for page in by_offset],
                    [list(page.items) for page in pages],
                    f"{start}: pages by offset",
                )

    def test_a_list_without_its_total_counts_nothing_and_still_pages(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``with_total=False``: the same pages, no ``total``, ``has_more`` from the cursor."""
        sample = history()
        stored = _returns(sample)
        _add(unit_of_work_factory, *stored)
        for query, matches in _daily(stored):
            expected = _listed(o for o in stored if matches(o))
            start = attrs.evolve(query, limit=4, with_total=False)
            pages = _walk(unit_of_work_factory, sample.tenant_id, start)
            assert_identical([o for page in pages for o in page.items], expected, f"{start}")
            assert {page.total for page in pages} == {None}
            assert [page.has_more for page in pages] == [True] * (len(pages) - 1) + [False]

    def test_a_cursor_keeps_its_place_as_returns_come_and_go(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """After a cursor come the returns listed after its position, whatever was added since."""
        sample = history()
        stored = _returns(sample)
        _add(unit_of_work_factory, *stored[:-1])
        listed = _listed(stored[:-1])
        with unit_of_work_factory() as uow:
            first = uow.returns.search(sample.tenant_id, ReturnQuery(limit=5))
        assert first.next_cursor is not None
        newest = attrs.evolve(
            _copy(sample.completed, 900, listed[0].created_at + timedelta(days=1)),
            number="RT-NEWEST",
        )
        # Created at the instant of the page's last return, with a number listed after it.
        tie = _copy(sample.rejected, 901, listed[4].created_at)
        tie = attrs.evolve(tie, number=listed[4].number[:-1] + "!")
        _add(unit_of_work_factory, newest, stored[-1], tie)
        with unit_of_work_factory() as uow:
            rest = uow.returns.search(
                sample.tenant_id, ReturnQuery(after=first.next_cursor, limit=50)
            )
        expected = _listed([*listed[5:], stored[-1], tie])
        assert_identical(list(rest.items), expected, "the returns after the first page")
        assert rest.next_cursor is None
