"""Configured approval workflows through the service: steps, policy changes, overdue steps.

The policy is loaded from TOML, as a host would load it from its settings:
returns refunding less than 200.00 CNY are approved at once; from 500.00 CNY a
manager (role ``approver``) approves within 24 hours; a quality reason needs
the ``quality`` step, which an inspector or an approver may take, within 4
hours.  The sample lines are listed in tests/service/conftest.py.

Every test runs on the in-memory store and on SQLite, so that the steps a
return was submitted with (time limits included) are seen to survive storage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crm_returns import (
    Action,
    Actor,
    ApprovalPolicy,
    LineRef,
    OverdueApproval,
    ReturnOrder,
    ReturnsService,
    ReturnStatus,
)
from crm_returns.approval_config import load_policy_toml
from crm_returns.errors import InvalidInput
from crm_returns.ports import UnitOfWork
from crm_returns.samples import SAMPLE_REFUND_POLICY
from crm_returns.service import approving
from crm_returns.service.settings import ServiceSettings
from crm_returns.testing import Wiring, sample_wiring

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00
MONITOR = LineRef("SO-1001", "3")  # 2 x 1899.00
LAMP = LineRef("SO-1002", "2")  # 3 x 199.00, customer C-1002

S = ReturnStatus
Drafted = Callable[..., ReturnOrder]
Rewire = Callable[[ApprovalPolicy], ReturnsService]

WORKFLOW = load_policy_toml(
    """
    version = "2026-03"
    auto_approve_below = { CNY = "200.00" }

    [[steps]]
    name = "manager"
    roles = "approver"
    time_limit = { hours = 24 }
    conditions = { refund_at_least = { CNY = "500.00" } }

    [[steps]]
    name = "quality"
    roles = ["inspector", "approver"]
    time_limit = { hours = 4 }
    conditions = { reason_categories = ["quality"] }
    """
)

#: The next version: a finance step from 1000.00 CNY, and a manager who has 48 hours.
REVISED = load_policy_toml(
    """
    version = "2026-04"
    auto_approve_below = { CNY = "200.00" }

    [[steps]]
    name = "manager"
    roles = "approver"
    time_limit = { hours = 48 }
    conditions = { refund_at_least = { CNY = "500.00" } }

    [[steps]]
    name = "finance"
    roles = "admin"
    conditions = { refund_at_least = { CNY = "1000.00" } }
    """
)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest) -> str:
    """Where returns are kept: ``memory``, or a SQLite file made by the migrations."""
    return str(request.param)


@pytest.fixture
def unit_of_work(store: str, tmp_path: Path) -> Iterator[Callable[[], UnitOfWork] | None]:
    """The SQLite store's units of work (``None``: the wiring's own memory store)."""
    if store == "memory":
        yield None
        return
    sql = pytest.importorskip("crm_returns.adapters.sql")
    database = sql.SqlDatabase.connect(f"sqlite:///{tmp_path / 'returns.db'}")
    database.upgrade()
    yield database.unit_of_work
    database.dispose()


@pytest.fixture
def wiring(unit_of_work: Callable[[], UnitOfWork] | None) -> Wiring:
    """The sample wiring, with the WORKFLOW policy."""
    return sample_wiring(policy=WORKFLOW, unit_of_work=unit_of_work)


@pytest.fixture
def rewire(wiring: Wiring, unit_of_work: Callable[[], UnitOfWork] | None) -> Rewire:
    """A service on the same store and clock with another policy: the host's next deploy."""

    def rewired(policy: ApprovalPolicy) -> ReturnsService:
        return ReturnsService(
            wiring.orders,
            unit_of_work or wiring.database.unit_of_work,
            ServiceSettings(
                clock=wiring.clock,
                ids=wiring.ids,
                approval_policy=policy,
                refund_policy=SAMPLE_REFUND_POLICY,
            ),
        )

    return rewired


def step_names(order: ReturnOrder) -> list[str]:
    return [step.name for step in order.steps]


def submitted_under(service: ReturnsService, actor: Actor, order: ReturnOrder) -> str:
    """The policy version the audit trail names for the submission of ``order``."""
    (entry,) = [e for e in service.audit_trail(actor, order.id) if e.action is Action.SUBMIT]
    return dict(entry.detail)["policy_version"]


# -- the configured steps ------------------------------------------------------------


def test_a_return_above_the_thresholds_goes_through_every_configured_step_in_order(
    service: ReturnsService,
    drafted: Drafted,
    clerk: Actor,
    approver: Actor,
    inspector: Actor,
) -> None:
    order = drafted((MONITOR, 1, "quality_defect"))  # 1899.00 CNY, a quality reason
    order = service.submit_return(clerk, order.id)
    assert (order.status, step_names(order), order.policy_version) == (
        S.SUBMITTED,
        ["manager", "quality"],
        "2026-03",
    )
    assert order.current_step is not None
    assert order.current_step.time_limit == timedelta(hours=24)
    order = service.approve_return(approver, order.id, "manager ok")
    assert (order.status, order.current_step) == (S.SUBMITTED, WORKFLOW.rules[1].step)
    order = service.approve_return(inspector, order.id, "defect confirmed")
    assert order.status is S.APPROVED
    assert [approval.step for approval in order.approvals] == ["manager", "quality"]


def test_a_step_may_be_taken_by_any_one_of_its_roles(
    service: ReturnsService, drafted: Drafted, clerk: Actor, wiring: Wiring
) -> None:
    order = drafted((MOUSE, 2, "quality_defect"))  # 258.00 CNY: the quality step only
    order = service.submit_return(clerk, order.id)
    assert step_names(order) == ["quality"]
    deputy = Actor("u-deputy", "副经理", wiring.approver.tenant_id, {"approver"})
    assert service.approve_return(deputy, order.id).status is S.APPROVED


def test_a_refund_below_the_auto_approval_threshold_is_approved_at_submission(
    service: ReturnsService, drafted: Drafted, clerk: Actor
) -> None:
    # 129.00 CNY with a quality reason: the quality rule applies, but the amount is small.
    order = service.submit_return(clerk, drafted((MOUSE, 1, "quality_defect")).id)
    assert (order.status, order.steps, order.policy_version) == (S.APPROVED, (), "2026-03")


# -- a change of policy --------------------------------------------------------------


def test_a_new_policy_applies_to_new_submissions_while_returns_in_flight_keep_their_steps(
    rewire: Rewire,
    service: ReturnsService,
    drafted: Drafted,
    clerk: Actor,
    approver: Actor,
    inspector: Actor,
) -> None:
    in_flight = service.submit_return(clerk, drafted((MONITOR, 1, "quality_defect")).id)
    waiting = drafted((LAMP, 3, "wrong_order"))  # 597.00 CNY, drafted but not yet submitted

    revised = rewire(REVISED)
    later = revised.submit_return(clerk, waiting.id)
    assert (step_names(later), later.policy_version) == (["manager"], "2026-04")
    assert later.steps[0].time_limit == timedelta(hours=48)

    # The return submitted under 2026-03 still needs its quality step, and no finance step.
    kept = revised.get_return(approver, in_flight.id)
    assert (step_names(kept), kept.policy_version) == (["manager", "quality"], "2026-03")
    assert kept.steps[0].time_limit == timedelta(hours=24)
    kept = revised.approve_return(approver, kept.id)
    assert kept.current_step is not None
    assert kept.current_step.name == "quality"
    assert revised.approve_return(inspector, kept.id).status is S.APPROVED

    assert submitted_under(revised, approver, in_flight) == "2026-03"
    assert submitted_under(revised, approver, later) == "2026-04"


# -- overdue steps -------------------------------------------------------------------


def test_a_step_is_listed_as_overdue_once_its_time_limit_has_passed_and_not_before(
    wiring: Wiring, service: ReturnsService, drafted: Drafted, clerk: Actor, approver: Actor
) -> None:
    submitted_at = wiring.clock.now()
    order = service.submit_return(clerk, drafted((MONITOR, 1, "quality_defect")).id)

    wiring.clock.advance(timedelta(hours=24))
    assert service.overdue_approvals(approver) == ()

    wiring.clock.advance(timedelta(seconds=1))
    (late,) = service.overdue_approvals(approver)
    assert late == OverdueApproval(
        order=order,
        step=WORKFLOW.rules[0].step,
        waiting_since=submitted_at,
        due_at=submitted_at + timedelta(hours=24),
    )
    assert late.step.roles == frozenset({"approver"})  # whom to remind


def test_approving_an_overdue_step_takes_the_return_off_the_list_until_the_next_step_is_late(
    wiring: Wiring,
    service: ReturnsService,
    drafted: Drafted,
    clerk: Actor,
    approver: Actor,
    inspector: Actor,
) -> None:
    order = service.submit_return(clerk, drafted((MONITOR, 1, "quality_defect")).id)
    wiring.clock.advance(timedelta(hours=30))
    assert [late.order.id for late in service.overdue_approvals(approver)] == [order.id]

    approved_at = wiring.clock.now()
    service.approve_return(approver, order.id, "sorry for the delay")
    assert service.overdue_approvals(approver) == ()

    wiring.clock.advance(timedelta(hours=4, minutes=1))
    (late,) = service.overdue_approvals(inspector)
    assert (late.step.name, late.waiting_since, late.due_at) == (
        "quality",
        approved_at,
        approved_at + timedelta(hours=4),
    )
    service.approve_return(inspector, order.id)
    assert service.overdue_approvals(inspector) == ()


def test_overdue_can_be_asked_for_any_moment_without_moving_the_clock(
    wiring: Wiring, service: ReturnsService, drafted: Drafted, clerk: Actor, approver: Actor
) -> None:
    start = wiring.clock.now()
    service.submit_return(clerk, drafted((MONITOR, 1, "quality_defect")).id)
    assert service.overdue_approvals(approver, at=start + timedelta(hours=24)) == ()
    assert len(service.overdue_approvals(approver, at=start + timedelta(hours=25))) == 1
    assert service.overdue_approvals(approver) == ()  # the clock has not moved


def test_the_longest_overdue_come_first(
    wiring: Wiring, service: ReturnsService, drafted: Drafted, clerk: Actor, approver: Actor
) -> None:
    first = service.submit_return(clerk, drafted((MOUSE, 2, "quality_defect")).id)  # 4 hours
    wiring.clock.advance(timedelta(hours=1))
    second = service.submit_return(clerk, drafted((MONITOR, 1, "wrong_order")).id)  # 24 hours
    wiring.clock.advance(timedelta(days=2))
    overdue = service.overdue_approvals(approver)
    assert [(late.order.id, late.step.name) for late in overdue] == [
        (first.id, "quality"),
        (second.id, "manager"),
    ]


def test_every_page_of_submitted_returns_is_read(
    monkeypatch: pytest.MonkeyPatch,
    wiring: Wiring,
    service: ReturnsService,
    drafted: Drafted,
    clerk: Actor,
    approver: Actor,
) -> None:
    monkeypatch.setattr(approving, "MAX_PAGE_SIZE", 1)
    orders = [
        service.submit_return(clerk, drafted(pick).id)
        for pick in ((MOUSE, 2, "quality_defect"), (MONITOR, 1, "wrong_order"), (LAMP, 3, "other"))
    ]
    wiring.clock.advance(timedelta(days=2))
    found = {late.order.id for late in service.overdue_approvals(approver)}
    assert found == {order.id for order in orders}


def test_a_step_without_a_time_limit_is_never_overdue(
    wiring: Wiring, rewire: Rewire, drafted: Drafted, clerk: Actor, approver: Actor
) -> None:
    revised = rewire(REVISED)
    order = revised.submit_return(clerk, drafted((MONITOR, 1, "wrong_order")).id)
    revised.approve_return(approver, order.id)  # the finance step, without a limit, waits
    wiring.clock.advance(timedelta(days=365))
    assert revised.overdue_approvals(approver) == ()


def test_another_tenants_overdue_returns_are_not_listed(
    wiring: Wiring,
    service: ReturnsService,
    drafted: Drafted,
    clerk: Actor,
    approver: Actor,
    outsider: Actor,
) -> None:
    ours = service.submit_return(clerk, drafted((MONITOR, 1, "wrong_order")).id)
    theirs = drafted((MONITOR, 1, "wrong_order"), by=outsider)
    theirs = service.submit_return(outsider, theirs.id)
    wiring.clock.advance(timedelta(days=2))
    assert [late.order.id for late in service.overdue_approvals(approver)] == [ours.id]
    assert [late.order.id for late in service.overdue_approvals(outsider)] == [theirs.id]


@pytest.mark.parametrize("at", [datetime(2026, 11, 30, 9, 0), "tomorrow"])  # noqa: DTZ001
def test_the_moment_asked_about_must_be_timezone_aware(
    service: ReturnsService, approver: Actor, at: object
) -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        service.overdue_approvals(approver, at=at)  # type: ignore[arg-type]
