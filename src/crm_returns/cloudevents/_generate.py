"""Write the JSON Schema of every event type from the event classes: ``python -m`` this module.

Run ``python -m crm_returns.cloudevents._generate`` after changing an event,
the summary or the data form (``_layout``); it rewrites
``src/crm_returns/cloudevents/schemas/<type>.json``.  ``--check`` writes
nothing and fails when a shipped file differs from what it would write; the
test suite makes the same comparison.

The walk reads each field's annotation and goes through :func:`_layout.layout`,
as :func:`_layout.write` goes through it for the values, so the schemas and
the events say the same things; a type it does not know is a ``TypeError``,
never a guess.
"""

from __future__ import annotations

import argparse
import enum
import inspect
import json
import re
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from crm_returns.cloudevents._form import (
    DATA_CONTENT_TYPE,
    EVENT_TYPES,
    SPEC_VERSION,
    SUMMARY_KEY,
)
from crm_returns.cloudevents._layout import DESCRIBED, GROUPS, PAIR_NAMES, layout
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.summary import ReturnSummary, SummaryLine

__all__ = ["DRAFT", "SCHEMA_DIRECTORY", "documents", "main", "render", "schema_id"]

#: The JSON Schema dialect of every document.
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"

#: Where the schemas are shipped: beside this module, in the package.
SCHEMA_DIRECTORY: Final = Path(__file__).parent / "schemas"

#: A decimal string: digits, an optional fraction, no sign, no exponent.
DECIMAL_PATTERN: Final = r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"

#: An ISO 8601 (RFC 3339) time with its offset, as :meth:`datetime.isoformat` writes it.
TIME_PATTERN: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?[+-][0-9]{2}:[0-9]{2}$"
)

#: Classes written once under ``$defs`` and referred to by name.
_NAMED: Final[Mapping[type, str]] = types.MappingProxyType(
    {LineRef: "line", ReturnSummary: "return", SummaryLine: "return_line"}
)


def schema_id(type_name: str) -> str:
    """The ``$id`` of the schema of ``type_name``: a URN, since no web address is promised."""
    return f"urn:crm-returns:schema:{type_name}"


def _ref(name: str) -> dict[str, Any]:
    """A reference to the shared definition ``name``."""
    return {"$ref": f"#/$defs/{name}"}


def _described(schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    """``schema`` with ``description`` first, when there is one."""
    return {"description": description, **schema} if description else dict(schema)


def _closed(properties: Mapping[str, Any], description: str = "") -> dict[str, Any]:
    """An object with exactly these properties, every one required."""
    return _described(
        {
            "type": "object",
            "properties": dict(properties),
            "required": list(properties),
            "additionalProperties": False,
        },
        description,
    )


def _schema_of(annotation: object, where: str) -> dict[str, Any]:
    """The JSON Schema of what :func:`_layout.write` makes of a value of type ``annotation``.

    Raises:
        TypeError: The walk has no JSON form for the type.
    """
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is str:
        return {"type": "string"}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is Decimal:
        return _ref("decimal")
    if annotation is datetime:
        return _ref("time")
    if annotation is Money:
        return _ref("money")
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {"enum": [member.value for member in annotation]}
    if isinstance(annotation, type) and annotation in _NAMED:
        return _ref(_NAMED[annotation])
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        inner = next(arg for arg in args if arg is not type(None))
        return {"anyOf": [_schema_of(inner, where), {"type": "null"}]}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": _item_schema(args[0], where)}
    if isinstance(annotation, type) and attrs.has(annotation):
        return _object_schema(annotation)
    raise TypeError(f"{where}: no JSON form for {annotation!r}")


def _item_schema(item: object, where: str) -> dict[str, Any]:
    """An item of a tuple: pairs become objects, per-line facts beside their ``line``."""
    if typing.get_origin(item) is not tuple:
        return _schema_of(item, where)
    first, second = typing.get_args(item)
    if where in PAIR_NAMES:
        first_name, second_name = PAIR_NAMES[where]
        return _closed(
            {first_name: _schema_of(first, where), second_name: _schema_of(second, where)}
        )
    if first is LineRef and isinstance(second, type) and attrs.has(second):
        fact = _object_schema(second)
        if "line" in fact["properties"]:
            raise TypeError(f"{where}: {second.__name__} has a field of its own named 'line'")
        line = _described(_ref("line"), "The order line.")
        return _closed({"line": line, **fact["properties"]}, fact.get("description", ""))
    raise TypeError(f"{where}: pairs of {first!r} and {second!r} have no names")


def _object_schema(kind: type) -> dict[str, Any]:
    """An attrs class as a closed object, laid out as :func:`_layout.layout` says."""
    hints = typing.get_type_hints(kind)
    documented = _attribute_docs(kind)
    properties: dict[str, Any] = {}
    for slot in layout(kind):
        description = DESCRIBED.get(slot.where, documented.get(slot.field.name, ""))
        schema = _described(_schema_of(hints[slot.field.name], slot.where), description)
        if slot.group:
            group = properties.setdefault(slot.group, _closed({}, GROUPS[slot.group]))
            group["properties"][slot.name] = schema
            group["required"].append(slot.name)
        else:
            properties[slot.name] = schema
    return _closed(properties, _first_line(kind))


def _first_line(kind: type) -> str:
    """The summary line of ``kind``'s docstring."""
    return (inspect.getdoc(kind) or "").partition("\n")[0]


_ATTRIBUTE: Final = re.compile(r"^    (\w+): (.*)$")


def _attribute_docs(kind: type) -> dict[str, str]:
    """Each field's description, from the ``Attributes:`` sections of ``kind`` and its bases."""
    found: dict[str, str] = {}
    for cls in reversed(kind.__mro__):
        _, _, section = inspect.cleandoc(cls.__doc__ or "").partition("\nAttributes:\n")
        name = ""
        for line in section.splitlines():
            if not line.startswith("    "):
                break  # the section ends at the first line that is not indented
            match = _ATTRIBUTE.match(line)
            if match:
                name = match.group(1)
                found[name] = match.group(2).strip()
            elif name:
                found[name] += " " + line.strip()
    return {name: _as_json_text(text) for name, text in found.items()}


def _as_json_text(docstring_text: str) -> str:
    """Docstring markup as a JSON reader says it: ``None`` is null, literals in single quotes."""
    return docstring_text.replace("``None``", "null").replace("``", "`")


def _definitions() -> dict[str, Any]:
    """The ``$defs`` every document shares: the leaves, and the classes written once."""
    made: dict[str, Any] = {
        "decimal": {
            "description": "A decimal number as a string: no sign, no exponent, never a float.",
            "type": "string",
            "pattern": DECIMAL_PATTERN,
        },
        "money": _closed(
            {
                "amount": _described(_ref("decimal"), "At the currency's minor unit."),
                "currency": {
                    "description": "The ISO 4217 code, such as CNY.",
                    "type": "string",
                    "pattern": "^[A-Z]{3}$",
                },
            },
            "An exact amount of one currency.",
        ),
        "time": {
            "description": "An ISO 8601 time with its offset from UTC.",
            "type": "string",
            "format": "date-time",
            "pattern": TIME_PATTERN,
        },
    }
    made.update({name: _object_schema(kind) for kind, name in _NAMED.items()})
    return dict(sorted(made.items()))


def _data_schema(kind: type[ReturnEvent]) -> dict[str, Any]:
    """The ``data`` of an event of class ``kind``: its fields, and the return's summary."""
    event = _object_schema(kind)
    summary = _described(_ref(_NAMED[ReturnSummary]), "The return as the command left it.")
    return _closed({**event["properties"], SUMMARY_KEY: summary}, event["description"])


def _document(type_name: str, kind: type[ReturnEvent], defs: Mapping[str, Any]) -> dict[str, Any]:
    """The schema of one event type: the CloudEvents envelope around the event's data."""
    return {
        "$schema": DRAFT,
        "$id": schema_id(type_name),
        "title": type_name,
        "description": (
            f"{_first_line(kind)} A CloudEvent {SPEC_VERSION} in structured mode; "
            "extension attributes may be added by intermediaries."
        ),
        "type": "object",
        "properties": {
            "specversion": {"const": SPEC_VERSION},
            "id": {
                "description": "The outbox message's id: the same on every delivery.",
                "type": "string",
                "minLength": 1,
            },
            "source": {
                "description": "Who sent it: /crm-returns/<tenant> unless the host says.",
                "type": "string",
                "format": "uri-reference",
                "minLength": 1,
            },
            "type": {"const": type_name},
            "subject": {"description": "The return's number.", "type": "string", "minLength": 1},
            "time": _described(_ref("time"), "When it happened: the data's at."),
            "datacontenttype": {"const": DATA_CONTENT_TYPE},
            "data": _data_schema(kind),
        },
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "data",
        ],
        # CloudEvents extension attributes: lower-case letters and digits only.
        "propertyNames": {"pattern": "^[a-z0-9]+$"},
        "$defs": dict(defs),
    }


def documents() -> dict[str, dict[str, Any]]:
    """The schema of every event type, by type."""
    defs = _definitions()
    return {name: _document(name, kind, defs) for name, kind in EVENT_TYPES.items()}


def render(document: Mapping[str, Any]) -> str:
    """A schema as the text of its file: indented, non-ASCII kept, a newline at the end."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) every schema file; 1 if a file differs."""
    parser = argparse.ArgumentParser(prog="python -m crm_returns.cloudevents._generate")
    parser.add_argument("--check", action="store_true", help="compare; write nothing")
    parser.add_argument("--directory", type=Path, default=SCHEMA_DIRECTORY)
    options = parser.parse_args(argv)
    wanted = {f"{name}.json": render(doc) for name, doc in documents().items()}
    directory: Path = options.directory
    present = {path.name for path in directory.glob("*.json")} if directory.is_dir() else set()
    stale = sorted(
        name
        for name in wanted.keys() | present
        if name not in wanted
        or name not in present
        or (directory / name).read_text("utf-8") != wanted[name]
    )
    if options.check:
        for name in stale:
            print(f"out of date: {directory / name}", file=sys.stderr)
        return 1 if stale else 0
    directory.mkdir(parents=True, exist_ok=True)
    for name in stale:
        if name in wanted:
            (directory / name).write_text(wanted[name], "utf-8")
        else:
            (directory / name).unlink()
    print(f"{len(stale)} of {len(wanted)} schemas rewritten in {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
