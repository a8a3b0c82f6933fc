"""Service levels from data: a mapping, a JSON text or a TOML text.

A service level document gives the time allowed for each stage of a return;
a stage left out keeps its default
(:class:`~crm_returns.domain.ownership.ServiceLevel`)::

    approve = { days = 1 }
    ship_back = { days = 10 }
    receive = { hours = 36 }
    inspect = { days = 1, hours = 12 }
    refund = { days = 3 }

Each time is a table of whole ``days``, ``hours`` and ``minutes`` adding up
to more than zero and at most a year.  As for approval policies
(:mod:`crm_returns.approval_config`, whose readers and report this module
shares), every field is checked here, a key the format does not know is an
error, and every problem is reported at once as
:class:`~crm_returns.errors.InvalidServiceLevel`, each with its path, such as
``ship_back.days``.  ``docs/owners-and-deadlines.md`` is the reference.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, NewType

import attrs
import cattrs
from cattrs.errors import BaseValidationError
from cattrs.gen import make_dict_structure_fn

from crm_returns.approval_config._fields import ZERO, Count, read_count
from crm_returns.approval_config._problems import Problem, problems, shown
from crm_returns.approval_config._text import json_document, toml_document
from crm_returns.domain.ownership.levels import LONGEST_ALLOWANCE, ServiceLevel
from crm_returns.errors import CrmReturnsError, InvalidServiceLevel

__all__ = ["load_service_level", "load_service_level_json", "load_service_level_toml"]

_Allowance = NewType("_Allowance", timedelta)


@attrs.frozen(kw_only=True)
class _Time:
    days: Count = ZERO
    hours: Count = ZERO
    minutes: Count = ZERO


@attrs.frozen(kw_only=True)
class _Document:
    approve: _Allowance | None = None
    ship_back: _Allowance | None = None
    receive: _Allowance | None = None
    inspect: _Allowance | None = None
    refund: _Allowance | None = None


def _table(converter: cattrs.Converter, kind: type[Any]) -> Callable[[object, object], Any]:
    """The generated structure function of ``kind``, refusing anything but a table first."""
    generated = make_dict_structure_fn(kind, converter)
    fields = ", ".join(field.name for field in attrs.fields(kind))

    def read(value: object, _: object) -> Any:
        if not isinstance(value, Mapping):
            raise Problem(f"must be a table with the keys {fields}, not {shown(value)}")
        return generated(value, kind)

    return read


def _allowance(converter: cattrs.Converter) -> Callable[[object, object], _Allowance]:
    def read(value: object, _: object) -> _Allowance:
        if not isinstance(value, Mapping):
            raise Problem(
                f"must be a table of days, hours and minutes, such as {{ days = 2 }}, "
                f"not {shown(value)}"
            )
        parts = converter.structure(value, _Time)
        allowed = timedelta(days=parts.days, hours=parts.hours, minutes=parts.minutes)
        if allowed <= timedelta(0):
            raise Problem("must be longer than zero; give days, hours or minutes")
        if allowed > LONGEST_ALLOWANCE:
            raise Problem(f"is longer than the most allowed, {LONGEST_ALLOWANCE.days} days")
        return _Allowance(allowed)

    return read


def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    hooks: dict[object, Callable[[Any, Any], Any]] = {
        Count: read_count,
        _Allowance: _allowance(converter),
    }
    for kind, hook in hooks.items():
        # NewTypes are not classes, so singledispatch cannot find them: use predicates.
        converter.register_structure_hook_func(functools.partial(operator.is_, kind), hook)
    for table in (_Time, _Document):
        converter.register_structure_hook(table, _table(converter, table))
    return converter


def load_service_level(document: Mapping[str, Any]) -> ServiceLevel:
    """The service level ``document`` describes; stages it leaves out keep their defaults.

    Args:
        document: The service level as plain data, as :func:`json.load` or
            :func:`tomllib.load` return it.

    Raises:
        InvalidServiceLevel: A field is unknown or bad; every problem is listed
            with its path.
    """
    try:
        parsed = _converter().structure(document, _Document)
    except (BaseValidationError, Problem, CrmReturnsError) as error:
        raise InvalidServiceLevel(problems(error)) from error
    given = {name: value for name, value in attrs.asdict(parsed).items() if value is not None}
    return ServiceLevel(**given)


def load_service_level_json(text: str) -> ServiceLevel:
    """The service level in JSON ``text`` (see :func:`load_service_level`).

    A key given twice in one object is an error, not a silent overwrite.

    Raises:
        InvalidServiceLevel: The text is not JSON, or the document has bad fields.
    """
    return load_service_level(json_document(text, "a JSON service level is", InvalidServiceLevel))


def load_service_level_toml(text: str) -> ServiceLevel:
    """The service level in TOML ``text`` (see :func:`load_service_level`).

    Raises:
        InvalidServiceLevel: The text is not TOML, or the document has bad fields.
    """
    return load_service_level(toml_document(text, "a TOML service level is", InvalidServiceLevel))
