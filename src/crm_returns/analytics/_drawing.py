"""How charts are drawn with matplotlib: imported lazily, fonts that cover every label, same bytes.

- **Lazy.** matplotlib is imported when a chart is drawn, never when
  ``crm_returns`` is; without the ``charts`` extra that is a
  :class:`~crm_returns.errors.ChartsUnavailable`.  Figures are
  :class:`matplotlib.figure.Figure` objects on an Agg canvas: pyplot and its
  global figures are never touched.
- **Fonts.** Latin text is set in DejaVu Sans (shipped with matplotlib);
  Chinese in Noto Sans CJK SC from the ``noto-cjk-sans-otc`` package of the
  extra, registered with matplotlib's font manager on the first chart, else
  in a CJK font installed on the system.  Every character of every label is
  looked up in those fonts before anything is drawn, and matplotlib's
  "Glyph … missing from font(s)" warning is an error while drawing: a missing
  glyph raises :class:`~crm_returns.errors.GlyphMissing` instead of drawing
  an empty box.
- **Same bytes.** A fixed size and resolution, a fixed SVG hash salt, and no
  date in the file: the same chart of the same figures gives the same bytes
  (with the same matplotlib and fonts).  SVG text is drawn as glyph outlines,
  so the file looks the same on a machine without the font; each text is
  also kept as a comment beside its glyphs.
"""

from __future__ import annotations

import enum
import importlib
import importlib.resources
import io
import os
import re
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, TypeAlias

from crm_returns.errors import ChartsUnavailable, GlyphMissing, InvalidInput

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

__all__ = [
    "BAR",
    "GUIDE",
    "LINE",
    "OTHER",
    "ChartFormat",
    "Target",
    "chart_format",
    "drawing",
    "families",
    "missing_glyphs",
    "ticks",
    "write",
]

#: Where a chart goes: a file path, or a binary stream open for writing.
Target: TypeAlias = str | os.PathLike[str] | IO[bytes]

#: Inches, as matplotlib measures figures; with :data:`DPI`, 960 × 540 pixels.
SIZE: Final = (9.6, 5.4)
DPI: Final = 100
#: Salts the ids of an SVG's elements: fixed, so that they do not change from run to run.
HASH_SALT: Final = "crm_returns"
#: The font the extra brings: a collection of Noto Sans CJK faces (Regular).
FONT_PACKAGE: Final = "noto_cjk_sans_otc"
FONT_FILE: Final = "NotoSansCJK-Regular.ttc"
PACKAGED_FAMILY: Final = "Noto Sans CJK SC"
#: CJK fonts a system may have, the Simplified Chinese ones first.
SYSTEM_CJK_FAMILIES: Final[tuple[str, ...]] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Heiti SC",
    "Droid Sans Fallback",
)
LATIN_FAMILY: Final = "DejaVu Sans"

#: Colours every chart uses: bars, the folded "other" bar, lines, guides and notes.
BAR: Final = "#4C72B0"
OTHER: Final = "#A0A0A0"
LINE: Final = "#DD8452"
GUIDE: Final = "#8C8C8C"

_GLYPH_WARNING: Final = re.compile(r"Glyph (\d+) .*missing from font")
# rcParams are matplotlib's global settings: one chart at a time changes them.
_LOCK: Final = threading.Lock()


class ChartFormat(enum.Enum):
    """The file format of a chart."""

    #: A picture, 960 × 540 pixels.
    PNG = "png"
    #: A vector drawing; text as glyph outlines, so it needs no font to show.
    SVG = "svg"


def chart_format(target: Target, format: ChartFormat | str | None) -> ChartFormat:
    """The format to write ``target`` in: ``format`` if given, else the path's suffix.

    Raises:
        InvalidInput: An unknown format, a path whose suffix names none (or
            another than ``format``), or a stream without ``format``.
    """
    given = None
    if format is not None:
        try:
            given = ChartFormat(format.lower() if isinstance(format, str) else format)
        except ValueError:
            known = ", ".join(f.value for f in ChartFormat)
            raise InvalidInput(f"no chart format {format!r}; the formats are {known}") from None
    if not isinstance(target, (str, os.PathLike)):
        if given is None:
            raise InvalidInput("a chart written to a stream needs its format (png or svg)")
        return given
    suffix = Path(target).suffix.lower().lstrip(".")
    by_suffix = next((f for f in ChartFormat if f.value == suffix), None)
    if given is None:
        if by_suffix is None:
            raise InvalidInput(f"{os.fspath(target)!r} ends in no chart format: .png or .svg")
        return by_suffix
    if by_suffix is not None and by_suffix is not given:
        raise InvalidInput(f"{os.fspath(target)!r} ends in .{suffix}, but format is {given.value}")
    return given


def ticks(axes: Axes, names: Sequence[str], *, rotate: bool) -> None:
    """Name the x ticks ``0, 1, …`` with ``names``, slanted when ``rotate``."""
    axes.set_xticks(
        list(range(len(names))),
        labels=list(names),
        rotation=30 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor",
    )


def _matplotlib() -> None:
    try:
        importlib.import_module("matplotlib")
        importlib.import_module("matplotlib.backends.backend_agg")
    except ImportError as error:
        raise ChartsUnavailable(error.name or "matplotlib") from error


def _cjk_family() -> str | None:
    """The family Chinese is set in: the extra's font (registered once), else a system one."""
    from matplotlib import font_manager

    try:
        packaged = importlib.resources.files(FONT_PACKAGE).joinpath(FONT_FILE)
    except ModuleNotFoundError:
        packaged = None
    if packaged is not None and packaged.is_file():
        path = str(packaged)
        if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(path)
        return PACKAGED_FAMILY
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in SYSTEM_CJK_FAMILIES if family in known), None)


def families(language: str) -> tuple[str, ...]:
    """The font families of a chart in ``language``, each tried in turn for a character.

    Chinese first for zh-CN; Latin first for en, with the CJK font (when there
    is one) for the Chinese a SKU or a reason may still have.
    """
    cjk = _cjk_family()
    if cjk is None:
        return (LATIN_FAMILY,)
    return (cjk, LATIN_FAMILY) if language == "zh-CN" else (LATIN_FAMILY, cjk)


def missing_glyphs(texts: Iterable[str], fonts: tuple[str, ...]) -> tuple[str, ...]:
    """The characters of ``texts`` that none of ``fonts`` has, each once (spaces aside)."""
    from matplotlib import font_manager

    charmaps = [
        set(
            font_manager.get_font(
                font_manager.findfont(
                    font_manager.FontProperties(family=family), fallback_to_default=False
                )
            ).get_charmap()
        )
        for family in fonts
    ]
    wanted = dict.fromkeys(char for text in texts for char in text if not char.isspace())
    return tuple(char for char in wanted if not any(ord(char) in cmap for cmap in charmaps))


@contextmanager
def drawing(language: str, texts: Iterable[str]) -> Iterator[Figure]:
    """A fresh figure to draw a chart on, with the fonts and settings of every chart.

    Args:
        language: The chart's language (it orders the fonts).
        texts: Every label the chart will print, checked before drawing.

    Raises:
        ChartsUnavailable: matplotlib is not installed.
        GlyphMissing: A character of ``texts`` is in none of the fonts.
    """
    _matplotlib()
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _LOCK:
        fonts = families(language)
        missing = missing_glyphs(texts, fonts)
        if missing:
            raise GlyphMissing(missing, fonts)
        settings: dict[RcKeyType, object] = {
            "font.family": list(fonts),
            "font.size": 10.0,
            "svg.hashsalt": HASH_SALT,
            "svg.fonttype": "path",
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "axes.spines.top": False,
            # A label is printed as given: "$" in a SKU or reason is no formula.
            "text.parse_math": False,
        }
        with matplotlib.rc_context(settings):
            figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
            FigureCanvasAgg(figure)
            yield figure


def write(figure: Figure, target: Target, chart: ChartFormat) -> None:
    """Save ``figure`` to ``target`` in ``chart``'s format; nothing is written on a missing glyph.

    Call it inside :func:`drawing`, whose settings the file is saved with.

    Raises:
        GlyphMissing: matplotlib found a character in no font while drawing.
    """
    metadata: dict[str, str | None] = (
        {"Software": None} if chart is ChartFormat.PNG else {"Date": None}
    )
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "error", message=r"Glyph \d+ .*missing from font", category=UserWarning
        )
        try:
            figure.savefig(buffer, format=chart.value, metadata=metadata)
        except UserWarning as warning:
            found = _GLYPH_WARNING.search(str(warning))
            if found is None:  # pragma: no cover - the filter lets only that warning through
                raise
            import matplotlib

            fonts = tuple(matplotlib.rcParams["font.family"])
            raise GlyphMissing([chr(int(found.group(1)))], fonts) from None
    data = buffer.getvalue()
    if isinstance(target, (str, os.PathLike)):
        Path(target).write_bytes(data)
    else:
        target.write(data)
