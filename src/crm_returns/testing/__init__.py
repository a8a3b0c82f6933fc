"""Public test kit: a service wired to in-memory adapters and the sample data, in one call.

:func:`sample_wiring` wires the shop of :mod:`crm_returns.samples` (its
orders, policies and staff) to in-memory adapters and a manual clock, for
hosts' own test suites.  ``crm_returns.testing.strategies`` (needs the
``testing`` extra) has hypothesis strategies for order lines, reasons and
return requests; ``crm_returns.testing.conformance`` checks a store.

Example::

    from crm_returns.testing import sample_wiring

    wiring = sample_wiring()
    order = wiring.service.create_return(wiring.clerk, request)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

import attrs

from crm_returns.adapters.carriers import ManualCarrier, MemoryCarrier
from crm_returns.adapters.memory import (
    ManualClock,
    MemoryAttachmentStore,
    MemoryDatabase,
    MemoryDestination,
    MemoryOrderSource,
    SequentialIds,
)
from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.approval import ApprovalPolicy
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.ports import IdGenerator, UnitOfWork
from crm_returns.samples import (
    SAMPLE_POLICY,
    SAMPLE_REFUND_POLICY,
    SAMPLE_START,
    SAMPLE_TENANT,
    sample_orders,
    sample_staff,
)
from crm_returns.service.delivery import EventRelay
from crm_returns.service.relay_settings import RelaySettings
from crm_returns.service.service import ReturnsService
from crm_returns.service.settings import ServiceSettings

__all__ = ["Wiring", "sample_wiring"]


@attrs.frozen
class Wiring:
    """A service on in-memory adapters, with the parts a test wants to reach.

    The actors are the staff of :func:`~crm_returns.samples.sample_staff`.

    Attributes:
        service: The service.
        database: Its committed state (unused when another store was given).
        orders: The delivered order lines it reads.
        clock: A clock that moves only when told.
        ids: Sequential ids (unused when another generator was given).
        destination: A destination that keeps what it is given.
        relay: A relay of the service's events to ``destination`` (jitter from a
            seeded generator, so that retry times repeat).
        clerk: A requester (customer service).
        approver: A manager who approves.
        warehouse: A warehouse worker who receives goods.
        inspector: A quality inspector.
        finance: A finance clerk who grants and pays refunds and closes returns.
        admin: Someone who may do everything (role ``admin``).
    """

    service: ReturnsService
    database: MemoryDatabase
    orders: MemoryOrderSource
    clock: ManualClock
    ids: SequentialIds
    destination: MemoryDestination
    relay: EventRelay
    clerk: Actor
    approver: Actor
    warehouse: Actor
    inspector: Actor
    finance: Actor
    admin: Actor


def sample_wiring(
    *,
    now: datetime | None = None,
    policy: ApprovalPolicy = SAMPLE_POLICY,
    refund_policy: RefundPolicy = SAMPLE_REFUND_POLICY,
    with_sample_orders: bool = True,
    tenant: str = SAMPLE_TENANT,
    unit_of_work: Callable[[], UnitOfWork] | None = None,
    ids: IdGenerator | None = None,
) -> Wiring:
    """A service wired to in-memory adapters and the sample data, in one call.

    Args:
        now: Where the manual clock starts (:data:`~crm_returns.samples.SAMPLE_START`
            by default).
        policy: The approval policy (:data:`~crm_returns.samples.SAMPLE_POLICY` by default).
        refund_policy: Restocking fees and shipping refunds
            (:data:`~crm_returns.samples.SAMPLE_REFUND_POLICY` by default).
        with_sample_orders: Load :func:`~crm_returns.samples.sample_lines` for the tenant.
        tenant: The tenant the sample orders and actors belong to.
        unit_of_work: Keep returns in another store (a SQL database, say);
            ``database`` is then a fresh in-memory store the service does not use.
        ids: The id generator; sequential ids (``id-1``, ...) by default, which
            suit a store that starts empty.

    The service's carriers are a :class:`~crm_returns.ManualCarrier` (``manual``)
    and a :class:`~crm_returns.MemoryCarrier` (``memory``: labels, and tracking
    events pushed with ``service.settings.carrier("memory").push(...)``).
    Photos and files are kept in a new ``MemoryAttachmentStore``
    (``service.settings.attachments``).
    """
    start = now or SAMPLE_START
    clock = ManualClock(start)
    sequential = SequentialIds()
    database = MemoryDatabase()
    orders = sample_orders(start, tenant=tenant) if with_sample_orders else MemoryOrderSource()
    service = ReturnsService(
        orders,
        unit_of_work or database.unit_of_work,
        ServiceSettings(
            clock=clock,
            ids=ids or sequential,
            approval_policy=policy,
            refund_policy=refund_policy,
            carriers=(ManualCarrier(), MemoryCarrier()),
            attachments=MemoryAttachmentStore(),
        ),
    )
    staff = sample_staff(tenant)
    destination = MemoryDestination()
    return Wiring(
        service=service,
        database=database,
        orders=orders,
        clock=clock,
        ids=sequential,
        destination=destination,
        relay=service.relay(
            # Seeded, so that retry times repeat from run to run; no secret needs it.
            [destination],
            RelaySettings(relay_id="relay-1", spin=random.Random(0).random),  # noqa: S311
        ),
        clerk=staff.clerk,
        approver=staff.approver,
        warehouse=staff.warehouse,
        inspector=staff.inspector,
        finance=staff.finance,
        admin=staff.admin,
    )
