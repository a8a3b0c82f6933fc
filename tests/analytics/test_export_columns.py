"""The export columns are the fact classes' attributes, typed and documented: they cannot drift."""

from __future__ import annotations

import typing
from datetime import datetime
from decimal import Decimal

import attrs
import pytest

from crm_returns.analytics.columns import (
    DECIMAL_SCALE,
    LINE_COLUMNS,
    RETURN_COLUMNS,
    Column,
    ColumnType,
    _derived,
    columns_of,
)
from crm_returns.domain.analytics import MONEY_COLUMNS, LineFact, ReturnFact
from crm_returns.domain.money import MAX_UNIT_PLACES, MINOR_UNITS
from crm_returns.errors import InvalidInput

SCHEMAS = [(LineFact, LINE_COLUMNS), (ReturnFact, RETURN_COLUMNS)]
IDS = ["lines", "returns"]
#: Column types other than text, by Python type (strings and enumerations are text).
KINDS = {Decimal: ColumnType.DECIMAL, datetime: ColumnType.TIMESTAMP, int: ColumnType.INTEGER}


@pytest.mark.parametrize(("row_type", "columns"), SCHEMAS, ids=IDS)
def test_the_columns_are_the_attributes_in_order(
    row_type: type[LineFact] | type[ReturnFact], columns: tuple[Column, ...]
) -> None:
    assert [c.name for c in columns] == [f.name for f in attrs.fields(row_type)]
    assert columns_of(row_type) is columns


@pytest.mark.parametrize(("row_type", "columns"), SCHEMAS, ids=IDS)
def test_a_column_may_be_empty_exactly_when_its_attribute_may_be_none(
    row_type: type[LineFact] | type[ReturnFact], columns: tuple[Column, ...]
) -> None:
    hints = typing.get_type_hints(row_type)

    for column in columns:
        assert column.nullable is (type(None) in typing.get_args(hints[column.name])), column.name


@pytest.mark.parametrize(("row_type", "columns"), SCHEMAS, ids=IDS)
def test_each_python_type_has_its_column_type(
    row_type: type[LineFact] | type[ReturnFact], columns: tuple[Column, ...]
) -> None:
    kinds = {c.name: c.type for c in columns}

    for column in columns:
        assert column.type is KINDS.get(column.source, ColumnType.TEXT), column.name
    assert {kinds[c] for c in MONEY_COLUMNS} == {ColumnType.DECIMAL}
    assert kinds["status"] is ColumnType.TEXT
    assert kinds["satisfaction"] is ColumnType.INTEGER


@pytest.mark.parametrize(("row_type", "columns"), SCHEMAS, ids=IDS)
def test_every_column_is_described_in_plain_text(
    row_type: type[LineFact] | type[ReturnFact], columns: tuple[Column, ...]
) -> None:
    for column in columns:
        assert column.description, column.name
        assert "``" not in column.description
        assert ":class:" not in column.description
        assert ":meth:" not in column.description
        assert "  " not in column.description


def test_descriptions_come_whole_from_the_docstrings() -> None:
    line = {c.name: c.description for c in LINE_COLUMNS}
    total = {c.name: c.description for c in RETURN_COLUMNS}

    assert line["quantity_returned"].startswith("Units the return takes out of the order line's")
    assert line["quantity_returned"].endswith("The numerator of the unit return rate.")
    assert "(`ReturnOrder.claimed_on`)" in line["quantity_returned"]
    assert total["refund_granted"].endswith("`None` when unknown on any line (before the grant).")


def test_an_enumerated_column_lists_its_values() -> None:
    status = next(c for c in LINE_COLUMNS if c.name == "status")

    assert "`draft`" in status.description
    assert "`partially_received`" in status.description


def test_decimal_columns_hold_every_minor_unit_and_every_unit_of_quantity() -> None:
    assert max(MINOR_UNITS.values()) <= DECIMAL_SCALE
    assert DECIMAL_SCALE >= MAX_UNIT_PLACES


def test_an_undocumented_attribute_stops_the_schema() -> None:
    @attrs.frozen
    class Drifted:
        """A fact that gained an attribute.

        Attributes:
            sku: Product code.
        """

        sku: str
        colour: str

    with pytest.raises(TypeError, match="documents no colour"):
        _derived(Drifted)


def test_an_attribute_of_no_column_type_stops_the_schema() -> None:
    @attrs.frozen
    class Drifted:
        """A fact that gained a list.

        Attributes:
            skus: Product codes.
        """

        skus: list[str]

    with pytest.raises(TypeError, match="skus"):
        _derived(Drifted)


def test_only_facts_have_export_columns() -> None:
    with pytest.raises(InvalidInput, match="LineFact or ReturnFact"):
        columns_of(dict)  # type: ignore[arg-type]
