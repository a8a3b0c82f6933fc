"""The ``rules`` table: the rules that replace a profile's rules of a class, held to its law.

A rule's table is read field by field rather than by a generated cattrs
function, because its checks depend on the profile the document names: a
rule replacing a class the profile keeps by law carries the profile's legal
minimum and is refused below it (:class:`Floor`), and a missing
``runs_from`` or ``on_expiry`` is reported with the values it may take.
Each problem is noted at its field, so that the report of
:mod:`._problems` gives paths such as ``rules.return_orders.minimum``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TypeVar

import attrs
from cattrs.errors import BaseValidationError, ClassValidationError, IterableValidationError

from crm_returns.domain.retention import Expiry, Period, RetentionPolicy, RetentionRule, Trigger
from crm_returns.errors import InvalidInput
from crm_returns.retention_config._fields import (
    Overrides,
    choices,
    read_basis,
    read_choice,
    read_class,
)
from crm_returns.retention_config._problems import Problem, noted_at, noted_field, shown

__all__ = ["RULE_KEYS", "Floor", "read_overrides"]

#: The keys of a rule's table, in the order the reference lists them.
RULE_KEYS = ("minimum", "maximum", "runs_from", "on_expiry", "legal_basis")

_T = TypeVar("_T")

#: Reads a period (a table of years, months and days, or "permanent").
ReadSpan = Callable[[object], Period]


@attrs.frozen
class Floor:
    """What a profile says of one class, for the rules that replace its own.

    Attributes:
        legal_basis: The basis a new rule takes when it names none: that of
            the rule holding the legal minimum, else of the class's first rule.
        legal_minimum: The longest legal minimum of the class's rules, if any.
        minimum_basis: The legal basis of that legal minimum.
    """

    legal_basis: str = ""
    legal_minimum: Period | None = None
    minimum_basis: str = ""

    @classmethod
    def of(cls, profile: RetentionPolicy | None, record_class: str) -> Floor:
        """What ``profile`` says of ``record_class`` (nothing when there is no profile)."""
        rules = () if profile is None else profile.rules_for(record_class)
        floor: RetentionRule | None = None
        for rule in rules:
            if rule.legal_minimum is None:
                continue
            if floor is None or (
                floor.legal_minimum is not None
                and floor.legal_minimum.shorter_than(rule.legal_minimum)
            ):
                floor = rule
        if floor is None:
            return cls(legal_basis=rules[0].legal_basis if rules else "")
        return cls(floor.legal_basis, floor.legal_minimum, floor.legal_basis)

    def refusal(self, minimum: Period) -> str | None:
        """Why ``minimum`` is below the legal minimum, or ``None`` if it is not."""
        if self.legal_minimum is None or not minimum.shorter_than(self.legal_minimum):
            return None
        legal = "permanent retention" if self.legal_minimum.permanent else str(self.legal_minimum)
        basis = self.minimum_basis or "no basis named"
        return f"{minimum} is below the legal minimum of {legal} ({basis})"


def _required(key: str) -> str:
    if key == "minimum":
        return 'is required: a period such as { years = 5 }, or "permanent"'
    kind = Trigger if key == "runs_from" else Expiry
    return f"is required: one of {choices(kind)}"


def read_rule(value: object, record_class: str, floor: Floor, span: ReadSpan) -> RetentionRule:
    """One rule of ``record_class`` from its table.

    Raises:
        Problem: The value is not a table.
        ClassValidationError: Fields are missing, unknown or bad, each noted at its field.
        InvalidInput: The rule itself refused them (the checks here leave no such case).
    """
    if not isinstance(value, Mapping):
        raise Problem(f"must be a table with the keys {', '.join(RULE_KEYS)}, not {shown(value)}")
    errors: list[Exception] = []

    def field(key: str, read: Callable[[object], _T], required: bool) -> _T | None:
        if key not in value:
            if required:
                errors.append(noted_field(Problem(_required(key)), key))
            return None
        try:
            return read(value[key])
        except (BaseValidationError, Problem) as error:
            errors.append(noted_field(error, key))
            return None

    minimum = field("minimum", span, required=True)
    if minimum is not None and (refusal := floor.refusal(minimum)) is not None:
        errors.append(noted_field(Problem(refusal), "minimum"))
    # JSON may say there is no maximum with null, as leaving it out does.
    maximum = None if value.get("maximum") is None else field("maximum", span, required=False)
    runs_from = field("runs_from", lambda raw: read_choice(Trigger, raw), required=True)
    on_expiry = field("on_expiry", lambda raw: read_choice(Expiry, raw), required=True)
    basis = field("legal_basis", read_basis, required=False)
    if minimum is not None and maximum is not None and maximum.shorter_than(minimum):
        shorter = Problem(f"{maximum} is shorter than the minimum of {minimum}")
        errors.append(noted_field(shorter, "maximum"))
    errors.extend(
        noted_field(Problem(f"unknown key; the keys here are {', '.join(RULE_KEYS)}"), str(key))
        for key in value
        if key not in RULE_KEYS
    )
    # A field left unread has always recorded its problem.
    if errors or minimum is None or runs_from is None or on_expiry is None:
        raise ClassValidationError(f"While structuring a rule of {record_class}", errors, dict)
    return RetentionRule(
        record_class,
        minimum,
        runs_from,
        on_expiry,
        maximum=maximum,
        legal_basis=floor.legal_basis if basis is None else basis,
        legal_minimum=floor.legal_minimum,
    )


def _class_rules(
    value: object, record_class: str, floor: Floor, span: ReadSpan
) -> tuple[RetentionRule, ...]:
    """The rules of one class: one table, or a list of them."""
    if isinstance(value, Mapping):
        return (read_rule(value, record_class, floor, span),)
    if not isinstance(value, list | tuple):
        raise Problem(
            f"must be a rule's table ([rules.{record_class}] in TOML) or a list of them "
            f"([[rules.{record_class}]]), not {shown(value)}"
        )
    if not value:
        raise Problem("must hold at least one rule; leave the class out to keep the profile's")
    rules: list[RetentionRule] = []
    errors: list[Exception] = []
    for index, item in enumerate(value):
        try:
            rules.append(read_rule(item, record_class, floor, span))
        except (BaseValidationError, Problem, InvalidInput) as error:
            errors.append(noted_at(error, index, RetentionRule))
    if errors:
        raise IterableValidationError(
            f"While structuring the rules of {record_class}", errors, list
        )
    return tuple(rules)


def read_overrides(value: object, profile: RetentionPolicy | None, span: ReadSpan) -> Overrides:
    """The ``rules`` table: for each class named, the rules that replace the profile's.

    Args:
        value: The raw table.
        profile: The profile the document names; ``None`` if it names none it
            could find (the rules are then checked without a legal minimum).
        span: Reads a period.

    Raises:
        Problem: The value is not a table.
        IterableValidationError: Classes are misnamed or have bad rules, each noted at its key.
    """
    if not isinstance(value, Mapping):
        raise Problem(
            f"must be a table of record classes ([rules.return_orders] in TOML), not {shown(value)}"
        )
    found: dict[str, tuple[RetentionRule, ...]] = {}
    errors: list[Exception] = []
    for key, rules in value.items():
        try:
            record_class = read_class(key)
            found[record_class] = _class_rules(
                rules, record_class, Floor.of(profile, record_class), span
            )
        except (BaseValidationError, Problem, InvalidInput) as error:
            errors.append(noted_at(error, str(key), RetentionRule))
    if errors:
        raise IterableValidationError("While structuring rules", errors, dict)
    return Overrides(MappingProxyType(found))
