"""What is wrong with a policy document, and where: :class:`Problem` and its report.

A reader of :mod:`._fields` raises :class:`Problem` saying what is wrong with
one value, in the document's terms (:func:`shown` describes a value as the
document spells it, :func:`quoted` cuts a long one short).  cattrs notes on
every error where it was found; :func:`problems` turns that tree of errors
into ``(path, message)`` pairs, such as
``("steps[1].conditions.refund_at_least.CNY", "-1 is negative; a threshold is zero
or more")``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping

import attrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from crm_returns.errors import CrmReturnsError

#: Characters of a bad value quoted in a message (the length is given for longer ones).
QUOTE_LIMIT = 40


class Problem(ValueError):
    """What is wrong with one value of the document (its path comes from cattrs' notes)."""


# -- describing values -----------------------------------------------------------------


def quoted(value: object) -> str:
    """``repr(value)``, cut short when it would swamp the message."""
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        return f"{value[:QUOTE_LIMIT]!r}... ({len(value)} characters)"
    if isinstance(value, int) and not -(10**QUOTE_LIMIT) < value < 10**QUOTE_LIMIT:
        return f"a number of more than {QUOTE_LIMIT} digits"
    return repr(value)


def plain(value: object) -> str:
    """``str(value)``, or a short description when that would swamp the message."""
    text = quoted(value)
    return str(value) if text == repr(value) else text


def shown(value: object) -> str:
    """``value`` described for a message, in the document's terms."""
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {quoted(value)}"
    if isinstance(value, str):
        return quoted(value)
    return f"a {type(value).__name__}"


# -- reporting problems ----------------------------------------------------------------


def noted_at(error: Exception, index: int | str, kind: object) -> Exception:
    """``error`` noted as being about item ``index`` of a list or key of a table."""
    note = IterableValidationNote(f"Structuring @ {index!r}", index, kind)
    error.__notes__ = [*getattr(error, "__notes__", []), note]
    return error


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _path(path: str, key: object) -> str:
    """``path`` extended by a field name or table key: ``steps[0].conditions``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    text = str(key)
    if len(text) > QUOTE_LIMIT:
        return f"{path}[{quoted(text)}]"
    if not _KEY.fullmatch(text):
        return f"{path}[{json.dumps(text, ensure_ascii=False)}]"
    return f"{path}.{text}" if path else text


def problems(error: BaseException, path: str = "") -> Iterator[tuple[str, str]]:
    """Every problem in ``error``, as ``(path, message)``, in document order."""
    if isinstance(error, ClassValidationError):
        noted, bare = error.group_exceptions()
        for inner, field in noted:
            yield from problems(inner, _path(path, field.name))
        for inner in bare:
            yield from problems(inner, path)
    elif isinstance(error, IterableValidationError):
        found, loose = error.group_exceptions()
        for inner, item in found:
            yield from problems(inner, _path(path, item.index))
        for inner in loose:
            yield from problems(inner, path)
    elif isinstance(error, ForbiddenExtraKeysError):
        known = ", ".join(field.name for field in attrs.fields(error.cl))
        for key in sorted(str(key) for key in error.extra_fields):
            yield _path(path, key), f"unknown key; the keys here are {known}"
    elif isinstance(error, KeyError):
        yield path, "is required"
    elif isinstance(error, Problem | CrmReturnsError):
        yield path, str(error)
    else:
        yield path, f"cannot be read: {error!r}"
