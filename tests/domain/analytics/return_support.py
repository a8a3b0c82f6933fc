"""Line facts of whole returns, as varied as a host's data: every currency and unit, any text.

The lines of one return agree on what a return has once (status, currency,
dates, owner, satisfaction) and differ in what each line has (order, product,
reason, units, money).  Text runs from Chinese to commas, quotes and line
breaks; moments are in several time zones, to the microsecond.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from itertools import chain
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from crm_returns.domain.analytics import LineFact
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Location
from crm_returns.testing.strategies import currencies, money, quantities, unit_places

ZONES = (
    UTC,
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("America/New_York"),
    timezone(timedelta(hours=5, minutes=45)),
)
CHINESE = ("退货", "质量问题", "无线键盘 K-3", "华东仓", "张伟")

#: Any text UTF-8 can carry (no lone surrogates), Chinese and CSV's special characters included.
texts = st.sampled_from(CHINESE) | st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(',;"\r\n\t '),
    max_size=12,
)
#: Text that is never empty: for the columns that may be ``None`` (CSV writes both as nothing).
filled_texts = texts.filter(bool)

_T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: The moments a return has once, besides its creation.
_RETURN_MOMENTS = ("submitted_at", "approved_at", "goods_back_at", "inspected_at", "refund_paid_at",
                   "completed_at")  # fmt: skip


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    """A moment in the year after 2 March 2026, to the microsecond, in one of :data:`ZONES`."""
    offset = timedelta(microseconds=draw(st.integers(0, 366 * 24 * 3600 * 10**6)))
    return (_T0 + offset).astimezone(draw(st.sampled_from(ZONES)))


T = TypeVar("T")


def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def _units() -> st.SearchStrategy[Decimal]:
    return unit_places().flatmap(lambda places: st.just(Decimal(0)) | quantities(places=places))


@st.composite
def return_lines(draw: st.DrawFn, return_id: str | None = None) -> tuple[LineFact, ...]:
    """The line facts of one return: one to four lines of one or more orders."""
    currency = draw(currencies())
    amounts = money(currency, max_value=Decimal(10**7)).map(lambda m: m.amount)
    shared: dict[str, Any] = {
        "tenant_id": draw(st.sampled_from(["t-1", "t-2"])),
        "return_id": return_id or f"r-{draw(st.integers(1, 10**6))}",
        "return_number": f"RT-20260302-{draw(st.integers(1, 999_999)):06d}",
        "customer_id": draw(texts),
        "status": draw(st.sampled_from(ReturnStatus)),
        "currency": currency,
        "owner_user": draw(_maybe(filled_texts)),
        "owner_team": draw(_maybe(filled_texts)),
        "returned_at": draw(moments()),
        **{column: draw(_maybe(moments())) for column in _RETURN_MOMENTS},
        "satisfaction": draw(_maybe(st.integers(1, 5))),
    }
    count = draw(st.integers(1, 4))
    return tuple(
        LineFact(
            **shared,
            order_number=draw(st.sampled_from(["SO-1", "SO-2", "订单-3"]) | filled_texts),
            line_id=str(number),
            sku=draw(texts),
            product_name=draw(texts),
            product_category=draw(texts),
            reason_code=draw(texts),
            reason_category=draw(texts),
            quantity_requested=draw(_units()),
            quantity_approved=draw(_units()),
            quantity_received=draw(_units()),
            quantity_accepted=draw(_units()),
            quantity_returned=draw(_units()),
            merchandise_value=draw(amounts),
            refund_granted=draw(_maybe(amounts)),
            refund_paid=draw(_maybe(amounts)),
            store_credit=draw(_maybe(amounts)),
            replacement_value=draw(_maybe(amounts)),
            restocking_fee=draw(_maybe(amounts)),
            return_shipping_fee=draw(_maybe(amounts)),
            write_off=draw(_maybe(amounts)),
            stock_location=draw(_maybe(st.sampled_from(Location))),
            ordered_at=draw(_maybe(moments())),
            delivered_at=draw(_maybe(moments())),
        )
        for number in range(1, count + 1)
    )


@st.composite
def many_returns(draw: st.DrawFn, max_returns: int = 6) -> list[LineFact]:
    """The line facts of up to ``max_returns`` distinct returns, their lines interleaved."""
    count = draw(st.integers(0, max_returns))
    lines = list(chain.from_iterable(draw(return_lines(f"r-{n}")) for n in range(count)))
    return draw(st.permutations(lines))
