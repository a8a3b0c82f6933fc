"""The customer side on the SQLite store against the memory store, command by command.

The sibling of ``MemoryAgainstSqlite`` (tests/adapters/test_sql_differential.py),
whose wiring, rules and checks it inherits: two services wired alike, one on
the memory store and one on a fresh SQLite file, run the same random
commands.  To the workflow's commands it adds the customer side's: 张伟
(C-1001) and 李娜 (C-1002) request returns (now and then of each other's
lines), withdraw them and give feedback; customer service accepts and
declines requests, adds shipments and creates labels (each service has a
memory carrier of its own, which must make the same labels); carriers report
tracking, repeated and out of order, through ``ingest_tracking`` or a poll;
staff record tracking, log contacts and attach real PNGs (each service has
an attachment store of its own); a supervisor assigns returns under a tight
service level, so that time passing makes them late.

Every command must give the same value on both, or fail on both with the
same error and message.  After every step, besides what the workflow's
machine compares, every return's shipments, tracking, attachments (and their
bytes), contacts, feedback, owner and customer timeline (as ``as_dict`` in
zh-CN and en) are identical on both, and so are the late list, the pending
requests and each customer's own returns.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from datetime import UTC, timedelta, timezone
from decimal import Decimal

import attrs
from hypothesis import Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    initialize,
    invariant,
    multiple,
    rule,
)
from tests.adapters.test_sql_differential import (
    EVERYTHING,
    MemoryAgainstSqlite,
)
from tests.service.customer_side import LI, ZHANG

from crm_returns import (
    Actor,
    AttachmentSubject,
    CarrierEvent,
    ContactChannel,
    Direction,
    ManualCarrier,
    MemoryCarrier,
    Money,
    ReturnOrder,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
    ServiceLevel,
    ShipmentMethod,
    ShipmentPlan,
    ShippingPayer,
    TrackingStatus,
)
from crm_returns.adapters.memory import MemoryAttachmentStore
from crm_returns.domain.queries import MAX_PAGE_SIZE
from crm_returns.ports import UnitOfWork
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.service.relay_settings import RelaySettings
from crm_returns.testing import Wiring
from crm_returns.testing.conformance import assert_identical

TENANT = SAMPLE_TENANT
CUSTOMERS = {"C-1001": ZHANG, "C-1002": LI}
AGENT = Actor("u-cs", "客服小赵", TENANT, {"customer_service"})
SUPERVISOR = Actor("u-lead", "主管老周", TENANT, {"supervisor"})
STAFF = {
    "agent": AGENT,
    "supervisor": SUPERVISOR,
    "warehouse": Actor("u-wh", "仓库小刘", TENANT, {"warehouse"}),
    "inspector": Actor("u-qa", "质检小赵", TENANT, {"inspector"}),
}

#: Tight allowances, so that the hours the clocks move make returns late.
LEVEL = ServiceLevel(
    approve=timedelta(hours=4),
    ship_back=timedelta(days=1),
    receive=timedelta(hours=8),
    inspect=timedelta(hours=6),
    refund=timedelta(hours=12),
)
#: What each label of the memory carrier costs: a Decimal with its scale to keep.
LABEL_COST = Money(Decimal("12.50"), "CNY")
SHIPPED_AT_OWN_COST = Money(Decimal("8.00"), "CNY")
#: China Standard Time: carriers report local times.
CST = timezone(timedelta(hours=8))
Parcel = TrackingStatus
#: Bad bytes: a text file posing as a photo (both stores must refuse it alike).
NOT_AN_IMAGE = b"GIF? no: plain text\n"


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour: signature, IHDR, IDAT and IEND with their CRCs."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


PNGS = (_png(1, 1, (255, 0, 0)), _png(16, 9, (0, 128, 255)), _png(64, 64, (20, 200, 20)))
FILES = st.sampled_from([*PNGS, *PNGS, NOT_AN_IMAGE])


def _rewired(wiring: Wiring, unit_of_work: Callable[[], UnitOfWork]) -> Wiring:
    """``wiring`` with a priced memory carrier, the tight service level and a default team."""
    base = wiring.service.settings
    settings_ = attrs.evolve(
        base,
        carriers=(ManualCarrier(), MemoryCarrier(label_cost=LABEL_COST)),
        attachments=MemoryAttachmentStore(),
        service_level=LEVEL,
        default_team="returns-desk",
    )
    service = ReturnsService(wiring.orders, unit_of_work, settings_)
    relay = service.relay(
        [wiring.destination],
        RelaySettings(relay_id="relay-1", spin=random.Random(0).random),  # noqa: S311
    )
    return attrs.evolve(wiring, service=service, relay=relay)


def _carrier(wiring: Wiring) -> MemoryCarrier:
    found = wiring.service.settings.carrier("memory")
    assert isinstance(found, MemoryCarrier)
    return found


def _files(wiring: Wiring) -> MemoryAttachmentStore:
    found = wiring.service.settings.attachments
    assert isinstance(found, MemoryAttachmentStore)
    return found


class CustomerSideAgainstSqlite(MemoryAgainstSqlite):
    """The workflow's and the customer side's commands on both stores, compared after each."""

    shipments = Bundle("shipments")

    def __init__(self) -> None:
        super().__init__()
        self.memory = _rewired(self.memory, self.memory.database.unit_of_work)
        self.sqlite = _rewired(self.sqlite, self.database.unit_of_work)

    def teardown(self) -> None:
        # Shows, with --hypothesis-show-statistics, how far the customer side got.
        service = self.memory.service
        if service.pending_requests(AGENT, limit=MAX_PAGE_SIZE).items:
            event("a request was pending")
        if service.late_returns(SUPERVISOR).items:
            event("a return was late")
        for order in service.list_returns(self.memory.clerk, EVERYTHING).items:
            for shipment in service.shipments(AGENT, order.id):
                event(f"a shipment was {shipment.status.value}")
            if service.tracking(AGENT, order.id):
                event("a parcel was tracked")
            if service.attachments(AGENT, order.id):
                event("a file was attached")
            if service.contacts(AGENT, order.id):
                event("a contact was logged")
            if service.feedback(AGENT, order.id) is not None:
                event("feedback was given")
            if service.owner_of(AGENT, order.id).assigned_by is not None:
                event("a return was owned")
        super().teardown()

    def _customer(self, return_id: str, other: bool = False) -> Actor:
        """The return's customer (or the other one); 张伟 for a return that does not exist."""
        order = self._order(return_id)
        customer = "C-1001" if order is None else order.customer_id
        if other:
            customer = "C-1002" if customer == "C-1001" else "C-1001"
        return CUSTOMERS[customer]

    # -- customers ------------------------------------------------------------------

    @initialize(target=MemoryAgainstSqlite.returns, data=st.data())
    def first_requests(self, data: st.DataObject) -> MultipleResults[str]:
        """A customer's request besides the staff's returns, so that both sides have work."""
        return self.customer_requests(data, theirs=True, key=None)

    @rule(
        target=MemoryAgainstSqlite.returns,
        data=st.data(),
        theirs=st.sampled_from([True, True, True, False]),
        key=st.sampled_from([None, None, "r-1"]),
    )
    def customer_requests(
        self, data: st.DataObject, theirs: bool, key: str | None
    ) -> MultipleResults[str]:
        lines = self._request_lines(data)
        owner = self.lines[lines[0].ref].customer_id
        other = "C-1002" if owner == "C-1001" else "C-1001"
        who = CUSTOMERS[owner if theirs else other]
        note = data.draw(st.sampled_from(["", "颜色不对，附照片"]))
        request = ReturnRequest(lines=lines, note=note)
        timeline = self._both(
            "request_return",
            lambda w: w.service.request_return(who, request, idempotency_key=key),
        )
        return multiple() if timeline is None else multiple(timeline.return_id)

    @rule(return_id=MemoryAgainstSqlite.returns, other=st.sampled_from([False, False, True]))
    def customer_withdraws(self, return_id: str, other: bool) -> None:
        who = self._customer(return_id, other)
        self._both("withdraw_return", lambda w: w.service.withdraw_return(who, return_id))

    @rule(
        return_id=MemoryAgainstSqlite.returns,
        score=st.sampled_from([1, 3, 4, 5, 5, 0]),
        other=st.sampled_from([False, False, False, True]),
    )
    def customer_gives_feedback(self, return_id: str, score: int, other: bool) -> None:
        who = self._customer(return_id, other)
        self._both(
            "give_feedback", lambda w: w.service.give_feedback(who, return_id, score, "快递很快 ok")
        )

    # -- staff deciding, shipping and tracking ----------------------------------------

    @rule(return_id=MemoryAgainstSqlite.returns, key=st.sampled_from([None, "a-1"]))
    def accept(self, return_id: str, key: str | None) -> None:
        self._both(
            "accept_request",
            lambda w: w.service.accept_request(AGENT, return_id, "照片清楚", idempotency_key=key),
        )

    @rule(
        return_id=MemoryAgainstSqlite.returns,
        reason=st.sampled_from(["outside_window", "evidence_missing", "other", "no-such-reason"]),
    )
    def decline(self, return_id: str, reason: str) -> None:
        self._both(
            "decline_request",
            lambda w: w.service.decline_request(AGENT, return_id, reason, "抱歉，无法退货"),
        )

    @rule(
        target=shipments,
        return_id=MemoryAgainstSqlite.returns,
        data=st.data(),
        who=st.sampled_from(["agent", "agent", "warehouse", "supervisor"]),
    )
    def add_shipment(self, return_id: str, data: st.DataObject, who: str) -> MultipleResults[str]:
        plan = data.draw(
            st.one_of(
                st.just(ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")),
                st.builds(
                    ShipmentPlan,
                    method=st.just(ShipmentMethod.DROP_OFF),
                    carrier=st.just("manual"),
                    tracking_number=st.sampled_from(["SF1001", "SF1002", ""]),
                    paid_by=st.sampled_from(list(ShippingPayer)),
                    cost=st.sampled_from([None, SHIPPED_AT_OWN_COST]),
                ),
                st.just(ShipmentPlan(method=ShipmentMethod.IN_STORE)),
            )
        )
        actor = STAFF[who]
        made = self._both(
            "add_shipment", lambda w: w.service.add_shipment(actor, return_id, plan, "上门取件")
        )
        return multiple() if made is None else multiple(f"{return_id} {made.id}")

    @rule(shipment=shipments)
    def create_label(self, shipment: str) -> None:
        return_id, shipment_id = shipment.split()
        self._both("create_label", lambda w: w.service.create_label(AGENT, return_id, shipment_id))
        assert_identical(_carrier(self.sqlite).labels, _carrier(self.memory).labels, "labels")

    @rule(
        shipment=shipments,
        status=st.sampled_from(list(TrackingStatus)),
        hours=st.integers(-48, 0),
        local=st.booleans(),
    )
    def record_tracking(
        self, shipment: str, status: TrackingStatus, hours: int, local: bool
    ) -> None:
        return_id, shipment_id = shipment.split()
        at = self.memory.clock.now() + timedelta(hours=hours)
        if local:
            at = at.astimezone(CST)
        self._both(
            "record_tracking",
            lambda w: w.service.record_tracking(
                STAFF["warehouse"], return_id, shipment_id, status, at, location="杭州仓"
            ),
        )

    @rule(data=st.data(), poll=st.booleans())
    def carrier_reports(self, data: st.DataObject, poll: bool) -> None:
        """A batch of the memory carrier's events: repeated ids, any order, unknown parcels."""
        numbers = ["NOBODY-1"] + [
            label.tracking_number for _, label in _carrier(self.memory).labels
        ]
        now = self.memory.clock.now()
        events = data.draw(
            st.lists(
                st.builds(
                    CarrierEvent,
                    event_id=st.sampled_from([f"ev-{i}" for i in range(5)]),
                    tracking_number=st.sampled_from(numbers),
                    status=st.sampled_from(list(TrackingStatus)),
                    occurred_at=st.builds(
                        lambda hours, tz: (now - timedelta(hours=hours)).astimezone(tz),
                        st.integers(0, 72),
                        st.sampled_from([CST, UTC]),
                    ),
                    location=st.sampled_from(["", "上海转运中心"]),
                ),
                max_size=5,
            )
        )
        if not poll:
            self._both(
                "ingest_tracking",
                lambda w: w.service.ingest_tracking(STAFF["warehouse"], "memory", events),
            )
            return
        for wiring in (self.memory, self.sqlite):
            _carrier(wiring).push(*events)
        page = self.memory.service.list_returns(self.memory.clerk, EVERYTHING)
        return_id = data.draw(st.sampled_from([o.id for o in page.items] or ["no-such-return"]))
        self._both("poll_tracking", lambda w: w.service.poll_tracking(AGENT, return_id))

    # -- evidence, contacts, owners -------------------------------------------------------

    @rule(
        return_id=MemoryAgainstSqlite.returns,
        who=st.sampled_from(["customer", "customer", "warehouse", "inspector", "agent"]),
        subject=st.sampled_from(list(AttachmentSubject)),
        data=FILES,
        note=st.sampled_from(["", "外包装破损"]),
    )
    def attach(
        self, return_id: str, who: str, subject: AttachmentSubject, data: bytes, note: str
    ) -> None:
        actor = self._customer(return_id) if who == "customer" else STAFF[who]
        self._both(
            "attach_file",
            lambda w: w.service.attach_file(actor, return_id, subject, "photo.png", data, note),
        )
        assert_identical(
            _files(self.sqlite).ids(TENANT), _files(self.memory).ids(TENANT), "attachment ids"
        )

    @rule(
        return_id=MemoryAgainstSqlite.returns,
        channel=st.sampled_from(list(ContactChannel)),
        direction=st.sampled_from(list(Direction)),
        hours_ago=st.sampled_from([None, 0, 3, 30]),
        key=st.sampled_from([None, None, "c-1"]),
    )
    def log_contact(
        self,
        return_id: str,
        channel: ContactChannel,
        direction: Direction,
        hours_ago: int | None,
        key: str | None,
    ) -> None:
        at = None
        if hours_ago is not None:
            at = (self.memory.clock.now() - timedelta(hours=hours_ago)).astimezone(CST)
        self._both(
            "log_contact",
            lambda w: w.service.log_contact(
                AGENT, return_id, channel, direction, "客户来电询问进度", at=at, idempotency_key=key
            ),
        )

    @rule(
        return_id=MemoryAgainstSqlite.returns,
        who=st.sampled_from(["supervisor", "agent", "warehouse"]),
        user=st.sampled_from(["u-cs", "u-wh", None]),
        team=st.sampled_from(["east", None]),
    )
    def assign(self, return_id: str, who: str, user: str | None, team: str | None) -> None:
        actor = STAFF[who]
        self._both(
            "assign_return",
            lambda w: w.service.assign_return(
                actor, return_id, user_id=user, team=team, comment="转给华东组"
            ),
        )

    # -- the happy path, through the customer side ---------------------------------------

    def _advance(self, order: ReturnOrder, data: st.DataObject) -> None:
        """Accept a pending request, ship and track an approved return, ask for feedback when done;
        else as the workflow."""
        return_id = order.id
        if order.status is ReturnStatus.DRAFT:
            pending = self.memory.service.pending_requests(AGENT, limit=MAX_PAGE_SIZE)
            if any(o.id == return_id for o in pending.items):
                self.accept(return_id, None)
                return
        if order.status is ReturnStatus.APPROVED:
            shipped = self.memory.service.shipments(AGENT, return_id)
            if not shipped:
                pickup = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
                made = self._both(
                    "add_shipment", lambda w: w.service.add_shipment(AGENT, return_id, pickup)
                )
                if made is not None:
                    self.create_label(f"{return_id} {made.id}")
                return
            moving = [s for s in shipped if s.tracking_number and s.status is not Parcel.DELIVERED]
            tell = data.draw(st.booleans())
            if moving and tell:
                # The carrier tells where the parcel is, now and then twice.
                status = data.draw(st.sampled_from([Parcel.IN_TRANSIT, Parcel.DELIVERED]))
                reported = CarrierEvent(
                    event_id=f"ev-{moving[0].id}-{status.value}",
                    tracking_number=moving[0].tracking_number,
                    status=status,
                    occurred_at=self.memory.clock.now().astimezone(CST),
                )
                carrier = moving[0].carrier
                self._both(
                    "ingest_tracking",
                    lambda w: w.service.ingest_tracking(STAFF["warehouse"], carrier, [reported]),
                )
                return
        owed = order.grant is not None and order.grant.outstanding.amount > 0
        if order.status is ReturnStatus.COMPLETED and not owed:
            self.customer_gives_feedback(return_id, data.draw(st.integers(1, 5)), other=False)
            return
        super()._advance(order, data)

    # -- after every step: the customer side reads the same -------------------------------

    @invariant()
    def the_customer_side_agrees(self) -> None:
        page = self.memory.service.list_returns(self.memory.clerk, EVERYTHING)
        for order in page.items:
            self._case_file(order)
        self._read(
            "late_returns", lambda w: w.service.late_returns(SUPERVISOR, limit=MAX_PAGE_SIZE)
        )
        self._read(
            "late_returns(east)",
            lambda w: w.service.late_returns(AGENT, team="east", limit=MAX_PAGE_SIZE),
        )
        self._read(
            "pending_requests",
            lambda w: w.service.pending_requests(AGENT, limit=MAX_PAGE_SIZE),
        )
        for customer in CUSTOMERS.values():
            self._read(
                f"my_returns({customer.customer_id})",
                lambda w: w.service.my_returns(customer, limit=MAX_PAGE_SIZE),  # noqa: B023
            )

    def _case_file(self, order: ReturnOrder) -> None:
        rid = order.id
        self._read(f"shipments({rid})", lambda w: w.service.shipments(AGENT, rid))
        self._read(f"tracking({rid})", lambda w: w.service.tracking(AGENT, rid))
        files = self._read(f"attachments({rid})", lambda w: w.service.attachments(AGENT, rid))
        for attachment in files:
            content = self._read(
                f"attachment_content({rid}, {attachment.id})",
                lambda w: w.service.attachment_content(AGENT, rid, attachment.id),  # noqa: B023
            )
            assert content in PNGS, f"{attachment.id}: not the bytes attached"
        self._read(f"contacts({rid})", lambda w: w.service.contacts(AGENT, rid))
        self._read(f"feedback({rid})", lambda w: (w.service.feedback(AGENT, rid),))
        self._read(f"owner_of({rid})", lambda w: w.service.owner_of(AGENT, rid))
        customer = CUSTOMERS[order.customer_id]
        self._read(f"return_timeline({rid})", lambda w: w.service.return_timeline(customer, rid))
        for language in ("zh-CN", "en"):
            self._read(
                f"return_timeline({rid}).as_dict({language})",
                lambda w: w.service.return_timeline(customer, rid).as_dict(language),  # noqa: B023
            )


TestCustomerSideAgainstSqlite = CustomerSideAgainstSqlite.TestCase

# Each step also reads every return's case file from both stores: runs as long
# as the workflow's machine (25 steps locally, 40 on CI), and CI makes at most 50.
_PROFILE = settings()  # the profile tests/conftest.py loaded
TestCustomerSideAgainstSqlite.settings = settings(
    _PROFILE,
    max_examples=min(_PROFILE.max_examples, 50),
    stateful_step_count=_PROFILE.stateful_step_count // 2,
    # Explaining a failure replays it hundreds of times, at a second each: minutes.
    phases=[phase for phase in _PROFILE.phases if phase is not Phase.explain],
)
