"""Reading returns: by id, by number, in lists; the audit trail; and tenant walls.

The sample lines are listed in tests/service/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from crm_returns import (
    Action,
    Actor,
    Inspection,
    LineRef,
    Receipt,
    RequestedLine,
    ReturnOrder,
    ReturnQuery,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
)
from crm_returns.errors import NotFound
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00, customer C-1001
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90, customer C-1001
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00, customer C-1001
CHAIR = LineRef("SO-1002", "1")  # 1 x 2399.00, customer C-1002
LAMP = LineRef("SO-1002", "2")  # 3 x 199.00, customer C-1002

S = ReturnStatus
NINE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
Drafted = Callable[..., ReturnOrder]
Snapshot = Callable[[], object]


@attrs.frozen
class FourReturns:
    """Returns drafted an hour apart from 09:00, one per status, two customers each."""

    approved: ReturnOrder  # 09:00, C-1001; submitted last, at 13:00
    submitted: ReturnOrder  # 10:00, C-1002; 2399.00 waits for the manager
    draft: ReturnOrder  # 11:00, C-1001
    cancelled: ReturnOrder  # 12:00, C-1002


@pytest.fixture
def four(wiring: Wiring, clerk: Actor, drafted: Drafted) -> FourReturns:
    service, clock = wiring.service, wiring.clock
    approved = drafted((MOUSE, 1, "wrong_order"))
    clock.advance(timedelta(hours=1))
    submitted = drafted((CHAIR, 1, "wrong_order"))
    service.submit_return(clerk, submitted.id)
    clock.advance(timedelta(hours=1))
    draft = drafted((CABLE, 1, "wrong_order"))
    clock.advance(timedelta(hours=1))
    cancelled = drafted((LAMP, 1, "wrong_order"))
    service.cancel_return(clerk, cancelled.id, "客户撤回")
    clock.advance(timedelta(hours=1))
    # Changed last, created first: lists go by creation, not by the latest change.
    service.submit_return(clerk, approved.id)
    return FourReturns(approved, submitted, draft, cancelled)


def listed(service: ReturnsService, actor: Actor, query: ReturnQuery) -> list[str]:
    return [order.id for order in service.list_returns(actor, query).items]


# -- one return ----------------------------------------------------------------------


def test_get_return_gives_back_what_was_stored(
    service: ReturnsService, clerk: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 2, "quality_defect"), (CABLE, 1, "wrong_order"), note="两件一起退")
    assert service.get_return(clerk, order.id) == order
    submitted = service.submit_return(clerk, order.id)
    assert service.get_return(clerk, order.id) == submitted


def test_find_return_by_its_readable_number(
    service: ReturnsService, clerk: Actor, drafted: Drafted
) -> None:
    first = drafted((MOUSE, 1, "wrong_order"))
    second = drafted((CABLE, 1, "wrong_order"))
    assert service.find_return(clerk, "RT-20261127-000001") == first
    assert service.find_return(clerk, "RT-20261127-000002") == second


@pytest.mark.parametrize("number", ["RT-20261127-000009", "rt-20261127-000001", ""])
def test_an_unknown_number_is_not_found(
    service: ReturnsService, clerk: Actor, drafted: Drafted, number: str
) -> None:
    drafted((MOUSE, 1, "wrong_order"))
    with pytest.raises(NotFound):
        service.find_return(clerk, number)


def test_an_unknown_id_is_not_found(service: ReturnsService, clerk: Actor) -> None:
    with pytest.raises(NotFound) as missing:
        service.get_return(clerk, "no-such-id")
    assert (missing.value.kind, missing.value.key) == ("return", "no-such-id")


# -- lists ---------------------------------------------------------------------------


def test_list_returns_lists_newest_created_first(
    service: ReturnsService, clerk: Actor, four: FourReturns
) -> None:
    assert listed(service, clerk, ReturnQuery()) == [
        four.cancelled.id,
        four.draft.id,
        four.submitted.id,
        four.approved.id,
    ]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({S.DRAFT}, ["draft"]),
        ({S.SUBMITTED, S.APPROVED}, ["submitted", "approved"]),
        ({S.CANCELLED, S.REJECTED}, ["cancelled"]),
        ({S.COMPLETED}, []),
    ],
)
def test_list_returns_by_status(
    service: ReturnsService,
    clerk: Actor,
    four: FourReturns,
    statuses: set[ReturnStatus],
    expected: list[str],
) -> None:
    ids = [getattr(four, name).id for name in expected]
    assert listed(service, clerk, ReturnQuery(statuses=statuses)) == ids


def test_list_returns_by_customer(service: ReturnsService, clerk: Actor, four: FourReturns) -> None:
    query = ReturnQuery(customer_id="C-1002")
    assert listed(service, clerk, query) == [four.cancelled.id, four.submitted.id]


def test_list_returns_by_creation_time_includes_both_ends(
    service: ReturnsService, clerk: Actor, four: FourReturns
) -> None:
    ten, eleven = NINE + timedelta(hours=1), NINE + timedelta(hours=2)
    both = ReturnQuery(created_from=ten, created_to=eleven)
    assert listed(service, clerk, both) == [four.draft.id, four.submitted.id]
    assert listed(service, clerk, ReturnQuery(created_from=eleven)) == [
        four.cancelled.id,
        four.draft.id,
    ]
    assert listed(service, clerk, ReturnQuery(created_to=NINE)) == [four.approved.id]


def test_list_returns_pages(service: ReturnsService, clerk: Actor, four: FourReturns) -> None:
    first = service.list_returns(clerk, ReturnQuery(limit=3))
    rest = service.list_returns(clerk, ReturnQuery(offset=3, limit=3))
    # 4 returns in pages of 3: 3 + 1.
    assert ([o.id for o in first.items], first.total, first.has_more) == (
        [four.cancelled.id, four.draft.id, four.submitted.id],
        4,
        True,
    )
    assert ([o.id for o in rest.items], rest.total, rest.has_more) == ([four.approved.id], 4, False)


# -- the audit trail -----------------------------------------------------------------


def test_the_audit_trail_says_who_did_what_when_and_why(
    wiring: Wiring, clerk: Actor, approver: Actor, inspector: Actor, drafted: Drafted
) -> None:
    service, clock = wiring.service, wiring.clock
    order = drafted((MONITOR, 1, "quality_defect"))  # 1899.00: manager, then quality
    clock.advance(timedelta(minutes=10))
    service.submit_return(clerk, order.id)
    clock.advance(timedelta(hours=2))
    service.approve_return(approver, order.id, "金额已核实")
    clock.advance(timedelta(days=1))
    service.reject_return(inspector, order.id, "照片显示是人为损坏")
    trail = service.audit_trail(clerk, order.id)
    assert [
        (e.actor_id, e.actor_name, e.action, e.from_status, e.to_status, e.at, e.comment)
        for e in trail
    ] == [
        (clerk.id, "王芳 (客服)", Action.DRAFT, None, S.DRAFT, NINE, ""),
        (
            clerk.id,
            "王芳 (客服)",
            Action.SUBMIT,
            S.DRAFT,
            S.SUBMITTED,
            NINE + timedelta(minutes=10),
            "",
        ),
        (
            approver.id,
            "陈经理",
            Action.APPROVE,
            S.SUBMITTED,
            S.SUBMITTED,
            NINE + timedelta(hours=2, minutes=10),
            "金额已核实",
        ),
        (
            inspector.id,
            "赵敏 (质检)",
            Action.REJECT,
            S.SUBMITTED,
            S.REJECTED,
            NINE + timedelta(days=1, hours=2, minutes=10),
            "照片显示是人为损坏",
        ),
    ]
    assert {(e.tenant_id, e.return_id, e.number) for e in trail} == {
        ("acme", order.id, "RT-20261127-000001")
    }
    assert len({e.id for e in trail}) == 4


def test_the_audit_trail_says_what_was_received_and_decided(
    service: ReturnsService,
    clerk: Actor,
    warehouse: Actor,
    inspector: Actor,
    drafted: Drafted,
) -> None:
    order = drafted((MOUSE, 3, "quality_defect"))
    service.submit_return(clerk, order.id)
    service.approve_return(inspector, order.id)
    receipt = Receipt(received=Decimal(2), missing=Decimal(1))
    service.receive_goods(warehouse, order.id, {MOUSE: receipt})
    inspection = Inspection(accepted=Decimal(1), rejected=Decimal(1))
    service.inspect_goods(inspector, order.id, {MOUSE: inspection})
    receive, inspect = service.audit_trail(clerk, order.id)[-2:]
    for entry, counts in ((receive, ("received=2", "missing=1")), (inspect, ("accepted=1",))):
        text = " ".join(value for _, value in entry.detail)
        assert "SO-1001/1" in text
        for count in counts:
            assert count in text


COMMENTS = [
    "客户说：颜色不对，要求退货。",
    "👍🏽 family 👨‍👩‍👧 flag 🇨🇳",
    "tab\there\r\nCRLF, bell \x07, escape \x1b[31mred\x1b[0m",
    "  leading and trailing spaces  ",
    "e\u0301 stays decomposed, not NFC",
]


@pytest.mark.parametrize("comment", COMMENTS)
def test_comments_and_notes_are_kept_byte_for_byte(
    wiring: Wiring, clerk: Actor, comment: str
) -> None:
    line = RequestedLine(MOUSE, Decimal(1), "wrong_order", note=comment)
    order = wiring.service.create_return(clerk, ReturnRequest(lines=[line], note=comment))
    wiring.service.cancel_return(clerk, order.id, comment)
    stored = wiring.service.get_return(clerk, order.id)
    assert stored.note.encode() == comment.encode()
    assert stored.lines[0].note.encode() == comment.encode()
    entry = wiring.service.audit_trail(clerk, order.id)[-1]
    assert entry.comment.encode() == comment.encode()
    outbox = wiring.database.committed.outbox.values()
    [event] = [m.event for _, m in outbox if m.event.comment]
    assert event.comment.encode() == comment.encode()


# -- tenants -------------------------------------------------------------------------


COMMANDS = [
    "get", "find", "audit", "edit", "submit", "approve",
    "reject", "cancel", "receive", "inspect", "complete",
]  # fmt: skip


def _commands(service: ReturnsService, order: ReturnOrder) -> dict[str, Callable[[Actor], object]]:
    """Every query and command that names one return, as the given actor."""
    line = RequestedLine(MOUSE, Decimal(1), "wrong_order")
    receipt, inspection = Receipt(received=Decimal(1)), Inspection(accepted=Decimal(1))
    return {
        "get": lambda who: service.get_return(who, order.id),
        "find": lambda who: service.find_return(who, order.number),
        "audit": lambda who: service.audit_trail(who, order.id),
        "edit": lambda who: service.edit_return(who, order.id, [line]),
        "submit": lambda who: service.submit_return(who, order.id),
        "approve": lambda who: service.approve_return(who, order.id, "mine now"),
        "reject": lambda who: service.reject_return(who, order.id, "mine now"),
        "cancel": lambda who: service.cancel_return(who, order.id, "mine now"),
        "receive": lambda who: service.receive_goods(who, order.id, {MOUSE: receipt}),
        "inspect": lambda who: service.inspect_goods(who, order.id, {MOUSE: inspection}),
        "complete": lambda who: service.complete_return(who, order.id),
    }


@pytest.mark.parametrize("command", COMMANDS)
def test_another_tenants_return_is_not_found_by_any_query_or_command(
    service: ReturnsService,
    clerk: Actor,
    outsider: Actor,
    drafted: Drafted,
    snapshot: Snapshot,
    command: str,
) -> None:
    order = drafted((MONITOR, 1, "quality_defect"))
    service.submit_return(clerk, order.id)  # waiting for approval: most commands could act
    before = snapshot()
    with pytest.raises(NotFound):
        _commands(service, order)[command](outsider)
    assert snapshot() == before


def test_another_tenant_lists_only_its_own_returns(
    service: ReturnsService, clerk: Actor, outsider: Actor, drafted: Drafted
) -> None:
    ours = drafted((MOUSE, 1, "wrong_order"))
    theirs = drafted((MOUSE, 1, "wrong_order"), by=outsider)
    assert listed(service, clerk, ReturnQuery()) == [ours.id]
    assert listed(service, outsider, ReturnQuery()) == [theirs.id]
    # Both are RT-20261127-000001, each in its own tenant.
    assert service.find_return(clerk, ours.number) == ours
    assert service.find_return(outsider, theirs.number) == theirs
