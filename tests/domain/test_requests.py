"""A customer's request: its state table, its decline reasons, and its moves with the return."""

from __future__ import annotations

from typing import Any

import pytest

from crm_returns import DEFAULT_DECLINE_REASONS, DeclineReason, DeclineReasons
from crm_returns.domain.requests.records import RequestStatus
from crm_returns.domain.requests.states import REQUEST_TERMINAL, REQUEST_TRANSITIONS
from crm_returns.domain.returns.states import Action
from crm_returns.errors import InvalidInput, NotFound, ReasonNotSelectable

R = RequestStatus
AS_LIST: Any = ["en"]  # typed Any: passed where labels belong
NOT_REASONS: Any = ("a",)


def test_the_request_table_allows_exactly_the_moves_of_its_diagram() -> None:
    # Read off the diagram in crm_returns.domain.requests.states.
    assert REQUEST_TRANSITIONS == {
        (R.PENDING, Action.ACCEPT): R.ACCEPTED,
        (R.PENDING, Action.DECLINE): R.DECLINED,
        (R.PENDING, Action.WITHDRAW): R.WITHDRAWN,
        (R.ACCEPTED, Action.WITHDRAW): R.WITHDRAWN,
    }


def test_nothing_leaves_a_declined_or_withdrawn_request() -> None:
    assert {R.DECLINED, R.WITHDRAWN} == REQUEST_TERMINAL
    assert not [move for move in REQUEST_TRANSITIONS if move[0] in REQUEST_TERMINAL]


def test_every_request_status_is_reached_or_is_the_start() -> None:
    reached = set(REQUEST_TRANSITIONS.values()) | {R.PENDING}
    assert reached == set(RequestStatus)


def test_the_default_decline_reasons_are_the_common_ones_in_both_languages() -> None:
    assert [(r.code, r.label("zh-CN"), r.label("en")) for r in DEFAULT_DECLINE_REASONS.reasons] == [
        ("outside_window", "超出退货期限", "Outside the return window"),
        ("not_returnable", "商品不支持退货", "This item cannot be returned"),
        ("damaged_by_use", "人为损坏", "Damaged by use"),
        ("evidence_missing", "缺少凭证", "Proof or photos are missing"),
        ("duplicate", "重复申请", "Duplicate request"),
        ("other", "其他", "Other"),
    ]


def test_a_retired_decline_reason_is_readable_but_not_chosen() -> None:
    reasons = DeclineReasons(
        (
            DeclineReason("late", {"en": "Late", "zh-CN": "逾期"}),
            DeclineReason("old", {"en": "Old", "zh-CN": "旧"}, active=False),
        )
    )
    assert reasons.choose("late").code == "late"
    assert reasons.reason("old").label("en") == "Old"
    assert [r.code for r in reasons.selectable] == ["late"]
    with pytest.raises(ReasonNotSelectable):
        reasons.choose("old")
    with pytest.raises(NotFound):
        reasons.reason("nope")


@pytest.mark.parametrize(
    "build",
    [
        lambda: DeclineReason("Bad Code", {"en": "x", "zh-CN": "x"}),
        lambda: DeclineReason("ok", {"en": "x"}),
        lambda: DeclineReason("ok", AS_LIST),
        lambda: DeclineReasons((DeclineReason("a", {"en": "A", "zh-CN": "甲"}),) * 2),
        lambda: DeclineReasons(NOT_REASONS),
    ],
)
def test_malformed_decline_reasons_are_refused(build: object) -> None:
    with pytest.raises(InvalidInput):
        build()  # type: ignore[operator]
