"""Another tenant never reaches the customer side of ours: requests, shipments, files, contacts.

The sibling of ``test_another_tenants_return_is_not_found_by_any_query_or_command``
(tests/service/test_service_reading.py) for the customer side's use cases:
tenant ``globex`` — whose CRM has the very same order lines and customer ids —
tries each on acme's records (see tests/service/customer_side.py), as staff
holding every role and as a customer-bound actor of the same customer id
(C-1002) holding every role.  Each attempt is ``NotFound``, worded as for an id
that does not exist, and changes nothing in either tenant; globex's lists hold
nothing of acme's; acme's parcel's tracking events sent by globex are unknown.
"""

from __future__ import annotations

import attrs
import pytest
from tests.service.conftest import OTHER_TENANT
from tests.service.customer_side import (
    CUSTOMER_BY_RETURN,
    CUSTOMER_TARGETED,
    NOON,
    STAFF_BY_RETURN,
    STAFF_TARGETED,
    World,
    populate,
    state,
)

from crm_returns import Actor, CarrierEvent, LineQuery, TrackingStatus
from crm_returns.domain.policies.access import DEFAULT_ROLES
from crm_returns.errors import CrmReturnsError, NotFound
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring

#: Globex's own 张伟 (C-1001, with records of his own there), holding every role.
GLOBEX_ZHANG = Actor("g-zhang", "张伟", OTHER_TENANT, set(DEFAULT_ROLES), customer_id="C-1001")
#: Globex's 李娜: the same customer id as acme's, holding every role.
GLOBEX_LI = attrs.evolve(GLOBEX_ZHANG, id="g-li", name="李娜", customer_id="C-1002")

MISSING = "no-such-id"
BY_RETURN = {**CUSTOMER_BY_RETURN, **STAFF_BY_RETURN}
#: The attempts that name a shipment or an attachment (the others name lines,
#: which globex has of its own).
TARGETED = {
    name: attempt
    for name, attempt in {**CUSTOMER_TARGETED, **STAFF_TARGETED}.items()
    if name.startswith(("create_label", "record_tracking", "attachment_content"))
}


@pytest.fixture
def world(wiring: Wiring, outsider: Actor) -> World:
    """Acme's customer side, with 张伟's records in globex (which has the sample lines too)."""
    return populate(wiring, own_tenant=OTHER_TENANT)


def _refused(attempt: object) -> CrmReturnsError:
    assert callable(attempt)
    try:
        attempt()
    except CrmReturnsError as error:
        return error
    raise AssertionError("another tenant's record was reached")


@pytest.mark.parametrize("command", sorted(BY_RETURN))
def test_another_tenants_return_is_not_found_by_any_customer_side_use_case(
    wiring: Wiring, outsider: Actor, world: World, command: str
) -> None:
    attempt, service = BY_RETURN[command], wiring.service
    before = state(wiring)
    # Customers' use cases are for actors acting for a customer; staff's for both.
    for who in (GLOBEX_LI,) if command in CUSTOMER_BY_RETURN else (outsider, GLOBEX_LI):
        missing = _refused(lambda: attempt(service, who, MISSING))  # noqa: B023 - called at once
        for target in world.foreign.returns:
            error = _refused(lambda: attempt(service, who, target))  # noqa: B023
            assert isinstance(error, NotFound), f"{command} by {who.id} on {target}: {error!r}"
            assert str(error) == str(missing).replace(MISSING, target)
    assert state(wiring) == before, f"{command} left a trace"


@pytest.mark.parametrize("command", sorted(TARGETED))
def test_another_tenants_shipment_or_file_is_not_found_from_a_return_of_ones_own(
    wiring: Wiring, outsider: Actor, world: World, command: str
) -> None:
    before = state(wiring)
    who = GLOBEX_ZHANG if command in CUSTOMER_TARGETED else outsider
    error = _refused(lambda: TARGETED[command](wiring.service, who, world))
    assert isinstance(error, NotFound), f"{command}: {error!r}"
    assert SAMPLE_TENANT not in str(error)
    assert not any(number in str(error) for number in world.foreign.numbers)
    assert state(wiring) == before, f"{command} left a trace"


def test_another_tenants_lists_hold_nothing_of_ours(
    wiring: Wiring, outsider: Actor, world: World
) -> None:
    service, foreign = wiring.service, world.foreign
    ours = {*foreign.returns, world.own.request, world.own.shipped}
    theirs = {world.own.request, world.own.shipped}

    late = {owner.return_id for owner in service.late_returns(outsider).items}
    pending = [order.id for order in service.pending_requests(outsider).items]
    mine = service.my_returns(GLOBEX_LI)
    lines = service.search_my_lines(GLOBEX_LI, LineQuery()).items

    assert late <= theirs
    assert pending == [world.own.request]
    assert (mine.items, mine.total) == ((), 0)
    # Globex's 李娜 has the same lines as acme's, untouched by acme's returns of them.
    assert {line.line.ref.order_number for line in lines} == {"SO-1002"}
    assert all(line.already_returned == 0 for line in lines), lines
    assert not set(service.orphaned_attachments(outsider)) & ours
    assert foreign.photo not in service.orphaned_attachments(outsider)


def test_our_parcels_tracking_sent_by_another_tenant_is_unknown_and_changes_nothing(
    wiring: Wiring, outsider: Actor, world: World
) -> None:
    event = CarrierEvent(
        event_id="ev-globex",
        tracking_number=world.foreign.tracking_number,
        status=TrackingStatus.DELIVERED,
        occurred_at=NOON,
    )
    before = state(wiring)

    report = wiring.service.ingest_tracking(outsider, "memory", [event, event])

    assert (report.unknown, report.added, report.duplicates) == ((event, event), (), ())
    assert state(wiring) == before
    # Acme itself takes it: the event was fine, only the tenant was wrong.
    agent = attrs.evolve(outsider, tenant_id=SAMPLE_TENANT)
    assert len(wiring.service.ingest_tracking(agent, "memory", [event]).added) == 1
