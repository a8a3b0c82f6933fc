"""The retention document's tables, and the cattrs converter that reads a document into them.

The attrs classes here fix which keys each table has; their field types are
the NewTypes of :mod:`._fields`, whose readers check each raw value.  The
hooks below read a period, the fiscal year's end and the ``rules`` table
(:mod:`._rules`), and :func:`document_converter` wires them together once
for the profile a document names.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from crm_returns.domain.retention import FiscalYearEnd, Period, RetentionPolicy
from crm_returns.errors import InvalidInput
from crm_returns.retention_config._fields import (
    NO_OVERRIDES,
    PERMANENT,
    ZERO,
    Count,
    Overrides,
    Profile,
    Span,
    YearEnd,
    read_count,
    read_profile,
)
from crm_returns.retention_config._problems import Problem, shown
from crm_returns.retention_config._rules import read_overrides

__all__ = ["Document", "document_converter"]

_T = TypeVar("_T")

# The document, table by table.  Field types are the NewTypes of _fields,
# whose hooks check each raw value; these classes only fix which keys exist.


@attrs.frozen(kw_only=True)
class _Period:
    years: Count = ZERO
    months: Count = ZERO
    days: Count = ZERO


@attrs.frozen(kw_only=True)
class _YearEnd:
    month: Count
    day: Count


@attrs.frozen(kw_only=True)
class Document:
    """A whole retention document, read: the values its :class:`RetentionPolicy` is made of.

    Attributes:
        profile: The profile the document starts from.
        fiscal_year_end: The last day of the fiscal year; ``None`` for the profile's.
        rules: For each class named, the rules that replace the profile's.
    """

    profile: Profile
    fiscal_year_end: YearEnd | None = None
    rules: Overrides = NO_OVERRIDES


# -- hooks that structure nested tables ----------------------------------------------


def _span(converter: cattrs.Converter) -> Callable[[object, object], Span]:
    def read(value: object, _: object) -> Span:
        if value == PERMANENT:
            return Span(Period.forever())
        if not isinstance(value, Mapping):
            raise Problem(
                f"must be a table of years, months and days, such as {{ years = 5 }}, "
                f'or "{PERMANENT}"; not {shown(value)}'
            )
        parts = converter.structure(value, _Period)
        return Span(Period(parts.years, parts.months, parts.days))

    return read


def _year_end(converter: cattrs.Converter) -> Callable[[object, object], YearEnd]:
    def read(value: object, _: object) -> YearEnd:
        if not isinstance(value, Mapping):
            raise Problem(
                f"must be a table of a month and a day, such as {{ month = 12, day = 31 }}; "
                f"not {shown(value)}"
            )
        parts = converter.structure(value, _YearEnd)
        try:
            return YearEnd(FiscalYearEnd(parts.month, parts.day))
        except InvalidInput as error:
            raise Problem(str(error)) from None

    return read


def _overrides(
    converter: cattrs.Converter, profile: RetentionPolicy | None
) -> Callable[[object, object], Overrides]:
    def span(value: object) -> Period:
        return converter.structure(value, Span)

    def read(value: object, _: object) -> Overrides:
        return read_overrides(value, profile, span)

    return read


def _table(converter: cattrs.Converter, kind: type[_T]) -> Callable[[object, object], _T]:
    """The generated structure function of ``kind``, refusing anything but a table first."""
    generated = make_dict_structure_fn(kind, converter)
    fields = ", ".join(field.name for field in attrs.fields(kind))  # type: ignore[arg-type]

    def read(value: object, _: object) -> _T:
        if not isinstance(value, Mapping):
            raise Problem(f"must be a table with the keys {fields}, not {shown(value)}")
        return generated(value, kind)

    return read


def document_converter(profile: RetentionPolicy | None) -> cattrs.Converter:
    """A new converter that reads a retention document into a :class:`Document`.

    Args:
        profile: The profile the document names, whose legal minimums its
            rules are held to; ``None`` when it names none (its ``profile``
            field is then reported, and its rules checked for form alone).
    """
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    hooks: dict[object, Callable[[Any, Any], Any]] = {
        Profile: read_profile,
        Count: read_count,
        Span: _span(converter),
        YearEnd: _year_end(converter),
        Overrides: _overrides(converter, profile),
    }
    for kind, hook in hooks.items():
        # NewTypes are not classes, so singledispatch cannot find them: use predicates.
        converter.register_structure_hook_func(functools.partial(operator.is_, kind), hook)
    # Generated functions look their fields' hooks up once, so the fields' come first.
    for table in (_Period, _YearEnd, Document):
        converter.register_structure_hook(table, _table(converter, table))
    return converter
