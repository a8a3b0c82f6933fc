"""The pure domain core: values, rules and the return order's state machine.

Nothing here does I/O, reads a clock, draws random numbers or knows about a
database; time and identifiers are passed in.  ``tests/domain/test_purity.py``
keeps it that way.

Where each rule lives (every folder's ``__init__`` says more):

- ``returns/`` — the return order (退库单): ``states.py`` is the state machine
  as one table; ``returnable.py`` the over-return rule (returnable quantity
  可退数量); ``lines.py`` the unit counts of a line; one module of transitions
  per stage (``drafting``, ``approving``, ``goods``, ``refunding``).
- ``refunds/`` — the refund rule, in reading order: ``paid`` → ``slices`` →
  ``fees`` → ``pricing`` → ``grants`` and ``payments``.
- ``stock/`` — locations, dispositions (处置) and stock moves.
- ``books/`` — the chart of accounts and balanced journal entries.
- ``policies/`` — the host's rules as values: approval steps, their time
  limits, eligibility and access.
- ``notifications/`` — which event notifies whom, on which channel, with
  which template; the default rules.
- ``delivery/`` — each destination's delivery of each event: its states
  and retries.
- ``reasons.py`` — the reason taxonomy (退库原因); ``money.py`` — exact money
  and quantities; ``orders.py`` — the host's delivered lines; ``events.py`` and
  ``audit.py`` — what happened, and the audit trail (操作日志);
  ``queries.py`` — search criteria and pages; ``numbering.py`` — readable numbers.
"""

from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import AuditEntry, audit_entry
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
    ReturnRetired,
    ReturnSubmitted,
)
from crm_returns.domain.money import Money, quantity
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.policies.approval import (
    ApprovalFacts,
    ApprovalPolicy,
    ApprovalRule,
    ApprovalStep,
)
from crm_returns.domain.policies.deadlines import OverdueApproval
from crm_returns.domain.policies.eligibility import (
    DEFAULT_RULES,
    EligibilityContext,
    EligibilityRule,
    MustBeDelivered,
    MustNotBeRefunded,
    ReturnWindow,
)
from crm_returns.domain.reasons import (
    DEFAULT_CATALOG,
    Fault,
    Labels,
    Reason,
    ReasonCatalog,
    ReasonCategory,
)
from crm_returns.domain.returns.lines import (
    NOTE_LIMIT,
    Inspection,
    Receipt,
    RequestedLine,
    ReturnLine,
)
from crm_returns.domain.returns.order import Approval, ReturnOrder, Transition
from crm_returns.domain.returns.returnable import ReturnableLine
from crm_returns.domain.returns.states import TRANSITIONS, Action, ReturnStatus

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
    "ReturnRetired",
    "ReturnStatus",
    "ReturnSubmitted",
    "ReturnWindow",
    "ReturnableLine",
    "Transition",
    "audit_entry",
    "quantity",
]
