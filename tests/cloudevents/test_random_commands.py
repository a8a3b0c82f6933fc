"""Every message random command sequences write is a CloudEvent its type's schema accepts.

The machine drives the sample shop through :func:`crm_returns.testing.sample_wiring`:
it creates, edits, submits, approves, rejects, cancels, receives, inspects,
repairs, completes, grants, pays and settles returns with arguments drawn as
the stateful service test draws them (``tests/service/draws.py``), mostly
sensible and now and then refused.  After every step, each message that
reached the outbox since the last step is checked by
:func:`tests.cloudevents.checks.check_message`: it validates against the
shipped schema of its type, holds no JSON number, and its envelope says what
its event says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule
from tests.cloudevents.checks import check_message
from tests.service import draws

from crm_returns import Actor, LineRef, RequestedLine, ReturnOrder, ReturnRequest, ReturnStatus
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.errors import CrmReturnsError, NotFound
from crm_returns.testing import sample_wiring

#: The sample shop's delivered lines, by customer (see tests/service/conftest.py).
LINES = {
    "C-1001": [LineRef("SO-1001", "1"), LineRef("SO-1001", "2"), LineRef("SO-1001", "3")],
    "C-1002": [LineRef("SO-1002", "1"), LineRef("SO-1002", "2")],
}


def _requests() -> st.SearchStrategy[ReturnRequest]:
    """One customer's lines, one or two units each, with any default reason."""
    return st.sampled_from(sorted(LINES)).flatmap(
        lambda customer: st.lists(
            st.builds(
                RequestedLine,
                ref=st.sampled_from(LINES[customer]),
                quantity=st.integers(1, 2),
                reason_code=st.sampled_from(draws.REASONS),
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda line: line.ref,
        ).map(lambda lines: ReturnRequest(lines=lines, note="退货 return"))
    )


class CloudEventsMachine(RuleBasedStateMachine):
    """Random commands on the sample shop; every new outbox message is checked."""

    returns = Bundle("returns")

    def __init__(self) -> None:
        super().__init__()
        self.wiring = sample_wiring()
        self.service = self.wiring.service
        self.checked: set[str] = set()

    def _attempt(self, command: Callable[..., ReturnOrder], *args: Any) -> ReturnOrder | None:
        try:
            return command(*args)
        except CrmReturnsError:
            return None  # refused: nothing was written, so there is nothing to check

    def _existing(self, return_id: str) -> ReturnOrder | None:
        try:
            return self.service.get_return(self.wiring.admin, return_id)
        except NotFound:
            return None

    @initialize(target=returns, request=_requests())
    def first_return(self, request: ReturnRequest) -> str:
        return self._create(request)

    @rule(target=returns, request=_requests())
    def create(self, request: ReturnRequest) -> str:
        return self._create(request)

    def _create(self, request: ReturnRequest) -> str:
        order = self._attempt(self.service.create_return, self.wiring.clerk, request)
        return order.id if order is not None else "missing-id"

    @rule(return_id=returns, request=_requests())
    def edit(self, return_id: str, request: ReturnRequest) -> None:
        self._attempt(self.service.edit_return, self.wiring.clerk, return_id, request.lines)

    @rule(return_id=returns)
    def submit(self, return_id: str) -> None:
        self._attempt(self.service.submit_return, self.wiring.clerk, return_id)

    @rule(return_id=returns, who=st.sampled_from(["approver", "inspector"]))
    def approve(self, return_id: str, who: str) -> None:
        actor: Actor = getattr(self.wiring, who)
        self._attempt(self.service.approve_return, actor, return_id, "同意 ok")

    @rule(
        return_id=returns,
        who=st.sampled_from(["approver", "inspector"]),
        comment=st.sampled_from(["", "不符合政策"]),
    )
    def reject(self, return_id: str, who: str, comment: str) -> None:
        actor: Actor = getattr(self.wiring, who)
        self._attempt(self.service.reject_return, actor, return_id, comment)

    @rule(return_id=returns)
    def cancel(self, return_id: str) -> None:
        self._attempt(self.service.cancel_return, self.wiring.clerk, return_id, "客户取消")

    @rule(return_id=returns, data=st.data())
    def receive(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is not None:
            line = data.draw(st.sampled_from(order.lines))
            receipts = {line.ref: draws.receipt(data, line)}
            self._attempt(self.service.receive_goods, self.wiring.warehouse, return_id, receipts)

    @rule(return_id=returns, data=st.data())
    def inspect(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is not None:
            line = data.draw(st.sampled_from(order.lines))
            inspections = {line.ref: draws.inspection(data, line)}
            self._attempt(self.service.inspect_goods, self.wiring.inspector, return_id, inspections)

    @rule(return_id=returns, data=st.data())
    def move_along(self, return_id: str, data: st.DataObject) -> None:
        """Take the happy path's next step, so that runs reach the late events."""
        self._advance(return_id, data)

    @rule(return_id=returns, data=st.data())
    def see_it_through(self, return_id: str, data: st.DataObject) -> None:
        """Take the happy path to its end (repairs and payments too), or as far as it goes."""
        for _ in range(12):
            self._advance(return_id, data)

    def _advance(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is None:
            return
        w, s = self.wiring, ReturnStatus
        if order.status is s.DRAFT:
            self._attempt(self.service.submit_return, w.clerk, return_id)
        elif order.status is s.SUBMITTED and order.current_step is not None:
            able = [a for a in (w.approver, w.inspector) if a.holds_any(order.current_step.roles)]
            if able:
                self._attempt(self.service.approve_return, able[0], return_id)
        elif order.status in (s.APPROVED, s.PARTIALLY_RECEIVED):
            receipts = draws.full_receipts(order)
            self._attempt(self.service.receive_goods, w.warehouse, return_id, receipts)
        elif order.status is s.RECEIVED:
            inspections = draws.full_inspections(data, order)
            self._attempt(self.service.inspect_goods, w.inspector, return_id, inspections)
        elif order.status is s.INSPECTED:
            method = data.draw(st.sampled_from(list(RefundMethod)))
            self._attempt(self.service.complete_return, w.finance, return_id, "", method)
        elif any(line.in_repair for line in order.lines):
            line = next(line for line in order.lines if line.in_repair)
            self._attempt(
                self.service.finish_repair, w.warehouse, return_id, line.ref, line.in_repair
            )
        elif order.grant is not None and order.grant.outstanding.amount > 0:
            amount = order.grant.outstanding
            self._attempt(self.service.record_refund_payment, w.finance, return_id, amount)
        elif order.grant is not None and order.grant.payments:
            payment = order.grant.payments[-1]
            self._attempt(
                self.service.settle_refund_payment, w.finance, return_id, payment.id, True
            )

    @rule(return_id=returns, data=st.data())
    def finish_repair(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is not None:
            ref, units, outcome = draws.repair(data, order)
            self._attempt(
                self.service.finish_repair, self.wiring.warehouse, return_id, ref, units, outcome
            )

    @rule(return_id=returns, method=st.sampled_from(list(RefundMethod)))
    def grant(self, return_id: str, method: RefundMethod) -> None:
        self._attempt(self.service.grant_refund, self.wiring.finance, return_id, method)

    @rule(return_id=returns, data=st.data())
    def pay(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        amount = None if order is None else draws.payment(data, order)
        if amount is not None:
            self._attempt(
                self.service.record_refund_payment, self.wiring.finance, return_id, amount
            )

    @rule(return_id=returns, data=st.data())
    def settle(self, return_id: str, data: st.DataObject) -> None:
        order = self._existing(return_id)
        if order is None or order.grant is None or not order.grant.payments:
            return
        payment = data.draw(st.sampled_from(order.grant.payments))
        succeeded = data.draw(st.booleans())
        self._attempt(
            self.service.settle_refund_payment,
            self.wiring.finance,
            return_id,
            payment.id,
            succeeded,
        )

    @rule(return_id=returns)
    def complete(self, return_id: str) -> None:
        self._attempt(self.service.complete_return, self.wiring.finance, return_id)

    @rule(hours=st.integers(1, 72))
    def time_passes(self, hours: int) -> None:
        self.wiring.clock.advance(timedelta(hours=hours))

    @invariant()
    def every_new_message_is_a_valid_cloudevent(self) -> None:
        for _, message in self.wiring.database.committed.outbox.values():
            if message.id not in self.checked:
                cloudevent = check_message(message)
                self.checked.add(message.id)
                # Shows, with --hypothesis-show-statistics, which types the runs reached.
                event(f"made {cloudevent['type'].split('.')[-2]}")


TestCloudEventsMachine = CloudEventsMachine.TestCase
