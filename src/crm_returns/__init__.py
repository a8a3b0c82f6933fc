"""crm_returns: a complete, correct return workflow (退库 / 退货) for any CRM.

Start with :class:`ReturnsService`; wire it with
:func:`crm_returns.bootstrap.in_memory_service` or your own adapters.  The
values it takes and gives are re-exported here; errors live in
:mod:`crm_returns.errors`.
"""

from typing import TYPE_CHECKING

from crm_returns.domain import (
    DEFAULT_CATALOG,
    Action,
    Actor,
    ApprovalPolicy,
    ApprovalRule,
    ApprovalStep,
    AuditEntry,
    DeliveredLine,
    EligibilityContext,
    EligibilityRule,
    Fault,
    Inspection,
    LineRef,
    Money,
    NumberFormat,
    OverdueApproval,
    Reason,
    ReasonCatalog,
    ReasonCategory,
    Receipt,
    RequestedLine,
    ReturnableLine,
    ReturnLine,
    ReturnOrder,
    ReturnStatus,
    ReturnWindow,
)
from crm_returns.domain.queries import LineQuery, Page, ReturnQuery

if TYPE_CHECKING:
    from crm_returns.bootstrap import in_memory_service, sql_service
    from crm_returns.service import ReturnPreview, ReturnRequest, ReturnsService

__all__ = [
    "DEFAULT_CATALOG",
    "Action",
    "Actor",
    "ApprovalPolicy",
    "ApprovalRule",
    "ApprovalStep",
    "AuditEntry",
    "DeliveredLine",
    "EligibilityContext",
    "EligibilityRule",
    "Fault",
    "Inspection",
    "LineQuery",
    "LineRef",
    "Money",
    "NumberFormat",
    "OverdueApproval",
    "Page",
    "Reason",
    "ReasonCatalog",
    "ReasonCategory",
    "Receipt",
    "RequestedLine",
    "ReturnLine",
    "ReturnOrder",
    "ReturnPreview",
    "ReturnQuery",
    "ReturnRequest",
    "ReturnStatus",
    "ReturnWindow",
    "ReturnableLine",
    "ReturnsService",
    "in_memory_service",
    "sql_service",
]

__version__ = "0.1.0"

_SERVICE_NAMES = frozenset({"ReturnPreview", "ReturnRequest", "ReturnsService"})
_BOOTSTRAP_NAMES = frozenset({"in_memory_service", "sql_service"})


def __getattr__(name: str) -> object:
    # The service layer loads on first use, so that importing the pure domain
    # (crm_returns.domain) never pulls in ports, adapters or the service.
    if name in _SERVICE_NAMES:
        from crm_returns import service

        return getattr(service, name)
    if name in _BOOTSTRAP_NAMES:
        from crm_returns import bootstrap

        return getattr(bootstrap, name)
    raise AttributeError(f"module 'crm_returns' has no attribute {name!r}")
