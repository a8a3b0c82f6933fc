"""Wiring: one function that builds a service from explicit parts."""

from __future__ import annotations

from collections.abc import Sequence

from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.system import SystemClock, UuidIds
from crm_returns.domain.approval import ApprovalPolicy
from crm_returns.domain.eligibility import DEFAULT_RULES, EligibilityRule
from crm_returns.domain.numbering import NumberFormat
from crm_returns.ports import Clock, IdGenerator, OrderSource
from crm_returns.service.service import ReturnsService

__all__ = ["in_memory_service"]


def in_memory_service(
    orders: OrderSource,
    *,
    database: MemoryDatabase | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    approval_policy: ApprovalPolicy | None = None,
    eligibility_rules: Sequence[EligibilityRule] = DEFAULT_RULES,
    number_format: NumberFormat | None = None,
) -> ReturnsService:
    """A service keeping returns in memory, over the host's ``orders``.

    Args:
        orders: The host's delivered order lines.
        database: Where returns live; a new, empty one when not given.
        clock: The system clock (UTC) when not given.
        ids: Random UUIDs when not given.
        approval_policy: No approval steps (everything auto-approved) when not given.
        eligibility_rules: The default rules when not given.
        number_format: ``RT-YYYYMMDD-NNNNNN`` when not given.
    """
    database = database or MemoryDatabase()
    return ReturnsService(
        orders=orders,
        unit_of_work=database.unit_of_work,
        clock=clock or SystemClock(),
        ids=ids or UuidIds(),
        approval_policy=approval_policy,
        eligibility_rules=eligibility_rules,
        number_format=number_format,
    )
