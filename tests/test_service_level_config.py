"""Service levels from a mapping, JSON or TOML: every problem reported with its path."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_returns import (
    ServiceLevel,
    load_service_level,
    load_service_level_json,
    load_service_level_toml,
)
from crm_returns.errors import InvalidServiceLevel


def test_a_toml_level_replaces_the_stages_it_names_and_keeps_the_others() -> None:
    level = load_service_level_toml(
        "ship_back = { days = 10 }\n"
        "receive = { hours = 36 }\n"
        "inspect = { days = 1, minutes = 30 }\n"
    )
    assert level == ServiceLevel(
        ship_back=timedelta(days=10),
        receive=timedelta(hours=36),
        inspect=timedelta(days=1, minutes=30),
    )


def test_json_and_a_mapping_read_the_same_level() -> None:
    text = '{"approve": {"hours": 8}, "refund": {"days": 5}}'
    assert load_service_level_json(text) == load_service_level(
        {"approve": {"hours": 8}, "refund": {"days": 5}}
    )
    assert load_service_level({}) == ServiceLevel()


def test_every_problem_is_reported_with_its_path() -> None:
    with pytest.raises(InvalidServiceLevel) as caught:
        load_service_level(
            {
                "approve": 3,
                "ship_back": {"days": -1},
                "receive": {"days": 1.5},
                "inspect": {"days": 400},
                "refund": {"days": 0},
                "pay": {"days": 1},
            }
        )
    assert [path for path, _ in caught.value.problems] == [
        "approve",
        "ship_back.days",
        "receive.days",
        "inspect",
        "refund",
        "pay",
    ]
    assert "invalid service level, 6 problems" in str(caught.value)
    assert "the most allowed, 366 days" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "load", "message"),
    [
        ('{"approve": {"days": 1}, "approve": {"days": 2}}', load_service_level_json, "twice"),
        ("{", load_service_level_json, "not valid JSON"),
        ("approve = ", load_service_level_toml, "not valid TOML"),
        (b"approve = {}", load_service_level_toml, r"text \(str\), not bytes"),
        ("[1]", load_service_level_json, "must be a table"),
        ("approve = { weeks = 1 }", load_service_level_toml, "approve.weeks: unknown key"),
    ],
)
def test_a_document_that_is_not_a_level_is_refused_at_the_edge(
    text: object, load: object, message: str
) -> None:
    with pytest.raises(InvalidServiceLevel, match=message):
        load(text)  # type: ignore[operator]
