"""The shipped retention profiles: companies in China, and a neutral one for elsewhere.

Each rule of :data:`CHINA` names its legal basis, and its period is the
legal minimum: a configuration may keep records longer, never shorter
(:class:`~crm_returns.domain.retention.rules.RetentionRule` refuses it).

========================  =========================  ====================================
class                     kept                       legal basis
========================  =========================  ====================================
journal_entries           30 years from FY end       会计档案管理办法 (2015) 第十四条, 附表一
stock_moves               30 years from FY end       ibid. (会计账簿: 明细账)
monthly_reports, …        10 years from FY end       ibid. 附表一; 税收征收管理法实施细则 第二十九条
annual_reports, …         permanent                  ibid. 附表一
return_orders             3 years from completion    电子商务法 第三十一条
audit_entries             3 years from completion    电子商务法 第三十一条
return_requests, …        3 years from completion    电子商务法 第三十一条 (交易信息)
contacts                  3 years from completion    ibid.; 个人信息保护法 第十九条
feedback                  3 years from completion    个人信息保护法 第十九条 (own period)
========================  =========================  ====================================

The case file's records are owned by their return: a return's request, its
shipments and tracking, its attachments and the contact log are the
transaction's and the after-sale service's records (交易信息), kept like the
return; the contact log also holds personal information, kept no longer than
that purpose needs.  Feedback is not a transaction record: its period is the
business's own (a configuration may shorten it), and since it goes with its
return it is never destroyed before the return is; erasure removes its comment.

The classes the library does not store itself (reports, tax records,
destruction registers, appraisal opinions, customers, orders) are the host's,
served through the host-record port; the library's own destruction register
and appraisal reports are never destroyed at all.

These are a starting point prepared from the texts cited, not legal advice:
the host's counsel confirms them (see ``docs/retention.md``).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from crm_returns.domain.retention.classes import (
    ATTACHMENTS,
    AUDIT_ENTRIES,
    CONTACTS,
    FEEDBACK,
    IDEMPOTENCY_KEYS,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    RETURN_ORDERS,
    RETURN_REQUESTS,
    SHIPMENTS,
    STOCK_MOVES,
)
from crm_returns.domain.retention.periods import Period
from crm_returns.domain.retention.rules import Expiry, RetentionPolicy, RetentionRule, Trigger

__all__ = ["CHINA", "NEUTRAL", "PROFILES"]

#: 会计档案管理办法（财政部、国家档案局令第79号，2015年）第十四条及附表一.
ACCOUNTING_ARCHIVES = "会计档案管理办法（2015）第十四条、附表一"
#: 税收征收管理法实施细则 第二十九条: books, vouchers and tax records ten years.
TAX_RECORDS = "税收征收管理法实施细则 第二十九条"
#: 电子商务法 第三十一条: transaction records at least three years after completion.
E_COMMERCE = "电子商务法 第三十一条"
#: 个人信息保护法 第十九条: kept no longer than its purpose needs.
PERSONAL_INFORMATION = "个人信息保护法 第十九条"

_FY, _DONE, _MADE = Trigger.FISCAL_YEAR_END, Trigger.COMPLETION, Trigger.CREATION


def _legal(
    record_class: str, period: Period, runs_from: Trigger, on_expiry: Expiry, basis: str
) -> RetentionRule:
    """A rule whose period is the legal minimum it cites."""
    return RetentionRule(
        record_class, period, runs_from, on_expiry, legal_basis=basis, legal_minimum=period
    )


def _own(
    record_class: str,
    period: Period,
    runs_from: Trigger,
    on_expiry: Expiry,
    maximum: Period | None = None,
    basis: str = "",
) -> RetentionRule:
    """A rule of the business's own, which a configuration may shorten."""
    return RetentionRule(
        record_class, period, runs_from, on_expiry, maximum=maximum, legal_basis=basis
    )


_30_YEARS, _10_YEARS, _3_YEARS = Period(years=30), Period(years=10), Period(years=3)
_FOREVER = Period.forever()

#: Companies in China: accounting archives, tax records and e-commerce records.
CHINA: Final = RetentionPolicy(
    "china",
    (
        _legal(JOURNAL_ENTRIES, _30_YEARS, _FY, Expiry.DESTROY, ACCOUNTING_ARCHIVES),
        _legal(STOCK_MOVES, _30_YEARS, _FY, Expiry.DESTROY, ACCOUNTING_ARCHIVES),
        _legal(RETURN_ORDERS, _3_YEARS, _DONE, Expiry.DESTROY, E_COMMERCE),
        _legal(AUDIT_ENTRIES, _3_YEARS, _DONE, Expiry.DESTROY, E_COMMERCE),
        _legal(RETURN_REQUESTS, _3_YEARS, _DONE, Expiry.DESTROY, E_COMMERCE),
        _legal(SHIPMENTS, _3_YEARS, _DONE, Expiry.DESTROY, E_COMMERCE),
        _legal(ATTACHMENTS, _3_YEARS, _DONE, Expiry.DESTROY, E_COMMERCE),
        _legal(CONTACTS, _3_YEARS, _DONE, Expiry.DESTROY, f"{E_COMMERCE}; {PERSONAL_INFORMATION}"),
        _own(FEEDBACK, _3_YEARS, _DONE, Expiry.DESTROY, basis=PERSONAL_INFORMATION),
        _legal("monthly_reports", _10_YEARS, _FY, Expiry.DESTROY, ACCOUNTING_ARCHIVES),
        _legal("quarterly_reports", _10_YEARS, _FY, Expiry.DESTROY, ACCOUNTING_ARCHIVES),
        _legal("tax_records", _10_YEARS, _FY, Expiry.DESTROY, TAX_RECORDS),
        _legal("annual_reports", _FOREVER, _FY, Expiry.REVIEW, ACCOUNTING_ARCHIVES),
        _legal("destruction_registers", _FOREVER, _MADE, Expiry.REVIEW, ACCOUNTING_ARCHIVES),
        _legal("appraisal_opinions", _FOREVER, _MADE, Expiry.REVIEW, ACCOUNTING_ARCHIVES),
        _legal("orders", _3_YEARS, _DONE, Expiry.DESTROY, E_COMMERCE),
        _own(
            "customers",
            _3_YEARS,
            Trigger.RELATIONSHIP_ENDED,
            Expiry.ERASE,
            basis=f"{E_COMMERCE}; {PERSONAL_INFORMATION}",
        ),
        _own(OUTBOX_MESSAGES, Period(days=180), _MADE, Expiry.DESTROY, basis=PERSONAL_INFORMATION),
        _own(IDEMPOTENCY_KEYS, Period(days=30), _MADE, Expiry.DESTROY),
    ),
)

#: Hosts elsewhere: the business's own periods, none claiming a law; set yours.
NEUTRAL: Final = RetentionPolicy(
    "neutral",
    (
        _own(JOURNAL_ENTRIES, Period(years=10), _FY, Expiry.DESTROY),
        _own(STOCK_MOVES, Period(years=10), _FY, Expiry.DESTROY),
        _own(RETURN_ORDERS, Period(years=6), _DONE, Expiry.DESTROY),
        _own(AUDIT_ENTRIES, Period(years=6), _DONE, Expiry.DESTROY),
        *(
            _own(name, Period(years=6), _DONE, Expiry.DESTROY)
            for name in (RETURN_REQUESTS, SHIPMENTS, ATTACHMENTS, CONTACTS, FEEDBACK)
        ),
        _own("customers", Period(years=2), Trigger.RELATIONSHIP_ENDED, Expiry.ERASE),
        _own(OUTBOX_MESSAGES, Period(days=90), _MADE, Expiry.DESTROY),
        _own(IDEMPOTENCY_KEYS, Period(days=30), _MADE, Expiry.DESTROY),
    ),
)

#: The shipped profiles by name.
PROFILES: Final = MappingProxyType({CHINA.profile: CHINA, NEUTRAL.profile: NEUTRAL})
