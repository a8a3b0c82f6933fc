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
from crm_returns.domain.money import MAX_UNIT_PLACES, MINOR_UNITS
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Location
from crm_returns.testing.strategies import currencies, unit_places

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
_QUANTITIES = ("quantity_requested", "quantity_approved", "quantity_received",
               "quantity_accepted", "quantity_returned")  # fmt: skip
#: The moments a return has once, besides its creation.
_RETURN_MOMENTS = ("submitted_at", "approved_at", "goods_back_at", "inspected_at", "refund_paid_at",
                   "completed_at")  # fmt: skip


_MICROSECONDS = st.integers(0, 366 * 24 * 3600 * 10**6)
_ZONE = st.sampled_from(ZONES)


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    """A moment in the year after 2 March 2026, to the microsecond, in one of :data:`ZONES`."""
    offset = timedelta(microseconds=draw(_MICROSECONDS))
    return (_T0 + offset).astimezone(draw(_ZONE))


T = TypeVar("T")


def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


# Built once: a strategy made per draw (flatmap, money(currency)) costs more than the draw.
_MOMENT = moments()
_UNKNOWN_OR_MOMENT = _maybe(_MOMENT)
_UNKNOWN_OR_NAME = _maybe(filled_texts)
_SCORE = _maybe(st.integers(1, 5))
_STATUS = st.sampled_from(ReturnStatus)
_LOCATION = _maybe(st.sampled_from(Location))
_ORDER_NUMBER = st.sampled_from(["SO-1", "SO-2", "订单-3"]) | filled_texts
_UNIT_PLACES = unit_places()
_UNIT_STEPS = st.integers(0, 50 * 10**MAX_UNIT_PLACES)
_MINOR_UNITS = st.integers(0, 10**10)
_KNOWN = st.booleans()


@st.composite
def return_lines(draw: st.DrawFn, return_id: str | None = None) -> tuple[LineFact, ...]:
    """The line facts of one return: one to three lines of one or more orders.

    Amounts are on the minor unit of any currency (:func:`currencies`), up to
    100 million; quantities in whole steps of a unit of 0 to 6 places
    (:func:`unit_places`), zero included.
    """
    currency = draw(currencies())

    def amount() -> Decimal:
        return Decimal(draw(_MINOR_UNITS)).scaleb(-MINOR_UNITS[currency])

    def amount_or_unknown() -> Decimal | None:
        return amount() if draw(_KNOWN) else None

    shared: dict[str, Any] = {
        "tenant_id": draw(st.sampled_from(["t-1", "t-2"])),
        "return_id": return_id or f"r-{draw(st.integers(1, 10**6))}",
        "return_number": f"RT-20260302-{draw(st.integers(1, 999_999)):06d}",
        "customer_id": draw(texts),
        "status": draw(_STATUS),
        "currency": currency,
        "owner_user": draw(_UNKNOWN_OR_NAME),
        "owner_team": draw(_UNKNOWN_OR_NAME),
        "returned_at": draw(_MOMENT),
        **{column: draw(_UNKNOWN_OR_MOMENT) for column in _RETURN_MOMENTS},
        "satisfaction": draw(_SCORE),
        "decline_reason": draw(_UNKNOWN_OR_NAME),
    }
    lines = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        places = draw(_UNIT_PLACES)
        units: dict[str, Any] = {
            column: Decimal(draw(_UNIT_STEPS) // 10 ** (MAX_UNIT_PLACES - places)).scaleb(-places)
            for column in _QUANTITIES
        }
        lines.append(
            LineFact(
                **shared,
                **units,
                order_number=draw(_ORDER_NUMBER),
                line_id=str(number),
                sku=draw(texts),
                product_name=draw(texts),
                product_category=draw(texts),
                reason_code=draw(texts),
                reason_category=draw(texts),
                merchandise_value=amount(),
                refund_granted=amount_or_unknown(),
                refund_paid=amount_or_unknown(),
                store_credit=amount_or_unknown(),
                replacement_value=amount_or_unknown(),
                restocking_fee=amount_or_unknown(),
                return_shipping_fee=amount_or_unknown(),
                write_off=amount_or_unknown(),
                stock_location=draw(_LOCATION),
                ordered_at=draw(_UNKNOWN_OR_MOMENT),
                delivered_at=draw(_UNKNOWN_OR_MOMENT),
            )
        )
    return tuple(lines)


@st.composite
def many_returns(draw: st.DrawFn, max_returns: int = 4) -> list[LineFact]:
    """The line facts of up to ``max_returns`` distinct returns, their lines interleaved."""
    count = draw(st.integers(0, max_returns))
    lines = list(chain.from_iterable(draw(return_lines(f"r-{n}")) for n in range(count)))
    return draw(st.permutations(lines))
