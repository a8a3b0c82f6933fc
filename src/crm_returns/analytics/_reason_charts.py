"""Why things come back, drawn: the reasons Pareto and the SKU × reason heat map."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from crm_returns.analytics._chart_words import (
    language_checked,
    number,
    reason_name,
    sentence,
    word,
)
from crm_returns.analytics._drawing import (
    BAR,
    GUIDE,
    LINE,
    OTHER,
    ChartFormat,
    Target,
    chart_format,
    drawing,
    ticks,
    write,
)
from crm_returns.domain.analytics.pareto import Measure, ParetoRow, ReasonLevel, SkuReasonMatrix
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.errors import InvalidInput
from crm_returns.labels import label

__all__ = ["pareto_chart", "sku_reason_heatmap"]


def pareto_chart(
    rows: Sequence[ParetoRow],
    target: Target,
    *,
    language: str = "zh-CN",
    format: ChartFormat | str | None = None,
    measure: Measure = Measure.LINES,
    level: ReasonLevel = ReasonLevel.REASON,
    catalog: ReasonCatalog | None = None,
) -> None:
    """Draw a reasons Pareto: a bar per row, largest first, and the cumulative share as a line.

    The folded tail (key ``None``, from :func:`~crm_returns.domain.analytics.fold`)
    is the grey "other" bar, last; a dashed guide marks 80 %.

    Args:
        rows: A Pareto (:func:`~crm_returns.domain.analytics.pareto`), folded or not.
        target: A ``.png`` or ``.svg`` path, or a binary stream (give ``format``).
        language: ``"zh-CN"`` or ``"en"``.
        format: ``png`` or ``svg``; by default the target's suffix.
        measure: What the rows were ranked by, and the bars show.
        level: Whether the keys are reasons or reason categories.
        catalog: The tenant's reason catalog, to show reasons by their labels
            (``None``: by their codes).

    Raises:
        InvalidInput: No rows, a value that is not a row, "other" before the
            last row, an unknown language or format.
        NotFound: ``catalog`` has no reason (or category) of a row.
        GlyphMissing: A label has a character no font has.
        ChartsUnavailable: The ``charts`` extra is not installed.
    """
    language_checked(language)
    chosen = chart_format(target, format)
    rows = tuple(rows)
    if not rows:
        raise InvalidInput("a Pareto chart needs at least one row")
    if not all(isinstance(row, ParetoRow) for row in rows):
        raise InvalidInput("a Pareto chart takes ParetoRow values")
    if any(row.key is None for row in rows[:-1]):
        raise InvalidInput('the folded "other" row of a Pareto comes last')
    names = [
        word("other", language, count=row.folded)
        if row.key is None
        else reason_name(row.key, level, catalog, language)
        for row in rows
    ]
    sizes = [Decimal(row.lines) if measure is Measure.LINES else row.units for row in rows]
    title = word(
        "pareto_category_title" if level is ReasonLevel.CATEGORY else "pareto_title", language
    )
    texts = [title, label(measure, language), label(level, language)]
    texts += [word("cumulative_share", language), *names, *map(number, sizes)]
    with drawing(language, map(sentence, texts)) as figure:
        from matplotlib.ticker import MaxNLocator

        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        bars = axes.bar(
            positions,
            [float(size) for size in sizes],
            color=[OTHER if row.key is None else BAR for row in rows],
        )
        axes.bar_label(bars, labels=[number(size) for size in sizes], padding=2)
        ticks(axes, names, rotate=len(rows) > 5)
        axes.set_title(title)
        axes.set_xlabel(sentence(label(level, language)))
        axes.set_ylabel(sentence(label(measure, language)))
        axes.margins(y=0.12)
        if measure is Measure.LINES:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        share = axes.twinx()
        share.plot(
            positions,
            [float(row.cumulative_share * 100) for row in rows],
            color=LINE,
            marker="o",
        )
        share.axhline(80, color=GUIDE, linestyle="--", linewidth=0.8)
        share.set_ylim(0, 105)
        share.yaxis.set_major_formatter("{x:.0f}%")
        share.set_ylabel(word("cumulative_share", language))
        write(figure, target, chosen)


def sku_reason_heatmap(
    matrix: SkuReasonMatrix,
    target: Target,
    *,
    language: str = "zh-CN",
    format: ChartFormat | str | None = None,
    catalog: ReasonCatalog | None = None,
) -> None:
    """Draw the SKU × reason matrix as a heat map, every cell with its figure.

    Args:
        matrix: The matrix (:func:`~crm_returns.domain.analytics.sku_reason_matrix`).
        target: A ``.png`` or ``.svg`` path, or a binary stream (give ``format``).
        language: ``"zh-CN"`` or ``"en"``.
        format: ``png`` or ``svg``; by default the target's suffix.
        catalog: The tenant's reason catalog, to show reasons by their labels
            (``None``: by their codes).

    Raises:
        InvalidInput: A matrix without SKUs or reasons, cells that do not fit
            them, an unknown language or format.
        NotFound: ``catalog`` has no reason of the matrix.
        GlyphMissing: A label has a character no font has.
        ChartsUnavailable: The ``charts`` extra is not installed.
    """
    language_checked(language)
    chosen = chart_format(target, format)
    if not isinstance(matrix, SkuReasonMatrix):
        raise InvalidInput(f"a heat map takes a SkuReasonMatrix, got {type(matrix).__name__}")
    if not matrix.skus or not matrix.reasons:
        raise InvalidInput("a heat map needs at least one SKU and one reason")
    if len(matrix.cells) != len(matrix.skus) or any(
        len(row) != len(matrix.reasons) for row in matrix.cells
    ):
        raise InvalidInput("the matrix's cells do not fit its SKUs and reasons")
    reasons = [
        reason_name(reason, ReasonLevel.REASON, catalog, language) for reason in matrix.reasons
    ]
    measure = label(matrix.measure, language)
    title = word("heatmap_title", language, measure=measure)
    figures = [number(cell) for row in matrix.cells for cell in row]
    texts = [title, label(ReasonLevel.REASON, language), word("sku", language), measure]
    texts += [*reasons, *matrix.skus, *figures]
    with drawing(language, map(sentence, texts)) as figure:
        from matplotlib.ticker import MaxNLocator

        axes = figure.add_subplot()
        values = [[float(cell) for cell in row] for row in matrix.cells]
        image = axes.imshow(values, cmap="Blues", aspect="auto", vmin=0)
        top = max(max(row) for row in values) or 1.0
        for i, row in enumerate(matrix.cells):
            for j, cell in enumerate(row):
                axes.text(
                    j,
                    i,
                    number(cell),
                    ha="center",
                    va="center",
                    color="white" if float(cell) > 0.6 * top else "black",
                )
        ticks(axes, reasons, rotate=len(reasons) > 6)
        axes.set_yticks(list(range(len(matrix.skus))), labels=list(matrix.skus))
        axes.spines[:].set_visible(False)
        axes.set_title(title)
        axes.set_xlabel(sentence(label(ReasonLevel.REASON, language)))
        axes.set_ylabel(word("sku", language))
        scale = figure.colorbar(image, ax=axes, label=sentence(measure))
        if matrix.measure is Measure.LINES:
            scale.locator = MaxNLocator(integer=True)
            scale.update_ticks()
        write(figure, target, chosen)
