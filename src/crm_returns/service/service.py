"""``ReturnsService``: one method per use case of the return workflow.

Each command opens a unit of work, loads what it needs, lets the domain
decide, and saves the new state, its audit entries, outbox messages, stock
moves and journal entries in one transaction.  A command that raises has
changed nothing.  Queries return immutable values.
"""

from __future__ import annotations

from crm_returns.service.approvals import ApprovalDeadlines
from crm_returns.service.lifecycle import Lifecycle
from crm_returns.service.money import MoneyAndStock
from crm_returns.service.reading import ReadingAndReasons

__all__ = ["ReturnsService"]


class ReturnsService(Lifecycle, MoneyAndStock, ReadingAndReasons, ApprovalDeadlines):
    """The return workflow (退库 / 退货), wired to ports.

    Args:
        orders: The host's delivered order lines.
        unit_of_work: Makes a new unit of work for each command.
        clock: Tells the time of every change.
        ids: Makes ids for returns, audit entries, messages and payments.
        approval_policy: Decides the approval steps at submission (none: every
            return is approved when submitted).
        eligibility_rules: Checks each requested line; see
            :mod:`crm_returns.domain.policies.eligibility`.
        number_format: How return numbers read.
        default_reasons: The catalog of tenants that have not customised theirs.
        refund_policy: Restocking fees, shipping refunds, lost parcels.
        chart: The accounts journal entries post to.
    """
