"""The column schema of the exports, derived from the fact classes so that it cannot drift.

Each column is an attribute of :class:`~crm_returns.domain.analytics.LineFact`
(line-level export) or :class:`~crm_returns.domain.analytics.ReturnFact`
(return-level export), in the class's order: its name, its
:class:`ColumnType` and whether it may be empty come from the attribute's
type, its description from the ``Attributes:`` section of the class's
docstring.  Adding an attribute to a fact adds a column to every export.
"""

from __future__ import annotations

import builtins
import enum
import inspect
import re
import types
import typing
from datetime import datetime
from decimal import Decimal
from typing import Final

import attrs

from crm_returns.domain.analytics import LineFact, ReturnFact
from crm_returns.domain.money import MAX_UNIT_PLACES, MINOR_UNITS
from crm_returns.errors import InvalidInput, quoted

__all__ = [
    "DECIMAL_PRECISION",
    "DECIMAL_SCALE",
    "LINE_COLUMNS",
    "RETURN_COLUMNS",
    "Column",
    "ColumnType",
    "columns_of",
]

#: Decimal places every decimal column holds exactly: the finest currency
#: minor unit (3, as for KWD) and the finest unit of quantity (6) both fit.
DECIMAL_SCALE: Final = max(MAX_UNIT_PLACES, *MINOR_UNITS.values())
#: Significant digits of a decimal column (Parquet ``decimal128(38, 6)``):
#: 32 digits before the point.
DECIMAL_PRECISION: Final = 38


class ColumnType(enum.Enum):
    """What a column holds, the same in every export format."""

    #: Text (UTF-8); an enumeration's value, such as ``"completed"``.
    TEXT = "text"
    #: A whole number (64 bits).
    INTEGER = "integer"
    #: An exact decimal with at most :data:`DECIMAL_SCALE` places: an amount in
    #: the row's ``currency`` or a number of units.
    DECIMAL = "decimal"
    #: A moment, written in UTC.
    TIMESTAMP = "timestamp"


@attrs.frozen(kw_only=True)
class Column:
    """One column of an export.

    Attributes:
        name: The column's name: the fact attribute's.
        type: What the column holds.
        nullable: Whether the column may be empty (``None``: not known).
        description: What the column holds, from the fact class's docstring.
        source: The attribute's Python type (``str``, ``Decimal``,
            :class:`~crm_returns.domain.returns.states.ReturnStatus`…).
    """

    name: str
    type: ColumnType
    nullable: bool
    description: str
    source: builtins.type[object]


def _role(match: re.Match[str]) -> str:
    target = match["target"]
    return f"`{target.rpartition('.')[2] if match['short'] else target}`"


def _plain(text: str) -> str:
    """Docstring markup as Markdown: ``:meth:`a.b``` becomes ```a.b```, ``:class:`~a.B``` ```B```.

    Fields of the fact classes are documented for Sphinx; the schema is read in
    Markdown tables and in Parquet metadata.
    """
    text = re.sub(r":\w+:`(?P<short>~?)(?P<target>[^`]+)`", _role, text)
    return " ".join(text.replace("``", "`").split())


def _attribute_docs(row_type: type) -> dict[str, str]:
    """The ``Attributes:`` section of ``row_type``'s docstring, by attribute name."""
    lines = inspect.cleandoc(row_type.__doc__ or "").splitlines()
    docs: dict[str, str] = {}
    if "Attributes:" not in lines:
        return docs
    name = ""
    for line in lines[lines.index("Attributes:") + 1 :]:
        if line.startswith("        ") and name:
            docs[name] += " " + line.strip()
        elif line.startswith("    ") and ": " in line:
            name, _, text = line.strip().partition(": ")
            docs[name] = text
        else:
            break
    return {name: _plain(text) for name, text in docs.items()}


def _kind(source: type) -> ColumnType:
    if issubclass(source, (str, enum.Enum)):
        return ColumnType.TEXT
    if issubclass(source, bool):
        raise TypeError("a flag has no column type yet")
    if issubclass(source, int):
        return ColumnType.INTEGER
    if issubclass(source, Decimal):
        return ColumnType.DECIMAL
    if issubclass(source, datetime):
        return ColumnType.TIMESTAMP
    raise TypeError(f"no column type for attributes of type {source.__name__}")


def _column(name: str, hint: object, description: str) -> Column:
    parts = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    sources = [part for part in parts if part is not type(None)]
    source = sources[0]
    if len(sources) != 1 or not isinstance(source, type):
        raise TypeError(f"the attribute {name} has no single column type: {hint}")
    if issubclass(source, enum.Enum):
        description += " One of: " + ", ".join(f"`{member.value}`" for member in source) + "."
    return Column(
        name=name,
        type=_kind(source),
        nullable=len(sources) != len(parts),
        description=description,
        source=source,
    )


def _derived(row_type: type) -> tuple[Column, ...]:
    """The columns of ``row_type``: its attributes in order, typed and documented.

    Raises:
        TypeError: An attribute has a type no column holds, or no description:
            the fact class changed and its export must be thought through.
    """
    hints = typing.get_type_hints(row_type)
    docs = _attribute_docs(row_type)
    missing = [field.name for field in attrs.fields(row_type) if not docs.get(field.name)]
    if missing:
        raise TypeError(f"{row_type.__name__} documents no {', '.join(missing)}")
    return tuple(
        _column(field.name, hints[field.name], docs[field.name]) for field in attrs.fields(row_type)
    )


#: The columns of the line-level export: one row per :class:`LineFact`.
LINE_COLUMNS: Final = _derived(LineFact)
#: The columns of the return-level export: one row per :class:`ReturnFact`.
RETURN_COLUMNS: Final = _derived(ReturnFact)


def columns_of(row_type: type[LineFact] | type[ReturnFact]) -> tuple[Column, ...]:
    """The columns of an export of ``row_type``: :data:`LINE_COLUMNS` or :data:`RETURN_COLUMNS`.

    Raises:
        InvalidInput: ``row_type`` is neither :class:`LineFact` nor :class:`ReturnFact`.
    """
    if row_type is LineFact:
        return LINE_COLUMNS
    if row_type is ReturnFact:
        return RETURN_COLUMNS
    raise InvalidInput(f"exports are of LineFact or ReturnFact rows, not {quoted(row_type)}")
