"""StockLedgerContract: stock moves kept exactly, oldest first, found by return and SKU."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from crm_returns.domain.stock.moves import StockMove
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import History, history

__all__ = ["StockLedgerContract"]


def _record(factory: UnitOfWorkFactory, sample: History) -> list[StockMove]:
    half = len(sample.moves) // 2
    for batch in (sample.moves[:half], sample.moves[half:]):
        with factory() as uow:
            uow.stock.add(batch)
            uow.commit()
    return list(sample.moves)


class StockLedgerContract(Contract):
    """``uow.stock`` is append-only; ``moves`` filters by every argument given."""

    def test_an_empty_ledger_has_no_moves(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """A new store has no stock moves."""
        with unit_of_work_factory() as uow:
            assert list(uow.stock.moves(history().tenant_id)) == []

    def test_stock_moves_read_back_exactly_oldest_first(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Quantities, locations, serial numbers and lots come back as recorded, in order."""
        sample = history()
        moves = _record(unit_of_work_factory, sample)
        with unit_of_work_factory() as uow:
            assert_identical(list(uow.stock.moves(sample.tenant_id)), moves, "stock moves")

    def test_stock_moves_filter_by_return_and_by_sku(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """``return_id`` and ``sku`` keep exact matches only, and combine."""
        sample = history()
        moves = _record(unit_of_work_factory, sample)
        return_ids = sorted({move.return_id for move in moves})
        skus = sorted({move.sku for move in moves})
        near_misses = [return_ids[0].upper(), return_ids[0][:-1], "%"]
        cases: list[tuple[str | None, str | None]] = [
            *((return_id, None) for return_id in [*return_ids, *near_misses]),
            *((None, sku) for sku in [*skus, skus[0].lower(), skus[0][:-1], "%"]),
            *((return_id, sku) for return_id in return_ids for sku in skus),
        ]
        with unit_of_work_factory() as uow:
            for return_id, sku in cases:
                expected = [
                    move
                    for move in moves
                    if return_id in (None, move.return_id) and sku in (None, move.sku)
                ]
                found = list(uow.stock.moves(sample.tenant_id, return_id=return_id, sku=sku))
                assert_identical(found, expected, f"moves(return_id={return_id!r}, sku={sku!r})")
        assert len(return_ids) > 1, "moves of several returns"
        assert len(skus) > 1, "moves of several SKUs"
