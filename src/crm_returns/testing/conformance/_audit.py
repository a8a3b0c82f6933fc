"""AuditLogContract: the audit trail keeps every entry exactly, in the order written."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

from crm_returns.domain.returns.states import Action
from crm_returns.testing.conformance._base import Contract, UnitOfWorkFactory, assert_identical
from crm_returns.testing.conformance._history import history

__all__ = ["AuditLogContract"]


class AuditLogContract(Contract):
    """``uow.audit`` is append-only and gives each return's entries back oldest first."""

    def test_audit_entries_read_back_exactly_oldest_first(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """Each return's trail comes back whole and in order, though written in many commits.

        Entries of one moment (a refund granted as the return completes) keep
        the order they were appended in.  Denied attempts are kept like any
        entry: in the return's trail, or — when they concerned no return, with
        no status at all — in the tenant's trail, read with return id ``""``.
        """
        sample = history()
        half = len(sample.entries) // 2
        for part in (sample.entries[:half], sample.entries[half:]):
            with unit_of_work_factory() as uow:
                for entry in part:
                    uow.audit.append(entry)
                uow.commit()
        with unit_of_work_factory() as uow:
            for order in sample.orders:
                trail = list(uow.audit.for_return(sample.tenant_id, order.id))
                assert_identical(trail, sample.entries_of(order), f"trail of {order.number}")
            tenant_trail = list(uow.audit.for_return(sample.tenant_id, ""))
            assert_identical(tenant_trail, sample.tenant_entries, "the tenant-wide trail")
        denied = [entry for entry in sample.entries if entry.action is Action.DENIED]
        assert any(entry.return_id for entry in denied), "a denial on a return"
        assert any(entry.to_status is None for entry in denied), "a denial on no return"
        assert any(
            a.at == b.at for a, b in zip(sample.entries, sample.entries[1:], strict=False)
        ), "some entries share a moment"

    def test_a_return_without_entries_has_an_empty_trail(
        self, unit_of_work_factory: UnitOfWorkFactory
    ) -> None:
        """An unknown return, or one nobody wrote about, has no entries."""
        sample = history()
        order = sample.completed
        with unit_of_work_factory() as uow:
            assert list(uow.audit.for_return(sample.tenant_id, order.id)) == []
            for entry in sample.entries_of(order):
                uow.audit.append(entry)
            uow.commit()
        with unit_of_work_factory() as uow:
            for other in (sample.rejected.id, order.id.upper(), order.id[:-1], "%"):
                assert list(uow.audit.for_return(sample.tenant_id, other)) == [], other
