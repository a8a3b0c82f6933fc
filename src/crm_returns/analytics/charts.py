"""Charts of return analytics, as PNG or SVG files with labels in Chinese or English.

Needs the ``charts`` extra (``pip install 'crm-returns[charts]'``): matplotlib,
and Noto Sans CJK for the Chinese labels.  Each function takes the values the
pure core (:mod:`crm_returns.domain.analytics`) computes and writes one file::

    from crm_returns.analytics.charts import pareto_chart
    from crm_returns.domain import analytics as an

    rows = an.fold(an.pareto(counted), keep=5)
    pareto_chart(rows, "reasons.svg", language="zh-CN", catalog=service.reason_catalog(...))

- :func:`pareto_chart` — reasons ranked, bars and the cumulative share;
- :func:`return_rate_chart` — the unit return rate of each order cohort over
  the units returned, immature cohorts hatched;
- :func:`sku_reason_heatmap` — the SKU × reason matrix;
- :func:`cycle_time_chart` — a box per stage (:func:`stage_durations` gives
  the durations from line facts).

The target is a path (its suffix, ``.png`` or ``.svg``, gives the format) or
a binary stream with an explicit ``format``.  The same figures give the same
bytes.  A label with a character no font has raises
:class:`~crm_returns.errors.GlyphMissing` and writes nothing.  Drawing is
serialised: matplotlib's settings are global.
"""

from __future__ import annotations

from crm_returns.analytics._cycle_chart import cycle_time_chart, stage_durations
from crm_returns.analytics._drawing import ChartFormat
from crm_returns.analytics._rate_chart import return_rate_chart
from crm_returns.analytics._reason_charts import pareto_chart, sku_reason_heatmap

__all__ = [
    "ChartFormat",
    "cycle_time_chart",
    "pareto_chart",
    "return_rate_chart",
    "sku_reason_heatmap",
    "stage_durations",
]
