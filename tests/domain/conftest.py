"""Fixtures for the domain tests: people, lines, and return orders in every status.

Orders are never assembled field by field: each status is reached by driving
the real transition functions from a draft, so a fixture can only hand out
orders that the state machine itself can produce.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.reasons import DEFAULT_CATALOG, Fault
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.returns import approving, drafting, goods, refunding
from crm_returns.domain.returns.lines import Inspection, Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import TRANSITIONS, Action, ReturnStatus

TENANT = "acme"
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

#: The two lines of the standard return: one that must be inspected, one that need not be.
LINE_A = LineRef("SO-1", "1")
LINE_B = LineRef("SO-1", "2")


@pytest.fixture(scope="session")
def t0() -> datetime:
    """The time the standard return is drafted."""
    return T0


@pytest.fixture(scope="session")
def line_a() -> LineRef:
    """The standard return's first line: 2 units at 100.00 CNY, inspection required."""
    return LINE_A


@pytest.fixture(scope="session")
def line_b() -> LineRef:
    """The standard return's second line: 1 unit at 50.00 CNY, no inspection needed."""
    return LINE_B


@pytest.fixture(scope="session")
def clerk() -> Actor:
    """The clerk who drafts and submits returns (the requester)."""
    return Actor("u-clerk", "王芳 (客服)", TENANT, {"clerk"})


@pytest.fixture(scope="session")
def approver() -> Actor:
    """A manager holding the approver role."""
    return Actor("u-manager", "陈经理", TENANT, {"approver"})


@pytest.fixture(scope="session")
def quality_lead() -> Actor:
    """A quality lead, who takes the second approval step."""
    return Actor("u-quality", "赵敏 (质检)", TENANT, {"quality"})


@pytest.fixture(scope="session")
def warehouse() -> Actor:
    """A warehouse worker who receives and inspects goods."""
    return Actor("u-warehouse", "刘强 (仓库)", TENANT, {"warehouse"})


@pytest.fixture(scope="session")
def stranger() -> Actor:
    """An approver of another tenant, who must not see this tenant's returns."""
    return Actor("u-other", "Mallory", "globex", {"approver", "quality", "warehouse", "clerk"})


@pytest.fixture(scope="session")
def manager_step() -> ApprovalStep:
    """The approval step taken by anyone holding the approver role."""
    return ApprovalStep("manager", {"approver"})


@pytest.fixture(scope="session")
def one_step_policy(manager_step: ApprovalStep) -> ApprovalPolicy:
    """Every return needs the manager's approval."""
    return ApprovalPolicy((ApprovalRule(manager_step),), version="one-step")


@pytest.fixture(scope="session")
def two_step_policy(manager_step: ApprovalStep) -> ApprovalPolicy:
    """Every return needs the manager's approval, then the quality lead's."""
    quality = ApprovalStep("quality", {"quality"})
    return ApprovalPolicy((ApprovalRule(manager_step), ApprovalRule(quality)), version="two-steps")


@pytest.fixture(scope="session")
def no_step_policy() -> ApprovalPolicy:
    """No rule at all: every return is approved as soon as it is submitted."""
    return ApprovalPolicy((), version="automatic")


def _delivered_line(
    ref: LineRef = LINE_A,
    quantity: Decimal | int | str = 3,
    unit_price: str = "100.00",
    currency: str = "CNY",
    *,
    discount: str | None = None,
    order_discount: str | None = None,
    shipping: str | None = None,
    tax_rate: str = "0",
    prices_include_tax: bool = True,
    unit_cost: str | None = None,
    serial_numbers: tuple[str, ...] = (),
    delivered_at: datetime | None = T0 - timedelta(days=3),
    fully_refunded: bool = False,
    customer_id: str = "C-1",
    category: str = "peripherals",
    unit_places: int = 0,
) -> DeliveredLine:
    def money(amount: str | None) -> Money | None:
        return Money(Decimal(amount), currency) if amount is not None else None

    return DeliveredLine(
        ref=ref,
        customer_id=customer_id,
        customer_name="Customer One",
        sku=f"SKU-{ref.line_id}",
        product_name=f"Product {ref.line_id}",
        category=category,
        quantity_delivered=Decimal(quantity),
        unit_price=Money(unit_price, currency),
        ordered_at=T0 - timedelta(days=10),
        delivered_at=delivered_at,
        line_discount=money(discount),
        order_discount=money(order_discount),
        shipping=money(shipping),
        tax_rate=Decimal(tax_rate),
        prices_include_tax=prices_include_tax,
        unit_cost=money(unit_cost),
        serial_numbers=serial_numbers,
        fully_refunded=fully_refunded,
        unit_places=unit_places,
    )


@pytest.fixture(scope="session")
def make_delivered() -> Callable[..., DeliveredLine]:
    """Build a DeliveredLine; by default 3 x 100.00 CNY delivered three days before T0.

    Keywords add a line discount, an order-discount share, a shipping share, a
    tax rate (prices include tax unless ``prices_include_tax=False``), a unit
    cost and delivered serial numbers.
    """
    return _delivered_line


def _return_line(
    ref: LineRef = LINE_A,
    requested: Decimal | int | str = 2,
    unit_price: str = "100.00",
    currency: str = "CNY",
    *,
    inspection_required: bool = True,
    refund: str | None = None,
    reason_code: str = "quality_defect",
    reason_category: str = "quality",
    product_category: str = "peripherals",
    fault: Fault | None = None,
    delivered: DeliveredLine | None = None,
) -> ReturnLine:
    units = Decimal(requested)
    if delivered is None:
        # Unless told otherwise, the order line delivered exactly the units returned.
        delivered = _delivered_line(ref, units, unit_price, currency, category=product_category)
    price = delivered.unit_price
    return ReturnLine(
        ref=ref,
        sku=delivered.sku,
        product_name=delivered.product_name,
        product_category=product_category,
        reason_code=reason_code,
        reason_category=reason_category,
        inspection_required=inspection_required,
        unit_price=price,
        refund=Money(refund, price.currency) if refund is not None else price.times(units),
        requested=units,
        pricing=delivered.pricing(),
        fault=fault if fault is not None else DEFAULT_CATALOG.reason(reason_code).fault,
        delivered_serials=delivered.serial_numbers,
    )


@pytest.fixture(scope="session")
def make_line() -> Callable[..., ReturnLine]:
    """Build a ReturnLine as planning would, priced from the order line it came from.

    The order line is ``delivered`` when given, else one that delivered exactly
    ``requested`` units at ``unit_price`` with no discount, tax or shipping.  The
    fault is the default catalog's for ``reason_code`` unless given; the
    estimated refund defaults to unit price x requested.
    """
    return _return_line


@pytest.fixture(scope="session")
def standard_lines() -> tuple[ReturnLine, ...]:
    """Line A: 2 x 100.00 CNY, inspected; line B: 1 x 50.00 CNY, accepted on arrival.

    Both reasons (quality defect, wrong order) are the seller's fault.
    """
    return (
        _return_line(LINE_A, 2, "100.00"),
        _return_line(
            LINE_B,
            1,
            "50.00",
            inspection_required=False,
            reason_code="wrong_order",
            reason_category="order",
            product_category="cables",
        ),
    )


def _grant(order: ReturnOrder, actor: Actor, at: datetime) -> Transition:
    return refunding.grant_refund(
        order,
        actor,
        at,
        method=RefundMethod.ORIGINAL_PAYMENT,
        policy=RefundPolicy(),
        refunded_before={},
        credit_note="CN-20261127-000001",
        chart=DEFAULT_CHART,
    )


@pytest.fixture(scope="session")
def grant() -> Callable[[ReturnOrder, Actor, datetime], Transition]:
    """Grant a return's refund to the original payment, with no fee and credit note CN-...-1.

    Nothing of the order lines is taken to be refunded by other returns.
    """
    return _grant


@pytest.fixture(scope="session")
def approved_return(clerk: Actor, no_step_policy: ApprovalPolicy) -> Callable[..., ReturnOrder]:
    """Draft a return ``r-7`` of the given lines as ``clerk`` at T0 and submit it.

    No approval step is needed, so it comes back approved, every requested unit
    approved.
    """

    def build(*lines: ReturnLine, return_id: str = "r-7") -> ReturnOrder:
        order = drafting.draft(
            return_id=return_id,
            number=f"RT-20261127-{return_id[2:].zfill(6)}",
            actor=clerk,
            at=T0,
            customer_id="C-1",
            customer_name="Customer One",
            lines=lines,
        ).order
        return approving.submit(order, clerk, T0, no_step_policy).order

    return build


def _assert_legal(
    before: ReturnOrder, result: Transition, action: Action, actor: Actor, at: datetime
) -> None:
    after = result.order
    assert after.status in TRANSITIONS[(before.status, action)]
    assert after.version == before.version + 1
    assert after.updated_at == at
    assert after.created_at == before.created_at
    assert (after.id, after.number, after.tenant_id) == (before.id, before.number, before.tenant_id)
    assert result.events, "every state change emits an event"
    assert result.events[0].action is action
    assert result.events[0].from_status is before.status
    assert result.events[-1].to_status is after.status
    for earlier, later in itertools.pairwise(result.events):
        assert earlier.to_status is later.from_status
    for event in result.events:
        assert (event.actor_id, event.actor_name, event.at) == (actor.id, actor.name, at)
        assert (event.tenant_id, event.return_id, event.number) == (
            before.tenant_id,
            before.id,
            before.number,
        )
    for move in result.moves:
        assert (move.tenant_id, move.return_id, move.at) == (before.tenant_id, before.id, at)
    for posted in result.entries:
        assert (posted.tenant_id, posted.return_id, posted.at) == (before.tenant_id, before.id, at)


@pytest.fixture(scope="session")
def assert_legal() -> Callable[[ReturnOrder, Transition, Action, Actor, datetime], None]:
    """Check that a transition is in the table, attributed to the actor at the time, versioned.

    Also that its events chain from the old status to the new one, and that its
    stock moves and journal entries belong to the return and carry the time.
    """
    return _assert_legal


@attrs.frozen
class _Lifecycle:
    """Drives the standard return through the real transitions to any status."""

    clerk: Actor
    approver: Actor
    warehouse: Actor
    policy: ApprovalPolicy
    lines: tuple[ReturnLine, ...]

    def at(self, step: int) -> datetime:
        return T0 + timedelta(hours=step)

    def reach(self, status: ReturnStatus) -> ReturnOrder:
        s = ReturnStatus
        order = drafting.draft(
            return_id="r-1",
            number="RT-20261127-000001",
            actor=self.clerk,
            at=T0,
            customer_id="C-1",
            customer_name="Customer One",
            lines=self.lines,
        ).order
        if status is s.DRAFT:
            return order
        if status is s.CANCELLED:
            return approving.cancel(order, self.clerk, self.at(1), "customer changed mind").order
        order = approving.submit(order, self.clerk, self.at(1), self.policy).order
        if status is s.SUBMITTED:
            return order
        if status is s.REJECTED:
            return approving.reject(order, self.approver, self.at(2), "not our product").order
        order = approving.approve(order, self.approver, self.at(2), "ok").order
        if status is s.APPROVED:
            return order
        order = goods.receive(
            order, self.warehouse, self.at(3), {LINE_A: Receipt(received=Decimal(1))}, DEFAULT_CHART
        ).order
        if status is s.PARTIALLY_RECEIVED:
            return order
        order = goods.receive(
            order,
            self.warehouse,
            self.at(4),
            {LINE_A: Receipt(received=Decimal(1)), LINE_B: Receipt(received=Decimal(1))},
            DEFAULT_CHART,
        ).order
        if status is s.RECEIVED:
            return order
        order = goods.inspect(
            order,
            self.warehouse,
            self.at(5),
            {LINE_A: Inspection(accepted=Decimal(2))},
            DEFAULT_CHART,
        ).order
        if status is s.INSPECTED:
            return order
        order = _grant(order, self.clerk, self.at(6)).order
        order = goods.complete(order, self.clerk, self.at(7)).order
        assert status is s.COMPLETED, status
        return order


@pytest.fixture(scope="session")
def order_in(
    clerk: Actor,
    approver: Actor,
    warehouse: Actor,
    one_step_policy: ApprovalPolicy,
    standard_lines: tuple[ReturnLine, ...],
) -> Callable[[ReturnStatus], ReturnOrder]:
    """The standard return (lines A and B, one approval step) in the status asked for.

    Drafted by ``clerk`` at T0; each later step one hour after the previous one:
    submitted, approved by ``approver``, line A received 1 then A 1 and B 1,
    line A's 2 units accepted (restocked), the refund granted to the original
    payment (200.00 + 50.00 = 250.00 CNY, credit note CN-20261127-000001),
    completed.
    """
    return _Lifecycle(clerk, approver, warehouse, one_step_policy, standard_lines).reach
