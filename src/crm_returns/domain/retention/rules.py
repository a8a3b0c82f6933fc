"""Retention rules: how long each class of record is kept, from when, and what then.

A rule names a record class, a minimum period, an optional maximum, the event
the period runs from and what happens when it has run (review, archive, erase,
destroy), with the law it follows.  A record's **retain-until** is the day its
minimum ends; where several rules apply to a record (two rules of its class,
or the rules of the records it owns) the latest day wins, and its rule says
what happens.  A period that has not started — a return still in progress has
no completion date — keeps the record: nothing is retired on a guess.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime

import attrs

from crm_returns.domain._checks import identifier, text, value_of, values_of
from crm_returns.domain.retention.classes import checked_class
from crm_returns.domain.retention.periods import FiscalYearEnd, Period
from crm_returns.errors import InvalidInput

__all__ = [
    "BASIS_LIMIT",
    "PROFILE_LIMIT",
    "Expiry",
    "RecordDates",
    "RetainUntil",
    "RetentionPolicy",
    "RetentionRule",
    "Trigger",
]


#: The longest legal basis a rule may cite.
BASIS_LIMIT = 200

#: The longest name of a profile.
PROFILE_LIMIT = 64


class Trigger(enum.Enum):
    """The event a retention period runs from."""

    #: The end of the fiscal year the record was made in (accounting records).
    FISCAL_YEAR_END = "fiscal_year_end"
    #: The record's matter was completed (a return completed, rejected or cancelled).
    COMPLETION = "completion"
    #: The last change to the record.
    LAST_ACTIVITY = "last_activity"
    #: The end of the relationship with the customer (host records).
    RELATIONSHIP_ENDED = "relationship_ended"
    #: The record was made.
    CREATION = "creation"


class Expiry(enum.Enum):
    """What happens to a record once its retention has run."""

    #: A person looks at it and decides (an appraisal).
    REVIEW = "review"
    #: Kept, read-only, out of daily lists.
    ARCHIVE = "archive"
    #: Its personal data replaced; amounts, dates and numbers kept.
    ERASE = "erase"
    #: Deleted, after a verified backup, into the destruction register.
    DESTROY = "destroy"


@attrs.frozen
class RecordDates:
    """The dates a record's retention can run from; ``None`` where there is none yet.

    Attributes:
        created: When it was made.
        last_activity: When it last changed.
        completed: When its matter closed; ``None`` while it is open.
        relationship_ended: When the relationship with the customer ended.
    """

    created: date = attrs.field(validator=value_of(date))
    last_activity: date = attrs.field(validator=value_of(date))
    completed: date | None = attrs.field(default=None, validator=value_of(date, optional=True))
    relationship_ended: date | None = attrs.field(
        default=None, validator=value_of(date, optional=True)
    )

    @classmethod
    def of(
        cls,
        created: datetime,
        last_activity: datetime,
        completed: datetime | None = None,
        relationship_ended: datetime | None = None,
    ) -> RecordDates:
        """The dates of these moments (the day each falls on, in its own offset)."""
        return cls(
            created.date(),
            last_activity.date(),
            None if completed is None else completed.date(),
            None if relationship_ended is None else relationship_ended.date(),
        )


@attrs.frozen
class RetentionRule:
    """How long one class of record is kept.

    Attributes:
        record_class: The class it governs.
        minimum: Kept at least this long.
        runs_from: The event the periods run from.
        on_expiry: What happens once the minimum has run.
        maximum: Acted on by the end of this period (personal data kept no
            longer than needed); ``None`` for no limit.
        legal_basis: The law the rule follows, in its own words; empty when
            it is the business's own choice.
        legal_minimum: The shortest period the law allows; a configuration
            that sets :attr:`minimum` below it is refused.

    Raises:
        InvalidInput: The class name is malformed, the maximum is shorter than
            the minimum, or the minimum is below the legal minimum.
    """

    record_class: str = attrs.field(converter=checked_class)
    minimum: Period = attrs.field(validator=value_of(Period))
    runs_from: Trigger = attrs.field(validator=value_of(Trigger))
    on_expiry: Expiry = attrs.field(validator=value_of(Expiry))
    maximum: Period | None = attrs.field(default=None, validator=value_of(Period, optional=True))
    legal_basis: str = attrs.field(default="", validator=text(BASIS_LIMIT, optional=True))
    legal_minimum: Period | None = attrs.field(
        default=None, validator=value_of(Period, optional=True)
    )

    def __attrs_post_init__(self) -> None:
        if self.maximum is not None and self.maximum.shorter_than(self.minimum):
            raise InvalidInput(
                f"{self.record_class}: the maximum ({self.maximum}) is shorter than "
                f"the minimum ({self.minimum})"
            )
        if self.legal_minimum is not None and self.minimum.shorter_than(self.legal_minimum):
            raise InvalidInput(
                f"{self.record_class}: {self.minimum} is below the legal minimum of "
                f"{self.legal_minimum} ({self.legal_basis or 'no basis named'})"
            )

    def start(self, dates: RecordDates, fiscal_year_end: FiscalYearEnd) -> date | None:
        """The day this rule's periods run from, or ``None`` if it has not come."""
        match self.runs_from:
            case Trigger.FISCAL_YEAR_END:
                return fiscal_year_end.after(dates.created)
            case Trigger.COMPLETION:
                return dates.completed
            case Trigger.LAST_ACTIVITY:
                return dates.last_activity
            case Trigger.RELATIONSHIP_ENDED:
                return dates.relationship_ended
            case Trigger.CREATION:
                return dates.created


@attrs.frozen
class RetainUntil:
    """A record's computed retention, from the rule that keeps it longest.

    Attributes:
        until: The last day it must be kept; ``None`` while it must be kept
            (for ever, or until a period that has not started).
        rule: The rule that decided it; ``None`` if no rule governs the class.
        act_by: The day by which it is to be acted on (the rule's maximum).
    """

    until: date | None
    rule: RetentionRule | None
    act_by: date | None = None

    @property
    def forever(self) -> bool:
        """Whether it is kept with no end in sight (permanent, or not started)."""
        return self.until is None and self.rule is not None

    def expired(self, today: date) -> bool:
        """Whether the retention has run by ``today`` (a record with no rule never expires)."""
        return self.until is not None and self.until < today


def _rules(values: object) -> tuple[RetentionRule, ...]:
    return values_of(values, RetentionRule, "retention rules")


def _later(a: RetainUntil, b: RetainUntil) -> RetainUntil:
    """The retention that keeps longer; ``None`` (for ever) beats any day."""
    if a.rule is None:
        return b
    if b.rule is None or a.until is None:
        return a
    if b.until is None:
        return b
    return b if b.until > a.until else a


@attrs.frozen
class RetentionPolicy:
    """Every retention rule a tenant follows.

    Attributes:
        profile: The name of the profile it was made from (``"china"``, ``"neutral"``).
        rules: The rules, any number per class.
        fiscal_year_end: The last day of the fiscal year.
    """

    profile: str = attrs.field(validator=identifier(PROFILE_LIMIT))
    rules: tuple[RetentionRule, ...] = attrs.field(converter=_rules)
    fiscal_year_end: FiscalYearEnd = attrs.field(
        factory=FiscalYearEnd, validator=value_of(FiscalYearEnd)
    )

    def rules_for(self, record_class: str) -> tuple[RetentionRule, ...]:
        """The rules that govern ``record_class``."""
        return tuple(rule for rule in self.rules if rule.record_class == record_class)

    def classes(self) -> tuple[str, ...]:
        """Every class some rule governs, in the order the rules name them."""
        return tuple(dict.fromkeys(rule.record_class for rule in self.rules))

    def retain_until(self, record_class: str, dates: RecordDates) -> RetainUntil:
        """The retention of one record of ``record_class``: the latest its rules give."""
        found = RetainUntil(None, None)
        for rule in self.rules_for(record_class):
            start = rule.start(dates, self.fiscal_year_end)
            if start is None:
                candidate = RetainUntil(None, rule)
            else:
                maximum = None if rule.maximum is None else rule.maximum.after(start)
                candidate = RetainUntil(rule.minimum.after(start), rule, maximum)
            found = _later(found, candidate)
        return found

    def retain_all(self, records: Iterable[tuple[str, RecordDates]]) -> RetainUntil:
        """The latest retention of several records kept together (a return and what it owns)."""
        found = RetainUntil(None, None)
        for record_class, dates in records:
            found = _later(found, self.retain_until(record_class, dates))
        return found

    def replacing(self, overrides: Mapping[str, tuple[RetentionRule, ...]]) -> RetentionPolicy:
        """This policy with the rules of each class in ``overrides`` replaced."""
        kept = tuple(rule for rule in self.rules if rule.record_class not in overrides)
        added = tuple(rule for rules in overrides.values() for rule in rules)
        return attrs.evolve(self, rules=kept + added)
