"""The conformance kit: the tests every store adapter must pass, ours and yours.

Each ``*Contract`` class is a set of pytest tests that specify one port of
:mod:`crm_returns.ports` — the return repository, the unit of work, the audit
trail, the outbox, reason catalogs, counters, stock moves, journal entries,
and tenant isolation across all of them.  They are named ``*Contract`` so
that pytest does not collect them where they are imported; a test module
collects them by subclassing under a ``Test*`` name and overriding the one
hook, the ``unit_of_work_factory`` fixture, to give units of work over a new,
empty store::

    import pytest

    from crm_returns.testing.conformance import StoreContract, UnitOfWorkFactory


    class TestMyStore(StoreContract):
        @pytest.fixture
        def unit_of_work_factory(self, tmp_path) -> UnitOfWorkFactory:
            return MyDatabase(tmp_path / "returns.db").unit_of_work

:class:`StoreContract` runs every store contract; subclass single contracts
to prove a store that implements only some ports.

:class:`OrderSourceContract` proves the port a host implements over its own
orders, :class:`~crm_returns.ports.OrderSource`, and is not part of
:class:`StoreContract`.  Its hook is the ``order_source_factory`` fixture: a
callable that makes an order source holding the delivered lines it is given::

    class TestMyOrders(OrderSourceContract):
        @pytest.fixture
        def order_source_factory(self) -> OrderSourceFactory:
            return MyOrders  # MyOrders(lines_by_tenant) holds those lines

:class:`BackupsContract` proves a :class:`~crm_returns.ports.Backups`
adapter (files, object storage) and has two hooks of its own: the
``backups_factory`` fixture, a callable that makes a new, empty backup store,
and the ``tamper`` method, which changes a backup's stored bytes::

    class TestMyBackups(BackupsContract):
        @pytest.fixture
        def backups_factory(self, tmp_path) -> BackupsFactory:
            return lambda: MyBackups(tempfile.mkdtemp(dir=tmp_path))

        def tamper(self, backups, reference, change) -> None:
            path = Path(reference.location)
            path.write_bytes(change(path.read_bytes()))

:class:`CarrierContract` proves a carrier adapter
(:class:`~crm_returns.ports.carriers.Carrier`); its hook is the
``carrier_factory`` fixture, a callable that makes a new carrier::

    class TestMyCarrier(CarrierContract):
        @pytest.fixture
        def carrier_factory(self) -> CarrierFactory:
            return lambda: SfExpressCarrier(sandbox_credentials())
:class:`AttachmentStoreContract` proves an
:class:`~crm_returns.ports.AttachmentStore` adapter (a directory, a bucket)
the same way: the ``attachment_store_factory`` fixture makes a new, empty
store, and ``tamper`` changes a stored file's bytes behind its back::

    class TestMyAttachments(AttachmentStoreContract):
        @pytest.fixture
        def attachment_store_factory(self, tmp_path) -> AttachmentStoreFactory:
            return lambda: MyStore(tempfile.mkdtemp(dir=tmp_path))

        def tamper(self, store, tenant_id, attachment_id, change) -> None:
            path = store.path(tenant_id, attachment_id)
            path.write_bytes(change(path.read_bytes()))

:class:`HostRecordsContract` proves the host's own record keeper
(:class:`~crm_returns.ports.retention.HostRecords`: customers, orders, deals).
Its hook is the ``host_records`` fixture: a new, empty keeper with an ``add``
method to seed it (:class:`SeededHostRecords`)::

    class TestMyCustomers(HostRecordsContract):
        @pytest.fixture
        def host_records(self) -> SeededHostRecords:
            return MyHostRecords(empty_tables())

:class:`RetentionContract` (part of :class:`StoreContract`) proves
``uow.retention``: the library's records as retention pages, exports,
archives, destroys and erases them, and what it keeps of its own.

:class:`CaseFileContract` (part of :class:`StoreContract`) proves
``uow.casefile``: every kind of customer-side record kept exactly, unique
ids and keys, version checks, and the lists by return (one, or a page of
them: :class:`ReturnPageRecordsContract`), customer and deadline.

``docs/conformance.md`` lists what each contract checks; ``docs/backups.md``
describes the backup port.

This module imports pytest and hypothesis: it belongs to test suites, and
needs the ``testing`` extra and pytest.  It asks pytest to rewrite the
asserts of its contract modules, so that a failing contract explains itself
as a test of your own would.
"""

from __future__ import annotations

import pytest

# Before the contract modules are imported, or pytest cannot rewrite them.
pytest.register_assert_rewrite(
    *(
        f"{__name__}.{module}"
        for module in (
            "_attachments",
            "_audit",
            "_backups",
            "_base",
            "_casefile",
            "_casefile_pages",
            "_casefile_returns",
            "_deliveries",
            "_host_records",
            "_idempotency",
            "_journal",
            "_order_lines",
            "_orders",
            "_reasons",
            "_retention",
            "_retention_actions",
            "_retention_book",
            "_retention_seed",
            "_return_lists",
            "_returns",
            "_sequences",
            "_stock",
            "_tenants",
            "_unit_of_work",
        )
    )
)

from crm_returns.testing.conformance._attachments import (  # noqa: E402
    AttachmentStoreContract,
    AttachmentStoreFactory,
)
from crm_returns.testing.conformance._audit import AuditLogContract  # noqa: E402
from crm_returns.testing.conformance._backups import (  # noqa: E402
    BackupsContract,
    BackupsFactory,
)
from crm_returns.testing.conformance._base import UnitOfWorkFactory, assert_identical  # noqa: E402
from crm_returns.testing.conformance._carriers import (  # noqa: E402
    CarrierContract,
    CarrierFactory,
)
from crm_returns.testing.conformance._casefile import CaseFileContract  # noqa: E402
from crm_returns.testing.conformance._casefile_pages import OverduePagesContract  # noqa: E402
from crm_returns.testing.conformance._casefile_returns import (  # noqa: E402
    ReturnPageRecordsContract,
)
from crm_returns.testing.conformance._deliveries import DeliveriesContract  # noqa: E402
from crm_returns.testing.conformance._facts import LineFactsContract  # noqa: E402
from crm_returns.testing.conformance._host_records import (  # noqa: E402
    HostRecordsContract,
    SeededHostRecords,
)
from crm_returns.testing.conformance._idempotency import IdempotencyContract  # noqa: E402
from crm_returns.testing.conformance._journal import JournalContract  # noqa: E402
from crm_returns.testing.conformance._orders import (  # noqa: E402
    OrderSourceContract,
    OrderSourceFactory,
)
from crm_returns.testing.conformance._reasons import ReasonStoreContract  # noqa: E402
from crm_returns.testing.conformance._retention import RetentionContract  # noqa: E402
from crm_returns.testing.conformance._retention_actions import (  # noqa: E402
    RetentionActionsContract,
)
from crm_returns.testing.conformance._retention_book import RetentionBookContract  # noqa: E402
from crm_returns.testing.conformance._retention_casefile import (  # noqa: E402
    RetentionCaseFileContract,
)
from crm_returns.testing.conformance._return_lists import ReturnListContract  # noqa: E402
from crm_returns.testing.conformance._returns import ReturnRepositoryContract  # noqa: E402
from crm_returns.testing.conformance._sequences import SequencesContract  # noqa: E402
from crm_returns.testing.conformance._stock import StockLedgerContract  # noqa: E402
from crm_returns.testing.conformance._tenants import TenantIsolationContract  # noqa: E402
from crm_returns.testing.conformance._unit_of_work import UnitOfWorkContract  # noqa: E402

__all__ = [
    "AttachmentStoreContract",
    "AttachmentStoreFactory",
    "AuditLogContract",
    "BackupsContract",
    "BackupsFactory",
    "CarrierContract",
    "CarrierFactory",
    "CaseFileContract",
    "DeliveriesContract",
    "HostRecordsContract",
    "IdempotencyContract",
    "JournalContract",
    "LineFactsContract",
    "OrderSourceContract",
    "OrderSourceFactory",
    "OverduePagesContract",
    "ReasonStoreContract",
    "RetentionActionsContract",
    "RetentionBookContract",
    "RetentionCaseFileContract",
    "RetentionContract",
    "ReturnListContract",
    "ReturnPageRecordsContract",
    "ReturnRepositoryContract",
    "SeededHostRecords",
    "SequencesContract",
    "StockLedgerContract",
    "StoreContract",
    "TenantIsolationContract",
    "UnitOfWorkContract",
    "UnitOfWorkFactory",
    "assert_identical",
]


class StoreContract(
    ReturnRepositoryContract,
    ReturnListContract,
    UnitOfWorkContract,
    AuditLogContract,
    DeliveriesContract,
    ReasonStoreContract,
    SequencesContract,
    StockLedgerContract,
    JournalContract,
    IdempotencyContract,
    TenantIsolationContract,
    RetentionContract,
    CaseFileContract,
    LineFactsContract,
):
    """Every store contract at once: subclass it, override ``unit_of_work_factory``, run pytest."""
