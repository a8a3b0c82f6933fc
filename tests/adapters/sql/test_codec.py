"""Documents: malformed ones refused, events tagged, returns written remembered exactly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from tests.adapters.sql.support import Backend

from crm_returns import LineRef, ReturnOrder
from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.sql import DocumentError
from crm_returns.adapters.sql.codec import Codec
from crm_returns.errors import CrmReturnsError
from crm_returns.ports import OutboxMessage
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing.conformance import assert_identical


@pytest.mark.parametrize(
    "document",
    [
        {"order_number": "SO-1", "line_id": "1", "extra": "?"},
        {"order_number": "SO-1"},
        {"order_number": 1, "line_id": "1"},
        ["SO-1", "1"],
    ],
)
def test_a_malformed_document_is_a_document_error(codec: Codec, document: object) -> None:
    with pytest.raises(DocumentError):
        codec.decode(document, LineRef)


def test_an_event_is_stored_with_its_type_and_read_back_as_that_type(
    codec: Codec, memory_story: tuple[dict[str, object], MemoryDatabase]
) -> None:
    messages = memory_story[0]["published"]
    assert isinstance(messages, tuple)
    for message in messages:
        document = codec.encode(message)
        assert document["event"]["type"] == type(message.event).__name__
        assert_identical(codec.decode(document, OutboxMessage), message)
    with pytest.raises(DocumentError, match="tagged"):
        codec.decode({**codec.encode(messages[0]), "event": {"type": "Nope"}}, OutboxMessage)


def test_a_return_written_is_read_back_without_decoding_and_any_other_text_is_checked(
    codec: Codec, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    mice = drafts[0]
    written = codec.encode_text(mice, remember=True)
    assert codec.decode_text(written, ReturnOrder) is mice  # the value it was made from
    # The same document as other text (another writer's spacing): parsed and validated.
    spaced = json.dumps(json.loads(written), indent=1, ensure_ascii=False)
    read = codec.decode_text(spaced, ReturnOrder)
    assert read is not mice
    assert_identical(read, mice)
    tampered = json.loads(written)
    tampered["lines"][0]["unit_price"]["currency"] = "XXX"  # refused by Money
    with pytest.raises(CrmReturnsError):
        codec.decode_text(json.dumps(tampered, ensure_ascii=False), ReturnOrder)
    with pytest.raises(DocumentError, match="not JSON"):
        codec.decode_text(written[:-1], ReturnOrder)


def test_only_the_very_text_remembered_is_answered_with_its_value(
    codec: Codec, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """Texts are filed by their beginning (a return's id): the rest must match too."""
    first = drafts[0]
    second = attrs.evolve(first, note="second version", version=first.version + 1)
    first_text = codec.encode_text(first, remember=True)
    second_text = codec.encode_text(second, remember=True)
    assert first_text[:200] == second_text[:200]  # one return: the same beginning
    assert codec.decode_text(second_text, ReturnOrder) is second
    older = codec.decode_text(first_text, ReturnOrder)  # the latest version took its place
    assert older is not second
    assert_identical(older, first)
    # A text that begins alike but ends otherwise is decoded, never answered from memory.
    changed = second_text.replace('"version":2', '"version":7')
    assert changed != second_text
    read = codec.decode_text(changed, ReturnOrder)
    assert read is not second
    assert read.version == 7


def test_equal_times_with_other_offsets_keep_their_own_text(
    codec: Codec, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """Times are remembered by identity: an equal time with another offset has its own text."""
    utc = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    beijing = utc.astimezone(timezone(timedelta(hours=8)))
    assert utc == beijing
    in_utc = json.loads(codec.encode_text(attrs.evolve(drafts[0], created_at=utc, updated_at=utc)))
    in_beijing = json.loads(
        codec.encode_text(attrs.evolve(drafts[0], created_at=beijing, updated_at=beijing))
    )
    assert in_utc["created_at"] == "2026-11-27T09:00:00+00:00"
    assert in_beijing["created_at"] == "2026-11-27T17:00:00+08:00"


def test_a_return_with_times_in_a_named_zone_reads_back_as_decoding_gives_it(
    codec: Codec, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """Remembering never changes what is read: a zone comes back as its offset, every time."""
    shanghai = datetime(2026, 11, 27, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    zoned = attrs.evolve(drafts[0], created_at=shanghai, updated_at=shanghai)
    text = codec.encode_text(zoned, remember=True)
    read = codec.decode_text(text, ReturnOrder)
    assert read.created_at == shanghai
    assert read.created_at.tzinfo == timezone(timedelta(hours=8))
    assert_identical(read, codec.decode(json.loads(text), ReturnOrder))


def test_two_codecs_share_nothing(drafts: tuple[ReturnOrder, ReturnOrder]) -> None:
    """What one codec remembers, or built, is its own: another decodes the same text anew."""
    mine, other = Codec(), Codec()
    mice = drafts[0]
    text = mine.encode_text(mice, remember=True)
    assert mine.decode_text(text, ReturnOrder) is mice
    read = other.decode_text(text, ReturnOrder)
    assert read is not mice
    assert_identical(read, mice)
    assert other.encode_text(mice) == text
    assert mine.converter is not other.converter


def test_two_databases_in_one_process_do_not_share_the_returns_they_remember(
    backend: Backend, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """Two ``SqlDatabase`` objects, even over the same tables, answer only from their own memory."""
    writer, reader = backend.database(), backend.database()
    writer.upgrade()
    mice = drafts[0]
    try:
        with writer.unit_of_work() as uow:
            uow.returns.add(mice)
            uow.commit()
        with writer.unit_of_work() as uow:
            assert uow.returns.get(SAMPLE_TENANT, mice.id) is mice  # remembered by the writer
        with reader.unit_of_work() as uow:
            read = uow.returns.get(SAMPLE_TENANT, mice.id)
        assert read is not mice  # decoded from the text the reader found, and checked
        assert_identical(read, mice)
    finally:
        writer.dispose()
        reader.dispose()


def test_a_lines_unit_places_are_stored_and_read_back(
    codec: Codec, drafts: tuple[ReturnOrder, ReturnOrder]
) -> None:
    """A line of metres to the centimetre keeps its unit through a document."""
    mice = drafts[0]
    line = attrs.evolve(mice.lines[0], unit_places=2, requested=Decimal("1.25"))
    metres = attrs.evolve(mice, lines=(line, *mice.lines[1:]))
    document = codec.encode(metres)
    assert document["lines"][0]["unit_places"] == 2
    read = codec.decode(document, ReturnOrder)
    assert read.lines[0].unit_places == 2
    assert_identical(read, metres)
