"""The errors of analytics: reports' figures, charts and exports.

Re-exported by :mod:`crm_returns.errors`; import them from there.
"""

from __future__ import annotations

from collections.abc import Iterable

from crm_returns.errors import CrmReturnsError, InvalidInput

__all__ = [
    "ChartError",
    "ChartsUnavailable",
    "GlyphMissing",
    "MissingFigure",
    "ParquetUnavailable",
]


class MissingFigure(InvalidInput):
    """A report read a figure of grouped line facts that their query did not ask for.

    Ask for it in ``FactQuery.figures`` (every figure is asked for by default).

    Attributes:
        figure: The figure's name (``"returns"``, ``"merchandise_value"``...).
    """

    def __init__(self, figure: str) -> None:
        self.figure = figure
        super().__init__(
            f"the groups have no {figure}: ask for Figure.{figure.upper()} in the query's figures"
        )


class ChartError(CrmReturnsError):
    """Root of what drawing a chart raises, beyond bad input (:class:`InvalidInput`)."""


class ChartsUnavailable(ChartError):
    """Charts need the ``charts`` extra: ``pip install 'crm-returns[charts]'``.

    Attributes:
        missing: The module that could not be imported (``"matplotlib"``).
    """

    def __init__(self, missing: str) -> None:
        self.missing = missing
        super().__init__(
            f"charts need the charts extra ({missing} is not installed): "
            "pip install 'crm-returns[charts]'"
        )


class GlyphMissing(ChartError):
    """A label has characters that no font of the chart can draw; nothing was written.

    Raised instead of drawing empty boxes.  Chinese labels need a CJK font: the
    ``charts`` extra brings Noto Sans CJK, or install one on the system.

    Attributes:
        characters: The characters no font has, each once, in order of appearance.
        fonts: The font families that were searched.
    """

    def __init__(self, characters: Iterable[str], fonts: Iterable[str]) -> None:
        self.characters = tuple(dict.fromkeys(characters))
        self.fonts = tuple(fonts)
        shown = ", ".join(f"{char!r} (U+{ord(char):04X})" for char in self.characters)
        super().__init__(
            f"no font of the chart ({', '.join(self.fonts)}) can draw {shown}; "
            "Chinese labels need a CJK font: pip install 'crm-returns[charts]'"
        )


class ParquetUnavailable(CrmReturnsError):
    """Parquet exports need the ``analytics`` extra: ``pip install 'crm-returns[analytics]'``.

    Raised before anything is written; CSV and JSON Lines exports need no extra.

    Attributes:
        missing: The module that could not be imported (``"pyarrow"``).
    """

    def __init__(self, missing: str) -> None:
        self.missing = missing
        super().__init__(
            f"Parquet exports need the analytics extra ({missing} is not installed): "
            "pip install 'crm-returns[analytics]'"
        )
