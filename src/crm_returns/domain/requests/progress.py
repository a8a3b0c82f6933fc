"""The customer's words for a return: where it stands, what comes next, who owes it.

The enums of the customer timeline (:mod:`crm_returns.domain.requests.timeline`)
and the sentences a customer reads for each, in zh-CN and en.  Short labels
of the same values (for a host's tables) are in :mod:`crm_returns.labels`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from crm_returns.domain.returns.states import Action
from crm_returns.domain.shipments.records import TrackingStatus
from crm_returns.errors import InvalidInput

__all__ = [
    "MOMENT_WORDS",
    "NEXT",
    "NEXT_WORDS",
    "PROGRESS_WORDS",
    "REFUND_WORDS",
    "SEEN",
    "TRACKING_WORDS",
    "MomentKind",
    "NextStep",
    "Party",
    "Progress",
    "said",
]

T = TrackingStatus


class Progress(enum.Enum):
    """Where a return stands, as the customer understands it."""

    REQUESTED = "requested"
    IN_REVIEW = "in_review"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    SEND_GOODS = "send_goods"
    ON_THE_WAY = "on_the_way"
    ARRIVED = "arrived"
    PARCEL_LOST = "parcel_lost"
    RECEIVING = "receiving"
    CHECKING = "checking"
    REFUNDING = "refunding"
    COMPLETED = "completed"
    NOT_APPROVED = "not_approved"
    CANCELLED = "cancelled"


class Party(enum.Enum):
    """Who owes the next step."""

    CUSTOMER = "customer"
    US = "us"
    CARRIER = "carrier"
    NOBODY = "nobody"


class NextStep(enum.Enum):
    """What happens next."""

    DECIDE = "decide"
    REVIEW = "review"
    SEND_GOODS = "send_goods"
    CARRY = "carry"
    RECEIVE = "receive"
    TRACE_PARCEL = "trace_parcel"
    CHECK = "check"
    REFUND = "refund"
    GIVE_FEEDBACK = "give_feedback"
    NOTHING = "nothing"


class MomentKind(enum.Enum):
    """What happened, in one of the moments the customer sees."""

    REQUESTED = "requested"
    CREATED = "created"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    NOT_APPROVED = "not_approved"
    CANCELLED = "cancelled"
    SHIPMENT = "shipment"
    GOODS_RECEIVED = "goods_received"
    CHECKED = "checked"
    REFUND_GRANTED = "refund_granted"
    COMPLETED = "completed"
    FEEDBACK_GIVEN = "feedback_given"


#: Where each progress leaves the next step, and who owes it.
NEXT: Final[Mapping[Progress, tuple[NextStep, Party]]] = MappingProxyType(
    {
        Progress.REQUESTED: (NextStep.DECIDE, Party.US),
        Progress.IN_REVIEW: (NextStep.REVIEW, Party.US),
        Progress.DECLINED: (NextStep.NOTHING, Party.NOBODY),
        Progress.WITHDRAWN: (NextStep.NOTHING, Party.NOBODY),
        Progress.SEND_GOODS: (NextStep.SEND_GOODS, Party.CUSTOMER),
        Progress.ON_THE_WAY: (NextStep.CARRY, Party.CARRIER),
        Progress.ARRIVED: (NextStep.RECEIVE, Party.US),
        Progress.PARCEL_LOST: (NextStep.TRACE_PARCEL, Party.US),
        Progress.RECEIVING: (NextStep.RECEIVE, Party.US),
        Progress.CHECKING: (NextStep.CHECK, Party.US),
        Progress.REFUNDING: (NextStep.REFUND, Party.US),
        Progress.COMPLETED: (NextStep.NOTHING, Party.NOBODY),
        Progress.NOT_APPROVED: (NextStep.NOTHING, Party.NOBODY),
        Progress.CANCELLED: (NextStep.NOTHING, Party.NOBODY),
    }
)

#: The audit trail's actions the customer sees, and as what; every other is left out.
SEEN: Final[Mapping[Action, MomentKind]] = MappingProxyType(
    {
        Action.DRAFT: MomentKind.CREATED,
        Action.ACCEPT: MomentKind.ACCEPTED,
        Action.DECLINE: MomentKind.DECLINED,
        Action.WITHDRAW: MomentKind.WITHDRAWN,
        Action.SUBMIT: MomentKind.SUBMITTED,
        Action.APPROVE: MomentKind.APPROVED,
        Action.REJECT: MomentKind.NOT_APPROVED,
        Action.CANCEL: MomentKind.CANCELLED,
        Action.RECEIVE: MomentKind.GOODS_RECEIVED,
        Action.INSPECT: MomentKind.CHECKED,
        Action.GRANT_REFUND: MomentKind.REFUND_GRANTED,
        Action.COMPLETE: MomentKind.COMPLETED,
    }
)


def said(words: tuple[str, str], language: str) -> str:
    """``words`` in ``language``: the first of the pair in zh-CN, the second in en.

    Raises:
        InvalidInput: Another language.
    """
    if language == "zh-CN":
        return words[0]
    if language == "en":
        return words[1]
    raise InvalidInput(f"no words in language {language!r}; the languages are zh-CN, en")


PROGRESS_WORDS: Final[Mapping[Progress, tuple[str, str]]] = MappingProxyType(
    {
        Progress.REQUESTED: (
            "我们已收到您的退货申请，正在审核",
            "We have your request and are looking at it",
        ),
        Progress.IN_REVIEW: ("您的退货正在审批中", "Your return is being reviewed"),
        Progress.DECLINED: (
            "很抱歉，您的退货申请未被受理",
            "We are sorry: we could not accept your request",
        ),
        Progress.WITHDRAWN: ("您已撤回退货申请", "You withdrew your request"),
        Progress.SEND_GOODS: (
            "退货已获批准，请寄回商品",
            "Your return is approved: please send the goods back",
        ),
        Progress.ON_THE_WAY: ("商品正在寄回途中", "The goods are on their way back to us"),
        Progress.ARRIVED: (
            "包裹已送达，我们即将收货",
            "The parcel has arrived; we are taking it in",
        ),
        Progress.PARCEL_LOST: (
            "承运商报告包裹丢失，我们正在处理",
            "The carrier reports the parcel lost; we are on it",
        ),
        Progress.RECEIVING: ("我们已收到部分商品", "We have received part of the goods"),
        Progress.CHECKING: ("我们已收到商品，正在检查", "We have the goods and are checking them"),
        Progress.REFUNDING: ("退款已核定，正在办理", "Your refund is decided and on its way"),
        Progress.COMPLETED: ("退货已完成", "Your return is complete"),
        Progress.NOT_APPROVED: (
            "很抱歉，您的退货未获批准",
            "We are sorry: your return was not approved",
        ),
        Progress.CANCELLED: ("退货已取消", "The return was cancelled"),
    }
)

NEXT_WORDS: Final[Mapping[NextStep, tuple[str, str]]] = MappingProxyType(
    {
        NextStep.DECIDE: ("下一步：我们将决定是否受理您的申请", "Next: we decide on your request"),
        NextStep.REVIEW: ("下一步：我们审批您的退货", "Next: we review your return"),
        NextStep.SEND_GOODS: ("下一步：请您寄回商品", "Next: you send the goods back"),
        NextStep.CARRY: (
            "下一步：承运商将包裹送到我们仓库",
            "Next: the carrier brings the parcel to us",
        ),
        NextStep.RECEIVE: ("下一步：我们收货", "Next: we take the goods in"),
        NextStep.TRACE_PARCEL: (
            "下一步：我们与承运商核查包裹",
            "Next: we trace the parcel with the carrier",
        ),
        NextStep.CHECK: ("下一步：我们检查商品", "Next: we check the goods"),
        NextStep.REFUND: ("下一步：我们为您退款", "Next: we pay your refund"),
        NextStep.GIVE_FEEDBACK: ("欢迎您评价本次退货服务", "Tell us how we did, if you like"),
        NextStep.NOTHING: ("无需进一步操作", "Nothing more to do"),
    }
)

MOMENT_WORDS: Final[Mapping[MomentKind, tuple[str, str]]] = MappingProxyType(
    {
        MomentKind.REQUESTED: ("您提交了退货申请", "You asked for a return"),
        MomentKind.CREATED: ("退货单已创建", "The return was created"),
        MomentKind.ACCEPTED: ("您的申请已受理", "Your request was accepted"),
        MomentKind.DECLINED: ("您的申请未被受理", "Your request was declined"),
        MomentKind.WITHDRAWN: ("您撤回了申请", "You withdrew your request"),
        MomentKind.SUBMITTED: ("退货已提交审批", "The return went for review"),
        MomentKind.APPROVED: ("退货已获批准", "The return was approved"),
        MomentKind.NOT_APPROVED: ("退货未获批准", "The return was not approved"),
        MomentKind.CANCELLED: ("退货已取消", "The return was cancelled"),
        MomentKind.SHIPMENT: ("物流更新", "Parcel update"),
        MomentKind.GOODS_RECEIVED: ("我们已收到商品", "We received goods"),
        MomentKind.CHECKED: ("商品已检查", "The goods were checked"),
        MomentKind.REFUND_GRANTED: ("退款已核定", "Your refund was decided"),
        MomentKind.COMPLETED: ("退货已完成", "The return is complete"),
        MomentKind.FEEDBACK_GIVEN: ("感谢您的评价", "Thank you for your feedback"),
    }
)

TRACKING_WORDS: Final[Mapping[TrackingStatus, tuple[str, str]]] = MappingProxyType(
    {
        T.PENDING: ("待寄出", "not yet sent"),
        T.LABEL_CREATED: ("已生成面单", "label created"),
        T.IN_TRANSIT: ("运输中", "in transit"),
        T.DELIVERED: ("已送达仓库", "delivered to our warehouse"),
        T.EXCEPTION: ("运输异常", "delayed by the carrier"),
        T.LOST: ("包裹丢失", "lost"),
    }
)

REFUND_WORDS: Final = ("预计退款", "Expected refund")
