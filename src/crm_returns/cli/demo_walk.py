"""The demo's return, step by step: from the customer's request to their feedback.

张伟 asks for the return in the shop's portal and attaches a photo of the
cracked screen; 林静 of customer service accepts the request, which goes to
the manager and the inspector for approval; she books a carrier pickup with a
label; the customer calls about the pickup (a contact she logs); the carrier
reports the parcel in transit and delivered, and the warehouse polls it twice
(the second poll repeats what the first brought, and nothing is kept twice).
Then the warehouse receives, the inspector inspects, the monitor is repaired,
finance grants, pays and completes; 林静 calls the customer to confirm the
refund, and the customer scores the return.  Each step is one row of the
progress table, taken by the person whose job it is.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crm_returns.adapters.carriers import MemoryCarrier
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.tables import time_text
from crm_returns.cli.wiring import DemoWiring
from crm_returns.domain.actors import Actor
from crm_returns.domain.evidence import AttachmentSubject
from crm_returns.domain.interactions import ContactChannel, Direction
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.lines import Inspection, Receipt
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import Action
from crm_returns.domain.shipments import ShipmentMethod, ShipmentPlan, TrackingStatus
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome
from crm_returns.errors import CrmReturnsError
from crm_returns.ports.carriers import CarrierEvent
from crm_returns.service.commands import ReturnRequest

__all__ = ["DEMO_CARRIER", "DEMO_PHOTO", "DEMO_SERIAL", "demo_carrier", "demo_photo", "walk"]

#: The serial number of the monitor that comes back.
DEMO_SERIAL = "MON27-0002"

#: The carrier that picks the parcel up (the service's memory carrier).
DEMO_CARRIER = "memory"

#: The file name the customer's photo is uploaded under.
DEMO_PHOTO = "cracked-screen.png"

_MOUSE, _CABLE, _MONITOR = (LineRef("SO-1001", line) for line in ("1", "2", "3"))


def demo_photo() -> bytes:
    """A small PNG picture (a red square), made here so that the demo needs no file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    side = 8
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + b"\xcc\x22\x22" * side for _ in range(side))
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows)),
            chunk(b"IEND", b""),
        )
    )


#: Records one step of the progress table: who, what, the return after it, and the time to move on.
_Done = Callable[[Actor, Action, ReturnOrder, timedelta], str]


class _Progress:
    """The progress table: one row per step, and the clock moved on after each."""

    def __init__(self, words: Phrasebook, wiring: DemoWiring) -> None:
        self.table = Table.grid(padding=(0, 2))
        self._words, self._clock = words, wiring.clock

    def done(self, actor: Actor, action: Action, order: ReturnOrder, then: timedelta) -> str:
        self.table.add_row(
            Text(time_text(self._clock.now()), style="dim"),
            Text(actor.name),
            Text(self._words.label(action)),
            Text(f"{order.number} → {self._words.status(order.status)}", style="bold"),
        )
        self._clock.advance(then)
        return order.id


def walk(
    console: Console, words: Phrasebook, wiring: DemoWiring, request: ReturnRequest
) -> ReturnOrder:
    """Request, accept, approve, ship back, receive, inspect, repair, refund, complete, score."""
    service, staff = wiring.service, wiring.staff
    progress = _Progress(words, wiring)
    done = progress.done

    asked = service.request_return(staff.customer, request)
    order = service.get_return(staff.agent, asked.return_id)
    rid = done(staff.customer, Action.DRAFT, order, timedelta(minutes=2))
    service.attach_file(
        staff.customer,
        rid,
        AttachmentSubject.REQUEST,
        DEMO_PHOTO,
        demo_photo(),
        note=words.scenario("photo_note"),
    )
    done(staff.customer, Action.ATTACH, order, timedelta(minutes=41))
    order = service.accept_request(staff.agent, rid, words.scenario("accept"))
    done(staff.agent, Action.ACCEPT, order, timedelta(hours=1))
    order = service.approve_return(staff.approver, rid, words.scenario("approve_manager"))
    done(staff.approver, Action.APPROVE, order, timedelta(hours=2, minutes=5))
    order = service.approve_return(staff.inspector, rid, words.scenario("approve_quality"))
    done(staff.inspector, Action.APPROVE, order, timedelta(minutes=20))

    _ship_back(wiring, words, order, done)

    order = service.receive_goods(
        staff.warehouse,
        rid,
        {_MOUSE: Receipt(received=Decimal(2))},
        words.scenario("receive_first"),
    )
    done(staff.warehouse, Action.RECEIVE, order, timedelta(hours=2, minutes=15))
    monitor = Receipt(
        received=Decimal(1), damaged_in_transit=Decimal(1), serial_numbers=[DEMO_SERIAL]
    )
    order = service.receive_goods(
        staff.warehouse,
        rid,
        {_CABLE: Receipt(received=Decimal(3)), _MONITOR: monitor},
        words.scenario("receive_rest"),
    )
    done(staff.warehouse, Action.RECEIVE, order, timedelta(hours=17))
    order = service.inspect_goods(staff.inspector, rid, _inspections(), words.scenario("inspect"))
    done(staff.inspector, Action.INSPECT, order, timedelta(days=2, hours=5, minutes=35))
    order = service.finish_repair(
        staff.warehouse, rid, _MONITOR, Decimal(1), Disposition.RESTOCK, words.scenario("repair")
    )
    done(staff.warehouse, Action.FINISH_REPAIR, order, timedelta(minutes=50))
    order = _refund(wiring, words, rid, done)

    service.log_contact(
        staff.agent, rid, ContactChannel.CALL, Direction.OUTBOUND, words.scenario("call_out")
    )
    done(staff.agent, Action.CONTACT, order, timedelta(hours=3))
    service.give_feedback(staff.customer, rid, 5, words.scenario("feedback_comment"))
    done(staff.customer, Action.FEEDBACK, order, timedelta(0))
    console.print(progress.table)
    return order


def _inspections() -> dict[LineRef, Inspection]:
    """Mice restocked; two cables restocked and a cut one sent back; the monitor to repair."""
    return {
        _MOUSE: Inspection(accepted=Decimal(2), disposition=Disposition.RESTOCK),
        _CABLE: Inspection(
            accepted=Decimal(2),
            rejected=Decimal(1),
            disposition=Disposition.RESTOCK,
            rejected_outcome=RejectOutcome.SEND_BACK,
        ),
        _MONITOR: Inspection(accepted=Decimal(1), disposition=Disposition.REPAIR),
    }


def _ship_back(wiring: DemoWiring, words: Phrasebook, order: ReturnOrder, done: _Done) -> None:
    """A carrier pickup with a label; a call about it; the carrier's reports, polled twice."""
    service, staff, clock = wiring.service, wiring.staff, wiring.clock
    plan = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier=DEMO_CARRIER)
    shipment = service.add_shipment(staff.agent, order.id, plan, words.scenario("pickup"))
    done(staff.agent, Action.TRACK, order, timedelta(minutes=3))
    labelled = service.create_label(staff.agent, order.id, shipment.id)
    done(staff.agent, Action.TRACK, order, timedelta(hours=2))
    service.log_contact(
        staff.agent, order.id, ContactChannel.CALL, Direction.INBOUND, words.scenario("call_in")
    )
    done(staff.agent, Action.CONTACT, order, timedelta(hours=17))
    carrier = demo_carrier(wiring)
    number = labelled.tracking_number
    picked_up = clock.now()
    carrier.push(
        _event(
            number, "1", TrackingStatus.IN_TRANSIT, picked_up, words.scenario("location_pickup")
        ),
        _event(
            number,
            "2",
            TrackingStatus.IN_TRANSIT,
            picked_up + timedelta(hours=6),
            words.scenario("location_hub"),
        ),
    )
    clock.advance(timedelta(hours=7))
    service.poll_tracking(staff.warehouse, order.id)
    done(staff.warehouse, Action.TRACK, order, timedelta(0))
    clock.advance(timedelta(hours=15))
    carrier.push(
        _event(
            number,
            "3",
            TrackingStatus.DELIVERED,
            clock.now() - timedelta(hours=1),
            words.scenario("location_warehouse"),
        )
    )
    # The carrier reports the whole history again: only the delivery is new.
    service.poll_tracking(staff.warehouse, order.id)
    done(staff.warehouse, Action.TRACK, order, timedelta(minutes=30))


def demo_carrier(wiring: DemoWiring) -> MemoryCarrier:
    """The demo's memory carrier, which the demo tells what the parcel did."""
    carrier = wiring.service.settings.carrier(DEMO_CARRIER)
    if not isinstance(carrier, MemoryCarrier):
        raise CrmReturnsError(f"the demo needs its memory carrier {DEMO_CARRIER!r}")
    return carrier


def _event(
    number: str, serial: str, status: TrackingStatus, at: datetime, where: str
) -> CarrierEvent:
    return CarrierEvent(
        event_id=f"{number}-{serial}",
        tracking_number=number,
        status=status,
        occurred_at=at,
        location=where,
    )


def _refund(wiring: DemoWiring, words: Phrasebook, rid: str, done: _Done) -> ReturnOrder:
    """Finance grants the refund, pays it out, sees it settled and closes the return."""
    service, finance = wiring.service, wiring.staff.finance
    order = service.grant_refund(finance, rid, comment=words.scenario("grant"))
    done(finance, Action.GRANT_REFUND, order, timedelta(minutes=25))
    if order.grant is None:
        raise CrmReturnsError(f"the demo expected a refund granted for return {order.number}")
    reference = words.scenario("payment_reference")
    order = service.record_refund_payment(finance, rid, order.grant.amount, reference)
    # The payment provider confirms the next morning.
    done(finance, Action.RECORD_PAYMENT, order, timedelta(hours=16))
    payment = order.grant.payments[-1] if order.grant else None
    if payment is None:
        raise CrmReturnsError(f"the demo expected a payment on return {order.number}")
    order = service.settle_refund_payment(finance, rid, payment.id, succeeded=True)
    done(finance, Action.SETTLE_PAYMENT, order, timedelta(minutes=30))
    order = service.complete_return(finance, rid, words.scenario("complete"))
    done(finance, Action.COMPLETE, order, timedelta(hours=1))
    return order
