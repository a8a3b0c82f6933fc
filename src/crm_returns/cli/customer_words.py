"""What the demo's customer side says, in Chinese and English, side by side.

One key per line with both languages (``{key: (zh, en)}``), as the
:class:`~crm_returns.cli.phrasebook.Phrasebook` reads them beside
:data:`~crm_returns.cli.words.WORDS`: headings and column names in
:data:`CUSTOMER_WORDS`, and what the customer and the staff type in
:data:`CUSTOMER_SCENARIO`.
"""

from __future__ import annotations

from typing import Final

from crm_returns.cli.retention_words import bilingual

__all__ = ["CUSTOMER_SCENARIO", "CUSTOMER_WORDS"]

#: Headings, column names and messages of the demo's customer side.
CUSTOMER_WORDS: Final = bilingual(
    {
        "customer_search": (
            "第 1 步 · 客户 {customer} 在门户中查找自己已交付的订单明细",
            "Step 1 · Customer {customer} finds their delivered lines in the portal",
        ),
        "customer_preview": (
            "第 2 步 · 客户确认退货申请（提交前预览）",
            "Step 2 · The customer confirms the request (preview before asking)",
        ),
        "customer_lifecycle": (
            "第 3 步 · 申请（附照片）、受理、审批、寄回与物流、收货、质检、维修、退款、完成、评价",
            "Step 3 · Request (with a photo), accept, approve, ship back with tracking, receive, "
            "inspect, repair, refund, complete, feedback",
        ),
        "customer_side_step": (
            "第 10 步 · 客户侧：照片、物流、沟通记录、评价，以及客户看到的进度",
            "Step 10 · The customer's side: the photo, tracking, contacts, feedback, "
            "and what the customer sees",
        ),
        "photo": ("照片", "Photo"),
        "photo_text": (
            "{filename}（识别为 {content_type}，{size} 字节，SHA-256 {digest}…）",
            "{filename} (detected as {content_type}, {size} bytes, SHA-256 {digest}…)",
        ),
        "shipment": ("寄回方式", "Shipment"),
        "shipment_text": (
            "{method}，{carrier} 运单号 {tracking_number}，{paid_by}，状态：{status}",
            "{method}, {carrier} tracking number {tracking_number}, {paid_by}, status: {status}",
        ),
        "tracking_table": ("物流跟踪（承运商报告）", "Tracking (as the carrier reported)"),
        "tracking_polled": (
            "第二次查询承运商：新增 {added} 条，重复 {duplicates} 条（按承运商事件号只记一次）",
            "Second poll of the carrier: {added} new, {duplicates} repeated "
            "(kept once, by the carrier's event id)",
        ),
        "occurred": ("发生时间 (UTC)", "When (UTC)"),
        "tracking_status": ("物流状态", "Status"),
        "where": ("地点", "Where"),
        "contacts_table": ("客户沟通记录", "Contacts with the customer"),
        "channel": ("方式", "Channel"),
        "direction": ("方向", "Direction"),
        "summary": ("内容", "Summary"),
        "by": ("记录人", "By"),
        "feedback": ("客户评价", "Feedback"),
        "feedback_text": ("{score} 分（满分 5 分）：{comment}", "{score} of 5: {comment}"),
        "timeline": (
            "客户在门户中看到的进度（不含内部备注、审批人、费用）",
            "What the customer sees in the portal (no internal notes, approvers or costs)",
        ),
    }
)

#: What the customer and the staff type in the demo's customer side.
CUSTOMER_SCENARIO: Final = bilingual(
    {
        "customer_note": (
            "鼠标滚轮失灵，数据线多订了，显示器到货时屏幕碎裂，照片见附件",
            "Mouse wheel fails, too many cables, monitor screen cracked on arrival: photo attached",
        ),
        "photo_note": ("显示器屏幕裂痕", "Cracked monitor screen"),
        "accept": ("资料齐全，受理", "Complete; accepted"),
        "pickup": ("上门取件，运费由商家承担", "Carrier pickup, paid by the shop"),
        "location_pickup": ("上海浦东", "Shanghai Pudong"),
        "location_hub": ("上海转运中心", "Shanghai hub"),
        "location_warehouse": ("退货仓", "Returns warehouse"),
        "call_in": (
            "客户来电询问取件时间，告知快递员明天上午上门",
            "The customer called about the pickup; told them the courier comes tomorrow morning",
        ),
        "call_out": (
            "致电客户确认退款已到账，客户表示满意",
            "Called the customer to confirm the refund arrived; they are satisfied",
        ),
        "feedback_comment": (
            "处理很快，取件方便，退款及时",
            "Quick handling, easy pickup, refund on time",
        ),
    }
)
