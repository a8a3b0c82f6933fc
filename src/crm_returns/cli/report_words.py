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
        "report_chart_written": ("图表已写入 {path}", "Chart written to {path}"),
        "report_chart_skipped": (
            "未生成图表：{reason}。安装图表组件：pip install 'crm-returns[charts]'",
            "No chart drawn: {reason}. Install the charts extra: pip install 'crm-returns[charts]'",
        ),
    }
)
