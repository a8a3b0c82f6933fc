"""What ``crm-returns retention`` says, in Chinese and English, side by side.

One key per line with both languages (``{key: (zh, en)}``), as the
:class:`~crm_returns.cli.phrasebook.Phrasebook` reads them beside
:data:`~crm_returns.cli.words.WORDS`.  :data:`RECORD_CLASSES` names the
library's record classes; a host's own classes show as they are named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from crm_returns.cli.words import Language

__all__ = ["RECORD_CLASSES", "RETENTION_WORDS", "bilingual"]


def bilingual(pairs: Mapping[str, tuple[str, str]]) -> dict[Language, dict[str, str]]:
    """``{key: (zh, en)}`` as one table per language."""
    return {
        "zh": {key: zh for key, (zh, _) in pairs.items()},
        "en": {key: en for key, (_, en) in pairs.items()},
    }


#: Headings, column names and messages of the retention commands.
RETENTION_WORDS: Final = bilingual(
    {
        # the appraisal report (鉴定意见)
        "appraisal": (
            "鉴定意见（截至 {as_of}，规则 {profile}）",
            "Appraisal report (as of {as_of}, profile {profile})",
        ),
        "record_class": ("档案类别", "Class"),
        "outcome": ("结论", "Outcome"),
        "why": ("理由", "Reason"),
        "count": ("数量", "Count"),
        "kept": ("保留", "kept"),
        "kept_count": ("保留", "Kept"),
        "looked_at": (
            "共鉴定 {total} 条记录，逾期未处理 {overdue} 条",
            "{total} records appraised, {overdue} overdue",
        ),
        # plans
        "plan_proposed": (
            "销毁计划 {number}（{status}）：{items} 项待处理，{kept} 条保留",
            "Plan {number} ({status}): {items} items to act on, {kept} records kept",
        ),
        "plan_counts": ("按类别和处理方式统计", "Records by class and action"),
        "plan_items": (
            "计划 {number} 的第 {first}–{last} 项（共 {total} 项）",
            "Plan {number}, items {first}–{last} of {total}",
        ),
        "items_of": (
            "计划 {number} 中退货单 {return_number} 的记录（共 {total} 项中的 {shown} 项）",
            "Plan {number}: records of return {return_number} ({shown} of {total} items)",
        ),
        "no_items": ("计划 {number} 没有待处理的记录", "Plan {number} acts on no records"),
        "position": ("序号", "#"),
        "record_id": ("记录编号", "Record"),
        "plan_action": ("处理", "Action"),
        "retain_until": ("保管期限至", "Retain until"),
        "legal_basis": ("法律依据", "Legal basis"),
        "plan_approved": (
            "计划 {number}：{status}（已有 {given}/{needed} 人审批）",
            "Plan {number}: {status} ({given} of {needed} approvals)",
        ),
        "plan_applied": (
            "计划 {number}：{status}，已处理 {items} 项",
            "Plan {number}: {status}, {items} items done",
        ),
        "backup_written": (
            "备份：{location}\n校验和：{checksum}",
            "Backup: {location}\nChecksum: {checksum}",
        ),
        "no_backup": ("无需备份：计划不销毁记录", "No backup needed: the plan destroys nothing"),
        "sweeping": ("扫描记录", "Sweeping records"),
        "applying": ("执行计划 {number}", "Applying plan {number}"),
        # the register
        "register": ("销毁清册（全部计划）", "Destruction register (every plan)"),
        "no_plans": ("还没有销毁计划", "No plans yet"),
        "plan_number": ("计划编号", "Plan"),
        "plan_status": ("状态", "Status"),
        "items": ("项数", "Items"),
        "proposed": ("编制", "Proposed"),
        "approved_by": ("审批人", "Approved by"),
        "applied_at": ("执行时间 (UTC)", "Applied (UTC)"),
        "backup": ("备份", "Backup"),
        # holds
        "holds": ("法律保留", "Legal holds"),
        "no_holds": ("没有法律保留", "No legal holds"),
        "hold_id": ("编号", "Hold"),
        "scope": ("范围", "Scope"),
        "target": ("对象", "On"),
        "hold_reason": ("原因", "Reason"),
        "placed": ("设置 (UTC)", "Placed (UTC)"),
        "hold_until": ("截止 (UTC)", "Until (UTC)"),
        "released": ("解除 (UTC)", "Released (UTC)"),
        "hold_placed": (
            "已设置法律保留 {id}：{scope} {target}",
            "Hold {id} placed on {scope} {target}",
        ),
        "hold_released": ("已解除法律保留 {id}", "Hold {id} released"),
        # archive and restore
        "archived": (
            "退货单 {number} 已归档（只读，默认列表中不显示，可恢复）",
            "Return {number} archived (read-only, out of default lists, restorable)",
        ),
        "restored": ("退货单 {number} 已恢复", "Return {number} restored"),
        # erasure
        "erasure": ("删除请求 {number}：{status}", "Erasure request {number}: {status}"),
        "erased": ("已删除个人信息", "Personal data erased"),
        "storage_only": (
            "仅存储（法定保管期满后销毁）",
            "Storage-only (destroyed when retention ends)",
        ),
        "refusals": ("拒绝", "Refused"),
        "none": ("无", "none"),
        # the operation log
        "log": ("操作日志（哈希链）", "Operation log (hash-chained)"),
        "no_log": ("操作日志为空", "The operation log is empty"),
        "operation": ("操作", "Operation"),
        "ids": ("对象", "Ids"),
        "counts": ("数量", "Counts"),
        "log_outcome": ("结果", "Outcome"),
        "log_verified": (
            "租户 {tenant} 的操作日志完好：已核验 {count} 条",
            "Tenant {tenant}: the operation log checks, {count} entries",
        ),
        "logs_verified": (
            "已核验 {tenants} 个租户的 {count} 条操作日志",
            "{count} entries of {tenants} tenants checked",
        ),
        # the demo
        "retention_step": (
            "第 11 步 · 档案退库：归档与销毁计划",
            "Step 11 · Retiring records: archive, and a destruction plan",
        ),
        "demo_second": (
            "另一张退货单 {number}（客户 {customer}）已完成",
            "Another return, {number} (customer {customer}), completed",
        ),
        "demo_archived": (
            "{actor} 归档退货单 {number}：只读，默认列表中不显示，可原样恢复",
            "{actor} archives return {number}: read-only, out of default lists, restorable exactly",
        ),
        "demo_later": (
            "时钟拨到 {date}（{years} 年后），{actor} 编制销毁计划（试运行，不删除任何记录）",
            "The clock moves to {date} ({years} years on); {actor} proposes a plan: "
            "a dry run, nothing is deleted",
        ),
    }
)

#: The library's record classes.
RECORD_CLASSES: Final = bilingual(
    {
        "return_orders": ("退货单", "return orders"),
        "return_lines": ("退货明细", "return lines"),
        "audit_entries": ("操作记录", "audit entries"),
        "stock_moves": ("库存流水", "stock moves"),
        "return_requests": ("退货申请", "return requests"),
        "shipments": ("退货物流", "shipments"),
        "tracking_updates": ("物流轨迹", "tracking updates"),
        "attachments": ("附件", "attachments"),
        "contacts": ("客户联络记录", "contacts"),
        "feedback": ("客户评价", "feedback"),
        "return_assignments": ("退货负责人", "return assignments"),
        "journal_entries": ("会计凭证", "journal entries"),
        "journal_postings": ("凭证分录", "journal postings"),
        "outbox_messages": ("待发事件", "outbox messages"),
        "deliveries": ("事件投递", "deliveries"),
        "delivery_attempts": ("投递尝试", "delivery attempts"),
        "idempotency_keys": ("幂等键", "idempotency keys"),
        "customers": ("客户", "customers"),
        "orders": ("订单", "orders"),
    }
)
