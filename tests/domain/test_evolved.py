"""``evolved`` copies a record with changes exactly as ``attrs.evolve`` does.

It passes the fields by position instead of by keyword; the copy, and any
error the class's ``__init__`` raises for a bad change, must be the same.
Classes it cannot copy by position (keyword-only, private or non-``__init__``
fields, or a single field) and changes that name no field go to ``attrs.evolve``
itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain._evolve import evolved
from crm_returns.domain.events import GoodsReceived
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LinePricing, LineRef
from crm_returns.domain.reasons import Fault
from crm_returns.domain.returns.lines import Receipt, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import CrmReturnsError

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
REF = LineRef("SO-1", "1")
PRICE = Money("129.00", "CNY")

LINE = ReturnLine(
    ref=REF,
    sku="SKU-1",
    product_name="无线鼠标",
    product_category="accessories",
    reason_code="quality_defect",
    reason_category="quality",
    inspection_required=True,
    unit_price=PRICE,
    refund=PRICE,
    requested=Decimal(1),
    pricing=LinePricing(REF, Decimal(2), PRICE.times(Decimal(2)), Money(0, "CNY"), PRICE),
    fault=Fault.SELLER,
)

ORDER = ReturnOrder(
    id="r-1",
    tenant_id="acme",
    number="RT-1",
    customer_id="C-1",
    customer_name="张伟",
    currency="CNY",
    status=ReturnStatus.DRAFT,
    lines=(LINE,),
    requested_by="u-clerk",
    created_at=AT,
    updated_at=AT,
)

#: Values of every sort: a record without validators takes any of them.
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3).map(Decimal),
    st.text(max_size=5),
    st.sampled_from([REF, PRICE, AT, Fault.CUSTOMER, ReturnStatus.APPROVED, ()]),
)


def changes_of(record: Any) -> st.SearchStrategy[dict[str, Any]]:
    names = [field.name for field in attrs.fields(type(record))]
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=6)


def outcome(copy: Callable[[], object]) -> object:
    """The copy with every field, or the error and its message."""
    try:
        made = copy()
    except (CrmReturnsError, TypeError, ValueError) as error:
        return (type(error), str(error))
    return (type(made), attrs.astuple(made, recurse=False))  # type: ignore[arg-type]


@given(changes_of(LINE))
def test_a_line_is_copied_with_its_changes_as_attrs_evolve_copies_it(
    changes: dict[str, Any],
) -> None:
    assert outcome(lambda: evolved(LINE, **changes)) == outcome(
        lambda: attrs.evolve(LINE, **changes)
    )


@given(changes_of(ORDER))
def test_an_order_is_copied_with_its_changes_as_attrs_evolve_copies_it(
    changes: dict[str, Any],
) -> None:
    assert outcome(lambda: evolved(ORDER, **changes)) == outcome(
        lambda: attrs.evolve(ORDER, **changes)
    )


@given(changes_of(Receipt(received=Decimal(1))))
def test_a_checked_record_refuses_a_bad_change_as_attrs_evolve_refuses_it(
    changes: dict[str, Any],
) -> None:
    receipt = Receipt(received=Decimal(1))
    assert outcome(lambda: evolved(receipt, **changes)) == outcome(
        lambda: attrs.evolve(receipt, **changes)
    )


def test_a_change_that_names_no_field_is_refused_as_attrs_evolve_refuses_it() -> None:
    expected = outcome(lambda: attrs.evolve(LINE, colour="red"))  # type: ignore[call-arg]
    assert expected[0] is TypeError  # type: ignore[index]
    assert outcome(lambda: evolved(LINE, colour="red")) == expected


@attrs.frozen
class _Private:
    _secret: str
    shown: int = 0


@attrs.frozen
class _Derived:
    base: int
    double: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "double", self.base * 2)


@attrs.frozen
class _Single:
    only: int


EVENT = GoodsReceived(
    tenant_id="acme",
    return_id="r-1",
    number="RT-1",
    actor_id="u-1",
    actor_name="刘强",
    at=AT,
    from_status=ReturnStatus.APPROVED,
    to_status=ReturnStatus.RECEIVED,
    receipts=(),
)


@pytest.mark.parametrize(
    ("record", "changes"),
    [
        (EVENT, {"comment": "到货"}),  # keyword-only fields
        (EVENT, {"at": "yesterday"}),
        (_Private("x", 1), {"secret": "y"}),  # a private field, changed by its alias
        (_Private("x", 1), {"_secret": "y"}),  # ... and not by its name
        (_Derived(2), {"base": 5}),  # a field outside __init__
        (_Single(1), {"only": 2}),  # one field: read alone, not as a tuple
    ],
    ids=[
        "keyword-only",
        "keyword-only refused",
        "private",
        "private by name",
        "not in init",
        "single field",
    ],
)
def test_records_that_cannot_be_copied_by_position_are_left_to_attrs_evolve(
    record: object, changes: dict[str, Any]
) -> None:
    assert outcome(lambda: evolved(record, **changes)) == outcome(
        lambda: attrs.evolve(record, **changes)  # type: ignore[misc]
    )
