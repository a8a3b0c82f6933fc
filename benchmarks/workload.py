"""The work every benchmark does: delivered orders, the service, one full return lifecycle.

A lifecycle is the six commands of a return, each its own unit of work:
draft → submit → approve → receive → inspect → complete.  Every lifecycle
returns one unit of each line of an order of its own (three lines), so that
no line ever runs out of returnable quantity and each look-up of a line's
history finds exactly what a real shop would: the return being processed.

The approval policy has one rule without conditions, so that every return
waits for a manager and ``approve`` is a real step; the reason is a quality
defect (the seller's fault, inspection required, no restocking fee), so that
``inspect`` decides and ``complete`` grants a refund with a credit note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from crm_returns import (
    Actor,
    ApprovalPolicy,
    ApprovalRule,
    ApprovalStep,
    DeliveredLine,
    Inspection,
    LineRef,
    Money,
    Receipt,
    RequestedLine,
    ReturnOrder,
    ReturnStatus,
)
from crm_returns.adapters.memory import MemoryOrderSource
from crm_returns.adapters.system import UuidIds
from crm_returns.ports import Clock, UnitOfWork
from crm_returns.service import ReturnRequest, ReturnsService
from crm_returns.service.settings import ServiceSettings

__all__ = [
    "LINES_PER_RETURN",
    "MANAGER_ONLY",
    "REASON",
    "TENANT",
    "Lifecycles",
    "Staff",
    "delivered_order",
    "order_number",
    "order_source",
    "returns_service",
]

#: The tenant every benchmark works for.
TENANT = "bench"

#: Lines in each return of a lifecycle.
LINES_PER_RETURN = 3

#: A quality defect: the seller's fault (30-day window, no fee), inspection required.
REASON = "quality_defect"

#: Every return needs a manager's approval: one real approval step per lifecycle.
MANAGER_ONLY = ApprovalPolicy(
    rules=(ApprovalRule(ApprovalStep("manager", frozenset({"approver"}))),),
    version="bench-1",
)

_CNY = "CNY"


class Staff:
    """The people who move a return through its life (the requester never approves)."""

    def __init__(self) -> None:
        self.clerk = Actor("u-clerk", "王芳 (客服)", TENANT, frozenset({"requester"}))
        self.manager = Actor("u-manager", "陈经理", TENANT, frozenset({"approver"}))
        self.warehouse = Actor("u-warehouse", "刘强 (仓库)", TENANT, frozenset({"warehouse"}))
        self.inspector = Actor("u-qa", "赵敏 (质检)", TENANT, frozenset({"inspector"}))
        self.finance = Actor("u-finance", "孙丽 (财务)", TENANT, frozenset({"finance"}))


def order_number(prefix: str, index: int) -> str:
    """The number of the ``index``-th order of a series, such as ``SO-0000042``."""
    return f"{prefix}-{index:07d}"


def delivered_order(number: str, lines: int, delivered_at: datetime) -> Iterator[DeliveredLine]:
    """One customer's order of ``lines`` lines (ids ``1``, ``2``, …), two units each."""
    for position in range(1, lines + 1):
        yield DeliveredLine(
            ref=LineRef(number, str(position)),
            customer_id="C-1001",
            customer_name="张伟",
            sku=f"SKU-{position % 97:04d}",
            product_name="无线鼠标 Wireless mouse",
            category="accessories",
            quantity_delivered=Decimal(2),
            unit_price=Money(Decimal("129.00"), _CNY),
            unit_cost=Money(Decimal("68.00"), _CNY),
            tax_rate=Decimal("0.13"),
            prices_include_tax=True,
            ordered_at=delivered_at - timedelta(days=2),
            delivered_at=delivered_at,
        )


def order_source(
    now: datetime, orders: int, prefix: str = "SO", lines: int = LINES_PER_RETURN
) -> MemoryOrderSource:
    """``orders`` orders of ``lines`` lines each, delivered two days before ``now``."""
    source = MemoryOrderSource()
    delivered_at = now - timedelta(days=2)
    for index in range(orders):
        for line in delivered_order(order_number(prefix, index), lines, delivered_at):
            source.add(TENANT, line)
    return source


def returns_service(
    unit_of_work: Callable[[], UnitOfWork], orders: MemoryOrderSource, clock: Clock
) -> ReturnsService:
    """The service as a host would wire it: random ids and the one-step approval policy."""
    return ReturnsService(
        orders,
        unit_of_work,
        ServiceSettings(clock=clock, ids=UuidIds(), approval_policy=MANAGER_ONLY),
    )


#: Told the name of each command and the return it produced, as the command ends.
Observer = Callable[[str, ReturnOrder], None]


class Lifecycles:
    """Full return lifecycles through one service, each on the next order of the series.

    Args:
        service: The service under test.
        prefix: The order series (see :func:`order_source`).
        lines: Lines of each order, all returned.
    """

    def __init__(
        self, service: ReturnsService, prefix: str = "SO", lines: int = LINES_PER_RETURN
    ) -> None:
        self._service = service
        self._prefix = prefix
        self._lines = lines
        self._staff = Staff()
        self.done = 0

    def run(self, count: int) -> None:
        """Run ``count`` lifecycles."""
        for _ in range(count):
            self.one()

    def one(self, observe: Observer | None = None) -> ReturnOrder:
        """Run one lifecycle on the next order; ``observe`` sees each command's result.

        Raises:
            RuntimeError: The return did not end completed with a refund granted
                (the benchmark would then measure the wrong thing).
        """
        service, staff = self._service, self._staff
        number = order_number(self._prefix, self.done)
        refs = [LineRef(number, str(line)) for line in range(1, self._lines + 1)]
        seen = observe or _ignore

        order = service.create_return(
            staff.clerk, ReturnRequest([RequestedLine(ref, 1, REASON) for ref in refs])
        )
        seen("create", order)
        order = service.submit_return(staff.clerk, order.id)
        seen("submit", order)
        order = service.approve_return(staff.manager, order.id, "同意 approved")
        seen("approve", order)
        order = service.receive_goods(
            staff.warehouse, order.id, {ref: Receipt(received=1) for ref in refs}
        )
        seen("receive", order)
        order = service.inspect_goods(
            staff.inspector, order.id, {ref: Inspection(accepted=1) for ref in refs}
        )
        seen("inspect", order)
        order = service.complete_return(staff.finance, order.id)
        seen("complete", order)

        if order.status is not ReturnStatus.COMPLETED or order.grant is None:
            raise RuntimeError(f"lifecycle of {number} ended {order.status.value}, not refunded")
        self.done += 1
        return order


def _ignore(command: str, order: ReturnOrder) -> None:
    return None
