from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import crm_returns as cr
from crm_returns import DeliveredLine as Line
from crm_returns.domain.analytics import DeliveredTotalsQuery, delivered_totals_of

WHEN = datetime.now(UTC) - timedelta(days=2)  # noqa: TID251 - the host reads its own clock
REF = cr.LineRef("SO-77", "1")
KEYBOARD = Line(
    REF, "C-9", "Ada", "KB-1", "Keyboard", "it", 2, cr.Money("59.90", "CNY"), WHEN, WHEN
)


def matches(query: cr.LineQuery, line: Line) -> bool:  # yours: a WHERE clause
    text, at = (query.product or "").casefold(), line.delivered_at
    return (
        query.order_number in (None, line.ref.order_number)
        and query.customer_id in (None, line.customer_id)
        and query.category in (None, line.category)
        and (text in line.product_name.casefold() or text in line.sku.casefold())
        and (query.delivered_from is None or (at is not None and query.delivered_from <= at))
        and (query.delivered_to is None or (at is not None and at <= query.delivered_to))
    )


class MyOrders:  # the OrderSource port, over your CRM's own records
    def __init__(self, lines: Mapping[str, Sequence[Line]]) -> None:
        self.lines = lines  # each tenant's delivered lines

    def search(self, tenant_id: str, query: cr.LineQuery) -> cr.Page[Line]:
        found = [line for line in self.lines.get(tenant_id, ()) if matches(query, line)]
        return cr.Page.of(found, query.offset, query.limit)

    def get_lines(self, tenant_id: str, refs: Iterable[cr.LineRef]) -> dict[cr.LineRef, Line]:
        mine = {line.ref: line for line in self.lines.get(tenant_id, ())}
        return {ref: mine[ref] for ref in refs if ref in mine}

    def delivered_totals(  # the rates' denominators: yours may be a GROUP BY
        self, tenant_id: str, query: DeliveredTotalsQuery
    ) -> tuple[cr.DeliveredTotals, ...]:
        return delivered_totals_of(self.lines.get(tenant_id, ()), query)


service = cr.in_memory_service(MyOrders({"shop": [KEYBOARD]}))
clerk, one = cr.Actor("u1", "Clerk", "shop", {"admin"}), 1  # quantities: int, str or Decimal
order = service.create_return(clerk, cr.ReturnRequest([cr.RequestedLine(REF, one, "other")]))
service.submit_return(clerk, order.id)  # no approval rule applies: approved at once
service.receive_goods(clerk, order.id, {REF: cr.Receipt(received=one)})
service.inspect_goods(clerk, order.id, {REF: cr.Inspection(accepted=one)})
done = service.complete_return(clerk, order.id)
print(done.number, done.status.value, done.refund)  # RT-...-000001 completed 59.90 CNY
