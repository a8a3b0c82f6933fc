"""Attachment rules: what may be kept, decided from the detected type, the size and the count."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.evidence import (
    DEFAULT_CONTENT_TYPES,
    DEFAULT_MAX_PER_RETURN,
    DEFAULT_MAX_SIZE,
    AttachmentRules,
)
from crm_returns.domain.evidence.rules import MAX_SIZE_LIMIT, MIB
from crm_returns.errors import (
    AttachmentRefused,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    InvalidInput,
    TooManyAttachments,
)

MEDIA = st.sampled_from(
    sorted(DEFAULT_CONTENT_TYPES | {"image/gif", "application/zip", "video/mp4", "image/avif"})
)


def test_the_defaults_are_photos_and_pdf_up_to_10_mib_20_per_return() -> None:
    rules = AttachmentRules()
    assert rules.content_types == {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "application/pdf",
    }
    assert rules.max_size == DEFAULT_MAX_SIZE == 10 * MIB
    assert rules.max_per_return == DEFAULT_MAX_PER_RETURN == 20


@given(
    allowed=st.frozensets(MEDIA, min_size=1),
    detected=st.none() | MEDIA,
    max_size=st.integers(1, 64),
    size=st.integers(0, 80),
    max_per_return=st.integers(1, 5),
    before=st.integers(0, 7),
)
def test_a_file_is_kept_exactly_when_every_rule_allows_it(
    allowed: frozenset[str],
    detected: str | None,
    max_size: int,
    size: int,
    max_per_return: int,
    before: int,
) -> None:
    rules = AttachmentRules(content_types=allowed, max_size=max_size, max_per_return=max_per_return)
    fits = size <= max_size and detected in allowed and before < max_per_return
    if fits:
        rules.check(detected, size, before)
        return
    with pytest.raises(AttachmentRefused) as raised:
        rules.check(detected, size, before)
    error = raised.value
    assert error.detected == detected
    # The first rule broken is the one named: size, then type, then count.
    if size > max_size:
        assert isinstance(error, AttachmentTooLarge)
        assert (error.size, error.limit) == (size, max_size)
        assert f"at most {max_size} bytes" in str(error)
    elif detected not in allowed:
        assert isinstance(error, AttachmentTypeNotAllowed)
        assert error.allowed == tuple(sorted(allowed))
        assert (detected or "no known file type") in str(error)
    else:
        assert isinstance(error, TooManyAttachments)
        assert error.limit == max_per_return


def test_refusals_are_invalid_input() -> None:
    assert issubclass(AttachmentRefused, InvalidInput)


def test_a_file_of_no_detected_type_is_refused_whatever_is_allowed() -> None:
    with pytest.raises(AttachmentTypeNotAllowed, match="no known file type"):
        AttachmentRules().check(None, 10, 0)


def test_the_limits_are_inclusive() -> None:
    rules = AttachmentRules(max_size=100, max_per_return=2)
    rules.check("image/png", 100, 1)
    with pytest.raises(AttachmentTooLarge):
        rules.check("image/png", 101, 0)
    with pytest.raises(TooManyAttachments):
        rules.check("image/png", 1, 2)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("content_types", []),
        ("content_types", "image/jpeg"),
        ("content_types", ["IMAGE/JPEG"]),
        ("content_types", ["image/jpeg; charset=x"]),
        ("content_types", ["jpeg"]),
        ("content_types", [b"image/jpeg"]),
        ("content_types", {"image/jpeg": True}),
        ("max_size", 0),
        ("max_size", MAX_SIZE_LIMIT + 1),
        ("max_size", 1.5),
        ("max_size", True),
        ("max_per_return", 0),
        ("max_per_return", "20"),
    ],
    ids=repr,
)
def test_bad_rules_are_refused(field: str, value: object) -> None:
    with pytest.raises(InvalidInput, match=field):
        AttachmentRules(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("detected", "size", "before"),
    [(1, 10, 0), ("image/png", -1, 0), ("image/png", 1.0, 0), ("image/png", 1, True)],
    ids=repr,
)
def test_bad_facts_are_refused(detected: object, size: object, before: object) -> None:
    with pytest.raises(InvalidInput):
        AttachmentRules().check(detected, size, before)  # type: ignore[arg-type]


def test_rules_are_values() -> None:
    assert AttachmentRules(content_types=["image/png"]) == AttachmentRules(
        content_types=frozenset({"image/png"})
    )
    assert AttachmentRules().allows("image/jpeg")
    assert not AttachmentRules().allows("image/gif")
    assert not AttachmentRules().allows(None)
