"""Labels of the library's values, in Chinese and English, and the :class:`Phrasebook`.

Each table maps a language to labels keyed by a stable key, usually the
``value`` of an enum member (:class:`~crm_returns.ReturnStatus`,
:class:`~crm_returns.Action`, :class:`~crm_returns.domain.stock.Location`,
:class:`~crm_returns.domain.policies.access.Permission`, ...).  They are written one
key per line with both languages side by side, so that a missing translation
shows.  Reason labels are not here: they come from
the tenant's :class:`~crm_returns.ReasonCatalog`, which a tenant can relabel;
account names come from the :class:`~crm_returns.domain.books.accounts.ChartOfAccounts`.
:class:`Phrasebook` looks words and labels up for one language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from crm_returns.cli.words import LANGUAGES, SCENARIO, WORDS, Language
from crm_returns.domain.books.accounts import Account
from crm_returns.domain.books.journal import EntryKind
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.domain.stock.moves import MoveReason

__all__ = [
    "ACTIONS",
    "DETAIL_FIELDS",
    "DISPOSITIONS",
    "ENTRY_KINDS",
    "LANGUAGES",
    "LOCALES",
    "LOCATIONS",
    "MOVE_REASONS",
    "PAYMENT_STATUSES",
    "PERMISSIONS",
    "QUANTITY_WORDS",
    "REFUND_METHODS",
    "REJECT_OUTCOMES",
    "SCENARIO",
    "STATUSES",
    "STEPS",
    "WORDS",
    "Language",
    "Phrasebook",
]

_Labels = dict[Language, dict[str, str]]


def _bilingual(pairs: Mapping[str, tuple[str, str]]) -> _Labels:
    """``{key: (zh, en)}`` as one table per language."""
    return {
        "zh": {key: zh for key, (zh, _) in pairs.items()},
        "en": {key: en for key, (_, en) in pairs.items()},
    }


#: The reason-catalog locale of each language.
LOCALES: Final[dict[Language, str]] = {"zh": "zh-CN", "en": "en"}

#: Return statuses, keyed by :attr:`ReturnStatus.value`.
STATUSES: Final = _bilingual({
    "draft": ("草稿", "Draft"),
    "submitted": ("待审批", "Submitted"),
    "approved": ("已批准", "Approved"),
    "rejected": ("已驳回", "Rejected"),
    "partially_received": ("部分收货", "Partially received"),
    "received": ("已收货", "Received"),
    "inspected": ("已质检", "Inspected"),
    "completed": ("已完成", "Completed"),
    "cancelled": ("已取消", "Cancelled"),
})  # fmt: skip

#: Actions on a return, keyed by :attr:`Action.value`.
ACTIONS: Final = _bilingual({
    "draft": ("创建退货单", "Create draft"),
    "edit": ("修改明细", "Edit lines"),
    "submit": ("提交", "Submit"),
    "approve": ("审批通过", "Approve"),
    "reject": ("驳回", "Reject"),
    "cancel": ("取消", "Cancel"),
    "receive": ("收货", "Receive goods"),
    "inspect": ("质检", "Inspect"),
    "complete": ("完成退货", "Complete"),
    "finish_repair": ("维修完成", "Finish repair"),
    "grant_refund": ("核定退款", "Grant refund"),
    "record_payment": ("发起退款付款", "Record payment"),
    "settle_payment": ("确认付款结果", "Settle payment"),
    "denied": ("越权操作被拒绝", "Denied (not permitted)"),
})  # fmt: skip

#: What an actor may be allowed to do, keyed by :attr:`Permission.value`.
PERMISSIONS: Final = _bilingual({
    "view_returns": ("查看退货单", "view returns"),
    "create_return": ("创建退货单", "create returns"),
    "edit_return": ("修改退货单", "edit returns"),
    "submit_return": ("提交退货单", "submit returns"),
    "approve_return": ("审批退货单", "approve returns"),
    "cancel_return": ("取消退货单", "cancel returns"),
    "receive_goods": ("收货", "receive goods"),
    "inspect_goods": ("质检", "inspect goods"),
    "finish_repair": ("维修完成", "finish repairs"),
    "grant_refund": ("核定退款", "grant refunds"),
    "pay_refund": ("退款付款", "pay refunds"),
    "complete_return": ("完成退货", "complete returns"),
    "manage_reasons": ("管理退货原因", "manage reasons"),
    "view_books": ("查看账簿", "view the books"),
    "view_audit": ("查看审计记录", "view the audit trail"),
})  # fmt: skip

#: Approval steps of the sample policy, by step name; other names show as they are.
STEPS: Final = _bilingual({
    "manager": ("经理审批", "Manager approval"),
    "quality": ("质量审批", "Quality approval"),
})  # fmt: skip

#: Names of the audit detail fields (see :class:`~crm_returns.AuditEntry`).
DETAIL_FIELDS: Final = _bilingual({
    "lines": ("明细", "lines"),
    "policy_version": ("审批策略版本", "policy"),
    "steps": ("审批节点", "steps"),
    "step": ("审批节点", "step"),
    "receipts": ("收货", "receipts"),
    "inspections": ("质检", "inspections"),
    "refund": ("退款", "refund"),
    "line": ("明细", "line"),
    "units": ("数量", "units"),
    "outcome": ("去向", "outcome"),
    "method": ("退款方式", "method"),
    "amount": ("金额", "amount"),
    "fee": ("手续费", "fee"),
    "credit_note": ("红字凭证", "credit note"),
    "missing_units_refunded": ("未到货而退款的数量", "missing units refunded"),
    "payment_id": ("付款单号", "payment"),
    "reference": ("支付流水号", "reference"),
    "status": ("结果", "status"),
    "permission": ("所需权限", "permission"),
})  # fmt: skip

#: Quantities, flags and choices named inside receipt and inspection details.
QUANTITY_WORDS: Final = _bilingual({
    "received": ("收到", "received"),
    "damaged_in_transit": ("运输损坏", "damaged in transit"),
    "wrong_item": ("错发", "wrong item"),
    "missing": ("缺失", "missing"),
    "serial_numbers": ("序列号", "serial numbers"),
    "lot": ("批次", "lot"),
    "accepted": ("合格", "accepted"),
    "rejected": ("不合格", "rejected"),
    "needs_review": ("待复核", "needs review"),
    "note": ("备注", "note"),
    "disposition": ("处置", "disposition"),
    "dispositions": ("处置", "dispositions"),
    "rejected_outcome": ("不合格品", "rejected units"),
})  # fmt: skip

#: Stock locations, keyed by :attr:`Location.value`.
LOCATIONS: Final = _bilingual({
    "customer": ("客户", "Customer"),
    "receiving": ("退货收货区", "Returns receiving"),
    "sellable": ("可售库存", "Sellable stock"),
    "quarantine": ("隔离区", "Quarantine"),
    "repair": ("维修区", "Repair"),
    "scrap": ("报废", "Scrap"),
    "vendor": ("供应商", "Vendor"),
})  # fmt: skip

#: What happens to accepted units, keyed by :attr:`Disposition.value`.
DISPOSITIONS: Final = _bilingual({
    "restock": ("重新上架", "restock"),
    "repair": ("送修", "repair"),
    "quarantine": ("隔离", "quarantine"),
    "scrap": ("报废", "scrap"),
    "return_to_vendor": ("退供应商", "return to vendor"),
})  # fmt: skip

#: What happens to rejected units, keyed by :attr:`RejectOutcome.value`.
REJECT_OUTCOMES: Final = _bilingual({
    "keep_in_quarantine": ("留在隔离区", "keep in quarantine"),
    "send_back": ("退回客户", "back to customer"),
})  # fmt: skip

#: Why stock moved, for the reasons that are not a disposition or outcome.
MOVE_REASONS: Final = _bilingual({
    "receipt": ("收货", "receipt"),
    "repaired_restock": ("修好后重新上架", "repaired, restocked"),
    "repaired_scrap": ("维修后报废", "scrapped after repair"),
})  # fmt: skip

#: Refund methods, keyed by :attr:`RefundMethod.value`.
REFUND_METHODS: Final = _bilingual({
    "original_payment": ("原路退回", "original payment"),
    "store_credit": ("店铺余额", "store credit"),
    "replacement": ("换货", "replacement"),
})  # fmt: skip

#: Refund payment statuses, keyed by :attr:`PaymentStatus.value`.
PAYMENT_STATUSES: Final = _bilingual({
    "pending": ("处理中", "pending"),
    "succeeded": ("成功", "succeeded"),
    "failed": ("失败", "failed"),
})  # fmt: skip

#: Kinds of journal entry, keyed by :attr:`EntryKind.value`.
ENTRY_KINDS: Final = _bilingual({
    "refund": ("退款（红字）", "Refund (credit note)"),
    "refund_payment": ("退款付款", "Refund payment"),
    "restock": ("存货成本转回", "Cost back to stock"),
    "repair": ("维修品成本转回", "Cost back (in repair)"),
    "quarantine": ("隔离品成本转回", "Cost back (quarantined)"),
    "scrap": ("报废损失", "Scrap write-off"),
    "vendor_return": ("退供应商", "Vendor return"),
})  # fmt: skip

_NAMED_VALUE = re.compile(r"\b([a-z_]+)=([^,]*)")
_PER_STEP = frozenset({"steps", "step"})
_PER_LINE = frozenset({"receipts", "inspections"})
#: Audit detail fields whose values are enum values, and the table that labels them.
_VALUES: Final[dict[str, _Labels]] = {
    "outcome": DISPOSITIONS,
    "disposition": DISPOSITIONS,
    "rejected_outcome": REJECT_OUTCOMES,
    "method": REFUND_METHODS,
    "status": PAYMENT_STATUSES,
    "permission": PERMISSIONS,
}


class Phrasebook:
    """The command line's words in one language.

    Args:
        language: ``"zh"`` or ``"en"``.

    Attributes:
        language: The language.
        locale: The reason-catalog locale of the language, such as ``"zh-CN"``.
    """

    def __init__(self, language: Language) -> None:
        self.language: Language = language
        self.locale = LOCALES[language]

    def word(self, key: str, **values: object) -> str:
        """The interface word ``key``, with ``values`` filled in.

        Raises:
            KeyError: No such word.
        """
        return WORDS[self.language][key].format(**values)

    def status(self, status: ReturnStatus | None) -> str:
        """A status's label; ``None`` (before the return existed) reads as "new"."""
        if status is None:
            return self.word("new")
        return STATUSES[self.language][status.value]

    def action(self, action: Action) -> str:
        """An action's label."""
        return ACTIONS[self.language][action.value]

    def step(self, name: str) -> str:
        """An approval step's label, or its name when it has none."""
        return STEPS[self.language].get(name, name)

    def reason(self, catalog: ReasonCatalog, code: str) -> str:
        """A reason's label, from the tenant's catalog.

        Raises:
            NotFound: The catalog has no such reason.
        """
        return catalog.reason(code).labels.get(self.locale)

    def scenario(self, key: str) -> str:
        """A note or comment typed by someone in the demo scenario."""
        return SCENARIO[self.language][key]

    def location(self, location: Location) -> str:
        """A stock location's label."""
        return LOCATIONS[self.language][location.value]

    def disposition(self, decision: Disposition | RejectOutcome) -> str:
        """What happens to accepted (a disposition) or rejected (an outcome) units."""
        table = DISPOSITIONS if isinstance(decision, Disposition) else REJECT_OUTCOMES
        return table[self.language][decision.value]

    def move_reason(self, reason: MoveReason) -> str:
        """Why stock moved: receipt, a disposition, an outcome, or the end of a repair.

        Reasons this phrasebook does not know show as they are.
        """
        for table in (MOVE_REASONS, DISPOSITIONS, REJECT_OUTCOMES):
            if reason.value in table[self.language]:
                return table[self.language][reason.value]
        return reason.value

    def method(self, method: RefundMethod) -> str:
        """A refund method's label."""
        return REFUND_METHODS[self.language][method.value]

    def payment_status(self, status: PaymentStatus) -> str:
        """A refund payment status's label."""
        return PAYMENT_STATUSES[self.language][status.value]

    def entry_kind(self, kind: EntryKind) -> str:
        """A journal entry kind's label."""
        return ENTRY_KINDS[self.language][kind.value]

    def account(self, account: Account) -> str:
        """An account as ``code name``, named in Chinese when the chart has a Chinese name."""
        name = account.name_zh if self.language == "zh" and account.name_zh else account.name
        return f"{account.code} {name}"

    def detail(self, field: str, value: str) -> str:
        """One audit detail pair as ``field: value``; receipts and inspections one line each."""
        if field in _PER_STEP:
            value = "; ".join(self.step(name) for name in value.split("; "))
        if field in _VALUES:
            value = _VALUES[field][self.language].get(value, value)
        if field not in _PER_LINE:
            return f"{DETAIL_FIELDS[self.language].get(field, field)}: {value}"
        parts = [_NAMED_VALUE.sub(self._named_value, part) for part in value.split("; ")]
        label = DETAIL_FIELDS[self.language][field]
        return "\n".join((f"{label}:", *(f"  {part}" for part in parts)))

    def _named_value(self, found: re.Match[str]) -> str:
        """``key=value`` inside a receipt or inspection, as ``label value``."""
        key, value = found[1], found[2]
        if key in _VALUES:
            value = _VALUES[key][self.language].get(value, value)
        return f"{QUANTITY_WORDS[self.language].get(key, key)} {value}"
