"""The demo prints every value in words of its language, and none raw."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from rich.console import Console

from crm_returns import Action, LineRef, RequestedLine, ReturnRequest
from crm_returns.cli.phrasebook import LOCALES, Phrasebook
from crm_returns.cli.tables import audit_table
from crm_returns.cli.wiring import wire_demo
from crm_returns.cli.words import LANGUAGES, SCENARIO, WORDS, Language
from crm_returns.domain.policies.access import Permission
from crm_returns.errors import NotAuthorised
from crm_returns.labels import label

SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def test_every_word_and_scenario_line_is_there_in_each_language(language: Language) -> None:
    assert set(WORDS[language]) == set(WORDS["zh"])
    assert set(SCENARIO[language]) == set(SCENARIO["zh"])


def test_each_language_of_the_command_line_has_a_locale_the_labels_speak() -> None:
    assert set(LOCALES) == set(LANGUAGES)
    assert all(label(Action.SUBMIT, locale) for locale in LOCALES.values())


def test_no_field_name_or_enum_value_is_printed_raw(demo_text: str) -> None:
    assert SNAKE_CASE.findall(demo_text) == []
    assert "=" not in demo_text


def test_a_denied_attempt_in_the_audit_trail_reads_in_words(language: Language) -> None:
    wiring = wire_demo()
    service, clerk = wiring.service, wiring.staff.clerk
    request = ReturnRequest([RequestedLine(LineRef("SO-1001", "1"), Decimal(1), "wrong_order")])
    order = service.create_return(clerk, request)
    with pytest.raises(NotAuthorised):
        service.grant_refund(clerk, order.id)
    words = Phrasebook(language)
    console = Console(record=True, width=200, file=io.StringIO())  # wide: no label wraps
    console.print(audit_table(words, service.audit_trail(clerk, order.id)))
    printed = console.export_text()
    assert words.label(Action.DENIED) in printed
    assert words.label(Permission.GRANT_REFUND) in printed
    assert SNAKE_CASE.findall(printed) == []
