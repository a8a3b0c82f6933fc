"""JournalContract: journal entries kept exactly, found by return, account and period."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from datetime import UTC, datetime

from crm_returns.domain.books.journal import JournalEntry
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import History, history

__all__ = ["JournalContract"]


def _post(factory: UnitOfWorkFactory, sample: History) -> list[JournalEntry]:
    half = len(sample.journal) // 2
    for batch in (sample.journal[:half], sample.journal[half:]):
        with factory() as uow:
            uow.journal.add(batch)
            uow.commit()
    return list(sample.journal)


def _touches(entry: JournalEntry, account_code: str) -> bool:
    return any(posting.account.code == account_code for posting in entry.postings)


def _in_period(entry: JournalEntry, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or entry.at >= start) and (end is None or entry.at < end)


class JournalContract(Contract):
    """``uow.journal`` is append-only; ``entries`` filters by every argument given."""

    def test_an_empty_journal_has_no_entries(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """A new store has no journal entries."""
        with unit_of_work_factory() as uow:
            assert list(uow.journal.entries(history().tenant_id)) == []

    def test_journal_entries_read_back_exactly_oldest_first(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Postings, accounts, amounts to the last decimal place and memos come back in order."""
        sample = history()
        entries = _post(unit_of_work_factory, sample)
        with unit_of_work_factory() as uow:
            found = list(uow.journal.entries(sample.tenant_id))
        assert_identical(found, entries, "journal entries")

    def test_journal_entries_filter_by_return_and_account(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``return_id`` keeps one return's entries, ``account_code`` those touching the account.

        Codes match exactly: ``6001`` is not ``6001.01``.
        """
        sample = history()
        entries = _post(unit_of_work_factory, sample)
        return_ids = sorted({entry.return_id for entry in entries})
        codes = sorted({p.account.code for entry in entries for p in entry.postings})
        prefixes = sorted({code.split(".")[0] for code in codes if "." in code})
        assert prefixes, "some account code has a prefix that is not itself used"
        cases: list[tuple[str | None, str | None]] = [
            *((return_id, None) for return_id in [*return_ids, return_ids[0].upper(), "%"]),
            *((None, code) for code in [*codes, *prefixes, f"{codes[0]} ", "%"]),
            *((return_id, code) for return_id in return_ids for code in codes),
        ]
        with unit_of_work_factory() as uow:
            for return_id, code in cases:
                expected = [
                    entry
                    for entry in entries
                    if return_id in (None, entry.return_id)
                    and (code is None or _touches(entry, code))
                ]
                found = list(
                    uow.journal.entries(sample.tenant_id, return_id=return_id, account_code=code)
                )
                what = f"entries(return_id={return_id!r}, account_code={code!r})"
                assert_identical(found, expected, what)
        assert len(return_ids) > 1, "entries of several returns"

    def test_a_period_includes_its_start_and_excludes_its_end(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``start`` ≤ at < ``end``, comparing instants whatever the time zone."""
        sample = history()
        entries = _post(unit_of_work_factory, sample)
        moments = sorted({entry.at for entry in entries})
        assert len(moments) > 2, "entries at several moments"
        bounds: list[tuple[datetime | None, datetime | None]] = [
            *((moment, None) for moment in moments),
            *((None, moment) for moment in moments),
            *((moment.astimezone(UTC), None) for moment in moments),
            *((start, end) for start in moments for end in moments if start <= end),
        ]
        account = entries[0].postings[0].account.code
        with unit_of_work_factory() as uow:
            for start, end in bounds:
                expected = [entry for entry in entries if _in_period(entry, start, end)]
                found = list(uow.journal.entries(sample.tenant_id, start=start, end=end))
                assert_identical(found, expected, f"entries(start={start}, end={end})")
                expected = [entry for entry in expected if _touches(entry, account)]
                found = list(
                    uow.journal.entries(
                        sample.tenant_id, account_code=account, start=start, end=end
                    )
                )
                what = f"entries(account_code={account!r}, start={start}, end={end})"
                assert_identical(found, expected, what)
