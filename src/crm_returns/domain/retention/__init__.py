"""Retiring records (退库 of records): keep what the law needs, let go of the rest.

- ``classes.py`` — record classes (the library's own; a host names its own),
  record keys and states: active, archived, destroyed.
- ``periods.py`` — periods in calendar years, months and days, or permanent;
  the fiscal year's end.
- ``rules.py`` — retention rules and the policy that computes a record's
  retain-until (the latest of every rule that applies wins).
- ``profiles.py`` — the shipped profiles: companies in China (each rule with
  its legal basis and legal minimum) and a neutral one.
- ``holds.py`` — legal holds, and the open matters that hold by themselves.
- ``decisions.py`` — :func:`decide`: what is due for one record today, and
  every reason it is kept (retention, hold, open matter, references).
- ``plans.py`` — the retention plan's state machine as one table (proposed →
  approved → applying → applied), approvals with separation of duties.
- ``erasure.py`` — erasure requests, the customer's digest and surrogate,
  and :func:`scrubbed`, which replaces personal strings and keeps the facts.
- ``oplog.py`` — the hash-chained operation log and :func:`verify_log`.
- ``appraisal.py`` — the appraisal report (鉴定意见): a sweep's decisions tallied.
"""

from crm_returns.domain.retention.appraisal import KEPT, AppraisalLine, AppraisalReport, Tally
from crm_returns.domain.retention.classes import (
    ATTACHMENTS,
    AUDIT_ENTRIES,
    CASE_FILE_CLASSES,
    CASE_FILE_COUNTS,
    CONTACTS,
    FEEDBACK,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    LIBRARY_CLASSES,
    OUTBOX_MESSAGES,
    OWNED_BY_RETURN,
    RETURN_ORDERS,
    RETURN_REQUESTS,
    SHIPMENTS,
    STOCK_MOVES,
    RecordKey,
    RecordState,
    checked_class,
)
from crm_returns.domain.retention.decisions import Decision, RetainedRecord, decide
from crm_returns.domain.retention.erasure import (
    ERASED_TEXT,
    ErasureRequest,
    ErasureStatus,
    Refusal,
    erased_order,
    scrubbed,
    subject_digest,
    surrogate_for,
)
from crm_returns.domain.retention.holds import (
    HoldScope,
    HoldTarget,
    LegalHold,
    open_matters,
    released,
)
from crm_returns.domain.retention.oplog import (
    GENESIS,
    LogBreak,
    LogEntry,
    Operation,
    sealed,
    verify_log,
)
from crm_returns.domain.retention.periods import FiscalYearEnd, Period
from crm_returns.domain.retention.plans import (
    PLAN_TRANSITIONS,
    PlanApproval,
    PlanItem,
    PlanStatus,
    PlanStep,
    RetentionPlan,
    advanced,
    approve_plan,
    cancel_plan,
    finish_plan,
    start_plan,
)
from crm_returns.domain.retention.profiles import CHINA, NEUTRAL, PROFILES
from crm_returns.domain.retention.rules import (
    Expiry,
    RecordDates,
    RetainUntil,
    RetentionPolicy,
    RetentionRule,
    Trigger,
)

__all__ = [
    "ATTACHMENTS",
    "AUDIT_ENTRIES",
    "CASE_FILE_CLASSES",
    "CASE_FILE_COUNTS",
    "CHINA",
    "CONTACTS",
    "ERASED_TEXT",
    "FEEDBACK",
    "GENESIS",
    "IDEMPOTENCY_KEYS",
    "JOURNAL_ENTRIES",
    "KEPT",
    "LIBRARY_CLASSES",
    "NEUTRAL",
    "OUTBOX_MESSAGES",
    "OWNED_BY_RETURN",
    "PLAN_TRANSITIONS",
    "PROFILES",
    "RETURN_ORDERS",
    "RETURN_REQUESTS",
    "SHIPMENTS",
    "STOCK_MOVES",
    "AppraisalLine",
    "AppraisalReport",
    "Decision",
    "ErasureRequest",
    "ErasureStatus",
    "Expiry",
    "FiscalYearEnd",
    "HoldScope",
    "HoldTarget",
    "LegalHold",
    "LogBreak",
    "LogEntry",
    "Operation",
    "Period",
    "PlanApproval",
    "PlanItem",
    "PlanStatus",
    "PlanStep",
    "RecordDates",
    "RecordKey",
    "RecordState",
    "Refusal",
    "RetainUntil",
    "RetainedRecord",
    "RetentionPlan",
    "RetentionPolicy",
    "RetentionRule",
    "Tally",
    "Trigger",
    "advanced",
    "approve_plan",
    "cancel_plan",
    "checked_class",
    "decide",
    "erased_order",
    "finish_plan",
    "open_matters",
    "released",
    "scrubbed",
    "sealed",
    "start_plan",
    "subject_digest",
    "surrogate_for",
    "verify_log",
]
