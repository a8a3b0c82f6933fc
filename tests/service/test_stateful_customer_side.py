"""Random command sequences through the customer side, with its invariants checked after each.

The sibling of ``ReturnsMachine`` (tests/service/test_stateful.py), on the
memory store as it is: customers (张伟 C-1001, 李娜 C-1002 of the sample
lines) request returns and withdraw them; staff accept and decline them,
take them through approval, receipt, inspection and completion, add
shipments and labels, ingest carriers' tracking events (repeated, out of
order, lost and delivered), log contacts, attach files and assign owners;
customers attach photos, give feedback and try each other's returns; time
passes.  Every text staff type carries a marker (comments, their names,
contact summaries, a shipment cost).  After every step:

- no line is returned beyond what was delivered, counting requests;
- every carrier event for a known shipment is stored once, for the
  shipment it was first sent for;
- a shipment's status is the tracking rule applied to its stored updates;
- a return has at most one request, one feedback and one assignment;
- a withdrawn or declined request's return is cancelled or rejected: it
  claims nothing;
- no customer timeline holds a marker;
- every case-file record belongs to its return's tenant and customer;
- a command that failed changed nothing but, when refused, the audit trail.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from tests.service import draws
from tests.service.customer_side import CUSTOMER_BY_RETURN, JPEG, LI, ZHANG

from crm_returns import (
    Actor,
    AttachmentSubject,
    CarrierEvent,
    ContactChannel,
    Direction,
    LineRef,
    Money,
    RefundMethod,
    RequestedLine,
    ReturnRequest,
    ReturnStatus,
    ShipmentMethod,
    ShipmentPlan,
    TrackingStatus,
)
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.ownership import Assignment
from crm_returns.domain.requests.records import RequestStatus
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.returns.states import Action
from crm_returns.domain.shipments.records import Shipment, TrackingUpdate
from crm_returns.domain.shipments.tracking import status_of
from crm_returns.errors import CrmReturnsError, NotEligible, NotFound, OverReturn
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import sample_wiring

TENANT = SAMPLE_TENANT
S, T = ReturnStatus, TrackingStatus

#: Staff, each named with a marker that no customer may ever read.
STAFF = {
    role: Actor(f"u-{role}", f"STAFF-{role.upper()}-NAME", TENANT, roles)
    for role, roles in {
        "agent": {"customer_service"},
        "approver": {"approver", "inspector"},
        "warehouse": {"warehouse"},
        "inspector": {"inspector"},
        "finance": {"finance"},
        "supervisor": {"supervisor"},
    }.items()
}
CUSTOMERS = {"C-1001": ZHANG, "C-1002": LI}
DELIVERED = {
    LineRef("SO-1001", "1"): ("C-1001", Decimal(5)),
    LineRef("SO-1001", "2"): ("C-1001", Decimal(10)),
    LineRef("SO-1001", "3"): ("C-1001", Decimal(2)),
    LineRef("SO-1002", "1"): ("C-1002", Decimal(1)),
    LineRef("SO-1002", "2"): ("C-1002", Decimal(3)),
}
#: A shipment's cost: an amount no refund of the sample lines can come to.
COST = Money(Decimal("9876.54"), "CNY")
MARKERS = ("INTERNAL-", "STAFF-", "SUMMARY-", "9876.54", "内部")
SHIPPABLE = (S.APPROVED, S.PARTIALLY_RECEIVED, S.RECEIVED, S.INSPECTED)


def _claimed(order: Any, ref: LineRef) -> Decimal:
    """What a return holds of a line, as ``test_stateful._claimed`` models it."""
    units = Decimal(0)
    for line in order.lines:
        if line.ref != ref or order.status in (S.CANCELLED, S.REJECTED):
            continue
        if order.status is S.DRAFT:
            units += line.requested
        elif order.status is S.COMPLETED:
            units += line.received
        else:
            units += line.approved
    return units


def _without_denials(state: Any) -> Any:
    committed, files = state
    for key, trail in list(committed.audit.items()):
        kept = [entry for entry in trail if entry.action is not Action.DENIED]
        if kept:
            committed.audit[key] = kept
        else:
            del committed.audit[key]
    return committed, files


class CustomerSideMachine(RuleBasedStateMachine):
    """Drives the customer side of :class:`~crm_returns.ReturnsService` with random commands."""

    returns = Bundle("returns")
    shipments = Bundle("shipments")

    def __init__(self) -> None:
        super().__init__()
        self.wiring = sample_wiring()
        self.service = self.wiring.service
        self.marks = 0
        #: Carrier events sent for a known shipment: (carrier, event id) → shipment id.
        self.sent: dict[tuple[str, str], str] = {}

    # -- the steps every rule shares ---------------------------------------------------

    def _mark(self, kind: str) -> str:
        self.marks += 1
        return f"{kind}-{self.marks} 内部"

    def _state(self) -> Any:
        files = self.service.settings.attachments
        assert files is not None
        return copy.deepcopy((self.wiring.database.committed, files.ids(TENANT)))

    def _attempt(self, command: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a command; if it fails, nothing changed but a refusal's audit entry."""
        before = self._state()
        self.error: CrmReturnsError | None = None
        try:
            return command(*args, **kwargs)
        except CrmReturnsError as error:
            self.error = error
        assert str(self.error), "every error says what is wrong"
        after = self._state()
        assert _without_denials(after) == _without_denials(before), f"{self.error!r} left a trace"
        return None

    def _order(self, return_id: str) -> Any:
        return self.wiring.database.committed.returns.get((TENANT, return_id))

    def _orders(self) -> list[Any]:
        return list(self.wiring.database.committed.returns.values())

    def _shipments_of(self, return_id: str) -> list[Shipment]:
        return [s for s in self._records(Shipment) if s.return_id == return_id]

    def _records(self, kind: type[CaseRecord]) -> list[Any]:
        return [r for r in self.wiring.database.committed.casefile.values() if type(r) is kind]

    # -- customers ---------------------------------------------------------------------

    @rule(target=returns, data=st.data(), customer=st.sampled_from(sorted(CUSTOMERS)))
    def request(self, data: st.DataObject, customer: str) -> str:
        refs = [ref for ref, (owner, _) in DELIVERED.items() if owner == customer]
        chosen = data.draw(st.lists(st.sampled_from(refs), min_size=1, max_size=2, unique=True))
        lines = tuple(
            RequestedLine(ref, Decimal(data.draw(st.integers(1, 3))), "wrong_order")
            for ref in chosen
        )
        over = any(
            line.quantity
            > DELIVERED[line.ref][1] - sum((_claimed(o, line.ref) for o in self._orders()), 0)
            for line in lines
        )
        note = data.draw(st.sampled_from(["", "颜色不对"]))
        made = self._attempt(
            self.service.request_return, CUSTOMERS[customer], ReturnRequest(lines, note=note)
        )
        if over:
            assert isinstance(self.error, OverReturn | NotEligible), f"accepted {lines}"
        else:
            assert made is not None, self.error
        return "missing-id" if made is None else made.return_id

    @rule(return_id=returns, data=st.data())
    def withdraw(self, return_id: str, data: st.DataObject) -> None:
        who = data.draw(st.sampled_from(sorted(CUSTOMERS)))
        self._attempt(self.service.withdraw_return, CUSTOMERS[who], return_id)
        order = self._order(return_id)
        if order is not None and order.customer_id != who:
            assert isinstance(self.error, NotFound), self.error

    @rule(return_id=returns, score=st.integers(1, 5))
    def give_feedback(self, return_id: str, score: int) -> None:
        order = self._order(return_id)
        who = CUSTOMERS[order.customer_id] if order is not None else ZHANG
        self._attempt(self.service.give_feedback, who, return_id, score, "谢谢")

    @rule(return_id=returns)
    def attach_photo(self, return_id: str) -> None:
        order = self._order(return_id)
        who = CUSTOMERS[order.customer_id] if order is not None else LI
        self._attempt(
            self.service.attach_file, who, return_id, AttachmentSubject.REQUEST, "p.jpg", JPEG
        )

    @rule(return_id=returns, name=st.sampled_from(sorted(CUSTOMER_BY_RETURN)))
    def another_customer_tries(self, return_id: str, name: str) -> None:
        order = self._order(return_id)
        if order is None:
            return
        other = LI if order.customer_id == "C-1001" else ZHANG
        self._attempt(CUSTOMER_BY_RETURN[name], self.service, other, return_id)
        assert isinstance(self.error, NotFound), f"{name}: {self.error!r}"

    # -- staff -------------------------------------------------------------------------

    @rule(return_id=returns)
    def accept(self, return_id: str) -> None:
        comment = self._mark("INTERNAL")
        self._attempt(self.service.accept_request, STAFF["agent"], return_id, comment)

    @rule(return_id=returns)
    def decline(self, return_id: str) -> None:
        self._attempt(
            self.service.decline_request, STAFF["agent"], return_id, "outside_window", "抱歉"
        )

    @rule(return_id=returns, data=st.data())
    def move_along(self, return_id: str, data: st.DataObject) -> None:
        """Take the happy path's next step, so that runs reach shipping and completion."""
        order = self._order(return_id)
        if order is not None:
            self._advance(order, data)

    @rule(data=st.data())
    def move_everything_along(self, data: st.DataObject) -> None:
        for order in self._orders():
            self._advance(order, data)

    def _advance(self, order: Any, data: st.DataObject) -> None:
        service, note, return_id = self.service, self._mark("INTERNAL"), order.id
        if order.status is S.DRAFT:
            self._attempt(service.accept_request, STAFF["agent"], return_id, note)
        elif order.status is S.SUBMITTED:
            self._attempt(service.approve_return, STAFF["approver"], return_id, note)
        elif order.status is S.APPROVED and not self._shipments_of(order.id):
            # The goods come back by a carrier's pickup, labelled: tracking can follow.
            pickup = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
            shipment = self._attempt(service.add_shipment, STAFF["agent"], return_id, pickup)
            if shipment is not None:
                self._attempt(service.create_label, STAFF["agent"], return_id, shipment.id)
        elif order.status in (S.APPROVED, S.PARTIALLY_RECEIVED):
            receipts = draws.full_receipts(order)
            self._attempt(service.receive_goods, STAFF["warehouse"], return_id, receipts, note)
        elif order.status in (S.RECEIVED, S.INSPECTED):
            # Goods that need no inspection (a wrong order) are refunded once received.
            inspections = draws.full_inspections(data, order)
            if inspections:
                self._attempt(service.inspect_goods, STAFF["inspector"], return_id, inspections)
            else:
                method = RefundMethod.STORE_CREDIT
                self._attempt(service.complete_return, STAFF["finance"], return_id, note, method)
        elif order.status is S.COMPLETED:
            score = data.draw(st.integers(1, 5))
            customer = CUSTOMERS[order.customer_id]
            self._attempt(service.give_feedback, customer, return_id, score, "满意")

    @rule(target=shipments, return_id=returns, data=st.data())
    def add_shipment(self, return_id: str, data: st.DataObject) -> tuple[str, str]:
        # Half the time, a return that can ship, if there is one.
        shippable = [o.id for o in self._orders() if o.status in SHIPPABLE]
        choices = [return_id] * max(1, len(shippable)) + shippable
        return_id = data.draw(st.sampled_from(choices))
        plan = data.draw(
            st.one_of(
                st.just(ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")),
                st.builds(
                    ShipmentPlan,
                    method=st.just(ShipmentMethod.DROP_OFF),
                    carrier=st.just("manual"),
                    tracking_number=st.sampled_from(["SF-1", "SF-2", "SF-3"]),
                    cost=st.just(COST),
                ),
                st.just(ShipmentPlan(method=ShipmentMethod.IN_STORE, cost=COST)),
            )
        )
        made = self._attempt(
            self.service.add_shipment, STAFF["agent"], return_id, plan, self._mark("INTERNAL")
        )
        return (return_id, "missing-id" if made is None else made.id)

    @rule(shipment=shipments)
    def create_label(self, shipment: tuple[str, str]) -> None:
        self._attempt(self.service.create_label, STAFF["warehouse"], *shipment)

    @rule(shipment=shipments, status=st.sampled_from(list(T)), hours=st.integers(-48, 48))
    def record_tracking(
        self, shipment: tuple[str, str], status: TrackingStatus, hours: int
    ) -> None:
        at = self.wiring.clock.now() + timedelta(hours=min(hours, 0))
        self._attempt(self.service.record_tracking, STAFF["warehouse"], *shipment, status, at)

    @rule(data=st.data())
    def carrier_reports(self, data: st.DataObject) -> None:
        """A carrier's batch: repeated event ids, any order, now and then an unknown parcel."""
        tracked = [s for s in self._records(Shipment) if s.tracking_number and s.carrier]
        carrier = data.draw(st.sampled_from(["memory", "manual"]))
        numbers = [s.tracking_number for s in tracked if s.carrier == carrier] + ["NOBODY-1"]
        now = self.wiring.clock.now()
        events = data.draw(
            st.lists(
                st.builds(
                    CarrierEvent,
                    event_id=st.sampled_from([f"ev-{i}" for i in range(6)]),
                    tracking_number=st.sampled_from(numbers),
                    status=st.sampled_from(list(T)),
                    occurred_at=st.integers(-72, 0).map(lambda h: now + timedelta(hours=h)),
                ),
                max_size=6,
            )
        )
        known = {(s.carrier, s.tracking_number): s.id for s in tracked}
        report = self._attempt(self.service.ingest_tracking, STAFF["warehouse"], carrier, events)
        assert report is not None, self.error
        new = 0
        for number in dict.fromkeys(e.tracking_number for e in events):
            shipment = known.get((carrier, number))
            for reported in (e for e in events if e.tracking_number == number):
                if shipment is not None and (carrier, reported.event_id) not in self.sent:
                    self.sent[(carrier, reported.event_id)] = shipment
                    new += 1
        assert len(report.added) == new, report
        assert len(report.unknown) == sum(1 for e in events if e.tracking_number == "NOBODY-1")
        if report.duplicates:
            event("a repeated carrier event was ingested")

    @rule(return_id=returns, channel=st.sampled_from(list(ContactChannel)))
    def log_contact(self, return_id: str, channel: ContactChannel) -> None:
        summary, agent = self._mark("SUMMARY"), STAFF["agent"]
        outbound = Direction.OUTBOUND
        self._attempt(self.service.log_contact, agent, return_id, channel, outbound, summary)

    @rule(return_id=returns, subject=st.sampled_from(list(AttachmentSubject)))
    def staff_attach(self, return_id: str, subject: AttachmentSubject) -> None:
        self._attempt(
            self.service.attach_file,
            STAFF["warehouse"],
            return_id,
            subject,
            "box.jpg",
            JPEG,
            self._mark("INTERNAL"),
        )

    @rule(return_id=returns, user=st.sampled_from(["u-a", "u-b", None]), team=st.booleans())
    def assign(self, return_id: str, user: str | None, team: bool) -> None:
        self._attempt(
            self.service.assign_return,
            STAFF["supervisor"],
            return_id,
            user_id=user,
            team="east" if team or user is None else None,
            comment=self._mark("INTERNAL"),
        )

    @rule(hours=st.integers(1, 96))
    def time_passes(self, hours: int) -> None:
        self.wiring.clock.advance(timedelta(hours=hours))

    # -- invariants --------------------------------------------------------------------

    @invariant()
    def nothing_is_over_returned_counting_requests(self) -> None:
        orders = self._orders()
        for ref, (_, delivered) in DELIVERED.items():
            claimed = sum((_claimed(order, ref) for order in orders), Decimal(0))
            assert claimed <= delivered, f"{ref}: {claimed} claimed of {delivered}"

    @invariant()
    def every_carrier_event_is_stored_once_for_its_shipment(self) -> None:
        updates = self._records(TrackingUpdate)
        keys = [(u.carrier, u.event_id) for u in updates]
        assert len(keys) == len(set(keys)), "a tracking event was stored twice"
        from_carriers = {
            (u.carrier, u.event_id): u.shipment_id
            for u in updates
            if not u.event_id.startswith(("staff:", "label:"))
        }
        assert from_carriers == self.sent

    @invariant()
    def a_shipments_status_follows_from_its_updates(self) -> None:
        updates = self._records(TrackingUpdate)
        for shipment in self._records(Shipment):
            mine = [u for u in updates if u.shipment_id == shipment.id]
            assert shipment.status is status_of(mine), shipment

    @invariant()
    def at_most_one_request_feedback_and_owner_per_return(self) -> None:
        for kind in (RequestRecord, Feedback, Assignment):
            return_ids = [r.return_id for r in self._records(kind)]
            assert len(return_ids) == len(set(return_ids)), f"two {kind.__name__} on a return"

    @invariant()
    def a_withdrawn_or_declined_request_claims_nothing(self) -> None:
        closing = {RequestStatus.WITHDRAWN: S.CANCELLED, RequestStatus.DECLINED: S.REJECTED}
        for record in self._records(RequestRecord):
            order = self._order(record.return_id)
            if record.status in closing:
                assert order.status is closing[record.status], (record, order.status)
                assert all(_claimed(order, line.ref) == 0 for line in order.lines)
            if record.status is RequestStatus.PENDING:
                assert order.status is S.DRAFT

    @invariant()
    def no_customer_timeline_holds_what_staff_typed(self) -> None:
        for order in self._orders():
            customer = CUSTOMERS[order.customer_id]
            timeline = self.service.return_timeline(customer, order.id)
            shown = [repr(timeline), timeline.render("en"), timeline.render("zh-CN")]
            shown += [json.dumps(timeline.as_dict(lang), default=str) for lang in ("en", "zh-CN")]
            listed = self.service.my_returns(customer, limit=200).items
            shown += [repr(entry) for entry in listed]
            for text in shown:
                leaked = [marker for marker in MARKERS if marker in text]
                assert not leaked, f"{order.number} shows {leaked} to its customer: {text}"

    @invariant()
    def every_record_is_its_returns_tenant_and_customer(self) -> None:
        for (tenant, kind, _), record in self.wiring.database.committed.casefile.items():
            assert (tenant, kind) == (record.tenant_id, record.kind)
            order = self._order(record.return_id)
            assert order is not None, f"{record.kind} {record.id} of no return"
            assert (record.tenant_id, record.customer_id) == (order.tenant_id, order.customer_id)

    def teardown(self) -> None:
        # Shows, with --hypothesis-show-statistics, how far the runs got.
        for record in self._records(RequestRecord):
            event(f"a request was {record.status.value}")
        for shipment in self._records(Shipment):
            event(f"a shipment was {shipment.status.value}")
        for order in self._orders():
            event(f"reached {order.status.value}")
        if self._records(Feedback):
            event("feedback was given")


# Each step reads every timeline: fewer steps than the workflow's machine.
CustomerSideMachine.TestCase.settings = settings(stateful_step_count=40)
TestCustomerSideMachine = CustomerSideMachine.TestCase
