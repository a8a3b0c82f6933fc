"""What ``crm-returns retention`` prints: the appraisal report, plans, holds, the log.

Every table is built by :func:`~crm_returns.cli.tables.table` from word keys,
so that headers come from the :class:`~crm_returns.cli.phrasebook.Phrasebook`
and counts are right-aligned.  Labels of the library's values (actions, plan
and erasure statuses, hold scopes, operations) come from
:mod:`crm_returns.labels`.  Needs the ``cli`` extra (``rich``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.tables import pairs, table, time_text
from crm_returns.domain.retention import (
    KEPT,
    AppraisalReport,
    ErasureRequest,
    Expiry,
    LegalHold,
    LogEntry,
    PlanItem,
    RetentionPlan,
)

__all__ = [
    "appraisal_table",
    "counts_table",
    "erasure_summary",
    "holds_table",
    "items_table",
    "log_table",
    "outcome_text",
    "plan_summary",
    "register_table",
]

_APPRAISAL_COLUMNS = ("record_class", "outcome", "why", "count")
_COUNT_COLUMNS = ("record_class", "plan_action", "count")
_ITEM_COLUMNS = (
    "position",
    "record_class",
    "record_id",
    "plan_action",
    "retain_until",
    "legal_basis",
)
_REGISTER_COLUMNS = (
    "plan_number", "plan_status", "proposed", "approved_by",
    "applied_at", "backup", "items", "kept_count",
)  # fmt: skip
_HOLD_COLUMNS = ("hold_id", "scope", "target", "hold_reason", "placed", "hold_until", "released")
_LOG_COLUMNS = ("position", "time", "actor", "operation", "ids", "counts", "log_outcome")

#: Ids shown per log entry; a batch of a plan names hundreds.
_LOG_IDS = 3


def outcome_text(words: Phrasebook, outcome: str) -> str:
    """An appraisal outcome (an action's value, or :data:`KEPT`) in words."""
    if outcome == KEPT:
        return words.word("kept")
    try:
        return words.label(Expiry(outcome))
    except ValueError:  # not an action: shown as it is
        return outcome


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return time_text(value)
    return value.isoformat()


def appraisal_table(words: Phrasebook, report: AppraisalReport) -> Table:
    """The appraisal report (鉴定意见): per class, outcome and reason, how many records."""
    title = words.word("appraisal", as_of=report.as_of.isoformat(), profile=report.profile)
    made = table(words, title, _APPRAISAL_COLUMNS, numeric=1, whole=2)
    for line in report.lines:
        made.add_row(
            Text(words.record_class(line.record_class)),
            Text(outcome_text(words, line.outcome)),
            Text(line.reason),
            str(line.count),
        )
    made.caption = words.word("looked_at", total=report.total(), overdue=report.overdue)
    made.caption_justify = "left"
    return made


def plan_summary(words: Phrasebook, plan: RetentionPlan) -> str:
    """One line: the plan's number, status, items and records kept."""
    return words.word(
        "plan_proposed",
        number=plan.number,
        status=words.label(plan.status),
        items=plan.items,
        kept=plan.kept,
    )


def counts_table(words: Phrasebook, plan: RetentionPlan) -> Table:
    """Records a plan acts on, by class and action, with what each owns."""
    made = table(words, words.word("plan_counts"), _COUNT_COLUMNS, numeric=1, whole=2)
    for record_class, action, count in plan.counts:
        made.add_row(
            Text(words.record_class(record_class)), Text(outcome_text(words, action)), str(count)
        )
    return made


def items_table(
    words: Phrasebook, plan: RetentionPlan, items: Sequence[PlanItem], title: str = ""
) -> Table:
    """Some items of a plan: position, class, record, action, retain-until, legal basis.

    The title says which positions they are, unless ``title`` says otherwise.
    """
    first = items[0].position if items else 0
    last = items[-1].position if items else 0
    title = title or words.word(
        "plan_items", number=plan.number, first=first, last=last, total=plan.items
    )
    made = table(words, title, _ITEM_COLUMNS, numeric=0, whole=2)
    made.columns[0].justify = "right"
    for column in made.columns[3:5]:
        column.no_wrap = True
    # Legal bases are the point of the table: whole, while record ids may fold.
    made.columns[5].min_width = min(40, max((cell_len(i.legal_basis) for i in items), default=1))
    for item in items:
        made.add_row(
            str(item.position),
            Text(words.record_class(item.key.record_class)),
            Text(item.key.record_id),
            Text(words.label(item.action)),
            Text(_day(item.retain_until)),
            Text(item.legal_basis or "—"),
        )
    return made


def register_table(words: Phrasebook, plans: Iterable[RetentionPlan]) -> Table:
    """Every plan: status, who approved, when applied, its backup; the destruction register."""
    made = table(words, words.word("register"), _REGISTER_COLUMNS, numeric=2, whole=1)
    for plan in plans:
        # The file's name and the checksum's start: `apply` printed them whole.
        backup = f"{Path(plan.backup).name}\n{plan.backup_checksum[:19]}…" if plan.backup else ""
        made.add_row(
            Text(plan.number),
            Text(words.label(plan.status)),
            Text(f"{_day(plan.proposed_at)}\n{plan.proposed_by}"),
            Text("\n".join(given.actor_id for given in plan.approvals) or "—"),
            Text(_day(plan.applied_at)),
            Text(backup or "—"),
            str(plan.items),
            str(plan.kept),
        )
    return made


def holds_table(words: Phrasebook, holds: Iterable[LegalHold]) -> Table:
    """Every legal hold: what it is on, why, who placed it and when, and its release."""
    made = table(words, words.word("holds"), _HOLD_COLUMNS, numeric=0, whole=2)
    holds = list(holds)
    # People copy a hold's id to release it: never fold it.
    made.columns[0].min_width = max((cell_len(hold.id) for hold in holds), default=1)
    for hold in holds:
        released = "—"
        if hold.released_at is not None:
            released = f"{_day(hold.released_at)}\n{hold.released_by}"
        made.add_row(
            Text(hold.id),
            Text(words.label(hold.scope)),
            Text(hold.target),
            Text(hold.reason),
            Text(f"{_day(hold.placed_at)}\n{hold.placed_by}"),
            Text(_day(hold.until)),
            Text(released),
        )
    return made


def _counted(counts: Iterable[tuple[str, int]]) -> str:
    return "\n".join(f"{name}: {count}" for name, count in counts)


def erasure_summary(words: Phrasebook, request: ErasureRequest) -> Text:
    """An erasure request's status, what it erased, what it keeps storage-only, its refusals."""
    refusals = "\n".join(f"{refusal.record}: {refusal.reason}" for refusal in request.refusals)
    none = words.word("none")
    return pairs(
        (
            words.word("erasure", number=request.number, status=words.label(request.status)),
            "",
        ),
        (words.word("erased"), _counted(request.erased) or none),
        (words.word("storage_only"), str(request.storage_only)),
        (words.word("refusals"), refusals or none),
    )


def log_table(words: Phrasebook, entries: Iterable[LogEntry]) -> Table:
    """Operation log entries: who did what, to which ids, how many, and how it ended."""
    made = table(words, words.word("log"), _LOG_COLUMNS, numeric=0, whole=2)
    made.columns[0].justify = "right"
    for entry in entries:
        ids = list(entry.ids[:_LOG_IDS])
        if len(entry.ids) > _LOG_IDS:
            ids.append(f"… (+{len(entry.ids) - _LOG_IDS})")
        made.add_row(
            str(entry.position),
            Text(time_text(entry.at)),
            Text(entry.actor_id),
            Text(words.label(entry.operation)),
            Text("\n".join(ids)),
            Text(_counted(entry.counts)),
            Text(entry.outcome),
        )
    return made
