"""Every value the demo prints has a label in each language, and none is printed raw."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from rich.console import Console

from crm_returns import Action, LineRef, RequestedLine, ReturnRequest, ReturnStatus
from crm_returns.cli.labels import (
    ACTIONS,
    DISPOSITIONS,
    ENTRY_KINDS,
    LOCATIONS,
    MOVE_REASONS,
    PAYMENT_STATUSES,
    PERMISSIONS,
    REFUND_METHODS,
    REJECT_OUTCOMES,
    STATUSES,
    WORDS,
    Language,
    Phrasebook,
)
from crm_returns.cli.tables import audit_table
from crm_returns.domain.books.journal import EntryKind
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.domain.stock.moves import MoveReason
from crm_returns.errors import NotAuthorised
from crm_returns.testing import sample_wiring

SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def test_every_status_action_and_word_has_a_label(language: Language) -> None:
    assert set(STATUSES[language]) == {status.value for status in ReturnStatus}
    assert set(ACTIONS[language]) == {action.value for action in Action}
    assert set(WORDS[language]) == set(WORDS["zh"])


def test_every_location_decision_method_payment_status_and_entry_kind_has_a_label(
    language: Language,
) -> None:
    assert set(LOCATIONS[language]) == {location.value for location in Location}
    assert set(DISPOSITIONS[language]) == {disposition.value for disposition in Disposition}
    assert set(REJECT_OUTCOMES[language]) == {outcome.value for outcome in RejectOutcome}
    assert set(REFUND_METHODS[language]) == {method.value for method in RefundMethod}
    assert set(PAYMENT_STATUSES[language]) == {status.value for status in PaymentStatus}
    assert set(ENTRY_KINDS[language]) == {kind.value for kind in EntryKind}
    assert set(PERMISSIONS[language]) == {permission.value for permission in Permission}


def test_every_reason_stock_can_move_for_has_a_label(language: Language) -> None:
    known = {*MOVE_REASONS[language], *DISPOSITIONS[language], *REJECT_OUTCOMES[language]}
    assert {reason.value for reason in MoveReason} <= known


def test_no_field_name_or_enum_value_is_printed_raw(demo_text: str) -> None:
    assert SNAKE_CASE.findall(demo_text) == []
    assert "=" not in demo_text


def test_a_denied_attempt_in_the_audit_trail_reads_in_words(language: Language) -> None:
    wiring = sample_wiring()
    service, clerk = wiring.service, wiring.clerk
    request = ReturnRequest([RequestedLine(LineRef("SO-1001", "1"), Decimal(1), "wrong_order")])
    order = service.create_return(clerk, request)
    with pytest.raises(NotAuthorised):
        service.grant_refund(clerk, order.id)
    words = Phrasebook(language)
    console = Console(record=True, width=200, file=io.StringIO())  # wide: no label wraps
    console.print(audit_table(words, service.audit_trail(clerk, order.id)))
    printed = console.export_text()
    assert words.action(Action.DENIED) in printed
    assert PERMISSIONS[language]["grant_refund"] in printed
    assert SNAKE_CASE.findall(printed) == []
