from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import crm_returns as cr
from crm_returns import DeliveredLine as Line

WHEN = datetime.now(UTC) - timedelta(days=2)  # noqa: TID251 - the host reads its own clock
MY_LINES = {cr.LineRef("SO-77", "1"): ("C-9", "Ada", "KB-1", "Keyboard", 2, "59.90")}


class MyOrders:  # the OrderSource port, over your CRM's own records
    def line(self, ref: cr.LineRef) -> Line:
        cust, name, sku, title, qty, price = MY_LINES[ref]
        return Line(ref, cust, name, sku, title, "it", qty, cr.Money(price, "CNY"), WHEN, WHEN)

    def search(self, tenant_id: str, query: cr.LineQuery) -> cr.Page[Line]:
        return cr.Page.of(map(self.line, MY_LINES), query.offset, query.limit)

    def get_lines(self, tenant_id: str, refs: Iterable[cr.LineRef]) -> dict[cr.LineRef, Line]:
        return {ref: self.line(ref) for ref in refs if ref in MY_LINES}


service, clerk = cr.in_memory_service(MyOrders()), cr.Actor("u1", "Clerk", "shop", {"admin"})
ref, one = cr.LineRef("SO-77", "1"), 1  # quantities and amounts: int, str or Decimal
order = service.create_return(clerk, cr.ReturnRequest([cr.RequestedLine(ref, one, "other")]))
service.submit_return(clerk, order.id)  # no approval rule applies: approved at once
service.receive_goods(clerk, order.id, {ref: cr.Receipt(received=one)})
service.inspect_goods(clerk, order.id, {ref: cr.Inspection(accepted=one)})
done = service.complete_return(clerk, order.id)
print(done.number, done.status.value, done.refund)  # RT-...-000001 completed 59.90 CNY
