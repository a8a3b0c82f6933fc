"""Eligibility rules: small, pluggable checks that may refuse a line.

Each rule looks at one line of a prospective return and answers ``None`` (no
objection) or a sentence a clerk can read out to the customer.  Hosts add their
own rules by writing any object with a ``check`` method.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

import attrs

from crm_returns.domain._checks import items_of, moment
from crm_returns.domain.orders import DeliveredLine
from crm_returns.domain.reasons import Fault, Reason
from crm_returns.errors import InvalidInput, quoted

__all__ = [
    "DEFAULT_RULES",
    "EligibilityContext",
    "EligibilityRule",
    "MustBeDelivered",
    "MustNotBeRefunded",
    "ReturnWindow",
    "refusals",
]


@attrs.frozen
class EligibilityContext:
    """What a rule may look at.

    Attributes:
        line: The delivered order line.
        reason: The reason chosen for it.
        at: When the return is being requested.
        already_returned: Units of the line in other live returns.
    """

    line: DeliveredLine
    reason: Reason
    at: datetime = attrs.field(validator=moment)
    already_returned: Decimal


class EligibilityRule(Protocol):
    """A check that may refuse a line; implement ``check`` to add your own."""

    def check(self, context: EligibilityContext) -> str | None:
        """Return a readable refusal, or ``None`` when the line may be returned."""


@attrs.frozen
class MustBeDelivered:
    """Refuses lines whose goods have not been delivered."""

    def check(self, context: EligibilityContext) -> str | None:
        """Refuse an undelivered line."""
        if context.line.is_delivered:
            return None
        return "the goods have not been delivered yet"


@attrs.frozen
class MustNotBeRefunded:
    """Refuses lines the host has already refunded in full outside returns."""

    def check(self, context: EligibilityContext) -> str | None:
        """Refuse a line already refunded in full."""
        if context.line.fully_refunded:
            return "the line has already been fully refunded"
        return None


_BY_CATEGORY = "by_reason_category"


def _days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"a return window must be a whole number of days >= 0, got {value!r}")
    return value


def _days_by_category(value: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """Days by category code, from a mapping or the pairs it was made of (``attrs.evolve``)."""
    pairs = tuple(value.items()) if isinstance(value, Mapping) else items_of(value, _BY_CATEGORY)
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InvalidInput(
                f"{_BY_CATEGORY} must map category codes to days, got {quoted(pair)}"
            )
    return tuple(sorted((category, _days(days)) for category, days in dict(pairs).items()))


@attrs.frozen
class ReturnWindow:
    """Refuses lines returned too long after delivery.

    The window for a reason's category is taken from ``by_reason_category``
    when listed there; otherwise it is ``customer_days`` when the customer is
    at fault (no-questions-asked returns) and ``other_days`` when the seller
    or carrier is.

    Attributes:
        customer_days: Window for customer-side reasons.
        other_days: Window for seller- and carrier-side reasons.
        by_reason_category: Windows for particular reason categories.
    """

    customer_days: int = attrs.field(default=7, converter=_days)
    other_days: int = attrs.field(default=30, converter=_days)
    by_reason_category: tuple[tuple[str, int], ...] = attrs.field(
        default=(), converter=_days_by_category
    )

    @property
    def longest_days(self) -> int:
        """The longest window it gives any reason, in days."""
        return max(self.customer_days, self.other_days, *(d for _, d in self.by_reason_category))

    def days_for(self, reason: Reason) -> int:
        """The window, in days, that applies to ``reason``."""
        listed = dict(self.by_reason_category)
        if reason.category in listed:
            return listed[reason.category]
        return self.customer_days if reason.fault is Fault.CUSTOMER else self.other_days

    def check(self, context: EligibilityContext) -> str | None:
        """Refuse a line whose window has closed."""
        delivered_at = context.line.delivered_at
        if delivered_at is None:
            return None  # MustBeDelivered speaks for undelivered lines.
        days = self.days_for(context.reason)
        if context.at <= delivered_at + timedelta(days=days):
            return None
        return (
            f"the {days}-day return window for {context.reason.code!r} closed on "
            f"{(delivered_at + timedelta(days=days)).date().isoformat()}"
        )


#: The rules a service uses unless told otherwise.
DEFAULT_RULES: tuple[EligibilityRule, ...] = (
    MustBeDelivered(),
    ReturnWindow(),
    MustNotBeRefunded(),
)


def refusals(rules: Iterable[EligibilityRule], context: EligibilityContext) -> tuple[str, ...]:
    """Every refusal the rules give for ``context``, in rule order."""
    return tuple(text for rule in rules if (text := rule.check(context)) is not None)
