"""A host's own order source, for ``crm-returns report ... --orders tests.cli.host_orders:orders``.

The host is one shop, whatever the tenant asked for.  On 2026-11-20 (Asia/
Shanghai) it delivered 60 mice to 张伟 (C-1001) and 8 desk lamps to 李娜
(C-1002): more than the sample shop did, so that reports dividing by it
differ from those over the sample orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from crm_returns import DeliveredLine, LineQuery, LineRef, Money
from crm_returns.domain.analytics import DeliveredTotals, DeliveredTotalsQuery, delivered_totals_of
from crm_returns.domain.queries import Page
from crm_returns.ports import OrderSource

ORDERED = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _line(order: str, customer: str, sku: str, units: int, price: str) -> DeliveredLine:
    return DeliveredLine(
        ref=LineRef(order, "1"),
        customer_id=customer,
        customer_name=customer,
        sku=sku,
        product_name=sku,
        category="office",
        quantity_delivered=Decimal(units),
        unit_price=Money(Decimal(price), "CNY"),
        ordered_at=ORDERED,
        delivered_at=ORDERED + timedelta(days=2),
    )


#: Everything the host delivered.
LINES = (
    _line("H-1", "C-1001", "MSE-01", 60, "129.00"),
    _line("H-2", "C-1002", "LMP-05", 8, "199.00"),
)


class HostOrders:
    """The host's orders, answered from its own lines (as a host's ``GROUP BY`` would)."""

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        """Every line: the reports never search."""
        return Page.of(LINES, query.offset, query.limit)

    def get_lines(self, tenant_id: str, refs: Iterable[LineRef]) -> Mapping[LineRef, DeliveredLine]:
        """The lines named by ``refs``."""
        wanted = set(refs)
        return {line.ref: line for line in LINES if line.ref in wanted}

    def delivered_totals(
        self, tenant_id: str, query: DeliveredTotalsQuery
    ) -> tuple[DeliveredTotals, ...]:
        """What was delivered, by order cohort and key."""
        return delivered_totals_of(LINES, query)


def orders() -> OrderSource:
    """What ``--orders tests.cli.host_orders:orders`` names."""
    return HostOrders()


def lines() -> tuple[DeliveredLine, ...]:
    """A callable that makes no order source: the lines alone."""
    return LINES
