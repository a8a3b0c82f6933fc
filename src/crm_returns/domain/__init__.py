"""The pure domain core: values, rules and the return order's state machine.

Nothing here does I/O, reads a clock, draws random numbers or knows about a
database; time and identifiers are passed in.  ``tests/domain/test_purity.py``
keeps it that way.
"""

from crm_returns.domain.actors import Actor
from crm_returns.domain.approval import ApprovalFacts, ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.audit import AuditEntry, audit_entry
from crm_returns.domain.deadlines import OverdueApproval
from crm_returns.domain.eligibility import (
    DEFAULT_RULES,
    EligibilityContext,
    EligibilityRule,
    MustBeDelivered,
    MustNotBeRefunded,
    ReturnWindow,
)
from crm_returns.domain.events import (
    ApprovalGiven,
    GoodsReceived,
    LinesInspected,
    ReturnApproved,
    ReturnCancelled,
    ReturnCompleted,
    ReturnDrafted,
    ReturnEvent,
    ReturnLinesEdited,
    ReturnRejected,
    ReturnSubmitted,
)
from crm_returns.domain.lines import NOTE_LIMIT, Inspection, Receipt, RequestedLine, ReturnLine
from crm_returns.domain.money import Money, quantity
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.planning import ReturnableLine
from crm_returns.domain.reasons import (
    DEFAULT_CATALOG,
    Fault,
    Labels,
    Reason,
    ReasonCatalog,
    ReasonCategory,
)
from crm_returns.domain.returns import Approval, ReturnOrder, Transition
from crm_returns.domain.states import TRANSITIONS, Action, ReturnStatus

__all__ = [
    "DEFAULT_CATALOG",
    "DEFAULT_RULES",
    "NOTE_LIMIT",
    "TRANSITIONS",
    "Action",
    "Actor",
    "Approval",
    "ApprovalFacts",
    "ApprovalGiven",
    "ApprovalPolicy",
    "ApprovalRule",
    "ApprovalStep",
    "AuditEntry",
    "DeliveredLine",
    "EligibilityContext",
    "EligibilityRule",
    "Fault",
    "GoodsReceived",
    "Inspection",
    "Labels",
    "LineRef",
    "LinesInspected",
    "Money",
    "MustBeDelivered",
    "MustNotBeRefunded",
    "NumberFormat",
    "OverdueApproval",
    "Reason",
    "ReasonCatalog",
    "ReasonCategory",
    "Receipt",
    "RequestedLine",
    "ReturnApproved",
    "ReturnCancelled",
    "ReturnCompleted",
    "ReturnDrafted",
    "ReturnEvent",
    "ReturnLine",
    "ReturnLinesEdited",
    "ReturnOrder",
    "ReturnRejected",
    "ReturnStatus",
    "ReturnSubmitted",
    "ReturnWindow",
    "ReturnableLine",
    "Transition",
    "audit_entry",
    "quantity",
]
