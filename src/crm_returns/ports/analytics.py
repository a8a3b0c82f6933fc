"""The line facts of a store: what reports group and exports stream.

A store keeps, or derives, one :class:`~crm_returns.domain.analytics.LineFact`
per line of every return it holds (archived ones included), with the
return's owner and the customer's score from its case file, always in step
with the returns: the SQL store writes them in the transaction that writes
the return, the memory store derives them when asked.  Every answer must
equal the pure reference (:func:`~crm_returns.domain.analytics.group_facts`
over :func:`~crm_returns.domain.analytics.line_facts`);
:class:`~crm_returns.testing.conformance.LineFactsContract` checks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from crm_returns.domain.analytics import CycleGrouping, CycleStats, LineFact, ReportWindow
from crm_returns.domain.analytics.grouping import FactGroup, FactQuery
from crm_returns.domain.ownership.levels import ServiceLevel

__all__ = ["LineFacts"]


class LineFacts(Protocol):
    """The line facts of every tenant's returns; each call is scoped to one tenant."""

    def group(self, tenant_id: str, query: FactQuery) -> tuple[FactGroup, ...]:
        """``query`` answered over the tenant's line facts, exactly as ``group_facts`` would.

        Groups come in :meth:`~crm_returns.domain.analytics.FactGroup.sort_key` order.
        """

    def cycle_times(
        self,
        tenant_id: str,
        window: ReportWindow,
        *,
        by: CycleGrouping = CycleGrouping.ALL,
        level: ServiceLevel | None = None,
    ) -> tuple[CycleStats, ...]:
        """Cycle times of the counted returns of ``window``, as ``cycle_times`` gives them."""

    def scan(self, tenant_id: str, window: ReportWindow) -> Iterator[LineFact]:
        """The tenant's line facts inside ``window`` (every status group), one at a time.

        In order of the window's date, then return number, order number and
        line id (code-point order).  A store streams them: memory held does
        not grow with the number of facts.
        """
