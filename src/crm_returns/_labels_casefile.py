"""Labels of the customer side's values, in zh-CN and en; :mod:`crm_returns.labels` shows them.

One table per enum of :data:`~crm_returns.domain.casefile.labelled.CaseFileLabelled`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from crm_returns.domain.evidence.records import AttachmentSubject
from crm_returns.domain.interactions.records import ContactChannel, Direction
from crm_returns.domain.ownership.records import Stage
from crm_returns.domain.requests.progress import MomentKind, NextStep, Party, Progress
from crm_returns.domain.requests.records import RequestStatus
from crm_returns.domain.shipments.records import ShipmentMethod, ShippingPayer, TrackingStatus

__all__ = ["CASEFILE_TABLES"]

#: The customer side's values, one table per enum.
CASEFILE_TABLES: Final[Mapping[type[enum.Enum], Mapping[Any, tuple[str, str]]]] = MappingProxyType(
    {
        RequestStatus: {
            RequestStatus.PENDING: ("待处理", "pending"),
            RequestStatus.ACCEPTED: ("已受理", "accepted"),
            RequestStatus.DECLINED: ("已拒绝", "declined"),
            RequestStatus.WITHDRAWN: ("已撤回", "withdrawn"),
        },
        Progress: {
            Progress.REQUESTED: ("已申请", "requested"),
            Progress.IN_REVIEW: ("审核中", "in review"),
            Progress.DECLINED: ("申请未受理", "request declined"),
            Progress.WITHDRAWN: ("已撤回", "withdrawn"),
            Progress.SEND_GOODS: ("待寄回", "to send back"),
            Progress.ON_THE_WAY: ("寄回途中", "on the way"),
            Progress.ARRIVED: ("已送达", "arrived"),
            Progress.PARCEL_LOST: ("包裹丢失", "parcel lost"),
            Progress.RECEIVING: ("部分收货", "partly received"),
            Progress.CHECKING: ("检查中", "being checked"),
            Progress.REFUNDING: ("退款中", "refunding"),
            Progress.COMPLETED: ("已完成", "completed"),
            Progress.NOT_APPROVED: ("未获批准", "not approved"),
            Progress.CANCELLED: ("已取消", "cancelled"),
        },
        NextStep: {
            NextStep.DECIDE: ("受理申请", "decide on the request"),
            NextStep.REVIEW: ("审批", "review"),
            NextStep.SEND_GOODS: ("寄回商品", "send the goods back"),
            NextStep.CARRY: ("运输", "carry the parcel"),
            NextStep.RECEIVE: ("收货", "receive the goods"),
            NextStep.TRACE_PARCEL: ("核查包裹", "trace the parcel"),
            NextStep.CHECK: ("检查商品", "check the goods"),
            NextStep.REFUND: ("退款", "pay the refund"),
            NextStep.GIVE_FEEDBACK: ("评价", "give feedback"),
            NextStep.NOTHING: ("无", "nothing"),
        },
        Party: {
            Party.CUSTOMER: ("客户", "the customer"),
            Party.US: ("商家", "us"),
            Party.CARRIER: ("承运商", "the carrier"),
            Party.NOBODY: ("无", "nobody"),
        },
        MomentKind: {
            MomentKind.REQUESTED: ("提交申请", "requested"),
            MomentKind.CREATED: ("创建退货单", "created"),
            MomentKind.ACCEPTED: ("申请已受理", "request accepted"),
            MomentKind.DECLINED: ("申请未受理", "request declined"),
            MomentKind.WITHDRAWN: ("撤回申请", "withdrawn"),
            MomentKind.SUBMITTED: ("提交审批", "submitted"),
            MomentKind.APPROVED: ("已批准", "approved"),
            MomentKind.NOT_APPROVED: ("未获批准", "not approved"),
            MomentKind.CANCELLED: ("已取消", "cancelled"),
            MomentKind.SHIPMENT: ("物流更新", "parcel update"),
            MomentKind.GOODS_RECEIVED: ("已收货", "goods received"),
            MomentKind.CHECKED: ("已检查", "checked"),
            MomentKind.REFUND_GRANTED: ("退款已核定", "refund decided"),
            MomentKind.COMPLETED: ("已完成", "completed"),
            MomentKind.FEEDBACK_GIVEN: ("已评价", "feedback given"),
        },
        ShipmentMethod: {
            ShipmentMethod.DROP_OFF: ("客户自行寄回", "customer drop-off"),
            ShipmentMethod.CARRIER_PICKUP: ("上门取件", "carrier pickup"),
            ShipmentMethod.IN_STORE: ("门店退回", "in store"),
        },
        ShippingPayer: {
            ShippingPayer.CUSTOMER: ("客户承担", "customer pays"),
            ShippingPayer.MERCHANT: ("商家承担", "merchant pays"),
        },
        TrackingStatus: {
            TrackingStatus.PENDING: ("待寄出", "not yet sent"),
            TrackingStatus.LABEL_CREATED: ("已生成面单", "label created"),
            TrackingStatus.IN_TRANSIT: ("运输中", "in transit"),
            TrackingStatus.DELIVERED: ("已送达仓库", "delivered to the warehouse"),
            TrackingStatus.EXCEPTION: ("运输异常", "exception"),
            TrackingStatus.LOST: ("包裹丢失", "lost"),
        },
        AttachmentSubject: {
            AttachmentSubject.REQUEST: ("退货申请", "request"),
            AttachmentSubject.RECEIPT: ("收货", "receipt"),
            AttachmentSubject.INSPECTION: ("质检", "inspection"),
        },
        ContactChannel: {
            ContactChannel.CALL: ("电话", "call"),
            ContactChannel.EMAIL: ("电子邮件", "e-mail"),
            ContactChannel.SMS: ("短信", "SMS"),
            ContactChannel.CHAT: ("在线聊天", "chat"),
            ContactChannel.VISIT: ("面谈", "visit"),
            ContactChannel.WEBHOOK: ("系统通知", "webhook"),
        },
        Direction: {
            Direction.INBOUND: ("客户来访/来电", "inbound"),
            Direction.OUTBOUND: ("主动联系客户", "outbound"),
        },
        Stage: {
            Stage.APPROVE: ("审批", "approve"),
            Stage.SHIP_BACK: ("寄回", "ship back"),
            Stage.RECEIVE: ("收货", "receive"),
            Stage.INSPECT: ("质检", "inspect"),
            Stage.REFUND: ("退款", "refund"),
        },
    }
)
