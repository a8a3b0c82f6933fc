"""SequencesContract: counters for readable numbers, transactional like everything else."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory
from crm_returns.testing.conformance._history import history

__all__ = ["SequencesContract"]


class SequencesContract(Contract):
    """``uow.sequences`` counts 1, 2, 3, ... per key, and forgets what was rolled back."""

    def test_a_counter_starts_at_one_and_counts_up(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Values follow each other within a unit of work and across commits."""
        key = history().sequence_key
        with unit_of_work_factory() as uow:
            drawn = [uow.sequences.next(key) for _ in range(3)]
            uow.commit()
        with unit_of_work_factory() as uow:
            drawn.append(uow.sequences.next(key))
            uow.commit()
        assert drawn == [1, 2, 3, 4]

    def test_counters_are_independent(self, unit_of_work_factory: UnitOfWorkFactory) -> None:
        """Each key counts on its own; keys are compared exactly, in any script."""
        key = history().sequence_key
        others = [f"{key}-2", key.upper(), f"return:租户-β:{key.rsplit(':', 1)[-1]}", "return"]
        with unit_of_work_factory() as uow:
            assert [uow.sequences.next(key) for _ in range(2)] == [1, 2]
            assert [uow.sequences.next(other) for other in others] == [1] * len(others)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert [uow.sequences.next(other) for other in [key, *others]] == [3] + [2] * len(
                others
            )

    def test_a_counter_rolls_back_with_its_unit_of_work(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Values drawn in a unit of work that did not commit are drawn again."""
        key = history().sequence_key
        with unit_of_work_factory() as uow:
            uow.sequences.next(key)
            uow.commit()
        with unit_of_work_factory() as uow:
            assert [uow.sequences.next(key), uow.sequences.next(key)] == [2, 3]
        with unit_of_work_factory() as uow:
            assert uow.sequences.next(key) == 2
