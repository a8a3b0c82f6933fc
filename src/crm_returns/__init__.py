"""crm_returns: a complete, correct return workflow (退库 / 退货) for any CRM.

``import crm_returns as cr`` is enough to embed it: the service and its
wiring (:class:`ReturnsService`, :func:`in_memory_service`,
:func:`sql_service`, :class:`ServiceSettings`), every value a command takes or
gives, the ports a host implements, and the values a host builds inputs from
are all here.  Errors live in :mod:`crm_returns.errors` (root
``CrmReturnsError``).

The pure domain loads at once; the service, the ports and the adapters load on
first use, so that ``import crm_returns.domain`` never pulls them in.
``tests/test_public_surface.py`` derives this list from the signatures of the
service and the wiring helpers, and fails when a name is missing.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.books.accounts import DEFAULT_CHART, Account, ChartOfAccounts
from crm_returns.domain.books.journal import AccountBalance, EntryKind, JournalEntry, Posting, Side
from crm_returns.domain.casefile.events import AttachmentAdded
from crm_returns.domain.delivery import (
    DEFAULT_SCHEDULE,
    Attempt,
    Delivery,
    DeliveryStatus,
    Outcome,
    RetrySchedule,
)
from crm_returns.domain.events import (
    ApprovalGiven,
    GoodsReceived,
    LinesInspected,
    RefundGranted,
    RefundPaymentRecorded,
    RefundPaymentSettled,
    RepairFinished,
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
from crm_returns.domain.evidence import Attachment, AttachmentRules, AttachmentSubject
from crm_returns.domain.money import Money, quantity
from crm_returns.domain.notifications import (
    DEFAULT_NOTIFICATION_RULES,
    NotificationChannel,
    NotificationRule,
    NotificationRules,
    Recipient,
    RecipientKind,
)
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.orders import DeliveredLine, LinePricing, LineRef
from crm_returns.domain.policies.access import (
    ADMIN,
    DEFAULT_ROLES,
    AccessPolicy,
    Permission,
    RoleBasedAccess,
)
from crm_returns.domain.policies.approval import ApprovalPolicy, ApprovalRule, ApprovalStep
from crm_returns.domain.policies.deadlines import OverdueApproval
from crm_returns.domain.policies.eligibility import (
    DEFAULT_RULES,
    EligibilityContext,
    EligibilityRule,
    MustBeDelivered,
    MustNotBeRefunded,
    ReturnWindow,
)
from crm_returns.domain.queries import MAX_PAGE_SIZE, LineQuery, Page, ReturnQuery
from crm_returns.domain.reasons import (
    DEFAULT_CATALOG,
    Fault,
    Labels,
    Reason,
    ReasonCatalog,
    ReasonCategory,
)
from crm_returns.domain.refunds.fees import FeeRule, RefundPolicy
from crm_returns.domain.refunds.grants import RefundGrant, RefundMethod
from crm_returns.domain.refunds.paid import spread_order_discount, spread_shipping
from crm_returns.domain.refunds.payments import Payment, PaymentStatus
from crm_returns.domain.refunds.pricing import RefundLine
from crm_returns.domain.retention import (
    AUDIT_ENTRIES,
    CHINA,
    ERASED_TEXT,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    LIBRARY_CLASSES,
    NEUTRAL,
    OUTBOX_MESSAGES,
    OWNED_BY_RETURN,
    PLAN_TRANSITIONS,
    PROFILES,
    RETURN_ORDERS,
    STOCK_MOVES,
    AppraisalLine,
    AppraisalReport,
    Decision,
    ErasureRequest,
    ErasureStatus,
    Expiry,
    FiscalYearEnd,
    HoldScope,
    HoldTarget,
    LegalHold,
    LogBreak,
    LogEntry,
    Operation,
    Period,
    PlanApproval,
    PlanItem,
    PlanStatus,
    PlanStep,
    RecordDates,
    RecordKey,
    RecordState,
    Refusal,
    RetainedRecord,
    RetainUntil,
    RetentionPlan,
    RetentionPolicy,
    RetentionRule,
    Trigger,
    subject_digest,
    surrogate_for,
)
from crm_returns.domain.returns.lines import Inspection, Receipt, RequestedLine, ReturnLine
from crm_returns.domain.returns.order import Approval, ReturnOrder
from crm_returns.domain.returns.returnable import ReturnableLine
from crm_returns.domain.returns.states import TRANSITIONS, Action, ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.domain.stock.moves import MoveReason, StockMove
from crm_returns.domain.summary import ReturnSummary, SummaryLine

if TYPE_CHECKING:
    from crm_returns.adapters.amqp import AmqpDestination, AmqpSettings, declare_topology
    from crm_returns.adapters.attachments import LocalFileAttachmentStore
    from crm_returns.adapters.backups import FileBackups
    from crm_returns.adapters.callables import CallableDestination
    from crm_returns.adapters.memory import (
        MemoryAttachmentStore,
        MemoryBackups,
        MemoryContactDirectory,
        MemoryDatabase,
        MemoryDestination,
        MemoryHostRecords,
        MemoryMailer,
        MemoryOrderSource,
        MemorySmsGateway,
    )
    from crm_returns.adapters.sms import ConsoleSmsGateway
    from crm_returns.adapters.smtp import SmtpMailer, SmtpSecurity, SmtpSettings
    from crm_returns.adapters.webhooks import WebhookDestination, WebhookEndpoint
    from crm_returns.bootstrap import DEFAULT_DATABASE_URL, in_memory_service, sql_service
    from crm_returns.evidence import detect_content_type
    from crm_returns.notifications import (
        EmailNotifier,
        NotificationTemplates,
        SmsNotifier,
        load_notification_rules,
        load_notification_rules_toml,
        load_notification_templates,
    )
    from crm_returns.ports import (
        BackupReference,
        Backups,
        Clock,
        Contact,
        ContactDirectory,
        Destination,
        DestinationState,
        Email,
        IdGenerator,
        Mailer,
        OrderSource,
        OutboxMessage,
        Sms,
        SmsGateway,
        UnitOfWork,
    )
    from crm_returns.ports.retention import (
        Erasure,
        HostRecords,
        RecordKeeper,
        RetentionStore,
        Tombstone,
    )
    from crm_returns.retention_config import (
        load_retention,
        load_retention_json,
        load_retention_toml,
    )
    from crm_returns.service import (
        CREDIT_NOTE_FORMAT,
        ReturnPreview,
        ReturnRequest,
        ReturnsService,
        ServiceSettings,
    )
    from crm_returns.service.delivery import EventRelay
    from crm_returns.service.relay_settings import RelayReport, RelaySettings
    from crm_returns.service.settings import ERASURE_FORMAT, PLAN_FORMAT

#: Names loaded on first use, and the module each comes from.  Those of
#: ``crm_returns.notifications`` need the ``notifications`` extra (Jinja2).
_LAZY = {
    "AmqpDestination": "crm_returns.adapters.amqp",
    "AmqpSettings": "crm_returns.adapters.amqp",
    "AttachmentStore": "crm_returns.ports",
    "BackupReference": "crm_returns.ports",
    "Backups": "crm_returns.ports",
    "CREDIT_NOTE_FORMAT": "crm_returns.service",
    "CallableDestination": "crm_returns.adapters.callables",
    "Clock": "crm_returns.ports",
    "ConsoleSmsGateway": "crm_returns.adapters.sms",
    "Contact": "crm_returns.ports",
    "ContactDirectory": "crm_returns.ports",
    "DEFAULT_DATABASE_URL": "crm_returns.bootstrap",
    "Destination": "crm_returns.ports",
    "DestinationState": "crm_returns.ports",
    "ERASURE_FORMAT": "crm_returns.service.settings",
    "Email": "crm_returns.ports",
    "EmailNotifier": "crm_returns.notifications",
    "Erasure": "crm_returns.ports.retention",
    "EventRelay": "crm_returns.service.delivery",
    "FileBackups": "crm_returns.adapters.backups",
    "HostRecords": "crm_returns.ports.retention",
    "IdGenerator": "crm_returns.ports",
    "Mailer": "crm_returns.ports",
    "LocalFileAttachmentStore": "crm_returns.adapters.attachments",
    "MemoryAttachmentStore": "crm_returns.adapters.memory",
    "MemoryBackups": "crm_returns.adapters.memory",
    "MemoryContactDirectory": "crm_returns.adapters.memory",
    "MemoryDatabase": "crm_returns.adapters.memory",
    "MemoryDestination": "crm_returns.adapters.memory",
    "MemoryHostRecords": "crm_returns.adapters.memory",
    "MemoryMailer": "crm_returns.adapters.memory",
    "MemoryOrderSource": "crm_returns.adapters.memory",
    "MemorySmsGateway": "crm_returns.adapters.memory",
    "NotificationTemplates": "crm_returns.notifications",
    "OrderSource": "crm_returns.ports",
    "OutboxMessage": "crm_returns.ports",
    "PLAN_FORMAT": "crm_returns.service.settings",
    "RecordKeeper": "crm_returns.ports.retention",
    "RelayReport": "crm_returns.service.relay_settings",
    "RelaySettings": "crm_returns.service.relay_settings",
    "RetentionStore": "crm_returns.ports.retention",
    "ReturnPreview": "crm_returns.service",
    "ReturnRequest": "crm_returns.service",
    "ReturnsService": "crm_returns.service",
    "ServiceSettings": "crm_returns.service",
    "Sms": "crm_returns.ports",
    "SmsGateway": "crm_returns.ports",
    "SmsNotifier": "crm_returns.notifications",
    "SmtpMailer": "crm_returns.adapters.smtp",
    "SmtpSecurity": "crm_returns.adapters.smtp",
    "SmtpSettings": "crm_returns.adapters.smtp",
    "Tombstone": "crm_returns.ports.retention",
    "UnitOfWork": "crm_returns.ports",
    "WebhookDestination": "crm_returns.adapters.webhooks",
    "WebhookEndpoint": "crm_returns.adapters.webhooks",
    "declare_topology": "crm_returns.adapters.amqp",
    "in_memory_service": "crm_returns.bootstrap",
    "load_notification_rules": "crm_returns.notifications",
    "load_notification_rules_toml": "crm_returns.notifications",
    "load_notification_templates": "crm_returns.notifications",
    "load_retention": "crm_returns.retention_config",
    "load_retention_json": "crm_returns.retention_config",
    "load_retention_toml": "crm_returns.retention_config",
    "detect_content_type": "crm_returns.evidence",
    "sql_service": "crm_returns.bootstrap",
}

__all__ = [
    "ADMIN",
    "AUDIT_ENTRIES",
    "CHINA",
    "CREDIT_NOTE_FORMAT",
    "DEFAULT_CATALOG",
    "DEFAULT_CHART",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_NOTIFICATION_RULES",
    "DEFAULT_ROLES",
    "DEFAULT_RULES",
    "DEFAULT_SCHEDULE",
    "ERASED_TEXT",
    "ERASURE_FORMAT",
    "IDEMPOTENCY_KEYS",
    "JOURNAL_ENTRIES",
    "LIBRARY_CLASSES",
    "MAX_PAGE_SIZE",
    "NEUTRAL",
    "OUTBOX_MESSAGES",
    "OWNED_BY_RETURN",
    "PLAN_FORMAT",
    "PLAN_TRANSITIONS",
    "PROFILES",
    "RETURN_ORDERS",
    "STOCK_MOVES",
    "TRANSITIONS",
    "AccessPolicy",
    "Account",
    "AccountBalance",
    "Action",
    "Actor",
    "AmqpDestination",
    "AmqpSettings",
    "AppraisalLine",
    "AppraisalReport",
    "Approval",
    "ApprovalGiven",
    "ApprovalPolicy",
    "ApprovalRule",
    "ApprovalStep",
    "Attachment",
    "AttachmentAdded",
    "AttachmentRules",
    "AttachmentStore",
    "AttachmentSubject",
    "Attempt",
    "AuditEntry",
    "BackupReference",
    "Backups",
    "CallableDestination",
    "ChartOfAccounts",
    "Clock",
    "ConsoleSmsGateway",
    "Contact",
    "ContactDirectory",
    "Decision",
    "DeliveredLine",
    "Delivery",
    "DeliveryStatus",
    "Destination",
    "DestinationState",
    "Disposition",
    "EligibilityContext",
    "EligibilityRule",
    "Email",
    "EmailNotifier",
    "EntryKind",
    "Erasure",
    "ErasureRequest",
    "ErasureStatus",
    "EventRelay",
    "Expiry",
    "Fault",
    "FeeRule",
    "FileBackups",
    "FiscalYearEnd",
    "GoodsReceived",
    "HoldScope",
    "HoldTarget",
    "HostRecords",
    "IdGenerator",
    "Inspection",
    "JournalEntry",
    "Labels",
    "LegalHold",
    "LinePricing",
    "LineQuery",
    "LineRef",
    "LinesInspected",
    "LocalFileAttachmentStore",
    "Location",
    "LogBreak",
    "LogEntry",
    "Mailer",
    "MemoryAttachmentStore",
    "MemoryBackups",
    "MemoryContactDirectory",
    "MemoryDatabase",
    "MemoryDestination",
    "MemoryHostRecords",
    "MemoryMailer",
    "MemoryOrderSource",
    "MemorySmsGateway",
    "Money",
    "MoveReason",
    "MustBeDelivered",
    "MustNotBeRefunded",
    "NotificationChannel",
    "NotificationRule",
    "NotificationRules",
    "NotificationTemplates",
    "NumberFormat",
    "Operation",
    "OrderSource",
    "OutboxMessage",
    "Outcome",
    "OverdueApproval",
    "Page",
    "Payment",
    "PaymentStatus",
    "Period",
    "Permission",
    "PlanApproval",
    "PlanItem",
    "PlanStatus",
    "PlanStep",
    "Posting",
    "Reason",
    "ReasonCatalog",
    "ReasonCategory",
    "Receipt",
    "Recipient",
    "RecipientKind",
    "RecordDates",
    "RecordKeeper",
    "RecordKey",
    "RecordState",
    "RefundGrant",
    "RefundGranted",
    "RefundLine",
    "RefundMethod",
    "RefundPaymentRecorded",
    "RefundPaymentSettled",
    "RefundPolicy",
    "Refusal",
    "RejectOutcome",
    "RelayReport",
    "RelaySettings",
    "RepairFinished",
    "RequestedLine",
    "RetainUntil",
    "RetainedRecord",
    "RetentionPlan",
    "RetentionPolicy",
    "RetentionRule",
    "RetentionStore",
    "RetrySchedule",
    "ReturnApproved",
    "ReturnCancelled",
    "ReturnCompleted",
    "ReturnDrafted",
    "ReturnEvent",
    "ReturnLine",
    "ReturnLinesEdited",
    "ReturnOrder",
    "ReturnPreview",
    "ReturnQuery",
    "ReturnRejected",
    "ReturnRequest",
    "ReturnRetired",
    "ReturnStatus",
    "ReturnSubmitted",
    "ReturnSummary",
    "ReturnWindow",
    "ReturnableLine",
    "ReturnsService",
    "RoleBasedAccess",
    "ServiceSettings",
    "Side",
    "Sms",
    "SmsGateway",
    "SmsNotifier",
    "SmtpMailer",
    "SmtpSecurity",
    "SmtpSettings",
    "StockMove",
    "SummaryLine",
    "Tombstone",
    "Trigger",
    "UnitOfWork",
    "WebhookDestination",
    "WebhookEndpoint",
    "declare_topology",
    "detect_content_type",
    "in_memory_service",
    "load_notification_rules",
    "load_notification_rules_toml",
    "load_notification_templates",
    "load_retention",
    "load_retention_json",
    "load_retention_toml",
    "quantity",
    "spread_order_discount",
    "spread_shipping",
    "sql_service",
    "subject_digest",
    "surrogate_for",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crm_returns' has no attribute {name!r}")
    try:
        loaded = import_module(module)
    except ModuleNotFoundError as error:
        if module != "crm_returns.notifications":
            raise
        raise ModuleNotFoundError(
            f"crm_returns.{name} needs the notifications extra (Jinja2): "
            "pip install 'crm-returns[notifications]'",
            name=error.name,
        ) from error
    value = getattr(loaded, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
