"""What the demo runs on: a service over the sample shop of :mod:`crm_returns.samples`."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from crm_returns.adapters.carriers import ManualCarrier, MemoryCarrier
from crm_returns.adapters.memory import (
    ManualClock,
    MemoryAttachmentStore,
    MemoryDatabase,
    SequentialIds,
)
from crm_returns.ports import AttachmentStore, IdGenerator, UnitOfWork
from crm_returns.samples import (
    SAMPLE_POLICY,
    SAMPLE_REFUND_POLICY,
    SAMPLE_START,
    SAMPLE_TENANT,
    SampleStaff,
    sample_orders,
    sample_staff,
)
from crm_returns.service.service import ReturnsService
from crm_returns.service.settings import ServiceSettings

__all__ = ["DemoWiring", "wire_demo"]


@attrs.frozen
class DemoWiring:
    """A service over the sample orders, the clock the demo moves, and who takes each step.

    Attributes:
        service: The service, with the sample approval and refund policies, a
            manual and a memory carrier, and an attachment store.
        clock: The service's clock, standing at :data:`~crm_returns.samples.SAMPLE_START`
            until the demo moves it.
        staff: The shop's people.
    """

    service: ReturnsService
    clock: ManualClock
    staff: SampleStaff


def wire_demo(
    *,
    tenant: str = SAMPLE_TENANT,
    unit_of_work: Callable[[], UnitOfWork] | None = None,
    ids: IdGenerator | None = None,
    attachments: AttachmentStore | None = None,
) -> DemoWiring:
    """A new service over the sample shop, its returns kept in memory unless told otherwise.

    Args:
        tenant: The tenant the orders and the staff belong to.
        unit_of_work: Keep the returns in this store (a SQL database, say).
        ids: The id generator; sequential ids (``id-1``, ...) by default.
        attachments: Where photos are kept; in memory by default.
    """
    clock = ManualClock(SAMPLE_START)
    service = ReturnsService(
        sample_orders(SAMPLE_START, tenant=tenant),
        unit_of_work or MemoryDatabase().unit_of_work,
        ServiceSettings(
            clock=clock,
            ids=ids or SequentialIds(),
            approval_policy=SAMPLE_POLICY,
            refund_policy=SAMPLE_REFUND_POLICY,
            carriers=(ManualCarrier(), MemoryCarrier()),
            attachments=MemoryAttachmentStore() if attachments is None else attachments,
        ),
    )
    return DemoWiring(service=service, clock=clock, staff=sample_staff(tenant))
