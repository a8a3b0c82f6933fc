"""Retiring records (退库 of records): keep what the law needs, let go of the rest.

- ``classes.py`` — record classes (the library's own; a host names its own),
  record keys and states: active, archived, destroyed.
- ``periods.py`` — periods in calendar years, months and days, or permanent;
  the fiscal year's end.
- ``rules.py`` — retention rules and the policy that computes a record's
  retain-until (the latest of every rule that applies wins).
- ``profiles.py`` — the shipped profiles: companies in China (each rule with
  its legal basis and legal minimum) and a neutral one.
"""

from crm_returns.domain.retention.classes import (
    AUDIT_ENTRIES,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    LIBRARY_CLASSES,
    OUTBOX_MESSAGES,
    OWNED_BY_RETURN,
    RETURN_ORDERS,
    STOCK_MOVES,
    RecordKey,
    RecordState,
    checked_class,
)
from crm_returns.domain.retention.periods import FiscalYearEnd, Period
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
    "AUDIT_ENTRIES",
    "CHINA",
    "IDEMPOTENCY_KEYS",
    "JOURNAL_ENTRIES",
    "LIBRARY_CLASSES",
    "NEUTRAL",
    "OUTBOX_MESSAGES",
    "OWNED_BY_RETURN",
    "PROFILES",
    "RETURN_ORDERS",
    "STOCK_MOVES",
    "Expiry",
    "FiscalYearEnd",
    "Period",
    "RecordDates",
    "RecordKey",
    "RecordState",
    "RetainUntil",
    "RetentionPolicy",
    "RetentionRule",
    "Trigger",
    "checked_class",
]
