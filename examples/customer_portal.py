"""The customer's side on a SQLite file: a request with a photo, staff, a carrier, a score.

Run it from any directory: it keeps its database and files in a temporary one.
"""

import base64
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import crm_returns as cr
from crm_returns.domain.analytics import DeliveredTotalsQuery, delivered_totals_of
from crm_returns.errors import NotFound


def now() -> datetime:
    return datetime.now(UTC)  # noqa: TID251 - the host reads its own clock


WHEN = now() - timedelta(days=3)  # delivered three days ago: inside the return window


def delivered(order: str, customer: str, name: str, product: str, price: str) -> cr.DeliveredLine:
    ref = cr.LineRef(order, "1")
    return cr.DeliveredLine(
        ref, customer, name, f"SKU-{order}", product, "it", 2, cr.Money(price, "CNY"), WHEN, WHEN
    )


MOUSE = delivered("SO-1001", "C-1001", "张伟", "Wireless mouse", "99.00")
KEYBOARD = delivered("SO-1002", "C-1001", "张伟", "Keyboard", "199.00")
HEADSET = delivered("SO-2001", "C-2002", "李娜", "Headset", "299.00")


class MyOrders:  # the OrderSource port; a real one is a WHERE clause over your orders
    def __init__(self, lines: Mapping[str, Sequence[cr.DeliveredLine]]) -> None:
        self.lines = lines

    def search(self, tenant_id: str, query: cr.LineQuery) -> cr.Page[cr.DeliveredLine]:
        found = [
            line
            for line in self.lines.get(tenant_id, ())
            if query.order_number in (None, line.ref.order_number)
            and query.customer_id in (None, line.customer_id)
        ]
        return cr.Page.of(found, query.offset, query.limit)

    def get_lines(
        self, tenant_id: str, refs: Iterable[cr.LineRef]
    ) -> dict[cr.LineRef, cr.DeliveredLine]:
        mine = {line.ref: line for line in self.lines.get(tenant_id, ())}
        return {ref: mine[ref] for ref in refs if ref in mine}

    def delivered_totals(
        self, tenant_id: str, query: DeliveredTotalsQuery
    ) -> tuple[cr.DeliveredTotals, ...]:
        return delivered_totals_of(self.lines.get(tenant_id, ()), query)


PNG = base64.b64decode(  # a real 1x1 PNG: the type is read from the bytes, not the name
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

zhang = cr.Actor("portal-8812", "张伟", "acme", {"customer"}, customer_id="C-1001")
li = cr.Actor("portal-9900", "李娜", "acme", {"customer"}, customer_id="C-2002")
desk = cr.Actor("u-zhao", "客服小赵", "acme", {"customer_service"})
supervisor = cr.Actor("u-sup", "主管", "acme", {"supervisor"})
warehouse = cr.Actor("u-chen", "仓库老陈", "acme", {"warehouse"})
inspector = cr.Actor("u-liu", "质检小刘", "acme", {"inspector"})
finance = cr.Actor("u-fin", "财务小周", "acme", {"finance"})
webhook = cr.Actor("sys-carriers", "Carrier webhook", "acme", {"warehouse"})

root = Path(tempfile.mkdtemp(prefix="crm-returns-portal-"))
(root / "attachments").mkdir()  # LocalFileAttachmentStore needs an existing directory
settings = cr.ServiceSettings(
    attachments=cr.LocalFileAttachmentStore(root / "attachments"),
    carriers=[cr.MemoryCarrier()],  # every carrier a shipment names must be listed
    service_level=cr.ServiceLevel(ship_back=timedelta(days=10)),
)
orders = MyOrders({"acme": [MOUSE, KEYBOARD, HEADSET]})

with cr.sql_service(orders, f"sqlite:///{root / 'returns.sqlite3'}", settings) as service:
    # The customer asks, with a note and a photo, and follows their returns.
    ask = cr.ReturnRequest([cr.RequestedLine(MOUSE.ref, 1, "quality_defect")], note="开机没有反应")
    print("refund if accepted:", service.preview_my_return(zhang, ask).refund)
    asked = service.request_return(zhang, ask, idempotency_key="form-1")
    photo = service.attach_file(zhang, asked.return_id, cr.AttachmentSubject.REQUEST, "m.png", PNG)
    print("photo:", photo.content_type, photo.size)
    second = service.request_return(
        zhang, cr.ReturnRequest([cr.RequestedLine(KEYBOARD.ref, 1, "changed_requirement")])
    )
    elsewhere = service.request_return(
        li, cr.ReturnRequest([cr.RequestedLine(HEADSET.ref, 1, "quality_defect")])
    )
    for mine in service.my_returns(zhang).items:
        print("mine:", mine.number, mine.progress.value, mine.owed_by.value)
    print(service.return_timeline(zhang, asked.return_id).render("en"))

    # Customer service declines one request and accepts the other.
    service.decline_request(desk, second.return_id, "not_returnable", "Opened keyboards stay.")
    order = service.accept_request(desk, asked.return_id, "the photo shows the fault")
    print("accepted:", order.status.value)  # approved: no approval steps by default

    # A supervisor gives it to a team; the late list looks eleven days ahead.
    service.assign_return(supervisor, order.id, team="returns-desk")
    late = service.late_returns(supervisor, team="returns-desk", at=now() + timedelta(days=11))
    print("late in 11 days:", [(owner.number, owner.stage) for owner in late.items])

    # A carrier picks the parcel up with a label; its webhook reports twice.
    plan = cr.ShipmentPlan(method=cr.ShipmentMethod.CARRIER_PICKUP, carrier="memory")
    shipment = service.add_shipment(desk, order.id, plan)
    shipment = service.create_label(desk, order.id, shipment.id)
    seen = now()
    moves = [
        cr.CarrierEvent(
            event_id=f"ev-{step}",
            tracking_number=shipment.tracking_number,
            status=status,
            occurred_at=seen + timedelta(microseconds=step),  # after the label
        )
        for step, status in enumerate([cr.TrackingStatus.IN_TRANSIT, cr.TrackingStatus.DELIVERED])
    ]
    first = service.ingest_tracking(webhook, "memory", moves)
    again = service.ingest_tracking(webhook, "memory", moves[:1])  # the carrier's retry
    assert (len(first.added), len(again.added), len(again.duplicates)) == (2, 0, 1)
    print("tracking:", [update.status.value for update in service.tracking(desk, order.id)])

    # A phone call, then the goods are received, checked and the return completed.
    service.log_contact(
        desk, order.id, cr.ContactChannel.CALL, cr.Direction.INBOUND, "客户来电询问退款到账时间"
    )
    service.receive_goods(warehouse, order.id, {MOUSE.ref: cr.Receipt(received=1)})
    service.inspect_goods(inspector, order.id, {MOUSE.ref: cr.Inspection(accepted=1)})
    done = service.complete_return(finance, order.id)  # grants the refund first
    print(done.number, done.status.value, done.refund)

    service.give_feedback(zhang, order.id, 5, "很满意")
    feedback = service.feedback(desk, order.id)
    print("feedback:", feedback and feedback.score)
    print(service.return_timeline(zhang, order.id).render("zh-CN"))

    # Another customer's return does not exist for Zhang.
    try:
        service.return_timeline(zhang, elsewhere.return_id)
    except NotFound:
        print("another customer's return: not found")
    else:
        raise AssertionError("a customer saw another customer's return")
