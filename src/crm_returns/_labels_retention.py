"""Labels of record retirement's values, in zh-CN and en; :mod:`crm_returns.labels` shows them."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

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

__all__ = ["RETENTION_TABLES"]

#: Record retirement's values, one table per enum.
RETENTION_TABLES: Final[Mapping[type[enum.Enum], Mapping[Any, tuple[str, str]]]] = MappingProxyType(
    {
        Trigger: {
            Trigger.FISCAL_YEAR_END: ("会计年度终了", "end of the fiscal year"),
            Trigger.COMPLETION: ("办结", "completion"),
            Trigger.LAST_ACTIVITY: ("最后一次变更", "last activity"),
            Trigger.RELATIONSHIP_ENDED: ("客户关系终止", "relationship ended"),
            Trigger.CREATION: ("形成", "creation"),
        },
        Expiry: {
            Expiry.REVIEW: ("鉴定", "review"),
            Expiry.ARCHIVE: ("归档", "archive"),
            Expiry.ERASE: ("删除个人信息", "erase personal data"),
            Expiry.DESTROY: ("销毁", "destroy"),
        },
        RecordState: {
            RecordState.ACTIVE: ("在用", "active"),
            RecordState.ARCHIVED: ("已归档", "archived"),
            RecordState.DESTROYED: ("已销毁", "destroyed"),
        },
        HoldScope: {
            HoldScope.CUSTOMER: ("客户", "customer"),
            HoldScope.RETURN: ("退货单", "return"),
            HoldScope.RECORD: ("单条记录", "one record"),
        },
        PlanStatus: {
            PlanStatus.PROPOSED: ("待审批", "proposed"),
            PlanStatus.APPROVED: ("已批准", "approved"),
            PlanStatus.APPLYING: ("执行中", "applying"),
            PlanStatus.APPLIED: ("已执行", "applied"),
            PlanStatus.CANCELLED: ("已取消", "cancelled"),
        },
        PlanStep: {
            PlanStep.APPROVE: ("审批", "approve"),
            PlanStep.LAST_APPROVAL: ("最终审批", "last approval"),
            PlanStep.START: ("开始执行", "start"),
            PlanStep.FINISH: ("执行完毕", "finish"),
            PlanStep.CANCEL: ("取消", "cancel"),
        },
        ErasureStatus: {
            ErasureStatus.PENDING: ("待处理", "pending"),
            ErasureStatus.SCHEDULED: ("已排期", "scheduled"),
            ErasureStatus.COMPLETED: ("已完成", "completed"),
            ErasureStatus.PARTLY_REFUSED: ("部分拒绝", "partly refused"),
            ErasureStatus.REFUSED: ("已拒绝", "refused"),
        },
        Operation: {
            Operation.ARCHIVE: ("归档", "archive"),
            Operation.RESTORE: ("恢复", "restore"),
            Operation.HOLD: ("设置法律保留", "place hold"),
            Operation.RELEASE: ("解除法律保留", "release hold"),
            Operation.ERASURE_REQUESTED: ("收到删除请求", "erasure requested"),
            Operation.ERASE: ("删除个人信息", "erase"),
            Operation.REAPPLY_ERASURES: ("重新执行删除", "reapply erasures"),
            Operation.PLAN: ("编制销毁计划", "plan"),
            Operation.APPROVE: ("审批销毁计划", "approve plan"),
            Operation.CANCEL: ("取消销毁计划", "cancel plan"),
            Operation.BACKUP: ("备份", "backup"),
            Operation.DESTROY: ("销毁", "destroy"),
        },
    }
)
