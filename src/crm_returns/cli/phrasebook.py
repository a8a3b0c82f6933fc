"""The command line's :class:`Phrasebook`: its words and the library's labels in one language.

The library's values (statuses, actions, locations, dispositions, ...) are
labelled by :mod:`crm_returns.labels`, which host interfaces use too; reasons
by the tenant's :class:`~crm_returns.ReasonCatalog`; accounts by the
:class:`~crm_returns.domain.books.accounts.ChartOfAccounts`.  What only the
command line shows is labelled here: the sample policy's approval steps and the
fields of audit details, one key per line with both languages side by side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

from crm_returns.cli.customer_words import CUSTOMER_SCENARIO, CUSTOMER_WORDS
from crm_returns.cli.report_words import REPORT_WORDS
from crm_returns.cli.retention_words import RECORD_CLASSES, RETENTION_WORDS
from crm_returns.cli.words import SCENARIO, WORDS, Language
from crm_returns.domain.books.accounts import Account
from crm_returns.domain.evidence import AttachmentSubject
from crm_returns.domain.interactions import ContactChannel, Direction
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments import ShipmentMethod, ShippingPayer, TrackingStatus
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome
from crm_returns.labels import Labelled, label, reason_label

__all__ = ["DETAIL_FIELDS", "LOCALES", "QUANTITY_WORDS", "STEPS", "Phrasebook"]

_Labels = dict[Language, dict[str, str]]


def _bilingual(pairs: Mapping[str, tuple[str, str]]) -> _Labels:
    """``{key: (zh, en)}`` as one table per language."""
    return {
        "zh": {key: zh for key, (zh, _) in pairs.items()},
        "en": {key: en for key, (_, en) in pairs.items()},
    }


#: The locale of each language, as :mod:`crm_returns.labels` and the reason catalog name it.
LOCALES: Final[dict[Language, str]] = {"zh": "zh-CN", "en": "en"}

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
    # the customer side
    "attachment_id": ("附件编号", "attachment"),
    "subject": ("附件类别", "of"),
    "content_type": ("文件类型", "type"),
    "contact_id": ("沟通记录编号", "contact"),
    "channel": ("方式", "channel"),
    "direction": ("方向", "direction"),
    "contacted_at": ("沟通时间", "contacted at"),
    "automatic": ("系统自动记录", "logged automatically"),
    "feedback_id": ("评价编号", "feedback"),
    "score": ("评分", "score"),
    "commented": ("有文字评价", "with a comment"),
    "shipment_id": ("寄回单号", "shipment"),
    "carrier": ("承运商", "carrier"),
    "tracking_number": ("运单号", "tracking number"),
    "paid_by": ("运费承担", "paid by"),
    "cost": ("运费", "cost"),
    "label_reference": ("面单号", "label"),
    "event_id": ("物流事件号", "carrier's event"),
    "occurred_at": ("发生时间", "happened at"),
    "location": ("地点", "where"),
    "description": ("说明", "description"),
    "shipment_status": ("包裹状态", "parcel now"),
    "from_user_id": ("原负责人", "from user"),
    "from_team": ("原负责团队", "from team"),
    "to_user_id": ("新负责人", "to user"),
    "to_team": ("新负责团队", "to team"),
    "reason": ("原因", "reason"),
    "reason_zh": ("原因（中文）", "reason (Chinese)"),
    "reason_en": ("原因（英文）", "reason (English)"),
    "message": ("给客户的留言", "message to the customer"),
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

_NAMED_VALUE = re.compile(r"\b([a-z_]+)=([^,]*)")
_PER_STEP = frozenset({"steps", "step"})
_PER_LINE = frozenset({"receipts", "inspections"})
#: Audit detail fields whose values are enum values, and the enums they may be values of
#: (a refund's and a shipment's method, a payment's and a parcel's status share a name).
_VALUES: Final[Mapping[str, tuple[Callable[[str], Labelled], ...]]] = {
    "outcome": (Disposition,),
    "disposition": (Disposition,),
    "rejected_outcome": (RejectOutcome,),
    "method": (RefundMethod, ShipmentMethod),
    "status": (PaymentStatus, TrackingStatus),
    "shipment_status": (TrackingStatus,),
    "paid_by": (ShippingPayer,),
    "channel": (ContactChannel,),
    "direction": (Direction,),
    "subject": (AttachmentSubject,),
    "permission": (Permission,),
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
        self._words = {
            **WORDS[language],
            **RETENTION_WORDS[language],
            **CUSTOMER_WORDS[language],
            **REPORT_WORDS[language],
        }
        self._scenario = {**SCENARIO[language], **CUSTOMER_SCENARIO[language]}

    def word(self, key: str, **values: object) -> str:
        """The interface word ``key``, with ``values`` filled in.

        Raises:
            KeyError: No such word.
        """
        return self._words[key].format(**values)

    def status(self, status: ReturnStatus | None) -> str:
        """A status's label; ``None`` (before the return existed) reads as "new"."""
        if status is None:
            return self.word("new")
        return label(status, self.locale)

    def label(self, value: Labelled) -> str:
        """The label of a status, action, location, disposition, refund method, ..."""
        return label(value, self.locale)

    def step(self, name: str) -> str:
        """An approval step's label, or its name when it has none."""
        return STEPS[self.language].get(name, name)

    def reason(self, catalog: ReasonCatalog, code: str) -> str:
        """A reason's label, from the tenant's catalog.

        Raises:
            NotFound: The catalog has no such reason.
        """
        return reason_label(catalog, code, self.locale)

    def record_class(self, name: str) -> str:
        """A record class's name, or the class as the host named it when it is not the library's."""
        return RECORD_CLASSES[self.language].get(name, name)

    def scenario(self, key: str) -> str:
        """A note or comment typed by someone in the demo scenario."""
        return self._scenario[key]

    def account(self, account: Account) -> str:
        """An account as ``code name``, named in Chinese when the chart has a Chinese name."""
        name = account.name_zh if self.language == "zh" and account.name_zh else account.name
        return f"{account.code} {name}"

    def detail(self, field: str, value: str) -> str:
        """One audit detail pair as ``field: value``; receipts and inspections one line each."""
        if field in _PER_STEP:
            value = "; ".join(self.step(name) for name in value.split("; "))
        if field in _VALUES:
            value = self._value(field, value)
        if field not in _PER_LINE:
            return f"{DETAIL_FIELDS[self.language].get(field, field)}: {value}"
        parts = [_NAMED_VALUE.sub(self._named_value, part) for part in value.split("; ")]
        heading = DETAIL_FIELDS[self.language][field]
        return "\n".join((f"{heading}:", *(f"  {part}" for part in parts)))

    def _named_value(self, found: re.Match[str]) -> str:
        """``key=value`` inside a receipt or inspection, as ``label value``."""
        key, value = found[1], found[2]
        if key in _VALUES:
            value = self._value(key, value)
        return f"{QUANTITY_WORDS[self.language].get(key, key)} {value}"

    def _value(self, field: str, value: str) -> str:
        """The label of an enum value named in an audit detail, or the value if it names none."""
        for kind in _VALUES[field]:
            try:
                return self.label(kind(value))
            except ValueError:  # not a value of this enum: try the next
                continue
        return value
