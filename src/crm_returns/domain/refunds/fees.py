"""Refund policy: restocking fees (手续费), shipping refunds, lost parcels.

A fee rule applies to lines whose reason (or reason category) it names, or to
every line when it names none; the first rule that applies wins.  The fee is
a percentage of the line's refund, raised to a minimum and capped at a
maximum (one of each per currency), and never more than the refund itself.
No fee is charged when the seller or the carrier is at fault.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from crm_returns.domain._checks import flag, string_set, values_of
from crm_returns.domain.money import Money, exact_number
from crm_returns.domain.reasons import Fault
from crm_returns.errors import InvalidInput

__all__ = ["FeeRule", "RefundPolicy"]


def _percent(value: object) -> Decimal:
    return exact_number(value, "percent")


def _fraction(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not 0 <= value <= 1:
        raise InvalidInput(f"{attribute.name} must be a fraction from 0 to 1, got {value}")


def _per_currency(values: Iterable[Money]) -> tuple[Money, ...]:
    result = values_of(values, Money, "fee bounds")
    currencies = [money.currency for money in result]
    if len(set(currencies)) != len(currencies):
        raise InvalidInput(f"one amount per currency, got {currencies}")
    if any(money.amount < 0 for money in result):
        raise InvalidInput("fee bounds must not be negative")
    return result


def _in(amounts: tuple[Money, ...], currency: str) -> Money | None:
    return next((money for money in amounts if money.currency == currency), None)


def _faults(values: Iterable[Fault]) -> frozenset[Fault]:
    return frozenset(values_of(values, Fault, "faults"))


@attrs.frozen
class FeeRule:
    """A restocking fee for some reasons.

    Attributes:
        percent: Fraction of the line's refund, such as ``Decimal("0.15")``.
        minimum: Smallest fee, one per currency.
        maximum: Largest fee, one per currency.
        reason_codes: Reasons it applies to.
        reason_categories: Reason categories it applies to (with
            ``reason_codes`` empty too, it applies to every reason).
    """

    percent: Decimal = attrs.field(converter=_percent, validator=_fraction)
    minimum: tuple[Money, ...] = attrs.field(default=(), converter=_per_currency)
    maximum: tuple[Money, ...] = attrs.field(default=(), converter=_per_currency)
    reason_codes: frozenset[str] = attrs.field(default=frozenset(), converter=string_set)
    reason_categories: frozenset[str] = attrs.field(default=frozenset(), converter=string_set)

    def applies(self, reason_code: str, reason_category: str) -> bool:
        """Whether a line with this reason pays this rule's fee."""
        if not self.reason_codes and not self.reason_categories:
            return True
        return reason_code in self.reason_codes or reason_category in self.reason_categories

    def fee(self, refund: Money) -> Money:
        """The fee on a refund of ``refund``."""
        fee = refund.times(self.percent)
        low, high = _in(self.minimum, refund.currency), _in(self.maximum, refund.currency)
        if low is not None and fee < low:
            fee = low
        if high is not None and fee > high:
            fee = high
        return min(fee, refund) if refund.amount > 0 else Money.zero(refund.currency)


def _rules(values: Iterable[FeeRule]) -> tuple[FeeRule, ...]:
    return values_of(values, FeeRule, "fee rules")


@attrs.frozen(kw_only=True)
class RefundPolicy:
    """How refunds are priced beyond the goods themselves.

    Attributes:
        fee_rules: Restocking fee rules, first match wins.
        fee_waived_for: Faults for which no fee is charged.
        refund_shipping_for: Faults for which the shipping share is refunded.
        refund_missing_units: Refund units declared missing at receipt (a
            lost parcel) although they never arrived; the refund says so.
    """

    fee_rules: tuple[FeeRule, ...] = attrs.field(default=(), converter=_rules)
    fee_waived_for: frozenset[Fault] = attrs.field(
        default=frozenset({Fault.SELLER, Fault.CARRIER}), converter=_faults
    )
    refund_shipping_for: frozenset[Fault] = attrs.field(
        default=frozenset({Fault.SELLER, Fault.CARRIER}), converter=_faults
    )
    refund_missing_units: bool = attrs.field(default=False, validator=flag)

    def fee(self, reason_code: str, reason_category: str, fault: Fault, refund: Money) -> Money:
        """The restocking fee for a line's refund."""
        if fault in self.fee_waived_for:
            return Money.zero(refund.currency)
        for rule in self.fee_rules:
            if rule.applies(reason_code, reason_category):
                return rule.fee(refund)
        return Money.zero(refund.currency)
