"""The analytics enums that :mod:`crm_returns.labels` gives labels to."""

from __future__ import annotations

from typing import TypeAlias

from crm_returns.domain.analytics.cycles import CycleGrouping, CycleStage
from crm_returns.domain.analytics.dimensions import Dimension
from crm_returns.domain.analytics.figures import Figure
from crm_returns.domain.analytics.pareto import Measure, ReasonLevel
from crm_returns.domain.analytics.periods import DateBasis, ReportPeriod, StatusGroup

__all__ = ["AnalyticsLabelled"]

#: A value of analytics with a label in every language.
AnalyticsLabelled: TypeAlias = (
    ReportPeriod
    | DateBasis
    | StatusGroup
    | ReasonLevel
    | Measure
    | CycleStage
    | CycleGrouping
    | Dimension
    | Figure
)
