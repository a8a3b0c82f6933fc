"""Smaller promises of pricing, number formats and quantities.

- A fee rule for some reasons charges lines of those reasons (by code or by
  category) and no others; a line not named in the units to refund refunds
  nothing.
- A number format must use ``{seq}`` and may use ``{date}`` and ``{tenant}``,
  all three at once included.
- A refused quantity names the field it was given for.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from crm_returns.domain.money import Money, exact_quantity
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.orders import LineRef
from crm_returns.domain.refunds.fees import FeeRule, RefundPolicy
from crm_returns.domain.refunds.pricing import price_refund
from crm_returns.domain.returns.lines import Receipt, ReturnLine
from crm_returns.errors import InvalidInput, InvalidQuantity

A_REF = LineRef("SO-1", "1")
B_REF = LineRef("SO-1", "2")
MakeLine = Callable[..., ReturnLine]


@pytest.fixture
def two_reasons(make_line: MakeLine) -> tuple[ReturnLine, ReturnLine]:
    """Line A: 1 x 100.00, quality defect (quality); line B: 1 x 100.00, changed requirement."""
    return (
        make_line(A_REF, 1, reason_code="quality_defect", reason_category="quality"),
        make_line(B_REF, 1, reason_code="changed_requirement", reason_category="customer"),
    )


@pytest.mark.parametrize(
    "rule",
    [
        FeeRule(Decimal("0.10"), reason_codes={"changed_requirement"}),
        FeeRule(Decimal("0.10"), reason_categories={"customer"}),
    ],
    ids=["by reason code", "by reason category"],
)
def test_a_fee_rule_for_some_reasons_charges_only_lines_of_those_reasons(
    two_reasons: tuple[ReturnLine, ReturnLine], rule: FeeRule
) -> None:
    units = {A_REF: Decimal(1), B_REF: Decimal(1)}
    priced = price_refund(two_reasons, units, {}, RefundPolicy(fee_rules=(rule,)))
    assert [line.fee for line in priced] == [Money("0.00", "CNY"), Money("10.00", "CNY")]


def test_a_line_not_named_in_the_units_to_refund_refunds_nothing(
    two_reasons: tuple[ReturnLine, ReturnLine],
) -> None:
    priced = price_refund(two_reasons, {B_REF: Decimal(1)}, {}, RefundPolicy())
    assert [(line.ref, line.units) for line in priced] == [(A_REF, Decimal(0)), (B_REF, Decimal(1))]
    assert priced[0].payable == Money("0.00", "CNY")


def test_a_number_format_may_use_the_sequence_the_date_and_the_tenant_at_once() -> None:
    fmt = NumberFormat("{tenant}-{date:%Y%m%d}-{seq:03d}")
    assert fmt.template == "{tenant}-{date:%Y%m%d}-{seq:03d}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "RT-{date:%Y%m%d}",
            "number format 'RT-{date:%Y%m%d}' must use {seq} and may use only {date} and {tenant}",
        ),
        (
            "RT-{seq}-{store}",
            "number format 'RT-{seq}-{store}' must use {seq} and may use only {date} and {tenant}",
        ),
        (
            "RT-{seq",
            "number format 'RT-{seq' is malformed: expected '}' before end of string",
        ),
    ],
)
def test_a_number_format_without_the_sequence_or_with_unknown_fields_is_refused(
    template: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        NumberFormat(template)
    assert str(raised.value) == message


def test_a_refused_quantity_names_what_it_was_given_for() -> None:
    with pytest.raises(InvalidQuantity) as raised:
        exact_quantity("lots")
    assert str(raised.value).startswith("quantity 'lots' is not a plain decimal")
    with pytest.raises(InvalidQuantity) as raised:
        Receipt(received=Decimal(-1))
    assert str(raised.value) == "received must not be negative, got -1"
