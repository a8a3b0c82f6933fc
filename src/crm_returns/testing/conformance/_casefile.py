"""CaseFileContract: customer-side records kept exactly, unique where they say, found every way."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.casefile.kinds import RECORD_KINDS
from crm_returns.domain.interactions.records import (
    ContactChannel,
    CustomerContact,
    Direction,
    Feedback,
)
from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.errors import ConcurrencyConflict, InvalidInput, NotFound
from crm_returns.ports import UnitOfWork
from crm_returns.testing.casefile_strategies import RECORD_STRATEGIES
from crm_returns.testing.conformance._base import UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._casefile_pages import OverduePagesContract
from crm_returns.testing.conformance._casefile_returns import ReturnPageRecordsContract

__all__ = ["CaseFileContract"]

T = "acme"
OTHER = "globex"
BASE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHINA = timezone(timedelta(hours=8))

#: Ids whose code-point order differs from most collations' (case, accents, digits, width).
AWKWARD_IDS = ("b", "B", "a", "Z", "é", "e", "10", "9", "a-1", "a_1", "Ａ", "😀", "ß", "ss")


def _contact(
    record_id: str,
    *,
    at: datetime = BASE,
    tenant_id: str = T,
    return_id: str = "R-1",
    customer_id: str = "C-1",
    source: str | None = None,
) -> CustomerContact:
    return CustomerContact(
        tenant_id=tenant_id,
        id=record_id,
        return_id=return_id,
        customer_id=customer_id,
        at=at,
        channel=ContactChannel.CALL,
        direction=Direction.INBOUND,
        summary=f"call {record_id}",
        by="clerk",
        by_name="Wang Fang 王芳",
        source=source,
    )


def _assignment(
    record_id: str,
    due_at: datetime | None,
    *,
    user_id: str | None = "u-1",
    team: str | None = None,
    tenant_id: str = T,
) -> Assignment:
    # One per return: the return's id is the record's unique key.
    return Assignment(
        tenant_id=tenant_id,
        id=record_id,
        return_id=f"R-{record_id}",
        customer_id="C-1",
        at=BASE,
        user_id=user_id,
        team=team,
        assigned_by="supervisor",
        stage=None if due_at is None else Stage.INSPECT,
        due_at=due_at,
    )


def _add(factory: UnitOfWorkFactory, *records: CaseRecord) -> None:
    with factory() as uow:
        for record in records:
            uow.casefile.add(record)
        uow.commit()


def _ids(records: Sequence[CaseRecord]) -> list[str]:
    return [record.id for record in records]


def _unchanged(uow: UnitOfWork, record: CaseRecord) -> None:
    stored = uow.casefile.get(record.tenant_id, type(record), record.id)
    assert_identical(stored, record, f"{record.kind} {record.id}")


@attrs.frozen
class _Stranger(CaseRecord):
    """A record class no store knows (not in RECORD_KINDS)."""

    kind: ClassVar[str] = "stranger"


class CaseFileContract(OverduePagesContract, ReturnPageRecordsContract):
    """``uow.casefile`` keeps every kind of case-file record exactly and finds it every way.

    Ids are unique per tenant and kind, keys too where a record has one; a
    refused ``add`` or ``update`` raises at once, writes nothing, and leaves
    the unit of work usable.  Lists are oldest first by ``at`` then ``id``,
    overdue lists earliest deadline first then ``id``, ids in code-point order;
    overdue lists page by position (:class:`OverduePagesContract`); the
    records of a page of returns come in one read
    (:class:`ReturnPageRecordsContract`).
    """

    def test_every_kind_of_case_record_reads_back_exactly(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Records of every kind, with any text and times at any offset, come back unchanged."""
        assert set(RECORD_STRATEGIES) == set(RECORD_KINDS)
        tenants = itertools.count(1)

        # Every example writes one record of each kind, in a tenant of its own.
        @settings(deadline=None)
        @given(st.tuples(*(strategy() for strategy in RECORD_STRATEGIES.values())))
        def round_trip(drawn: tuple[CaseRecord, ...]) -> None:
            tenant = f"tenant-{next(tenants)}"
            records = [attrs.evolve(record, tenant_id=tenant) for record in drawn]
            _add(unit_of_work_factory, *records)
            with unit_of_work_factory() as uow:
                for record in records:
                    kind, what = type(record), f"{record.kind} {record.id}"
                    assert_identical(uow.casefile.get(tenant, kind, record.id), record, what)
                    key = record.index().key
                    if key is not None:
                        assert_identical(uow.casefile.find(tenant, kind, key), record, what)
                    by_return = uow.casefile.for_return(tenant, record.return_id, kind)
                    assert_identical(list(by_return), [record], what)
                    by_customer = uow.casefile.for_customer(tenant, record.customer_id, kind)
                    assert_identical(list(by_customer), [record], what)

        round_trip()

    def test_a_tenant_never_sees_another_tenants_case_records(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Another tenant finds nothing, and may use the same ids and keys."""
        contact = _contact("K-1", source="mail-1")
        late = _assignment("A-1", BASE - timedelta(days=1))
        _add(unit_of_work_factory, contact, late)
        with unit_of_work_factory() as uow:
            with pytest.raises(NotFound):
                uow.casefile.get(OTHER, CustomerContact, contact.id)
            assert uow.casefile.find(OTHER, CustomerContact, "mail-1") is None
            assert list(uow.casefile.for_return(OTHER, contact.return_id, CustomerContact)) == []
            assert (
                list(uow.casefile.for_customer(OTHER, contact.customer_id, CustomerContact)) == []
            )
            assert list(uow.casefile.overdue(OTHER, Assignment, BASE)) == []
        theirs = _contact("K-1", tenant_id=OTHER, source="mail-1", at=BASE + timedelta(hours=1))
        _add(unit_of_work_factory, theirs)
        with unit_of_work_factory() as uow:
            _unchanged(uow, contact)
            _unchanged(uow, theirs)
            assert_identical(uow.casefile.find(T, CustomerContact, "mail-1"), contact)

    def test_an_id_is_unique_per_tenant_and_kind(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A second record with a stored id is refused at once, and the unit of work goes on."""
        contact = _contact("X-1")
        _add(unit_of_work_factory, contact)
        other_kind = Feedback(
            tenant_id=T, id="X-1", return_id="R-1", customer_id="C-1", at=BASE, score=4
        )
        with unit_of_work_factory() as uow:
            uow.casefile.add(other_kind)  # the same id in another kind is another record
            with pytest.raises(ConcurrencyConflict):
                uow.casefile.add(attrs.evolve(contact, summary="impostor"))
            uow.casefile.add(_contact("X-2"))
            uow.commit()
        with unit_of_work_factory() as uow:
            _unchanged(uow, contact)
            _unchanged(uow, other_kind)
            assert _ids(uow.casefile.for_return(T, "R-1", CustomerContact)) == ["X-1", "X-2"]

    def test_a_key_is_unique_per_tenant_and_kind(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A record whose key is taken, stored or pending, is refused and not written."""
        first = _contact("K-1", source="sms-7")
        _add(unit_of_work_factory, first)
        with unit_of_work_factory() as uow:
            with pytest.raises(ConcurrencyConflict):
                uow.casefile.add(_contact("K-2", source="sms-7"))
            uow.casefile.add(_contact("K-3", source="sms-8"))
            with pytest.raises(ConcurrencyConflict):
                uow.casefile.add(_contact("K-4", source="sms-8"))  # taken in this unit of work
            uow.casefile.add(_contact("K-5"))  # no key: never a conflict
            uow.casefile.add(_contact("K-6"))
            uow.commit()
        with unit_of_work_factory() as uow:
            for missing in ("K-2", "K-4"):
                with pytest.raises(NotFound):
                    uow.casefile.get(T, CustomerContact, missing)
            assert _ids(uow.casefile.for_return(T, "R-1", CustomerContact)) == [
                "K-1",
                "K-3",
                "K-5",
                "K-6",
            ]
            assert_identical(uow.casefile.find(T, CustomerContact, "sms-7"), first)

    def test_an_update_needs_the_stored_version(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """The next version replaces the record; a stale or missing one is refused."""
        first = _assignment("A-1", BASE, user_id="u-1")
        _add(unit_of_work_factory, first)
        second = attrs.evolve(first, version=2, user_id="u-2", due_at=BASE + timedelta(days=2))
        with unit_of_work_factory() as uow:
            uow.casefile.update(second, 1)
            uow.commit()
        with unit_of_work_factory() as uow:
            with pytest.raises(ConcurrencyConflict):
                uow.casefile.update(attrs.evolve(second, team="late writer"), 1)
            with pytest.raises(ConcurrencyConflict):
                uow.casefile.update(attrs.evolve(second, version=4, team="skipper"), 2)
            with pytest.raises(NotFound):
                uow.casefile.update(_assignment("A-9", BASE), 0)
            with pytest.raises(NotFound):
                uow.casefile.update(attrs.evolve(second, version=3, tenant_id=OTHER), 2)
            third = attrs.evolve(second, version=3, stage=Stage.REFUND)
            uow.casefile.update(third, 2)  # the unit of work goes on
            uow.commit()
        with unit_of_work_factory() as uow:
            _unchanged(uow, third)
            assert _ids(uow.casefile.overdue(T, Assignment, BASE + timedelta(days=3))) == ["A-1"]
            assert list(uow.casefile.overdue(T, Assignment, BASE + timedelta(days=1))) == []
            assert list(uow.casefile.overdue(T, Assignment, BASE, owner="u-1")) == []

    def test_an_update_may_move_the_key_but_not_onto_a_taken_one(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A new key frees the old one; another record's key is refused, changing nothing."""
        one, two = _contact("K-1", source="s-1"), _contact("K-2", source="s-2")
        _add(unit_of_work_factory, one, two)
        with unit_of_work_factory() as uow:
            with pytest.raises(ConcurrencyConflict):
                uow.casefile.update(attrs.evolve(one, version=2, source="s-2"), 1)
            moved = attrs.evolve(one, version=2, source="s-3")
            uow.casefile.update(moved, 1)
            uow.casefile.add(_contact("K-4", source="s-1"))  # the old key is free
            uow.commit()
        with unit_of_work_factory() as uow:
            _unchanged(uow, moved)
            _unchanged(uow, two)
            assert_identical(uow.casefile.find(T, CustomerContact, "s-3"), moved)
            found = uow.casefile.find(T, CustomerContact, "s-1")
            assert found is not None
            assert found.id == "K-4"
            same = attrs.evolve(two, version=2, summary="same key kept")
            uow.casefile.update(same, 1)  # keeping its own key is no conflict
            assert_identical(uow.casefile.find(T, CustomerContact, "s-2"), same)

    def test_lists_are_oldest_first_then_by_id_in_code_point_order(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``for_return``, ``for_customer``: by ``at`` (an instant, at any offset), then ``id``."""
        tied = [
            _contact(record_id, at=BASE.astimezone(CHINA) if n % 2 else BASE)
            for n, record_id in enumerate(AWKWARD_IDS)
        ]
        early = _contact("zz-early", at=BASE - timedelta(microseconds=1), return_id="R-2")
        late = _contact("00-late", at=BASE + timedelta(microseconds=1))
        elsewhere = [
            _contact("R3", return_id="R-3", customer_id="C-2"),
            _contact("x", tenant_id=OTHER),
            Feedback(tenant_id=T, id="F", return_id="R-1", customer_id="C-1", at=BASE, score=5),
        ]
        _add(unit_of_work_factory, late, *reversed(tied), *elsewhere, early)
        expected = sorted(AWKWARD_IDS)
        with unit_of_work_factory() as uow:
            by_return = uow.casefile.for_return(T, "R-1", CustomerContact)
            assert _ids(by_return) == [*expected, "00-late"]
            by_customer = uow.casefile.for_customer(T, "C-1", CustomerContact)
            assert _ids(by_customer) == ["zz-early", *expected, "00-late"]
            assert _ids(uow.casefile.for_customer(T, "C-2", CustomerContact)) == ["R3"]
            assert _ids(uow.casefile.for_return(T, "R-1", Feedback)) == ["F"]
            assert list(uow.casefile.for_return(T, "R-9", CustomerContact)) == []

    def test_overdue_lists_what_is_due_before_a_time_by_owner_and_team(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Due strictly before ``before``; earliest first, then by id; of an owner, a team."""
        day = timedelta(days=1)
        records = [
            _assignment("a", BASE - 2 * day, user_id="u-1", team="returns"),
            _assignment("B", BASE - 2 * day, user_id="u-2", team="returns"),
            _assignment("c", (BASE - 3 * day).astimezone(CHINA), user_id="u-1", team=None),
            _assignment("d", BASE - day, user_id=None, team="warehouse"),
            _assignment("e", BASE, user_id="u-1"),  # due at ``before``: not yet late
            _assignment("f", BASE + day, user_id="u-1"),
            _assignment("g", None, user_id="u-1"),  # nothing due
            _assignment("h", BASE - 5 * day, tenant_id=OTHER),
        ]
        _add(unit_of_work_factory, *records)
        with unit_of_work_factory() as uow:
            late = uow.casefile.overdue
            assert _ids(late(T, Assignment, BASE)) == ["c", "B", "a", "d"]
            assert _ids(late(T, Assignment, BASE, owner="u-1")) == ["c", "a"]
            assert _ids(late(T, Assignment, BASE, team="returns")) == ["B", "a"]
            assert _ids(late(T, Assignment, BASE, owner="u-1", team="returns")) == ["a"]
            assert _ids(late(T, Assignment, BASE, owner="u-9")) == []
            assert _ids(late(T, Assignment, BASE + 2 * day)) == ["c", "B", "a", "d", "e", "f"]
            assert list(late(T, CustomerContact, BASE + 2 * day)) == []
            with pytest.raises(InvalidInput):
                late(T, Assignment, datetime(2026, 12, 1))  # noqa: DTZ001 - the point

    def test_a_unit_of_work_sees_its_own_pending_records(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Before the commit, every query shows what the unit of work added and replaced."""
        stored = _assignment("A-1", BASE + timedelta(days=1))
        _add(unit_of_work_factory, stored)
        added = _contact("K-1", source="chat-1")
        moved = attrs.evolve(stored, version=2, due_at=BASE - timedelta(days=1), team="t")
        with unit_of_work_factory() as uow:
            uow.casefile.add(added)
            uow.casefile.update(moved, 1)
            _unchanged(uow, added)
            _unchanged(uow, moved)
            assert_identical(uow.casefile.find(T, CustomerContact, "chat-1"), added)
            assert _ids(uow.casefile.for_return(T, "R-1", CustomerContact)) == ["K-1"]
            assert _ids(uow.casefile.for_customer(T, "C-1", CustomerContact)) == ["K-1"]
            assert _ids(uow.casefile.overdue(T, Assignment, BASE, team="t")) == ["A-1"]
            uow.commit()
        with unit_of_work_factory() as uow:
            _unchanged(uow, added)
            _unchanged(uow, moved)

    def test_a_unit_of_work_left_without_a_commit_keeps_nothing(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Records added and replaced, then not committed, are gone; the stored ones unchanged."""
        stored = _contact("K-1", source="s-1")
        _add(unit_of_work_factory, stored)
        with unit_of_work_factory() as uow:
            uow.casefile.add(_contact("K-2", source="s-2"))
            uow.casefile.update(attrs.evolve(stored, version=2, source="s-9"), 1)
        with unit_of_work_factory() as uow:
            _unchanged(uow, stored)
            with pytest.raises(NotFound):
                uow.casefile.get(T, CustomerContact, "K-2")
            assert uow.casefile.find(T, CustomerContact, "s-2") is None
            assert uow.casefile.find(T, CustomerContact, "s-9") is None
            assert _ids(uow.casefile.for_return(T, "R-1", CustomerContact)) == ["K-1"]

    def test_only_the_known_kinds_of_record_are_kept(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """A record class that ``RECORD_KINDS`` does not name is refused with ``InvalidInput``."""
        stranger = _Stranger(tenant_id=T, id="S-1", return_id="R-1", customer_id="C-1", at=BASE)
        with unit_of_work_factory() as uow:
            with pytest.raises(InvalidInput):
                uow.casefile.add(stranger)
            with pytest.raises(InvalidInput):
                uow.casefile.get(T, _Stranger, "S-1")
            with pytest.raises(InvalidInput):
                uow.casefile.for_return(T, "R-1", _Stranger)
            with pytest.raises(InvalidInput):
                uow.casefile.for_returns(T, ["R-1", "R-2"], _Stranger)
            with pytest.raises(InvalidInput):
                uow.casefile.for_returns(T, [], _Stranger)  # nothing to read: still refused
