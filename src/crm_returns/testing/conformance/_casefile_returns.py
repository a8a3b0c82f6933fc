"""ReturnPageRecordsContract: the case-file records of a page of returns, in one read.

Part of :class:`~crm_returns.testing.conformance.CaseFileContract`.  A list
of returns shows each with its request and parcels; ``casefile.for_returns``
gives the records of the returns on one page, so that a page costs what it
holds and not what the customer's (or the tenant's) whole history holds.  It
must give exactly what ``for_return`` gives for each of those returns,
merged in the case file's order: oldest first by ``at``, then by ``id`` in
code-point order.
"""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone

import attrs

from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.interactions.records import (
    ContactChannel,
    CustomerContact,
    Direction,
    Feedback,
)
from crm_returns.domain.queries import MAX_PAGE_SIZE
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical

__all__ = ["ReturnPageRecordsContract"]

T = "acme"
OTHER = "globex"
BASE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHINA = timezone(timedelta(hours=8))
#: Ids whose code-point order differs from most collations' (case, accents, digits, width).
IDS = ("b", "B", "a", "Z", "é", "e", "10", "9", "a-1", "a_1", "Ａ", "😀", "ß", "ss")


def _contact(
    record_id: str,
    return_id: str,
    *,
    at: datetime = BASE,
    tenant_id: str = T,
    customer_id: str = "C-1",
) -> CustomerContact:
    return CustomerContact(
        tenant_id=tenant_id,
        id=record_id,
        return_id=return_id,
        customer_id=customer_id,
        at=at,
        channel=ContactChannel.EMAIL,
        direction=Direction.OUTBOUND,
        summary=f"mail {record_id} about {return_id}",
        by="clerk",
        by_name="Wang Fang 王芳",
    )


def _add(factory: UnitOfWorkFactory, *records: CaseRecord) -> None:
    with factory() as uow:
        for record in records:
            uow.casefile.add(record)
        uow.commit()


def _oldest_first(records: Iterable[CaseRecord]) -> list[CaseRecord]:
    # Python compares aware datetimes as instants and strings by code point.
    return sorted(records, key=lambda record: (record.at, record.id))


def _of(
    records: Sequence[CaseRecord], tenant_id: str, return_ids: Iterable[str]
) -> list[CaseRecord]:
    wanted = set(return_ids)
    mine = (r for r in records if r.tenant_id == tenant_id and r.return_id in wanted)
    return list(_oldest_first(mine))


class ReturnPageRecordsContract(Contract):
    """``casefile.for_returns`` gives the records of a set of returns, merged oldest first."""

    def test_the_records_of_the_returns_asked_merged_oldest_first(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Only the returns asked, only the kind asked; ties on ``at`` by id in code-point order."""
        # Records of interleave in time, some tied at one instant
        # written at two offsets; R-3 is another customer's, R-4 is not asked.
        contacts = [
            _contact(
                record_id,
                "R-1" if n % 3 else "R-2",
                at=BASE.astimezone(CHINA) if n % 2 else BASE,
            )
            for n, record_id in enumerate(IDS)
        ]
        contacts += [
            _contact("early", "R-2", at=BASE - timedelta(microseconds=1)),
            _contact("late", "R-1", at=BASE + timedelta(days=1)),
            _contact("theirs", "R-3", customer_id="C-2"),
            _contact("not-asked", "R-4", at=BASE - timedelta(days=1)),
            _contact("b", "R-1", tenant_id=OTHER),  # another tenant's record of a return R-1
        ]
        feedback = Feedback(
            tenant_id=T, id="F", return_id="R-1", customer_id="C-1", at=BASE, score=5
        )
        _add(unit_of_work_factory, *reversed(contacts), feedback)
        asked: list[list[str]] = [
            ["R-1"],
            ["R-2", "R-1"],
            ["R-1", "R-2", "R-3"],
            ["R-1", "R-1", "R-1"],  # an id given twice counts once
            ["R-1", "R-9"],  # a return without records adds none
            ["R-9"],
            [],
        ]
        with unit_of_work_factory() as uow:
            for return_ids in asked:
                found = uow.casefile.for_returns(T, return_ids, CustomerContact)
                expected = _of(contacts, T, return_ids)
                assert_identical(list(found), expected, f"for_returns({return_ids})")
                merged = _oldest_first(
                    record
                    for return_id in set(return_ids)
                    for record in uow.casefile.for_return(T, return_id, CustomerContact)
                )
                assert_identical(list(found), merged, f"for_return of each of {return_ids}")
            # Any iterable of ids: a generator is read once.
            lazily = uow.casefile.for_returns(T, (r for r in ("R-2", "R-1")), CustomerContact)
            assert_identical(list(lazily), _of(contacts, T, ["R-1", "R-2"]), "from a generator")
            assert_identical(list(uow.casefile.for_returns(T, ["R-1"], Feedback)), [feedback])
            theirs = uow.casefile.for_returns(OTHER, ["R-1", "R-2"], CustomerContact)
            assert [record.id for record in theirs] == ["b"]
            assert list(uow.casefile.for_returns("initech", ["R-1"], CustomerContact)) == []

    def test_a_unit_of_work_sees_its_own_pending_records_of_the_returns(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Records added and replaced in the unit of work are found before the commit, once."""
        stored = _contact("K-1", "R-1")
        _add(unit_of_work_factory, stored)
        added = _contact("K-2", "R-2", at=BASE - timedelta(hours=1))
        replaced = attrs.evolve(stored, version=2, summary="resent with the label")
        with unit_of_work_factory() as uow:
            uow.casefile.add(added)
            uow.casefile.update(replaced, 1)
            found = uow.casefile.for_returns(T, ["R-1", "R-2"], CustomerContact)
            assert_identical(list(found), [added, replaced], "before the commit")

    def test_a_page_of_any_size_reads_back_whole(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """The largest page a list shows, and one more, each return's records all there."""
        count = MAX_PAGE_SIZE + 1
        records = [
            _contact(f"K-{n:04d}", f"R-{n:04d}", at=BASE + timedelta(seconds=count - n))
            for n in range(count)
        ]
        records += [_contact(f"K-{n:04d}-2", f"R-{n:04d}") for n in range(0, count, 7)]
        _add(unit_of_work_factory, *records)
        everyone = [f"R-{n:04d}" for n in range(count)]
        every_other = everyone[::2]
        with unit_of_work_factory() as uow:
            found = uow.casefile.for_returns(T, everyone, CustomerContact)
            assert_identical(list(found), _of(records, T, everyone), "every return")
            found = uow.casefile.for_returns(T, every_other, CustomerContact)
            assert_identical(list(found), _of(records, T, every_other), "every other return")
