"""Retention rules from data: a profile, the classes it replaces, every bad field named."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.retention import (
    CHINA,
    NEUTRAL,
    PROFILES,
    Expiry,
    FiscalYearEnd,
    Period,
    RetentionPolicy,
    RetentionRule,
    Trigger,
)
from crm_returns.errors import InvalidPolicy, InvalidRetentionRules
from crm_returns.retention_config import (
    load_retention,
    load_retention_json,
    load_retention_toml,
)
from crm_returns.retention_config._rules import Floor

DOCS = Path(__file__).resolve().parents[1] / "docs" / "retention-configuration.md"
E_COMMERCE = "电子商务法 第三十一条"
Document = dict[str, Any]


def docs_blocks() -> dict[str, str]:
    blocks = re.findall(r"```(toml|json)\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    return dict(reversed(blocks))  # the first block of each kind wins


def problems_of(document: object) -> tuple[tuple[str, str], ...]:
    with pytest.raises(InvalidRetentionRules) as caught:
        load_retention(document)  # type: ignore[arg-type]
    return caught.value.problems


# -- the worked example ----------------------------------------------------------------


def test_the_worked_example_loads_into_the_policy_it_describes() -> None:
    policy = load_retention_toml(docs_blocks()["toml"])
    assert policy.profile == "china"
    assert policy.fiscal_year_end == FiscalYearEnd(12, 31)
    assert policy.rules_for("return_orders") == (
        RetentionRule(
            "return_orders",
            Period(years=5),
            Trigger.COMPLETION,
            Expiry.DESTROY,
            maximum=Period(years=8),
            legal_basis=E_COMMERCE,
            legal_minimum=Period(years=3),
        ),
    )
    assert policy.rules_for("customers") == (
        RetentionRule(
            "customers",
            Period(years=3),
            Trigger.RELATIONSHIP_ENDED,
            Expiry.ERASE,
            maximum=Period(years=5),
            legal_basis="电子商务法 第三十一条; 个人信息保护法 第十九条",
        ),
        RetentionRule(
            "customers",
            Period(years=1, months=6),
            Trigger.LAST_ACTIVITY,
            Expiry.REVIEW,
            legal_basis=CHINA.rules_for("customers")[0].legal_basis,
        ),
    )
    assert policy.rules_for("loyalty_points") == (
        RetentionRule(
            "loyalty_points",
            Period(months=18),
            Trigger.CREATION,
            Expiry.DESTROY,
            legal_basis="our own choice",
        ),
    )
    for kept in set(CHINA.classes()) - {"return_orders", "customers"}:
        assert policy.rules_for(kept) == CHINA.rules_for(kept)


def test_the_json_of_the_docs_is_the_same_policy() -> None:
    blocks = docs_blocks()
    assert load_retention_json(blocks["json"]) == load_retention_toml(blocks["toml"])


def test_the_profile_alone_is_the_profile() -> None:
    assert load_retention({"profile": "china"}) == CHINA
    assert load_retention_toml('profile = "neutral"') == NEUTRAL


def test_a_fiscal_year_end_replaces_the_profiles() -> None:
    policy = load_retention({"profile": "china", "fiscal_year_end": {"month": 3, "day": 31}})
    assert policy.fiscal_year_end == FiscalYearEnd(3, 31)
    assert policy.rules == CHINA.rules


def test_a_null_maximum_in_json_is_no_maximum() -> None:
    text = json.dumps(
        {
            "profile": "neutral",
            "rules": {
                "customers": {
                    "minimum": {"years": 1},
                    "maximum": None,
                    "runs_from": "creation",
                    "on_expiry": "erase",
                }
            },
        }
    )
    assert load_retention_json(text).rules_for("customers")[0].maximum is None


# -- the legal minimum -----------------------------------------------------------------

LEGAL = [kept for kept in CHINA.rules if kept.legal_minimum is not None]


def override(kept: RetentionRule, minimum: object) -> Document:
    return {
        "profile": "china",
        "rules": {
            kept.record_class: {
                "minimum": minimum,
                "runs_from": kept.runs_from.value,
                "on_expiry": kept.on_expiry.value,
            }
        },
    }


def table(period: Period) -> object:
    if period.permanent:
        return "permanent"
    return {"years": period.years, "months": period.months, "days": period.days}


def one_day_less(period: Period) -> Period:
    """Whole years less a day: ends a day sooner from 31 January."""
    assert (period.months, period.days) == (0, 0)
    less = Period(years=period.years - 1, months=11, days=30)
    start = date(2001, 1, 31)
    assert less.after(start) == date.fromordinal(period.after(start).toordinal() - 1)  # type: ignore[union-attr]
    return less


@pytest.mark.parametrize("kept", LEGAL, ids=lambda kept: kept.record_class)
def test_a_day_below_the_legal_minimum_is_refused(kept: RetentionRule) -> None:
    legal = kept.legal_minimum
    assert legal is not None
    if legal.permanent:
        below, shown = Period(years=100_000), "permanent retention"
    else:
        below, shown = one_day_less(legal), str(legal)
    assert problems_of(override(kept, table(below))) == (
        (
            f"rules.{kept.record_class}.minimum",
            f"{below} is below the legal minimum of {shown} ({kept.legal_basis})",
        ),
    )


@pytest.mark.parametrize("kept", LEGAL, ids=lambda kept: kept.record_class)
def test_exactly_the_legal_minimum_is_accepted_and_carried(kept: RetentionRule) -> None:
    policy = load_retention(override(kept, table(kept.minimum)))
    assert policy.rules_for(kept.record_class) == (kept,)


@pytest.mark.parametrize("kept", LEGAL, ids=lambda kept: kept.record_class)
def test_longer_than_the_legal_minimum_is_accepted(kept: RetentionRule) -> None:
    legal = kept.legal_minimum
    assert legal is not None
    longer = legal if legal.permanent else Period(years=legal.years, days=1)
    (loaded,) = load_retention(override(kept, table(longer))).rules_for(kept.record_class)
    assert (loaded.minimum, loaded.legal_minimum) == (longer, legal)
    assert loaded.legal_basis == kept.legal_basis


def test_a_legal_basis_given_keeps_the_profiles_legal_minimum() -> None:
    document = override(CHINA.rules_for("return_orders")[0], {"years": 4})
    document["rules"]["return_orders"]["legal_basis"] = "our counsel's reading"
    (loaded,) = load_retention(document).rules_for("return_orders")
    assert (loaded.legal_basis, loaded.legal_minimum) == ("our counsel's reading", Period(years=3))
    document["rules"]["return_orders"]["minimum"] = {"years": 2}
    assert problems_of(document)[0][1].endswith(f"legal minimum of 3 years ({E_COMMERCE})")


def test_every_rule_of_a_list_is_held_to_the_legal_minimum() -> None:
    document = override(CHINA.rules_for("orders")[0], {"years": 4})
    first = document["rules"]["orders"]
    document["rules"]["orders"] = [first, {**first, "minimum": {"days": 30}}]
    assert problems_of(document) == (
        (
            "rules.orders[1].minimum",
            f"30 days is below the legal minimum of 3 years ({E_COMMERCE})",
        ),
    )


def test_the_neutral_profile_claims_no_law_and_may_be_shortened() -> None:
    document = override(NEUTRAL.rules_for("journal_entries")[0], {"years": 1})
    document["profile"] = "neutral"
    (loaded,) = load_retention(document).rules_for("journal_entries")
    assert (loaded.minimum, loaded.legal_minimum) == (Period(years=1), None)


def test_the_longest_legal_minimum_of_a_class_is_carried_with_its_basis() -> None:
    def legal(years: int, basis: str) -> RetentionRule:
        return RetentionRule(
            "ledgers",
            Period(years=years),
            Trigger.CREATION,
            Expiry.DESTROY,
            legal_basis=basis,
            legal_minimum=Period(years=years),
        )

    own = RetentionRule("ledgers", Period(years=1), Trigger.CREATION, Expiry.DESTROY)
    profile = RetentionPolicy("test", (own, legal(5, "A"), legal(10, "B"), legal(7, "C")))
    floor = Floor.of(profile, "ledgers")
    assert floor == Floor("B", Period(years=10), "B")
    assert floor.refusal(Period(years=9)) == "9 years is below the legal minimum of 10 years (B)"
    assert floor.refusal(Period(years=10)) is None
    assert Floor.of(RetentionPolicy("test", (own,)), "ledgers") == Floor()
    assert Floor.of(None, "ledgers") == Floor()


# -- refusals, each at its path --------------------------------------------------------

TRIGGERS = "'fiscal_year_end', 'completion', 'last_activity', 'relationship_ended', 'creation'"
EXPIRIES = "'review', 'archive', 'erase', 'destroy'"
RULE_KEYS = "minimum, maximum, runs_from, on_expiry, legal_basis"


class _Gone:
    """Marks a field to remove; shown the same in every process (xdist compares test ids)."""

    def __repr__(self) -> str:
        return "<removed>"


GONE = _Gone()


def valid() -> Document:
    """A valid document with every kind of field, to break one field at a time."""
    return {
        "profile": "china",
        "fiscal_year_end": {"month": 12, "day": 31},
        "rules": {
            "customers": {
                "minimum": {"years": 2},
                "maximum": {"years": 4},
                "runs_from": "relationship_ended",
                "on_expiry": "erase",
                "legal_basis": "ours",
            }
        },
    }


def changed(path: str, value: object) -> Document:
    """:func:`valid` with the value at a dotted ``path`` replaced (or removed, for GONE)."""
    document = copy.deepcopy(valid())
    *parents, last = path.split(".")
    target = document
    for key in parents:
        target = target[key]
    if value is GONE:
        del target[last]
    else:
        target[last] = value
    return document


RULE = "rules.customers"
REFUSALS: list[tuple[str, object, str, str]] = [
    # (field changed, its new value, the path reported, the message)
    ("profile", GONE, "profile", "is required"),
    (
        "profile",
        "china ",
        "profile",
        "must name a profile, one of 'china', 'neutral'; not 'china '",
    ),
    ("profile", 3, "profile", "must name a profile, one of 'china', 'neutral'; not the number 3"),
    (
        "retention",
        {},
        "retention",
        "unknown key; the keys here are profile, fiscal_year_end, rules",
    ),
    ("fiscal_year_end", {"month": 2, "day": 29}, "fiscal_year_end", "no fiscal year ends on"),
    ("fiscal_year_end", "12-31", "fiscal_year_end", "must be a table of a month and a day"),
    ("fiscal_year_end.month", 12.0, "fiscal_year_end.month", "12.0 is a float"),
    ("fiscal_year_end.day", GONE, "fiscal_year_end.day", "is required"),
    ("rules", [], "rules", "must be a table of record classes"),
    ("rules.Customers", {}, "rules.Customers", "a record class is lower-case letters"),
    (RULE, 5, RULE, "must be a rule's table ([rules.customers] in TOML) or a list of them"),
    (RULE, [], RULE, "must hold at least one rule; leave the class out to keep the profile's"),
    (RULE, [3], f"{RULE}[0]", f"must be a table with the keys {RULE_KEYS}, not the number 3"),
    (f"{RULE}.minimum", GONE, f"{RULE}.minimum", "is required: a period such as { years = 5 }"),
    (f"{RULE}.minimum", "forever", f"{RULE}.minimum", "or \"permanent\"; not 'forever'"),
    (f"{RULE}.minimum", 2, f"{RULE}.minimum", "must be a table of years, months and days"),
    (f"{RULE}.minimum", {"years": 1.5}, f"{RULE}.minimum.years", "1.5 is a float"),
    (f"{RULE}.minimum", {"days": True}, f"{RULE}.minimum.days", "must be a whole number, not true"),
    (f"{RULE}.minimum", {"months": -1}, f"{RULE}.minimum.months", "-1 is negative"),
    (f"{RULE}.minimum", {"years": 100_001}, f"{RULE}.minimum.years", "too large; the most is"),
    (f"{RULE}.minimum", {"weeks": 2}, f"{RULE}.minimum.weeks", "unknown key; the keys here are"),
    (f"{RULE}.maximum", {"years": 1}, f"{RULE}.maximum", "1 year is shorter than the minimum of 2"),
    (f"{RULE}.minimum", "permanent", f"{RULE}.maximum", "4 years is shorter than the minimum of p"),
    (f"{RULE}.maximum", "4y", f"{RULE}.maximum", "must be a table of years, months and days"),
    (f"{RULE}.runs_from", GONE, f"{RULE}.runs_from", f"is required: one of {TRIGGERS}"),
    (f"{RULE}.runs_from", "ended", f"{RULE}.runs_from", f"must be one of {TRIGGERS}; not 'ended'"),
    (f"{RULE}.on_expiry", GONE, f"{RULE}.on_expiry", f"is required: one of {EXPIRIES}"),
    (f"{RULE}.on_expiry", "delete", f"{RULE}.on_expiry", f"must be one of {EXPIRIES}; not 'del"),
    (f"{RULE}.on_expiry", None, f"{RULE}.on_expiry", f"must be one of {EXPIRIES}; not null"),
    (f"{RULE}.on_expiry", ["erase"], f"{RULE}.on_expiry", f"must be one of {EXPIRIES}; not a list"),
    (f"{RULE}.legal_basis", " ", f"{RULE}.legal_basis", "must not be blank"),
    (f"{RULE}.legal_basis", 31, f"{RULE}.legal_basis", "must be a string, not the number 31"),
    (f"{RULE}.legal_basis", "x" * 201, f"{RULE}.legal_basis", "201 characters long; the limit is"),
    (
        f"{RULE}.maximun",
        {"years": 9},
        f"{RULE}.maximun",
        f"unknown key; the keys here are {RULE_KEYS}",
    ),
]


@pytest.mark.parametrize(
    ("field", "value", "path", "message"), REFUSALS, ids=[f"{r[0]}={r[1]!r}"[:60] for r in REFUSALS]
)
def test_a_bad_field_is_refused_at_its_path(
    field: str, value: object, path: str, message: str
) -> None:
    assert load_retention(valid()).rules_for("customers")  # the document is valid unbroken
    ((found_path, found_message),) = problems_of(changed(field, value))
    assert found_path == path
    assert message in found_message


def test_a_bad_rule_in_a_list_is_named_by_its_index() -> None:
    rule = valid()["rules"]["customers"]
    document = changed(RULE, [rule, {**rule, "on_expiry": "shred"}])
    assert [path for path, _ in problems_of(document)] == [f"{RULE}[1].on_expiry"]


def test_every_problem_is_reported_at_once_in_document_order() -> None:
    document = {
        "profile": "china",
        "fiscal_year_end": {"month": 2, "day": 30},
        "rules": {
            "return_orders": {"minimum": {"years": 2}, "runs_from": "completion"},
            "customers": [
                {"minimum": {"years": 3}, "runs_from": "creation", "on_expiry": "erase"},
                {"minimum": {"months": 1.5}, "maximun": {}, "runs_from": "x", "on_expiry": "erase"},
            ],
        },
        "extra": 1,
    }
    assert [path for path, _ in problems_of(document)] == [
        "fiscal_year_end",
        "rules.return_orders.minimum",
        "rules.return_orders.on_expiry",
        "rules.customers[1].minimum.months",
        "rules.customers[1].runs_from",
        "rules.customers[1].maximun",
        "extra",
    ]


def test_the_error_of_the_docs_is_the_one_raised() -> None:
    shown = re.search(
        r"```text\n(crm_returns.errors.InvalidRetentionRules: invalid retention "
        r"rules, 5 problems:\n.*?)```",
        DOCS.read_text(encoding="utf-8"),
        re.DOTALL,
    )
    assert shown is not None
    document = {
        "profile": "china",
        "fiscal_year_end": {"month": 2, "day": 30},
        "rules": {
            "return_orders": {"minimum": {"years": 2}, "runs_from": "completion"},
            "customers": [
                {"minimum": {"years": 3}, "runs_from": "creation", "on_expiry": "erase"},
                {
                    "minimum": {"months": 1.5},
                    "maximun": {"years": 1},
                    "runs_from": "creation",
                    "on_expiry": "erase",
                },
            ],
        },
    }
    with pytest.raises(InvalidRetentionRules) as caught:
        load_retention(document)
    assert f"crm_returns.errors.InvalidRetentionRules: {caught.value}" == shown.group(1).strip()


def test_the_rules_of_a_misnamed_profile_are_still_checked() -> None:
    document = changed("profile", "chian")
    document["rules"]["customers"]["on_expiry"] = "shred"
    assert [path for path, _ in problems_of(document)] == ["profile", f"{RULE}.on_expiry"]


def test_a_document_that_is_not_a_table_is_refused() -> None:
    assert problems_of(["profile"]) == (
        ("", "must be a table with the keys profile, fiscal_year_end, rules, not a list"),
    )


def test_the_error_is_an_invalid_policy_listing_its_problems() -> None:
    with pytest.raises(InvalidPolicy, match=r"invalid retention rules: profile: is required"):
        load_retention({})


@pytest.mark.parametrize(
    ("load", "text", "message"),
    [
        (load_retention_toml, 'profile = "china', "not valid TOML"),
        (
            load_retention_toml,
            b'profile = "china"',
            "TOML retention rules are text (str), not bytes",
        ),
        (load_retention_json, '{"profile": "china"', "not valid JSON"),
        (load_retention_json, '{"profile": "china", "profile": "neutral"}', "appears twice"),
        (load_retention_json, b"{}", "JSON retention rules are text (str), not bytes"),
    ],
)
def test_text_that_is_not_toml_or_json_is_refused(
    load: Callable[[str], RetentionPolicy], text: object, message: str
) -> None:
    with pytest.raises(InvalidRetentionRules) as caught:
        load(text)  # type: ignore[arg-type]
    ((path, found),) = caught.value.problems
    assert path == ""
    assert message in found


# -- any valid document ----------------------------------------------------------------

COUNTS = st.integers(min_value=0, max_value=40)
PERIODS = st.fixed_dictionaries({}, optional={"years": COUNTS, "months": COUNTS, "days": COUNTS})
BASES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200).filter(
    str.strip
)
HOST_CLASSES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)


def period_of(written: object) -> Period:
    return Period.forever() if written == "permanent" else Period(**written)  # type: ignore[arg-type]


def plus(period: Period, extra: dict[str, int]) -> dict[str, int]:
    return {
        "years": period.years + extra.get("years", 0),
        "months": period.months + extra.get("months", 0),
        "days": period.days + extra.get("days", 0),
    }


def profile_rule(profile: RetentionPolicy, record_class: str) -> RetentionRule | None:
    own = profile.rules_for(record_class)
    assert len(own) <= 1  # the shipped profiles have one rule per class
    return own[0] if own else None


@st.composite
def rule_tables(draw: st.DrawFn, legal: Period | None) -> Document:
    if legal is not None and legal.permanent:
        minimum: object = "permanent"
    elif draw(st.booleans()) and legal is None:
        minimum = "permanent"
    else:
        minimum = plus(legal or Period(), draw(PERIODS))
    written: Document = {
        "minimum": minimum,
        "runs_from": draw(st.sampled_from(Trigger)).value,
        "on_expiry": draw(st.sampled_from(Expiry)).value,
    }
    if draw(st.booleans()):
        written["maximum"] = (
            "permanent" if minimum == "permanent" else plus(period_of(minimum), draw(PERIODS))
        )
    if draw(st.booleans()):
        written["legal_basis"] = draw(BASES)
    return written


@st.composite
def documents(draw: st.DrawFn) -> Document:
    profile = PROFILES[draw(st.sampled_from(sorted(PROFILES)))]
    classes = draw(
        st.lists(st.sampled_from(CHINA.classes()) | HOST_CLASSES, unique=True, max_size=4)
    )
    rules: Document = {}
    for record_class in classes:
        kept = profile_rule(profile, record_class)
        legal = None if kept is None else kept.legal_minimum
        tables = draw(st.lists(rule_tables(legal), min_size=1, max_size=3))
        as_table: bool = draw(st.booleans())  # one rule as a table, not a list of one
        rules[record_class] = tables[0] if len(tables) == 1 and as_table else tables
    document: Document = {"profile": profile.profile}
    if draw(st.booleans()):
        document["fiscal_year_end"] = {
            "month": draw(st.integers(1, 12)),
            "day": draw(st.integers(1, 28)),
        }
    empty_rules: bool = draw(st.booleans())  # an empty [rules] table changes nothing
    if rules or empty_rules:
        document["rules"] = rules
    return document


def expected_rules(document: Document, record_class: str) -> tuple[RetentionRule, ...]:
    kept = profile_rule(PROFILES[document["profile"]], record_class)
    written = document["rules"][record_class]
    return tuple(
        RetentionRule(
            record_class,
            period_of(table["minimum"]),
            Trigger(table["runs_from"]),
            Expiry(table["on_expiry"]),
            maximum=period_of(table["maximum"]) if "maximum" in table else None,
            legal_basis=table.get("legal_basis", "" if kept is None else kept.legal_basis),
            legal_minimum=None if kept is None else kept.legal_minimum,
        )
        for table in (written if isinstance(written, list) else [written])
    )


@given(documents())
def test_a_valid_document_loads_to_the_rules_it_writes(document: Document) -> None:
    policy = load_retention(document)
    profile = PROFILES[document["profile"]]
    written = document.get("rules", {})
    for record_class in written:
        assert policy.rules_for(record_class) == expected_rules(document, record_class)
    for record_class in profile.classes():
        if record_class not in written:
            assert policy.rules_for(record_class) == profile.rules_for(record_class)
    year_end = document.get("fiscal_year_end")
    assert policy.fiscal_year_end == (
        profile.fiscal_year_end if year_end is None else FiscalYearEnd(**year_end)
    )


def toml_value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    # A JSON string without surrogates or raw control characters is a TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def toml_of(document: Document) -> str:
    lines = [
        f"{key} = {toml_value(document[key])}"
        for key in ("profile", "fiscal_year_end")
        if key in document
    ]
    if "rules" in document and not document["rules"]:
        lines.append("[rules]")
    for record_class, written in document.get("rules", {}).items():
        header = (
            f"[[rules.{record_class}]]" if isinstance(written, list) else f"[rules.{record_class}]"
        )
        for table in written if isinstance(written, list) else [written]:
            lines.append(header)
            lines.extend(f"{key} = {toml_value(item)}" for key, item in table.items())
    return "\n".join(lines) + "\n"


@given(documents())
def test_a_document_loads_the_same_from_toml_and_json(document: Document) -> None:
    text = toml_of(document)
    assert tomllib.loads(text) == document  # the test's own writer is faithful
    assert load_retention_toml(text) == load_retention(document)
    assert load_retention_json(json.dumps(document)) == load_retention(document)
