"""The case file in retention: its classes, their rules, counts, and erasure of each kind.

Erasure is checked over generated records of every kind
(``crm_returns.testing.casefile_strategies``): the customer becomes the
surrogate, what was written about them goes whole, the facts stay, and erasing
again changes nothing more.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.casefile.kinds import RECORD_KINDS
from crm_returns.domain.evidence.records import Attachment
from crm_returns.domain.interactions.records import CustomerContact, Feedback
from crm_returns.domain.requests.records import ReturnRequest
from crm_returns.domain.retention import (
    CASE_FILE_CLASSES,
    CASE_FILE_COUNTS,
    CHINA,
    ERASED_TEXT,
    NEUTRAL,
    OWNED_BY_RETURN,
    RETURN_ORDERS,
    RecordDates,
)
from crm_returns.domain.retention.case_erasure import erased_case_record
from crm_returns.domain.retention.case_file import case_file_parts
from crm_returns.domain.shipments.records import TrackingUpdate
from crm_returns.testing import casefile_strategies as st_case

CUSTOMER, SURROGATE = "C-1001", "erased-0123456789abcdef0123"

#: Fields erasure keeps exactly, whatever the kind (times, ids, facts).
FACTS = (
    "tenant_id",
    "id",
    "return_id",
    "at",
    "status",
    "score",
    "sha256",
    "size",
    "content_type",
    "subject",
    "carrier",
    "tracking_number",
    "cost",
    "event_id",
    "occurred_at",
    "channel",
    "direction",
    "stage",
    "due_at",
)

#: The fields each kind loses whole, and what they become.
REMOVED: dict[type[CaseRecord], dict[str, str]] = {
    ReturnRequest: {"note": "", "message": ""},
    TrackingUpdate: {"location": "", "description": ""},
    Attachment: {"filename": ERASED_TEXT, "note": ""},
    CustomerContact: {"summary": ERASED_TEXT},
    Feedback: {"comment": ""},
}


def test_every_kind_of_case_record_is_kept_by_a_class_owned_by_the_return() -> None:
    assert set(CASE_FILE_COUNTS) == set(RECORD_KINDS)
    assert set(CASE_FILE_CLASSES) <= OWNED_BY_RETURN
    for record_class, _ in CASE_FILE_COUNTS.values():
        assert record_class in (*CASE_FILE_CLASSES, RETURN_ORDERS)


def test_both_profiles_keep_the_case_file_like_the_returns_audit_entries() -> None:
    done = datetime(2026, 11, 30, tzinfo=UTC)
    dates = RecordDates.of(done - timedelta(days=10), done, done)
    for policy in (CHINA, NEUTRAL):
        audit = policy.retain_until("audit_entries", dates)
        for record_class in CASE_FILE_CLASSES:
            assert policy.retain_until(record_class, dates).until == audit.until, record_class
    for record_class in CASE_FILE_CLASSES:
        rule = next(r for r in CHINA.rules if r.record_class == record_class)
        assert rule.legal_basis, record_class  # each names its law, or PIPL's limit
    assert {r.record_class for r in CHINA.rules if r.legal_minimum is not None} >= {
        "return_requests",
        "shipments",
        "attachments",
        "contacts",
    }


@given(
    found=st.lists(
        st.tuples(st.sampled_from(sorted(RECORD_KINDS)), st.integers(0, 5), st_case.moments()),
        max_size=10,
    )
)
def test_a_case_file_adds_its_counts_and_owned_classes(
    found: list[tuple[str, int, datetime]],
) -> None:
    done = datetime(2026, 11, 30, tzinfo=UTC)
    dates = RecordDates.of(done, done, done)
    parts = case_file_parts(found, dates)
    assert sum(n for _, n in parts.counts) == sum(n for _, n, _ in found)
    present = {CASE_FILE_COUNTS[kind][0] for kind, n, _ in found if n}
    assert {name for name, _ in parts.owned} == present - {RETURN_ORDERS}
    for _, owned in parts.owned:
        assert owned.completed == dates.completed
        assert owned.last_activity >= dates.last_activity


@given(record=st_case.case_records(customer_id=CUSTOMER), name=st.sampled_from(["张伟", "Wei Z."]))
def test_erasing_a_case_record_keeps_its_facts_and_removes_what_was_written(
    record: CaseRecord, name: str
) -> None:
    erased = erased_case_record(record, SURROGATE, [name])

    assert erased.customer_id == SURROGATE
    assert erased.version == record.version + 1
    for field in FACTS:
        if hasattr(record, field):
            assert getattr(erased, field) == getattr(record, field), field
    for field, value in REMOVED.get(type(record), {}).items():
        assert getattr(erased, field) == value, field
    assert erased_case_record(erased, SURROGATE, [name]) == erased  # once is enough


@given(record=st_case.case_records(customer_id=CUSTOMER))
def test_an_actor_id_that_names_the_customer_becomes_the_surrogate(record: CaseRecord) -> None:
    actors = [f for f in ("requested_by", "uploaded_by", "by") if hasattr(record, f)]
    if not actors:
        return
    changes: dict[str, Any] = dict.fromkeys(actors, f"portal-{CUSTOMER}")
    named = attrs.evolve(record, **changes)
    erased = erased_case_record(named, SURROGATE)
    for field in actors:
        assert getattr(erased, field) == SURROGATE
