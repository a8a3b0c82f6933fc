"""What callers hand the service, and what it hands back besides return orders."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from crm_returns.domain._checks import items_of, text
from crm_returns.domain.money import Money
from crm_returns.domain.policies.approval import ApprovalStep
from crm_returns.domain.refunds.pricing import RefundLine
from crm_returns.domain.returns.lines import NOTE_LIMIT, RequestedLine, ReturnLine
from crm_returns.errors import InvalidInput

__all__ = ["ReturnPreview", "ReturnRequest"]


def _requested(values: Iterable[RequestedLine]) -> tuple[RequestedLine, ...]:
    lines = items_of(values, "request lines")
    if not lines:
        raise InvalidInput("a return request needs at least one line")
    for line in lines:
        if not isinstance(line, RequestedLine):
            raise InvalidInput(f"request lines must be RequestedLine values, got {line!r}")
    return lines


@attrs.frozen
class ReturnRequest:
    """A clerk's batch of lines to return, with a reason each.

    Attributes:
        lines: One or more lines, all of one customer and one currency.
        note: Free text for the whole return.
    """

    lines: tuple[RequestedLine, ...] = attrs.field(converter=_requested)
    note: str = attrs.field(default="", validator=text(NOTE_LIMIT, optional=True))


@attrs.frozen
class ReturnPreview:
    """What a return would be if submitted now: shown to the clerk to confirm.

    Attributes:
        customer_id: The customer.
        customer_name: Their display name.
        lines: The priced lines, with reasons and estimated refunds.
        refund: Estimated refund in all.
        steps: Approval steps it would need; empty means automatic approval.
        refund_lines: The refund itemised per line: total, tax, shipping, fee.
    """

    customer_id: str
    customer_name: str
    lines: tuple[ReturnLine, ...]
    refund: Money
    steps: tuple[ApprovalStep, ...]
    refund_lines: tuple[RefundLine, ...] = ()

    @property
    def auto_approved(self) -> bool:
        """Whether the return would be approved without anyone's decision."""
        return not self.steps
