"""One grammar for numbers, and quantities no finer than their line's unit.

Text is read as a number only when it is a plain ASCII decimal: digits, then
optionally a point and more digits (``12``, ``12.5``, ``0.125``).  Anything else
typed — other scripts' digits, underscores, spaces, signs, exponents, NaN and
infinities — is refused with ``InvalidQuantity`` or ``InvalidMoney`` naming the
text.  A quantity is below 10**12 and no finer than a millionth whatever it is
given as, and a line's quantities are whole steps of its unit
(``DeliveredLine.unit_places``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from tests.domain.refund_support import AT, MakeDelivered

from crm_returns import DeliveredLine, LineRef, Money, Receipt, RequestedLine
from crm_returns.domain.money import (
    MAX_UNIT_PLACES,
    QUANTITY_LIMIT,
    exact_quantity,
    plain_decimal,
    quantity,
    within_places,
)
from crm_returns.domain.reasons import DEFAULT_CATALOG
from crm_returns.domain.returns.returnable import plan_line
from crm_returns.errors import InvalidInput, InvalidMoney, InvalidQuantity, OverReturn
from crm_returns.testing import strategies as returns_st

#: The grammar, written out independently of the code under test.
PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)

#: Text that looks like a number to someone, and is not a plain decimal.
NOT_PLAIN = [
    "٣",  # an Arabic-Indic three
    "١٢",
    "３",  # a full-width three
    "߃",  # an N'Ko three
    "1_000",
    "1,000",
    "1 000",
    " 3 ",
    "3 ",
    "\t3",
    "3\n",
    "+3",
    "-3",
    "-0",
    "1e-400000",
    "1E5",
    "1e0",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "3.",
    ".5",
    "1.2.3",
    "0x10",
    "",
    "½",
    "3\x00",
]


def test_the_refusals_are_kinds_of_invalid_input() -> None:
    assert issubclass(InvalidQuantity, InvalidInput)
    assert issubclass(InvalidMoney, InvalidInput)


@pytest.mark.parametrize("text", NOT_PLAIN, ids=ascii)
def test_text_that_is_not_a_plain_decimal_is_refused_as_a_quantity_naming_it(text: str) -> None:
    with pytest.raises(InvalidQuantity) as refused:
        quantity(text)
    assert repr(text) in str(refused.value)
    assert "plain decimal" in str(refused.value)


@pytest.mark.parametrize("text", NOT_PLAIN, ids=ascii)
def test_text_that_is_not_a_plain_decimal_is_refused_as_an_amount_naming_it(text: str) -> None:
    with pytest.raises(InvalidMoney) as refused:
        Money(text, "CNY")
    assert repr(text) in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", "12"), ("12.5", "12.5"), ("0.125", "0.125"), ("007", "7"), ("2.500", "2.500")],
)
def test_plain_decimals_are_read_exactly_scale_and_all(text: str, expected: str) -> None:
    assert quantity(text).as_tuple() == Decimal(expected).as_tuple()


@given(st.text(max_size=12))
@example("٣")
@example("1_000")
@example(" 3 ")
@example("1e-400000")
def test_text_is_a_number_exactly_when_it_is_written_plainly(text: str) -> None:
    read = plain_decimal(text)
    if PLAIN.fullmatch(text):
        assert read == Decimal(text)
    else:
        assert read is None
        with pytest.raises(InvalidQuantity):
            quantity(text)


@given(st.decimals(min_value=0, max_value=QUANTITY_LIMIT - 1, places=MAX_UNIT_PLACES))
def test_every_quantity_reads_back_from_its_plain_text(value: Decimal) -> None:
    assert quantity(format(value, "f")) == value


@pytest.mark.parametrize(
    "value",
    [
        Decimal("1E-7"),
        Decimal("1E-400000"),
        Decimal("0.0000001"),
        Decimal("2.0000005"),
        QUANTITY_LIMIT,
        Decimal("1E+12"),
        Decimal("1E+1000000"),
        10**100,
        -(10**100),
    ],
    ids=str,
)
def test_a_quantity_finer_than_a_millionth_or_of_a_trillion_units_is_refused(
    value: object,
) -> None:
    with pytest.raises(InvalidQuantity):
        exact_quantity(value)


@given(
    st.decimals(allow_nan=False, allow_infinity=False)
    | st.integers().map(Decimal)
    | st.builds(
        lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
        st.integers(0, 10**30),
        st.integers(-400_000, 400_000),
    )
)
@example(Decimal("0E-400000"))
@example(Decimal("2.50000000"))
@example(Decimal("1E+2"))
def test_a_quantity_taken_is_held_with_at_most_six_places_and_no_exponent(value: Decimal) -> None:
    """What every store can keep as it is: PostgreSQL's NUMERIC has no exponent."""
    try:
        held = exact_quantity(value)
    except InvalidQuantity:
        assert abs(value) >= QUANTITY_LIMIT or value % Decimal("0.000001")
        return
    assert held == value
    exponent = held.as_tuple().exponent
    assert isinstance(exponent, int)
    assert -MAX_UNIT_PLACES <= exponent <= 0
    assert abs(held) < QUANTITY_LIMIT


# -- units of measure ----------------------------------------------------------------


@pytest.mark.parametrize("places", [-1, 7, 1.5, "3", None, True, Decimal(2)], ids=repr)
def test_a_unit_has_zero_to_six_decimal_places(make_delivered: MakeDelivered, places: Any) -> None:
    with pytest.raises(InvalidInput, match="unit_places"):
        attrs.evolve(make_delivered(), unit_places=places)


def test_pieces_are_whole_by_default(make_delivered: MakeDelivered) -> None:
    assert make_delivered().unit_places == 0
    with pytest.raises(InvalidQuantity, match=r"quantity delivered 2\.5 is finer"):
        make_delivered(quantity="2.5")


def test_a_delivered_quantity_fits_its_unit(make_delivered: MakeDelivered) -> None:
    assert make_delivered(quantity="2.125", unit_places=3).quantity_delivered == Decimal("2.125")
    assert make_delivered(quantity="2.000", unit_places=0).quantity_delivered == 2
    with pytest.raises(InvalidQuantity, match="at most 2 decimal places"):
        make_delivered(quantity="2.125", unit_places=2)


def plan(line: DeliveredLine, units: object) -> Decimal:
    """The quantity of a return line planned for ``units`` of ``line``."""
    request = RequestedLine(line.ref, units, "changed_requirement")
    return plan_line(request, line, DEFAULT_CATALOG, Decimal(0), (), AT).requested


def steps_of(places: int) -> Callable[[Decimal], bool]:
    return lambda units: units % Decimal(1).scaleb(-places) == 0


@given(
    line=returns_st.delivered_lines(now=AT),
    units=st.decimals(min_value=Decimal("0.000001"), max_value=60, places=MAX_UNIT_PLACES),
)
def test_a_requested_quantity_is_refused_exactly_when_finer_than_the_lines_unit(
    line: DeliveredLine, units: Decimal
) -> None:
    if not steps_of(line.unit_places)(units):
        with pytest.raises(InvalidQuantity, match="finer than its unit allows"):
            plan(line, units)
    elif units > line.quantity_delivered:
        with pytest.raises(OverReturn):
            plan(line, units)
    else:
        assert plan(line, units) == units


def test_a_ten_millionth_of_a_piece_claims_nothing(make_delivered: MakeDelivered) -> None:
    """Decimal("1E-7") units once claimed a line and refunded 0.00."""
    with pytest.raises(InvalidQuantity):
        RequestedLine(LineRef("SO-1", "1"), Decimal("1E-7"), "other")
    with pytest.raises(InvalidQuantity, match="whole units"):
        plan(make_delivered(), Decimal("0.5"))


def test_a_line_by_the_kilogram_takes_grams(make_delivered: MakeDelivered) -> None:
    line = make_delivered(quantity="2.5", unit_places=3)
    assert plan(line, "1.25") == Decimal("1.25")
    assert plan(line, "0.001") == Decimal("0.001")
    with pytest.raises(InvalidQuantity, match=r"SO-1/1: quantity to return 0\.0005 is finer"):
        plan(line, "0.0005")


@pytest.mark.parametrize("places", range(MAX_UNIT_PLACES + 1))
def test_within_places_accepts_whole_steps_and_refuses_a_tenth_of_one(places: int) -> None:
    step = Decimal(1).scaleb(-places)
    assert within_places(step * 7, places, "units") == step * 7
    if places < MAX_UNIT_PLACES:
        with pytest.raises(InvalidQuantity, match=r"units .* is finer than its unit allows"):
            within_places(step * 7 + step / 10, places, "units")


def test_receipts_state_counts_in_the_same_grammar() -> None:
    assert Receipt(received="2.5").received == Decimal("2.5")
    for text in ("٣", " 3 ", "1_000", "1e3", "-1"):
        with pytest.raises(InvalidQuantity, match="plain decimal"):
            Receipt(received=text)
