"""Chinese labels render, or the chart fails: never empty boxes; matplotlib only when drawing."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.analytics.chart_support import CHARTS, facts

from crm_returns.analytics import _drawing
from crm_returns.analytics._chart_words import WORDS
from crm_returns.analytics.charts import ChartFormat, pareto_chart, sku_reason_heatmap
from crm_returns.domain import analytics as an
from crm_returns.errors import ChartsUnavailable, GlyphMissing

#: LINEAR B SYLLABLE B008 A: in no font a chart uses (matplotlib would draw a box).
NO_FONT_HAS_IT = "\U00010000"


def _heatmap_of_sku(sku: str, target: Path | io.BytesIO, language: str = "zh-CN") -> None:
    matrix = an.sku_reason_matrix(facts((("quality_defect", sku, 1),)), top=1)
    sku_reason_heatmap(matrix, target, language=language, format="png")


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_character_no_font_has_fails_the_chart_and_writes_nothing(
    language: str, tmp_path: Path
) -> None:
    target = tmp_path / "chart.png"

    with pytest.raises(GlyphMissing) as caught:
        _heatmap_of_sku(f"SKU-{NO_FONT_HAS_IT}-退{NO_FONT_HAS_IT}", target, language)

    assert caught.value.characters == (NO_FONT_HAS_IT,)
    assert "Noto Sans CJK SC" in caught.value.fonts
    assert "U+10000" in str(caught.value)
    assert not target.exists()


def test_a_glyph_missing_from_text_the_check_did_not_see_still_fails() -> None:
    # Labels are checked before drawing; matplotlib's own warning is the net
    # under that check, for any text a chart would print without listing it.
    buffer = io.BytesIO()

    with _drawing.drawing("en", ["title"]) as figure:
        figure.add_subplot().set_title(f"title {NO_FONT_HAS_IT}")
        with pytest.raises(GlyphMissing) as caught:
            _drawing.write(figure, buffer, ChartFormat.PNG)

    assert caught.value.characters == (NO_FONT_HAS_IT,)
    assert buffer.getvalue() == b""


def test_without_a_cjk_font_chinese_labels_fail_instead_of_drawing_boxes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_drawing, "FONT_PACKAGE", "no_such_font_package")
    monkeypatch.setattr(_drawing, "SYSTEM_CJK_FAMILIES", ("No Such CJK Font",))

    with pytest.raises(GlyphMissing) as caught:
        _heatmap_of_sku("SKU-1", io.BytesIO())

    assert "退" in caught.value.characters
    assert caught.value.fonts == ("DejaVu Sans",)
    # English needs no CJK font.
    _heatmap_of_sku("SKU-1", io.BytesIO(), language="en")


def test_a_cjk_font_of_the_system_is_used_when_the_extras_font_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The extra's collection is registered once charts are drawn; its Traditional
    # Chinese face stands in for a font a system has installed.
    _heatmap_of_sku("SKU-1", io.BytesIO())
    monkeypatch.setattr(_drawing, "FONT_PACKAGE", "no_such_font_package")
    monkeypatch.setattr(_drawing, "SYSTEM_CJK_FAMILIES", ("No Such CJK Font", "Noto Sans CJK TC"))
    buffer = io.BytesIO()

    draw = CHARTS["pareto"][0]
    draw(buffer, "zh-CN", "svg")

    svg = buffer.getvalue().decode()
    assert 'id="NotoSansCJKtc-Regular-' in svg
    assert 'id="NotoSansCJKsc-Regular-' not in svg


def test_without_matplotlib_a_chart_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    target = tmp_path / "chart.png"

    with pytest.raises(ChartsUnavailable, match=re.escape("pip install 'crm-returns[charts]'")):
        pareto_chart(an.pareto(facts()), target)

    assert not target.exists()


def test_importing_the_charts_imports_no_matplotlib() -> None:
    code = (
        "import sys, crm_returns.analytics.charts; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    shown = subprocess.run(  # noqa: S603 - this interpreter on fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert shown.strip() == "[]"


def test_drawing_leaves_matplotlibs_settings_as_they_were() -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)

    CHARTS["cycles"][0](io.BytesIO(), "zh-CN", "png")

    assert dict(matplotlib.rcParams) == before


def test_every_chart_word_is_given_in_both_languages_with_the_same_fields() -> None:
    for name, (zh, en) in WORDS.items():
        assert zh.strip(), name
        assert en.strip(), name
        assert re.findall(r"\{(\w+)\}", zh) == re.findall(r"\{(\w+)\}", en), name
