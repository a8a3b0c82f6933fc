"""How an event's values are written as JSON: the one place the data form is decided.

The form is a public contract:

- amounts are ``{"amount": "12.30", "currency": "CNY"}``, the amount a
  decimal string at the currency's minor unit; quantities are decimal
  strings; no value is ever a JSON number, so none is ever a float;
- times are ISO 8601 with their offset; enums are their values;
- a fact about one order line (a receipt, an inspection) is one object,
  ``{"line": {"order_number", "line_id"}, ...the fact's fields...}``, and a
  count per disposition is ``{"disposition", "units"}``;
- who did it is ``"actor": {"id", "name"}``.

An attrs class is written field by field, in the order of
:func:`attrs.fields`.  Where the form is not the field as it stands, a table
below says so; :func:`layout` applies them, and both :func:`write` (the
events) and the schema generator (``_generate``, the shipped schemas) read
the layout, so a field added to an event shows up in both.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs

from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.lines import Inspection

__all__ = ["DESCRIBED", "GROUPS", "PAIR_NAMES", "Slot", "layout", "write"]

#: Fields written under another name.  A summary line's ``ref`` is its
#: ``line``, as in receipts and inspections.
_RENAMED: Final[Mapping[str, str]] = MappingProxyType({"SummaryLine.ref": "line"})

#: Fields whose value is computed.  An inspection publishes where its accepted
#: units went, whether the inspector gave one disposition or a split, so that a
#: receiver reads one list and need not know the default.
_COMPUTED: Final[Mapping[str, Callable[[Any], object]]] = MappingProxyType(
    {"Inspection.dispositions": Inspection.split}
)

#: Fields left out: ``dispositions`` (computed above) already says where units went.
_LEFT_OUT: Final = frozenset({"Inspection.disposition"})

#: Descriptions that replace the docstring's, where the form changed the meaning.
DESCRIBED: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Inspection.dispositions": (
            "Where the accepted units go, one entry per disposition (zero counts left "
            "out); the units add up to accepted."
        ),
    }
)

#: Field prefixes gathered into one object, with its description: ``actor_id``
#: and ``actor_name`` are ``"actor": {"id", "name"}``, and a new ``actor_*``
#: field joins them.
GROUPS: Final[Mapping[str, str]] = MappingProxyType(
    {"actor": "Who did it: their id, and their display name at the time."}
)

#: The names of the two halves of each pair, where a field holds pairs that
#: are not per-line facts.
PAIR_NAMES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {"Inspection.dispositions": ("disposition", "units")}
)


@attrs.frozen
class Slot:
    """Where one field of an attrs class goes in its JSON object.

    Attributes:
        field: The field.
        where: ``Class.field``, the key of the tables.
        name: Its key in the object (in its group's object, if it has a group).
        group: The key of the object that gathers it, or ``""``.
        read: Reads its value from an instance.
    """

    field: attrs.Attribute[Any]
    where: str
    name: str
    group: str
    read: Callable[[Any], object]


def layout(kind: type) -> list[Slot]:
    """The slots of an attrs class, in field order, left-out fields left out."""
    slots = []
    for field in attrs.fields(kind):
        where = f"{kind.__name__}.{field.name}"
        if where in _LEFT_OUT:
            continue
        name = _RENAMED.get(where, field.name)
        group, _, rest = name.partition("_")
        if group not in GROUPS or not rest:
            group, rest = "", name
        read = _COMPUTED.get(where, operator.attrgetter(field.name))
        slots.append(Slot(field=field, where=where, name=rest, group=group, read=read))
    return slots


def write(value: object, where: str = "") -> Any:
    """``value`` as JSON values: dicts, lists, strings, booleans and ``None``, never a number.

    Args:
        value: A field's value.
        where: The field, as ``Class.field``, for the pair names.

    Raises:
        TypeError: The value has no JSON form.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, Decimal):
        # "f" never writes an exponent: Decimal("1E+2") is "100", not "1E+2".
        return format(value, "f")
    if isinstance(value, Money):
        return {"amount": format(value.amount, "f"), "currency": value.currency}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        if where in PAIR_NAMES:
            first, second = PAIR_NAMES[where]
            return [{first: write(a), second: write(b)} for a, b in value]
        return [_item(item) for item in value]
    if attrs.has(type(value)):
        return _object(value)
    raise TypeError(f"{where or type(value).__name__}: no JSON form for {value!r}")


def _item(item: object) -> Any:
    """An item of a tuple: a per-line fact is one object, its ``line`` beside its fields."""
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], LineRef):
        return {"line": write(item[0]), **_object(item[1])}
    return write(item)


def _object(value: object) -> dict[str, Any]:
    """An attrs instance as an object, slot by slot; grouped slots in their group's object."""
    written: dict[str, Any] = {}
    for slot in layout(type(value)):
        into = written.setdefault(slot.group, {}) if slot.group else written
        into[slot.name] = write(slot.read(value), slot.where)
    return written
