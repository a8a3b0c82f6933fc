"""The system's ids are canonical random UUIDs, as ``uuid.uuid4`` makes them."""

from __future__ import annotations

import uuid

from crm_returns.adapters.system import UuidIds


def test_an_id_is_a_version_4_uuid_in_its_canonical_text() -> None:
    ids = UuidIds()
    for _ in range(2000):
        text = ids.new_id()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)


def test_ids_do_not_repeat_and_every_random_hex_digit_varies() -> None:
    drawn = [UuidIds().new_id() for _ in range(2000)]
    assert len(set(drawn)) == len(drawn)
    # The 122 random bits reach every position but the version digit: each other
    # hex digit takes many values over 2,000 ids (a slip in slicing would fix some).
    digits = [text.replace("-", "") for text in drawn]
    for position in range(32):
        values = {text[position] for text in digits}
        if position == 12:
            assert values == {"4"}
        elif position == 16:
            assert values == set("89ab")
        else:
            assert len(values) >= 12, position
