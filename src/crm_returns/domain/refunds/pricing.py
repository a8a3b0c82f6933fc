"""Pricing a refund line by line: slice, shipping, tax and fee for the units taken back."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from crm_returns.domain._evolve import evolved
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.refunds.slices import slice_for
from crm_returns.domain.returns.lines import ReturnLine

__all__ = ["RefundLine", "estimate", "price_refund"]


@attrs.frozen
class RefundLine:
    """The refund for one line, itemised.

    Attributes:
        ref: The order line.
        units: Units refunded.
        missing_units: Of those, units refunded although they never arrived
            (only under a policy that refunds lost parcels).
        total: Their share of what was paid, tax included.
        tax: The tax inside ``total``.
        shipping: Shipping refunded.
        fee: Restocking fee kept.
    """

    ref: LineRef
    units: Decimal
    missing_units: Decimal
    total: Money
    tax: Money
    shipping: Money
    fee: Money

    @property
    def net(self) -> Money:
        """``total`` without tax."""
        return self.total - self.tax

    @property
    def payable(self) -> Money:
        """What the customer gets for the line: total plus shipping less the fee."""
        return self.total + self.shipping - self.fee


_NONE = Decimal(0)


def price_refund(
    lines: tuple[ReturnLine, ...],
    units: Mapping[LineRef, Decimal],
    refunded_before: Mapping[LineRef, Decimal],
    policy: RefundPolicy,
    missing: Mapping[LineRef, Decimal] | None = None,
) -> tuple[RefundLine, ...]:
    """Itemise the refund for ``units`` of each line.

    Args:
        lines: The return's lines.
        units: Units to refund per line.
        refunded_before: Units of each order line refunded by other returns;
            the slice starts after them, so that refunds add up exactly.
        policy: Fees and shipping.
        missing: Of ``units``, how many never arrived (for the record).

    Raises:
        InvalidQuantity: The units would run past what was delivered.
    """
    result = []
    missing = missing or {}
    for line in lines:
        count = units.get(line.ref, _NONE)
        piece = slice_for(line.pricing, refunded_before.get(line.ref, _NONE), count)
        refund_shipping = line.fault in policy.refund_shipping_for
        shipping = piece.shipping if refund_shipping else Money.zero(piece.shipping.currency)
        fee = policy.fee(line.reason_code, line.reason_category, line.fault, piece.total)
        result.append(
            RefundLine(
                ref=line.ref,
                units=count,
                missing_units=missing.get(line.ref, _NONE),
                total=piece.total,
                tax=piece.tax,
                shipping=shipping,
                fee=fee,
            )
        )
    return tuple(result)


def estimate(
    lines: tuple[ReturnLine, ...],
    policy: RefundPolicy,
    refunded: Mapping[LineRef, Decimal],
) -> tuple[tuple[ReturnLine, ...], tuple[RefundLine, ...]]:
    """Price the refund as if every requested unit is accepted: the confirmation view.

    Returns the lines with their estimated refunds, and the itemised refund —
    the same numbers :func:`~crm_returns.domain.returns.refunding.grant_refund` books
    when the units are accepted and nothing else is refunded in between.
    """
    units = {line.ref: line.requested for line in lines}
    itemised = price_refund(lines, units, refunded, policy)
    payable = {line.ref: line.payable for line in itemised}
    return tuple(evolved(line, refund=payable[line.ref]) for line in lines), itemised
