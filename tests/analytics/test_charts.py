"""Charts of return analytics: a PNG or SVG file per chart, the same bytes for the same figures."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.analytics.chart_support import CHARTS, COHORTS, Draw, cohort, facts
from tests.domain.analytics.fact_support import line_facts

from crm_returns.analytics.charts import (
    ChartFormat,
    cycle_time_chart,
    pareto_chart,
    return_rate_chart,
    sku_reason_heatmap,
    stage_durations,
)
from crm_returns.domain import analytics as an
from crm_returns.errors import InvalidInput

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _svg(draw: Draw, language: str = "zh-CN") -> str:
    buffer = io.BytesIO()
    draw(buffer, language, "svg")
    return buffer.getvalue().decode()


def _texts(svg: str) -> list[str]:
    """The texts of an SVG chart: matplotlib keeps each beside its glyph outlines."""
    return re.findall(r"<!-- (.*?) -->", svg, flags=re.DOTALL)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_chart_writes_a_png_and_an_svg_chosen_by_the_suffix(
    name: str, language: str, tmp_path: Path
) -> None:
    draw = CHARTS[name][0]

    draw(tmp_path / "chart.png", language, None)
    draw(tmp_path / "chart.svg", language, None)

    png = (tmp_path / "chart.png").read_bytes()
    svg = (tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert png.startswith(PNG_SIGNATURE)
    assert png[16:24] == (960).to_bytes(4, "big") + (540).to_bytes(4, "big")  # IHDR width, height
    assert svg.startswith("<?xml")
    assert "<svg" in svg


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chinese_titles_are_drawn_in_the_cjk_font_as_outlines(name: str) -> None:
    draw, zh_title, _ = CHARTS[name]

    svg = _svg(draw, "zh-CN")

    assert zh_title in _texts(svg)
    # Text is drawn as glyph outlines taken from Noto Sans CJK: no empty boxes,
    # and the file needs no font to show.
    assert 'id="NotoSansCJKsc-Regular-' in svg
    assert "<text" not in svg


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_english_charts_speak_english(name: str) -> None:
    draw, zh_title, en_title = CHARTS[name]

    texts = _texts(_svg(draw, "en"))

    assert en_title in texts
    assert zh_title not in texts


@pytest.mark.parametrize("chart", [ChartFormat.PNG, ChartFormat.SVG])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_the_same_figures_give_the_same_bytes(name: str, chart: ChartFormat) -> None:
    draw = CHARTS[name][0]
    first, second = io.BytesIO(), io.BytesIO()

    draw(first, "zh-CN", chart)
    draw(second, "zh-CN", chart)

    assert first.getvalue() == second.getvalue()
    assert b"Date" not in first.getvalue()
    assert b"Software" not in first.getvalue()


@pytest.mark.parametrize("chart", ["png", "svg"])
def test_other_figures_give_other_bytes(chart: str) -> None:
    # Guards the test above: a chart that ignored its figures would be "deterministic" too.
    first, second = io.BytesIO(), io.BytesIO()

    return_rate_chart(COHORTS, first, format=chart)
    return_rate_chart((*COHORTS[:-1], cohort(4, 31, mature=False)), second, format=chart)

    assert first.getvalue() != second.getvalue()


def test_the_pareto_names_reasons_by_their_labels_and_the_fold_other() -> None:
    rows = an.fold(an.pareto(facts()), keep=2)
    buffer = io.BytesIO()

    pareto_chart(rows, buffer, format="svg")

    texts = _texts(buffer.getvalue().decode())
    names = [t for t in texts if t in {"quality_defect", "damaged_in_transit"} or "其他" in t]
    assert names == ["quality_defect", "damaged_in_transit", "其他（3 项）"]


def test_the_pareto_shows_the_cumulative_share_and_the_measure_it_was_ranked_by() -> None:
    rows = an.pareto(facts(), measure=an.Measure.UNITS)
    buffer = io.BytesIO()

    pareto_chart(rows, buffer, format="svg", measure=an.Measure.UNITS, language="en")

    texts = _texts(buffer.getvalue().decode())
    assert "Units returned" in texts
    assert "Cumulative share" in texts
    assert "100%" in texts
    assert "4" in texts  # quality_defect returned 4 units on 3 lines


def test_immature_cohorts_are_marked_and_explained() -> None:
    marked, plain = io.BytesIO(), io.BytesIO()

    return_rate_chart(COHORTS, marked, format="svg")
    return_rate_chart(COHORTS[:-1], plain, format="svg")

    immature = "未成熟批次：退货期未满，退货率仍会上升"
    assert immature in _texts(marked.getvalue().decode())
    assert immature not in _texts(plain.getvalue().decode())
    # Hatching is an SVG pattern: only the immature bar (and its legend) has one.
    assert "<pattern" in marked.getvalue().decode()
    assert "<pattern" not in plain.getvalue().decode()


def test_cohorts_are_drawn_oldest_first_whatever_their_order() -> None:
    given_order, sorted_order = io.BytesIO(), io.BytesIO()

    return_rate_chart(tuple(reversed(COHORTS)), given_order, format="png")
    return_rate_chart(COHORTS, sorted_order, format="png")

    assert given_order.getvalue() == sorted_order.getvalue()


def test_dollar_signs_in_labels_are_printed_not_typeset_as_formulas() -> None:
    matrix = an.sku_reason_matrix(facts((("quality_defect", "A$x$B", 1),)), top=1)
    buffer = io.BytesIO()

    sku_reason_heatmap(matrix, buffer, format="svg", language="en")

    svg = buffer.getvalue().decode()
    assert "A$x$B" in _texts(svg)
    assert "Oblique" not in svg  # mathtext would have set the x in italics


def test_cycle_times_are_drawn_in_hours_when_every_stage_is_short() -> None:
    short = {an.CycleStage.APPROVAL: (timedelta(hours=3), timedelta(hours=20))}
    long = {an.CycleStage.APPROVAL: (timedelta(hours=3), timedelta(days=3))}
    hours, days = io.BytesIO(), io.BytesIO()

    cycle_time_chart(short, hours, format="svg", language="en")
    cycle_time_chart(long, days, format="svg", language="en")

    assert "Hours" in _texts(hours.getvalue().decode())
    assert "Days" in _texts(days.getvalue().decode())
    assert {"Approval", "n = 2"} <= set(_texts(hours.getvalue().decode()))


@given(st.lists(line_facts(), max_size=40))
def test_stage_durations_are_the_samples_of_the_cycle_time_report(
    lines: list[an.LineFact],
) -> None:
    durations = stage_durations(lines)

    report = an.cycle_times(lines)
    assert [stats.stage for stats in report] == list(durations)
    for stats in report:
        times = durations[stats.stage]
        assert stats.count == len(times)
        assert stats.median == an.percentile(times, 50)
        assert stats.p90 == an.percentile(times, 90)
        assert stats.max == max(times)


# -- what a chart refuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "chart", "complaint"),
    [
        ("chart.pdf", None, "ends in no chart format"),
        ("chart", None, "ends in no chart format"),
        ("chart.png", "svg", "ends in .png, but format is svg"),
        ("chart.png", "pdf", "no chart format 'pdf'"),
    ],
)
def test_a_chart_refuses_a_format_it_cannot_tell_or_write(
    target: str, chart: str | None, complaint: str, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(complaint)):
        return_rate_chart(COHORTS, tmp_path / target, format=chart)

    assert list(tmp_path.iterdir()) == []


def test_a_chart_written_to_a_stream_needs_its_format() -> None:
    with pytest.raises(InvalidInput, match="needs its format"):
        return_rate_chart(COHORTS, io.BytesIO())


def test_an_explicit_format_may_name_a_path_without_a_suffix(tmp_path: Path) -> None:
    return_rate_chart(COHORTS, tmp_path / "chart", format=ChartFormat.SVG)

    assert (tmp_path / "chart").read_text(encoding="utf-8").startswith("<?xml")


def test_a_chart_refuses_a_language_it_has_no_words_for(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="'fr'"):
        return_rate_chart(COHORTS, tmp_path / "chart.png", language="fr")


@pytest.mark.parametrize(
    ("draw", "complaint"),
    [
        (lambda t: pareto_chart((), t), "at least one row"),
        (lambda t: pareto_chart([COHORTS[0]], t), "ParetoRow"),  # type: ignore[list-item]
        (
            lambda t: pareto_chart(tuple(reversed(an.fold(an.pareto(facts()), keep=1))), t),
            '"other" row of a Pareto comes last',
        ),
        (lambda t: return_rate_chart((), t), "at least one cohort"),
        (lambda t: return_rate_chart((COHORTS[0], COHORTS[0]), t), "given twice"),
        (
            lambda t: return_rate_chart(
                (COHORTS[0], attrs.evolve(COHORTS[1], period=an.ReportPeriod.WEEK)), t
            ),
            "share a period",
        ),
        (
            lambda t: sku_reason_heatmap(an.sku_reason_matrix((), top=3), t),
            "at least one SKU and one reason",
        ),
        (
            lambda t: sku_reason_heatmap(
                an.SkuReasonMatrix(
                    skus=("SKU-1",), reasons=("other",), cells=(), measure=an.Measure.LINES
                ),
                t,
            ),
            "do not fit",
        ),
        (lambda t: cycle_time_chart({}, t), "at least one stage"),
        (lambda t: cycle_time_chart({an.CycleStage.APPROVAL: ()}, t), "at least one stage"),
        (
            lambda t: cycle_time_chart({an.CycleStage.APPROVAL: (timedelta(hours=-1),)}, t),
            "none negative",
        ),
        (lambda t: cycle_time_chart({"approval": (timedelta(hours=1),)}, t), "CycleStage"),  # type: ignore[dict-item]
    ],
)
def test_a_chart_refuses_figures_it_cannot_draw_and_writes_nothing(
    draw: object, complaint: str, tmp_path: Path
) -> None:
    target = tmp_path / "chart.png"

    with pytest.raises(InvalidInput, match=re.escape(complaint)):
        draw(target)  # type: ignore[operator]

    assert not target.exists()


def test_fractions_of_units_are_drawn_as_written() -> None:
    rows = (
        an.ParetoRow(
            key="other",
            lines=1,
            units=Decimal("2.5"),
            share=Decimal(1),
            cumulative_share=Decimal(1),
        ),
    )
    buffer = io.BytesIO()

    pareto_chart(rows, buffer, format="svg", measure=an.Measure.UNITS)

    assert "2.5" in _texts(buffer.getvalue().decode())
