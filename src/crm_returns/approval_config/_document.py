"""The policy document's tables, and the cattrs converter that reads a document into them.

The attrs classes here fix which keys each table of the document has; their
field types are the NewTypes of :mod:`._fields`, whose readers check each raw
value.  The hooks below read the nested tables (a time limit, a step, the list
of steps) and turn them into the domain's values; :func:`document_converter`
wires them all together once.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn

from crm_returns.approval_config._fields import (
    NO_NAMES,
    NO_RULES,
    NO_THRESHOLDS,
    ZERO,
    Count,
    Limit,
    Names,
    Roles,
    Rule,
    Rules,
    Text,
    Thresholds,
    read_count,
    read_names,
    read_roles,
    read_text,
    read_thresholds,
)
from crm_returns.approval_config._problems import Problem, noted_at, shown
from crm_returns.domain.policies.approval import ApprovalRule, ApprovalStep

__all__ = ["Document", "document_converter"]

_T = TypeVar("_T")

# The document, table by table.  Field types are the NewTypes of _fields,
# whose hooks check each raw value; these classes only fix which keys exist.


@attrs.frozen(kw_only=True)
class _Conditions:
    refund_at_least: Thresholds = NO_THRESHOLDS
    reason_codes: Names = NO_NAMES
    reason_categories: Names = NO_NAMES
    product_categories: Names = NO_NAMES
    customers: Names = NO_NAMES


@attrs.frozen(kw_only=True)
class _TimeLimit:
    days: Count = ZERO
    hours: Count = ZERO
    minutes: Count = ZERO


@attrs.frozen(kw_only=True)
class _Step:
    name: Text
    roles: Roles
    conditions: _Conditions = _Conditions()
    time_limit: Limit | None = None


@attrs.frozen(kw_only=True)
class Document:
    """A whole policy document, read: the values :class:`ApprovalPolicy` is made of.

    Attributes:
        version: The policy's version.
        auto_approve_below: Refunds below these amounts need no approval.
        distinct_approvers: Whether one person may take at most one step of a return.
        steps: The approval rules, in the order of the document.
    """

    version: Text
    auto_approve_below: Thresholds = NO_THRESHOLDS
    distinct_approvers: bool = False
    steps: Rules = NO_RULES


# -- hooks that structure nested tables ----------------------------------------------


def _limit(converter: cattrs.Converter) -> Callable[[object, object], Limit]:
    def read(value: object, _: object) -> Limit:
        if isinstance(value, bool | int | float | str):
            raise Problem(
                f"must be a table of days, hours and minutes, such as {{ hours = 24 }}, "
                f"not {shown(value)}"
            )
        parts = converter.structure(value, _TimeLimit)
        limit = timedelta(days=parts.days, hours=parts.hours, minutes=parts.minutes)
        if limit <= timedelta(0):
            raise Problem("must be longer than zero; give days, hours or minutes")
        return Limit(limit)

    return read


def _rule(converter: cattrs.Converter) -> Callable[[object, object], Rule]:
    def read(value: object, _: object) -> Rule:
        step = converter.structure(value, _Step)
        when = step.conditions
        return Rule(
            ApprovalRule(
                ApprovalStep(step.name, step.roles, time_limit=step.time_limit),
                refund_at_least=when.refund_at_least,
                reason_codes=when.reason_codes,
                reason_categories=when.reason_categories,
                product_categories=when.product_categories,
                customers=when.customers,
            )
        )

    return read


def _rules(converter: cattrs.Converter) -> Callable[[object, object], Rules]:
    def read(value: object, _: object) -> Rules:
        if not isinstance(value, list | tuple):
            raise Problem(f"must be a list of steps ([[steps]] in TOML), not {shown(value)}")
        rules: list[ApprovalRule] = []
        errors: list[Exception] = []
        first: dict[str, int] = {}
        for index, item in enumerate(value):
            try:
                rule = converter.structure(item, Rule)
            except Exception as error:  # noqa: BLE001 - every problem is collected and reported
                errors.append(noted_at(error, index, _Step))
                continue
            name = rule.step.name
            if name in first:
                duplicate = Problem(f"{name!r} is already the name of steps[{first[name]}]")
                duplicate.__notes__ = [AttributeValidationNote("Structuring @ name", "name", str)]
                nested = ClassValidationError("While structuring _Step", [duplicate], _Step)
                errors.append(noted_at(nested, index, _Step))
            first.setdefault(name, index)
            rules.append(rule)
        if errors:
            raise IterableValidationError("While structuring steps", errors, list)
        return Rules(tuple(rules))

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


def document_converter() -> cattrs.Converter:
    """A new converter that reads a policy document into a :class:`Document`.

    Made afresh for each document (a policy is loaded once, at start-up), so
    that no converter is kept at module level.
    """
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    hooks: dict[object, Callable[[Any, Any], Any]] = {
        Text: read_text,
        Names: read_names,
        Roles: read_roles,
        Thresholds: read_thresholds,
        Count: read_count,
        Limit: _limit(converter),
        Rule: _rule(converter),
        Rules: _rules(converter),
    }
    for kind, hook in hooks.items():
        # NewTypes are not classes, so singledispatch cannot find them: use predicates.
        converter.register_structure_hook_func(functools.partial(operator.is_, kind), hook)
    # Generated functions look their fields' hooks up once, so the fields' come first.
    for table in (_Conditions, _TimeLimit, _Step, Document):
        converter.register_structure_hook(table, _table(converter, table))
    return converter
