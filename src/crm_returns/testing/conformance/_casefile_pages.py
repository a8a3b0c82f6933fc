"""OverduePagesContract: an overdue list read page by page is the whole list, once.

Part of :class:`~crm_returns.testing.conformance.CaseFileContract`: a store's
``casefile.overdue`` pages by position (``after``, the deadline and id of
the last record of the page before) and size (``limit``), so that a list of
late returns stays fast as history grows.  Pages read one after another give
the records of the whole list in its order, with no gap and no repeat, ties
on the deadline taken by id in code-point order across page boundaries.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.errors import InvalidInput
from crm_returns.ports import UnitOfWork
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory

__all__ = ["OverduePagesContract"]

BASE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
#: A few deadlines, so that many records share one; some written at another offset.
DEADLINES = (
    BASE - 3 * HOUR,
    (BASE - 2 * HOUR).astimezone(timezone(timedelta(hours=8))),
    BASE - HOUR,
    BASE,  # due at ``before``: never late
    None,  # nothing due
)
#: Ids whose code-point order differs from most collations' (case, accents, digits, width).
IDS = ("b", "B", "a", "Z", "é", "e", "10", "9", "a-1", "a_1", "Ａ", "😀", "ß", "ss")


def _assignment(
    tenant_id: str, record_id: str, due_at: datetime | None, user_id: str | None, team: str | None
) -> Assignment:
    return Assignment(
        tenant_id=tenant_id,
        id=record_id,
        return_id=f"R-{record_id}",  # one per return: the return is the unique key
        customer_id="C-1",
        at=BASE,
        user_id=user_id,
        team=team,
        assigned_by="supervisor",
        stage=None if due_at is None else Stage.INSPECT,
        due_at=due_at,
    )


def _paged(
    uow: UnitOfWork, tenant_id: str, size: int, *, owner: str | None, team: str | None
) -> list[str]:
    """The ids of the overdue list at ``BASE``, read ``size`` at a time after each page's last."""
    ids: list[str] = []
    after: tuple[datetime, str] | None = None
    while True:
        page = uow.casefile.overdue(
            tenant_id, Assignment, BASE, owner=owner, team=team, after=after, limit=size
        )
        assert len(page) <= size
        ids += [record.id for record in page]
        if len(page) < size:
            return ids
        last = page[-1]
        assert last.due_at is not None
        after = (last.due_at, last.id)


def _ids(records: Sequence[Assignment]) -> list[str]:
    return [record.id for record in records]


class OverduePagesContract(Contract):
    """``casefile.overdue`` pages by position: the pages are the whole list, in order, once."""

    def test_overdue_pages_read_in_turn_are_the_whole_list_without_gaps_or_repeats(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Any records, any page size, any owner or team: the pages add up to the list.

        The list itself is every record due strictly before the time, of the
        owner and team asked for, by deadline then id in code-point order.
        """
        tenants = itertools.count(1)
        record = st.tuples(
            st.sampled_from(DEADLINES),
            st.sampled_from(["u-1", "u-2", None]),
            st.sampled_from(["desk", "yard", None]),
        )
        owners = st.tuples(st.sampled_from(["u-1", None]), st.sampled_from(["desk", None]))

        @settings(deadline=None)
        @given(
            st.dictionaries(st.sampled_from(IDS), record, max_size=len(IDS)),
            st.integers(1, 5),
            owners,
        )
        def check(
            drawn: dict[str, tuple[datetime | None, str | None, str | None]],
            size: int,
            owned_by: tuple[str | None, str | None],
        ) -> None:
            tenant = f"pages-{next(tenants)}"
            records = [  # someone owns each: a user when no team does
                _assignment(tenant, i, due, user or (None if team else "u-1"), team)
                for i, (due, user, team) in drawn.items()
            ]
            owner, team = owned_by
            expected = sorted(
                (
                    (r.due_at, r.id)
                    for r in records
                    if r.due_at is not None
                    and r.due_at < BASE
                    and owner in (None, r.user_id)
                    and team in (None, r.team)
                ),
            )
            with unit_of_work_factory() as uow:
                for made in records:
                    uow.casefile.add(made)
                uow.commit()
            with unit_of_work_factory() as uow:
                whole = uow.casefile.overdue(tenant, Assignment, BASE, owner=owner, team=team)
                assert _ids(whole) == [i for _, i in expected]
                assert _paged(uow, tenant, size, owner=owner, team=team) == _ids(whole)

        check()

    def test_an_overdue_page_after_a_tie_goes_on_by_id_in_code_point_order(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Records due at one instant continue after the last id, whatever the offset given."""
        tenant = "pages-ties"
        due = BASE - HOUR
        with unit_of_work_factory() as uow:
            for i in IDS:
                uow.casefile.add(_assignment(tenant, i, due, "u-1", "desk"))
            uow.commit()
        ordered = sorted(IDS)
        china = due.astimezone(timezone(timedelta(hours=8)))
        with unit_of_work_factory() as uow:
            late = uow.casefile.overdue
            first = late(tenant, Assignment, BASE, owner="u-1", limit=3)
            assert _ids(first) == ordered[:3]
            after = (china, first[-1].id)  # the same instant at another offset
            assert (
                _ids(late(tenant, Assignment, BASE, team="desk", after=after, limit=4))
                == (ordered[3:7])
            )
            assert _ids(late(tenant, Assignment, BASE, after=(due, ordered[-1]))) == []
            assert _ids(late(tenant, Assignment, BASE, after=(due - HOUR, "zzz"))) == ordered

    @pytest.mark.parametrize(
        ("after", "limit"),
        [
            (None, 0),
            (None, -1),
            (None, True),
            (None, 2.0),
            ((datetime(2026, 12, 1), "a"), None),  # noqa: DTZ001 - the point
            ((BASE, 7), None),
            ((BASE,), None),
        ],
    )
    def test_an_overdue_page_out_of_range_is_refused(
        self, unit_of_work_factory: UnitOfWorkFactory, after: object, limit: object
    ) -> None:
        """A limit below 1 or not whole, or a position that is not an aware deadline and an id."""
        with unit_of_work_factory() as uow, pytest.raises(InvalidInput):
            uow.casefile.overdue("pages", Assignment, BASE, after=after, limit=limit)  # type: ignore[arg-type]
