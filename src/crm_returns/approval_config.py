"""Approval policies from data: a mapping, a JSON text or a TOML text.

A policy document names its version, the refunds small enough to approve
automatically, and the approval steps in the order they are taken::

    version = "2026-03"
    auto_approve_below = { CNY = "200.00" }

    [[steps]]
    name = "manager"
    roles = ["approver", "store_manager"]   # any one of them may take the step
    time_limit = { hours = 24 }
    conditions = { refund_at_least = { CNY = "500.00" } }

    [[steps]]
    name = "quality"
    roles = "inspector"
    conditions = { reason_categories = ["quality"] }

Every field is checked here, at the edge, and the domain receives only values
it accepts: amounts are exact (strings or whole numbers, never floats), at the
currency's minor unit and not negative; currencies are ISO 4217 codes; names
and roles are non-blank; step names are unique; time limits are whole days,
hours and minutes adding up to more than zero.  A key the format does not know
is an error, so that a misspelt condition cannot silently widen or disable a
rule.  Every problem found is reported at once, as
:class:`~crm_returns.errors.InvalidPolicy`, each with the path of the field,
such as ``steps[1].conditions.refund_at_least.CNY``.

``docs/approval-configuration.md`` is the reference of the format.
"""

from __future__ import annotations

import functools
import json
import operator
import tomllib
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn

from crm_returns._policy_fields import (
    NAME_LIMIT,
    NO_NAMES,
    NO_RULES,
    NO_THRESHOLDS,
    ZERO,
    Count,
    Limit,
    Names,
    Problem,
    Roles,
    Rule,
    Rules,
    Text,
    Thresholds,
    noted_at,
    problems,
    quoted,
    read_count,
    read_names,
    read_roles,
    read_text,
    read_thresholds,
    shown,
)
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.errors import CrmReturnsError, InvalidPolicy

__all__ = ["NAME_LIMIT", "load_policy", "load_policy_json", "load_policy_toml"]

_T = TypeVar("_T")

# The document, table by table.  Field types are the NewTypes of _policy_fields,
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
class _Document:
    version: Text
    auto_approve_below: Thresholds = NO_THRESHOLDS
    distinct_approvers: bool = False
    steps: Rules = NO_RULES


def load_policy(document: Mapping[str, Any]) -> ApprovalPolicy:
    """The approval policy ``document`` describes.

    Args:
        document: The policy as plain data, as :func:`json.load` or
            :func:`tomllib.load` return it.

    Raises:
        InvalidPolicy: A field is missing, unknown or bad; every problem is listed.
    """
    try:
        parsed = _converter().structure(document, _Document)
        return ApprovalPolicy(
            rules=parsed.steps,
            version=parsed.version,
            auto_approve_below=parsed.auto_approve_below,
            distinct_approvers=parsed.distinct_approvers,
        )
    except (BaseValidationError, Problem, CrmReturnsError) as error:
        raise InvalidPolicy(problems(error)) from error


def load_policy_json(text: str) -> ApprovalPolicy:
    """The approval policy in JSON ``text``.

    A key given twice in one object is an error, not a silent overwrite.

    Raises:
        InvalidPolicy: The text is not JSON, or the policy has bad fields.
    """
    if not isinstance(text, str):
        raise InvalidPolicy([("", f"a JSON policy is text (str), not {type(text).__name__}")])
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys)
    except Problem as error:
        raise InvalidPolicy([("", str(error))]) from error
    except ValueError as error:  # JSONDecodeError, or a number too long to convert
        raise InvalidPolicy([("", f"not valid JSON: {error}")]) from error
    return load_policy(document)


def load_policy_toml(text: str) -> ApprovalPolicy:
    """The approval policy in TOML ``text``.

    Raises:
        InvalidPolicy: The text is not TOML, or the policy has bad fields.
    """
    if not isinstance(text, str):
        raise InvalidPolicy([("", f"a TOML policy is text (str), not {type(text).__name__}")])
    try:
        document = tomllib.loads(text)
    except ValueError as error:  # TOMLDecodeError, or a number too long to convert
        raise InvalidPolicy([("", f"not valid TOML: {error}")]) from error
    return load_policy(document)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Problem(f"key {quoted(key)} appears twice in one JSON object")
        result[key] = value
    return result


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


@functools.cache
def _converter() -> cattrs.Converter:
    """The converter for policy documents (built once, on first use)."""
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
    for table in (_Conditions, _TimeLimit, _Step, _Document):
        converter.register_structure_hook(table, _table(converter, table))
    return converter
