"""What a CloudEvent of each event says: the envelope, the data, and its bytes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.cloudevents.checks import check_message, parsed
from tests.cloudevents.lifecycles import MONITOR, MOUSE, every_event

from crm_returns import LineRef, RequestedLine, ReturnRequest
from crm_returns.cloudevents import (
    CONTENT_TYPE,
    EVENT_TYPES,
    SPEC_VERSION,
    event_type,
    to_cloudevent,
    to_json,
)
from crm_returns.cloudevents._layout import write
from crm_returns.domain.events import LinesInspected, ReturnApproved, ReturnDrafted
from crm_returns.ports import OutboxMessage
from crm_returns.testing import sample_wiring


@pytest.fixture(scope="module")
def messages() -> list[OutboxMessage]:
    """Three returns' worth of messages: every event type at least once."""
    return every_event()


def _first(messages: list[OutboxMessage], kind: type) -> OutboxMessage:
    return next(m for m in messages if type(m.event) is kind)


def test_the_lifecycles_make_every_type_and_each_validates(messages: list[OutboxMessage]) -> None:
    made = Counter(event_type(message.event) for message in messages)
    assert set(made) == set(EVENT_TYPES)
    for message in messages:
        check_message(message)


def test_the_envelope_names_the_message_and_the_event(messages: list[OutboxMessage]) -> None:
    message = _first(messages, ReturnApproved)
    cloudevent = to_cloudevent(message)
    assert {key: value for key, value in cloudevent.items() if key != "data"} == {
        "specversion": SPEC_VERSION,
        "id": message.id,
        "source": "/crm-returns/acme",
        "type": "com.crm-returns.return.approved.v1",
        "subject": message.event.number,
        "time": "2026-11-27T11:00:00+00:00",
        "datacontenttype": "application/json",
    }
    assert datetime.fromisoformat(cloudevent["time"]) == message.event.at
    assert to_cloudevent(message, source="https://crm.example/acme")["source"] == (
        "https://crm.example/acme"
    )
    assert CONTENT_TYPE == "application/cloudevents+json; charset=utf-8"


def test_ids_are_the_message_ids_and_differ(messages: list[OutboxMessage]) -> None:
    ids = [to_cloudevent(message)["id"] for message in messages]
    assert ids == [message.id for message in messages]
    assert len(set(ids)) == len(ids)


def test_the_data_holds_the_event_and_the_return(messages: list[OutboxMessage]) -> None:
    message = _first(messages, ReturnApproved)
    event, data = message.event, to_cloudevent(message)["data"]
    assert data["actor"] == {"id": event.actor_id, "name": event.actor_name}
    assert "actor_id" not in data
    assert (data["from_status"], data["to_status"], data["step"]) == (
        "submitted",
        "approved",
        "quality",
    )
    summary = data["return"]
    assert (summary["number"], summary["status"], summary["customer_name"]) == (
        event.number,
        "approved",
        "张伟",
    )
    assert [line["line"] for line in summary["lines"]] == [
        {"order_number": "SO-1001", "line_id": "3"},
        {"order_number": "SO-1001", "line_id": "1"},
    ]
    assert summary["lines"][0]["unit_price"] == {"amount": "1899.00", "currency": "CNY"}
    assert summary["submitted_at"] == "2026-11-27T10:00:00+00:00"


def test_a_new_return_has_no_status_before(messages: list[OutboxMessage]) -> None:
    data = to_cloudevent(_first(messages, ReturnDrafted))["data"]
    assert data["from_status"] is None
    assert data["lines"] == [{"order_number": "SO-1001", "line_id": "3"}]


def test_an_inspection_says_where_every_accepted_unit_went(messages: list[OutboxMessage]) -> None:
    data = to_cloudevent(_first(messages, LinesInspected))["data"]
    by_line = {
        (entry["line"]["order_number"], entry["line"]["line_id"]): entry
        for entry in data["inspections"]
    }
    monitor = by_line[(MONITOR.order_number, MONITOR.line_id)]
    mouse = by_line[(MOUSE.order_number, MOUSE.line_id)]
    # A split, and a single disposition given as the default: both one list.
    assert monitor["dispositions"] == [
        {"disposition": "repair", "units": "1"},
        {"disposition": "restock", "units": "1"},
    ]
    assert mouse["dispositions"] == [{"disposition": "restock", "units": "2"}]
    assert "disposition" not in monitor
    assert (monitor["accepted"], monitor["note"], monitor["needs_review"]) == (
        "2",
        "one to fix",
        False,
    )


def test_to_json_is_the_same_sorted_bytes_every_time(messages: list[OutboxMessage]) -> None:
    for message in messages:
        first, again = to_json(message), to_json(message)
        assert first == again
        assert isinstance(first, bytes)
        loaded = json.loads(first)
        assert loaded == to_cloudevent(message)
        assert first == json.dumps(
            loaded, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ).encode("utf-8")
    # Non-ASCII text is written as UTF-8, not escaped.
    assert "张伟".encode() in to_json(messages[0])


def test_no_number_is_ever_written(messages: list[OutboxMessage]) -> None:
    def numbers(value: Any) -> int:
        if isinstance(value, dict):
            return sum(numbers(item) for item in value.values())
        if isinstance(value, list):
            return sum(numbers(item) for item in value)
        return int(isinstance(value, (int, float)) and not isinstance(value, bool))

    for message in messages:
        assert numbers(parsed(message)) == 0  # parsed() refuses numbers in the bytes too


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (Decimal("1E+2"), "100"),
        (Decimal("2.500000"), "2.500000"),
        (Decimal("0.00"), "0.00"),
        (Decimal("12.3"), "12.3"),
    ],
)
def test_a_decimal_is_written_without_an_exponent(number: Decimal, text: str) -> None:
    assert write(number) == text


def test_the_documented_example_is_what_the_code_makes() -> None:
    text = (Path(__file__).parents[2] / "docs" / "events.md").read_text("utf-8")
    example = text.split("## An example", 1)[1]
    documented = json.loads(example.split("```json\n", 1)[1].split("```", 1)[0])
    w = sample_wiring()
    request = ReturnRequest(lines=[RequestedLine(LineRef("SO-1001", "1"), 1, "wrong_order")])
    order = w.service.create_return(w.clerk, request)
    w.service.submit_return(w.clerk, order.id)
    *_, (_, message) = sorted(w.database.committed.outbox.values())
    assert to_cloudevent(message) == documented
