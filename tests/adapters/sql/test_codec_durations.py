"""Approval time limits stored as documents: exact seconds, read back as they were written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_returns.adapters.sql import DocumentError
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.policies.approval import ApprovalStep


@pytest.mark.parametrize(
    ("limit", "stored"),
    [
        (timedelta(hours=24), "86400"),
        (timedelta(days=2, hours=12), "216000"),
        (timedelta(minutes=90, microseconds=250_000), "5400.25"),
        (None, None),
    ],
)
def test_a_time_limit_is_stored_as_seconds_and_read_back_unchanged(
    codec: Codec, limit: timedelta | None, stored: str | None
) -> None:
    step = ApprovalStep("manager", {"approver"}, time_limit=limit)
    document = codec.encode(step)
    assert document["time_limit"] == stored
    assert codec.decode(document, ApprovalStep) == step


def test_a_step_stored_before_time_limits_existed_reads_back_without_one(codec: Codec) -> None:
    assert codec.decode({"name": "manager", "roles": ["approver"]}, ApprovalStep).time_limit is None


@pytest.mark.parametrize("stored", [86400, "a day", "NaN", "0.0000001", "1e30"])
def test_a_malformed_time_limit_is_a_document_error(codec: Codec, stored: object) -> None:
    with pytest.raises(DocumentError):
        codec.decode({"name": "manager", "roles": ["approver"], "time_limit": stored}, ApprovalStep)
