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
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.service.customer_side import (
    AGENT,
    CUSTOMER_BY_RETURN,
    CUSTOMER_TARGETED,
    LI,
    NOON,
    STAFF_BY_RETURN,
    STAFF_TARGETED,
    ZHANG,
    World,
    populate,
    state,
)

from crm_returns import (
    Actor,
    CarrierEvent,
    LineQuery,
    ReturnsService,
    ServiceSettings,
    TrackingStatus,
)
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.domain.policies.access import DEFAULT_ROLES, Permission
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import CrmReturnsError, NotAuthorised, NotFound
from crm_returns.testing import Wiring, sample_wiring

#: 张伟 as a host might wire him by mistake: bound to his customer, holding every role.
ZHANG_EVERYTHING = attrs.evolve(ZHANG, id="p-zhang-all", roles=set(DEFAULT_ROLES))

MISSING = "no-such-id"

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

#: Every probe runs on the memory store and on a SQLite file.
pytestmark = pytest.mark.parametrize("store", ["memory", "sqlite"])


@attrs.frozen
class Probed:
    """A populated wiring on one store, and a service over it with the access policy probed."""

    wiring: Wiring
    world: World
    service: ReturnsService
    database: SqlDatabase | None

    def state(self) -> object:
        """Everything committed in the store, and the attachment store's ids."""
        return state(self.wiring, self.database)


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store, its tables made by the migrations: copied for each world."""
    path = tmp_path_factory.mktemp("isolation") / "template.db"
    database = SqlDatabase.connect(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    return path


@contextmanager
def _world(policy: str, store: str, template: Path) -> Iterator[Probed]:
    """A populated wiring on ``store`` (memory, or a copy of the SQLite ``template``)."""
    database = None
    if store == "sqlite":
        path = template.with_name(f"{uuid.uuid4().hex}.db")
        shutil.copyfile(template, path)
        database = SqlDatabase.connect(f"sqlite:///{path}")
    try:
        wiring = sample_wiring(unit_of_work=None if database is None else database.unit_of_work)
        world = populate(wiring)
        chosen = POLICIES[policy]
        service = wiring.service
        if chosen is not None:
            settings: ServiceSettings = attrs.evolve(service.settings, access_policy=chosen)
            unit_of_work = (
                wiring.database.unit_of_work if database is None else database.unit_of_work
            )
            service = ReturnsService(wiring.orders, unit_of_work, settings)
        yield Probed(wiring, world, service, database)
    finally:
        if database is not None:
            database.dispose()
            path.unlink()


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
    store: str, sqlite_template: Path, policy: str, name: str, who: Actor
) -> None:
    with _world(policy, store, sqlite_template) as probed:
        world, service = probed.world, probed.service
        attempt = {**CUSTOMER_BY_RETURN, **STAFF_BY_RETURN}[name]
        before = probed.state()
        missing = _refused(lambda: attempt(service, who, MISSING))
        for target in world.foreign.returns:
            error = _refused(lambda: attempt(service, who, target))  # noqa: B023 - called at once
            assert isinstance(error, NotFound), f"{name} on {target}: {error!r}"
            # Worded as for a return that does not exist: nothing tells them apart.
            assert str(error) == str(missing).replace(MISSING, target)
            _says_nothing_of_hers(error, world, target)
        assert probed.state() == before, f"{name} left a trace"


@pytest.mark.parametrize(
    ("policy", "name", "who"), _cases(CUSTOMER_TARGETED, STAFF_TARGETED), ids=_id
)
def test_another_customers_shipment_file_or_line_is_not_found(
    store: str, sqlite_template: Path, policy: str, name: str, who: Actor
) -> None:
    with _world(policy, store, sqlite_template) as probed:
        world, service = probed.world, probed.service
        before = probed.state()
        targeted = {**CUSTOMER_TARGETED, **STAFF_TARGETED}[name]
        error = _refused(lambda: targeted(service, who, world))
        assert isinstance(error, NotFound), f"{name}: {error!r}"
        # An id named in the call may be repeated; nothing else of hers.
        foreign = world.foreign
        named = [foreign.shipment, foreign.photo]
        if "own return" not in name:
            named += [foreign.shipped, foreign.requested]
        _says_nothing_of_hers(error, world, *named)
        assert "SO-1002" not in str(error) or error.kind == "order line", error
        assert probed.state() == before, f"{name} left a trace"


def test_a_plain_customer_is_refused_staff_use_cases_without_any_lookup(
    store: str, sqlite_template: Path
) -> None:
    # A plain customer holds none of staff's permissions: refused before the return is read,
    # so the refusal is the same for her return as for none, and names no return.
    with _world("roles", store, sqlite_template) as probed:
        wiring, world, service = probed.wiring, probed.world, probed.service
        for name, attempt in STAFF_BY_RETURN.items():
            missing = _refused(lambda: attempt(service, ZHANG, MISSING))  # noqa: B023
            for target in world.foreign.returns:
                error = _refused(lambda: attempt(service, ZHANG, target))  # noqa: B023
                assert isinstance(error, NotFound | NotAuthorised), f"{name}: {error!r}"
                assert type(error) is type(missing)
                assert str(error) == str(missing).replace(MISSING, target), name
                _says_nothing_of_hers(error, world, target)
        for return_id in world.foreign.returns:
            trail = service.audit_trail(wiring.admin, return_id)
            assert trail, f"{return_id} has an audit trail"
            assert all(e.actor_id != ZHANG.id for e in trail)


# -- random sequences of attempts ------------------------------------------------------------

ATTEMPTS = st.one_of(
    st.tuples(
        st.sampled_from(sorted(CUSTOMER_BY_RETURN)), st.sampled_from([ZHANG, ZHANG_EVERYTHING])
    ),
    st.tuples(st.sampled_from(sorted(STAFF_BY_RETURN)), st.just(ZHANG_EVERYTHING)),
)


#: The profile tests/conftest.py loaded.
_PROFILE = settings()


# Each example builds a world (some 25 commands, on SQLite as many commits) and then
# tries cheap refusals on it.  CI draws 100 worlds with sequences of up to 16 attempts
# (6.4 on average: ~640 attempts, each of the 75 attempts x 2 policies about 4 times)
# rather than 300 with up to 8 (4.8: ~1,440), in a third of the time: the sequences
# are longer, the tests above try every attempt alone on every store and policy.
@settings(max_examples=min(_PROFILE.max_examples, 100))
@given(
    policy=st.sampled_from(sorted(POLICIES)),
    attempts=st.lists(st.tuples(ATTEMPTS, st.integers(0, 2)), min_size=1, max_size=16),
)
def test_any_sequence_of_attempts_on_her_returns_leaves_no_trace(
    store: str, sqlite_template: Path, policy: str, attempts: list[tuple[tuple[str, Actor], int]]
) -> None:
    with _world(policy, store, sqlite_template) as probed:
        wiring, world, service = probed.wiring, probed.world, probed.service
        before = probed.state()
        for (name, who), target in attempts:
            attempt = {**CUSTOMER_BY_RETURN, **STAFF_BY_RETURN}[name]
            return_id = world.foreign.returns[target]
            error = _refused(lambda: attempt(service, who, return_id))  # noqa: B023
            assert isinstance(error, NotFound), f"{name}: {error!r}"
        assert probed.state() == before
        # Her own view is as it was: nothing he tried shows there.
        timeline = wiring.service.return_timeline(LI, world.foreign.requested)
        assert timeline.request is not None
        assert timeline.request.value == "pending"


# -- lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("who", [ZHANG, ZHANG_EVERYTHING], ids=lambda a: a.id)
def test_his_lists_hold_nothing_of_hers(
    store: str, sqlite_template: Path, policy: str, who: Actor
) -> None:
    with _world(policy, store, sqlite_template) as probed:
        world, service = probed.world, probed.service
        mine = {world.own.request, world.own.shipped}

        assert {entry.return_id for entry in service.my_returns(who).items} == mine
        queries = (LineQuery(), LineQuery(customer_id="C-1002"), LineQuery(order_number="SO-1002"))
        for query in queries:
            found = service.search_my_lines(who, query).items
            assert {line.line.customer_id for line in found} <= {"C-1001"}, query


@pytest.mark.parametrize("policy", POLICIES)
def test_the_staff_lists_of_a_customer_bound_actor_hold_nothing_of_hers(
    store: str, sqlite_template: Path, policy: str
) -> None:
    with _world(policy, store, sqlite_template) as probed:
        world, service = probed.world, probed.service
        # Staff see hers in both lists: the probe would notice if they vanished for everyone.
        assert world.foreign.shipped in {o.return_id for o in service.late_returns(AGENT).items}
        assert world.foreign.requested in {o.id for o in service.pending_requests(AGENT).items}

        late = service.late_returns(ZHANG_EVERYTHING)
        pending = service.pending_requests(ZHANG_EVERYTHING)

        assert {owner.return_id for owner in late.items} <= {world.own.request, world.own.shipped}
        assert [order.id for order in pending.items] == [world.own.request]
        assert pending.total == 1


@pytest.mark.parametrize("policy", POLICIES)
def test_her_parcels_tracking_sent_by_him_is_unknown_and_changes_nothing(
    store: str, sqlite_template: Path, policy: str
) -> None:
    with _world(policy, store, sqlite_template) as probed:
        world, service = probed.world, probed.service
        event = CarrierEvent(
            event_id="ev-forged",
            tracking_number=world.foreign.tracking_number,
            status=TrackingStatus.LOST,
            occurred_at=NOON,
        )
        before = probed.state()

        report = service.ingest_tracking(ZHANG_EVERYTHING, "memory", [event])

        assert (report.unknown, report.added, report.duplicates) == ((event,), (), ())
        assert probed.state() == before
