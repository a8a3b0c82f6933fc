"""Amounts, quantities, reason codes and labels refuse junk, saying what they got.

An amount or a quantity is an exact decimal: a float, a non-number, an
infinity or a number too large to hold is refused, and the message names the
kind of value (amount or quantity) and what was given.  A label's locale is
a short non-blank string (16 characters at most).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_returns.domain.money import Money, exact_quantity
from crm_returns.domain.reasons import Fault, Reason, ReasonCategory
from crm_returns.errors import InvalidInput, InvalidMoney, InvalidQuantity

LABELS = {"en": "Weather", "zh-CN": "天气"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "amount must be an exact decimal, not float 1.5"),
        (True, "amount must be an exact decimal, not bool True"),
        (
            "ten",
            "amount 'ten' is not a plain decimal: write ASCII digits with at most one point,"
            " such as 12 or 12.5 (no sign, exponent, spaces or separators)",
        ),
        (None, "amount must be a Decimal, int or str, not NoneType"),
        (Decimal("Infinity"), "amount must be finite, not Infinity"),
        (Decimal("1E+1000000"), "amount 1.000e+1000000 is too large to hold exactly"),
    ],
    ids=["float", "bool", "text", "none", "infinite", "too large"],
)
def test_a_refused_amount_says_what_it_got(value: object, message: str) -> None:
    with pytest.raises(InvalidMoney) as raised:
        Money(value, "CNY")
    assert str(raised.value) == message


def test_a_refused_quantity_is_named_as_one() -> None:
    with pytest.raises(InvalidQuantity) as raised:
        exact_quantity(0.5)
    assert str(raised.value) == "quantity must be an exact decimal, not float 0.5"


def test_a_malformed_reason_code_is_refused_saying_what_a_code_is() -> None:
    with pytest.raises(InvalidInput) as raised:
        ReasonCategory("Weather", LABELS)
    assert str(raised.value) == (
        "code 'Weather' must be lower-case letters, digits, '_', '.' or '-', "
        "starting with a letter, at most 64 characters"
    )


def test_labels_must_be_a_mapping_of_locales() -> None:
    with pytest.raises(InvalidInput) as raised:
        ReasonCategory("weather", [("en", "Weather")])  # type: ignore[arg-type]
    assert str(raised.value) == "labels must map locale to label, got list"


@pytest.mark.parametrize("locale", ["", "  ", "x" * 17, 7], ids=["empty", "blank", "17", "int"])
def test_a_label_locale_is_a_short_non_blank_string(locale: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        Reason("storm", "weather", {**LABELS, locale: "x"}, Fault.CARRIER, True)  # type: ignore[dict-item]
    assert str(raised.value) == (
        f"label locales must be short strings such as 'zh-CN', got {locale!r}"
    )


def test_a_locale_of_sixteen_characters_is_accepted() -> None:
    locale = "x" * 16
    reason = Reason("storm", "weather", {**LABELS, locale: "风暴"}, Fault.CARRIER, True)
    assert reason.labels.get(locale) == "风暴"
