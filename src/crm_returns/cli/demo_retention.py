"""The demo's last step: retiring records (退库 of records) — archive one return, plan for the rest.

A second, small return (李娜 sends back a desk lamp the carrier damaged)
runs to completion without being printed step by step, and the administrator
archives it: kept, read-only, out of default lists, restorable exactly.  Then,
with the clock moved 31 years on, when even the journal entries have passed
their 30 years, the administrator proposes a destruction plan under the
profile for companies in China.  The plan is a dry run: it is printed (its
number, what it would destroy by class, the items of the demo's first return
with their legal basis, and the appraisal report) and left proposed, so that
nothing is deleted.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.retention_tables import (
    appraisal_table,
    counts_table,
    items_table,
    plan_summary,
)
from crm_returns.cli.wiring import DemoWiring
from crm_returns.domain.orders import LineRef
from crm_returns.domain.retention import RETURN_ORDERS, RetentionPlan
from crm_returns.domain.returns.lines import Inspection, Receipt, RequestedLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.errors import CrmReturnsError
from crm_returns.service.commands import ReturnRequest

__all__ = ["DEMO_ITEMS", "DEMO_YEARS", "SECOND_CUSTOMER", "retire_records"]

#: How far the clock moves before the plan: past the 30 years of accounting records.
DEMO_YEARS = 31

#: How many of the plan's items the demo prints.
DEMO_ITEMS = 4

#: The customer of the second return.
SECOND_CUSTOMER = "C-1002"

_LAMP = LineRef("SO-1002", "2")


def retire_records(
    console: Console, words: Phrasebook, wiring: DemoWiring, first: ReturnOrder
) -> None:
    """Complete a second return and archive it; print a plan 31 years on, with ``first``'s items."""
    service, clock, staff = wiring.service, wiring.clock, wiring.staff
    second = _second_return(wiring)
    console.print(words.word("demo_second", number=second.number, customer=SECOND_CUSTOMER))
    manager = staff.admin
    service.archive_return(manager, second.id)
    console.print(words.word("demo_archived", actor=manager.name, number=second.number))
    clock.advance(timedelta(days=round(DEMO_YEARS * 365.25)))
    later = clock.now().date().isoformat()
    console.print(words.word("demo_later", date=later, years=DEMO_YEARS, actor=manager.name))
    plan = service.propose_retention_plan(manager)
    console.print()
    console.print(Text(plan_summary(words, plan), style="bold"))
    console.print(counts_table(words, plan))
    console.print(_items_of(words, wiring, plan, first))
    if plan.appraisal is None:
        raise CrmReturnsError(f"the demo expected plan {plan.number} to carry its appraisal")
    console.print(appraisal_table(words, plan.appraisal))


def _items_of(
    words: Phrasebook, wiring: DemoWiring, plan: RetentionPlan, order: ReturnOrder
) -> Table:
    """The first :data:`DEMO_ITEMS` items of ``plan`` that belong to ``order``, the return first."""
    manager, theirs, after = wiring.staff.admin, [], 0
    while True:
        page = wiring.service.retention_plan_items(manager, plan.number, after=after)
        theirs += [item for item in page if item.return_id == order.id]
        if not page:
            break
        after = page[-1].position
    theirs.sort(key=lambda item: (item.key.record_class != RETURN_ORDERS, item.position))
    shown = theirs[:DEMO_ITEMS]
    title = words.word(
        "items_of",
        number=plan.number,
        return_number=order.number,
        shown=len(shown),
        total=plan.items,
    )
    return items_table(words, plan, shown, title)


def _second_return(wiring: DemoWiring) -> ReturnOrder:
    """李娜 returns one desk lamp, damaged in transit: refunded in full, and closed."""
    service, clock, staff = wiring.service, wiring.clock, wiring.staff
    request = ReturnRequest(
        lines=(RequestedLine(_LAMP, Decimal(1), "damaged_in_transit", ""),),
    )
    rid = service.create_return(staff.clerk, request).id
    service.submit_return(staff.clerk, rid)  # under 500 CNY, no quality claim: approved
    clock.advance(timedelta(days=2))
    service.receive_goods(staff.warehouse, rid, {_LAMP: Receipt(received=Decimal(1))})
    service.inspect_goods(
        staff.inspector,
        rid,
        {_LAMP: Inspection(accepted=Decimal(1), disposition=Disposition.RESTOCK)},
    )
    order = service.grant_refund(staff.finance, rid)
    if order.grant is None:
        raise CrmReturnsError(f"the demo expected a refund granted for return {order.number}")
    order = service.record_refund_payment(staff.finance, rid, order.grant.amount, "ALIPAY-2")
    payment = order.grant.payments[-1] if order.grant else None
    if payment is None:
        raise CrmReturnsError(f"the demo expected a payment of return {order.number}")
    service.settle_refund_payment(staff.finance, rid, payment.id, succeeded=True)
    return service.complete_return(staff.finance, rid)
