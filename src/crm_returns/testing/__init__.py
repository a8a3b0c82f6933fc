"""Public test kit: in-memory wiring with sample data, for hosts' own test suites.

``crm_returns.testing.strategies`` (needs the ``testing`` extra) has
hypothesis strategies for order lines, reasons and return requests.

Example::

    from crm_returns.testing import sample_wiring

    wiring = sample_wiring()
    order = wiring.service.create_return(wiring.clerk, request)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs

from crm_returns.adapters.memory import (
    ManualClock,
    MemoryDatabase,
    MemoryEventSink,
    MemoryOrderSource,
    SequentialIds,
)
from crm_returns.domain.actors import Actor
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.refunds.fees import FeeRule, RefundPolicy
from crm_returns.ports import IdGenerator, UnitOfWork
from crm_returns.service.service import ReturnsService
from crm_returns.service.settings import ServiceSettings

__all__ = [
    "SAMPLE_POLICY",
    "SAMPLE_REFUND_POLICY",
    "SAMPLE_TENANT",
    "Wiring",
    "sample_lines",
    "sample_wiring",
]

#: The tenant the sample data belongs to.
SAMPLE_TENANT = "acme"

#: Returns refunding 500 CNY or more need a manager; quality claims need QA.
SAMPLE_POLICY = ApprovalPolicy(
    rules=(
        ApprovalRule(
            ApprovalStep("manager", frozenset({"approver"})),
            refund_at_least=(Money(Decimal(500), "CNY"),),
        ),
        ApprovalRule(
            ApprovalStep("quality", frozenset({"inspector"})),
            reason_categories=frozenset({"quality"}),
        ),
    ),
    version="sample-1",
)

#: A 10 % restocking fee, at least 20.00 CNY, when the customer changed their
#: mind (reason category ``customer``); none when the seller or carrier is at fault.
SAMPLE_REFUND_POLICY = RefundPolicy(
    fee_rules=(
        FeeRule(
            Decimal("0.10"),
            minimum=(Money(Decimal("20.00"), "CNY"),),
            reason_categories=frozenset({"customer"}),
        ),
    ),
)


def _line(
    order: str,
    line_id: str,
    customer: tuple[str, str],
    product: tuple[str, str, str],
    units: int,
    price: tuple[str, str],
    delivered: datetime,
    discount: str | None = None,
    serials: tuple[str, ...] = (),
) -> DeliveredLine:
    sku, name, category = product
    unit_price, unit_cost = price
    return DeliveredLine(
        ref=LineRef(order, line_id),
        customer_id=customer[0],
        customer_name=customer[1],
        sku=sku,
        product_name=name,
        category=category,
        quantity_delivered=Decimal(units),
        unit_price=Money(Decimal(unit_price), "CNY"),
        unit_cost=Money(Decimal(unit_cost), "CNY"),
        serial_numbers=serials,
        line_discount=Money(Decimal(discount), "CNY") if discount else None,
        tax_rate=Decimal("0.13"),
        prices_include_tax=True,
        ordered_at=delivered - timedelta(days=2),
        delivered_at=delivered,
    )


def sample_lines(now: datetime) -> tuple[DeliveredLine, ...]:
    """Two customers' orders, delivered a few days before ``now``.

    Every line knows its unit cost (price, cost); the monitors carry serial numbers.
    """
    zhang = ("C-1001", "张伟")
    li = ("C-1002", "李娜")
    first, second = now - timedelta(days=3), now - timedelta(days=5)
    return (
        _line("SO-1001", "1", zhang, ("MSE-01", "无线鼠标 Wireless mouse", "accessories"),
              5, ("129.00", "68.00"), first),
        _line("SO-1001", "2", zhang, ("CBL-02", "USB-C 数据线 USB-C cable", "accessories"),
              10, ("39.90", "14.50"), first, discount="19.90"),
        _line("SO-1001", "3", zhang, ("MON-27", "27 英寸显示器 27-inch monitor", "displays"),
              2, ("1899.00", "1320.00"), first, serials=("MON27-0001", "MON27-0002")),
        _line("SO-1002", "1", li, ("CHR-10", "人体工学椅 Ergonomic chair", "furniture"),
              1, ("2399.00", "1450.00"), second),
        _line("SO-1002", "2", li, ("LMP-05", "LED 台灯 LED desk lamp", "lighting"),
              3, ("199.00", "96.00"), second),
    )  # fmt: skip


@attrs.frozen
class Wiring:
    """A service on in-memory adapters, with the parts a test wants to reach.

    Attributes:
        service: The service.
        database: Its committed state (unused when another store was given).
        orders: The delivered order lines it reads.
        clock: A clock that moves only when told.
        ids: Sequential ids (unused when another generator was given).
        sink: An event sink to relay the outbox to.
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
    sink: MemoryEventSink
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
    """A service wired to in-memory adapters, in one call.

    Args:
        now: Where the manual clock starts (2026-11-27 09:00 UTC by default).
        policy: The approval policy (:data:`SAMPLE_POLICY` by default).
        refund_policy: Restocking fees and shipping refunds
            (:data:`SAMPLE_REFUND_POLICY` by default).
        with_sample_orders: Load :func:`sample_lines` for the tenant.
        tenant: The tenant the sample orders and actors belong to.
        unit_of_work: Keep returns in another store (a SQL database, say);
            ``database`` is then a fresh in-memory store the service does not use.
        ids: The id generator; sequential ids (``id-1``, ...) by default, which
            suit a store that starts empty.
    """
    start = now or datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    clock = ManualClock(start)
    sequential = SequentialIds()
    database = MemoryDatabase()
    orders = MemoryOrderSource({tenant: sample_lines(start) if with_sample_orders else ()})
    service = ReturnsService(
        orders,
        unit_of_work or database.unit_of_work,
        ServiceSettings(
            clock=clock, ids=ids or sequential, approval_policy=policy, refund_policy=refund_policy
        ),
    )

    def actor(actor_id: str, name: str, *roles: str) -> Actor:
        return Actor(actor_id, name, tenant, frozenset(roles))

    return Wiring(
        service=service,
        database=database,
        orders=orders,
        clock=clock,
        ids=sequential,
        sink=MemoryEventSink(),
        clerk=actor("u-clerk", "王芳 (客服)", "requester"),
        approver=actor("u-manager", "陈经理", "approver"),
        warehouse=actor("u-warehouse", "刘强 (仓库)", "warehouse"),
        inspector=actor("u-qa", "赵敏 (质检)", "inspector"),
        finance=actor("u-finance", "孙丽 (财务)", "finance"),
        admin=actor("u-admin", "周总 (管理员)", "admin"),
    )
