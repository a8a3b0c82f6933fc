"""``attrs.evolve`` for the domain's larger records, without its per-call overhead.

A return line has 27 fields and changes a few of them at every step of its
life.  ``attrs.evolve`` looks every field's definition up and passes every
value by keyword on each call; :func:`evolved` reads the values in one pass
over names listed once per class (one :func:`operator.attrgetter` call) and
passes them by position, which calls the same ``__init__`` with the same values
in about half the time.  A class's layout is worked out on its first copy and
kept by :func:`functools.cache`.

A speed shortcut, kept because it is measured: without it a lifecycle on the
memory store takes 8.9 % more instructions (``docs/performance.md``, "Speed
shortcuts in the domain").
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, cast

import attrs

__all__ = ["evolved"]

_T = TypeVar("_T")


@attrs.frozen
class _Layout:
    """How to copy instances of one class: how to read its fields, and where each one goes."""

    values: Callable[[Any], tuple[Any, ...]]
    positions: dict[str, int]


@functools.cache
def _layout(cls: type) -> _Layout | None:
    """How to copy ``cls`` by position; ``None`` for a class left to ``attrs.evolve``."""
    fields = attrs.fields(cls)
    # Positional copying needs every field to be a positional __init__ argument
    # under its own name, as it is unless a field is private, keyword-only or not in __init__.
    if not all(field.init and not field.kw_only and field.alias == field.name for field in fields):
        return None
    names = tuple(field.name for field in fields)
    if len(names) < 2:
        return None  # attrgetter of one name gives the value, not a tuple; nothing to gain.
    return _Layout(attrgetter(*names), {name: position for position, name in enumerate(names)})


def evolved(instance: _T, **changes: Any) -> _T:
    """Return ``attrs.evolve(instance, **changes)``: a copy with ``changes``, through ``__init__``.

    Meant for attrs classes with their generated ``__init__``.  A class with a
    keyword-only, private or non-``__init__`` field or with a single field, and
    a change that names no field, go to ``attrs.evolve`` itself.
    """
    cls = type(instance)
    layout = _layout(cast(type, cls))  # mypy does not take type[_T] for Hashable
    if layout is None or not changes.keys() <= layout.positions.keys():
        # attrs' mypy plugin types evolve() only for a concrete attrs class.
        return cast(_T, attrs.evolve(cast(Any, instance), **changes))
    values = list(layout.values(instance))
    for name, value in changes.items():
        values[layout.positions[name]] = value
    return cls(*values)
