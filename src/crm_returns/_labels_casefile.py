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
