"""A customer never reaches, nor learns of, another customer's returns, lines or files.

Every use case of the customer side is tried by 张伟 (C-1001) on what 李娜
(C-1002) has (see tests/service/customer_side.py): as a plain customer, and
as a customer-bound actor a host gave every role.  Each attempt is
``NotFound`` — worded exactly as for an id that does not exist, naming none
of her ids, her name or her return numbers — and changes nothing, not even
the audit trail.  The lists (his returns, his lines, the late list, the
pending requests) never hold her items, and her parcel's tracking events
sent by him are unknown.

The service keeps these walls itself, so they hold under a host's access
policy that knows nothing of customers (``IGNORANT``) as under the default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_returns import (
    Actor,
    AttachmentSubject,
    CarrierEvent,
    ContactChannel,
    Direction,
    LineQuery,
    RequestedLine,
    ReturnsService,
    ServiceSettings,
    TrackingStatus,
)
from crm_returns.domain.policies.access import DEFAULT_ROLES, Permission
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import CrmReturnsError, NotAuthorised, NotFound
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring, sample_wiring
from tests.service.customer_side import (
    AGENT,
    CHAIR,
    JPEG,
    LAMP,
    LI,
    PICKUP,
    ZHANG,
    World,
    asking,
    populate,
    state,
)

#: 张伟 as a host might wire him by mistake: bound to his customer, holding every role.
ZHANG_EVERYTHING = attrs.evolve(ZHANG, id="p-zhang-all", roles=set(DEFAULT_ROLES))

MISSING = "no-such-id"
NOON = datetime(2026, 12, 27, 12, 0, tzinfo=UTC)
R, Q = AttachmentSubject.RECEIPT, AttachmentSubject.REQUEST

#: What must never show in an error told to 张伟 (besides ids he gave); and her ids.
HERS = ("C-1002", "李娜")


@attrs.frozen
class Ignorant:
    """A host's access policy that allows anyone everything and knows nothing of customers."""

    def allows(self, actor: Actor, permission: Permission, order: ReturnOrder | None) -> bool:
        """Everything."""
        return True

    def granted_by(self, permission: Permission) -> frozenset[str]:
        """No role in particular."""
        return frozenset()


POLICIES = {"roles": None, "ignorant": Ignorant()}

ById = Callable[[ReturnsService, Actor, str], object]

#: Use cases a customer may call that name a return.
CUSTOMER_BY_RETURN: dict[str, ById] = {
    "withdraw_return": lambda s, who, rid: s.withdraw_return(who, rid),
    "return_timeline": lambda s, who, rid: s.return_timeline(who, rid),
    "give_feedback": lambda s, who, rid: s.give_feedback(who, rid, 5, "好"),
    "attach_file": lambda s, who, rid: s.attach_file(who, rid, Q, "p.jpg", JPEG, "mine"),
    "attachments": lambda s, who, rid: s.attachments(who, rid),
}

#: Staff's use cases that name a return.
STAFF_BY_RETURN: dict[str, ById] = {
    "accept_request": lambda s, who, rid: s.accept_request(who, rid, "ok"),
    "decline_request": lambda s, who, rid: s.decline_request(who, rid, "outside_window", "不"),
    "add_shipment": lambda s, who, rid: s.add_shipment(who, rid, PICKUP),
    "poll_tracking": lambda s, who, rid: s.poll_tracking(who, rid),
    "shipments": lambda s, who, rid: s.shipments(who, rid),
    "tracking": lambda s, who, rid: s.tracking(who, rid),
    "attach_file/receipt": lambda s, who, rid: s.attach_file(who, rid, R, "r.jpg", JPEG),
    "log_contact": lambda s, who, rid: s.log_contact(
        who, rid, ContactChannel.CHAT, Direction.OUTBOUND, "hi"
    ),
    "contacts": lambda s, who, rid: s.contacts(who, rid),
    "feedback": lambda s, who, rid: s.feedback(who, rid),
    "assign_return": lambda s, who, rid: s.assign_return(who, rid, user_id="u-me"),
    "owner_of": lambda s, who, rid: s.owner_of(who, rid),
    "get_return": lambda s, who, rid: s.get_return(who, rid),
    "audit_trail": lambda s, who, rid: s.audit_trail(who, rid),
    "cancel_return": lambda s, who, rid: s.cancel_return(who, rid, "mine now"),
}

Targeted = Callable[[ReturnsService, Actor, World], object]

#: Another customer's shipment or attachment, through her return or one's own;
#: another customer's lines in a request.  Customers' use cases first.
CUSTOMER_TARGETED: dict[str, Targeted] = {
    "attachment_content": lambda s, who, w: s.attachment_content(
        who, w.foreign.requested, w.foreign.photo
    ),
    "attachment_content/own return": lambda s, who, w: s.attachment_content(
        who, w.own.request, w.foreign.photo
    ),
    "preview_my_return": lambda s, who, w: s.preview_my_return(who, asking(CHAIR)),
    "request_return": lambda s, who, w: s.request_return(who, asking(LAMP)),
}
STAFF_TARGETED: dict[str, Targeted] = {
    "create_label": lambda s, who, w: s.create_label(who, w.foreign.shipped, w.foreign.shipment),
    "create_label/own return": lambda s, who, w: s.create_label(
        who, w.own.shipped, w.foreign.shipment
    ),
    "record_tracking": lambda s, who, w: s.record_tracking(
        who, w.foreign.shipped, w.foreign.shipment, TrackingStatus.LOST, NOON
    ),
    "record_tracking/own return": lambda s, who, w: s.record_tracking(
        who, w.own.shipped, w.foreign.shipment, TrackingStatus.LOST, NOON
    ),
    "attachment_content/receipt": lambda s, who, w: s.attachment_content(
        who, w.foreign.shipped, w.foreign.receipt_photo
    ),
    "attachment_content/receipt on own return": lambda s, who, w: s.attachment_content(
        who, w.own.shipped, w.foreign.receipt_photo
    ),
    "create_return": lambda s, who, w: s.create_return(who, asking(CHAIR)),
    "preview_return": lambda s, who, w: s.preview_return(who, asking(CHAIR)),
    "edit_return": lambda s, who, w: s.edit_return(
        who, w.own.request, [RequestedLine(CHAIR, 1, "wrong_order")]
    ),
}


def _world(policy: str) -> tuple[Wiring, World, ReturnsService]:
    """A populated wiring, and a service over it with the access ``policy``."""
    wiring = sample_wiring()
    world = populate(wiring)
    chosen = POLICIES[policy]
    if chosen is None:
        return wiring, world, wiring.service
    settings: ServiceSettings = attrs.evolve(wiring.service.settings, access_policy=chosen)
    return wiring, world, ReturnsService(wiring.orders, wiring.database.unit_of_work, settings)


def _refused(attempt: Callable[[], object]) -> CrmReturnsError:
    try:
        attempt()
    except CrmReturnsError as error:
        return error
    raise AssertionError("another customer's return was reached")


def _says_nothing_of_hers(error: CrmReturnsError, world: World, *given: str) -> None:
    text = str(error)
    foreign = world.foreign
    hidden = [*HERS, *foreign.numbers, *foreign.returns, foreign.shipment, foreign.photo]
    for secret in (s for s in hidden if s not in given):
        # Whole words: "id-1" is not named by "id-15".
        found = re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", text)
        assert found is None, f"{text!r} names {secret!r}"


# -- every use case, on every one of her returns --------------------------------------------


def _cases(customers: Iterable[str], staff: Iterable[str]) -> list[tuple[str, str, Actor]]:
    """Customers' use cases by both of him; staff's by him holding every role, or by
    the plain customer too under a policy that lets anyone do anything."""
    both = (ZHANG, ZHANG_EVERYTHING)
    return [
        *((policy, name, who) for policy in POLICIES for name in customers for who in both),
        *((policy, name, ZHANG_EVERYTHING) for policy in POLICIES for name in staff),
        *(("ignorant", name, ZHANG) for name in staff),
    ]


def _id(value: object) -> str:
    return value.id if isinstance(value, Actor) else str(value)


@pytest.mark.parametrize(
    ("policy", "name", "who"), _cases(CUSTOMER_BY_RETURN, STAFF_BY_RETURN), ids=_id
)
def test_another_customers_return_is_not_found_by_any_use_case(
    policy: str, name: str, who: Actor
) -> None:
    wiring, world, service = _world(policy)
    attempt = {**CUSTOMER_BY_RETURN, **STAFF_BY_RETURN}[name]
    before = state(wiring)
    missing = _refused(lambda: attempt(service, who, MISSING))
    for target in world.foreign.returns:
        error = _refused(lambda: attempt(service, who, target))  # noqa: B023 - called at once
        assert isinstance(error, NotFound), f"{name} on {target}: {error!r}"
        # Worded as for a return that does not exist: nothing tells them apart.
        assert str(error) == str(missing).replace(MISSING, target)
        _says_nothing_of_hers(error, world, target)
    assert state(wiring) == before, f"{name} left a trace"


@pytest.mark.parametrize(
    ("policy", "name", "who"), _cases(CUSTOMER_TARGETED, STAFF_TARGETED), ids=_id
)
def test_another_customers_shipment_file_or_line_is_not_found(
    policy: str, name: str, who: Actor
) -> None:
    wiring, world, service = _world(policy)
    before = state(wiring)
    error = _refused(lambda: {**CUSTOMER_TARGETED, **STAFF_TARGETED}[name](service, who, world))
    assert isinstance(error, NotFound), f"{name}: {error!r}"
    # An id named in the call may be repeated; nothing else of hers.
    foreign = world.foreign
    named = (foreign.shipment, foreign.photo)
    if "own return" not in name:
        named += (foreign.shipped, foreign.requested)
    _says_nothing_of_hers(error, world, *named)
    assert "SO-1002" not in str(error) or error.kind == "order line", error
    assert state(wiring) == before, f"{name} left a trace"


def test_a_plain_customer_is_refused_staff_use_cases_without_any_lookup() -> None:
    # A plain customer holds none of staff's permissions: refused before the return is read,
    # so the refusal is the same for her return as for none, and names no return.
    wiring, world, service = _world("roles")
    for name, attempt in STAFF_BY_RETURN.items():
        missing = _refused(lambda: attempt(service, ZHANG, MISSING))  # noqa: B023
        for target in world.foreign.returns:
            error = _refused(lambda: attempt(service, ZHANG, target))  # noqa: B023
            assert isinstance(error, NotFound | NotAuthorised), f"{name}: {error!r}"
            assert type(error) is type(missing)
            assert str(error) == str(missing).replace(MISSING, target), name
            _says_nothing_of_hers(error, world, target)
    trails = wiring.database.committed.audit
    for return_id in world.foreign.returns:
        assert all(e.actor_id != ZHANG.id for e in trails[(SAMPLE_TENANT, return_id)])


# -- random sequences of attempts ------------------------------------------------------------

ATTEMPTS = st.one_of(
    st.tuples(
        st.sampled_from(sorted(CUSTOMER_BY_RETURN)), st.sampled_from([ZHANG, ZHANG_EVERYTHING])
    ),
    st.tuples(st.sampled_from(sorted(STAFF_BY_RETURN)), st.just(ZHANG_EVERYTHING)),
)


@given(
    policy=st.sampled_from(sorted(POLICIES)),
    attempts=st.lists(st.tuples(ATTEMPTS, st.integers(0, 2)), min_size=1, max_size=8),
)
def test_any_sequence_of_attempts_on_her_returns_leaves_no_trace(
    policy: str, attempts: list[tuple[tuple[str, Actor], int]]
) -> None:
    wiring, world, service = _world(policy)
    before = state(wiring)
    for (name, who), target in attempts:
        attempt = {**CUSTOMER_BY_RETURN, **STAFF_BY_RETURN}[name]
        return_id = world.foreign.returns[target]
        error = _refused(lambda: attempt(service, who, return_id))  # noqa: B023
        assert isinstance(error, NotFound), f"{name}: {error!r}"
    assert state(wiring) == before
    # Her own view is as it was: nothing he tried shows there.
    timeline = wiring.service.return_timeline(LI, world.foreign.requested)
    assert timeline.request is not None and timeline.request.value == "pending"


# -- lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("who", [ZHANG, ZHANG_EVERYTHING], ids=lambda a: a.id)
def test_his_lists_hold_nothing_of_hers(policy: str, who: Actor) -> None:
    wiring, world, service = _world(policy)
    mine = {world.own.request, world.own.shipped}

    assert {entry.return_id for entry in service.my_returns(who).items} == mine
    for query in (LineQuery(), LineQuery(customer_id="C-1002"), LineQuery(order_number="SO-1002")):
        found = service.search_my_lines(who, query).items
        assert {line.line.customer_id for line in found} <= {"C-1001"}, query


@pytest.mark.parametrize("policy", POLICIES)
def test_the_staff_lists_of_a_customer_bound_actor_hold_nothing_of_hers(policy: str) -> None:
    wiring, world, service = _world(policy)
    # Staff see hers in both lists: the probe would notice if they vanished for everyone.
    assert world.foreign.shipped in {o.return_id for o in service.late_returns(AGENT)}
    assert world.foreign.requested in {o.id for o in service.pending_requests(AGENT).items}

    late = service.late_returns(ZHANG_EVERYTHING)
    pending = service.pending_requests(ZHANG_EVERYTHING)

    assert {owner.return_id for owner in late} <= {world.own.request, world.own.shipped}
    assert [order.id for order in pending.items] == [world.own.request]
    assert pending.total == 1


@pytest.mark.parametrize("policy", POLICIES)
def test_her_parcels_tracking_sent_by_him_is_unknown_and_changes_nothing(policy: str) -> None:
    wiring, world, service = _world(policy)
    event = CarrierEvent(
        event_id="ev-forged",
        tracking_number=world.foreign.tracking_number,
        status=TrackingStatus.LOST,
        occurred_at=NOON,
    )
    before = state(wiring)

    report = service.ingest_tracking(ZHANG_EVERYTHING, "memory", [event])

    assert (report.unknown, report.added, report.duplicates) == ((event,), (), ())
    assert state(wiring) == before
