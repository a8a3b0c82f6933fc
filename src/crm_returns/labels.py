"""What to call the library's values on screen, in Chinese (zh-CN) and English (en).

A host's user interface shows return statuses, audit actions, reasons,
dispositions, stock locations, refund methods, journal entries and the like;
this module gives each of them a label in every language of :data:`LANGUAGES`,
the locales that the reason catalog labels its reasons in too::

    from crm_returns import ReturnStatus
    from crm_returns.labels import label, reason_label

    label(ReturnStatus.SUBMITTED, "zh-CN")  # "待审批"
    label(ReturnStatus.SUBMITTED, "en")  # "Submitted"
    reason_label(catalog, "quality_defect", "en")  # "Quality problem", from the tenant's catalog

Labels of enum members are fixed here, one member per line with both
languages side by side, so that a missing translation shows; reasons and their
categories are labelled by the tenant's :class:`~crm_returns.ReasonCatalog`,
which a tenant can relabel.  Only the domain is imported: a host's web layer
can use this without the command line or any optional dependency.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from crm_returns._labels_analytics import ANALYTICS_TABLES
from crm_returns._labels_casefile import CASEFILE_TABLES
from crm_returns._labels_retention import RETENTION_TABLES
from crm_returns.domain.analytics.labelled import AnalyticsLabelled
from crm_returns.domain.books.journal import EntryKind, Side
from crm_returns.domain.casefile.labelled import CaseFileLabelled
from crm_returns.domain.delivery.states import DeliveryStatus, Outcome, Step
from crm_returns.domain.notifications.rules import NotificationChannel, RecipientKind
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.reasons import Fault, ReasonCatalog
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.retention import (
    ErasureStatus,
    Expiry,
    HoldScope,
    Operation,
    PlanStatus,
    PlanStep,
    RecordState,
    Trigger,
)
from crm_returns.domain.returns.states import Action, ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.domain.stock.moves import MoveReason
from crm_returns.errors import InvalidInput

__all__ = [
    "LABELLED",
    "LANGUAGES",
    "Labelled",
    "category_label",
    "label",
    "reason_label",
]

#: Every language a label is given in, as a locale code: Chinese first, then English.
LANGUAGES: Final[tuple[str, ...]] = ("zh-CN", "en")

#: A value that has a label in every language.
Labelled: TypeAlias = (
    ReturnStatus
    | Action
    | Disposition
    | RejectOutcome
    | Location
    | MoveReason
    | RefundMethod
    | PaymentStatus
    | EntryKind
    | Side
    | Permission
    | Fault
    | DeliveryStatus
    | Outcome
    | Step
    | NotificationChannel
    | RecipientKind
    | Trigger
    | Expiry
    | RecordState
    | HoldScope
    | PlanStatus
    | PlanStep
    | ErasureStatus
    | Operation
    | CaseFileLabelled
    | AnalyticsLabelled
)

#: A value's labels, in the order of :data:`LANGUAGES`.
_Pair: TypeAlias = tuple[str, str]

_STATUSES: Final[Mapping[ReturnStatus, _Pair]] = MappingProxyType(
    {
        ReturnStatus.DRAFT: ("草稿", "Draft"),
        ReturnStatus.SUBMITTED: ("待审批", "Submitted"),
        ReturnStatus.APPROVED: ("已批准", "Approved"),
        ReturnStatus.REJECTED: ("已驳回", "Rejected"),
        ReturnStatus.PARTIALLY_RECEIVED: ("部分收货", "Partially received"),
        ReturnStatus.RECEIVED: ("已收货", "Received"),
        ReturnStatus.INSPECTED: ("已质检", "Inspected"),
        ReturnStatus.COMPLETED: ("已完成", "Completed"),
        ReturnStatus.CANCELLED: ("已取消", "Cancelled"),
    }
)

_ACTIONS: Final[Mapping[Action, _Pair]] = MappingProxyType(
    {
        Action.DRAFT: ("创建退货单", "Create draft"),
        Action.EDIT: ("修改明细", "Edit lines"),
        Action.SUBMIT: ("提交", "Submit"),
        Action.APPROVE: ("审批通过", "Approve"),
        Action.REJECT: ("驳回", "Reject"),
        Action.CANCEL: ("取消", "Cancel"),
        Action.RECEIVE: ("收货", "Receive goods"),
        Action.INSPECT: ("质检", "Inspect"),
        Action.COMPLETE: ("完成退货", "Complete"),
        Action.FINISH_REPAIR: ("维修完成", "Finish repair"),
        Action.GRANT_REFUND: ("核定退款", "Grant refund"),
        Action.RECORD_PAYMENT: ("发起退款付款", "Record payment"),
        Action.SETTLE_PAYMENT: ("确认付款结果", "Settle payment"),
        Action.DECLINE: ("拒绝退货申请", "Decline request"),
        Action.WITHDRAW: ("客户撤回申请", "Withdrawn by the customer"),
        Action.DENIED: ("越权操作被拒绝", "Denied (not permitted)"),
        Action.RETIRE: ("档案处理（归档、恢复、销毁）", "Retired (archived, restored, destroyed)"),
        Action.TRACK: ("物流更新", "Shipment tracked"),
        Action.ATTACH: ("上传附件", "File attached"),
        Action.CONTACT: ("联系客户", "Contact logged"),
        Action.FEEDBACK: ("客户评价", "Feedback given"),
        Action.ASSIGN: ("指派负责人", "Owner assigned"),
        Action.ACCEPT: ("受理退货申请", "Accept request"),
    }
)

_DISPOSITIONS: Final[Mapping[Disposition, _Pair]] = MappingProxyType(
    {
        Disposition.RESTOCK: ("重新上架", "restock"),
        Disposition.REPAIR: ("送修", "repair"),
        Disposition.QUARANTINE: ("隔离", "quarantine"),
        Disposition.SCRAP: ("报废", "scrap"),
        Disposition.RETURN_TO_VENDOR: ("退供应商", "return to vendor"),
    }
)

_REJECT_OUTCOMES: Final[Mapping[RejectOutcome, _Pair]] = MappingProxyType(
    {
        RejectOutcome.KEEP_IN_QUARANTINE: ("留在隔离区", "keep in quarantine"),
        RejectOutcome.SEND_BACK: ("退回客户", "back to customer"),
    }
)

_LOCATIONS: Final[Mapping[Location, _Pair]] = MappingProxyType(
    {
        Location.CUSTOMER: ("客户", "Customer"),
        Location.RECEIVING: ("退货收货区", "Returns receiving"),
        Location.SELLABLE: ("可售库存", "Sellable stock"),
        Location.QUARANTINE: ("隔离区", "Quarantine"),
        Location.REPAIR: ("维修区", "Repair"),
        Location.SCRAP: ("报废", "Scrap"),
        Location.VENDOR: ("供应商", "Vendor"),
    }
)

# Goods move on a disposition or a reject outcome under the decision's own
# label; the receipt and the end of a repair are the other reasons.
_MOVE_REASONS: Final[Mapping[MoveReason, _Pair]] = MappingProxyType(
    {
        MoveReason.RECEIPT: ("收货", "receipt"),
        **{MoveReason.of(decision): labels for decision, labels in _DISPOSITIONS.items()},
        **{MoveReason.of(outcome): labels for outcome, labels in _REJECT_OUTCOMES.items()},
        MoveReason.REPAIRED_RESTOCK: ("修好后重新上架", "repaired, restocked"),
        MoveReason.REPAIRED_SCRAP: ("维修后报废", "scrapped after repair"),
    }
)

_REFUND_METHODS: Final[Mapping[RefundMethod, _Pair]] = MappingProxyType(
    {
        RefundMethod.ORIGINAL_PAYMENT: ("原路退回", "original payment"),
        RefundMethod.STORE_CREDIT: ("店铺余额", "store credit"),
        RefundMethod.REPLACEMENT: ("换货", "replacement"),
    }
)

_PAYMENT_STATUSES: Final[Mapping[PaymentStatus, _Pair]] = MappingProxyType(
    {
        PaymentStatus.PENDING: ("处理中", "pending"),
        PaymentStatus.SUCCEEDED: ("成功", "succeeded"),
        PaymentStatus.FAILED: ("失败", "failed"),
    }
)

_ENTRY_KINDS: Final[Mapping[EntryKind, _Pair]] = MappingProxyType(
    {
        EntryKind.REFUND: ("退款（红字）", "Refund (credit note)"),
        EntryKind.REFUND_PAYMENT: ("退款付款", "Refund payment"),
        EntryKind.RESTOCK: ("存货成本转回", "Cost back to stock"),
        EntryKind.REPAIR: ("维修品成本转回", "Cost back (in repair)"),
        EntryKind.QUARANTINE: ("隔离品成本转回", "Cost back (quarantined)"),
        EntryKind.SCRAP: ("报废损失", "Scrap write-off"),
        EntryKind.VENDOR_RETURN: ("退供应商", "Vendor return"),
    }
)

_SIDES: Final[Mapping[Side, _Pair]] = MappingProxyType(
    {
        Side.DEBIT: ("借方", "Debit"),
        Side.CREDIT: ("贷方", "Credit"),
    }
)

_PERMISSIONS: Final[Mapping[Permission, _Pair]] = MappingProxyType(
    {
        Permission.VIEW_RETURNS: ("查看退货单", "view returns"),
        Permission.CREATE_RETURN: ("创建退货单", "create returns"),
        Permission.EDIT_RETURN: ("修改退货单", "edit returns"),
        Permission.SUBMIT_RETURN: ("提交退货单", "submit returns"),
        Permission.APPROVE_RETURN: ("审批退货单", "approve returns"),
        Permission.CANCEL_RETURN: ("取消退货单", "cancel returns"),
        Permission.RECEIVE_GOODS: ("收货", "receive goods"),
        Permission.INSPECT_GOODS: ("质检", "inspect goods"),
        Permission.FINISH_REPAIR: ("维修完成", "finish repairs"),
        Permission.GRANT_REFUND: ("核定退款", "grant refunds"),
        Permission.PAY_REFUND: ("退款付款", "pay refunds"),
        Permission.COMPLETE_RETURN: ("完成退货", "complete returns"),
        Permission.MANAGE_REASONS: ("管理退货原因", "manage reasons"),
        Permission.VIEW_BOOKS: ("查看账簿", "view the books"),
        Permission.VIEW_AUDIT: ("查看审计记录", "view the audit trail"),
        Permission.VIEW_RETENTION: ("查看档案保管", "view retention"),
        Permission.MANAGE_RETENTION: ("管理档案保管与销毁", "manage retention"),
        Permission.APPROVE_RETENTION: ("审批销毁计划", "approve retention plans"),
        Permission.PLACE_HOLDS: ("设置法律保留", "place legal holds"),
        Permission.REQUEST_RETURN: ("申请退货", "request returns"),
        Permission.FOLLOW_RETURNS: ("查看自己的退货进度", "follow their returns"),
        Permission.GIVE_FEEDBACK: ("评价退货服务", "give feedback"),
        Permission.DECIDE_REQUESTS: ("受理或拒绝退货申请", "decide requests"),
        Permission.MANAGE_SHIPMENTS: ("管理退货物流", "manage shipments"),
        Permission.ADD_ATTACHMENTS: ("上传与查看附件", "add attachments"),
        Permission.LOG_CONTACTS: ("记录客户沟通", "log contacts"),
        Permission.ASSIGN_RETURNS: ("指派退货单", "assign returns"),
        Permission.VIEW_WORKLOAD: ("查看待办与逾期", "view workload"),
        Permission.VIEW_REPORTS: ("查看报表", "view reports"),
    }
)

_FAULTS: Final[Mapping[Fault, _Pair]] = MappingProxyType(
    {
        Fault.CUSTOMER: ("客户原因", "customer"),
        Fault.SELLER: ("商家原因", "seller"),
        Fault.CARRIER: ("承运商原因", "carrier"),
    }
)

_DELIVERY_STATUSES: Final[Mapping[DeliveryStatus, _Pair]] = MappingProxyType(
    {
        DeliveryStatus.PENDING: ("待发送", "Pending"),
        DeliveryStatus.DELIVERED: ("已送达", "Delivered"),
        DeliveryStatus.DEAD: ("投递失败", "Dead letter"),
        DeliveryStatus.UNKNOWN: ("结果未知", "Outcome unknown"),
    }
)

_OUTCOMES: Final[Mapping[Outcome, _Pair]] = MappingProxyType(
    {
        Outcome.DELIVERED: ("送达", "delivered"),
        Outcome.TRANSIENT: ("暂时失败", "failed for now"),
        Outcome.PERMANENT: ("永久失败", "failed for good"),
        Outcome.UNKNOWN: ("结果未知", "outcome unknown"),
        Outcome.GONE: ("目标已停用", "destination gone"),
    }
)

_STEPS: Final[Mapping[Step, _Pair]] = MappingProxyType(
    {
        Step.DELIVERED: ("送达", "delivered"),
        Step.RETRY: ("稍后重试", "retry later"),
        Step.LAST_TRY_FAILED: ("最后一次重试失败", "last try failed"),
        Step.PERMANENT: ("永久失败", "failed for good"),
        Step.UNKNOWN: ("结果未知", "outcome unknown"),
        Step.GONE: ("目标已停用", "destination gone"),
        Step.REPLAY: ("重新发送", "replay"),
        Step.RESOLVE: ("确认已送达", "resolve as delivered"),
    }
)

_CHANNELS: Final[Mapping[NotificationChannel, _Pair]] = MappingProxyType(
    {
        NotificationChannel.EMAIL: ("电子邮件", "e-mail"),
        NotificationChannel.SMS: ("短信", "text message"),
    }
)

_RECIPIENT_KINDS: Final[Mapping[RecipientKind, _Pair]] = MappingProxyType(
    {
        RecipientKind.CUSTOMER: ("客户", "the customer"),
        RecipientKind.ROLE: ("角色", "staff by role"),
        RecipientKind.ADDRESS: ("固定地址", "fixed address"),
    }
)

# Each table gives every member of its enum a label in each language.
_TABLES: Final[Mapping[type[enum.Enum], Mapping[Any, _Pair]]] = MappingProxyType(
    {
        ReturnStatus: _STATUSES,
        Action: _ACTIONS,
        Disposition: _DISPOSITIONS,
        RejectOutcome: _REJECT_OUTCOMES,
        Location: _LOCATIONS,
        MoveReason: _MOVE_REASONS,
        RefundMethod: _REFUND_METHODS,
        PaymentStatus: _PAYMENT_STATUSES,
        EntryKind: _ENTRY_KINDS,
        Side: _SIDES,
        Permission: _PERMISSIONS,
        Fault: _FAULTS,
        DeliveryStatus: _DELIVERY_STATUSES,
        Outcome: _OUTCOMES,
        Step: _STEPS,
        NotificationChannel: _CHANNELS,
        RecipientKind: _RECIPIENT_KINDS,
        **RETENTION_TABLES,
        **CASEFILE_TABLES,
        **ANALYTICS_TABLES,
    }
)

#: Every enum whose members :func:`label` labels (the members of :data:`Labelled`).
LABELLED: Final[tuple[type[enum.Enum], ...]] = tuple(_TABLES)


def _column(language: str) -> int:
    """Where ``language``'s label stands in a table's ``(zh-CN, en)`` pair."""
    if language not in LANGUAGES:
        raise InvalidInput(
            f"no labels in language {language!r}; the languages are {', '.join(LANGUAGES)}"
        )
    return LANGUAGES.index(language)


def label(value: Labelled, language: str) -> str:
    """The label of ``value`` in ``language``.

    Args:
        value: A member of one of the enums in :data:`LABELLED`, such as
            ``ReturnStatus.SUBMITTED`` or ``Disposition.RESTOCK``.
        language: A locale of :data:`LANGUAGES`: ``"zh-CN"`` or ``"en"``.

    Returns:
        The label, never empty.

    Raises:
        InvalidInput: ``language`` is not one of :data:`LANGUAGES`, or ``value``
            is not a member of a labelled enum.
    """
    column = _column(language)
    table = _TABLES.get(type(value))
    if table is None:
        kinds = ", ".join(kind.__name__ for kind in _TABLES)
        raise InvalidInput(f"{value!r} has no label; labelled are the members of {kinds}")
    return table[value][column]


def reason_label(catalog: ReasonCatalog, code: str, language: str) -> str:
    """The label of the reason ``code`` in ``language``, as the tenant's catalog gives it.

    Retired reasons have labels too: old returns still show why they came back.

    Args:
        catalog: The tenant's reason catalog (``ReturnsService.reason_catalog``).
        code: The reason's code, such as ``"quality_defect"``.
        language: A locale of :data:`LANGUAGES`.

    Raises:
        InvalidInput: ``language`` is not one of :data:`LANGUAGES`.
        NotFound: The catalog has no reason ``code``.
    """
    _column(language)
    return catalog.reason(code).labels.get(language)


def category_label(catalog: ReasonCatalog, code: str, language: str) -> str:
    """The label of the reason category ``code`` in ``language``, from the tenant's catalog.

    Args:
        catalog: The tenant's reason catalog.
        code: The category's code, such as ``"quality"``.
        language: A locale of :data:`LANGUAGES`.

    Raises:
        InvalidInput: ``language`` is not one of :data:`LANGUAGES`.
        NotFound: The catalog has no category ``code``.
    """
    _column(language)
    return catalog.category(code).labels.get(language)
