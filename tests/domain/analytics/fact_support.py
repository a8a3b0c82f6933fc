"""Line facts for the analytics tests: a builder with sensible defaults, and a strategy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from crm_returns.domain.analytics import LineFact
from crm_returns.domain.returns.states import ReturnStatus

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: Currencies with 2 and 0 minor-unit places.
CURRENCIES = ("CNY", "EUR", "JPY")
REASONS = (("quality_defect", "quality"), ("wrong_order", "order"), ("damaged", "transit"),
           ("changed_mind", "customer"), ("other", "other"))  # fmt: skip
SKUS = ("SKU-1", "SKU-2", "SKU-3", "SKU-4")


def fact(**changes: Any) -> LineFact:
    """A completed line of 1 unit at 100.00 CNY, ordered, returned and settled from T0 on."""
    base = LineFact(
        tenant_id="t-1",
        return_id="r-1",
        return_number="RT-20260302-000001",
        order_number="SO-1",
        line_id="1",
        sku="SKU-1",
        product_name="Keyboard",
        product_category="peripherals",
        customer_id="C-1",
        reason_code="quality_defect",
        reason_category="quality",
        status=ReturnStatus.COMPLETED,
        quantity_requested=Decimal(1),
        quantity_approved=Decimal(1),
        quantity_received=Decimal(1),
        quantity_accepted=Decimal(1),
        quantity_returned=Decimal(1),
        currency="CNY",
        merchandise_value=Decimal("100.00"),
        ordered_at=T0,
        returned_at=T0 + timedelta(days=3),
    )
    return attrs.evolve(base, **changes)


def _amount(currency: str) -> st.SearchStrategy[Decimal]:
    places = 0 if currency == "JPY" else 2
    return st.integers(0, 10**7).map(lambda cents: Decimal(cents).scaleb(-places))


def _optional_amount(currency: str) -> st.SearchStrategy[Decimal | None]:
    return st.none() | _amount(currency)


_moments = st.integers(0, 400 * 24 * 60).map(lambda minutes: T0 + timedelta(minutes=minutes))


@st.composite
def line_facts(draw: st.DrawFn) -> LineFact:
    """Any line fact: currencies, reasons, SKUs, statuses and money columns mixed."""
    currency = draw(st.sampled_from(CURRENCIES))
    reason, category = draw(st.sampled_from(REASONS))
    returned = Decimal(draw(st.integers(0, 20)))
    moments = sorted(draw(st.lists(_moments, min_size=6, max_size=6)))
    known = draw(st.lists(st.booleans(), min_size=6, max_size=6))
    dates = [m if k else None for m, k in zip(moments, known, strict=True)]
    return fact(
        return_id=f"r-{draw(st.integers(1, 30))}",
        order_number=f"SO-{draw(st.integers(1, 15))}",
        line_id=str(draw(st.integers(1, 3))),
        sku=draw(st.sampled_from(SKUS)),
        reason_code=reason,
        reason_category=category,
        status=draw(st.sampled_from(ReturnStatus)),
        quantity_returned=returned,
        currency=currency,
        merchandise_value=draw(_amount(currency)),
        refund_granted=draw(_optional_amount(currency)),
        refund_paid=draw(_optional_amount(currency)),
        store_credit=draw(_optional_amount(currency)),
        replacement_value=draw(_optional_amount(currency)),
        restocking_fee=draw(_optional_amount(currency)),
        write_off=draw(_optional_amount(currency)),
        owner_user=draw(st.sampled_from([None, "u-1", "u-2"])),
        owner_team=draw(st.sampled_from([None, "team-a", "team-b"])),
        ordered_at=draw(_moments),
        submitted_at=dates[0],
        approved_at=dates[1],
        goods_back_at=dates[2],
        inspected_at=dates[3],
        refund_paid_at=dates[4],
        completed_at=dates[5],
    )
