"""Rows checked against their columns: what every format may write, and nothing else.

A row is refused when it is not of the export's row type or when one of its
values does not belong in its column; what passes is a tuple of cells ready
for any format: enumerations as their value, moments in UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Final, TypeAlias

from crm_returns.analytics.columns import DECIMAL_PRECISION, DECIMAL_SCALE, Column
from crm_returns.domain.analytics import LineFact, ReturnFact
from crm_returns.errors import InvalidInput, quoted

__all__ = ["Cell", "checked", "checked_cells"]

#: Digits a decimal column holds before the point.
_WHOLE_DIGITS: Final = DECIMAL_PRECISION - DECIMAL_SCALE

#: A checked value, ready for any format: enumerations as their value, moments in UTC.
Cell: TypeAlias = str | int | Decimal | datetime | None


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate, such as "\ud800"
        return False
    return True


def _fits(value: Decimal) -> bool:
    """Whether ``value`` is finite and held exactly by a decimal column."""
    if not value.is_finite():
        return False
    places = -int(value.as_tuple().exponent)
    return places <= DECIMAL_SCALE and (value.is_zero() or value.adjusted() < _WHOLE_DIGITS)


def _cell(value: object, column: Column, number: int) -> Cell:
    """``value`` checked against ``column``, as every format writes it.

    Raises:
        InvalidInput: The value does not belong in the column; the message
            names the row (the first is 1) and the column.
    """
    if value is None:
        if column.nullable:
            return None
        problem = "got None, and the column is never empty"
    elif not isinstance(value, column.source) or isinstance(value, bool):
        problem = f"expected {column.source.__name__}, got {quoted(value)}"
    elif isinstance(value, enum.Enum):
        return str(value.value)
    elif isinstance(value, str):
        if value.isascii() or _encodable(value):
            return value
        problem = f"got {quoted(value)}, which UTF-8 cannot encode"
    elif isinstance(value, Decimal):
        if _fits(value):
            return value
        problem = (
            f"got {value}, not a finite decimal of at most {DECIMAL_SCALE} places "
            f"and {_WHOLE_DIGITS} digits before the point"
        )
    elif isinstance(value, datetime):
        if value.utcoffset() is not None:
            return value.astimezone(UTC)
        problem = f"got {value.isoformat()}, a moment without a time zone"
    elif isinstance(value, int):
        return value
    else:  # pragma: no cover - the columns module gives no other column type
        problem = f"got {quoted(value)}, of no column type"
    raise InvalidInput(f"row {number}, column {column.name}: {problem}")


def checked(
    rows: Sequence[object],
    row_type: type[LineFact] | type[ReturnFact],
    columns: Sequence[Column],
    first: int,
) -> list[tuple[Cell, ...]]:
    """The cells of ``rows`` (numbered from ``first``), once every one of them is checked.

    Raises:
        InvalidInput: A row is not a ``row_type``, or one of its values does
            not belong in its column.
    """
    values_of = attrgetter(*(column.name for column in columns))
    cells = []
    for number, row in enumerate(rows, start=first):
        if not isinstance(row, row_type):
            raise InvalidInput(f"row {number} is {quoted(row)}, not a {row_type.__name__}")
        values: tuple[object, ...] = values_of(row)
        pairs = zip(values, columns, strict=True)
        cells.append(tuple(_cell(value, column, number) for value, column in pairs))
    return cells


def checked_cells(
    rows: Sequence[object], columns: Sequence[Column], first: int
) -> list[tuple[Cell, ...]]:
    """The cells of ``rows`` of values (numbered from ``first``), once every one of them is checked.

    Each row is a tuple or list of one value per column, in the columns' order.

    Raises:
        InvalidInput: A row is not a tuple or list of one value per column, or
            one of its values does not belong in its column.
    """
    cells = []
    for number, row in enumerate(rows, start=first):
        if not isinstance(row, tuple | list) or len(row) != len(columns):
            raise InvalidInput(
                f"row {number} is {quoted(row)}, not a tuple of {len(columns)} values"
            )
        pairs = zip(row, columns, strict=True)
        cells.append(tuple(_cell(value, column, number) for value, column in pairs))
    return cells
