"""What the demo's report step and ``crm-returns report`` say, in Chinese and English.

One key per line with both languages (``{key: (zh, en)}``), read by the
:class:`~crm_returns.cli.phrasebook.Phrasebook` beside the other word tables.
"""

from __future__ import annotations

from typing import Final

from crm_returns.cli.retention_words import bilingual

__all__ = ["REPORT_WORDS"]

#: Headings, column names and messages of the reports.
REPORT_WORDS: Final = bilingual(
    {
        "report_step": (
            "第 12 步 · 为什么退货：本月报表与图表",
            "Step 12 · Why things come back: this month's report and a chart",
        ),
        "report_reasons": ("退货原因（帕累托）", "Return reasons (Pareto)"),
        "report_money": (
            "退货金额（按币种，从不跨币种相加）",
            "Money of returns (per currency, never added across)",
        ),
        "report_cycle": ("各阶段处理时长", "Cycle time per stage"),
        "report_key": ("原因", "Reason"),
        "report_lines": ("明细数", "Lines"),
        "report_units": ("件数", "Units"),
        "report_share": ("占比", "Share"),
        "report_cumulative": ("累计占比", "Cumulative"),
        "report_currency": ("币种", "Currency"),
        "report_merchandise": ("退货商品金额", "Merchandise"),
        "report_granted": ("已批退款", "Refunds granted"),
        "report_paid": ("已付退款", "Refunds paid"),
        "report_fees": ("手续费", "Fees kept"),
        "report_write_off": ("报废核销", "Written off"),
        "report_stage": ("阶段", "Stage"),
        "report_count": ("单数", "Returns"),
        "report_median": ("中位数", "Median"),
        "report_p90": ("P90", "P90"),
        "report_longest": ("最长", "Longest"),
        # crm-returns report: titles
        "report_declines": (
            "客户申请的拒绝原因（帕累托）",
            "Why customers' requests were declined (Pareto)",
        ),
        "report_matrix": ("商品编码 × 退货原因（{measure}）", "SKU × reason ({measure})"),
        "report_rates": ("各订单批次的退货率", "Return rates by order cohort"),
        "report_returners": ("退货频繁的客户", "Customers with many returns"),
        "report_ages": ("未结退货单（按状态与天数）", "Open returns by status and age"),
        "report_satisfaction": ("客户满意度", "Customer satisfaction"),
        "report_breakdown": ("退货明细汇总", "Returned lines, grouped"),
        "report_line_export": ("退货明细", "Returned lines"),
        "report_return_export": ("退货单", "Returns"),
        # crm-returns report: columns
        "report_reason": ("原因", "Reason"),
        "report_reason_category": ("原因类别", "Reason category"),
        "report_decline_reason": ("拒绝原因", "Decline reason"),
        "report_cumulative_share": ("累计占比", "Cumulative"),
        "report_sku": ("商品编码", "SKU"),
        "report_cohort": ("订单批次", "Cohort"),
        "report_maturity": ("成熟度", "Maturity"),
        "report_units_returned": ("退货件数", "Units back"),
        "report_units_delivered": ("发货件数", "Units sent"),
        "report_unit_rate": ("件数 退货率", "Unit rate"),
        "report_orders_returned": ("有退货 订单", "Orders back"),
        "report_orders": ("订单数", "Orders"),
        "report_order_rate": ("订单 退货率", "Order rate"),
        "report_value_returned": ("退货 金额", "Value back"),
        "report_gross_sales": ("销售额", "Gross sales"),
        "report_value_rate": ("金额 退货率", "Value rate"),
        "report_group": ("负责人/团队", "Owner/team"),
        "report_returns": ("退货单数", "Returns"),
        "report_median_seconds": ("中位数", "Median"),
        "report_p90_seconds": ("P90", "P90"),
        "report_max_seconds": ("最长", "Longest"),
        "report_allowance_seconds": ("时限", "Allowed"),
        "report_within_level": ("按时占比", "Within"),
        "report_customer": ("客户", "Customer"),
        "report_age": ("天数", "Age (days)"),
        "report_youngest_days": ("自（天）", "From (days)"),
        "report_oldest_days": ("至（天）", "To (days)"),
        "report_status": ("状态", "Status"),
        "report_rated": ("已评价", "Rated"),
        "report_mean": ("平均分", "Mean"),
        "report_score": ("{n} 分", "Score {n}"),
        "report_status_group": ("统计分组", "Group"),
        "report_period": ("期间", "Period"),
        "report_refund_granted": ("已批退款", "Refunds granted"),
        "report_refund_paid": ("已付退款", "Refunds paid"),
        "report_restocking_fee": ("手续费", "Fees kept"),
        "report_return_shipping_fee": ("退货运费", "Return shipping"),
        "report_return": ("退货单号", "Return"),
        "report_line": ("订单行", "Order line"),
        "report_mature": ("已成熟", "mature"),
        "report_immature": ("未成熟", "immature"),
        # crm-returns report: messages
        "report_window": (
            "租户 {tenant} · {start} 至 {end}（{zone}，按{basis}）",
            "Tenant {tenant} · {start} to {end} ({zone}, by {basis})",
        ),
        "report_as_of": (
            "租户 {tenant} · 截至 {at}（{zone}）",
            "Tenant {tenant} · as of {at} ({zone})",
        ),
        "report_no_rows": ("（没有符合条件的记录）", "(nothing in this window)"),
        "report_rows_written": ("已写入 {rows} 行到 {path}", "{rows} rows written to {path}"),
        "report_exporting": ("正在导出", "Exporting"),
        "report_try": ("查看报表：{command}", "Its reports: {command}"),
        "report_chart_empty": (
            "未生成图表 {path}：报表没有数据",
            "No chart drawn to {path}: the report has no rows",
        ),
        "report_chart_written": ("图表已写入 {path}", "Chart written to {path}"),
        "report_chart_skipped": (
            "未生成图表：{reason}。安装图表组件：pip install 'crm-returns[charts]'",
            "No chart drawn: {reason}. Install the charts extra: pip install 'crm-returns[charts]'",
        ),
    }
)
