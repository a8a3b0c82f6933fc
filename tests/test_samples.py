"""The sample shop: orders, policies and staff anyone can try the library on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from crm_returns import LineQuery, LineRef, RequestedLine, ReturnRequest, in_memory_service
from crm_returns.domain.policies.access import DEFAULT_ROLES, Permission, RoleBasedAccess
from crm_returns.samples import (
    SAMPLE_POLICY,
    SAMPLE_REFUND_POLICY,
    SAMPLE_START,
    SAMPLE_TENANT,
    sample_lines,
    sample_orders,
    sample_staff,
)
from crm_returns.service.settings import ServiceSettings
from crm_returns.testing import sample_wiring

MONITOR = LineRef("SO-1001", "3")


def test_the_docstring_example_finds_zhang_weis_three_delivered_lines() -> None:
    service = in_memory_service(sample_orders(), ServiceSettings(approval_policy=SAMPLE_POLICY))
    staff = sample_staff()

    found = service.search_returnable_lines(staff.clerk, LineQuery(customer_id="C-1001"))

    assert [line.line.ref for line in found.items] == [
        LineRef("SO-1001", str(number)) for number in (1, 2, 3)
    ]


def test_the_orders_were_delivered_days_before_the_story_starts() -> None:
    lines = sample_lines()

    assert {line.delivered_at for line in lines} == {
        SAMPLE_START - timedelta(days=3),
        SAMPLE_START - timedelta(days=5),
    }
    assert all(line.unit_cost is not None for line in lines)
    monitor = next(line for line in lines if line.ref == MONITOR)
    assert monitor.serial_numbers == ("MON27-0001", "MON27-0002")


def test_the_order_source_holds_the_sample_lines_of_its_tenant_only() -> None:
    later = SAMPLE_START + timedelta(days=30)
    orders = sample_orders(later, tenant="globex")

    assert tuple(orders.search("globex", LineQuery()).items) == sample_lines(later)
    assert orders.search(SAMPLE_TENANT, LineQuery()).total == 0


def test_each_order_source_is_new() -> None:
    first, second = sample_orders(), sample_orders()
    first.add(SAMPLE_TENANT, attrs.evolve(sample_lines()[0], ref=LineRef("SO-9", "1")))

    assert first.search(SAMPLE_TENANT, LineQuery()).total == 6
    assert second.search(SAMPLE_TENANT, LineQuery()).total == 5


def test_each_of_the_staff_may_do_their_job_under_the_default_roles() -> None:
    staff = sample_staff("globex")
    access = RoleBasedAccess(DEFAULT_ROLES)
    jobs = {
        staff.clerk: Permission.CREATE_RETURN,
        staff.approver: Permission.APPROVE_RETURN,
        staff.warehouse: Permission.RECEIVE_GOODS,
        staff.inspector: Permission.INSPECT_GOODS,
        staff.finance: Permission.GRANT_REFUND,
        staff.admin: Permission.MANAGE_REASONS,
    }

    assert all(access.allows(actor, job, None) for actor, job in jobs.items())
    assert not access.allows(staff.clerk, Permission.GRANT_REFUND, None)
    assert {actor.tenant_id for actor in jobs} == {"globex"}
    assert len({actor.id for actor in jobs}) == len(jobs)


def test_a_big_quality_claim_needs_the_manager_and_quality_under_the_sample_policy() -> None:
    settings = ServiceSettings(approval_policy=SAMPLE_POLICY, refund_policy=SAMPLE_REFUND_POLICY)
    service = in_memory_service(sample_orders(), settings)
    request = ReturnRequest([RequestedLine(MONITOR, Decimal(1), "quality_defect")])

    preview = service.preview_return(sample_staff().clerk, request)

    assert [step.name for step in preview.steps] == ["manager", "quality"]


def test_sample_wiring_is_the_sample_shop_wired_for_tests() -> None:
    wiring = sample_wiring()
    staff = sample_staff()

    assert wiring.clock.now() == SAMPLE_START
    assert tuple(wiring.orders.search(SAMPLE_TENANT, LineQuery()).items) == sample_lines()
    assert (wiring.clerk, wiring.approver, wiring.warehouse) == (
        staff.clerk,
        staff.approver,
        staff.warehouse,
    )
    assert (wiring.inspector, wiring.finance, wiring.admin) == (
        staff.inspector,
        staff.finance,
        staff.admin,
    )


@pytest.mark.parametrize("module", ["crm_returns.samples", "crm_returns.labels"])
def test_importing_the_public_module_needs_no_test_tool_or_optional_extra(module: str) -> None:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(  # noqa: S603 - runs this interpreter on fixed arguments
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    tops = {name.split(".")[0] for name in loaded}
    assert tops & {"hypothesis", "pytest", "_pytest", "rich", "sqlalchemy"} == set()
    assert {
        name for name in loaded if name.startswith(("crm_returns.testing", "crm_returns.cli"))
    } == set()
