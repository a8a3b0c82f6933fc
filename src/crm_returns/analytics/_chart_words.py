"""The words charts print that are not labels of the library's values, in zh-CN and en.

Labels of values (a measure, a cycle stage, a period) come from
:mod:`crm_returns.labels`; this table holds the rest — titles, axis names,
legends — with both languages side by side, as the label tables do.  ``{…}``
fields are filled in by :func:`word`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from crm_returns.domain.analytics.pareto import ReasonLevel
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.errors import InvalidInput
from crm_returns.labels import LANGUAGES, category_label, reason_label

__all__ = ["WORDS", "language_checked", "number", "reason_name", "sentence", "word"]

#: Every chart word, as ``(zh-CN, en)``.
WORDS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "pareto_title": ("退货原因帕累托图", "Why things come back: reasons, Pareto"),
        "pareto_category_title": (
            "退货原因类别帕累托图",
            "Why things come back: reason categories, Pareto",
        ),
        "cumulative_share": ("累计占比", "Cumulative share"),
        "other": ("其他（{count} 项）", "other ({count} more)"),
        "rate_title": (
            "退货率与退货数量（按下单{period}）",
            "Unit return rate and units returned, by order {period}",
        ),
        "cohort_axis": ("下单{period}", "Order {period}"),
        "unit_rate": ("件数退货率", "Unit return rate"),
        "immature": ("未成熟批次：退货期未满，退货率仍会上升", "Immature: returns still coming"),
        "heatmap_title": ("SKU × 退货原因（{measure}）", "SKU × return reason ({measure})"),
        "sku": ("SKU", "SKU"),
        "cycle_title": ("各阶段处理时长", "Cycle time per stage"),
        "days": ("天", "Days"),
        "hours": ("小时", "Hours"),
        "stage_count": ("{stage}\n{count} 单", "{stage}\nn = {count}"),
        "cycle_note": (
            "箱体：P25–P75　横线：中位数　须：P10–P90　点：最短与最长",
            "box: P25–P75 · line: median · whiskers: P10–P90 · dots: shortest and longest",
        ),
    }
)


def language_checked(language: str) -> str:
    """``language``, once it is one of :data:`~crm_returns.labels.LANGUAGES`.

    Raises:
        InvalidInput: It is not.
    """
    if language not in LANGUAGES:
        raise InvalidInput(
            f"no chart labels in language {language!r}; the languages are {', '.join(LANGUAGES)}"
        )
    return language


def word(name: str, language: str, **fields: object) -> str:
    """The chart word ``name`` in ``language``, with its ``{…}`` fields filled in.

    Raises:
        InvalidInput: ``language`` is not one of :data:`~crm_returns.labels.LANGUAGES`.
    """
    text = WORDS[name][LANGUAGES.index(language_checked(language))]
    return text.format(**fields) if fields else text


def sentence(text: str) -> str:
    """``text`` with a capital first letter, as an axis name starts (Chinese is unchanged)."""
    return text[:1].upper() + text[1:]


def number(value: Decimal | int) -> str:
    """A count as people write it: ``12``, ``2.5``, never ``1E+1``."""
    return format(Decimal(value).normalize(), "f")


def reason_name(key: str, level: ReasonLevel, catalog: ReasonCatalog | None, language: str) -> str:
    """A reason (or category) as a chart shows it: its label in ``catalog``, else its code.

    Raises:
        NotFound: ``catalog`` has no such reason (or category).
    """
    if catalog is None:
        return key
    if level is ReasonLevel.CATEGORY:
        return category_label(catalog, key, language)
    return reason_label(catalog, key, language)
