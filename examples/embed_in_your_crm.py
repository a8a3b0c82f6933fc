"""Wire your own order data into crm_returns and run one return, draft to completion."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crm_returns import (
    Actor,
    DeliveredLine,
    Inspection,
    LineQuery,
    LineRef,
    Money,
    Page,
    Receipt,
    RequestedLine,
    ReturnRequest,
)
from crm_returns.bootstrap import in_memory_service

NOW = datetime.now(UTC)  # noqa: TID251 - a host reads its own clock
MY_ORDERS = [  # your CRM's own records, in whatever shape they have
    {"no": "SO-77", "line": "1", "cust": "C-9", "name": "Ada", "sku": "KB-1",
     "title": "Keyboard", "qty": 2, "price": "59.90", "delivered": NOW - timedelta(days=2)},
]  # fmt: skip


class MyOrders:  # the OrderSource port, over your records
    def _line(self, r: dict) -> DeliveredLine:  # type: ignore[type-arg]
        return DeliveredLine(ref=LineRef(r["no"], r["line"]), customer_id=r["cust"],
            customer_name=r["name"], sku=r["sku"], product_name=r["title"], category="it",
            quantity_delivered=Decimal(r["qty"]), unit_price=Money(Decimal(r["price"]), "CNY"),
            ordered_at=r["delivered"], delivered_at=r["delivered"])  # fmt: skip

    def search(self, tenant_id: str, query: LineQuery) -> Page[DeliveredLine]:
        lines = [self._line(r) for r in MY_ORDERS if query.order_number in (None, r["no"])]
        return Page.of(lines, query.offset, query.limit)

    def get_lines(self, tenant_id: str, refs: object) -> dict[LineRef, DeliveredLine]:
        lines = {line.ref: line for line in map(self._line, MY_ORDERS)}
        return {ref: lines[ref] for ref in refs if ref in lines}  # type: ignore[attr-defined]


service = in_memory_service(MyOrders())
clerk = Actor("u1", "Clerk", tenant_id="shop", roles={"requester"})
ref = LineRef("SO-77", "1")
order = service.create_return(
    clerk, ReturnRequest(lines=[RequestedLine(ref, Decimal(1), "quality_defect")])
)
service.submit_return(clerk, order.id)  # no approval rule applies: approved at once
service.receive_goods(clerk, order.id, {ref: Receipt(received=Decimal(1))})
service.inspect_goods(clerk, order.id, {ref: Inspection(accepted=Decimal(1))})
done = service.complete_return(clerk, order.id)
print(done.number, done.status.value, done.refund)
