"""ReturnRepositoryContract: return orders kept exactly, found every way, versioned."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import UTC

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_returns.domain.orders import LineRef
from crm_returns.domain.queries import MAX_PAGE_SIZE, ReturnQuery
from crm_returns.domain.reasons import DEFAULT_CATALOG
from crm_returns.domain.returns.lines import NOTE_LIMIT
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import ConcurrencyConflict, NotFound
from crm_returns.ports import UnitOfWork
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import History, history

__all__ = ["ReturnRepositoryContract"]

#: Any text at all, up to the note limit: every script, emoji, control characters, NUL.
_NOTES = st.text(max_size=NOTE_LIMIT)
_NAMES = st.text(min_size=1, max_size=200)


def _add(factory: UnitOfWorkFactory, *orders: ReturnOrder) -> None:
    with factory() as uow:
        for order in orders:
            uow.returns.add(order)
        uow.commit()


def _commit(factory: UnitOfWorkFactory, change: Callable[[UnitOfWork], object]) -> None:
    # A store may find a conflict when it writes (at commit) rather than when
    # asked, so a refused change is tried through to the commit.
    with factory() as uow:
        change(uow)
        uow.commit()


def _by_id(orders: Iterable[ReturnOrder]) -> list[ReturnOrder]:
    return sorted(orders, key=lambda order: order.id)


def _newest_first(orders: Iterable[ReturnOrder]) -> list[ReturnOrder]:
    return sorted(orders, key=lambda order: order.created_at, reverse=True)


class ReturnRepositoryContract(Contract):
    """``uow.returns`` keeps return orders exactly, finds them every way, and versions them.

    Every check stores the returns a real service wrote: every status,
    approvals, a granted and paid refund, dispositions, serial numbers,
    amounts in CNY and KWD, times in UTC+08:00 and text as awkward as a CRM
    gets.
    """

    def test_a_stored_return_reads_back_exactly_by_id_and_by_number(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``get`` and ``get_by_number`` give back every field as stored: types, scale, text."""
        sample = history()
        _add(unit_of_work_factory, *sample.orders)
        with unit_of_work_factory() as uow:
            for order in sample.orders:
                found = uow.returns.get(sample.tenant_id, order.id)
                assert_identical(found, order, f"get({order.id!r})")
                found = uow.returns.get_by_number(sample.tenant_id, order.number)
                assert_identical(found, order, f"get_by_number({order.number!r})")

    def test_any_text_reads_back_as_it_was_typed(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Notes and names of any characters, up to their limits, come back unchanged."""
        awkward = history().awkward
        numbers = itertools.count(1)

        # Defined here, not on the class, so that the loaded hypothesis profile
        # applies; every example adds a return of its own to the same store.
        @settings(deadline=None)
        @given(note=_NOTES, line_note=_NOTES, name=_NAMES)
        def round_trip(note: str, line_note: str, name: str) -> None:
            n = next(numbers)
            # Order lines of its own, so that no example claims another's units.
            lines = []
            for line in awkward.lines:
                ref = attrs.evolve(line.ref, order_number=f"TEXT-{n}")
                pricing = attrs.evolve(line.pricing, ref=ref)
                lines.append(attrs.evolve(line, ref=ref, pricing=pricing, note=line_note))
            order = attrs.evolve(
                awkward,
                id=f"text-{n}",
                number=f"RT-TEXT-{n:06d}",
                customer_name=name,
                note=note,
                lines=tuple(lines),
            )
            _add(unit_of_work_factory, order)
            with unit_of_work_factory() as uow:
                assert_identical(uow.returns.get(order.tenant_id, order.id), order, "the return")

        round_trip()

    def test_an_unknown_id_or_number_is_not_found(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Lookups are exact: no case folding, no trimming, no prefix matching."""
        sample = history()
        order = sample.completed
        with unit_of_work_factory() as uow:
            with pytest.raises(NotFound):
                uow.returns.get(sample.tenant_id, order.id)
            with pytest.raises(NotFound):
                uow.returns.get_by_number(sample.tenant_id, order.number)
        _add(unit_of_work_factory, *sample.orders)
        with unit_of_work_factory() as uow:
            for key in (order.id.upper(), f"{order.id} ", order.id[:-1], "", "%"):
                with pytest.raises(NotFound):
                    uow.returns.get(sample.tenant_id, key)
            for key in (order.number.lower(), f" {order.number}", order.number[:-1], "RT-%"):
                with pytest.raises(NotFound):
                    uow.returns.get_by_number(sample.tenant_id, key)

    def test_get_many_reads_the_returns_of_a_page_by_id(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """The tenant's returns among the ids, keyed by id, exactly; unknown ids left out."""
        sample = history()
        _add(unit_of_work_factory, *sample.orders)
        # Another tenant's return with one of these very ids.
        theirs = attrs.evolve(sample.completed, tenant_id="globex", note="theirs")
        _add(unit_of_work_factory, theirs)
        ids = [order.id for order in sample.orders]
        by_id = {order.id: order for order in sample.orders}
        asked = [
            ids,
            list(reversed(ids[:3])),
            [ids[0], ids[0], ids[0]],  # an id given twice counts once
            [ids[1], "missing", ids[1].upper(), f"{ids[1]} ", "%"],  # exact ids only
            ["missing"],
            [],
        ]
        with unit_of_work_factory() as uow:
            for return_ids in asked:
                found = uow.returns.get_many(sample.tenant_id, return_ids)
                expected = {rid: by_id[rid] for rid in return_ids if rid in by_id}
                assert set(found) == set(expected), f"get_many({return_ids})"
                for return_id, order in expected.items():
                    assert_identical(found[return_id], order, f"get_many: {return_id}")
            lazily = uow.returns.get_many(sample.tenant_id, (rid for rid in ids[:2]))
            assert set(lazily) == set(ids[:2]), "ids from a generator"
            other = uow.returns.get_many(theirs.tenant_id, ids)
            assert set(other) == {theirs.id}, "another tenant's returns"
            assert_identical(other[theirs.id], theirs, "their return of the same id")

    def test_get_many_sees_the_unit_of_works_own_writes(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A return added or updated in the unit of work is read back as it now is."""
        sample = history()
        first, second, *_ = sample.completed_versions
        _add(unit_of_work_factory, first)
        with unit_of_work_factory() as uow:
            uow.returns.update(second, first.version)
            uow.returns.add(sample.rejected)
            found = uow.returns.get_many(sample.tenant_id, [first.id, sample.rejected.id])
            assert_identical(found[first.id], second, "updated in the unit of work")
            assert_identical(found[sample.rejected.id], sample.rejected, "added in it")

    def test_updating_with_the_expected_version_replaces_the_return(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Each version of a return replaces the one it was made from, field by field."""
        versions = history().completed_versions
        _add(unit_of_work_factory, versions[0])
        for before, after in itertools.pairwise(versions):
            with unit_of_work_factory() as uow:
                uow.returns.update(after, expected_version=before.version)
                uow.commit()
        last = versions[-1]
        with unit_of_work_factory() as uow:
            assert_identical(uow.returns.get(last.tenant_id, last.id), last, "after updates")
            found = uow.returns.get_by_number(last.tenant_id, last.number)
            assert_identical(found, last, "after updates, by number")

    def test_updating_a_stale_version_is_a_conflict_and_changes_nothing(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A writer that read an older version loses with ``ConcurrencyConflict``, whole."""
        sample = history()
        first, second, *_ = sample.completed_versions
        _add(unit_of_work_factory, first)
        _commit(unit_of_work_factory, lambda uow: uow.returns.update(second, first.version))

        def late_writer(uow: UnitOfWork) -> None:
            uow.audit.append(sample.entries_of(first)[0])
            uow.returns.update(attrs.evolve(second, note="late writer"), first.version)

        with pytest.raises(ConcurrencyConflict):
            _commit(unit_of_work_factory, late_writer)
        with unit_of_work_factory() as uow:
            assert_identical(uow.returns.get(first.tenant_id, first.id), second, "the return")
            assert list(uow.audit.for_return(first.tenant_id, first.id)) == []

    def test_adding_a_return_whose_id_is_taken_is_a_conflict(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A second return with a stored id is refused with ``ConcurrencyConflict``, whole."""
        sample = history()
        order = sample.completed
        _add(unit_of_work_factory, order)

        def impostor(uow: UnitOfWork) -> None:
            uow.audit.append(sample.entries_of(order)[0])
            uow.returns.add(attrs.evolve(order, note="impostor", number="RT-IMPOSTOR"))

        with pytest.raises(ConcurrencyConflict):
            _commit(unit_of_work_factory, impostor)
        with unit_of_work_factory() as uow:
            assert_identical(uow.returns.get(order.tenant_id, order.id), order, "the return")
            with pytest.raises(NotFound):
                uow.returns.get_by_number(order.tenant_id, "RT-IMPOSTOR")
            assert list(uow.audit.for_return(order.tenant_id, order.id)) == []

    def test_updating_a_return_never_stored_is_refused(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``update`` never creates: a missing return is ``NotFound`` (or a conflict)."""
        first, second, *_ = history().completed_versions
        with pytest.raises((NotFound, ConcurrencyConflict)):
            _commit(unit_of_work_factory, lambda uow: uow.returns.update(second, first.version))
        with unit_of_work_factory() as uow, pytest.raises(NotFound):
            uow.returns.get(first.tenant_id, first.id)

    def test_for_lines_finds_every_return_with_any_of_the_lines_once(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Returns of every status with a line for any ref given, each once, and no others."""
        sample = history()
        _add(unit_of_work_factory, *sample.orders)
        refs = sorted({line.ref for order in sample.orders for line in order.lines})
        both_lines_of_one = [line.ref for line in sample.completed.lines]
        cases = [[ref] for ref in refs] + [refs, both_lines_of_one, [LineRef("SO-9", "9")], []]
        with unit_of_work_factory() as uow:
            for wanted in cases:
                expected = [
                    order
                    for order in sample.orders
                    if any(line.ref in wanted for line in order.lines)
                ]
                found = uow.returns.for_lines(sample.tenant_id, wanted)
                assert_identical(_by_id(found), _by_id(expected), f"for_lines({wanted})")
        assert len({order.status for order in sample.orders}) > 4, "returns of many statuses"

    def test_for_lines_forgets_a_line_an_update_removed(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A draft edited to drop a line is no longer found by that line, nor its reason used."""
        sample = history()
        before, after = sample.edited_before, sample.edited
        dropped = {line.ref for line in before.lines} - {line.ref for line in after.lines}
        dropped_reasons = {line.reason_code for line in before.lines} - {
            line.reason_code for line in after.lines
        }
        assert dropped, "the edit drops a line"
        assert dropped_reasons, "the edit drops a reason"
        _add(unit_of_work_factory, before)
        with unit_of_work_factory() as uow:
            uow.returns.update(after, before.version)
            found = [list(uow.returns.for_lines(after.tenant_id, dropped))]
            used = [uow.returns.uses_reason(after.tenant_id, code) for code in dropped_reasons]
            uow.commit()
        with unit_of_work_factory() as uow:
            found.append(list(uow.returns.for_lines(after.tenant_id, dropped)))
            used += [uow.returns.uses_reason(after.tenant_id, code) for code in dropped_reasons]
            kept = list(uow.returns.for_lines(after.tenant_id, [after.lines[0].ref]))
        assert found == [[], []], "found by a line it no longer has (before, after commit)"
        assert not any(used), "a reason it no longer has is still in use"
        assert_identical(kept, [after], "for_lines of a line it kept")

    def test_search_filters_by_status_customer_and_creation_time(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Every criterion given must match; creation times bound the range inclusively."""
        sample = history()
        _add(unit_of_work_factory, *sample.orders)
        middle = sample.rejected.created_at
        # The same instant written in UTC: bounds compare instants, not text.
        middle_utc = middle.astimezone(UTC)
        customer = sample.rejected.customer_id
        cases: list[tuple[ReturnQuery, Callable[[ReturnOrder], bool]]] = [
            (ReturnQuery(), lambda o: True),
            (ReturnQuery(statuses={ReturnStatus.DRAFT}), lambda o: o.status is ReturnStatus.DRAFT),
            (
                ReturnQuery(statuses={ReturnStatus.COMPLETED, ReturnStatus.REJECTED}),
                lambda o: o.status in (ReturnStatus.COMPLETED, ReturnStatus.REJECTED),
            ),
            (ReturnQuery(customer_id=customer), lambda o: o.customer_id == customer),
            (ReturnQuery(customer_id="C-404"), lambda o: False),
            (ReturnQuery(created_from=middle_utc), lambda o: o.created_at >= middle),
            (ReturnQuery(created_to=middle_utc), lambda o: o.created_at <= middle),
            (ReturnQuery(created_from=middle, created_to=middle), lambda o: o.created_at == middle),
            (
                ReturnQuery(customer_id=customer, statuses={ReturnStatus.DRAFT}),
                lambda o: o.customer_id == customer and o.status is ReturnStatus.DRAFT,
            ),
        ]
        with unit_of_work_factory() as uow:
            for query, matches in cases:
                expected = _newest_first(o for o in sample.orders if matches(o))
                page = uow.returns.search(sample.tenant_id, query)
                assert_identical(list(page.items), expected, f"search({query})")
                assert page.total == len(expected), f"total of search({query})"

    def test_search_lists_newest_first_and_pages(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Pages follow each other without gaps or repeats; ``total`` counts every match."""
        sample = history()
        _add(unit_of_work_factory, *sample.orders)
        expected = _newest_first(sample.orders)
        with unit_of_work_factory() as uow:
            pages = [
                uow.returns.search(sample.tenant_id, ReturnQuery(offset=offset, limit=3))
                for offset in range(0, len(expected) + 3, 3)
            ]
            whole = uow.returns.search(sample.tenant_id, ReturnQuery(limit=MAX_PAGE_SIZE))
        assert_identical(list(whole.items), expected, "every return, newest first")
        paged = [order for page in pages for order in page.items]
        assert_identical(paged, expected, "the pages one after another")
        assert [page.total for page in pages] == [len(expected)] * len(pages)
        assert [len(page.items) for page in pages][-1] == 0, "a page past the end is empty"

    def test_uses_reason_tells_whether_any_return_has_a_line_with_it(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A reason is in use if any return of any status has a line with it."""
        sample = history()
        codes = [reason.code for reason in DEFAULT_CATALOG.reasons] + ["box_crushed"]
        with unit_of_work_factory() as uow:
            assert not any(uow.returns.uses_reason(sample.tenant_id, code) for code in codes)
        _add(unit_of_work_factory, *sample.orders)
        expected = {code: _uses(sample, code) for code in codes}
        assert set(expected.values()) == {True, False}, "some reasons are used, some not"
        with unit_of_work_factory() as uow:
            found = {code: uow.returns.uses_reason(sample.tenant_id, code) for code in codes}
        assert found == expected


def _uses(sample: History, code: str) -> bool:
    return any(line.reason_code == code for order in sample.orders for line in order.lines)
