"""Cycle time per stage, drawn as boxes whose every mark is a nearest-rank percentile."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from crm_returns.analytics._chart_words import language_checked, sentence, word
from crm_returns.analytics._drawing import (
    BAR,
    GUIDE,
    LINE,
    ChartFormat,
    Target,
    chart_format,
    drawing,
    write,
)
from crm_returns.domain.analytics.cycles import STAGE_DATES, CycleStage, percentile
from crm_returns.domain.analytics.facts import LineFact
from crm_returns.errors import InvalidInput
from crm_returns.labels import label

__all__ = ["cycle_time_chart", "stage_durations"]


def stage_durations(facts: Iterable[LineFact]) -> dict[CycleStage, tuple[timedelta, ...]]:
    """How long each return took in each stage, the durations behind the cycle time report.

    They are timed as :func:`~crm_returns.domain.analytics.cycle_times` times
    them: a return counts once (its first line), in every stage whose two dates
    (:data:`~crm_returns.domain.analytics.STAGE_DATES`) are known with the end
    not before the start.  Stages follow :class:`CycleStage`; a stage with no
    return timed is left out.
    """
    returns: dict[str, LineFact] = {}
    for fact in facts:
        returns.setdefault(fact.return_id, fact)
    result: dict[CycleStage, tuple[timedelta, ...]] = {}
    for stage, (starts, ends) in STAGE_DATES.items():
        times = []
        for fact in returns.values():
            start, end = starts(fact), ends(fact)
            if start is not None and end is not None and end >= start:
                times.append(end - start)
        if times:
            result[stage] = tuple(times)
    return result


def cycle_time_chart(
    durations: Mapping[CycleStage, Sequence[timedelta]],
    target: Target,
    *,
    language: str = "zh-CN",
    format: ChartFormat | str | None = None,
) -> None:
    """Draw a box per stage: how long returns took, in days (or hours when all are short).

    Every mark is a nearest-rank percentile, as in
    :func:`~crm_returns.domain.analytics.cycle_times`, so the median line and
    the upper whisker are the report's median and P90: the box spans P25 to
    P75, the whiskers P10 to P90, and dots mark the shortest and the longest.
    Stages are drawn in the order of :class:`CycleStage`; a stage without
    durations is left out.

    Args:
        durations: The durations of each stage (:func:`stage_durations`).
        target: A ``.png`` or ``.svg`` path, or a binary stream (give ``format``).
        language: ``"zh-CN"`` or ``"en"``.
        format: ``png`` or ``svg``; by default the target's suffix.

    Raises:
        InvalidInput: No stage with a duration, a key that is not a stage, a
            duration that is not a ``timedelta`` or is negative, an unknown
            language or format.
        GlyphMissing: A label has a character no font has.
        ChartsUnavailable: The ``charts`` extra is not installed.
    """
    language_checked(language)
    chosen = chart_format(target, format)
    if not all(isinstance(stage, CycleStage) for stage in durations):
        raise InvalidInput("cycle time durations are keyed by CycleStage")
    samples = {stage: tuple(durations[stage]) for stage in CycleStage if durations.get(stage)}
    if not samples:
        raise InvalidInput("a cycle time chart needs at least one stage with a duration")
    for times in samples.values():
        if not all(isinstance(t, timedelta) and t >= timedelta(0) for t in times):
            raise InvalidInput("cycle times are timedeltas, none negative")
    longest = max(max(times) for times in samples.values())
    unit, unit_word = (
        (timedelta(days=1), "days")
        if longest >= timedelta(days=2)
        else (timedelta(hours=1), "hours")
    )
    names = [
        word("stage_count", language, stage=sentence(label(stage, language)), count=len(times))
        for stage, times in samples.items()
    ]
    title, note = word("cycle_title", language), word("cycle_note", language)
    texts = [title, note, word(unit_word, language), *names]
    with drawing(language, texts) as figure:
        axes = figure.add_subplot()
        stats = []
        for name, times in zip(names, samples.values(), strict=True):
            low, high = percentile(times, 10), percentile(times, 90)
            stats.append(
                {
                    "label": name,
                    "med": percentile(times, 50) / unit,
                    "q1": percentile(times, 25) / unit,
                    "q3": percentile(times, 75) / unit,
                    "whislo": low / unit,
                    "whishi": high / unit,
                    "fliers": [t / unit for t in (min(times), max(times)) if not low <= t <= high],
                }
            )
        axes.bxp(
            stats,
            patch_artist=True,
            boxprops={"facecolor": "#DCE6F2", "edgecolor": BAR},
            medianprops={"color": LINE, "linewidth": 2},
            flierprops={"marker": "o", "markerfacecolor": BAR, "markeredgecolor": BAR},
        )
        axes.set_ylim(bottom=0)
        axes.set_title(title)
        axes.set_ylabel(word(unit_word, language))
        figure.supxlabel(note, fontsize=8, color=GUIDE)
        write(figure, target, chosen)
