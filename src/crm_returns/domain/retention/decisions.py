"""What the rules say about one record today, and what stands in the way.

:func:`decide` is the whole retirement rule in one place: a record is acted on
only when its retention has run (the latest retain-until of every rule that
applies to it and to the records it owns), no legal hold in force covers it,
no open matter keeps it, and — for destruction — nothing still refers to it.
Every reason a record is kept is given in words, for the plan's list of what
blocks the rest and for the appraisal report.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import attrs

from crm_returns.domain.retention.classes import RecordKey, RecordState
from crm_returns.domain.retention.holds import HoldTarget, LegalHold
from crm_returns.domain.retention.rules import (
    Expiry,
    RecordDates,
    RetainUntil,
    RetentionPolicy,
)

__all__ = ["Decision", "RetainedRecord", "decide"]


@attrs.frozen
class RetainedRecord:
    """What retention needs to know of one stored record.

    Attributes:
        key: The record.
        dates: The dates its periods run from.
        state: Active or archived.
        customer_id: The customer it names, if any.
        return_id: The return it belongs to, if any.
        owned: The records it owns that go with it, as ``(class, dates)``.
        counts: How many records of each class go with it (itself included).
        open_matters: What keeps it open, in words (a return in progress).
        referenced_by: Kept records that refer to it.
        referrers: Those of :attr:`referenced_by` the store knows, as retention
            sees them (a return's journal entries): a sweep decides them on the
            spot, to tell whether they go in the same plan, without keeping
            every key it has planned.
        erased: Whether its personal data was erased (it is then storage-only,
            destroyed when its retention runs).
    """

    key: RecordKey
    dates: RecordDates
    state: RecordState = RecordState.ACTIVE
    customer_id: str | None = None
    return_id: str | None = None
    owned: tuple[tuple[str, RecordDates], ...] = ()
    counts: tuple[tuple[str, int], ...] = ()
    open_matters: tuple[str, ...] = ()
    referenced_by: tuple[RecordKey, ...] = ()
    referrers: tuple[RetainedRecord, ...] = ()
    erased: bool = False

    @property
    def target(self) -> HoldTarget:
        """The record as holds see it."""
        return HoldTarget(self.key, self.customer_id, self.return_id)


@attrs.frozen
class Decision:
    """What is to happen to one record, or why nothing may.

    Attributes:
        record: The record.
        retention: Its retain-until and the rule that set it.
        action: What its rule says once retention has run; ``None`` when
            nothing is due (within retention, no rule, or already done).
        blocked_by: Why the due action may not happen now, in words.
    """

    record: RetainedRecord
    retention: RetainUntil
    action: Expiry | None
    blocked_by: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        """Whether the action may be taken now."""
        return self.action is not None and not self.blocked_by

    @property
    def legal_basis(self) -> str:
        """The law behind the rule that decided, or ``""``."""
        rule = self.retention.rule
        return "" if rule is None else rule.legal_basis

    def overdue(self, today: date) -> bool:
        """Whether the rule's maximum has passed with the action still not taken."""
        act_by = self.retention.act_by
        return self.action is not None and act_by is not None and act_by < today


def _kept(retention: RetainUntil, record_class: str) -> str:
    rule = retention.rule
    if rule is None:
        return f"no retention rule governs {record_class}"
    basis = f" ({rule.legal_basis})" if rule.legal_basis else ""
    if retention.until is None:
        if rule.minimum.permanent:
            return f"kept permanently{basis}"
        return f"its retention has not started: it runs from {rule.runs_from.value}{basis}"
    return f"kept until {retention.until.isoformat()}{basis}"


def _due(retention: RetainUntil, record: RetainedRecord) -> Expiry | None:
    """The action its rule asks for, leaving out what is done already."""
    if retention.rule is None:
        return None
    action = retention.rule.on_expiry
    if record.erased and action in (Expiry.ERASE, Expiry.ARCHIVE):
        # Storage-only records are destroyed when their retention runs.
        return Expiry.DESTROY
    if action is Expiry.ARCHIVE and record.state is RecordState.ARCHIVED:
        return None
    return action


def decide(
    policy: RetentionPolicy,
    record: RetainedRecord,
    holds: Iterable[LegalHold],
    at: datetime,
) -> Decision:
    """What ``policy`` says of ``record`` at ``at``, with every reason it is kept.

    Args:
        policy: The tenant's rules.
        record: The record, with what it owns and what refers to it.
        holds: The tenant's holds (those not in force or not covering the
            record are passed over).
        at: Now.
    """
    today = at.date()
    retention = policy.retain_all(((record.key.record_class, record.dates), *record.owned))
    if not retention.expired(today):
        return Decision(record, retention, None, (_kept(retention, record.key.record_class),))
    action = _due(retention, record)
    if action is None or action is Expiry.REVIEW:
        return Decision(record, retention, action)
    blocked = list(record.open_matters)
    if action in (Expiry.ERASE, Expiry.DESTROY):
        target = record.target
        blocked += [h.describe() for h in holds if h.in_force(at) and h.covers(target)]
    if action is Expiry.DESTROY and record.referenced_by:
        shown = ", ".join(str(key) for key in record.referenced_by[:10])
        more = len(record.referenced_by) - 10
        blocked.append(f"referred to by {shown}" + (f" and {more} more" if more > 0 else ""))
    return Decision(record, retention, action, tuple(blocked))
