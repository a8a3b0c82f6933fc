"""Wiring: functions that build a service from explicit parts.

Nothing is built at import time; each call makes a new service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from crm_returns.adapters.memory import MemoryDatabase
from crm_returns.adapters.system import SystemClock, UuidIds
from crm_returns.domain.books.accounts import DEFAULT_CHART, ChartOfAccounts
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.policies.approval import ApprovalPolicy
from crm_returns.domain.policies.eligibility import DEFAULT_RULES, EligibilityRule
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.ports import Clock, IdGenerator, OrderSource, UnitOfWork
from crm_returns.service.service import ReturnsService

__all__ = ["DEFAULT_DATABASE_URL", "in_memory_service", "sql_service"]

#: Where :func:`sql_service` keeps returns when no URL is given: a SQLite file.
DEFAULT_DATABASE_URL = "sqlite:///crm-returns.sqlite3"


def _service(
    orders: OrderSource,
    unit_of_work: Callable[[], UnitOfWork],
    *,
    clock: Clock | None,
    ids: IdGenerator | None,
    approval_policy: ApprovalPolicy | None,
    eligibility_rules: Sequence[EligibilityRule],
    number_format: NumberFormat | None,
    refund_policy: RefundPolicy | None,
    chart: ChartOfAccounts,
) -> ReturnsService:
    return ReturnsService(
        orders=orders,
        unit_of_work=unit_of_work,
        clock=clock or SystemClock(),
        ids=ids or UuidIds(),
        approval_policy=approval_policy,
        eligibility_rules=eligibility_rules,
        number_format=number_format,
        refund_policy=refund_policy,
        chart=chart,
    )


def in_memory_service(
    orders: OrderSource,
    *,
    database: MemoryDatabase | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    approval_policy: ApprovalPolicy | None = None,
    eligibility_rules: Sequence[EligibilityRule] = DEFAULT_RULES,
    number_format: NumberFormat | None = None,
    refund_policy: RefundPolicy | None = None,
    chart: ChartOfAccounts = DEFAULT_CHART,
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
        refund_policy: No fees; shipping refunded when the seller or carrier is at fault.
        chart: The accounts journal entries post to.
    """
    database = database or MemoryDatabase()
    return _service(
        orders,
        database.unit_of_work,
        clock=clock,
        ids=ids,
        approval_policy=approval_policy,
        eligibility_rules=eligibility_rules,
        number_format=number_format,
        refund_policy=refund_policy,
        chart=chart,
    )


def sql_service(
    orders: OrderSource,
    url: str = DEFAULT_DATABASE_URL,
    *,
    migrate: bool = True,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    approval_policy: ApprovalPolicy | None = None,
    eligibility_rules: Sequence[EligibilityRule] = DEFAULT_RULES,
    number_format: NumberFormat | None = None,
    refund_policy: RefundPolicy | None = None,
    chart: ChartOfAccounts = DEFAULT_CHART,
) -> ReturnsService:
    """A service keeping returns in a SQL database (needs the ``sql`` extra).

    Args:
        orders: The host's delivered order lines.
        url: A SQLAlchemy URL: ``sqlite:///path.db`` (the default, a file in the
            working directory) for one process, or
            ``postgresql+psycopg://user@host/db`` (extra ``postgres``) for several
            application instances sharing one database.
        migrate: Apply the packaged migrations first (idempotent).
        clock: The system clock (UTC) when not given.
        ids: Random UUIDs when not given (unique across processes).
        approval_policy: No approval steps when not given.
        eligibility_rules: The default rules when not given.
        number_format: ``RT-YYYYMMDD-NNNNNN`` when not given.
        refund_policy: No fees; shipping refunded when the seller or carrier is at fault.
        chart: The accounts journal entries post to.

    Raises:
        StorageError: The database cannot be reached or the URL is not supported.
    """
    from crm_returns.adapters.sql import SqlDatabase  # the sql extra, only when asked for

    database = SqlDatabase.connect(url)
    if migrate:
        database.upgrade()
    return _service(
        orders,
        database.unit_of_work,
        clock=clock,
        ids=ids,
        approval_policy=approval_policy,
        eligibility_rules=eligibility_rules,
        number_format=number_format,
        refund_policy=refund_policy,
        chart=chart,
    )
