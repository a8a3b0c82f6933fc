"""The unit return rate of each order cohort over the units returned, immature cohorts marked."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date

from crm_returns.analytics._chart_words import language_checked, sentence, word
from crm_returns.analytics._drawing import (
    BAR,
    LINE,
    ChartFormat,
    Target,
    chart_format,
    drawing,
    ticks,
    write,
)
from crm_returns.domain.analytics.pareto import Measure
from crm_returns.domain.analytics.periods import ReportPeriod
from crm_returns.domain.analytics.rates import CohortRates
from crm_returns.errors import InvalidInput
from crm_returns.labels import label

__all__ = ["return_rate_chart"]


def _cohort_name(cohort: date, period: ReportPeriod) -> str:
    if period is ReportPeriod.DAY:
        return cohort.isoformat()
    if period is ReportPeriod.WEEK:
        year, week, _ = cohort.isocalendar()
        return f"{year}-W{week:02d}"
    if period is ReportPeriod.MONTH:
        return f"{cohort:%Y-%m}"
    return f"{cohort.year} Q{(cohort.month - 1) // 3 + 1}"


def _cohorts(cohorts: Iterable[CohortRates]) -> tuple[CohortRates, ...]:
    given = tuple(cohorts)
    if not given:
        raise InvalidInput("a return rate chart needs at least one cohort")
    if not all(isinstance(cohort, CohortRates) for cohort in given):
        raise InvalidInput("a return rate chart takes CohortRates values")
    periods = {cohort.period for cohort in given}
    if len(periods) > 1:
        raise InvalidInput(
            f"cohorts of one chart share a period, got {sorted(p.value for p in periods)}"
        )
    days = [cohort.cohort for cohort in given]
    if len(set(days)) != len(days):
        raise InvalidInput("a cohort is given twice")
    return tuple(sorted(given, key=lambda cohort: cohort.cohort))


def return_rate_chart(
    cohorts: Sequence[CohortRates],
    target: Target,
    *,
    language: str = "zh-CN",
    format: ChartFormat | str | None = None,
) -> None:
    """Draw the unit return rate of each order cohort (line) over the units returned (bars).

    Immature cohorts — whose return window has not ended, so whose rate will
    still rise — have hatched bars, hollow points and a dashed line.  A cohort
    with nothing delivered has no rate: the line has a gap.

    Args:
        cohorts: Rates of cohorts of one period
            (:func:`~crm_returns.domain.analytics.cohort_rates`), in any order.
        target: A ``.png`` or ``.svg`` path, or a binary stream (give ``format``).
        language: ``"zh-CN"`` or ``"en"``.
        format: ``png`` or ``svg``; by default the target's suffix.

    Raises:
        InvalidInput: No cohorts, cohorts of several periods or one given
            twice, a value that is not a cohort's rates, an unknown language or format.
        GlyphMissing: A label has a character no font has.
        ChartsUnavailable: The ``charts`` extra is not installed.
    """
    language_checked(language)
    chosen = chart_format(target, format)
    ordered = _cohorts(cohorts)
    period = label(ordered[0].period, language)
    names = [_cohort_name(cohort.cohort, cohort.period) for cohort in ordered]
    title = word("rate_title", language, period=period)
    texts = [title, word("cohort_axis", language, period=period), label(Measure.UNITS, language)]
    texts += [word("unit_rate", language), word("immature", language), *names]
    with drawing(language, map(sentence, texts)) as figure:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        axes = figure.add_subplot()
        positions = list(range(len(ordered)))
        for position, cohort in zip(positions, ordered, strict=True):
            axes.bar(
                position,
                float(cohort.units_returned),
                color=BAR if cohort.mature else "white",
                edgecolor=BAR,
                hatch=None if cohort.mature else "//",
            )
        rates = [
            math.nan if cohort.unit_rate is None else float(cohort.unit_rate * 100)
            for cohort in ordered
        ]
        share = axes.twinx()
        for left in positions[:-1]:
            late = not (ordered[left].mature and ordered[left + 1].mature)
            share.plot(
                [left, left + 1],
                rates[left : left + 2],
                color=LINE,
                linestyle="--" if late else "-",
            )
        for position, cohort in zip(positions, ordered, strict=True):
            share.plot(
                position,
                rates[position],
                marker="o",
                color=LINE,
                markerfacecolor=LINE if cohort.mature else "white",
            )
        share.set_ylim(bottom=0)
        share.yaxis.set_major_formatter("{x:.1f}%")
        share.set_ylabel(word("unit_rate", language))
        step = max(1, math.ceil(len(names) / 24))
        shown = [name if i % step == 0 else "" for i, name in enumerate(names)]
        ticks(axes, shown, rotate=len(names) > 8)
        axes.set_title(title)
        axes.set_xlabel(sentence(word("cohort_axis", language, period=period)))
        axes.set_ylabel(sentence(label(Measure.UNITS, language)))
        handles = [
            Patch(color=BAR, label=sentence(label(Measure.UNITS, language))),
            Line2D([], [], color=LINE, marker="o", label=word("unit_rate", language)),
        ]
        if not all(cohort.mature for cohort in ordered):
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor=BAR,
                    hatch="//",
                    label=word("immature", language),
                )
            )
        figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
        write(figure, target, chosen)
