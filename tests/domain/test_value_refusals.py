"""Values refuse what they cannot hold, naming the field and what was wrong.

A host's log or a clerk's screen shows these messages; each test pins the
words that say which field and which value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import attrs
import pytest

from crm_returns.domain.money import Money
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.queries import LineQuery
from crm_returns.domain.refunds.fees import FeeRule
from crm_returns.domain.returns.lines import Receipt
from crm_returns.errors import CurrencyMismatch, InvalidInput, InvalidMoney

A_REF = LineRef("SO-1", "1")
MakeDelivered = Callable[..., DeliveredLine]
LONE_SURROGATE = "\ud800"


def test_a_naive_time_is_refused_naming_the_field() -> None:
    naive = datetime(2026, 11, 28, 10, 0)  # noqa: DTZ001
    with pytest.raises(InvalidInput) as raised:
        LineQuery(delivered_from=naive)
    assert str(raised.value) == (f"delivered_from must be a timezone-aware datetime, got {naive!r}")


def test_a_list_of_strings_refuses_other_things_by_type() -> None:
    with pytest.raises(InvalidInput) as raised:
        Receipt(received=Decimal(1), serial_numbers=[7])  # type: ignore[list-item]
    assert str(raised.value) == "values must be strings, got int"
    with pytest.raises(InvalidInput) as raised:
        Receipt(received=Decimal(1), serial_numbers=7)  # type: ignore[arg-type]
    assert str(raised.value) == "values must be a collection, got int"


def test_a_set_of_strings_refuses_other_things_by_type_and_invalid_text() -> None:
    with pytest.raises(InvalidInput) as raised:
        FeeRule(Decimal("0.1"), reason_codes=[7])  # type: ignore[list-item]
    assert str(raised.value) == "values must be strings, got int"
    with pytest.raises(InvalidInput) as raised:
        FeeRule(Decimal("0.1"), reason_codes=7)  # type: ignore[arg-type]
    assert str(raised.value) == "values must be a collection, got int"
    with pytest.raises(InvalidInput) as raised:
        FeeRule(Decimal("0.1"), reason_codes=["ok", LONE_SURROGATE])
    assert str(raised.value) == "values contains a character that is not valid Unicode"
    with pytest.raises(InvalidInput) as raised:
        FeeRule(Decimal("0.1"), reason_codes=LONE_SURROGATE)
    assert str(raised.value) == "value contains a character that is not valid Unicode"
    assert FeeRule(Decimal("0.1"), reason_codes="other").reason_codes == {"other"}


def test_an_order_line_names_what_is_wrong_with_its_money_and_serials(
    make_delivered: MakeDelivered,
) -> None:
    with pytest.raises(InvalidMoney) as raised:
        make_delivered(A_REF, unit_price=Decimal("-1.00"))
    assert str(raised.value) == "line SO-1/1: unit price -1.00 CNY is negative"
    with pytest.raises(InvalidInput) as repeated:
        make_delivered(A_REF, 2, serial_numbers=("S-1", "S-1"))
    assert str(repeated.value) == "line SO-1/1: serial numbers repeat"
    line = make_delivered(A_REF, unit_cost="60.00")
    with pytest.raises(CurrencyMismatch) as mismatch:
        attrs.evolve(line, unit_cost=Money("60.00", "USD"))
    assert (mismatch.value.left, mismatch.value.right) == ("CNY", "USD")
