"""UnitOfWorkContract: all of a unit of work's writes commit together, or none do."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import threading

import attrs
import pytest

from crm_returns.domain.queries import ReturnQuery
from crm_returns.domain.reasons import DEFAULT_CATALOG
from crm_returns.errors import NotFound
from crm_returns.testing.conformance._base import (
    Contract,
    UnitOfWorkFactory,
    Visible,
    assert_identical,
    store,
    visible,
    write,
)
from crm_returns.testing.conformance._history import History, history

__all__ = ["UnitOfWorkContract"]

#: How long a writer gives a concurrent reader before taking it to be blocked.
_READER_WAIT = 0.25
#: How long a reader may take once the writer has let go.
_READER_TIMEOUT = 30.0


class _Boom(Exception):
    """Raised inside a unit of work to leave it by an error."""


@attrs.define
class _Reader:
    """Reads everything in a unit of work of its own, on a thread of its own."""

    factory: UnitOfWorkFactory
    sample: History
    seen: Visible | None = None
    pending: int | None = None
    error: BaseException | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            with self.factory() as uow:
                self.seen = visible(uow, self.sample.tenant_id, self.sample)
                self.pending = sum(
                    uow.deliveries.message(m.id) is not None for m in self.sample.messages
                )
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            self.error = error

    def finished(self, timeout: float) -> bool:
        assert self.thread is not None
        self.thread.join(timeout)
        if self.error is not None:
            raise AssertionError("the concurrent reader failed") from self.error
        return not self.thread.is_alive()


class UnitOfWorkContract(Contract):
    """A unit of work commits every store's writes at once, or none of them.

    Its writes reach returns, audit trail, outbox, reasons, counters, stock
    moves and journal entries; a unit of work left without ``commit`` — on
    purpose or by an exception — rolls every one of them back.
    """

    def test_a_unit_of_work_reads_its_own_writes(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Before commit, a unit of work finds what it wrote exactly as it will after commit."""
        sample = history()
        with unit_of_work_factory() as uow:
            write(uow, sample)
            inside = visible(uow, sample.tenant_id, sample)
            pending_inside = [uow.deliveries.message(m.id) for m in sample.messages]
            counted_inside = [uow.sequences.next(sample.sequence_key) for _ in range(2)]
            uow.commit()
        with unit_of_work_factory() as uow:
            after = visible(uow, sample.tenant_id, sample)
            pending_after = [uow.deliveries.message(m.id) for m in sample.messages]
            counted_after = uow.sequences.next(sample.sequence_key)
        assert_identical(inside, after, "read before commit")
        assert_identical(pending_inside, pending_after, "messages before commit")
        assert (counted_inside, counted_after) == ([1, 2], 3)

    def test_a_commit_makes_every_write_visible(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """After commit, the next unit of work finds everything written, in every store."""
        sample = history()
        store(unit_of_work_factory, sample)
        tenant = sample.tenant_id
        with unit_of_work_factory() as uow:
            seen = visible(uow, tenant, sample)
            kept = [uow.deliveries.message(m.id) for m in sample.messages]
        assert_identical(kept, list(sample.messages), "messages")
        assert_identical(seen.by_id, sample.orders, "returns")
        assert_identical(seen.audit, tuple(e for o in sample.orders for e in sample.entries_of(o)))
        assert_identical(seen.tenant_audit, tuple(sample.tenant_entries), "tenant audit trail")
        assert_identical(seen.catalog, sample.catalog, "reasons")
        assert_identical(seen.moves["all"], sample.moves, "stock moves")
        assert_identical(seen.journal["all"], sample.journal, "journal entries")

    @pytest.mark.parametrize("ending", ["leave", "raise"])
    def test_a_unit_of_work_ended_without_commit_rolls_back_every_write(
        self, unit_of_work_factory: UnitOfWorkFactory, ending: str
    ) -> None:
        """Leaving without commit, or by an exception, leaves no trace in any store."""
        sample = history()
        if ending == "raise":
            with pytest.raises(_Boom):
                _write_and_leave(unit_of_work_factory, sample, ending)
        else:
            _write_and_leave(unit_of_work_factory, sample, ending)
        with unit_of_work_factory() as uow:
            assert visible(uow, sample.tenant_id, sample) == Visible()
            assert all(uow.deliveries.message(m.id) is None for m in sample.messages)
            assert uow.sequences.next(sample.sequence_key) == 1

    def test_a_rollback_undoes_updates_deliveries_and_replacements(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Changes to stored data roll back too: an update, a delivery, a catalog, a counter."""
        sample = history()
        store(unit_of_work_factory, sample)
        with unit_of_work_factory() as uow:
            uow.sequences.next(sample.sequence_key)
            uow.commit()
        with unit_of_work_factory() as uow:
            before = visible(uow, sample.tenant_id, sample)
        with pytest.raises(_Boom):
            _change_everything_then_fail(unit_of_work_factory, sample)
        with unit_of_work_factory() as uow:
            assert_identical(visible(uow, sample.tenant_id, sample), before, "after rollback")
            kept = [uow.deliveries.message(m.id) for m in sample.messages]
            assert_identical(kept, list(sample.messages), "messages")
            assert uow.deliveries.get("relay-test", sample.messages[0].id) is None
            assert uow.sequences.next(sample.sequence_key) == 2
            with pytest.raises(NotFound):
                uow.returns.get(sample.tenant_id, "rolled-back")
            assert uow.returns.search(sample.tenant_id, ReturnQuery()).total == len(sample.orders)

    def test_uncommitted_writes_are_invisible_to_a_concurrent_unit_of_work(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Another unit of work sees none of the writes in flight: it waits, or reads around them.

        A store may serialise units of work (the reader then waits until the
        writer ends) or let them run side by side (the reader then reads the
        committed state); either way it must never see what is not committed.
        """
        sample = history()
        reader = _Reader(unit_of_work_factory, sample)
        with unit_of_work_factory() as uow:
            write(uow, sample)
            reader.start()
            read_alongside = reader.finished(_READER_WAIT)
            if read_alongside:
                assert reader.seen == Visible(), "read writes that were not committed"
                assert reader.pending == 0, "read messages that were not committed"
        assert reader.finished(_READER_TIMEOUT), "the reader still waits after the writer ended"
        assert reader.seen == Visible(), "read writes that were rolled back"
        assert reader.pending == 0, "read messages that were rolled back"


def _write_and_leave(factory: UnitOfWorkFactory, sample: History, ending: str) -> None:
    with factory() as uow:
        write(uow, sample)
        uow.sequences.next(sample.sequence_key)
        if ending == "raise":
            raise _Boom


def _change_everything_then_fail(factory: UnitOfWorkFactory, sample: History) -> None:
    order = sample.submitted
    with factory() as uow:
        uow.returns.update(attrs.evolve(order, note="rolled back", version=9), order.version)
        uow.returns.add(attrs.evolve(order, id="rolled-back", number="RT-ROLLED-BACK"))
        uow.audit.append(attrs.evolve(sample.entries[0], id="rolled-back"))
        uow.deliveries.fan_out("relay-test", sample.completed.updated_at, 1000)
        uow.reasons.put(sample.tenant_id, DEFAULT_CATALOG)
        uow.sequences.next(sample.sequence_key)
        uow.stock.add([attrs.evolve(sample.moves[0], id="rolled-back")])
        uow.journal.add([attrs.evolve(sample.journal[0], id="rolled-back")])
        raise _Boom
