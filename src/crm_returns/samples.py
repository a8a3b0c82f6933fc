"""Sample data: a small shop's delivered orders, its policies and its staff.

Everything here is plain data for trying the library out: the ``crm-returns
demo`` command runs on it, :func:`crm_returns.testing.sample_wiring` wires it
into a service for tests, and a host can show it in a prototype before its
own orders are connected::

    from crm_returns import LineQuery, ServiceSettings, in_memory_service
    from crm_returns.samples import SAMPLE_POLICY, sample_orders, sample_staff

    service = in_memory_service(sample_orders(), ServiceSettings(approval_policy=SAMPLE_POLICY))
    staff = sample_staff()
    service.search_returnable_lines(staff.clerk, LineQuery(customer_id="C-1001"))

Two customers of tenant :data:`SAMPLE_TENANT` have orders delivered a few
days before :data:`SAMPLE_START`: 张伟 (``C-1001``, order ``SO-1001``: mice,
USB-C cables, two monitors with serial numbers) and 李娜 (``C-1002``, order
``SO-1002``: a chair and desk lamps).  Prices are in CNY, tax included at
13 %, and every line knows its unit cost.  Needs no optional dependency.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.adapters.memory import MemoryContactDirectory, MemoryOrderSource
from crm_returns.domain.actors import Actor
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.refunds.fees import FeeRule, RefundPolicy
from crm_returns.ports.notify import Contact

__all__ = [
    "SAMPLE_POLICY",
    "SAMPLE_REFUND_POLICY",
    "SAMPLE_START",
    "SAMPLE_TENANT",
    "SampleStaff",
    "sample_contacts",
    "sample_lines",
    "sample_orders",
    "sample_staff",
]

#: The tenant the sample data belongs to.
SAMPLE_TENANT: Final = "acme"

#: When the sample story starts: 2026-11-27 09:00 UTC, days after the deliveries.
SAMPLE_START: Final = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

#: Returns refunding 500 CNY or more need a manager; quality claims need QA.
SAMPLE_POLICY: Final = ApprovalPolicy(
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
SAMPLE_REFUND_POLICY: Final = RefundPolicy(
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


def sample_lines(now: datetime = SAMPLE_START) -> tuple[DeliveredLine, ...]:
    """Two customers' orders, delivered three and five days before ``now``.

    Every line knows its unit cost (price, cost); the monitors carry serial numbers.

    Args:
        now: When the story starts; the deliveries are dated before it.
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


def sample_orders(
    now: datetime = SAMPLE_START, *, tenant: str = SAMPLE_TENANT
) -> MemoryOrderSource:
    """An order source holding :func:`sample_lines` for ``tenant``, ready to pass to a service.

    Each call makes a new source: lines a caller adds to it stay in it.

    Args:
        now: When the story starts; the deliveries are dated before it.
        tenant: The tenant the orders belong to.
    """
    return MemoryOrderSource({tenant: sample_lines(now)})


@attrs.frozen
class SampleStaff:
    """The shop's people, one for each job of the default roles.

    Attributes:
        clerk: 王芳, customer service: requests returns (role ``requester``).
        approver: 陈经理, a manager who approves (role ``approver``).
        warehouse: 刘强, receives goods and finishes repairs (role ``warehouse``).
        inspector: 赵敏, a quality inspector (role ``inspector``).
        finance: 孙丽, grants and pays refunds and closes returns (role ``finance``).
        admin: 周总, who may do everything (role ``admin``).
        agent: 林静, customer service: decides customers' requests, arranges
            shipments, logs contacts (role ``customer_service``).
        customer: 张伟, customer ``C-1001``, through the shop's portal (role
            ``customer``, acting for that customer only).
    """

    clerk: Actor
    approver: Actor
    warehouse: Actor
    inspector: Actor
    finance: Actor
    admin: Actor
    agent: Actor
    customer: Actor


def sample_staff(tenant: str = SAMPLE_TENANT) -> SampleStaff:
    """The shop's people, working for ``tenant``.

    Args:
        tenant: The tenant they act in.
    """

    def actor(actor_id: str, name: str, role: str) -> Actor:
        return Actor(actor_id, name, tenant, frozenset({role}))

    return SampleStaff(
        clerk=actor("u-clerk", "王芳 (客服)", "requester"),
        approver=actor("u-manager", "陈经理", "approver"),
        warehouse=actor("u-warehouse", "刘强 (仓库)", "warehouse"),
        inspector=actor("u-qa", "赵敏 (质检)", "inspector"),
        finance=actor("u-finance", "孙丽 (财务)", "finance"),
        admin=actor("u-admin", "周总 (管理员)", "admin"),
        agent=actor("u-agent", "林静 (客服)", "customer_service"),
        customer=Actor(
            "p-zhang-wei", "张伟", tenant, frozenset({"customer"}), customer_id="C-1001"
        ),
    )


def sample_contacts(
    tenant: str = SAMPLE_TENANT, language: str | None = None
) -> MemoryContactDirectory:
    """How the shop reaches its customers and staff, for the notifiers.

    张伟 (``C-1001``) reads Chinese and has an e-mail address and a mobile
    number; 李娜 (``C-1002``) reads English and has an e-mail address only;
    with ``language``, everyone reads that language.
    The approver, the warehouse, finance and customer service
    (:func:`sample_staff`) have e-mail addresses.  Each call makes a new directory.

    Args:
        tenant: The tenant they belong to.
        language: The language everyone reads, if not their own (``zh-CN``, ``en``).
    """
    contacts = MemoryContactDirectory()
    contacts.add_customer(
        tenant,
        "C-1001",
        Contact(
            name="张伟",
            email="zhang.wei@example.com",
            phone="+8613800138000",
            language=language or "zh-CN",
        ),
    )
    contacts.add_customer(
        tenant,
        "C-1002",
        Contact(name="Li Na", email="li.na@example.com", language=language or "en"),
    )
    for role, name, email in (
        ("approver", "陈经理", "chen.manager@shop.example"),
        ("warehouse", "刘强", "liu.warehouse@shop.example"),
        ("finance", "孙丽", "sun.finance@shop.example"),
        ("customer_service", "林静", "lin.service@shop.example"),
    ):
        contacts.add_staff(
            tenant, role, Contact(name=name, email=email, language=language or "zh-CN")
        )
    return contacts
