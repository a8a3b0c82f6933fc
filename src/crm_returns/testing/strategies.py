"""Hypothesis strategies for realistic returns data (needs the ``testing`` extra).

Use them in a host's own property tests::

    from hypothesis import given
    from crm_returns.testing import strategies as st_returns

    @given(st_returns.delivered_lines())
    def test_my_adapter_keeps_lines(line): ...
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from crm_returns.domain.money import MAX_UNIT_PLACES, MINOR_UNITS, Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.reasons import DEFAULT_CATALOG, Reason, ReasonCatalog
from crm_returns.domain.returns.lines import RequestedLine
from crm_returns.service.commands import ReturnRequest

__all__ = [
    "currencies",
    "delivered_lines",
    "line_refs",
    "money",
    "quantities",
    "quantities_of",
    "reasons",
    "return_requests",
    "unit_places",
]

_WORDS = st.text(
    alphabet=st.characters(categories=("L", "N"), include_characters=" -"),
    min_size=1,
    max_size=24,
).filter(str.strip)


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 codes the library knows, with zero, two and three minor places."""
    return st.sampled_from(sorted(MINOR_UNITS))


def money(
    currency: str | st.SearchStrategy[str] | None = None,
    *,
    min_value: Decimal = Decimal(0),
    max_value: Decimal = Decimal(100_000),
) -> st.SearchStrategy[Money]:
    """Amounts on the currency's minor unit, between ``min_value`` and ``max_value``."""
    chosen = currencies() if currency is None else currency
    codes = chosen if isinstance(chosen, st.SearchStrategy) else st.just(chosen)

    def in_currency(code: str) -> st.SearchStrategy[Money]:
        places = MINOR_UNITS[code]
        return st.decimals(min_value, max_value, places=places).map(lambda a: Money(a, code))

    return codes.flatmap(in_currency)


def unit_places() -> st.SearchStrategy[int]:
    """How finely a line's unit splits: mostly whole pieces (0), sometimes 1 to 6 places."""
    return st.one_of(st.just(0), st.integers(0, MAX_UNIT_PLACES))


def quantities(max_value: int = 50, places: int = 0) -> st.SearchStrategy[Decimal]:
    """Positive quantities up to ``max_value``, in whole steps of a unit with ``places`` places.

    With ``places=0`` (the default) they are whole pieces, the usual case for
    returned goods; with ``places=3`` they are kilograms to the gram, such as
    ``Decimal("2.125")``, written with that many places.
    """
    return st.integers(1, max_value * 10**places).map(lambda steps: Decimal(steps).scaleb(-places))


def quantities_of(line: DeliveredLine, most: Decimal | None = None) -> st.SearchStrategy[Decimal]:
    """Positive quantities of ``line``, in whole steps of its unit, up to ``most``.

    Args:
        line: The delivered line; its ``unit_places`` sets the step.
        most: The largest quantity (in whole steps); what was delivered when ``None``.
    """
    places = line.unit_places
    top = line.quantity_delivered if most is None else most
    return st.integers(1, int(top.scaleb(places))).map(lambda steps: Decimal(steps).scaleb(-places))


def line_refs() -> st.SearchStrategy[LineRef]:
    """Order-line references with realistic order numbers."""
    return st.builds(
        LineRef,
        order_number=st.integers(1, 99_999).map(lambda n: f"SO-{n:05d}"),
        line_id=st.integers(1, 99).map(str),
    )


def delivered_lines(
    *,
    currency: str | None = None,
    now: datetime = datetime(2026, 11, 27, tzinfo=UTC),
    customer_id: str | st.SearchStrategy[str] | None = None,
    ref: LineRef | st.SearchStrategy[LineRef] | None = None,
    places: int | None = None,
) -> st.SearchStrategy[DeliveredLine]:
    """Delivered lines with any price, discount, tax mode, currency and unit.

    Most lines are of pieces; some are of units with decimal places (see
    :func:`unit_places`), their quantities in whole steps of the unit.

    Args:
        currency: Fix the currency; any known one when ``None``.
        now: Lines are delivered within the 7 days before this time, so that
            every default eligibility rule lets them be returned.
        customer_id: Fix the customer (a value or a strategy).
        ref: Fix the line reference (a value or a strategy).
        places: Fix the unit's decimal places (0 for pieces).
    """
    customers = customer_id if isinstance(customer_id, st.SearchStrategy) else None

    @st.composite
    def build(draw: st.DrawFn) -> DeliveredLine:
        code = currency or draw(currencies())
        splits = draw(unit_places()) if places is None else places
        units = draw(quantities(places=splits))
        price = draw(money(code, max_value=Decimal(5_000)))
        gross = price.times(units)
        discount = draw(st.none() | money(code, max_value=gross.amount))
        delivered_at = now - timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
        if customers is not None:
            customer = draw(customers)
        else:
            customer = customer_id if isinstance(customer_id, str) else draw(_WORDS)
        if isinstance(ref, LineRef):
            line_ref = ref
        else:
            line_ref = draw(ref if ref is not None else line_refs())
        return DeliveredLine(
            ref=line_ref,
            customer_id=customer,
            customer_name=draw(_WORDS),
            sku=draw(_WORDS),
            product_name=draw(_WORDS),
            category=draw(st.sampled_from(["accessories", "displays", "furniture", "food"])),
            quantity_delivered=units,
            unit_price=price,
            line_discount=discount,
            tax_rate=draw(st.sampled_from([Decimal(0), Decimal("0.06"), Decimal("0.13")])),
            prices_include_tax=draw(st.booleans()),
            ordered_at=delivered_at - timedelta(days=draw(st.integers(0, 30))),
            delivered_at=delivered_at,
            unit_places=splits,
        )

    return build()


def reasons(catalog: ReasonCatalog = DEFAULT_CATALOG) -> st.SearchStrategy[Reason]:
    """Reasons that can be chosen from ``catalog``."""
    return st.sampled_from(catalog.selectable())


def return_requests(
    lines: Sequence[DeliveredLine], catalog: ReasonCatalog = DEFAULT_CATALOG
) -> st.SearchStrategy[ReturnRequest]:
    """Batch requests over a non-empty subset of ``lines``, within delivered quantities.

    Each quantity is whole steps of its line's unit (see :func:`quantities_of`).
    """

    @st.composite
    def build(draw: st.DrawFn) -> ReturnRequest:
        chosen = draw(
            st.lists(st.sampled_from(list(lines)), min_size=1, unique_by=lambda line: line.ref)
        )
        requested = tuple(
            RequestedLine(
                ref=line.ref,
                quantity=draw(quantities_of(line)),
                reason_code=draw(reasons(catalog)).code,
            )
            for line in chosen
        )
        return ReturnRequest(lines=requested)

    return build()
