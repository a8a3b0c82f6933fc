"""Money of returns, totalled per currency: amounts in different currencies are never added."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.domain.analytics.facts import LineFact
from crm_returns.domain.money import Money

__all__ = ["MONEY_COLUMNS", "CurrencyTotals", "money_totals"]

#: The money columns of a line fact that are totalled, in this order.
MONEY_COLUMNS: Final = (
    "merchandise_value",
    "refund_granted",
    "refund_paid",
    "store_credit",
    "replacement_value",
    "restocking_fee",
    "return_shipping_fee",
    "write_off",
)


@attrs.frozen(kw_only=True)
class CurrencyTotals:
    """The money of returned lines in one currency.

    Each amount adds up the lines where the column is known; ``unknown`` says
    which columns were unknown (``None``) on some lines, and on how many.

    Attributes:
        currency: The currency.
        lines: Lines counted.
        merchandise_value: Sum of the column of that name, and so on.
        refund_granted: See :class:`~crm_returns.domain.analytics.facts.LineFact`.
        refund_paid: Idem.
        store_credit: Idem.
        replacement_value: Idem.
        restocking_fee: Idem.
        return_shipping_fee: Idem.
        write_off: Idem.
        unknown: ``(column, lines without it)`` for every column unknown somewhere.
    """

    currency: str
    lines: int
    merchandise_value: Money
    refund_granted: Money
    refund_paid: Money
    store_credit: Money
    replacement_value: Money
    restocking_fee: Money
    return_shipping_fee: Money
    write_off: Money
    unknown: tuple[tuple[str, int], ...] = ()


def money_totals(facts: Iterable[LineFact]) -> tuple[CurrencyTotals, ...]:
    """Totals of every money column, one :class:`CurrencyTotals` per currency, sorted by code."""
    sums: dict[str, dict[str, Decimal]] = {}
    missing: dict[str, dict[str, int]] = {}
    lines: dict[str, int] = {}
    for fact in facts:
        column_sums = sums.setdefault(fact.currency, dict.fromkeys(MONEY_COLUMNS, Decimal(0)))
        lines[fact.currency] = lines.get(fact.currency, 0) + 1
        for column in MONEY_COLUMNS:
            amount: Decimal | None = getattr(fact, column)
            if amount is None:
                gaps = missing.setdefault(fact.currency, {})
                gaps[column] = gaps.get(column, 0) + 1
            else:
                column_sums[column] += amount
    return tuple(
        CurrencyTotals(
            currency=currency,
            lines=lines[currency],
            unknown=tuple(
                (c, missing[currency][c]) for c in MONEY_COLUMNS if c in missing.get(currency, {})
            ),
            **{c: Money(amount, currency) for c, amount in sums[currency].items()},
        )
        for currency in sorted(sums)
    )
