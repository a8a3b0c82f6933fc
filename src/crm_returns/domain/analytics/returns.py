"""The return fact: one return as analytics sees it, totalled from its line facts.

:class:`ReturnFact` is the return-level schema of exports: one row per
return, with the unit counts and money columns of its lines added up
exactly (``Decimal``, never rounded) and the columns every line of a return
shares (status, currency, dates, owner, satisfaction) taken once.  A money
column is ``None`` when it is unknown on *any* line of the return: a total of
the known lines only would pass for the whole return's and be too small.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.domain.analytics.facts import LineFact
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput, quoted

__all__ = ["ReturnFact", "return_fact", "return_facts"]

#: Line-fact columns that hold one value per return: every line of a return agrees on them.
_SHARED: Final = (
    "return_number",
    "customer_id",
    "status",
    "currency",
    "owner_user",
    "owner_team",
    "returned_at",
    "submitted_at",
    "approved_at",
    "goods_back_at",
    "inspected_at",
    "refund_paid_at",
    "completed_at",
    "satisfaction",
    "decline_reason",
)


@attrs.frozen(kw_only=True)
class ReturnFact:
    """One return, flat: the row of the return-level export.

    Sums are exact sums of the return's line facts.  Amounts are ``Decimal``
    in ``currency``; ``None`` means "not known (yet)", never zero.

    Attributes:
        tenant_id: The tenant.
        return_id: The return's internal id.
        return_number: The return's readable number (``RT-…``).
        order_number: The host's order number when every line is of one
            order; ``None`` when the return spans several (the line-level
            export links each line to its order).
        order_count: How many distinct orders the return's lines are of.
        customer_id: The host's customer id.
        status: The return's status.
        currency: ISO 4217 code of every amount of the row.
        line_count: How many lines the return has.
        quantity_requested: Units asked for, over all lines.
        quantity_approved: Units agreed to take back, over all lines.
        quantity_received: Units that arrived, over all lines.
        quantity_accepted: Units accepted at inspection, over all lines.
        quantity_returned: Units taken out of the order lines' returnable
            quantities, over all lines (see the line fact's column).
        merchandise_value: What the customer paid for the returned units,
            over all lines.
        refund_granted: Owed to the customer, over all lines; ``None`` when
            unknown on any line (before the grant).
        refund_paid: Paid out, over all lines; ``None`` when unknown on any
            line (before the grant, or while the refund is partly paid).
        store_credit: Granted as store credit, over all lines; ``None`` when
            unknown on any line.
        replacement_value: Value replaced in kind, over all lines; ``None``
            when unknown on any line.
        restocking_fee: Fees kept, over all lines; ``None`` when unknown on
            any line.
        return_shipping_fee: What bringing the goods back cost the merchant
            (the costs of the return's shipments it pays), over all lines:
            exactly the return's fee; ``None`` when unknown on any line.
        write_off: Scrapped goods at cost, over all lines; ``None`` when
            unknown on any line (scrapped at an unknown cost).
        owner_user: The owning user.
        owner_team: The owning team.
        first_ordered_at: When the earliest of the return's orders was
            placed; ``None`` when unknown for any line.
        last_delivered_at: When the last of the returned lines was
            delivered; ``None`` when unknown for any line.
        returned_at: When the return was created.
        submitted_at: When the return was submitted.
        approved_at: When the return was approved.
        goods_back_at: When every approved unit was settled at the dock.
        inspected_at: When inspection ended.
        refund_paid_at: When the refund was paid in full.
        completed_at: When the return was completed.
        satisfaction: The customer's score (1–5), if they gave feedback.
        decline_reason: The decline reason's code, when staff declined the
            customer's request for this return.
    """

    tenant_id: str
    return_id: str
    return_number: str
    order_number: str | None
    order_count: int
    customer_id: str
    status: ReturnStatus
    currency: str
    line_count: int
    quantity_requested: Decimal
    quantity_approved: Decimal
    quantity_received: Decimal
    quantity_accepted: Decimal
    quantity_returned: Decimal
    merchandise_value: Decimal
    refund_granted: Decimal | None = None
    refund_paid: Decimal | None = None
    store_credit: Decimal | None = None
    replacement_value: Decimal | None = None
    restocking_fee: Decimal | None = None
    return_shipping_fee: Decimal | None = None
    write_off: Decimal | None = None
    owner_user: str | None = None
    owner_team: str | None = None
    first_ordered_at: datetime | None = None
    last_delivered_at: datetime | None = None
    returned_at: datetime
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    goods_back_at: datetime | None = None
    inspected_at: datetime | None = None
    refund_paid_at: datetime | None = None
    completed_at: datetime | None = None
    satisfaction: int | None = None
    decline_reason: str | None = None


def _total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))


def _known_total(amounts: Iterable[Decimal | None]) -> Decimal | None:
    """The sum of ``amounts``, or ``None`` when any of them is unknown."""
    known = tuple(amounts)
    if any(amount is None for amount in known):
        return None
    return _total(amount for amount in known if amount is not None)


def _all_known(moments: Iterable[datetime | None]) -> tuple[datetime, ...] | None:
    known = tuple(moments)
    if not known or any(moment is None for moment in known):
        return None
    return tuple(moment for moment in known if moment is not None)


def _check_one_return(facts: tuple[LineFact, ...]) -> LineFact:
    """The first of ``facts``, once they are known to be the lines of one return."""
    if not facts:
        raise InvalidInput("a return fact is made from at least one line fact")
    first = facts[0]
    for fact in facts[1:]:
        if (fact.tenant_id, fact.return_id) != (first.tenant_id, first.return_id):
            raise InvalidInput(
                f"line facts of two returns cannot make one return fact: "
                f"{quoted(first.return_id)} of {quoted(first.tenant_id)} and "
                f"{quoted(fact.return_id)} of {quoted(fact.tenant_id)}"
            )
        for column in _SHARED:
            mine, theirs = getattr(first, column), getattr(fact, column)
            if mine != theirs:
                raise InvalidInput(
                    f"the line facts of return {quoted(first.return_number)} disagree on "
                    f"{column}: {quoted(mine)} and {quoted(theirs)}"
                )
    return first


def return_fact(lines: Iterable[LineFact]) -> ReturnFact:
    """The fact of one return, from the facts of its lines.

    Use it per return to stream a return-level export
    (``return_fact(line_facts(order, …))``); :func:`return_facts` groups
    line facts of many returns.

    Args:
        lines: The line facts of one return, at least one.

    Raises:
        InvalidInput: No line, lines of more than one return (tenant and
            return id), or lines that disagree on a column the return has
            once (status, currency, dates, owner, satisfaction, decline reason).
    """
    facts = tuple(lines)
    first = _check_one_return(facts)
    orders = tuple(dict.fromkeys(fact.order_number for fact in facts))
    ordered = _all_known(fact.ordered_at for fact in facts)
    delivered = _all_known(fact.delivered_at for fact in facts)
    return ReturnFact(
        tenant_id=first.tenant_id,
        return_id=first.return_id,
        return_number=first.return_number,
        order_number=orders[0] if len(orders) == 1 else None,
        order_count=len(orders),
        customer_id=first.customer_id,
        status=first.status,
        currency=first.currency,
        line_count=len(facts),
        quantity_requested=_total(fact.quantity_requested for fact in facts),
        quantity_approved=_total(fact.quantity_approved for fact in facts),
        quantity_received=_total(fact.quantity_received for fact in facts),
        quantity_accepted=_total(fact.quantity_accepted for fact in facts),
        quantity_returned=_total(fact.quantity_returned for fact in facts),
        merchandise_value=_total(fact.merchandise_value for fact in facts),
        refund_granted=_known_total(fact.refund_granted for fact in facts),
        refund_paid=_known_total(fact.refund_paid for fact in facts),
        store_credit=_known_total(fact.store_credit for fact in facts),
        replacement_value=_known_total(fact.replacement_value for fact in facts),
        restocking_fee=_known_total(fact.restocking_fee for fact in facts),
        return_shipping_fee=_known_total(fact.return_shipping_fee for fact in facts),
        write_off=_known_total(fact.write_off for fact in facts),
        owner_user=first.owner_user,
        owner_team=first.owner_team,
        first_ordered_at=min(ordered) if ordered is not None else None,
        last_delivered_at=max(delivered) if delivered is not None else None,
        returned_at=first.returned_at,
        submitted_at=first.submitted_at,
        approved_at=first.approved_at,
        goods_back_at=first.goods_back_at,
        inspected_at=first.inspected_at,
        refund_paid_at=first.refund_paid_at,
        completed_at=first.completed_at,
        satisfaction=first.satisfaction,
        decline_reason=first.decline_reason,
    )


def return_facts(line_facts: Iterable[LineFact]) -> tuple[ReturnFact, ...]:
    """One :class:`ReturnFact` per return of ``line_facts``, in order of first appearance.

    Lines are grouped by tenant and return id, wherever they come in the
    input; all of them are held until the end.  To stream many returns, call
    :func:`return_fact` once per return instead.

    Args:
        line_facts: Line facts of any number of returns.

    Raises:
        InvalidInput: The lines of one return disagree on a column the
            return has once (see :func:`return_fact`).
    """
    returns: dict[tuple[str, str], list[LineFact]] = {}
    for fact in line_facts:
        returns.setdefault((fact.tenant_id, fact.return_id), []).append(fact)
    return tuple(return_fact(lines) for lines in returns.values())
