"""Labels of analytics' values, in zh-CN and en; :mod:`crm_returns.labels` shows them.

One table per enum of :data:`~crm_returns.domain.analytics.labelled.AnalyticsLabelled`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from crm_returns.domain.analytics.cycles import CycleGrouping, CycleStage
from crm_returns.domain.analytics.dimensions import Dimension
from crm_returns.domain.analytics.figures import Figure
from crm_returns.domain.analytics.pareto import Measure, ReasonLevel
from crm_returns.domain.analytics.periods import DateBasis, ReportPeriod, StatusGroup

__all__ = ["ANALYTICS_TABLES"]

#: Analytics' values, one table per enum.
ANALYTICS_TABLES: Final[Mapping[type[enum.Enum], Mapping[Any, tuple[str, str]]]] = MappingProxyType(
    {
        Dimension: {
            Dimension.PRODUCT: ("商品", "product"),
            Dimension.SKU: ("商品编码", "SKU"),
            Dimension.CATEGORY: ("商品类别", "category"),
            Dimension.CUSTOMER: ("客户", "customer"),
            Dimension.REASON: ("退货原因", "reason"),
            Dimension.REASON_CATEGORY: ("原因类别", "reason category"),
            Dimension.LOCATION: ("库位", "stock location"),
            Dimension.OWNER: ("负责人", "owner"),
            Dimension.TEAM: ("团队", "team"),
            Dimension.STATUS: ("状态", "status"),
            Dimension.SATISFACTION: ("满意度", "satisfaction"),
            Dimension.DECLINE_REASON: ("拒绝原因", "decline reason"),
        },
        ReportPeriod: {
            ReportPeriod.DAY: ("日", "day"),
            ReportPeriod.WEEK: ("周", "week"),
            ReportPeriod.MONTH: ("月", "month"),
            ReportPeriod.QUARTER: ("季度", "quarter"),
        },
        DateBasis: {
            DateBasis.ORDER_DATE: ("下单日期", "order date"),
            DateBasis.RETURN_DATE: ("退货日期", "return date"),
            DateBasis.REFUND_DATE: ("退款日期", "refund date"),
        },
        StatusGroup: {
            StatusGroup.COUNTED: ("计入统计", "counted"),
            StatusGroup.PENDING: ("待处理", "pending"),
            StatusGroup.REJECTED_OR_CANCELLED: ("已驳回或已取消", "rejected or cancelled"),
            StatusGroup.EXCLUDED: ("未计入", "excluded"),
        },
        ReasonLevel: {
            ReasonLevel.REASON: ("原因", "reason"),
            ReasonLevel.CATEGORY: ("原因类别", "reason category"),
        },
        Measure: {
            Measure.LINES: ("退货明细数", "returned lines"),
            Measure.UNITS: ("退货数量", "units returned"),
        },
        CycleStage: {
            CycleStage.APPROVAL: ("审批", "approval"),
            CycleStage.GOODS_BACK: ("退回收货", "goods back"),
            CycleStage.INSPECTION: ("质检", "inspection"),
            CycleStage.REFUND: ("退款", "refund"),
            CycleStage.COMPLETION: ("完成", "completion"),
            CycleStage.TOTAL: ("全程", "whole return"),
        },
        CycleGrouping: {
            CycleGrouping.ALL: ("全部", "everyone"),
            CycleGrouping.OWNER: ("负责人", "owner"),
            CycleGrouping.TEAM: ("团队", "team"),
        },
        Figure: {
            Figure.RETURNS: ("退货单数", "returns"),
            Figure.ORDERS: ("订单数", "orders"),
            Figure.RETURNED_ORDERS: ("有退货的订单数", "orders with units returned"),
            Figure.QUANTITY_REQUESTED: ("申请退货件数", "units requested"),
            Figure.QUANTITY_APPROVED: ("批准退货件数", "units approved"),
            Figure.QUANTITY_RECEIVED: ("收货件数", "units received"),
            Figure.QUANTITY_ACCEPTED: ("验收件数", "units accepted"),
            Figure.QUANTITY_RETURNED: ("退货件数", "units returned"),
            Figure.MERCHANDISE_VALUE: ("退货商品金额", "merchandise value"),
            Figure.REFUND_GRANTED: ("已批退款", "refunds granted"),
            Figure.REFUND_PAID: ("已付退款", "refunds paid"),
            Figure.STORE_CREDIT: ("店铺余额", "store credit"),
            Figure.REPLACEMENT_VALUE: ("换货金额", "replacement value"),
            Figure.RESTOCKING_FEE: ("手续费", "restocking fees"),
            Figure.RETURN_SHIPPING_FEE: ("退货运费", "return shipping fees"),
            Figure.WRITE_OFF: ("报废核销", "written off"),
        },
    }
)
