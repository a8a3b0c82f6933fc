"""The line facts of a memory unit of work, derived when asked.

Nothing is stored: the facts of every return the unit of work sees
(committed or pending, archived included) are made by
:func:`~crm_returns.domain.analytics.line_facts` with the return's owner,
feedback, request and shipments from the case file, and grouped by the reference
:func:`~crm_returns.domain.analytics.group_facts`.  So the memory store is the
reference every other store's answers are compared with.
"""

from __future__ import annotations

from collections.abc import Iterator

from crm_returns.adapters.memory.casefile import MemoryCaseFile
from crm_returns.adapters.memory.returns import MemoryReturns
from crm_returns.domain.analytics import (
    CycleGrouping,
    CycleStats,
    LineFact,
    ReportWindow,
    StatusGroup,
    cycle_times,
    line_facts,
)
from crm_returns.domain.analytics.grouping import FactGroup, FactQuery, group_facts
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.ownership.levels import ServiceLevel
from crm_returns.domain.ownership.records import Assignment
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.shipments.records import Shipment

__all__ = ["MemoryLineFacts"]


class MemoryLineFacts:
    """The :class:`~crm_returns.ports.LineFacts` of a memory unit of work."""

    def __init__(self, returns: MemoryReturns, casefile: MemoryCaseFile) -> None:
        self._returns = returns
        self._casefile = casefile

    def _facts(self, tenant_id: str) -> Iterator[LineFact]:
        shipments: dict[str, list[Shipment]] = {}
        for shipment in self._casefile.every(tenant_id, Shipment):
            shipments.setdefault(shipment.return_id, []).append(shipment)
        for order in self._returns.every(tenant_id):
            yield from line_facts(
                order,
                feedback=self._casefile.find(tenant_id, Feedback, order.id),
                assignment=self._casefile.find(tenant_id, Assignment, order.id),
                request=self._casefile.find(tenant_id, RequestRecord, order.id),
                shipments=shipments.get(order.id, ()),
            )

    def group(self, tenant_id: str, query: FactQuery) -> tuple[FactGroup, ...]:
        """``query`` answered by the reference grouping."""
        return group_facts(self._facts(tenant_id), query)

    def cycle_times(
        self,
        tenant_id: str,
        window: ReportWindow,
        *,
        by: CycleGrouping = CycleGrouping.ALL,
        level: ServiceLevel | None = None,
    ) -> tuple[CycleStats, ...]:
        """Cycle times of the counted returns of ``window``, by the reference."""
        counted = window.select(self._facts(tenant_id))[StatusGroup.COUNTED]
        return cycle_times(counted, by=by, level=level)

    def scan(self, tenant_id: str, window: ReportWindow) -> Iterator[LineFact]:
        """The tenant's facts inside ``window``, in the port's order."""
        inside = [fact for fact in self._facts(tenant_id) if window.contains(fact)]

        def place(fact: LineFact) -> tuple[object, ...]:
            return (window.moment_of(fact), fact.return_number, fact.order_number, fact.line_id)

        return iter(sorted(inside, key=place))
