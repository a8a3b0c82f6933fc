"""Refunds add up to what was paid; planning checks what may be returned and prices it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.actors import Actor
from crm_returns.domain.books.accounts import DEFAULT_CHART
from crm_returns.domain.money import MINOR_UNITS, Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.policies.approval import ApprovalPolicy
from crm_returns.domain.policies.eligibility import (
    DEFAULT_RULES,
    EligibilityContext,
    EligibilityRule,
    MustBeDelivered,
    MustNotBeRefunded,
    ReturnWindow,
)
from crm_returns.domain.reasons import DEFAULT_CATALOG, Fault
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.paid import paid_for_units
from crm_returns.domain.refunds.pricing import estimate
from crm_returns.domain.refunds.slices import refund_for_units
from crm_returns.domain.returns import approving, goods, refunding
from crm_returns.domain.returns.lines import Inspection, Receipt, RequestedLine, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.returnable import (
    ReturnableLine,
    already_returned,
    plan_line,
    refunded_units,
)
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import (
    CurrencyMismatch,
    InvalidInput,
    InvalidMoney,
    InvalidQuantity,
    NotEligible,
    OverReturn,
    ReasonNotSelectable,
)

S = ReturnStatus
REF = LineRef("SO-1", "1")
OTHER_REF = LineRef("SO-1", "2")
DELIVERED_AT = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
#: Two days after delivery: inside every default window.
SOON = DELIVERED_AT + timedelta(days=2)

MakeDelivered = Callable[..., DeliveredLine]
OrderIn = Callable[[ReturnStatus], ReturnOrder]
Grant = Callable[[ReturnOrder, Actor, datetime], Transition]


def refunds_one_by_one(line: DeliveredLine, parts: list[int]) -> list[Money]:
    """Refund ``parts`` units at a time, in order, as successive partial returns."""
    refunds, returned = [], Decimal(0)
    for part in parts:
        refunds.append(refund_for_units(line, returned, Decimal(part)))
        returned += part
    return refunds


# -- worked examples -----------------------------------------------------------------


def test_three_units_for_100_returned_one_by_one_refund_33_33_then_33_34_then_33_33(
    make_delivered: MakeDelivered,
) -> None:
    line = make_delivered(quantity=3, unit_price="40.00", discount="20.00")
    # Paid: 3 x 40.00 - 20.00 = 100.00.  R(x) = 100.00 * x / 3, half-up:
    # R(1) = 33.333.. -> 33.33; R(2) = 66.666.. -> 66.67; R(3) = 100.00.
    # Refunds: 33.33 - 0 = 33.33; 66.67 - 33.33 = 33.34; 100.00 - 66.67 = 33.33.
    assert line.amount_paid == Money("100.00", "CNY")
    assert refunds_one_by_one(line, [1, 1, 1]) == [
        Money("33.33", "CNY"),
        Money("33.34", "CNY"),
        Money("33.33", "CNY"),
    ]


def test_two_units_then_one_of_three_for_100(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=3, unit_price="40.00", discount="20.00")
    # R(2) = 66.67; then R(3) - R(2) = 100.00 - 66.67 = 33.33.
    assert refunds_one_by_one(line, [2, 1]) == [Money("66.67", "CNY"), Money("33.33", "CNY")]


def test_returning_everything_at_once_refunds_exactly_what_was_paid(
    make_delivered: MakeDelivered,
) -> None:
    line = make_delivered(quantity=3, unit_price="40.00", discount="20.00")
    assert refund_for_units(line, Decimal(0), Decimal(3)) == Money("100.00", "CNY")


def test_the_line_discount_is_shared_over_the_units(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=4, unit_price="19.99", discount="10.00")
    # Paid: 4 x 19.99 - 10.00 = 79.96 - 10.00 = 69.96.
    # One unit: 69.96 / 4 = 17.49 exactly; the other three: 69.96 - 17.49 = 52.47.
    assert line.amount_paid == Money("69.96", "CNY")
    assert refunds_one_by_one(line, [1, 3]) == [Money("17.49", "CNY"), Money("52.47", "CNY")]


def test_yen_refunds_are_whole_yen(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=3, unit_price="1000", currency="JPY", discount="1000")
    # Paid: 3 x 1000 - 1000 = 2000.  R(1) = 666.67 -> 667; R(2) = 1333.33 -> 1333.
    # Refunds: 667; 1333 - 667 = 666; 2000 - 1333 = 667.
    assert refunds_one_by_one(line, [1, 1, 1]) == [
        Money(667, "JPY"),
        Money(666, "JPY"),
        Money(667, "JPY"),
    ]


def test_dinar_refunds_are_to_the_fils(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=3, unit_price="1.000", currency="KWD", discount="2.000")
    # Paid: 3 x 1.000 - 2.000 = 1.000.  R(1) = 0.3333 -> 0.333; R(2) = 0.6667 -> 0.667.
    # Refunds: 0.333; 0.667 - 0.333 = 0.334; 1.000 - 0.667 = 0.333.
    assert refunds_one_by_one(line, [1, 1, 1]) == [
        Money("0.333", "KWD"),
        Money("0.334", "KWD"),
        Money("0.333", "KWD"),
    ]


def test_half_a_cent_rounds_up_on_the_first_return(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=2, unit_price="0.05", discount="0.05")
    # Paid: 2 x 0.05 - 0.05 = 0.05.  R(1) = 0.025 -> 0.03 (half-up); then 0.05 - 0.03 = 0.02.
    assert refunds_one_by_one(line, [1, 1]) == [Money("0.03", "CNY"), Money("0.02", "CNY")]


def test_fractional_quantities_are_refunded_in_proportion(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity="2.5", unit_places=3, unit_price="10.00")  # kilograms
    # Paid: 2.5 kg x 10.00 = 25.00.  1 kg: 25.00 x 1 / 2.5 = 10.00; the other 1.5 kg: 15.00.
    assert refund_for_units(line, Decimal(0), Decimal(1)) == Money("10.00", "CNY")
    assert refund_for_units(line, Decimal(1), Decimal("1.5")) == Money("15.00", "CNY")


def test_a_fully_discounted_line_refunds_nothing(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=2, unit_price="10.00", discount="20.00")
    assert refunds_one_by_one(line, [1, 1]) == [Money.zero("CNY"), Money.zero("CNY")]


@pytest.mark.parametrize(
    ("already", "more"), [("3", "1"), ("2", "2"), ("0", "4"), ("-1", "1"), ("0", "-1")]
)
def test_refunds_cannot_run_past_what_was_delivered_or_below_zero(
    make_delivered: MakeDelivered, already: str, more: str
) -> None:
    line = make_delivered(quantity=3)
    with pytest.raises(InvalidQuantity, match="SO-1/1"):
        refund_for_units(line, Decimal(already), Decimal(more))


def test_paid_for_all_units_is_the_amount_paid_exactly(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=7, unit_price="0.99", discount="0.01")
    # 7 x 0.99 - 0.01 = 6.93 - 0.01 = 6.92
    assert paid_for_units(line, Decimal(7)) == Money("6.92", "CNY")
    assert paid_for_units(line, Decimal(0)) == Money.zero("CNY")


def test_the_granted_refund_pays_the_accepted_units_after_those_refunded_before(
    make_delivered: MakeDelivered,
    make_line: Callable[..., ReturnLine],
    approved_return: Callable[..., ReturnOrder],
    warehouse: Actor,
    clerk: Actor,
) -> None:
    # Moved from completion (which no longer prices refunds) to grant_refund.
    delivered = make_delivered(quantity=3, unit_price="40.00", discount="20.00")
    order = approved_return(make_line(REF, 2, delivered=delivered))
    order = goods.receive(
        order, warehouse, SOON, {REF: Receipt(received=Decimal(2))}, DEFAULT_CHART
    ).order
    order = goods.inspect(
        order,
        warehouse,
        SOON,
        {REF: Inspection(accepted=Decimal(1), rejected=Decimal(1))},
        DEFAULT_CHART,
    ).order
    granted = refunding.grant_refund(
        order,
        clerk,
        SOON,
        method=RefundMethod.ORIGINAL_PAYMENT,
        policy=RefundPolicy(),
        refunded_before={REF: Decimal(1)},
        credit_note="CN-1",
        chart=DEFAULT_CHART,
    ).order
    # One unit refunded before; one more accepted now: R(2) - R(1) = 66.67 - 33.33 = 33.34.
    assert granted.line(REF).refund == Money("33.34", "CNY")
    assert granted.grant is not None
    (refund,) = granted.grant.lines
    assert (refund.units, refund.total) == (Decimal(1), Money("33.34", "CNY"))


# -- the refund property -----------------------------------------------------------


@st.composite
def delivered_lines(draw: st.DrawFn) -> DeliveredLine:
    """Any delivered line: any currency, 1..50 units, any price, any discount up to gross."""
    currency = draw(st.sampled_from(sorted(MINOR_UNITS)))
    places = MINOR_UNITS[currency]
    units = draw(st.integers(min_value=1, max_value=50))
    price_minor = draw(st.integers(min_value=0, max_value=10**9))
    discount_minor = draw(st.integers(min_value=0, max_value=price_minor * units))
    return DeliveredLine(
        ref=REF,
        customer_id="C-1",
        customer_name="Customer",
        sku="SKU-1",
        product_name="Product",
        category="misc",
        quantity_delivered=Decimal(units),
        unit_price=Money(Decimal(price_minor).scaleb(-places), currency),
        ordered_at=DELIVERED_AT - timedelta(days=1),
        delivered_at=DELIVERED_AT,
        line_discount=Money(Decimal(discount_minor).scaleb(-places), currency),
    )


@st.composite
def splits(draw: st.DrawFn, total: int) -> list[int]:
    """Any way to return ``total`` units in one or more partial returns."""
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=total - 1))) if total > 1 else [])
    bounds = [0, *cuts, total]
    return [high - low for low, high in itertools.pairwise(bounds)]


@given(st.data())
def test_partial_returns_refund_exactly_what_was_paid(data: st.DataObject) -> None:
    line = data.draw(delivered_lines())
    parts = data.draw(splits(int(line.quantity_delivered)))
    assert sum(parts) == line.quantity_delivered
    refunds = refunds_one_by_one(line, parts)
    assert Money.total(refunds, line.currency) == line.amount_paid
    for refund in refunds:
        assert refund.currency == line.currency
        assert Money.zero(line.currency) <= refund <= line.amount_paid


# -- choosing what to return ---------------------------------------------------------


def request(quantity: int | str = 1, reason: str = "quality_defect") -> RequestedLine:
    return RequestedLine(REF, Decimal(quantity), reason, note="scratched screen")


def plan(
    delivered: DeliveredLine,
    wanted: RequestedLine | None = None,
    returned: int = 0,
    at: datetime = SOON,
    rules: tuple[EligibilityRule, ...] = DEFAULT_RULES,
) -> ReturnLine:
    return plan_line(
        wanted or request(),
        delivered,
        DEFAULT_CATALOG,
        Decimal(returned),
        rules,
        at,
    )


def test_a_planned_line_is_priced_and_carries_the_reason_and_product(
    make_delivered: MakeDelivered,
) -> None:
    delivered = make_delivered(
        quantity=3, unit_price="40.00", discount="20.00", delivered_at=DELIVERED_AT
    )
    line = plan(delivered, request(1, "quality_defect"))
    # Changed: plan_line keeps what the whole order line cost and leaves the
    # refund to estimate(), which applies the refund policy.
    assert line.pricing == delivered.pricing()
    assert line.pricing.total == Money("100.00", "CNY")
    assert line.fault is Fault.SELLER
    assert line.refund == Money.zero("CNY")
    (priced,), _ = estimate((line,), RefundPolicy(), {})
    # 100.00 paid for 3; the first unit: 33.33 (see the worked example above).
    assert priced.refund == Money("33.33", "CNY")
    assert line.requested == 1
    assert line.approved == line.received == line.accepted == 0
    assert (line.reason_code, line.reason_category) == ("quality_defect", "quality")
    assert line.inspection_required is True
    assert (line.sku, line.product_name, line.product_category) == (
        delivered.sku,
        delivered.product_name,
        delivered.category,
    )
    assert line.unit_price == Money("40.00", "CNY")
    assert line.note == "scratched screen"


def test_the_estimate_prices_after_the_units_other_returns_refunded(
    make_delivered: MakeDelivered,
) -> None:
    # Changed: the slice now starts after units other returns *refunded* (their
    # grants), not after units they merely hold.
    delivered = make_delivered(
        quantity=3, unit_price="40.00", discount="20.00", delivered_at=DELIVERED_AT
    )
    line = plan(delivered, request(1), returned=1)
    (priced,), (itemised,) = estimate((line,), RefundPolicy(), {REF: Decimal(1)})
    # One unit was refunded by another return: this unit is the second, R(2) - R(1) = 66.67 - 33.33.
    assert priced.refund == itemised.payable == Money("33.34", "CNY")


def test_a_reason_that_needs_no_inspection_says_so_on_the_line(
    make_delivered: MakeDelivered,
) -> None:
    line = plan(make_delivered(delivered_at=DELIVERED_AT), request(1, "wrong_order"))
    assert line.inspection_required is False


def test_the_whole_returnable_quantity_may_be_returned(make_delivered: MakeDelivered) -> None:
    delivered = make_delivered(quantity=5, delivered_at=DELIVERED_AT)
    assert plan(delivered, request(2), returned=3).requested == 2


def test_returning_more_than_is_returnable_is_an_over_return_with_the_numbers(
    make_delivered: MakeDelivered,
) -> None:
    delivered = make_delivered(quantity=5, delivered_at=DELIVERED_AT)
    with pytest.raises(OverReturn) as raised:
        plan(delivered, request(3), returned=3)
    error = raised.value
    assert error.line == "SO-1/1"
    assert (error.requested, error.delivered, error.already_returned) == (
        Decimal(3),
        Decimal(5),
        Decimal(3),
    )
    assert error.returnable == 2  # 5 delivered - 3 already returned
    message = str(error)
    for part in ("SO-1/1", "return 3", "delivered 5", "already returned 3", "returnable 2"):
        assert part in message


@pytest.mark.parametrize("code", ["quality", "logistics"])
def test_a_category_cannot_be_planned_as_a_reason(make_delivered: MakeDelivered, code: str) -> None:
    with pytest.raises(ReasonNotSelectable):
        plan(make_delivered(delivered_at=DELIVERED_AT), request(1, code))


def test_a_retired_reason_cannot_be_planned(make_delivered: MakeDelivered) -> None:
    catalog = DEFAULT_CATALOG.retired("other")
    with pytest.raises(ReasonNotSelectable, match="retired"):
        plan_line(
            request(1, "other"),
            make_delivered(delivered_at=DELIVERED_AT),
            catalog,
            Decimal(0),
            DEFAULT_RULES,
            SOON,
        )


def test_undelivered_goods_cannot_be_returned(make_delivered: MakeDelivered) -> None:
    with pytest.raises(NotEligible) as raised:
        plan(make_delivered(delivered_at=None))
    assert raised.value.line == "SO-1/1"
    assert raised.value.refusals == ("the goods have not been delivered yet",)
    assert "not been delivered" in str(raised.value)


def test_a_line_the_host_already_refunded_cannot_be_returned(
    make_delivered: MakeDelivered,
) -> None:
    with pytest.raises(NotEligible) as raised:
        plan(make_delivered(delivered_at=DELIVERED_AT, fully_refunded=True))
    assert raised.value.refusals == ("the line has already been fully refunded",)


def test_every_refusal_is_reported_in_rule_order(make_delivered: MakeDelivered) -> None:
    with pytest.raises(NotEligible) as raised:
        plan(make_delivered(delivered_at=None, fully_refunded=True))
    assert raised.value.refusals == (
        "the goods have not been delivered yet",
        "the line has already been fully refunded",
    )


@pytest.mark.parametrize(
    ("reason", "days", "closes_on"),
    [
        # Customer's own reasons: 7 days.  1 Nov 10:00 + 7 days = 8 Nov 10:00.
        ("changed_requirement", 7, "2026-11-08"),
        ("other", 7, "2026-11-08"),
        # Seller's or carrier's fault: 30 days.  1 Nov 10:00 + 30 days = 1 Dec 10:00.
        ("quality_defect", 30, "2026-12-01"),
        ("damaged_in_transit", 30, "2026-12-01"),
        ("wrong_order", 30, "2026-12-01"),
    ],
)
def test_the_return_window_is_shorter_when_the_customer_is_at_fault(
    make_delivered: MakeDelivered, reason: str, days: int, closes_on: str
) -> None:
    delivered = make_delivered(delivered_at=DELIVERED_AT)
    last_moment = DELIVERED_AT + timedelta(days=days)
    assert plan(delivered, request(1, reason), at=last_moment).requested == 1
    with pytest.raises(NotEligible) as raised:
        plan(delivered, request(1, reason), at=last_moment + timedelta(seconds=1))
    (refusal,) = raised.value.refusals
    assert refusal == f"the {days}-day return window for {reason!r} closed on {closes_on}"


def test_a_window_can_be_set_per_reason_category(make_delivered: MakeDelivered) -> None:
    rules = (ReturnWindow(by_reason_category={"customer": 14, "quality": 90}),)
    delivered = make_delivered(delivered_at=DELIVERED_AT)
    # "customer" (changed_requirement): 1 Nov + 14 days = 15 Nov 10:00.
    fifteenth = datetime(2026, 11, 15, 10, 0, tzinfo=UTC)
    assert plan(delivered, request(1, "changed_requirement"), at=fifteenth, rules=rules).requested
    with pytest.raises(NotEligible, match="14-day"):
        plan(
            delivered,
            request(1, "changed_requirement"),
            at=fifteenth + timedelta(seconds=1),
            rules=rules,
        )
    # "quality": 90 days.  31 Dec is 60 days after 1 Nov: past the default 30, inside 90.
    assert plan(delivered, request(1), at=datetime(2026, 12, 31, tzinfo=UTC), rules=rules).requested
    # Categories not listed keep the defaults: "other" (general) is the customer's, 7 days.
    with pytest.raises(NotEligible, match="7-day"):
        plan(delivered, request(1, "other"), at=fifteenth, rules=rules)


@pytest.mark.parametrize("days", [-1, True, 1.5, "7"], ids=repr)
def test_a_window_is_a_whole_number_of_days(days: object) -> None:
    with pytest.raises(InvalidInput, match="whole number of days"):
        ReturnWindow(customer_days=days)
    with pytest.raises(InvalidInput, match="whole number of days"):
        ReturnWindow(by_reason_category={"customer": days})  # type: ignore[dict-item]


def test_the_window_leaves_undelivered_lines_to_the_delivery_rule(
    make_delivered: MakeDelivered,
) -> None:
    # The window has nothing to measure from, so it does not pile on a second refusal.
    context = EligibilityContext(
        make_delivered(delivered_at=None),
        DEFAULT_CATALOG.choose("quality_defect"),
        SOON + timedelta(days=365),
        Decimal(0),
    )
    assert ReturnWindow().check(context) is None
    assert MustBeDelivered().check(context) == "the goods have not been delivered yet"
    assert MustNotBeRefunded().check(context) is None


def test_planning_refuses_a_time_without_a_timezone(make_delivered: MakeDelivered) -> None:
    # Every stored time is timezone-aware; a naive one cannot be compared with
    # them and must be refused with the library's typed error.
    with pytest.raises(InvalidInput):
        plan(make_delivered(delivered_at=DELIVERED_AT), at=datetime(2026, 11, 2, 10, 0))  # noqa: DTZ001


# -- delivered lines -----------------------------------------------------------------


def test_a_discount_larger_than_the_line_is_refused(make_delivered: MakeDelivered) -> None:
    # 2 x 10.00 = 20.00 gross; 20.01 off is more than the line.
    with pytest.raises(InvalidMoney, match="discount"):
        make_delivered(quantity=2, unit_price="10.00", discount="20.01")


def test_a_discount_in_another_currency_is_refused(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity=2, unit_price="10.00")
    with pytest.raises(CurrencyMismatch):
        DeliveredLine(
            ref=line.ref,
            customer_id=line.customer_id,
            customer_name=line.customer_name,
            sku=line.sku,
            product_name=line.product_name,
            category=line.category,
            quantity_delivered=line.quantity_delivered,
            unit_price=line.unit_price,
            ordered_at=line.ordered_at,
            line_discount=Money("1.00", "USD"),
        )


# -- what a return claims ------------------------------------------------------------


def test_a_draft_claims_the_requested_units(order_in: OrderIn) -> None:
    order = order_in(S.DRAFT)
    assert order.line(REF).approved == 0
    assert order.claimed(REF) == 2  # requested


@pytest.mark.parametrize("status", [S.PARTIALLY_RECEIVED, S.RECEIVED, S.INSPECTED])
def test_a_return_in_progress_claims_the_approved_units(order_in: OrderIn, status: S) -> None:
    order = order_in(status)
    assert order.claimed(REF) == order.line(REF).approved == 2


def test_a_submitted_return_claims_what_earlier_steps_approved(
    order_in: OrderIn,
    clerk: Actor,
    approver: Actor,
    two_step_policy: ApprovalPolicy,
    t0: datetime,
) -> None:
    order = approving.submit(order_in(S.DRAFT), clerk, t0, two_step_policy).order
    order = approving.approve(order, approver, t0, "only one", {REF: Decimal(1)}).order
    assert order.status is S.SUBMITTED
    assert order.claimed(REF) == 1  # approved so far, though 2 were requested


def test_an_approved_return_claims_the_approved_not_the_requested_units(
    order_in: OrderIn, approver: Actor, t0: datetime
) -> None:
    order = approving.approve(order_in(S.SUBMITTED), approver, t0, "", {REF: Decimal(1)}).order
    assert order.status is S.APPROVED
    assert order.claimed(REF) == 1


def test_a_completed_return_claims_what_actually_came_back(
    order_in: OrderIn, warehouse: Actor, clerk: Actor, t0: datetime, grant: Grant
) -> None:
    # Line A: 2 approved; 1 arrives and 1 is missing; the one that arrived is rejected.
    order = goods.receive(
        order_in(S.APPROVED),
        warehouse,
        t0,
        {
            REF: Receipt(received=Decimal(1), missing=Decimal(1)),
            OTHER_REF: Receipt(received=Decimal(1)),
        },
        DEFAULT_CHART,
    ).order
    order = goods.inspect(
        order, warehouse, t0, {REF: Inspection(rejected=Decimal(1))}, DEFAULT_CHART
    ).order
    order = goods.complete(grant(order, clerk, t0).order, clerk, t0).order
    assert order.status is S.COMPLETED
    # received 1 -- not approved (2), requested (2) nor accepted (0)
    assert order.claimed(REF) == 1


@pytest.mark.parametrize("status", [S.CANCELLED, S.REJECTED])
def test_a_cancelled_or_rejected_return_claims_nothing(order_in: OrderIn, status: S) -> None:
    order = order_in(status)
    assert order.line(REF).requested == 2
    assert order.claimed(REF) == 0


def test_a_return_claims_nothing_of_a_line_it_does_not_have(order_in: OrderIn) -> None:
    assert order_in(S.APPROVED).claimed(LineRef("SO-9", "9")) == 0


@pytest.mark.parametrize("status", list(S))
def test_a_line_in_hand_claims_what_its_ref_claims(order_in: OrderIn, status: S) -> None:
    order = order_in(status)
    for line in order.lines:
        assert order.claimed_on(line) == order.claimed(line.ref)
    if status in (S.CANCELLED, S.REJECTED):
        assert all(order.claimed_on(line) == 0 for line in order.lines)
    else:
        assert any(order.claimed_on(line) > 0 for line in order.lines)


def test_already_returned_adds_up_every_live_return_but_the_one_being_edited(
    order_in: OrderIn,
) -> None:
    draft = order_in(S.DRAFT)  # claims 2
    approved = attrs.evolve(order_in(S.APPROVED), id="r-2")  # claims 2
    cancelled = attrs.evolve(order_in(S.CANCELLED), id="r-3")  # claims 0
    orders = [draft, approved, cancelled]
    assert already_returned(orders, REF) == 4  # 2 + 2 + 0
    assert already_returned(orders, REF, excluding=draft.id) == 2


def test_refunded_units_count_only_units_of_granted_refunds(
    order_in: OrderIn, clerk: Actor, t0: datetime, grant: Grant
) -> None:
    # Changed: a refund is counted once it is granted, completed or not.
    completed = order_in(S.COMPLETED)  # line A: 2 accepted and refunded
    inspected = attrs.evolve(order_in(S.INSPECTED), id="r-2")  # accepted, not yet refunded
    granted = grant(attrs.evolve(order_in(S.INSPECTED), id="r-3"), clerk, t0).order
    assert refunded_units([completed, inspected], REF) == 2
    assert refunded_units([completed, inspected], REF, excluding=completed.id) == 0
    assert refunded_units([completed, inspected, granted], REF) == 4  # 2 + 0 + 2


def test_returnable_quantity_is_delivered_less_already_returned(
    make_delivered: MakeDelivered,
) -> None:
    assert ReturnableLine(make_delivered(quantity=5), Decimal(3)).returnable_quantity == 2
