"""What the command line says, in Chinese and English.

The tables here are plain dicts, one per language, keyed by a stable key: a
word of the interface, or the ``value`` of a :class:`~crm_returns.ReturnStatus`
or :class:`~crm_returns.Action`.  Reason labels are not here: they come from
the tenant's :class:`~crm_returns.ReasonCatalog`, which a tenant can relabel.
:class:`Phrasebook` looks words up for one language.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from crm_returns.domain.reasons import ReasonCatalog
from crm_returns.domain.states import Action, ReturnStatus

__all__ = [
    "ACTIONS",
    "DETAIL_FIELDS",
    "LANGUAGES",
    "LOCALES",
    "QUANTITY_WORDS",
    "SCENARIO",
    "STATUSES",
    "STEPS",
    "WORDS",
    "Language",
    "Phrasebook",
]

#: A language the command line speaks.
Language = Literal["zh", "en"]

#: Every language, the default first.
LANGUAGES: Final[tuple[Language, ...]] = ("zh", "en")

#: The reason-catalog locale of each language.
LOCALES: Final[dict[Language, str]] = {"zh": "zh-CN", "en": "en"}

#: Headings, column names and other words of the interface.
WORDS: Final[dict[Language, dict[str, str]]] = {
    "zh": {
        "title": "退货流程演示（内存数据，模拟时钟）",
        "search": "第 1 步 · 查找客户 {customer} 已交付的订单明细",
        "search_table": "可退明细（共 {total} 行）",
        "preview": "第 2 步 · 确认退货（提交前预览）",
        "lifecycle": "第 3 步 · 创建、审批、收货、质检、完成",
        "result": "第 4 步 · 退货单",
        "audit": "操作日志",
        "order_number": "订单号",
        "line": "行号",
        "sku": "物料编码",
        "product": "产品",
        "delivered": "已交付",
        "already_returned": "已退",
        "returnable": "可退",
        "unit_price": "单价",
        "quantity": "退货数量",
        "reason": "退货原因",
        "note": "备注",
        "estimated_refund": "预计退款",
        "customer": "客户",
        "steps": "审批节点",
        "auto_approved": "无需审批，提交后自动批准",
        "number": "退货单号",
        "status": "状态",
        "refund": "退款金额",
        "lines": "退货明细",
        "requested": "申请",
        "approved": "批准",
        "received": "收到",
        "accepted": "合格",
        "rejected": "不合格",
        "time": "时间 (UTC)",
        "actor": "操作人",
        "action": "操作",
        "transition": "状态变化",
        "comment": "说明",
        "detail": "详情",
        "new": "新建",
    },
    "en": {
        "title": "Return workflow demo (in-memory data, simulated clock)",
        "search": "Step 1 · Delivered order lines of customer {customer}",
        "search_table": "Returnable lines ({total} in all)",
        "preview": "Step 2 · Confirm the return (preview before submitting)",
        "lifecycle": "Step 3 · Create, approve, receive, inspect, complete",
        "result": "Step 4 · The return order",
        "audit": "Audit trail",
        "order_number": "Order",
        "line": "Line",
        "sku": "SKU",
        "product": "Product",
        "delivered": "Delivered",
        "already_returned": "Already returned",
        "returnable": "Returnable",
        "unit_price": "Unit price",
        "quantity": "Quantity",
        "reason": "Reason",
        "note": "Note",
        "estimated_refund": "Estimated refund",
        "customer": "Customer",
        "steps": "Approval steps",
        "auto_approved": "none, approved automatically on submit",
        "number": "Return number",
        "status": "Status",
        "refund": "Refund",
        "lines": "Return lines",
        "requested": "Requested",
        "approved": "Approved",
        "received": "Received",
        "accepted": "Accepted",
        "rejected": "Rejected",
        "time": "Time (UTC)",
        "actor": "Actor",
        "action": "Action",
        "transition": "Status change",
        "comment": "Comment",
        "detail": "Detail",
        "new": "new",
    },
}

#: Return statuses, keyed by :attr:`ReturnStatus.value`.
STATUSES: Final[dict[Language, dict[str, str]]] = {
    "zh": {
        "draft": "草稿",
        "submitted": "待审批",
        "approved": "已批准",
        "rejected": "已驳回",
        "partially_received": "部分收货",
        "received": "已收货",
        "inspected": "已质检",
        "completed": "已完成",
        "cancelled": "已取消",
    },
    "en": {
        "draft": "Draft",
        "submitted": "Submitted",
        "approved": "Approved",
        "rejected": "Rejected",
        "partially_received": "Partially received",
        "received": "Received",
        "inspected": "Inspected",
        "completed": "Completed",
        "cancelled": "Cancelled",
    },
}

#: Actions on a return, keyed by :attr:`Action.value`.
ACTIONS: Final[dict[Language, dict[str, str]]] = {
    "zh": {
        "draft": "创建退货单",
        "edit": "修改明细",
        "submit": "提交",
        "approve": "审批通过",
        "reject": "驳回",
        "cancel": "取消",
        "receive": "收货",
        "inspect": "质检",
        "complete": "完成退货",
    },
    "en": {
        "draft": "Create draft",
        "edit": "Edit lines",
        "submit": "Submit",
        "approve": "Approve",
        "reject": "Reject",
        "cancel": "Cancel",
        "receive": "Receive goods",
        "inspect": "Inspect",
        "complete": "Complete",
    },
}

#: Approval steps of the sample policy, by step name; other names show as they are.
STEPS: Final[dict[Language, dict[str, str]]] = {
    "zh": {"manager": "经理审批", "quality": "质量审批"},
    "en": {"manager": "Manager approval", "quality": "Quality approval"},
}

#: Names of the audit detail fields (see :class:`~crm_returns.AuditEntry`).
DETAIL_FIELDS: Final[dict[Language, dict[str, str]]] = {
    "zh": {
        "lines": "明细",
        "policy_version": "审批策略版本",
        "steps": "审批节点",
        "step": "审批节点",
        "receipts": "收货",
        "inspections": "质检",
        "refund": "退款",
    },
    "en": {
        "lines": "lines",
        "policy_version": "policy",
        "steps": "steps",
        "step": "step",
        "receipts": "receipts",
        "inspections": "inspections",
        "refund": "refund",
    },
}

#: Quantities and flags named inside receipt and inspection details.
QUANTITY_WORDS: Final[dict[Language, dict[str, str]]] = {
    "zh": {
        "received": "收到",
        "damaged_in_transit": "运输损坏",
        "wrong_item": "错发",
        "missing": "缺失",
        "accepted": "合格",
        "rejected": "不合格",
        "needs_review": "待复核",
        "note": "备注",
    },
    "en": {
        "received": "received",
        "damaged_in_transit": "damaged in transit",
        "wrong_item": "wrong item",
        "missing": "missing",
        "accepted": "accepted",
        "rejected": "rejected",
        "needs_review": "needs review",
        "note": "note",
    },
}

#: What the people in the demo scenario type: notes and comments.
SCENARIO: Final[dict[Language, dict[str, str]]] = {
    "zh": {
        "note_mouse": "滚轮失灵",
        "note_cable": "项目取消，多订了",
        "note_monitor": "到货时屏幕碎裂",
        "request": "客户张伟来电要求退货",
        "approve_manager": "金额超过 500 元，同意退货",
        "approve_quality": "质量投诉，同意退回检验",
        "receive_first": "鼠标先到",
        "receive_rest": "其余到货，显示器外箱破损",
        "inspect": "一根数据线已剪断，不予退款",
        "complete": "已按合格数量退款",
    },
    "en": {
        "note_mouse": "Scroll wheel stopped working",
        "note_cable": "Project cancelled, ordered too many",
        "note_monitor": "Screen cracked on arrival",
        "request": "Customer Zhang Wei called to return goods",
        "approve_manager": "Over 500 CNY; return agreed",
        "approve_quality": "Quality claim; send back for inspection",
        "receive_first": "Mice arrived first",
        "receive_rest": "Rest arrived; monitor box crushed",
        "inspect": "One cable was cut; no refund for it",
        "complete": "Refunded the accepted units",
    },
}

_NAMED_QUANTITY = re.compile(r"\b([a-z_]+)=")
_PER_STEP = frozenset({"steps", "step"})
_PER_LINE = frozenset({"receipts", "inspections"})


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

    def detail(self, field: str, value: str) -> str:
        """One audit detail pair as ``field: value``; receipts and inspections one line each."""
        if field in _PER_STEP:
            value = "; ".join(self.step(name) for name in value.split("; "))
        if field not in _PER_LINE:
            return f"{DETAIL_FIELDS[self.language].get(field, field)}: {value}"
        words = QUANTITY_WORDS[self.language]
        parts = [
            _NAMED_QUANTITY.sub(lambda found: f"{words.get(found[1], found[1])} ", part)
            for part in value.split("; ")
        ]
        label = DETAIL_FIELDS[self.language][field]
        return "\n".join((f"{label}:", *(f"  {part}" for part in parts)))
