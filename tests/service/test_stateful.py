"""Random command sequences through the service, with the invariants checked after each.

The machine creates, edits, submits, approves, rejects, cancels, receives,
inspects and completes returns over a handful of delivered lines, by several
actors (one of another tenant), moving the clock as it goes.  After every
step it checks, against the stored state:

- no order line is ever returned beyond what was delivered;
- every return reached its status through legal transitions only, each
  recorded in the audit trail with an actor and a time;
- refunds of completed returns never exceed what was paid, and a line
  returned in full refunds exactly what was paid;
- a command that failed left no trace at all — except a refused attempt (by
  the access policy or the approval rules), which left exactly one ``DENIED``
  audit entry saying who tried what, when, and changed no status.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from tests.cloudevents.checks import check_message
from tests.service import draws

from crm_returns import (
    Actor,
    DeliveredLine,
    Inspection,
    LineRef,
    Money,
    Receipt,
    RequestedLine,
    ReturnRequest,
    ReturnStatus,
)
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.books.journal import Side
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns.states import TRANSITIONS, Action
from crm_returns.domain.stock.dispositions import Disposition, Location
from crm_returns.domain.stock.moves import balances
from crm_returns.errors import (
    CrmReturnsError,
    NotAuthorised,
    NotEligible,
    NotFound,
    OverReturn,
    SeparationOfDuties,
)
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import sample_wiring
from crm_returns.testing.strategies import delivered_lines, quantities_of

TENANT = SAMPLE_TENANT

ACTORS = {
    "clerk": Actor("u-clerk", "Clerk", TENANT, {"requester"}),
    "boss": Actor("u-boss", "Boss", TENANT, {"requester", "approver", "inspector"}),
    "approver": Actor("u-approver", "Approver", TENANT, {"approver"}),
    "inspector": Actor("u-qa", "Inspector", TENANT, {"inspector"}),
    "warehouse": Actor("u-wh", "Warehouse", TENANT, {"warehouse"}),
    "finance": Actor("u-fin", "Finance", TENANT, {"finance"}),
    "outsider": Actor("u-out", "Outsider", "other-tenant", {"approver", "inspector"}),
}


def _claimed(order: Any, ref: LineRef) -> Decimal:
    """The test's own model of what a return holds of a line (see DESIGN.md, invariant 1)."""
    units = Decimal(0)
    for line in order.lines:
        if line.ref != ref or order.status in (ReturnStatus.CANCELLED, ReturnStatus.REJECTED):
            continue
        if order.status is ReturnStatus.DRAFT:
            units += line.requested
        elif order.status is ReturnStatus.COMPLETED:
            units += line.received  # what came back; wrong and missing units did not
        else:
            units += line.approved
    return units


#: What a refusal by the access policy names as the action: a permission.
PERMISSIONS = {permission.value for permission in Permission}


def _state(wiring: Any) -> Any:
    """Everything a command could have written, as a comparable value.

    The audit trails (second item) are keyed by ``(tenant, return id)``.
    """
    db = wiring.database.committed
    return copy.deepcopy(
        (
            dict(db.returns),
            {key: list(entries) for key, entries in db.audit.items()},
            dict(db.outbox),
            dict(db.sequences),
            dict(db.reasons),
            list(db.moves),
            list(db.entries),
        )
    )


class ReturnsMachine(RuleBasedStateMachine):
    """Drives :class:`~crm_returns.ReturnsService` with random commands."""

    returns = Bundle("returns")

    def __init__(self) -> None:
        super().__init__()
        self.wiring = sample_wiring(with_sample_orders=False)
        self.service = self.wiring.service
        self.lines: list[DeliveredLine] = []

    @initialize(
        lines=st.lists(
            delivered_lines(
                currency="CNY",
                customer_id=st.sampled_from(["C-1", "C-2"]),
                ref=st.builds(
                    LineRef,
                    st.sampled_from(["SO-1", "SO-2"]),
                    st.sampled_from(["1", "2", "3"]),
                ),
            ),
            min_size=1,
            max_size=5,
            unique_by=lambda line: line.ref,
        )
    )
    def load_lines(self, lines: list[DeliveredLine]) -> None:
        self.wiring.clock.advance(timedelta(days=7))
        now = self.wiring.clock.now()
        for line in lines:
            # Deliveries happened within the last two days, so windows are open.
            self.wiring.orders.add(TENANT, _delivered_recently(line, now))
        self.lines = list(self.wiring.orders.get_lines(TENANT, [x.ref for x in lines]).values())

    def _attempt(self, command: Any, *args: Any) -> Any:
        """Run a command; if it fails with our error, check that nothing changed.

        A refusal by the access policy changed nothing either, but wrote one
        ``DENIED`` entry to the audit trail of the return (``args[1]``).
        """
        before = _state(self.wiring)
        self.last_error: CrmReturnsError | None = None
        try:
            return command(*args)
        except CrmReturnsError as error:
            self.last_error = error
        message = str(self.last_error)
        assert message, "every error says what is wrong"
        after = _state(self.wiring)
        refused = self.last_error
        if isinstance(refused, NotAuthorised | SeparationOfDuties):
            # The access policy names the permission; the approval rules (the step's
            # role, separation of duties) refuse an approval or a rejection.
            by_policy = isinstance(refused, NotAuthorised) and refused.action in PERMISSIONS
            permission = refused.action if by_policy else "approve_return"  # type: ignore[union-attr]
            actor, return_id = args[0], args[1]
            denied = self._only_denial(before, after, (actor.tenant_id, return_id))
            order = before[0][(actor.tenant_id, return_id)]
            assert (denied.actor_id, denied.actor_name) == (actor.id, actor.name), denied
            assert (denied.tenant_id, denied.return_id, denied.number) == (
                actor.tenant_id,
                order.id,
                order.number,
            ), denied
            assert denied.detail == (("permission", permission),), denied
            assert denied.at == self.wiring.clock.now(), denied
            assert denied.from_status is denied.to_status is order.status, denied
            assert order.number in message, message
            assert actor.id in message, message
        assert after == before, f"{message} left a trace"
        return None

    @staticmethod
    def _only_denial(before: Any, after: Any, key: tuple[str, str]) -> AuditEntry:
        """The one entry ``after`` added to trail ``key``, taken out of ``after``."""
        trails_before, trails_after = before[1], after[1]
        grown = [k for k in trails_after if trails_after[k] != trails_before.get(k, [])]
        assert grown == [key], f"a denial wrote to {grown}, not only to {key}"
        *kept, denied = trails_after.pop(key)
        assert kept == trails_before.get(key, []), "a denial only appends"
        if kept:
            trails_after[key] = kept
        assert denied.action is Action.DENIED, denied
        return denied  # type: ignore[no-any-return]

    @rule(
        target=returns,
        data=st.data(),
        who=st.sampled_from(["clerk", "boss"]),
    )
    def create(self, data: st.DataObject, who: str) -> Any:
        request = data.draw(self._requests())
        orders = self._all_returns()
        delivered = {line.ref: line.quantity_delivered for line in self.lines}
        over = any(
            wanted.quantity
            > delivered[wanted.ref] - sum((_claimed(o, wanted.ref) for o in orders), Decimal(0))
            for wanted in request.lines
        )
        order = self._attempt(self.service.create_return, ACTORS[who], request)
        if over:
            # Lines are checked in order, so an ineligible line may speak first.
            assert isinstance(self.last_error, OverReturn | NotEligible), f"accepted {request}"
        else:
            # Within the returnable quantity, only a closed return window may refuse.
            assert order is not None or isinstance(self.last_error, NotEligible), self.last_error
        return order.id if order is not None else "missing-id"

    def _quantities(self, line: DeliveredLine) -> st.SearchStrategy[Decimal]:
        """Any quantity, but often exactly what is left, so that lines get returned in full."""
        orders = self._all_returns()
        left = line.quantity_delivered - sum((_claimed(o, line.ref) for o in orders), Decimal(0))
        anything = quantities_of(line)
        return st.one_of(st.just(left), anything) if left > 0 else anything

    def _requests(self) -> st.SearchStrategy[ReturnRequest]:
        customer = st.sampled_from(sorted({line.customer_id for line in self.lines}))
        return customer.flatmap(
            lambda c: st.lists(
                st.sampled_from([line for line in self.lines if line.customer_id == c]),
                min_size=1,
                max_size=3,
                unique_by=lambda line: line.ref,
            )
        ).flatmap(
            lambda chosen: st.tuples(
                *(
                    st.builds(
                        RequestedLine,
                        ref=st.just(line.ref),
                        quantity=self._quantities(line),
                        reason_code=st.sampled_from(draws.REASONS),
                    )
                    for line in chosen
                )
            ).map(lambda lines: ReturnRequest(lines=lines))
        )

    @rule(return_id=returns, data=st.data())
    def edit(self, return_id: str, data: st.DataObject) -> None:
        request = data.draw(self._requests())
        self._attempt(self.service.edit_return, ACTORS["clerk"], return_id, request.lines)

    @rule(return_id=returns, who=st.sampled_from(["clerk", "boss"]))
    def submit(self, return_id: str, who: str) -> None:
        self._attempt(self.service.submit_return, ACTORS[who], return_id)

    @rule(return_id=returns, data=st.data(), lower=st.booleans())
    def approve(self, return_id: str, data: st.DataObject, lower: bool) -> None:
        order = self._existing(return_id)
        who = data.draw(st.sampled_from(["boss", "approver", "inspector", "clerk"]))
        if order is not None and order.current_step is not None and data.draw(st.booleans()):
            # Mostly pick someone who may take the step, so that returns move on.
            able = [
                name
                for name, actor in ACTORS.items()
                if actor.holds_any(order.current_step.roles)
                and actor.id != order.requested_by
                and actor.tenant_id == TENANT
            ]
            who = data.draw(st.sampled_from(able)) if able else who
        quantities = None
        if lower and order is not None:
            quantities = {line.ref: line.approved // 2 for line in order.lines}
        self._attempt(self.service.approve_return, ACTORS[who], return_id, "ok", quantities)

    @rule(return_id=returns, who=st.sampled_from(["boss", "approver"]), comment=st.text(max_size=5))
    def reject(self, return_id: str, who: str, comment: str) -> None:
        self._attempt(self.service.reject_return, ACTORS[who], return_id, comment)

    @rule(return_id=returns, comment=st.sampled_from(["", "customer changed their mind"]))
    def cancel(self, return_id: str, comment: str) -> None:
        self._attempt(self.service.cancel_return, ACTORS["clerk"], return_id, comment)

    @rule(return_id=returns, data=st.data())
    def receive(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is None:
            return
        line = data.draw(st.sampled_from(order.lines))
        receipt = draws.receipt(data, line)
        self._attempt(
            self.service.receive_goods, ACTORS["warehouse"], return_id, {line.ref: receipt}
        )

    @rule(return_id=returns, data=st.data())
    def inspect(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is None:
            return
        line = data.draw(st.sampled_from(order.lines))
        inspection = draws.inspection(data, line)
        self._attempt(
            self.service.inspect_goods, ACTORS["inspector"], return_id, {line.ref: inspection}
        )

    @rule(return_id=returns, data=st.data())
    def move_along(self, return_id: str, data: st.DataObject) -> None:
        """Take the happy path's next step, so that runs reach the late states."""
        order = self._existing(return_id)
        if order is not None:
            self._advance(order, data)

    @rule(data=st.data())
    def move_everything_along(self, data: st.DataObject) -> None:
        """Take every return one step on, so that several returns of a line finish."""
        for order in self._all_returns():
            self._advance(order, data)

    def _advance(self, order: Any, data: st.DataObject) -> None:
        return_id = order.id
        s, clerk = ReturnStatus, ACTORS["clerk"]
        if order.status is s.DRAFT:
            self._attempt(self.service.submit_return, clerk, return_id)
        elif order.status is s.SUBMITTED and order.current_step is not None:
            able = [
                actor
                for actor in ACTORS.values()
                if actor.holds_any(order.current_step.roles)
                and actor.id != order.requested_by
                and actor.tenant_id == TENANT
            ]
            if able:
                self._attempt(
                    self.service.approve_return, data.draw(st.sampled_from(able)), return_id
                )
        elif order.status in (s.APPROVED, s.PARTIALLY_RECEIVED):
            receipts = draws.full_receipts(order)
            self._attempt(self.service.receive_goods, ACTORS["warehouse"], return_id, receipts)
        elif order.status is s.RECEIVED:
            inspections = draws.full_inspections(data, order)
            if inspections:
                self._attempt(
                    self.service.inspect_goods, ACTORS["inspector"], return_id, inspections
                )
        elif order.status is s.INSPECTED:
            method = data.draw(st.sampled_from(list(RefundMethod)))
            self._attempt(self.service.complete_return, ACTORS["finance"], return_id, "", method)
        elif any(line.in_repair for line in order.lines):
            line = next(line for line in order.lines if line.in_repair)
            self._attempt(
                self.service.finish_repair,
                ACTORS["warehouse"],
                return_id,
                line.ref,
                line.in_repair,
                data.draw(st.sampled_from([Disposition.RESTOCK, Disposition.SCRAP])),
            )
        elif order.grant is not None and order.grant.outstanding.amount > 0:
            self._attempt(
                self.service.record_refund_payment,
                ACTORS["finance"],
                return_id,
                order.grant.outstanding,
            )

    @rule(return_id=returns, method=st.sampled_from(list(RefundMethod)))
    def grant(self, return_id: str, method: RefundMethod) -> None:
        self._attempt(self.service.grant_refund, ACTORS["finance"], return_id, method)

    @rule(return_id=returns, data=st.data())
    def pay(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        amount = None if order is None else draws.payment(data, order)
        if amount is not None:
            self._attempt(self.service.record_refund_payment, ACTORS["finance"], return_id, amount)

    @rule(return_id=returns, data=st.data())
    def settle(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is None or order.grant is None or not order.grant.payments:
            return
        payment = data.draw(st.sampled_from(order.grant.payments))
        self._attempt(
            self.service.settle_refund_payment,
            ACTORS["finance"],
            return_id,
            payment.id,
            data.draw(st.booleans()),
        )

    @rule(return_id=returns, data=st.data())
    def finish_repair(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is None:
            return
        ref, units, outcome = draws.repair(data, order)
        self._attempt(
            self.service.finish_repair, ACTORS["warehouse"], return_id, ref, units, outcome
        )

    @rule(return_id=returns)
    def complete(self, return_id: str) -> None:
        self._attempt(self.service.complete_return, ACTORS["finance"], return_id)

    @rule(return_id=returns, data=st.data())
    def someone_without_the_permission_tries(self, return_id: str, data: st.DataObject) -> None:
        """A command by someone whose roles do not allow it: refused, and only that is written."""
        service, somewhere = self.service, LineRef("SO-1", "1")
        attempts: list[tuple[Any, ...]] = [
            ("warehouse", service.grant_refund),
            ("inspector", service.complete_return),
            ("approver", service.submit_return),
            ("approver", service.edit_return, [RequestedLine(somewhere, 1, "other")]),
            ("finance", service.cancel_return, "not mine to cancel"),
            ("finance", service.reject_return, "not mine to reject"),
            ("warehouse", service.approve_return),
            ("clerk", service.receive_goods, {somewhere: Receipt(received=Decimal(1))}),
            ("clerk", service.inspect_goods, {somewhere: Inspection(accepted=Decimal(1))}),
            ("clerk", service.record_refund_payment, Money(Decimal(1), "CNY")),
            ("clerk", service.settle_refund_payment, "p-1", True),
            ("clerk", service.finish_repair, somewhere, Decimal(1)),
        ]
        who, command, *rest = data.draw(st.sampled_from(attempts))
        self._attempt(command, ACTORS[who], return_id, *rest)
        expected = NotFound if self._existing(return_id) is None else NotAuthorised
        assert isinstance(self.last_error, expected), self.last_error

    @rule(return_id=returns)
    def outsider_cannot_touch(self, return_id: str) -> None:
        before = _state(self.wiring)
        for command in (
            lambda: self.service.get_return(ACTORS["outsider"], return_id),
            lambda: self.service.approve_return(ACTORS["outsider"], return_id, "mine now"),
            lambda: self.service.cancel_return(ACTORS["outsider"], return_id, "mine now"),
            lambda: self.service.audit_trail(ACTORS["outsider"], return_id),
        ):
            try:
                command()
            except NotFound:
                pass
            else:
                raise AssertionError("another tenant's return was reachable")
        assert _state(self.wiring) == before

    @rule(hours=st.integers(1, 72))
    def time_passes(self, hours: int) -> None:
        self.wiring.clock.advance(timedelta(hours=hours))

    @precondition(lambda self: bool(self.lines))
    @rule()
    def relay(self) -> None:
        before = len(self.wiring.destination.received)
        report = self.wiring.relay.run_once()
        assert report.delivered == report.tried, "a memory destination takes everything"
        assert report.dead == report.unknown == 0
        for message in self.wiring.destination.received[before:]:
            # Its CloudEvent is valid by the shipped JSON Schema of its type.
            check_message(message)

    def _existing(self, return_id: str) -> Any:
        try:
            return self.service.get_return(ACTORS["clerk"], return_id)
        except NotFound:
            return None

    def _all_returns(self) -> list[Any]:
        return list(self.wiring.database.committed.returns.values())

    def teardown(self) -> None:
        # Shows, with --hypothesis-show-statistics, how far the runs got.
        orders = self._all_returns()
        for status in sorted({order.status.value for order in orders}):
            event(f"reached {status}")
        if any(o.grant is not None and o.grant.paid.amount > 0 for o in orders):
            event("a refund was paid")
        if any(line.repaired for o in orders for line in o.lines):
            event("a repair was finished")
        trails = self.wiring.database.committed.audit.values()
        if any(entry.action is Action.DENIED for trail in trails for entry in trail):
            event("an attempt was denied")
        for line in self.lines:
            units = sum(
                (rl.units for o in orders if o.grant for rl in o.grant.lines if rl.ref == line.ref),
                Decimal(0),
            )
            if units == line.quantity_delivered:
                event("a line was refunded in full")
            grants = [
                o for o in orders if o.grant and any(rl.ref == line.ref for rl in o.grant.lines)
            ]
            if len(grants) > 1:
                event("a line was refunded by several returns")

    @invariant()
    def every_relayed_event_went_once_in_the_order_written(self) -> None:
        written = [m.id for _, m in self.wiring.database.committed.outbox.values()]
        received = [m.id for m in self.wiring.destination.received]
        assert len(set(received)) == len(received), "an event was delivered twice"
        # All of one round at once: the relay delivers a whole return's messages in order,
        # and by the default batch, everything written so far.
        assert received == written[: len(received)], "events left the outbox out of order"

    @invariant()
    def nothing_is_over_returned(self) -> None:
        orders = self._all_returns()
        for line in self.lines:
            claimed = sum((_claimed(order, line.ref) for order in orders), Decimal(0))
            assert claimed <= line.quantity_delivered, f"{line.ref}: {claimed} claimed"

    @invariant()
    def every_status_was_reached_legally_and_audited(self) -> None:
        for order in self._all_returns():
            trail = self.service.audit_trail(ACTORS["clerk"], order.id)
            assert trail, "a stored return has an audit trail"
            assert trail[0].action is Action.DRAFT
            assert trail[0].from_status is None
            status = ReturnStatus.DRAFT
            for entry in trail[1:]:
                if entry.action is Action.DENIED:
                    # A refused attempt is recorded, but is no move: the status stays.
                    assert entry.from_status is entry.to_status is status, f"moved by {entry}"
                    assert entry.actor_id
                    continue
                assert entry.from_status is status, f"{order.number}: audit chain broken"
                allowed = TRANSITIONS[(entry.from_status, entry.action)]
                assert entry.to_status in allowed, f"illegal {entry}"
                assert entry.actor_id
                assert entry.at.utcoffset() is not None
                status = entry.to_status
            assert status is order.status, f"{order.number} is {order.status}, audit says {status}"

    @invariant()
    def refunds_never_exceed_and_add_up(self) -> None:
        granted = [o for o in self._all_returns() if o.grant is not None]
        for line in self.lines:
            pricing = line.pricing()
            refunded = [
                (rl, order) for order in granted for rl in order.grant.lines if rl.ref == line.ref
            ]
            total = sum((rl.total.amount for rl, _ in refunded), Decimal(0))
            tax = sum((rl.tax.amount for rl, _ in refunded), Decimal(0))
            units = sum((rl.units for rl, _ in refunded), Decimal(0))
            assert 0 <= total <= pricing.total.amount
            for rl, order in refunded:
                ours = order.line(line.ref)
                assert rl.units == ours.accepted, "only accepted units are refunded"
                assert Money.zero(line.currency) <= rl.fee <= rl.total
            # Slices telescope: whatever the order and split, n units refunded in all
            # refund exactly what n units cost, rounded once; all units, exactly the total.
            share = units / line.quantity_delivered
            expected = Money.rounded(pricing.total.amount * share, line.currency).amount
            assert total == expected
            # Tax follows the rounded amount, at the line's own tax-to-total ratio.
            if pricing.total.amount:
                ratio = pricing.tax.amount / pricing.total.amount
                assert tax == Money.rounded(expected * ratio, line.currency).amount

    @invariant()
    def payments_never_exceed_the_grant(self) -> None:
        outstanding = Decimal(0)
        for order in self._all_returns():
            if order.grant is None:
                continue
            assert order.grant.committed <= order.grant.amount
            if order.grant.method is RefundMethod.ORIGINAL_PAYMENT:
                outstanding += order.grant.outstanding.amount
        # What is still owed to customers is exactly the receivable's credit balance.
        balances = self.service.trial_balance(ACTORS["finance"])
        receivable = {b.account.code: b for b in balances}.get(DEFAULT_CHART.receivable.code)
        owed = -receivable.balance.amount if receivable else Decimal(0)
        assert owed == outstanding

    @invariant()
    def every_journal_entry_balances(self) -> None:
        for entry in self.wiring.database.committed.entries:
            debit = sum(
                (p.amount.amount for p in entry.postings if p.side is Side.DEBIT), Decimal(0)
            )
            credit = sum(
                (p.amount.amount for p in entry.postings if p.side is Side.CREDIT), Decimal(0)
            )
            assert debit == credit, entry

    @invariant()
    def stock_is_conserved_and_matches_the_lines(self) -> None:
        by_sku: dict[str, Decimal] = {}
        held: dict[Location, Decimal] = {}
        for (sku, location), units in balances(self.wiring.database.committed.moves).items():
            by_sku[sku] = by_sku.get(sku, Decimal(0)) + units
            held[location] = held.get(location, Decimal(0)) + units
            if not location.virtual:
                assert units >= 0, f"{sku} at {location.value}: {units}"
        assert all(total == 0 for total in by_sku.values()), by_sku
        lines = [line for order in self._all_returns() for line in order.lines]
        # Units waiting for inspection sit in receiving; repairs in progress in repair.
        waiting = sum((line.awaiting_inspection for line in lines), Decimal(0))
        assert held.get(Location.RECEIVING, Decimal(0)) == waiting
        in_repair = sum((line.in_repair for line in lines), Decimal(0))
        assert held.get(Location.REPAIR, Decimal(0)) == in_repair

    @invariant()
    def every_event_is_in_the_outbox(self) -> None:
        # Every audit entry but a denial records an event; a denial publishes nothing.
        db = self.wiring.database.committed
        entries = [entry for trail in db.audit.values() for entry in trail]
        audited = sum(1 for entry in entries if entry.action is not Action.DENIED)
        assert audited == len(db.outbox)


def _delivered_recently(line: DeliveredLine, now: Any) -> DeliveredLine:
    return attrs.evolve(
        line, delivered_at=now - timedelta(days=2), ordered_at=now - timedelta(days=4)
    )


TestReturnsMachine = ReturnsMachine.TestCase
