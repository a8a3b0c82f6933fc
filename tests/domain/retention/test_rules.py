"""A record is kept until the latest day its rules give; a rule is never shorter than the law."""

from __future__ import annotations

from datetime import date

import pytest

from crm_returns.domain.retention import (
    CHINA,
    Expiry,
    FiscalYearEnd,
    Period,
    RecordDates,
    RetentionPolicy,
    RetentionRule,
    Trigger,
)
from crm_returns.errors import InvalidInput

CREATED = date(2025, 3, 15)
COMPLETED = date(2025, 4, 10)


def rule(
    minimum: Period,
    runs_from: Trigger = Trigger.COMPLETION,
    on_expiry: Expiry = Expiry.DESTROY,
    record_class: str = "return_orders",
    **changes: object,
) -> RetentionRule:
    return RetentionRule(record_class, minimum, runs_from, on_expiry, **changes)  # type: ignore[arg-type]


def dates(completed: date | None = COMPLETED) -> RecordDates:
    return RecordDates(created=CREATED, last_activity=COMPLETED, completed=completed)


# -- a rule refuses what the law or sense forbids -------------------------------------


def test_a_maximum_shorter_than_the_minimum_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"maximum \(2 years\) is shorter than the minimum"):
        rule(Period(years=3), maximum=Period(years=2))


def test_a_maximum_equal_to_the_minimum_is_accepted() -> None:
    assert rule(Period(years=3), maximum=Period(months=36)).maximum == Period(months=36)


def test_a_minimum_below_the_legal_minimum_is_refused_naming_the_law() -> None:
    with pytest.raises(InvalidInput, match=r"2 years is below the legal minimum of 3 years \(L\)"):
        rule(Period(years=2), legal_basis="L", legal_minimum=Period(years=3))


def test_the_legal_minimum_itself_and_longer_are_accepted() -> None:
    assert rule(Period(years=3), legal_minimum=Period(years=3)).minimum == Period(years=3)
    assert rule(Period.forever(), legal_minimum=Period(years=3)).minimum.permanent


def test_a_malformed_class_name_is_refused() -> None:
    with pytest.raises(InvalidInput, match="a record class is lower-case"):
        rule(Period(years=1), record_class="Return Orders")


# -- when a rule's periods start -------------------------------------------------------


@pytest.mark.parametrize(
    ("runs_from", "start"),
    [
        (Trigger.FISCAL_YEAR_END, date(2025, 12, 31)),
        (Trigger.COMPLETION, COMPLETED),
        (Trigger.LAST_ACTIVITY, COMPLETED),
        (Trigger.CREATION, CREATED),
        (Trigger.RELATIONSHIP_ENDED, None),
    ],
)
def test_each_trigger_starts_on_its_own_date(runs_from: Trigger, start: date | None) -> None:
    assert rule(Period(years=1), runs_from).start(dates(), FiscalYearEnd()) == start


# -- the latest retain-until wins ------------------------------------------------------


def policy(*rules: RetentionRule) -> RetentionPolicy:
    return RetentionPolicy("test", rules)


def test_the_rule_that_keeps_longest_decides() -> None:
    short, long = rule(Period(years=3)), rule(Period(years=5), on_expiry=Expiry.REVIEW)
    for order in ((short, long), (long, short)):
        found = policy(*order).retain_until("return_orders", dates())
        assert found.until == date(2030, 4, 10)
        assert found.rule is long


def test_a_permanent_rule_wins_over_any_day() -> None:
    forever = rule(Period.forever(), on_expiry=Expiry.REVIEW)
    for order in ((forever, rule(Period(years=30))), (rule(Period(years=30)), forever)):
        found = policy(*order).retain_until("return_orders", dates())
        assert found.until is None
        assert found.rule is forever
        assert found.forever
        assert not found.expired(date.max)


def test_a_period_not_started_keeps_the_record() -> None:
    waiting = rule(Period(days=1))  # runs from completion: still in progress
    other = rule(Period(days=1), Trigger.CREATION)
    found = policy(other, waiting).retain_until("return_orders", dates(completed=None))
    assert found.until is None
    assert found.rule is waiting
    assert found.forever


def test_the_maximum_gives_the_day_to_act_by() -> None:
    kept = rule(Period(years=3), maximum=Period(years=5))
    found = policy(kept).retain_until("return_orders", dates())
    assert (found.until, found.act_by) == (date(2028, 4, 10), date(2030, 4, 10))


def test_a_class_no_rule_governs_is_never_expired() -> None:
    found = policy(rule(Period(days=1))).retain_until("customers", dates())
    assert (found.until, found.rule, found.forever) == (None, None, False)
    assert not found.expired(date.max)


def test_retention_expires_the_day_after_until() -> None:
    found = policy(rule(Period(years=3))).retain_until("return_orders", dates())
    assert not found.expired(date(2028, 4, 10))
    assert found.expired(date(2028, 4, 11))


def test_records_kept_together_are_kept_as_long_as_the_longest() -> None:
    kept = policy(
        rule(Period(years=3)),
        rule(Period(years=30), Trigger.FISCAL_YEAR_END, record_class="stock_moves"),
    )
    found = kept.retain_all([("return_orders", dates()), ("stock_moves", dates())])
    assert found.until == date(2055, 12, 31)
    assert found.rule is not None
    assert found.rule.record_class == "stock_moves"


def test_the_fiscal_year_end_of_the_policy_is_used() -> None:
    kept = RetentionPolicy(
        "test", (rule(Period(years=1), Trigger.FISCAL_YEAR_END),), FiscalYearEnd(6, 30)
    )
    assert kept.retain_until("return_orders", dates()).until == date(2026, 6, 30)


# -- replacing rules -------------------------------------------------------------------


def test_replacing_a_class_drops_all_its_rules_and_keeps_the_others() -> None:
    new = rule(Period(years=5))
    replaced = CHINA.replacing({"return_orders": (new,)})
    assert replaced.rules_for("return_orders") == (new,)
    for other in CHINA.classes():
        if other != "return_orders":
            assert replaced.rules_for(other) == CHINA.rules_for(other)
    assert replaced.profile == CHINA.profile
    assert replaced.fiscal_year_end == CHINA.fiscal_year_end


def test_every_china_rule_with_a_legal_minimum_names_its_law_and_keeps_exactly_it() -> None:
    for kept in CHINA.rules:
        if kept.legal_minimum is not None:
            assert kept.legal_basis
            assert kept.minimum == kept.legal_minimum
