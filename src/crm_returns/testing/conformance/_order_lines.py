"""The delivered lines the order-source contract searches, and what a query should find.

:func:`matches` is :class:`~crm_returns.domain.queries.LineQuery` written out
plainly, criterion by criterion, as its docstring defines each one: the
contract holds a host's order source to it.  The lines are a small shop's, and
are chosen so that a source that compares loosely finds too much: order
numbers, customer ids and categories that differ only in case or by a
trailing character, the same instant written at two offsets, a line not yet
delivered, ``%`` and ``_`` in product text, Chinese and Arabic, a fractional
quantity and three-decimal dinars.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.queries import MAX_PAGE_SIZE, LineQuery
from crm_returns.testing.strategies import delivered_lines

__all__ = [
    "D1",
    "D2",
    "D3",
    "D4",
    "D5",
    "D6",
    "OTHER_TENANT",
    "TENANT",
    "by_ref",
    "everything",
    "line_queries",
    "many_lines",
    "matches",
    "other_tenant_lines",
    "shop_lines",
]

#: The tenant whose shop the contract searches.
TENANT = "acme-shop"

#: Another tenant, with lines of the same refs, customers and categories as the shop's.
OTHER_TENANT = "globex"

_CHINA = timezone(timedelta(hours=8))
_KUWAIT = timezone(timedelta(hours=3))

#: Delivery instants, newest last; D3 is D1 written in UTC.
D1 = datetime(2026, 11, 24, 10, 0, tzinfo=_CHINA)
D2 = datetime(2026, 11, 22, 15, 30, tzinfo=_CHINA)
D3 = D1.astimezone(UTC)
D4 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
D5 = datetime(2026, 11, 25, 23, 59, 59, tzinfo=_KUWAIT)
D6 = datetime(2026, 11, 26, 18, 45, tzinfo=_CHINA)


def _line(
    ref: str,
    customer: tuple[str, str],
    product: tuple[str, str, str],
    units: str,
    price: str,
    delivered_at: datetime | None,
    unit_places: int = 0,
) -> DeliveredLine:
    order_number, line_id = ref.split("/")
    customer_id, customer_name = customer
    sku, product_name, category = product
    # Prices are in yuan, but for "KWD 7.500": dinars, with three decimal places.
    amount, currency = (price.split()[1], "KWD") if price.startswith("KWD") else (price, "CNY")
    return DeliveredLine(
        ref=LineRef(order_number, line_id),
        customer_id=customer_id,
        customer_name=customer_name,
        sku=sku,
        product_name=product_name,
        category=category,
        quantity_delivered=Decimal(units),
        unit_price=Money(amount, currency),
        ordered_at=(delivered_at or D6) - timedelta(days=3),
        delivered_at=delivered_at,
        tax_rate=Decimal("0.13"),
        unit_places=unit_places,
    )


@functools.cache
def shop_lines() -> tuple[DeliveredLine, ...]:
    """The shop's twelve delivered lines (one not yet delivered), in no particular order."""
    zhang, li, omar = ("C-1001", "张伟"), ("C-1002", "Li Na"), ("C-1003", "عمر الفاروق")
    mouse = ("MS-200", "Wireless Mouse", "accessories")
    black_mouse = ("MS-200-B", "Wireless Mouse (black)", "Accessories")  # capitalised
    cable = ("CBL-USBC-1M", "USB-C 数据线 1m", "accessories")
    keyboard = ("KB-87", "Mechanical Keyboard", "accessories")
    monitor = ("MON-27", '27" Monitor', "displays")
    monitor_on_order = ("MON-27", '27" Monitor', "display")  # "displays" less a letter
    chair = ("CH-OFFICE", "Office Chair", "furniture")
    lamp = ("LAMP-LED", "Desk Lamp", "furniture")
    atlas = ("BK-ATLAS", "Straße Atlas", "books")
    tee = ("TEE_100", "100% Cotton Tee", "apparel")
    linen = ("FAB-LINEN", "Linen (per metre)", "apparel")
    return (
        _line("SO-1001/1", zhang, mouse, "2", "129", D1),
        _line("SO-1001/2", zhang, cable, "3", "39.90", D1),
        _line("SO-1001/3", zhang, monitor, "1", "1899", D1),
        _line("SO-1002/1", li, chair, "1", "899", D2),
        _line("SO-1002/2", li, lamp, "2", "149", D2),
        # A longer order number and customer id that start with the first line's.
        _line("SO-10021/1", ("C-10011", "Zhang Wei"), mouse, "1", "129", D3),
        # The first line's order number and customer id, in lower case.
        _line("so-1001/1", ("c-1001", "zhang"), atlas, "1", "88", D4),
        _line("SO-1003/1", omar, tee, "4", "KWD 7.500", D5),
        # Linen is sold by the metre, to the centimetre.
        _line("SO-1003/2", omar, linen, "1.5", "KWD 3.250", D5, unit_places=2),
        _line("SO-1004/1", zhang, monitor_on_order, "1", "1899", None),
        _line("SO-1004/2", zhang, black_mouse, "1", "139", D6),
        _line("SO-1005/1", li, keyboard, "1", "399", D2),
    )


@functools.cache
def other_tenant_lines() -> tuple[DeliveredLine, ...]:
    """Another tenant's three lines, made to be found by the shop's searches if tenants mix.

    Two have the refs of shop lines; every customer id, SKU and category is one
    the shop has too.
    """
    mouse, lamp, pending = shop_lines()[0], shop_lines()[4], shop_lines()[9]
    return (
        attrs.evolve(mouse, customer_name="Globex Ltd", product_name="Globex Mouse"),
        attrs.evolve(lamp, ref=LineRef("SO-2001", "1"), customer_id="C-1001"),
        attrs.evolve(pending, delivered_at=D6, product_name="Globex Monitor"),
    )


def matches(query: LineQuery, line: DeliveredLine) -> bool:
    """Whether ``line`` meets every criterion ``query`` gives, as :class:`LineQuery` defines it.

    Offset and limit select a page of the matches and play no part here.
    """
    if query.order_number is not None and line.ref.order_number != query.order_number:
        return False
    if query.customer_id is not None and line.customer_id != query.customer_id:
        return False
    if query.category is not None and line.category != query.category:
        return False
    if query.product is not None:
        text = query.product.casefold()
        if text not in line.product_name.casefold() and text not in line.sku.casefold():
            return False
    delivered = line.delivered_at
    if delivered is None:
        # A line not yet delivered has no date for either bound to admit.
        return query.delivered_from is None and query.delivered_to is None
    after_start = query.delivered_from is None or query.delivered_from <= delivered
    return after_start and (query.delivered_to is None or delivered <= query.delivered_to)


def everything(query: LineQuery) -> LineQuery:
    """``query`` asking for its first page of the largest size, which holds every match here."""
    return attrs.evolve(query, offset=0, limit=MAX_PAGE_SIZE)


def by_ref(lines: Iterable[DeliveredLine]) -> list[DeliveredLine]:
    """``lines`` sorted by ref: the contract compares what was found, not its order."""
    return sorted(lines, key=lambda line: line.ref)


# -- made-up lines and queries, for the property ------------------------------------------

#: Few values, so that made-up lines share them and queries for them find several.
_ORDER_NUMBERS = ("SO-1", "SO-10", "SO-2", "so-1")
_CUSTOMERS = ("C-1", "C-10", "c-1")
#: The categories :func:`~crm_returns.testing.strategies.delivered_lines` draws, and near misses.
_CATEGORIES = ("accessories", "displays", "furniture", "food", "Food", "display")
_ZONES = (UTC, _CHINA, _KUWAIT, timezone(timedelta(hours=-5)))


def _delivered_or_not(line: DeliveredLine, pending: bool) -> DeliveredLine:
    return attrs.evolve(line, delivered_at=None) if pending else line


def many_lines() -> st.SearchStrategy[list[DeliveredLine]]:
    """Up to a dozen lines of one tenant, each ref once, some not delivered yet."""
    refs = st.builds(LineRef, st.sampled_from(_ORDER_NUMBERS), st.sampled_from(("1", "2", "3")))
    customers = st.sampled_from(_CUSTOMERS)
    line = st.builds(
        _delivered_or_not,
        delivered_lines(customer_id=customers, ref=refs),
        st.integers(0, 4).map(lambda n: n == 0),
    )
    return st.lists(line, max_size=12, unique_by=lambda line: line.ref)


@st.composite
def _piece(draw: st.DrawFn, text: str) -> str:
    """Part of ``text``, perhaps in other case: text a clerk types to find it."""
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return draw(st.sampled_from([str.upper, str.lower, str.swapcase]))(text[start:end])


@st.composite
def line_queries(draw: st.DrawFn, lines: list[DeliveredLine]) -> LineQuery:
    """Queries for ``lines``: each criterion absent, or a value they have, or a near one."""
    words = [text for line in lines for text in (line.product_name, line.sku)]
    product = draw(st.none() | (st.sampled_from(words).flatmap(_piece) if words else st.none()))
    moments = [line.delivered_at for line in lines if line.delivered_at is not None] or [D1]
    bound = st.builds(
        lambda moment, seconds, zone: (moment + timedelta(seconds=seconds)).astimezone(zone),
        st.sampled_from(moments),
        st.sampled_from((-1, 0, 1)),
        st.sampled_from(_ZONES),
    )
    start, end = draw(st.none() | bound), draw(st.none() | bound)
    if start is not None and end is not None and start > end:
        start, end = end, start
    return LineQuery(
        order_number=draw(st.none() | st.sampled_from(_ORDER_NUMBERS)),
        customer_id=draw(st.none() | st.sampled_from(_CUSTOMERS)),
        category=draw(st.none() | st.sampled_from(_CATEGORIES)),
        product=product if product is None or product.strip() else None,
        delivered_from=start,
        delivered_to=end,
        limit=MAX_PAGE_SIZE,
    )
